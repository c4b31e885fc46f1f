package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/review"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// heldMessage says who holds a check, for a refusal.
func heldMessage(h *review.HeldError) string {
	how := "claimed it"
	if h.Claim.Assigned() {
		how = "was assigned it by " + h.Claim.AssignedBy
	}
	return fmt.Sprintf("%s holds this check (%s at %s): ask them, or an admin, to release it.",
		h.Claim.Email, how, h.Claim.ClaimedAt.UTC().Format("15:04 UTC"))
}

// waitingCheck reads the check in the path and refuses one that does not wait for a decision: only
// those are claimed.
func (a *App) waitingCheck(c echo.Context) (*hive.Check, error) {
	id := c.Param("id")
	if !hive.ValidID(id) {
		return nil, echo.NewHTTPError(http.StatusNotFound, "There is no such check.")
	}
	ch, err := a.Hive.GetCheck(c.Request().Context(), id)
	if err != nil {
		return nil, err
	}
	if ch.Status != hive.CheckComplete {
		return nil, echo.NewHTTPError(http.StatusConflict, "The check is still processing: it can be claimed once its report is ready.")
	}
	return ch, nil
}

// claimCheck takes the check in the path for the signed-in reviewer; a check someone else holds is
// refused with 409 and their name, on the check's page.
func (a *App) claimCheck(c echo.Context) error {
	ch, err := a.waitingCheck(c)
	if err != nil {
		return err
	}
	u, _ := userOf(c)
	err = a.mutate(c, auditEntry{Action: "review.claim", TargetType: "check", TargetID: ch.ID}, func() error {
		_, err := a.Reviews.Claim(c.Request().Context(), ch.ID, u)
		return err
	})
	if held := (*review.HeldError)(nil); errors.As(err, &held) {
		return a.refuseClaim(c, ch, heldMessage(held))
	}
	if err != nil {
		return err
	}
	a.Read.Forget() // the queue's counts by holder
	a.flash(c, "success", "You hold this check now: others see that you work on it.")
	return redirect(c, "/checks/"+ch.ID)
}

// releaseCheck gives the check in the path back to the queue: its holder may, and so may whoever
// assigns checks.
func (a *App) releaseCheck(c echo.Context) error {
	ch, err := a.waitingCheck(c)
	if err != nil {
		return err
	}
	u, _ := userOf(c)
	var released review.Claim
	err = a.mutate(c, auditEntry{Action: "review.release", TargetType: "check", TargetID: ch.ID}, func() (err error) {
		released, err = a.Reviews.Release(c.Request().Context(), ch.ID, u.ID, u.Can(auth.AssignReviews))
		return err
	})
	switch held := (*review.HeldError)(nil); {
	case errors.As(err, &held):
		return a.refuseClaim(c, ch, heldMessage(held))
	case errors.Is(err, review.ErrNotHeld):
		a.flash(c, "success", "Nobody holds this check any more.")
		return redirect(c, "/checks/"+ch.ID)
	case err != nil:
		return err
	}
	a.Read.Forget()
	msg := "Released: the check is back in the queue for anyone."
	if released.UserID != u.ID {
		msg = "Taken back from " + released.Email + ": the check is back in the queue for anyone."
	}
	a.flash(c, "success", msg)
	return redirect(c, "/checks/"+ch.ID)
}

// assignCheck gives the check in the path to the staff member whose email is the form's user, or
// takes it back from whoever holds it when user is empty.
func (a *App) assignCheck(c echo.Context) error {
	ch, err := a.waitingCheck(c)
	if err != nil {
		return err
	}
	email := strings.ToLower(strings.TrimSpace(c.FormValue("user")))
	if email == "" {
		return a.releaseCheck(c)
	}
	to, msg, err := a.assignee(c.Request().Context(), email)
	if err != nil {
		return err
	}
	if msg != "" {
		return a.refuseClaim(c, ch, msg)
	}
	if err := a.assign(c, ch.ID, to); err != nil {
		return err
	}
	a.Read.Forget()
	a.flash(c, "success", "Assigned to "+to.Email+".")
	return redirect(c, "/checks/"+ch.ID)
}

