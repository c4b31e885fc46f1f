package handlers

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/webhooks"
	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"
)

// APITokens are the tokens other systems read decisions with, and what they read; *webhooks.Store
// implements it.
type APITokens interface {
	CreateToken(ctx context.Context, name, scope, createdBy string) (webhooks.Token, string, error)
	Tokens(ctx context.Context) ([]webhooks.Token, error)
	RevokeToken(ctx context.Context, id, by string) (webhooks.Token, error)
	Authenticate(ctx context.Context, presented string) (webhooks.Token, error)
	DecisionsAfter(ctx context.Context, seq int64, limit int) ([]webhooks.DecisionRecord, error)
	LatestDecision(ctx context.Context, checkID string) (webhooks.DecisionRecord, error)
}

// keyToken is the context key of the API token a request presented.
const keyToken = "api_token"

// API rate limits, per token: a steady rate and the burst above it.
const (
	apiRate  = 10 // requests a second
	apiBurst = 40
)

// apiLimiters hold each token's rate limiter.
type apiLimiters struct {
	mu sync.Mutex
	m  map[string]*rate.Limiter
}

func (l *apiLimiters) allow(tokenID string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[string]*rate.Limiter{}
	}
	lim, ok := l.m[tokenID]
	if !ok {
		lim = rate.NewLimiter(apiRate, apiBurst)
		l.m[tokenID] = lim
	}
	return lim.Allow()
}

// apiError answers a read API request with JSON.
func apiError(c echo.Context, status int, message string) error {
	return c.JSON(status, map[string]string{"error": message})
}

// apiGuard lets through a request that presents a valid API token with the scope, as
// "Authorization: Bearer <token>": no cookie counts, and no CSRF token is asked (the routes only
// read). Each request is audited under the token, and each token is rate-limited.
func (a *App) apiGuard(scope string, next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if a.APITokens == nil {
			return apiError(c, http.StatusNotFound, "The read API is not set up on this console.")
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		presented, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
		if !ok {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="hive-console"`)
			return apiError(c, http.StatusUnauthorized, "Send an API token as Authorization: Bearer <token>.")
		}
		t, err := a.APITokens.Authenticate(c.Request().Context(), strings.TrimSpace(presented))
		if errors.Is(err, webhooks.ErrBadToken) {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="hive-console", error="invalid_token"`)
			return apiError(c, http.StatusUnauthorized, "The API token is unknown or revoked.")
		}
		if err != nil {
			return err
		}
		if t.Scope != scope {
			return apiError(c, http.StatusForbidden, "The API token's scope does not cover this.")
		}
		if !a.apiLimits.allow(t.ID) {
			c.Response().Header().Set("Retry-After", "1")
			return apiError(c, http.StatusTooManyRequests, "Too many requests with this token: at most 10 a second.")
		}
		c.Set(keyToken, t)
		details := map[string]any{"token": t.Name, "route": c.Path()}
		if id := c.Param("id"); id != "" {
			details["check"] = id
		}
		if q := c.QueryString(); q != "" {
			details["query"] = q
		}
		// The actor is the token, by id: "token:tok_…" (its name is in the details).
		if err := a.recordAudit(c, auth.User{ID: "token:" + t.ID}, auditEntry{Action: "api.read", Outcome: audit.OutcomeSuccess,
			TargetType: "api_token", TargetID: t.ID, Details: details}); err != nil {
			return err
		}
		return next(c)
	}
}

// apiDecisionsPage is how many decisions one page of the feed holds at most.
const apiDecisionsPage = 100

// cursor writes a position in the feed; readCursor reads it back.
func cursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("d" + strconv.FormatInt(seq, 10)))
}

func readCursor(s string) (int64, bool) {
	if s == "" {
		return 0, true
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 2 || b[0] != 'd' {
		return 0, false
	}
	n, err := strconv.ParseInt(string(b[1:]), 10, 64)
	return n, err == nil && n >= 0
}

// apiDecisions is GET /api/v1/decisions?since=<cursor>&limit=<n>: decisions oldest first after the
// cursor, and the cursor to ask from next (the same when nothing came).
func (a *App) apiDecisions(c echo.Context) error {
	since, ok := readCursor(c.QueryParam("since"))
	if !ok {
		return apiError(c, http.StatusBadRequest, "since: give a cursor from an earlier answer's next, or nothing to start at the first decision.")
	}
	limit := apiDecisionsPage
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > apiDecisionsPage {
			return apiError(c, http.StatusBadRequest, "limit: a whole number from 1 to 100.")
		}
		limit = n
	}
	list, err := a.APITokens.DecisionsAfter(c.Request().Context(), since, limit+1)
	if err != nil {
		return err
	}
	more := len(list) > limit
	if more {
		list = list[:limit]
	}
	next := since
	if len(list) > 0 {
		next = list[len(list)-1].Seq
	}
	if list == nil {
		list = []webhooks.DecisionRecord{}
	}
	return c.JSON(http.StatusOK, map[string]any{"data": list, "next": cursor(next), "has_more": more})
}

// apiCheckDecision is GET /api/v1/checks/{id}/decision: the check's newest decision.
func (a *App) apiCheckDecision(c echo.Context) error {
	d, err := a.APITokens.LatestDecision(c.Request().Context(), c.Param("id"))
	if errors.Is(err, sql.ErrNoRows) {
		return apiError(c, http.StatusNotFound, "No decision has been recorded on this check.")
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}
