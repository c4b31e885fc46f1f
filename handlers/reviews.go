package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/review"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// rejectReasons are the reasons offered when rejecting.
func (a *App) rejectReasons() []review.RejectReason {
	if len(a.RejectReasons) > 0 {
		return a.RejectReasons
	}
	return review.DefaultRejectReasons
}

// reviewPanel is a completed check's review: its history, its state, and the form for those who
// decide. form carries what was typed when a decision was refused.
func (a *App) reviewPanel(c echo.Context, checkID string, form views.ReviewForm) (views.ReviewPanelModel, error) {
	return a.reviewPanelOf(c, checkID, form, true)
}

// reviewPanelOf is reviewPanel; touch says whether showing it is the viewer's activity on the check,
// which keeps their claim (a page view is; a live update of an open page is not).
func (a *App) reviewPanelOf(c echo.Context, checkID string, form views.ReviewForm, touch bool) (views.ReviewPanelModel, error) {
	r := views.ReviewPanelModel{State: views.ReviewUnreviewed, Form: form}
	if a.Reviews == nil {
		return r, nil
	}
	history, err := a.Reviews.ForCheck(c.Request().Context(), checkID)
	if err != nil {
		return r, err
	}
	reasons := a.rejectReasons()
	u, _ := userOf(c)
	if len(history) > 0 {
		r.State, r.Seen = history[0].State(), history[0].ID
		r.FourEyes = fourEyesOf(history, u, a.FourEyes)
	}
	for _, h := range history {
		v := views.ReviewView{Decision: string(h.Decision), Stage: string(h.Stage), Note: h.Note, Reviewer: h.ReviewerEmail,
			SessionID: h.SessionID, At: h.CreatedAt}
		if h.Reason != "" {
			v.Reason = review.RejectReasonLabel(reasons, h.Reason)
		}
		r.History = append(r.History, v)
	}
	if views.Waiting(r.State) {
		if r.Claim, err = a.claimView(c, checkID, touch); err != nil {
			return r, err
		}
	}
	if u.Can(auth.DecideReviews) {
		r.CanDecide = true
		r.NextURL = "/reviews/next?after=" + url.QueryEscape(checkID)
		for _, o := range reasons {
			r.Form.Reasons = append(r.Form.Reasons, views.Option{Value: o.Code, Label: o.Label})
		}
	}
	return r, nil
}

// fourEyesOf is what a check waiting under four-eyes shows: the first approval it waits to have
// confirmed, or the one a second reviewer disagreed with. nil when its newest decision is neither.
func fourEyesOf(history []review.Review, viewer auth.User, rules review.FourEyes) *views.FourEyesView {
	newest := history[0]
	first := newest
	f := &views.FourEyesView{Rule: rules.Describe()}
	switch newest.Stage {
	case review.First:
	case review.Disputed:
		f.DisagreedBy = newest.ReviewerEmail
		if len(history) < 2 {
			return nil
		}
		first = history[1]
	default:
		return nil
	}
	f.FirstBy, f.FirstNote, f.FirstAt, f.Mine = first.ReviewerEmail, first.Note, first.CreatedAt, first.ReviewerID == viewer.ID
	return f
}

// needsSecond says whether approving ch needs a second approver under the configured rules: by its
// report's result (as the copy holds it, else as Hive says) and Hive's decision.
func (a *App) needsSecond(ctx context.Context, ch *hive.Check) (bool, error) {
	result := "unknown"
	if e, ok, err := a.Read.Check(ctx, ch.ID); err != nil {
		return false, err
	} else if ok && e.Result != "unknown" {
		result = e.Result
	} else if rep, err := a.Hive.GetReport(ctx, ch.ID); err == nil {
		result = string(rep.Result)
	} else {
		return false, err
	}
	return a.FourEyes.Needs(result, deref(ch.Decision)), nil
}

