package sandbox

import (
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
	id := r.PathValue("id")
	now := s.now()
	sess, err := s.store.session(r.Context(), id, s.sessionIDs(), now)
	if errors.Is(err, errNotFound) {
		return notFound("session")
	}
	if err != nil {
		return err
	}
	if sess.Status != hive.SessionCreated {
		return conflict("the session is %s; only a created session can be completed", sess.Status)
	}
	cust, err := s.store.customer(r.Context(), sess.CustomerID)
	if err != nil {
		return err
	}
	person := personOf(cust)
	c := completion{scenario: sc, person: person, submitted: now}
	for _, kind := range evidenceFileTypes(evidenceSeed(id), person, sc, now) {
		c.files = append(c.files, newFile{id: s.newID(), kind: kind})
	}
	if err := s.store.tx(r.Context(), func(tx *sql.Tx) error { return completeSession(r.Context(), tx, id, c) }); err != nil {
		return err
	}
	if sess, err = s.store.session(r.Context(), id, s.sessionIDs(), now); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sess)
	return nil
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
