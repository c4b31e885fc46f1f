// Package views holds the console's templ components and pages, and the view models they take.
// Components only render what they are given: no I/O, no API calls, no clocks.
package views
