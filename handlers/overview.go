package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/readmodel"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
	"github.com/starfederation/datastar-go/datastar"
)

// recentChecks is how many checks the overview lists.
const recentChecks = 10

func (a *App) overview(c echo.Context) error {
	m, err := a.overviewModel(c)
	if err != nil {
		return err
	}
	if err := a.queueCard(c, &m); err != nil {
		return err
	}
	return render(c, http.StatusOK, views.OverviewPage(a.page(c, "Overview"), m, a.hiveUnreachable(), m.Sync.SyncedAt))
}

// queueCard fills the overview's review queue, for those who decide: its top, its size, how many the
// user holds, how many are late and how long the oldest has waited.
func (a *App) queueCard(c echo.Context, m *views.OverviewModel) error {
	u, _ := userOf(c)
	if !u.Can(auth.DecideReviews) || a.Reviews == nil {
		return nil
	}
	queue, total, err := a.reviewQueue(c, 5)
	if err != nil {
		return err
	}
	m.ShowQueue, m.QueueTotal, m.Queue = true, total, queue
	mine, err := a.Read.Checks(c.Request().Context(), readmodel.CheckQuery{Queue: true, Rule: a.Queue, Holder: u.Email,
		HeldSince: a.Reviews.HeldSince()})
	if err != nil {
		return err
	}
	m.Mine = mine.Total
	times, err := a.Read.QueueTimes(c.Request().Context(), a.Queue, a.ServiceTimes, m.Now)
	if err != nil {
		return err
	}
	m.Overdue, m.Oldest = times.Overdue, times.Oldest
	parts := []string{strconv.Itoa(total), strconv.Itoa(m.Mine), strconv.Itoa(m.Overdue)}
	for _, r := range queue {
		parts = append(parts, r.ID, r.Holder, r.ReviewState)
	}
	m.QueueKey = liveKey(parts)
	return nil
}

// hiveUnreachable says whether the Hive client has stopped asking Hive after repeated failures.
func (a *App) hiveUnreachable() bool {
	return a.HiveUnreachable != nil && a.HiveUnreachable()
}

// overviewModel is the counts and the most recent checks, with their reports' results and their
// review states, from the console's copy of Hive.
func (a *App) overviewModel(c echo.Context) (views.OverviewModel, error) {
	ctx := c.Request().Context()
	m := views.OverviewModel{Now: time.Now()}
	var err error
	for _, n := range []struct {
		kind readmodel.Kind
		dst  *int
	}{{readmodel.Customers, &m.Customers}, {readmodel.Sessions, &m.Sessions}, {readmodel.Checks, &m.Checks}} {
		if *n.dst, err = a.Read.Count(ctx, n.kind); err != nil {
			return m, err
		}
	}
	processing, err := a.Read.Checks(ctx, readmodel.CheckQuery{Status: string(hive.CheckProcessing), Limit: 1})
	if err != nil {
		return m, err
	}
	m.Processing = processing.Total
	recent, err := a.Read.Checks(ctx, readmodel.CheckQuery{Sort: "created", Desc: true, Limit: recentChecks})
	if err != nil {
		return m, err
	}
	for _, e := range recent.Rows {
		m.Recent = append(m.Recent, checkRow(e))
	}
	if err := a.markReviews(ctx, m.Recent); err != nil {
		return m, err
	}
	m.Sync, err = a.syncStatus(ctx)
	return m, err
}

// overviewStream keeps the overview live while checks are processing: every LiveInterval it reads
// the processing checks it shows from Hive (shared with every other viewer, and written through to
// the console's copy), then patches the counts and the recent checks. It ends when nothing is
// processing any more, when the page closes, or when the server shuts down — and holds no
// goroutine of its own.
func (a *App) overviewStream(c echo.Context) error {
	assets := a.assets()
	var shownQueue string // the queue card as the page or the last patch showed it
	if first, err := a.overviewModel(c); err == nil && a.queueCard(c, &first) == nil {
		shownQueue = first.QueueKey
	}
	return a.liveStream(c, "overview stream", func(sse *datastar.ServerSentEventGenerator) (bool, error) {
		m, err := a.overviewModel(c)
		if err != nil {
			return false, err
		}
		// Others' claims and decisions change the queue card.
		if err := a.queueCard(c, &m); err != nil {
			return false, err
		}
		if m.ShowQueue && m.QueueKey != shownQueue {
			if err := sse.PatchElementTempl(views.ReviewQueueCard(a.fragment(c), m)); err != nil {
				return true, nil
			}
			shownQueue = m.QueueKey
		}
		for _, r := range m.Recent {
			if r.Status == string(hive.CheckProcessing) {
				_, _ = a.live.GetCheck(c.Request().Context(), r.ID) // Hive may be back at the next tick
			}
		}
		if m, err = a.overviewModel(c); err != nil {
			return false, err
		}
		if err := sse.PatchElementTempl(views.OverviewLive(assets, m)); err != nil {
			return true, nil // the browser went away
		}
		return m.Processing == 0 && !m.ShowQueue, nil
	})
}

func (a *App) liveInterval() time.Duration {
	if a.LiveInterval > 0 {
		return a.LiveInterval
	}
	return 2 * time.Second
}

// checkRow is a check of the console's copy as tables show it: processing, the report's result, or
// unknown while its report has not been read. The console's review state is added by markReviews.
func checkRow(e readmodel.CheckEntry) views.CheckRow {
	row := views.CheckRow{ID: e.Check.ID, SessionID: e.Check.SessionID, Status: string(e.Check.Status),
		Decision: deref(e.Check.Decision), CreatedAt: e.Check.CreatedAt, Result: viewStatus(hive.Status(e.Result))}
	if e.Result == "processing" {
		row.Result = views.StatusProcessing
	}
	return row
}
