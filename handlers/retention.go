package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/hiveconsole/hiveconsole/internal/masked"
	"github.com/hiveconsole/hiveconsole/retention"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// Planner works out what a retention policy would delete, and lists the runs that applied it;
// *retention.Planner implements it.
type Planner interface {
	Plan(ctx context.Context, p retention.Policy, now time.Time, limit int) (retention.Plan, error)
	Runs(ctx context.Context, limit int) ([]retention.Run, error)
}

// retentionRuns is how many of the newest runs the page lists.
const retentionRuns = 10

// retentionRows is how many customers of each rule the page lists.
const retentionRows = 20

// retentionPlan shows admins what HIVECONSOLE_RETENTION would delete now, masked, changing nothing.
func (a *App) retentionPlan(c echo.Context) error {
	m := views.RetentionModel{Policy: a.Retention.String(), Off: a.Retention.Off(), Every: a.RetentionEvery}
	if a.Planner != nil {
		runs, err := a.Planner.Runs(c.Request().Context(), retentionRuns)
		if err != nil {
			return err
		}
		for _, r := range runs {
			m.Runs = append(m.Runs, views.RetentionRun{ID: r.ID, Policy: r.Policy, StartedBy: r.StartedBy, Started: r.Started,
				Finished: r.Finished, Planned: r.Planned, Deleted: r.Deleted, Held: r.Held, Changed: r.Changed, Failed: r.Failed})
		}
	}
	if a.Planner != nil && !m.Off {
		plan, err := a.Planner.Plan(c.Request().Context(), a.Retention, time.Now().UTC(), retentionRows)
		if err != nil {
			return err
		}
		m.At, m.Decided, m.Incomplete, m.Held = plan.At, plan.Decided, plan.Incomplete, plan.Held
		m.DecidedDays, m.IncompleteDays = int(a.Retention.Decided/(24*time.Hour)), int(a.Retention.Incomplete/(24*time.Hour))
		for _, cand := range plan.First {
			m.Rows = append(m.Rows, views.RetentionRow{Rule: cand.Rule, CustomerID: cand.CustomerID, Name: retention.Initials(cand.Name),
				Email: masked.Email(cand.Email), Created: cand.Created, Settled: cand.Settled})
		}
	}
	return render(c, http.StatusOK, views.RetentionPage(a.page(c, "Retention"), m))
}