// assignChecks gives several checks from the queue to one staff member (or takes them back when the
// form's user is empty) and returns to the list the form came from.
func (a *App) assignChecks(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	ids := slices.Compact(slices.Sorted(slices.Values(form["check"])))
	back := "/checks?queue=review"
	if next := form.Get("next"); strings.HasPrefix(next, "/checks?") || next == "/checks" {
		back = next
	}
	switch {
	case len(ids) == 0:
		a.flash(c, "error", "Choose the checks to assign first: tick them in the list.")
		return redirect(c, back)
	case len(ids) > 100:
		return echo.NewHTTPError(http.StatusBadRequest, "Assign at most 100 checks at once.")
	}
	for _, id := range ids {
		if !hive.ValidID(id) {
			return echo.NewHTTPError(http.StatusBadRequest, "The form names something that is not a check.")
		}
		// Only completed checks the console knows are worked on.
		if e, ok, err := a.Read.Check(c.Request().Context(), id); err != nil {
			return err
		} else if !ok || e.Deleted || e.Check.Status != hive.CheckComplete {
			return echo.NewHTTPError(http.StatusBadRequest, "The form names a check that is gone or still processing: reload the queue.")
		}
	}
	email := strings.ToLower(strings.TrimSpace(form.Get("user")))
	var to auth.User
	if email != "" {
		var msg string
		if to, msg, err = a.assignee(c.Request().Context(), email); err != nil {
			return err
		}
		if msg != "" {
			a.flash(c, "error", msg)
			return redirect(c, back)
		}
	}
	u, _ := userOf(c)
	done := 0
	for _, id := range ids {
		if email == "" {
			err = a.mutate(c, auditEntry{Action: "review.release", TargetType: "check", TargetID: id}, func() error {
				_, err := a.Reviews.Release(c.Request().Context(), id, u.ID, true)
				return err
			})
			if errors.Is(err, review.ErrNotHeld) {
				continue
			}
		} else {
			err = a.assign(c, id, to)
		}
		if err != nil {
			return err
		}
		done++
	}
	a.Read.Forget()
	if email == "" {
		a.flash(c, "success", fmt.Sprintf("Took back %d of %d checks: they are in the queue for anyone.", done, len(ids)))
	} else {
		a.flash(c, "success", fmt.Sprintf("Assigned %d checks to %s.", done, to.Email))
	}
	return redirect(c, back)
}

// assign gives one check to to, audited with whoever held it before.
func (a *App) assign(c echo.Context, checkID string, to auth.User) error {
	u, _ := userOf(c)
	details := map[string]any{"assignee": to.Email}
	return a.mutate(c, auditEntry{Action: "review.assign", TargetType: "check", TargetID: checkID, Details: details}, func() error {
		prev, err := a.Reviews.Assign(c.Request().Context(), checkID, to, u.Email)
		if err == nil && prev.Email != "" && prev.Email != to.Email {
			details["previous"] = prev.Email
		}
		return err
	})
}

// assignee finds the staff member a check may be given to: an enabled account that decides reviews.
// msg says why email is not one.
func (a *App) assignee(ctx context.Context, email string) (auth.User, string, error) {
	staff, err := a.assignees(ctx)
	if err != nil {
		return auth.User{}, "", err
	}
	for _, s := range staff {
		if s.Email == email {
			return s, "", nil
		}
	}
	return auth.User{}, email + " is not an enabled staff member who decides reviews: choose someone from the list.", nil
}

// assignees are the staff a check may be given to, by email.
func (a *App) assignees(ctx context.Context) ([]auth.User, error) {
	if a.StaffAdmin == nil {
		return nil, nil
	}
	all, err := a.StaffAdmin.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	var out []auth.User
	for _, u := range all {
		if u.Can(auth.DecideReviews) {
			out = append(out, u)
		}
	}
	slices.SortFunc(out, func(x, y auth.User) int { return strings.Compare(x.Email, y.Email) })
	return out, nil
}

func assigneeOptions(staff []auth.User) []views.Option {
	opts := make([]views.Option, 0, len(staff))
	for _, s := range staff {
		opts = append(opts, views.Option{Value: s.Email, Label: s.Name + " (" + s.Email + ")"})
	}
	return opts
}

// refuseClaim shows the check's page again with why a claim, release or assignment was refused.
func (a *App) refuseClaim(c echo.Context, ch *hive.Check, msg string) error {
	m, err := a.reportModel(c, ch, a.Hive)
	if err != nil {
		return err
	}
	m.Review.Claim.Error = msg
	p := a.page(c, "Check "+views.ShortID(ch.ID))
	p.URL = "/checks/" + ch.ID
	return render(c, http.StatusConflict, views.ReportPage(p, m))
}

