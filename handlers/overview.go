package handlers

import (
	"net/http"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
	"golang.org/x/sync/errgroup"
)

// recentChecks is how many checks the overview lists.
const recentChecks = 10

func (a *App) overview(c echo.Context) error {
	ctx := c.Request().Context()
	var customers *hive.List[hive.Customer]
	var sessions *hive.List[hive.Session]
	var checks *hive.List[hive.Check]
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { customers, err = a.Hive.ListCustomers(gctx); return err })
	g.Go(func() (err error) { sessions, err = a.Hive.ListSessions(gctx); return err })
	g.Go(func() (err error) { checks, err = a.Hive.ListChecks(gctx); return err })
	if err := g.Wait(); err != nil {
		return err
	}
	m := views.OverviewModel{Customers: customers.Meta.Total, Sessions: sessions.Meta.Total, Checks: checks.Meta.Total, Now: time.Now()}
	for _, ch := range checks.Data {
		if ch.Status == hive.CheckProcessing {
			m.Processing++
		}
		if len(m.Recent) < recentChecks {
			m.Recent = append(m.Recent, checkRow(ch))
		}
	}
	return render(c, http.StatusOK, views.OverviewPage(a.page(c, "Overview"), m))
}

// checkRow is a check as tables show it. Until reports are fetched (the checks issue), the badge
// follows the decision, which Hive derives from the report's result.
func checkRow(ch hive.Check) views.CheckRow {
	row := views.CheckRow{ID: ch.ID, SessionID: ch.SessionID, Status: string(ch.Status), CreatedAt: ch.CreatedAt, Result: views.StatusUnknown}
	if ch.Status == hive.CheckProcessing {
		row.Result = views.StatusProcessing
		return row
	}
	if ch.Decision != nil {
		row.Decision = *ch.Decision
		switch *ch.Decision {
		case "approved":
			row.Result = views.StatusClear
		case "review":
			row.Result = views.StatusCaution
		case "declined":
			row.Result = views.StatusConsider
		}
	}
	return row
}
