// Package sandbox is a stateful, local implementation of the Hive API, for development, demos and
// tests that must not reach Hive. Besides the server and its store, it makes up the evidence a real
// check would have produced — an identity document with a valid (or deliberately broken) machine
// readable zone, a report graded according to a named scenario, and the document and selfie images —
// deterministically from a seed, so the same inputs always give the same bytes. A check can also
// show another customer's document or come from another customer's devices, so that demo data and
// tests have customers the console links as one person.
package sandbox
