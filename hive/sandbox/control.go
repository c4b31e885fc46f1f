package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strings"

	"github.com/hiveconsole/hiveconsole/hive"
)

// scenarioView is a scenario as GET /sandbox/scenarios lists it.
type scenarioView struct {
	Name        string      `json:"name"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Result      hive.Status `json:"result"`
	Decision    string      `json:"decision"`
}

func scenarioList() []scenarioView {
	var out []scenarioView
	for _, s := range Scenarios() {
		out = append(out, scenarioView{Name: string(s.Scenario), Title: s.Title, Description: s.Description, Result: s.Result, Decision: s.Decision()})
	}
	return out
}

// parameterView is a parameter of POST /sandbox/sessions/{id}/complete as GET /sandbox/scenarios
// lists it.
type parameterView struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// completeParameters are the parameters POST /sandbox/sessions/{id}/complete takes, all optional.
var completeParameters = []parameterView{
	{"scenario", "The outcome to play, by name (see data); clear when absent."},
	{"same_document_as", "A customer id: upload the document and face of that customer's latest completed session " +
		"instead of new ones, as the same person showing the same document again. Cannot be combined with " +
		"expired_document, mrz_checksum or tampered_document; the document's own flaws come with it."},
	{"same_device_as", "A customer id: the report's devices (device hashes, IP addresses, browsers) are those of that " +
		"customer's latest completed session. Cannot be combined with vpn_tor; a VPN the devices used comes with them."},
}

// listScenarios is GET /sandbox/scenarios: the outcomes a session can be completed with (data), and
// the parameters of the endpoint that completes one (parameters).
func (s *Server) listScenarios(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{"data": scenarioList(), "parameters": completeParameters})
	return nil
}

// completeSessionNow is POST /sandbox/sessions/{id}/complete [-d scenario=…] [-d same_document_as=…]
// [-d same_device_as=…]: it does what the SDK does when the customer finishes — uploads a selfie and
// the document images — with the outcome the scenario dictates (default "clear"), reusing another
// customer's document or devices when asked. The session must be in status created.
func (s *Server) completeSessionNow(w http.ResponseWriter, r *http.Request) error {
	p, err := readParams(r, "scenario", "same_document_as", "same_device_as")
	if err != nil {
		return err
	}
	sc := ScenarioClear
	if v := p.fields["scenario"]; v != "" {
		if sc, err = ParseScenario(v); err != nil {
			return invalidField("scenario", "%s", err.Error())
		}
	}
	opts := CompleteOptions{
		SameDocumentAs: strings.TrimSpace(p.fields["same_document_as"]),
		SameDeviceAs:   strings.TrimSpace(p.fields["same_device_as"]),
	}
	sess, err := s.CompleteSessionWith(r.Context(), r.PathValue("id"), sc, opts)
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

// CompleteOptions make a completion reuse another customer's evidence, as one person behind several
// customer records would: the console finds such customers by what their checks share. Each names a
// customer by id, "" for none, and takes from that customer's most recently completed session.
type CompleteOptions struct {
	// SameDocumentAs: the document and the face on it. The report's document properties (kind,
	// issuing country, number, personal number, names, dates, nationality, zone) and the document
	// images are the other check's; the selfie shows the same face. The scenario still decides the
	// selfie's capture, the devices and the grades, except that it may not be one that changes the
	// document (expired_document, mrz_checksum, tampered_document): the document is shown as it is,
	// and the flags of the scenario that shaped it come with it.
	SameDocumentAs string
	// SameDeviceAs: the report's customer section, both devices with their hashes, IP addresses,
	// locations and scores. The scenario may not be vpn_tor; the other check's VPN flags come with
	// its devices.
	SameDeviceAs string
}

// CompleteSession completes a created session as the SDK would, with the scenario's outcome, and
// returns the session. It is the in-process form of POST /sandbox/sessions/{id}/complete.
func (s *Server) CompleteSession(ctx context.Context, id string, sc Scenario) (hive.Session, error) {
	return s.CompleteSessionWith(ctx, id, sc, CompleteOptions{})
}

// CompleteSessionWith is CompleteSession reusing what opts names. Besides CompleteSession's errors,
// it returns an invalid_field *APIError naming the option (same_document_as or same_device_as) when
// it is not a customer id, names no customer, or a customer without a completed session, and naming
// scenario when the scenario changes what the option reuses.
func (s *Server) CompleteSessionWith(ctx context.Context, id string, sc Scenario, opts CompleteOptions) (hive.Session, error) {
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
	reused, err := s.reuseFor(ctx, sc, opts)
	if err != nil {
		return sess, err
	}
	cust, err := s.store.customer(ctx, sess.CustomerID)
	if err != nil {
		return sess, err
	}
	c := completion{scenario: sc, person: personOf(cust), submitted: now, reuse: reused}
	for _, kind := range c.evidence(id).Files() {
		c.files = append(c.files, newFile{id: s.newID(), kind: kind})
	}
	if err := s.store.tx(ctx, func(tx *sql.Tx) error { return completeSession(ctx, tx, id, c) }); err != nil {
		return sess, err
	}
	return s.store.session(ctx, id, s.sessionIDs(), now)
}

// reuseFor checks opts against the scenario and copies what they name.
func (s *Server) reuseFor(ctx context.Context, sc Scenario, opts CompleteOptions) (reuse, error) {
	var r reuse
	if opts.SameDocumentAs != "" {
		if story := storyIn(sc, documentStories); story != "" {
			return r, invalidField("scenario",
				"%s changes the document, but same_document_as shows another customer's document as it is", story)
		}
		ev, lent, err := s.lender(ctx, "same_document_as", "a document", opts.SameDocumentAs)
		if err != nil {
			return r, err
		}
		r.Document = lendDocument(ev, lent)
	}
	if opts.SameDeviceAs != "" {
		if story := storyIn(sc, deviceStories); story != "" {
			return r, invalidField("scenario",
				"%s changes the devices' connection, but same_device_as reuses another customer's devices as they are", story)
		}
		ev, lent, err := s.lender(ctx, "same_device_as", "devices", opts.SameDeviceAs)
		if err != nil {
			return r, err
		}
		r.Devices = lendDevices(ev, lent)
	}
	return r, nil
}

// lender is the evidence of the customer's latest completed session, and what that evidence itself
// reused. The errors name field, the option that asked, and say what part it wanted. An unknown
// customer is invalid_field, as an unknown customer_id is in POST /sessions: a 404 would read as
// "no such session".
func (s *Server) lender(ctx context.Context, field, what, customerID string) (Evidence, reuse, error) {
	if !hive.ValidID(customerID) {
		return Evidence{}, reuse{}, invalidField(field, "%s must be a customer id", field)
	}
	if _, err := s.store.customer(ctx, customerID); errors.Is(err, errNotFound) {
		return Evidence{}, reuse{}, invalidField(field, "no such customer")
	} else if err != nil {
		return Evidence{}, reuse{}, err
	}
	sessionID, err := latestCompletedSession(ctx, s.store.db, customerID)
	if errors.Is(err, errNotFound) {
		return Evidence{}, reuse{}, invalidField(field, "the customer has no completed session to take %s from", what)
	}
	if err != nil {
		return Evidence{}, reuse{}, err
	}
	c, err := sessionEvidence(ctx, s.store.db, sessionID)
	if err != nil {
		return Evidence{}, reuse{}, err
	}
	return c.evidence(sessionID), c.reuse, nil
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
