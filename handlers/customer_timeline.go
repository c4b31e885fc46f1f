package handlers

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/notes"
	"github.com/hiveconsole/hiveconsole/review"
	"github.com/hiveconsole/hiveconsole/views"
)

// maxTimeline is how many events the customer page's timeline shows, newest first; the checks and
// sessions tables and the trail hold the rest.
const maxTimeline = 50

// timelineNoteChecks bounds the checks whose notes the timeline reads: the newest are what it shows.
const timelineNoteChecks = 100

// customerTimeline is a customer's history in one list, newest first: the record's creation and
// edits, the SDK sessions issued, completed or expired, the checks started and completed, the
// reviewers' decisions and the notes on the customer and on their checks. An edit names the fields
// it changed and who changed them, never the values: those stay in the trail, for those who read it.
// more is how many older events are left out.
func (a *App) customerTimeline(ctx context.Context, cust *hive.Customer, links customerLinks) (list []views.TimelineEntry, more int, err error) {
	now := time.Now()
	add := func(e views.TimelineEntry) { list = append(list, e) }
	add(views.TimelineEntry{At: cust.CreatedAt, Kind: "customer", Title: "Customer created"})
	for _, s := range links.sessions {
		href := "/sessions/" + s.ID
		add(views.TimelineEntry{At: s.CreatedAt, Kind: "session", Title: "SDK session issued", Href: href})
		switch sessionStatus(s, now) {
		case views.SessionCompleted:
			add(views.TimelineEntry{At: s.UpdatedAt, Kind: "session", Title: "The customer completed the SDK flow", Href: href})
		case views.SessionExpired:
			add(views.TimelineEntry{At: s.ExpiresAt, Kind: "session", Title: "SDK session expired unused", Href: href})
		}
	}
	checkIDs := make([]string, 0, len(links.checks))
	for _, e := range links.checks {
		href := "/checks/" + e.Check.ID
		checkIDs = append(checkIDs, e.Check.ID)
		add(views.TimelineEntry{At: e.Check.CreatedAt, Kind: "check", Title: "Check " + views.ShortID(e.Check.ID) + " started", Href: href})
		if e.Check.Status == hive.CheckComplete {
			add(views.TimelineEntry{At: e.Check.UpdatedAt, Kind: "check", Title: "Check " + views.ShortID(e.Check.ID) + " completed",
				Href: href, Result: views.Status(e.Result)})
		}
	}
	if a.Reviews != nil {
		decisions, err := a.Reviews.ForCustomer(ctx, cust.ID)
		if err != nil {
			return nil, 0, err
		}
		for _, r := range decisions {
			add(timelineDecision(r, a.rejectReasons()))
		}
	}
	if a.Notes != nil {
		onCustomer, err := a.Notes.On(ctx, notes.OnCustomer, cust.ID)
		if err != nil {
			return nil, 0, err
		}
		onChecks, err := a.Notes.OnAny(ctx, notes.OnCheck, checkIDs[:min(len(checkIDs), timelineNoteChecks)])
		if err != nil {
			return nil, 0, err
		}
		for _, n := range slices.Concat(onCustomer, onChecks) {
			e := views.TimelineEntry{At: n.CreatedAt, Kind: "note", Title: "Note", Actor: n.AuthorEmail, Detail: n.Body}
			if n.TargetType == notes.OnCheck {
				e.Title, e.Href = "Note on check "+views.ShortID(n.TargetID), "/checks/"+n.TargetID
			}
			add(e)
		}
	}
	edits, _, err := a.Audit.Events(ctx, audit.Query{Action: "customer.update", TargetType: "customer", TargetID: cust.ID,
		Outcome: outcomeSuccess, Limit: maxTimeline})
	if err != nil {
		return nil, 0, err
	}
	for _, e := range edits {
		add(views.TimelineEntry{At: e.Time, Kind: "edit", Title: "Record edited", Actor: e.ActorEmail, Detail: editedFields(e.Details)})
	}
	// Newest first; events of the same second keep the order they happened in, the later first.
	slices.Reverse(list)
	sort.SliceStable(list, func(i, j int) bool { return list[i].At.After(list[j].At) })
	if len(list) > maxTimeline {
		more, list = len(list)-maxTimeline, list[:maxTimeline]
	}
	return list, more, nil
}

// timelineDecision is a reviewer's decision in the timeline: its state, who, and their words.
func timelineDecision(r review.Review, reasons []review.RejectReason) views.TimelineEntry {
	e := views.TimelineEntry{At: r.CreatedAt, Kind: "review", Title: "Decision on check " + views.ShortID(r.CheckID),
		Href: "/checks/" + r.CheckID, Actor: r.ReviewerEmail, ReviewState: r.State(), Detail: r.Note}
	if r.Reason != "" {
		e.Detail = review.RejectReasonLabel(reasons, r.Reason) + ": " + r.Note
	}
	return e
}

// editedFields names the fields an update's trail row says it changed (see budgetDiff), in words.
func editedFields(details map[string]any) string {
	var names []string
	if changes, ok := details["changes"].(map[string]any); ok {
		for _, k := range slices.Sorted(maps.Keys(changes)) {
			names = append(names, fieldWords(k))
		}
	}
	if also, ok := details["also_changed"].([]any); ok {
		for _, k := range also {
			if s, ok := k.(string); ok {
				names = append(names, fieldWords(s))
			}
		}
	}
	if len(names) == 0 {
		if n, ok := details["changed_fields"]; ok {
			return fmt.Sprint(n) + " fields changed"
		}
		return ""
	}
	return "Changed " + strings.Join(names, ", ")
}

// fieldWords is a record field as people say it: "first_name" is "first name", "metadata.plan" is
// "metadata plan".
func fieldWords(field string) string {
	return strings.NewReplacer("_", " ", ".", " ").Replace(field)
}