// claimView is who works on a check that waits for a decision, for its page; activity of the holder
// on the page keeps their claim.
func (a *App) claimView(c echo.Context, checkID string, touch bool) (views.ClaimView, error) {
	ctx := c.Request().Context()
	u, _ := userOf(c)
	v := views.ClaimView{Shown: true, Now: time.Now()}
	cl, held, err := a.Reviews.ClaimOf(ctx, checkID)
	if err != nil {
		return v, err
	}
	if held {
		v.Holder, v.Mine, v.AssignedBy, v.Since = cl.Email, cl.UserID == u.ID, cl.AssignedBy, cl.ClaimedAt
		if v.Mine && touch {
			if err := a.Reviews.Touch(ctx, checkID, u.ID); err != nil {
				return v, err
			}
		}
	}
	v.CanClaim = !held && u.Can(auth.DecideReviews)
	v.CanRelease = held && (v.Mine || u.Can(auth.AssignReviews))
	if u.Can(auth.AssignReviews) {
		staff, err := a.assignees(ctx)
		if err != nil {
			return v, err
		}
		v.Assignees = assigneeOptions(staff)
	}
	return v, nil
}

// claimNext gives the caller the next check to work on: one they hold already (an admin assigned
// it, say) first, else the first in the queue nobody holds, claimed in one atomic step, so that
// reviewers pressing Next at the same moment never get the same check. after is the check they
// leave, which is not offered again; their own claim on it (not an assignment) ends. ok is false
// when nothing is left.
func (a *App) claimNext(c echo.Context, after string) (string, bool, error) {
	ctx := c.Request().Context()
	u, _ := userOf(c)
	if after != "" && hive.ValidID(after) {
		if cl, ok, err := a.Reviews.ClaimOf(ctx, after); err == nil && ok && cl.UserID == u.ID && !cl.Assigned() {
			err := a.mutate(c, auditEntry{Action: "review.release", TargetType: "check", TargetID: after,
				Details: map[string]any{"skipped": true}}, func() error {
				_, err := a.Reviews.Release(ctx, after, u.ID, false)
				return err
			})
			if err != nil && !errors.Is(err, review.ErrNotHeld) {
				return "", false, err
			}
		}
	}
	q := readmodel.CheckQuery{Queue: true, Rule: a.Queue, Targets: a.ServiceTimes, Holder: u.Email, HeldSince: a.Reviews.HeldSince(), Limit: 2}
	mine, err := a.Read.Checks(ctx, q)
	if err != nil {
		return "", false, err
	}
	for _, e := range mine.Rows {
		if e.Check.ID != after {
			return e.Check.ID, true, a.Reviews.Touch(ctx, e.Check.ID, u.ID)
		}
	}
	// Another reviewer may take a candidate between this read and the claim: the claim then fails and
	// the next candidate is tried, and a fresh read when all of them went. Checks the caller cannot
	// take (the one they leave, those whose first approval they gave) stay ahead of the rest and are
	// stepped over.
	for round, skip := 0, 0; round < 20 && skip < 200; round++ {
		q.Holder, q.HeldSince, q.Offset, q.Limit = readmodel.NoHolder, a.Reviews.HeldSince(), skip, 8
		free, err := a.Read.Checks(ctx, q)
		if err != nil || len(free.Rows) == 0 {
			return "", false, err
		}
		ids := make([]string, len(free.Rows))
		for i, e := range free.Rows {
			ids[i] = e.Check.ID
		}
		latest, err := a.Reviews.LatestOf(ctx, ids)
		if err != nil {
			return "", false, err
		}
		for _, e := range free.Rows {
			if last := latest[e.Check.ID]; e.Check.ID == after || last.Stage == review.First && last.ReviewerID == u.ID {
				skip++
				continue
			}
			_, err := a.Reviews.Claim(ctx, e.Check.ID, u)
			if held := (*review.HeldError)(nil); errors.As(err, &held) {
				continue
			}
			if err != nil {
				return "", false, err
			}
			// Recorded once taken: the attempts that lose a race change nothing worth a row. A trail
			// that cannot take the row gives the check back, so nothing holds unrecorded.
			if err := a.audit(c, auditEntry{Action: "review.claim", TargetType: "check", TargetID: e.Check.ID,
				Outcome: outcomeSuccess, Details: map[string]any{"next": true}}); err != nil {
				_, _ = a.Reviews.Release(context.WithoutCancel(ctx), e.Check.ID, u.ID, false)
				return "", false, err
			}
			a.Read.Forget()
			return e.Check.ID, true, nil
		}
	}
	return "", false, nil
}
