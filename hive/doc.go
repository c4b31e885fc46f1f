// Package hive is a typed client for the Hive identity-verification API: customers, SDK sessions,
// checks, reports and files, as documented in the Hive API reference. Its text is kept in
// internal/apiref; "the reference" in comments means it.
//
// A Client exchanges the API key and secret for a bearer token at GET /token, caches it, refreshes it
// a minute before it expires (one refresh shared by all concurrent callers) and, when a call is answered
// 401, refreshes once and retries once. Requests are form-encoded exactly like the reference's curl
// examples. Every failure is an *Error whose Code can be matched with errors.Is against the sentinels
// (ErrNotFound, ErrInvalid, ErrUnauthorized, ErrRateLimited, ErrUnavailable, …).
//
// Retries: only GET requests are retried on network errors, 429 (honouring Retry-After up to a cap),
// 502, 503 and 504, and DELETE requests on network errors; at most three attempts, with capped,
// jittered exponential backoff that stops as soon as the context ends. POST and PATCH are never retried.
//
// Plain http is refused except for loopback hosts, so a local sandbox works. File downloads go only to
// allow-listed hosts, never follow redirects, refuse private and link-local addresses at dial time, and
// carry the bearer token only to an allowed host.
//
// What Hive sends is checked before it is returned: ids and id references have the shape ValidID
// checks, session and check statuses and check decisions are values this package names, timestamps
// are set and plausible. A list skips an object that fails and returns the rest; a single object
// that fails is an ErrBadResponse error. Either way the client logs one warning naming the
// operation, the field and the reason — never the value — and calls Config.InvalidItem.
//
// The API secret and tokens never appear in errors, logs or formatted output.
package hive
