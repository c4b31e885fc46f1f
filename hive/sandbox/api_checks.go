package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"hash/fnv"
	"net/http"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
)

func (s *Server) createCheck(w http.ResponseWriter, r *http.Request) error {
	p, err := readParams(r, "session_id")
	if err != nil {
		return err
	}
	sessionID := p.fields["session_id"]
	if sessionID == "" {
		return invalidRequest("session_id", "session_id is required")
	}
	now := s.now()
	id := s.newID()
	err = s.store.tx(r.Context(), func(tx *sql.Tx) error {
		return insertCheck(r.Context(), tx, id, sessionID, now, now.Add(s.delay), 0)
	})
	switch {
	case errors.Is(err, errSessionNotFound):
		return invalidField("session_id", "no such session")
	case errors.Is(err, errSessionNotCompleted):
		return conflict("the session is not completed: the customer has not finished the SDK flow")
	case errors.Is(err, errSessionHasCheck):
		return conflict("the session already has a check; create a new session for a new attempt")
	case err != nil:
		return err
	}
	c, err := s.store.check(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) listChecks(w http.ResponseWriter, r *http.Request) error {
	return streamList(w, r, s.listStall, s.store.eachCheck)
}

func (s *Server) getCheck(w http.ResponseWriter, r *http.Request) error {
	c, err := s.store.check(r.Context(), r.PathValue("id"))
	if errors.Is(err, errNotFound) {
		return notFound("check")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) deleteCheck(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := s.store.deleteCheck(r.Context(), id); errors.Is(err, errNotFound) {
		return notFound("check")
	} else if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": id})
	return nil
}

func (s *Server) getReport(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	body, err := s.store.reportJSON(r.Context(), id)
	if errors.Is(err, errNotFound) {
		if _, cerr := s.store.check(r.Context(), id); errors.Is(cerr, errNotFound) {
			return notFound("check")
		}
		return notFound("report: the check is still processing")
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(append(body, '\n'))
	return err
}

// completeCheckNow is POST /sandbox/checks/{id}/complete: ends a check's processing at once.
func (s *Server) completeCheckNow(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	c, err := s.store.check(r.Context(), id)
	if errors.Is(err, errNotFound) {
		return notFound("check")
	}
	if err != nil {
		return err
	}
	if c.Status == hive.CheckProcessing {
		err := s.store.tx(r.Context(), func(tx *sql.Tx) error {
			return s.finish(r.Context(), tx, dueCheck{id: c.ID, sessionID: c.SessionID, completeAt: s.now()})
		})
		if err != nil {
			return err
		}
		if c, err = s.store.check(r.Context(), id); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// settle completes every check whose processing time is up. It runs before each authenticated
// request, so what any client reads is consistent with the clock, and the sandbox needs no
// background goroutine. The lookup is one indexed query when nothing is due.
func (s *Server) settle(ctx context.Context) error {
	now := s.now()
	due, err := dueChecks(ctx, s.store.db, now)
	if err != nil || len(due) == 0 {
		return err
	}
	s.settleMu.Lock()
	defer s.settleMu.Unlock()
	return s.store.tx(ctx, func(tx *sql.Tx) error {
		due, err := dueChecks(ctx, tx, now) // again, under the lock: another request may have won
		if err != nil {
			return err
		}
		for _, d := range due {
			if err := s.finish(ctx, tx, d); err != nil {
				return err
			}
		}
		return nil
	})
}

// finish generates a check's report from its session's evidence and records the outcome.
func (s *Server) finish(ctx context.Context, tx *sql.Tx, d dueCheck) error {
	c, err := sessionEvidence(ctx, tx, d.sessionID)
	if err != nil {
		return err
	}
	report := buildReport(d.sessionID, d.id, s.newID(), c, d.completeAt)
	return finishCheck(ctx, tx, d.id, d.sessionID, report, DecisionFor(report.Result), d.completeAt)
}

// buildReport is the report a session's evidence yields, stamped with the check's ids and times.
func buildReport(sessionID, checkID, reportID string, c completion, processed time.Time) hive.Report {
	r := c.evidence(sessionID).Report
	r.ID, r.CheckID, r.Version = reportID, checkID, 1
	r.Submitted, r.Processed, r.Generated = c.submitted, processed, processed
	return r
}

// evidenceSeed derives a session's evidence seed from its id, so the same session always yields
// the same document, report and images.
func evidenceSeed(sessionID string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(sessionID))
	return h.Sum64()
}
