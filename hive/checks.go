package hive

import (
	"context"
	"net/http"
	"net/url"
)

// CreateCheck starts a check on a completed session. The check starts processing; poll GetCheck
// until its status is complete, then fetch its report.
func (c *Client) CreateCheck(ctx context.Context, sessionID string) (*Check, error) {
	const op = "POST /checks"
	if err := checkID(op, "session_id", sessionID); err != nil {
		return nil, err
	}
	return object[Check](ctx, c, request{method: http.MethodPost, op: op, url: c.endpoint("checks"), form: url.Values{"session_id": {sessionID}}})
}

// ListChecks returns every check, newest first, but those Hive sent unfit to use.
func (c *Client) ListChecks(ctx context.Context) (*List[Check], error) {
	return list[Check](ctx, c, "GET /checks", "checks")
}

// GetCheck retrieves one check.
func (c *Client) GetCheck(ctx context.Context, id string) (*Check, error) {
	const op = "GET /checks/{id}"
	if err := checkID(op, "id", id); err != nil {
		return nil, err
	}
	return object[Check](ctx, c, request{method: http.MethodGet, op: op, url: c.endpoint("checks", id)})
}

// DeleteCheck permanently deletes a check and its report.
func (c *Client) DeleteCheck(ctx context.Context, id string) error {
	const op = "DELETE /checks/{id}"
	if err := checkID(op, "id", id); err != nil {
		return err
	}
	return c.call(ctx, request{method: http.MethodDelete, op: op, url: c.endpoint("checks", id)}, c.maxObject, nil)
}

// GetReport retrieves the report of a check. A check still processing has none: ErrNotFound.
func (c *Client) GetReport(ctx context.Context, id string) (*Report, error) {
	const op = "GET /checks/{id}/report"
	if err := checkID(op, "id", id); err != nil {
		return nil, err
	}
	var out Report
	r := request{method: http.MethodGet, op: op, url: c.endpoint("checks", id, "report")}
	if err := c.call(ctx, r, c.maxObject, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
