package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/notes"
	"github.com/hiveconsole/hiveconsole/review"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
	"github.com/starfederation/datastar-go/datastar"
)

// caseState is what others can change on a completed check while someone looks at it: its newest
// decision, who holds it, its newest note. Its version travels to the page and back in a signal.
type caseState struct {
	review review.Review // zero when none
	claim  review.Claim  // zero when nobody holds the check
	note   int64         // the newest note's id, 0 when none
}

func (s caseState) version() string {
	claim := "-"
	if s.claim.UserID != "" {
		claim = fmt.Sprintf("%s:%d:%t", s.claim.UserID, s.claim.ClaimedAt.Unix(), s.claim.Assigned())
	}
	return fmt.Sprintf("r%d.c%s.n%d", s.review.ID, claim, s.note)
}

func (a *App) caseState(ctx context.Context, checkID string) (caseState, error) {
	var s caseState
	if a.Reviews == nil {
		return s, nil
	}
	latest, err := a.Reviews.LatestOf(ctx, []string{checkID})
	if err != nil {
		return s, err
	}
	s.review = latest[checkID]
	if s.claim, _, err = a.Reviews.ClaimOf(ctx, checkID); err != nil {
		return s, err
	}
	if a.Notes != nil {
		if s.note, err = a.Notes.Latest(ctx, notes.OnCheck, checkID); err != nil {
			return s, err
		}
	}
	return s, nil
}

// changedSince says in words what changed between a version the page had and the state now.
func (s caseState) changedSince(old string) string {
	parts := strings.SplitN(old, ".", 3)
	if len(parts) != 3 {
		parts = []string{"", "", ""}
	}
	now := strings.SplitN(s.version(), ".", 3)
	var said []string
	if parts[0] != now[0] && s.review.ID != 0 {
		said = append(said, s.review.ReviewerEmail+" recorded a decision: "+strings.ToLower(views.ReviewStateLabel(s.review.State()))+".")
	}
	if parts[1] != now[1] {
		if s.claim.UserID == "" {
			said = append(said, "Nobody holds the check now.")
		} else {
			said = append(said, s.claim.Email+" holds the check now.")
		}
	}
	if parts[2] != now[2] && s.note != 0 {
		said = append(said, "There is a new note.")
	}
	return strings.Join(said, " ")
}

// caseStream keeps a completed check's page in step with what others do to it: when a colleague
// decides, claims, releases or writes a note, it replaces the review state, the decisions, the claim
// panel and the notes, and says what changed, leaving alone whatever the viewer is typing. It ends
// with the page, or with the viewer's session (see liveStream). Watching is not activity: an open
// page does not keep its viewer's claim.
func (a *App) caseStream(c echo.Context) error {
	id := c.Param("id")
	if !hive.ValidID(id) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such check.")
	}
	var sig struct {
		Case struct {
			Version string `json:"version"`
		} `json:"case"`
	}
	if err := readListSignals(c, &sig); err != nil {
		return err
	}
	known := sig.Case.Version
	return a.liveStream(c, "case stream", func(sse *datastar.ServerSentEventGenerator) (bool, error) {
		ctx := c.Request().Context()
		st, err := a.caseState(ctx, id)
		if err != nil || st.version() == known {
			return false, err
		}
		panel, err := a.reviewPanelOf(c, id, views.ReviewForm{}, false)
		if err != nil {
			return false, err
		}
		nm, err := a.notesModel(c, notes.OnCheck, id, views.NotesModel{})
		if err != nil {
			return false, err
		}
		p := a.fragment(c)
		if err := sse.PatchElementTempl(views.CaseNotice(p.Assets, st.changedSince(known))); err != nil {
			return true, nil // the browser went away
		}
		_ = sse.PatchElementTempl(views.ReviewStateBadge(panel.State))
		_ = sse.PatchElementTempl(views.ReviewHistory(panel.History))
		_ = sse.PatchElementTempl(views.ClaimPanel(p, id, panel.Claim))
		_ = sse.PatchElementTempl(views.NotesList(nm))
		known = st.version()
		sig, _ := json.Marshal(map[string]any{"case": map[string]string{"version": known}})
		_ = sse.PatchSignals(sig)
		return false, nil
	})
}
