package hive

import (
	"fmt"
	"net/http"
	"time"
)

// Code classifies an error from the API or from talking to it. Handlers map codes to HTTP statuses
// in one place; nothing should match on an error's message.
type Code string

// The error codes. Each has a sentinel below for errors.Is.
const (
	CodeInvalid      Code = "invalid"      // the request was rejected as invalid (400, 422)
	CodeUnauthorized Code = "unauthorized" // credentials or token refused (401)
	CodeForbidden    Code = "forbidden"    // authenticated but not allowed (403)
	CodeNotFound     Code = "not_found"    // no such object (404)
	CodeConflict     Code = "conflict"     // the object's state forbids it (409)
	CodeRateLimited  Code = "rate_limited" // too many requests (429)
	CodeUnavailable  Code = "unavailable"  // Hive could not be reached or answered 5xx
	CodeBadResponse  Code = "bad_response" // Hive answered something this client cannot read
	CodeRefused      Code = "refused"      // the client refused to send the request (unsafe URL, bad id)
	CodeUnknown      Code = "unknown"      // any other status
)

// Sentinels for errors.Is: errors.Is(err, hive.ErrNotFound) is true for any *Error with that code.
var (
	ErrInvalid      = &Error{Code: CodeInvalid}
	ErrUnauthorized = &Error{Code: CodeUnauthorized}
	ErrForbidden    = &Error{Code: CodeForbidden}
	ErrNotFound     = &Error{Code: CodeNotFound}
	ErrConflict     = &Error{Code: CodeConflict}
	ErrRateLimited  = &Error{Code: CodeRateLimited}
	ErrUnavailable  = &Error{Code: CodeUnavailable}
	ErrBadResponse  = &Error{Code: CodeBadResponse}
	ErrRefused      = &Error{Code: CodeRefused}
)

// Error is every error this package returns. It never carries credentials, tokens or response bodies
// beyond the API's own message.
type Error struct {
	Code       Code          // the class, for errors.Is and status mapping
	StatusCode int           // the HTTP status Hive answered, 0 when there was no answer
	APICode    string        // Hive's own error code, if it sent one
	Message    string        // a human-readable message, Hive's when it sent one
	Field      string        // the offending request field, if Hive named one
	RequestID  string        // Hive's request id, if it sent one
	Op         string        // the operation, e.g. "GET /customers/{id}"
	RetryAfter time.Duration // how long Hive asked callers to wait (429, 503), if it said
	Err        error         // the underlying cause (network, decoding), if any
}

// Error formats the operation, status, code, field and message.
func (e *Error) Error() string {
	s := "hive"
	if e.Op != "" {
		s += ": " + e.Op
	}
	if e.StatusCode != 0 {
		s += fmt.Sprintf(": %d", e.StatusCode)
	}
	s += ": " + string(e.Code)
	if e.Field != "" {
		s += " (" + e.Field + ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.RequestID != "" {
		s += " [request " + e.RequestID + "]"
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrNotFound) and friends match on the code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.StatusCode == 0 && t.Message == "" && t.Err == nil
}

// codeForStatus classifies an HTTP status.
func codeForStatus(status int) Code {
	switch {
	case status >= 300 && status < 400:
		return CodeRefused // redirects are never followed
	case status == http.StatusBadRequest, status == http.StatusUnprocessableEntity,
		status == http.StatusRequestEntityTooLarge, status == http.StatusMethodNotAllowed:
		return CodeInvalid
	case status == http.StatusUnauthorized:
		return CodeUnauthorized
	case status == http.StatusForbidden:
		return CodeForbidden
	case status == http.StatusNotFound, status == http.StatusGone:
		return CodeNotFound
	case status == http.StatusConflict:
		return CodeConflict
	case status == http.StatusTooManyRequests:
		return CodeRateLimited
	case status >= 500:
		return CodeUnavailable
	}
	return CodeUnknown
}
