package handlers

import (
	"context"
	"log/slog"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// writeThrough applies what Hive just answered to the console's copy, so the lists show the change
// at once, to its author and on every replica. Hive has already acted, so a failure here is not
// the user's: it is logged, the page goes on, and the next sync pass mends the copy.
func (a *App) writeThrough(c echo.Context, what string, write func(ctx context.Context) error) {
	a.writeThroughCtx(c.Request().Context(), what, write, slog.String("request_id", requestIDOf(c)))
}

// writeThroughCtx is writeThrough outside a request (a shared live read).
func (a *App) writeThroughCtx(ctx context.Context, what string, write func(ctx context.Context) error, attrs ...any) {
	if err := write(ctx); err != nil {
		a.log.Warn("the console's copy of Hive was not updated; the next sync will",
			append([]any{slog.String("change", what), slog.Any("err", err)}, attrs...)...)
	}
}

// checkCompleted writes a check a live read saw complete through to the console's copy, with its
// report's summary, so the lists show its result at once rather than at the next sync.
func (a *App) checkCompleted(ctx context.Context, ch *hive.Check) {
	a.writeThroughCtx(ctx, "check.completed", func(ctx context.Context) error {
		if err := a.Read.PutCheck(ctx, ch); err != nil {
			return err
		}
		rep, err := a.live.GetReport(ctx, ch.ID)
		if err != nil {
			return err
		}
		return a.Read.PutReport(ctx, ch, rep)
	})
}

// refreshSession reads a session (and its check, once it has one) again and writes it through:
// after the SDK flow is simulated, or a session issued, the lists show its new state.
func (a *App) refreshSession(ctx context.Context, id string) error {
	s, err := a.Hive.GetSession(ctx, id)
	if err != nil {
		return err
	}
	if err := a.Read.PutSession(ctx, s); err != nil {
		return err
	}
	if s.CheckID == nil || !hive.ValidID(*s.CheckID) {
		return nil
	}
	ch, err := a.Hive.GetCheck(ctx, *s.CheckID)
	if err != nil {
		return err
	}
	return a.Read.PutCheck(ctx, ch)
}

// syncStatus is how fresh the console's copy of Hive is, for the badge on every list page.
func (a *App) syncStatus(ctx context.Context) (views.SyncStatus, error) {
	st, err := a.Read.Status(ctx)
	if err != nil {
		return views.SyncStatus{}, err
	}
	return views.SyncStatus{State: string(st.State), SyncedAt: st.SyncedAt, Error: st.Error, Read: st.Read,
		Expected: st.Expected, Now: time.Now()}, nil
}

// refreshCustomer writes a customer a detail page read from Hive to the console's copy when the copy
// holds an older version (or none): a page view costs a write only when Hive changed outside the
// console since the last sync.
func (a *App) refreshCustomer(c echo.Context, cust *hive.Customer) {
	e, ok, err := a.Read.Customer(c.Request().Context(), cust.ID)
	if err == nil && ok && !e.Deleted && e.Customer.UpdatedAt.Equal(cust.UpdatedAt.Truncate(time.Second)) {
		return
	}
	a.writeThrough(c, "customer.view", func(ctx context.Context) error { return a.Read.PutCustomer(ctx, cust) })
}

// refreshCheck writes a check the report page read from Hive to the console's copy when the copy
// shows it otherwise.
func (a *App) refreshCheck(c echo.Context, ch *hive.Check) {
	e, ok, err := a.Read.Check(c.Request().Context(), ch.ID)
	if err == nil && ok && !e.Deleted && e.Check.Status == ch.Status && deref(e.Check.Decision) == deref(ch.Decision) {
		return
	}
	a.writeThrough(c, "check.view", func(ctx context.Context) error { return a.Read.PutCheck(ctx, ch) })
}
