package hive

import (
	"time"
)

// Everything Hive sends is checked here, where it enters the console, so that code past the client
// can rely on it: ids have the shape ValidID checks, enums hold a value this package names, and
// timestamps are set and plausible. An object that fails is not used: a list skips it, a single
// object is a CodeBadResponse error.

// validator is an object Hive sends that can say whether the console may use it.
type validator interface {
	validate() error
}

// invalidField says which field of an object Hive sent is unusable, and why. It never holds the
// field's value: values may be personal data, or hostile text meant for a log or a page.
type invalidField struct {
	field  string // the JSON name, e.g. "session_id"
	reason string // a fixed phrase of this package
}

func (e *invalidField) Error() string { return e.field + ": " + e.reason }

// The window a timestamp from Hive must fall in. Hive began long after the first bound; the second
// keeps every year four digits wide, which formatting and JSON encoding of times require.
var (
	earliestTimestamp = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	latestTimestamp   = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

func checkValidID(field, id string) error {
	if !ValidID(id) {
		return &invalidField{field, "not a valid Hive id"}
	}
	return nil
}

// checkReference accepts nil, for a reference not set yet, or a valid id.
func checkReference(field string, id *string) error {
	if id == nil {
		return nil
	}
	return checkValidID(field, *id)
}

func checkTimestamp(field string, t time.Time) error {
	switch {
	case t.IsZero():
		return &invalidField{field, "missing"}
	case t.Before(earliestTimestamp) || !t.Before(latestTimestamp):
		return &invalidField{field, "not a plausible time"}
	}
	return nil
}

// firstError returns the first non-nil error, so each validate reads as the list of its rules.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *Customer) validate() error {
	return firstError(
		checkValidID("id", c.ID),
		checkTimestamp("created_at", c.CreatedAt),
		checkTimestamp("updated_at", c.UpdatedAt),
	)
}

// Known reports whether s is one of the session statuses Hive uses.
func (s SessionStatus) Known() bool {
	switch s {
	case SessionCreated, SessionCompleted, SessionExpired:
		return true
	}
	return false
}

func (s *Session) validate() error {
	var status error
	if !s.Status.Known() {
		status = &invalidField{"status", "not a session status"}
	}
	return firstError(
		checkValidID("id", s.ID),
		checkValidID("customer", s.CustomerID),
		status,
		checkReference("check_id", s.CheckID),
		checkTimestamp("expires_at", s.ExpiresAt),
		checkTimestamp("created_at", s.CreatedAt),
		checkTimestamp("updated_at", s.UpdatedAt),
	)
}

// Known reports whether s is one of the check statuses Hive uses.
func (s CheckStatus) Known() bool {
	return s == CheckProcessing || s == CheckComplete
}

// knownDecision reports whether d is one of the decisions Hive records on a check.
func knownDecision(d string) bool {
	switch d {
	case DecisionApproved, DecisionReview, DecisionDeclined:
		return true
	}
	return false
}

func (c *Check) validate() error {
	var status, decision error
	if !c.Status.Known() {
		status = &invalidField{"status", "not a check status"}
	}
	if c.Decision != nil && !knownDecision(*c.Decision) {
		decision = &invalidField{"decision", "not a check decision"}
	}
	return firstError(
		checkValidID("id", c.ID),
		checkValidID("session_id", c.SessionID),
		status,
		decision,
		checkReference("report", c.ReportID),
		checkTimestamp("created_at", c.CreatedAt),
		checkTimestamp("updated_at", c.UpdatedAt),
	)
}

// validate leaves the url alone: OpenFile checks it, against the files allow-list, before any use.
func (f *File) validate() error {
	return firstError(
		checkValidID("id", f.ID),
		checkReference("check", f.CheckID),
		checkTimestamp("created_at", f.CreatedAt),
	)
}
