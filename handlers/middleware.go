package handlers

import (
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// Context keys the middleware leaves for handlers.
const (
	keyRequestID = "request_id"
	keyNonce     = "csp_nonce"
)

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// requestID gives every request an id of ours — never the client's, which could be forged into logs
// — shown in error pages and logs and sent back in X-Request-Id.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := randomString(12)
		c.Set(keyRequestID, id)
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

// securityHeaders sets the headers every response carries: a CSP with a per-request
// nonce (Datastar needs 'unsafe-eval' and nothing inline), no sniffing, no framing, a strict
// referrer policy and cross-origin isolation of the window.
func (a *App) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		nonce := randomString(16)
		c.Set(keyNonce, nonce)
		h := c.Response().Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy(nonce))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if a.https {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if !strings.HasPrefix(c.Request().URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store") // pages carry PII and per-session tokens
		}
		return next(c)
	}
}

// accessLog writes one structured line per request: route pattern (never the raw path, which
// carries ids), status, duration, request id. No query strings, bodies, cookies or addresses of
// customers ever reach the log.
func (a *App) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err) // let the error handler write the response, so the status is final
		}
		status := c.Response().Status
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		d := time.Since(start)
		a.metrics.observeRequest(route, c.Request().Method, status, d)
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		a.log.LogAttrs(c.Request().Context(), level, "request",
			slog.String("method", c.Request().Method), slog.String("route", route), slog.Int("status", status),
			slog.Duration("duration", d), slog.String("request_id", requestIDOf(c)))
		return nil
	}
}

// ContentSecurityPolicy is the console's CSP for a response with this nonce: scripts only from the
// console itself or carrying the nonce ('unsafe-eval' because Datastar evaluates expressions),
// styles only from the stylesheet, no plugins, no framing. The browser suite runs under it too.
func ContentSecurityPolicy(nonce string) string {
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self' 'nonce-" + nonce + "' 'unsafe-eval'",
		"style-src 'self'",
		"img-src 'self' data: blob:",
		"font-src 'self'",
		"connect-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")
}

func requestIDOf(c echo.Context) string {
	id, _ := c.Get(keyRequestID).(string)
	return id
}

func nonceOf(c echo.Context) string {
	n, _ := c.Get(keyNonce).(string)
	return n
}

// crossOrigin refuses unsafe requests that a browser marks as cross-origin (Sec-Fetch-Site, Origin),
// with Go's http.CrossOriginProtection; the per-session token check runs after sign-in.
func (a *App) crossOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := a.cop.Check(c.Request()); err != nil {
			return echo.NewHTTPError(http.StatusForbidden, "This request came from another site and was refused.")
		}
		return next(c)
	}
}