// decideReview records a reviewer's decision on a completed check: approve, reject with a reason,
// or request resubmission, which issues a new SDK session for the customer and shows its token
// once. Every decision needs a note. A refused decision comes back on the report page with what
// was typed and a message by each field.
func (a *App) decideReview(c echo.Context) error {
	id := c.Param("id")
	if !hive.ValidID(id) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such check.")
	}
	ctx := c.Request().Context()
	ch, err := a.Hive.GetCheck(ctx, id)
	if err != nil {
		return err
	}
	if ch.Status != hive.CheckComplete {
		return echo.NewHTTPError(http.StatusConflict, "The check is still processing: decide once its report is ready.")
	}
	u, _ := userOf(c)
	customerID, _ := a.checkCustomer(ctx, ch.SessionID)
	rev := review.Review{CheckID: id, CustomerID: customerID, Decision: review.Decision(c.FormValue("decision")),
		Reason: c.FormValue("reason"), Note: c.FormValue("note"), ReviewerID: u.ID, ReviewerEmail: u.Email}
	if rev.Decision != review.Reject {
		rev.Reason = "" // the select keeps its value when the reviewer changes their mind
	}
	if seen, err := strconv.ParseInt(c.FormValue("seen"), 10, 64); err == nil {
		rev.Seen = &seen // the form showed this decision as the newest
	}
	if err := review.Validate(rev, a.rejectReasons()); err != nil {
		return a.refuseReview(c, ch, rev, fieldErrors(err))
	}
	if rev.Decision == review.Approve {
		if rev.NeedsSecond, err = a.needsSecond(ctx, ch); err != nil {
			return err
		}
	}
	// Checked here too, before a resubmission issues a session; the ledger checks again as it records.
	if cl, held, err := a.Reviews.ClaimOf(ctx, id); err != nil {
		return err
	} else if held && cl.UserID != u.ID {
		return a.refuseHeld(c, ch, rev, &review.HeldError{Claim: cl})
	}
	if rev.Decision == review.Resubmit && customerID == "" {
		return a.refuseReview(c, ch, rev, map[string]string{"decision": "The check's customer is not known any more, so no new session can be issued."})
	}
	details := map[string]any{"decision": string(rev.Decision)}
	if rev.Reason != "" {
		details["reason"] = rev.Reason
	}
	var issued *views.SessionIssued
	err = a.mutate(c, auditEntry{Action: "review.decide", TargetType: "check", TargetID: id, Details: details}, func() error {
		if rev.Decision == review.Resubmit {
			cust, err := a.Hive.GetCustomer(ctx, customerID)
			if err != nil {
				return err
			}
			m, err := a.newSDKSession(c, cust) // its own two rows, between this decision's
			if err != nil {
				return err
			}
			if m.SessionID == "" {
				return errors.New("reviews: Hive's session token names no session")
			}
			rev.SessionID, issued = m.SessionID, &m
		}
		recorded, err := a.Reviews.Record(ctx, rev, a.rejectReasons())
		if err != nil {
			return err // rev keeps what was typed, for the refusal
		}
		if recorded.Stage != review.Final {
			details["stage"] = string(recorded.Stage)
		}
		rev = recorded
		return nil
	})
	if changed := (*review.ChangedError)(nil); errors.As(err, &changed) {
		return a.refuseReviewWith(c, http.StatusConflict, ch, rev, map[string]string{"claim": "Nothing was recorded: " +
			changed.Newest.ReviewerEmail + " recorded a decision (" + strings.ToLower(views.ReviewStateLabel(changed.Newest.State())) +
			") after this page was opened. Read it below; decide again if you still disagree."})
	}
	if errors.Is(err, review.ErrSecondBySamePerson) {
		return a.refuseReviewWith(c, http.StatusConflict, ch, rev, map[string]string{
			"claim": "Nothing was recorded: you gave the first approval, so the second must come from someone else."})
	}
	if held := (*review.HeldError)(nil); errors.As(err, &held) {
		return a.refuseHeld(c, ch, rev, held)
	}
	if errs := fieldErrors(err); errs != nil {
		return a.refuseReview(c, ch, rev, errs)
	}
	if err != nil {
		return err
	}
	a.Read.Forget() // the decision takes the check out of the queue: its author sees the new total
	// A rejection (or its reversal) changes which waiting checks are linked to a rejected customer.
	a.writeThrough(c, "review.links", func(ctx context.Context) error { return a.Read.RelinkCustomer(ctx, rev.CustomerID) })
	if issued != nil {
		// The reviewer stays on the check, the token folded for whoever hands it on, Next at hand.
		// The token is shown this once and kept nowhere, so this page answers the POST itself.
		m, err := a.reportModel(c, ch, a.Hive)
		if err != nil {
			return err
		}
		m.Review.Issued = issued
		a.flash(c, "success", "Resubmission requested: a new SDK session was issued for the customer.")
		p := a.page(c, "Check "+views.ShortID(id))
		p.URL = "/checks/" + id
		return render(c, http.StatusCreated, views.ReportPage(p, m))
	}
	var msg string
	switch rev.Stage {
	case review.First:
		msg = "Approved, first of two: the check waits for a second approver."
	case review.Disputed:
		msg = "You disagree with the first approval: the check is back in the queue, marked so."
	default:
		msg = views.ReviewStateLabel(rev.State()) + ". The decision is recorded."
	}
	if c.FormValue("then") == "next" {
		next, ok, err := a.claimNext(c, id)
		if err != nil {
			return err
		}
		if ok {
			a.flash(c, "success", msg+" Here is the next check.")
			return redirect(c, "/checks/"+next)
		}
		a.flash(c, "success", msg+" Nothing is left for you in the queue.")
		return redirect(c, "/checks?queue=review")
	}
	a.flash(c, "success", msg)
	return redirect(c, "/checks/"+id)
}

