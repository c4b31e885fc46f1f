// Package auth is Hive Console's staff identity: staff users and their argon2id passwords, roles and
// the one permission table, sign-in with throttling, and server-side web sessions behind a
// gorilla/sessions Store. It keeps its tables (users, web_sessions, login_throttles) in the console
// database (package database) and writes their queries itself (the db_*.go files).
//
// The rest of the console sees a [Service] built with [NewService] (users, sign-in, first admin) and the
// Service's [SessionStore] (cookies and web sessions). Handlers ask [Role.Can] or [User.Can] by
// [Permission], never by role name.
package auth
