package handlers

import "github.com/labstack/echo/v4"

// The outcomes an audit row records.
const (
	outcomeSuccess = "success"
	outcomeFailure = "failure"
	outcomeDenied  = "denied"
)

// auditEntry is what a handler says happened; audit adds who, from where and which request.
type auditEntry struct {
	Action, TargetType, TargetID, Outcome string
	Details                               map[string]any
}

// audit records e. Interim: the audit store lands next.
func (a *App) audit(c echo.Context, e auditEntry) error { return nil }
