package handlers

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// errorPage is what the error handler shows for an error: a status, a title, a sentence for the
// user, and how long to wait before retrying (Hive rate limits and outages).
type errorPage struct {
	status     int
	title      string
	message    string
	retryAfter time.Duration
}

// classify maps every error to its page, in one place: typed Hive errors by their code, Echo's
// HTTP errors by their status, anything else as an internal error whose detail stays in the log.
func classify(err error) errorPage {
	if errors.Is(err, errAuditUnavailable) {
		// Says plainly that nothing happened, which the attempt-first order makes true.
		return errorPage{status: http.StatusServiceUnavailable, title: "The audit trail is unavailable",
			message: errAuditUnavailable.Message.(string), retryAfter: 5 * time.Second}
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		p := errorPage{status: he.Code, title: http.StatusText(he.Code), message: defaultMessage(he.Code)}
		if msg, ok := he.Message.(string); ok && he.Code < 500 && he.Internal == nil {
			p.message = msg
		}
		return p
	}
	var herr *hive.Error
	if errors.As(err, &herr) {
		return classifyHive(herr)
	}
	return errorPage{status: http.StatusInternalServerError, title: "Something went wrong", message: defaultMessage(500)}
}

func classifyHive(e *hive.Error) errorPage {
	switch e.Code {
	case hive.CodeNotFound:
		return errorPage{status: 404, title: "Not found", message: "Hive has no such record. It may have been deleted."}
	case hive.CodeInvalid:
		return errorPage{status: 400, title: "Hive refused the request", message: "Hive did not accept this request. Check the values and try again."}
	case hive.CodeConflict:
		return errorPage{status: 409, title: "Not possible right now", message: "Hive refused this because of the record's current state."}
	case hive.CodeRateLimited:
		return errorPage{status: 503, title: "Hive is busy", message: "Hive asked the console to slow down. Try again in a moment.", retryAfter: max(e.RetryAfter, 5*time.Second)}
	case hive.CodeUnavailable:
		if errors.Is(e, hive.ErrCircuitOpen) {
			// The console stopped asking after repeated failures: say so, and when it asks again.
			return errorPage{status: 503, title: "Hive is unreachable", message: "Hive failed several times in a row, so the console is giving it a moment before asking again.", retryAfter: max(e.RetryAfter, 5*time.Second)}
		}
		if e.StatusCode >= 500 {
			return errorPage{status: 502, title: "Hive is failing", message: "The Hive API answered with an error. Try again in a minute; if it persists, check Hive's status page.", retryAfter: 30 * time.Second}
		}
		return errorPage{status: 503, title: "Hive is unreachable", message: "The console could not reach the Hive API, or it did not answer in time. Try again in a minute.", retryAfter: 30 * time.Second}
	case hive.CodeBadResponse:
		// Often a one-off (a cut-off or oversized answer), but worth a look if it repeats.
		return errorPage{status: 502, title: "Hive gave an unexpected answer", message: "The Hive API sent an answer the console cannot read. Try again in a minute; if it persists, an administrator should check the console's logs."}
	case hive.CodeUnauthorized, hive.CodeForbidden:
		// Refused even after a fresh token: the console's credentials are wrong or revoked.
		return errorPage{status: 502, title: "Hive refused the console", message: "The Hive API refused the console's credentials. An administrator should check the console's Hive credentials and logs."}
	}
	return errorPage{status: 502, title: "Hive gave an unexpected answer", message: "The Hive API answered in a way the console cannot use. An administrator should check the console's logs."}
}

// retryHint says when to try again in words: "Try again in 30 seconds."
func retryHint(d time.Duration) string {
	switch s := int(d.Round(time.Second).Seconds()); {
	case s <= 1:
		return "Try again in a second."
	case s < 60:
		return fmt.Sprintf("Try again in %d seconds.", s)
	case s < 120:
		return "Try again in a minute."
	default:
		return fmt.Sprintf("Try again in %d minutes.", (s+59)/60)
	}
}

func defaultMessage(status int) string {
	switch status {
	case 400:
		return "The request could not be understood."
	case 403:
		return "Your role does not allow this. Ask an administrator if you need it."
	case 404:
		return "There is no such page. Check the address, or go back to the overview."
	case 405:
		return "This page does not accept that kind of request."
	case 413:
		return "What you sent is too large."
	case 429:
		return "Too many attempts. Wait a little and try again."
	}
	return "The console hit an unexpected problem. It has been logged; quote the request id if you report it."
}

// handleError is Echo's HTTPErrorHandler: it renders the error page with the layout, the request
// id and nothing internal. Only 5xx are logged with detail.
func (a *App) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	p := classify(err)
	if p.status >= 500 {
		a.log.LogAttrs(c.Request().Context(), slog.LevelError, "request failed",
			slog.String("route", c.Path()), slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
	}
	if p.retryAfter > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(p.retryAfter.Seconds())))
	}
	if c.Request().Header.Get("Datastar-Request") == "true" {
		// A Datastar request wants a toast, not a page: the layout's toast area shows it.
		if rerr := a.toast(c, p.status, p.title, p.message); rerr != nil {
			a.log.Error("error toast failed", slog.Any("err", rerr))
		}
		return
	}
	if _, ok := userOf(c); !ok && p.status == http.StatusNotFound && a.Staff != nil {
		// An unknown address passes no guard: a signed-in user still gets the navigation back.
		if u, ws, err := a.Staff.SignedInUser(c.Request()); err == nil {
			c.Set(keyUser, u)
			c.Set(keySession, ws)
		}
	}
	model := views.ErrorModel{Status: p.status, Title: p.title, Message: p.message, RequestID: requestIDOf(c)}
	if p.retryAfter > 0 {
		model.RetryHint = retryHint(p.retryAfter)
	}
	if rerr := render(c, p.status, views.ErrorPage(a.page(c, p.title), model)); rerr != nil {
		a.log.Error("error page failed", slog.Any("err", rerr))
		_ = c.String(p.status, p.title+" (request "+requestIDOf(c)+")")
	}
}