// refuseHeld refuses a decision on a check someone else holds, with 409, naming them, and keeps what
// was typed.
func (a *App) refuseHeld(c echo.Context, ch *hive.Check, rev review.Review, held *review.HeldError) error {
	return a.refuseReviewWith(c, http.StatusConflict, ch, rev, map[string]string{"claim": "Nothing was recorded: " + heldMessage(held)})
}

// refuseReview shows the report again with the decision form as it was typed and what is wrong.
func (a *App) refuseReview(c echo.Context, ch *hive.Check, rev review.Review, errs map[string]string) error {
	for k, v := range errs {
		errs[k] = fieldLabel(k) + " " + v
	}
	return a.refuseReviewWith(c, http.StatusUnprocessableEntity, ch, rev, errs)
}

func (a *App) refuseReviewWith(c echo.Context, status int, ch *hive.Check, rev review.Review, errs map[string]string) error {
	m, err := a.reportModel(c, ch, a.Hive)
	if err != nil {
		return err
	}
	m.Review, err = a.reviewPanel(c, ch.ID, views.ReviewForm{Decision: string(rev.Decision), Reason: rev.Reason, Note: rev.Note, Errors: errs})
	if err != nil {
		return err
	}
	p := a.page(c, "Check "+views.ShortID(ch.ID))
	p.URL = "/checks/" + ch.ID // the address bar shows the check, not the form's POST
	return render(c, status, views.ReportPage(p, m))
}

func fieldLabel(field string) string {
	switch field {
	case "decision":
		return "The decision"
	case "reason":
		return "A reason"
	case "note":
		return "The note"
	}
	return field
}

// nextReview opens the next check for the reviewer, claimed for them (see claimNext).
func (a *App) nextReview(c echo.Context) error {
	id, ok, err := a.claimNext(c, c.QueryParam("after"))
	if err != nil {
		return err
	}
	if ok {
		return redirect(c, "/checks/"+id)
	}
	a.flash(c, "success", "Nothing left for you: every check in the queue is decided or held by someone.")
	return redirect(c, "/checks?queue=review")
}

// reviewStatesOf is the review state of each of the given checks; checks nobody decided on are
// absent.
func (a *App) reviewStatesOf(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	if a.Reviews == nil || len(ids) == 0 {
		return out, nil
	}
	latest, err := a.Reviews.LatestOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	for id, r := range latest {
		out[id] = r.State()
	}
	return out, nil
}

// reviewQueue is the top of the review queue — completed checks without a final decision, the one
// due first at the top — and how many it holds.
func (a *App) reviewQueue(c echo.Context, n int) ([]views.CheckListRow, int, error) {
	ctx := c.Request().Context()
	res, err := a.Read.Checks(ctx, readmodel.CheckQuery{Queue: true, Rule: a.Queue, Targets: a.ServiceTimes, Limit: n})
	if err != nil {
		return nil, 0, err
	}
	me, _ := userOf(c)
	rows, err := a.checkRows(ctx, res.Rows, pii(c), me)
	return rows, res.Total, err
}
