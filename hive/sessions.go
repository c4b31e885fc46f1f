package hive

import (
	"context"
	"net/http"
	"net/url"
)

// SessionParams create an SDK session.
type SessionParams struct {
	CustomerID     string
	ApplicationKey string // the client's configured application key when empty
}

// CreateSession creates a session for a customer and returns the token to initialise an SDK with.
func (c *Client) CreateSession(ctx context.Context, p SessionParams) (*SessionToken, error) {
	const op = "POST /sessions"
	if err := checkID(op, "customer_id", p.CustomerID); err != nil {
		return nil, err
	}
	key := p.ApplicationKey
	if key == "" {
		key = c.applicationKey
	}
	form := url.Values{"customer_id": {p.CustomerID}, "application_key": {key}}
	var out SessionToken
	r := request{method: http.MethodPost, op: op, url: c.endpoint("sessions"), form: form}
	if err := c.call(ctx, r, c.maxObject, &out); err != nil {
		return nil, err
	}
	if out.Token == "" {
		return nil, &Error{Code: CodeBadResponse, Op: op, Message: "session created without a session_token"}
	}
	return &out, nil
}

// ListSessions returns every session, newest first, but those Hive sent unfit to use.
func (c *Client) ListSessions(ctx context.Context) (*List[Session], error) {
	return list[Session](ctx, c, "GET /sessions", "sessions")
}

// GetSession retrieves one session.
func (c *Client) GetSession(ctx context.Context, id string) (*Session, error) {
	const op = "GET /sessions/{id}"
	if err := checkID(op, "id", id); err != nil {
		return nil, err
	}
	return object[Session](ctx, c, request{method: http.MethodGet, op: op, url: c.endpoint("sessions", id)})
}

// DeleteSession permanently deletes a session.
func (c *Client) DeleteSession(ctx context.Context, id string) error {
	const op = "DELETE /sessions/{id}"
	if err := checkID(op, "id", id); err != nil {
		return err
	}
	return c.call(ctx, request{method: http.MethodDelete, op: op, url: c.endpoint("sessions", id)}, c.maxObject, nil)
}
