package handlers

import (
	"net/http"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
	"github.com/starfederation/datastar-go/datastar"
)

// recentChecks is how many checks the overview lists.
const recentChecks = 10

func (a *App) overview(c echo.Context) error {
	snap, err := a.snapshots.get(c.Request().Context(), pageMaxAge)
	if err != nil {
		return err
	}
	m, err := a.overviewModel(c, snap)
	if err != nil {
		return err
	}
	if u, _ := userOf(c); u.Can(auth.DecideReviews) {
		queue, err := a.reviewQueue(c)
		if err != nil {
			return err
		}
		m.ShowQueue, m.QueueTotal = true, len(queue)
		m.Queue = queue[:min(len(queue), 5)]
	}
	return render(c, http.StatusOK, views.OverviewPage(a.page(c, "Overview"), m, a.hiveUnreachable(), snap.at))
}

// hiveUnreachable says whether the Hive client has stopped asking Hive after repeated failures.
func (a *App) hiveUnreachable() bool {
	return a.HiveUnreachable != nil && a.HiveUnreachable()
}

// pageMaxAge is how old the shared snapshot of Hive's lists may be for a page view: older ones are
// still shown while a refresh runs in the background.
const pageMaxAge = 10 * time.Second

// overviewModel is the counts and the most recent checks, with their reports' results and their
// review states.
func (a *App) overviewModel(c echo.Context, snap *snapshot) (views.OverviewModel, error) {
	m := views.OverviewModel{Customers: len(snap.customers.entries), Sessions: len(snap.sessions), Checks: len(snap.checks), Now: time.Now()}
	for _, ch := range snap.checks {
		if ch.Status == hive.CheckProcessing {
			m.Processing++
		}
		if len(m.Recent) < recentChecks {
			m.Recent = append(m.Recent, checkRow(ch))
		}
	}
	err := a.annotateChecks(c.Request().Context(), m.Recent)
	return m, err
}

// overviewStream keeps the overview live while checks are processing: every LiveInterval it takes
// a fresh snapshot of Hive and patches the counts and the recent checks. It ends when nothing is
// processing any more, when the page closes, or when the server shuts down — and holds no goroutine
// of its own.
func (a *App) overviewStream(c echo.Context) error {
	assets := a.assets()
	return a.liveStream(c, "overview stream", func(sse *datastar.ServerSentEventGenerator) (bool, error) {
		snap, err := a.snapshots.get(c.Request().Context(), a.liveInterval())
		if err != nil {
			return false, err // Hive may be back at the next tick; the page keeps its last state
		}
		m, err := a.overviewModel(c, snap)
		if err != nil {
			return false, err
		}
		if err := sse.PatchElementTempl(views.OverviewLive(assets, m)); err != nil {
			return true, nil // the browser went away
		}
		return m.Processing == 0, nil
	})
}

func (a *App) liveInterval() time.Duration {
	if a.LiveInterval > 0 {
		return a.LiveInterval
	}
	return 2 * time.Second
}

// checkRow is a check as tables show it. Until its report's result is filled in (fillCheckResults),
// the badge follows the decision, which Hive derives from the report's result.
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
