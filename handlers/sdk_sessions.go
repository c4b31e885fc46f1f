package handlers

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// sdkSessions is the SDK session list: status and customer filters, sort and paging, all in the URL.
func (a *App) sdkSessions(c echo.Context) error {
	m, err := a.sessionsModel(c, parseSessionQuery(sessionSignalsFromURL(c.QueryParams())))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.SessionsPage(a.page(c, "SDK sessions"), m))
}

// sdkSessionsTable answers the list's Datastar requests (filtering, sorting, paging): it patches
// the results and keeps the address bar in step, without a reload.
func (a *App) sdkSessionsTable(c echo.Context) error {
	var s sessionSignals
	if err := readListSignals(c, &s); err != nil {
		return err
	}
	m, err := a.sessionsModel(c, parseSessionQuery(s))
	if err != nil {
		return err
	}
	return a.patchResults(c, views.SessionResults(a.assets(), m), m.URL)
}

func (a *App) sessionsModel(c echo.Context, q sessionQuery) (views.SessionsModel, error) {
	pol := pii(c)
	q.Contact = pol.clear(fromRecord)
	ctx := c.Request().Context()
	now := time.Now()
	res, err := a.Read.Sessions(ctx, q.read(now))
	if err != nil {
		return views.SessionsModel{}, err
	}
	if pages := max(1, (res.Total+q.Size-1)/q.Size); q.Page > pages {
		q.Page = pages // past the end (the list shrank, or an edited URL): show the last page
		if res, err = a.Read.Sessions(ctx, q.read(now)); err != nil {
			return views.SessionsModel{}, err
		}
	}
	total, err := a.Read.Count(ctx, readmodel.Sessions)
	if err != nil {
		return views.SessionsModel{}, err
	}
	m := views.SessionsModel{Status: q.Status, Customer: q.Customer, Size: q.Size, Sizes: sessionSizes, URL: q.url(),
		Total: total, Now: now, SearchHint: "Name, email or id"}
	if !q.Contact {
		m.SearchHint = "Name or id"
	}
	if m.Open, err = a.Read.CountOpenSessions(ctx, now); err != nil {
		return views.SessionsModel{}, err
	}
	if m.Sync, err = a.syncStatus(ctx); err != nil {
		return views.SessionsModel{}, err
	}
	sig, _ := json.Marshal(q.signals())
	m.Signals = string(sig)
	for _, s := range res.Rows {
		m.Rows = append(m.Rows, views.SessionListRow{ID: s.ID, CustomerID: s.CustomerID, CustomerName: s.FullName, Email: pol.show(fromRecord, piiEmail, s.Email),
			Status: sessionStatus(s, now), CheckID: deref(s.CheckID), Created: s.CreatedAt, Expires: s.ExpiresAt})
	}
	m.Columns = []views.SortColumn{q.column("Status", "status"), q.column("Created", "created"), q.column("Expires", "expires")}
	m.Pager = views.NewPager(res.Total, q.Size, q.Page, func(n int) string {
		p := q
		p.Page = n
		return p.url()
	})
	return m, nil
}

// sdkSession is one session: its customer, status, expiry and check, and what the user may do.
func (a *App) sdkSession(c echo.Context) error {
	s, err := a.sessionParam(c)
	if err != nil {
		return err
	}
	return a.renderSession(c, http.StatusOK, s, sessionProblem{})
}

// sessionParam loads the session the path names; a malformed id is a 404 that never reaches Hive.
func (a *App) sessionParam(c echo.Context) (*hive.Session, error) {
	id := c.Param("id")
	if !hive.ValidID(id) {
		return nil, echo.NewHTTPError(http.StatusNotFound, "There is no such SDK session.")
	}
	return a.Hive.GetSession(c.Request().Context(), id)
}

// sessionProblem is what went wrong with a form on the session page: a refusal for the whole page,
// or a message by the scenario picker with what was chosen.
type sessionProblem struct {
	page, scenarioError, scenario string
}

func (a *App) renderSession(c echo.Context, status int, s *hive.Session, prob sessionProblem) error {
	now := time.Now()
	u, _ := userOf(c)
	d := views.SessionDetail{ID: s.ID, ApplicationID: s.ApplicationID, CustomerID: s.CustomerID, CustomerName: s.FullName,
		Email: pii(c).show(fromRecord, piiEmail, s.Email), Status: sessionStatus(*s, now), CheckID: deref(s.CheckID), Created: s.CreatedAt, Updated: s.UpdatedAt,
		Expires: s.ExpiresAt, CanDelete: u.Can(auth.DeleteSessions),
		CanRunCheck: s.Status == hive.SessionCompleted && s.CheckID == nil && u.Can(auth.CreateChecks), Error: prob.page, Now: now}
	if a.Simulator != nil && u.Can(auth.IssueSessions) && d.Status == views.SessionCreated {
		f := &views.SimulateForm{Scenario: prob.scenario, Error: prob.scenarioError}
		for _, sc := range a.Simulator.Scenarios() {
			f.Scenarios = append(f.Scenarios, views.ScenarioOption{Name: sc.Name, Title: sc.Title, Description: sc.Description,
				Result: views.Status(sc.Result)})
		}
		if f.Scenario == "" && len(f.Scenarios) > 0 {
			f.Scenario = f.Scenarios[0].Name
		}
		d.Simulate = f
	}
	return render(c, status, views.SessionPage(a.page(c, "SDK session"), d))
}
