package handlers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/webhooks"
	"github.com/labstack/echo/v4"
)

// scopedTokens is a token store whose one token reads decisions.
type scopedTokens struct{ APITokens }

func (scopedTokens) Authenticate(context.Context, string) (webhooks.Token, error) {
	return webhooks.Token{ID: "tok_1", Name: "reader", Scope: webhooks.ScopeDecisions}, nil
}

// recorded is an auditor that keeps the rows.
type recorded struct {
	Auditor
	rows []audit.Event
}

func (r *recorded) Record(_ context.Context, e audit.Event) error {
	r.rows = append(r.rows, e)
	return nil
}

// TestAPIScope: a valid token whose scope does not cover the route gets 403 and reaches nothing;
// with the scope, the request is audited under the token and goes through.
func TestAPIScope(t *testing.T) {
	trail := &recorded{}
	a := &App{Config: Config{APITokens: scopedTokens{}, Audit: trail}}
	reached := false
	next := func(echo.Context) error { reached = true; return nil }
	call := func(scope string) int {
		e := echo.New()
		req := httptest.NewRequest(http.MethodGet, "/api/v1/x", nil)
		req.Header.Set("Authorization", "Bearer hcapi_x")
		rec := httptest.NewRecorder()
		if err := a.apiGuard(scope, next)(e.NewContext(req, rec)); err != nil {
			t.Fatal(err)
		}
		return rec.Code
	}
	if code := call("customers.read"); code != http.StatusForbidden || reached || len(trail.rows) != 0 {
		t.Errorf("another scope: %d, reached %v, %d rows", code, reached, len(trail.rows))
	}
	if call(webhooks.ScopeDecisions); !reached || len(trail.rows) != 1 || trail.rows[0].ActorID != "token:tok_1" {
		t.Errorf("its scope: reached %v, rows %+v", reached, trail.rows)
	}
}
