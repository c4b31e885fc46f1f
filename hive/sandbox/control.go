package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"net/http"

	"github.com/hiveconsole/hiveconsole/hive"
)

// listScenarios is GET /sandbox/scenarios: the outcomes a session can be completed with.
func (s *Server) listScenarios(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{"data": scenarioList()})
	return nil
}

// completeSessionNow is POST /sandbox/sessions/{id}/complete [-d scenario=…]: it does what the SDK
// does when the customer finishes — uploads a selfie and the document images — with the outcome the
// scenario dictates (default "clear"). The session must be in status created.
func (s *Server) completeSessionNow(w http.ResponseWriter, r *http.Request) error {
	p, err := readParams(r, "scenario")
	if err != nil {
		return err
	}
	sc := ScenarioClear
	if v := p.fields["scenario"]; v != "" {
		if sc, err = ParseScenario(v); err != nil {
			return invalidField("scenario", "%s", err.Error())
		}
	}
	sess, err := s.CompleteSession(r.Context(), r.PathValue("id"), sc)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sess)
	return nil
}

// Errors of CompleteSession, for callers in the same process (the console's sandbox mode).
var (
	ErrNoSuchSession         = notFound("session")
	ErrSessionNotCompletable = conflict("only a created session can be completed")
)

// CompleteSession completes a created session as the SDK would, with the scenario's outcome, and
// returns the session. It is the in-process form of POST /sandbox/sessions/{id}/complete.
func (s *Server) CompleteSession(ctx context.Context, id string, sc Scenario) (hive.Session, error) {
	now := s.now()
	sess, err := s.store.session(ctx, id, s.sessionIDs(), now)
	if errors.Is(err, errNotFound) {
		return sess, notFound("session")
	}
	if err != nil {
		return sess, err
	}
	if sess.Status != hive.SessionCreated {
		return sess, conflict("the session is %s; only a created session can be completed", sess.Status)
	}
	cust, err := s.store.customer(ctx, sess.CustomerID)
	if err != nil {
		return sess, err
	}
	person := personOf(cust)
	c := completion{scenario: sc, person: person, submitted: now}
	for _, kind := range evidenceFileTypes(evidenceSeed(id), person, sc, now) {
		c.files = append(c.files, newFile{id: s.newID(), kind: kind})
	}
	if err := s.store.tx(ctx, func(tx *sql.Tx) error { return completeSession(ctx, tx, id, c) }); err != nil {
		return sess, err
	}
	return s.store.session(ctx, id, s.sessionIDs(), now)
}

// personOf is the customer as the SDK sees them.
func personOf(c hive.Customer) Person {
	val := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	return Person{
		FirstName: val(c.FirstName), MiddleName: val(c.MiddleName), LastName: val(c.LastName),
		Gender: val(c.Gender), DOB: val(c.DOB), Email: c.Email, Phone: val(c.Phone),
		Nationality: c.Metadata["nationality"],
	}
}
