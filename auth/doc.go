// Package auth is Hive Console's staff identity and accountability: staff users and their argon2id
// passwords, roles and the one permission table, sign-in with throttling, server-side web sessions behind
// a gorilla/sessions Store, and the console database with its embedded migrations.
//
// The rest of the console sees three things: a [Store] (the database; [Open] gives the SQLite one), a
// [Service] built on it with [NewService] (users, sign-in, first admin), and the Service's
// [SessionStore] (cookies and web sessions). Handlers ask [Role.Can] or [User.Can] by [Permission], never
// by role name.
package auth
