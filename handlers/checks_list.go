package handlers

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/review"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
	"github.com/starfederation/datastar-go/datastar"
)

// checkSignals is the checks list's state as Datastar signals: the same fields as the URL.
type checkSignals struct {
	Q        string `json:"q"`
	Status   string `json:"status"`
	Result   string `json:"result"`
	Decision string `json:"decision"`
	Since    string `json:"since"`
	Sort     string `json:"sort"`
	Dir      string `json:"dir"`
	Page     int    `json:"page"`
	Size     int    `json:"size"`
	Queue    string `json:"queue"`    // "review": the review queue
	Reason   string `json:"reason"`   // a sub-check's path: only checks whose report did not clear it
	Assignee string `json:"assignee"` // me, none, or a holder's email: only checks they hold
	Review   string `json:"review"`   // a review state: only checks in it
}

var (
	checkStatuses  = []string{"processing", "complete"}
	checkResults   = []string{"clear", "caution", "consider"}
	checkDecisions = []string{"approved", "review", "declined"}
	checkSorts     = []string{"created", "customer", "result"}
	// checkReviewStates are the review filter's choices: the console's own states of a completed check.
	checkReviewStates = []string{"unreviewed", "pending_second", "disagree", "approved", "rejected", "resubmission"}
	// checkSince are the created filter's windows.
	checkSince = map[string]time.Duration{"24h": 24 * time.Hour, "7d": 7 * 24 * time.Hour, "30d": 30 * 24 * time.Hour}
)

// checkQuery is everything the checks list's URL can say.
type checkQuery struct {
	Q                               string // customer name, email or id, or the check's id
	Status, Result, Decision, Since string
	Sort                            string
	Desc                            bool
	Page, Size                      int
	Queue                           bool   // only completed checks nobody decided on, worst then oldest first
	Reason                          string // only checks whose report did not clear this sub-check
	Assignee                        string // "", me, none, or a holder's email
	Review                          string // "", or a review state (see checkReviewStates)
}

// parseCheckQuery reads the list's state; values the list does not offer fall back to defaults.
func parseCheckQuery(s checkSignals) checkQuery {
	q := checkQuery{Q: strings.TrimSpace(s.Q), Sort: "created", Desc: true, Page: pageNumber(s.Page), Size: customerSizes[0]}
	if len(q.Q) > 200 {
		q.Q = q.Q[:200]
	}
	if slices.Contains(checkSorts, s.Sort) {
		q.Sort = s.Sort
		q.Desc = s.Sort != "customer" // newest first, worst first, A to Z
	}
	q.Desc = descending(s.Dir, q.Desc)
	if slices.Contains(customerSizes, s.Size) {
		q.Size = s.Size
	}
	q.Status, q.Result, q.Decision = oneOf(s.Status, checkStatuses), oneOf(s.Result, checkResults), oneOf(s.Decision, checkDecisions)
	q.Review = oneOf(s.Review, checkReviewStates)
	if _, ok := checkSince[s.Since]; ok {
		q.Since = s.Since
	}
	q.Queue = s.Queue == "review"
	if reasonPath.MatchString(s.Reason) {
		q.Reason = s.Reason
	}
	switch a := strings.ToLower(strings.TrimSpace(s.Assignee)); {
	case a == "me" || a == readmodel.NoHolder:
		q.Assignee = a
	case len(a) <= 254 && strings.Count(a, "@") == 1 && !strings.ContainsFunc(a, unicode.IsSpace):
		q.Assignee = a
	}
	return q
}

// reasonPath is the shape of a report's sub-check path: "facial/face_comparison/similarity".
var reasonPath = regexp.MustCompile(`^[a-z_]{1,40}(/[a-z_]{1,40}){1,4}$`)

func checkSignalsFromURL(v url.Values) checkSignals {
	page, _ := strconv.Atoi(v.Get("page"))
	size, _ := strconv.Atoi(v.Get("size"))
	return checkSignals{Q: v.Get("q"), Status: v.Get("status"), Result: v.Get("result"), Decision: v.Get("decision"),
		Since: v.Get("since"), Sort: v.Get("sort"), Dir: v.Get("dir"), Page: page, Size: size, Queue: v.Get("queue"),
		Reason: v.Get("reason"), Assignee: v.Get("assignee"), Review: v.Get("review")}
}

func (q checkQuery) signals() checkSignals {
	dir := "asc"
	if q.Desc {
		dir = "desc"
	}
	s := checkSignals{Q: q.Q, Status: q.Status, Result: q.Result, Decision: q.Decision, Since: q.Since,
		Sort: q.Sort, Dir: dir, Page: q.Page, Size: q.Size, Reason: q.Reason, Assignee: q.Assignee, Review: q.Review}
	if q.Queue {
		s.Queue = "review"
	}
	return s
}

// url is the list's address for this query, leaving out defaults so shared links stay short.
func (q checkQuery) url() string {
	v := url.Values{}
	def := parseCheckQuery(checkSignals{Sort: q.Sort})
	for _, kv := range [][2]string{{"q", q.Q}, {"status", q.Status}, {"result", q.Result}, {"decision", q.Decision}, {"since", q.Since},
		{"reason", q.Reason}, {"assignee", q.Assignee}, {"review", q.Review}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	if q.Queue {
		v.Set("queue", "review")
	}
	if q.Sort != "created" {
		v.Set("sort", q.Sort)
	}
	if q.Desc != def.Desc {
		v.Set("dir", q.signals().Dir)
	}
	if q.Page > 1 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	if q.Size != customerSizes[0] {
		v.Set("size", strconv.Itoa(q.Size))
	}
	if len(v) == 0 {
		return "/checks"
	}
	return "/checks?" + v.Encode()
}

// column is the list's sortable header for key; the customer column starts A to Z, the others worst
// or newest first.
func (q checkQuery) column(label, key string) views.SortColumn {
	return sortColumn(label, key, q.Sort, q.Desc, key != "customer", func(sort string, desc bool) string {
		next := q
		next.Page, next.Sort, next.Desc = 1, sort, desc
		return next.url()
	})
}

// checks is the checks list page: search, filters, sort and paging, all in the URL.
func (a *App) checks(c echo.Context) error {
	m, _, err := a.checksModel(c, parseCheckQuery(checkSignalsFromURL(c.QueryParams())))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.ChecksPage(a.page(c, "Checks"), m))
}

// checksTable answers the list's Datastar requests (typing, filtering, sorting, paging, and a
// watched check completing): it patches the results and keeps the address bar in step.
func (a *App) checksTable(c echo.Context) error {
	var s checkSignals
	if err := readListSignals(c, &s); err != nil {
		return err
	}
	m, _, err := a.checksModel(c, parseCheckQuery(s))
	if err != nil {
		return err
	}
	return a.patchResults(c, views.CheckResults(a.assets(), a.fragment(c).CSRFToken, m), m.URL)
}

// checksStream watches the processing checks the list shows. When one completes it tells the page,
// which asks for the table again with its current state, and ends; the refreshed table opens a new
// stream if checks are still processing. It also ends when the page closes or the server stops.
func (a *App) checksStream(c echo.Context) error {
	var s checkSignals
	if err := readListSignals(c, &s); err != nil {
		return err
	}
	q := parseCheckQuery(s)
	first, watch, err := a.checksModel(c, q)
	if err != nil {
		return err
	}
	return a.liveStream(c, "checks stream", func(sse *datastar.ServerSentEventGenerator) (bool, error) {
		switch {
		case q.Queue:
			// The queue also changes with others' claims and decisions: the page asks for the table
			// again when what it shows would differ.
			now, _, err := a.checksModel(c, q)
			if err != nil {
				return false, err
			}
			if now.LiveKey == first.LiveKey && !a.anyDone(c.Request().Context(), watch) {
				return false, nil
			}
		case len(watch) == 0:
			return true, nil
		case !a.anyDone(c.Request().Context(), watch):
			return false, nil
		}
		changed, _ := json.Marshal(map[string]int64{"checksChanged": time.Now().UnixNano()})
		_ = sse.PatchSignals(changed)
		return true, nil
	})
}

// anyDone reports whether a watched check is no longer processing (or no longer exists). The reads
// are the shared live reads, which write a completed check through to the console's copy, so the
// table the page asks for next shows it.
func (a *App) anyDone(ctx context.Context, watch []string) bool {
	for _, id := range watch {
		ch, err := a.live.GetCheck(ctx, id)
		var herr *hive.Error
		if errors.As(err, &herr) && herr.Code == hive.CodeNotFound {
			a.writeThroughCtx(ctx, "check.gone", func(ctx context.Context) error { return a.Read.DeleteCheck(ctx, id) })
			return true
		}
		if err == nil && ch.Status != hive.CheckProcessing {
			return true
		}
	}
	return false
}

// checksModel builds the list for a query from the console's copy of Hive and says which of the
// shown checks are processing.
func (a *App) checksModel(c echo.Context, q checkQuery) (views.ChecksModel, []string, error) {
	ctx := c.Request().Context()
	now := time.Now()
	pol := pii(c)
	contact := pol.clear(fromRecord) // a viewer who sees contact data masked searches names and ids only
	u, _ := userOf(c)
	rq := a.checkRead(q, now, contact, u)
	res, err := a.Read.Checks(ctx, rq)
	if err != nil {
		return views.ChecksModel{}, nil, err
	}
	if pages := max(1, (res.Total+q.Size-1)/q.Size); q.Page > pages {
		q.Page = pages // past the end (the list shrank, or an edited URL): show the last page
		if res, err = a.Read.Checks(ctx, a.checkRead(q, now, contact, u)); err != nil {
			return views.ChecksModel{}, nil, err
		}
	}
	all := res.Total
	if q.filtered() {
		if all, err = a.Read.Count(ctx, readmodel.Checks); err != nil {
			return views.ChecksModel{}, nil, err
		}
	}
	rows, err := a.checkRows(ctx, res.Rows, pol, u)
	if err != nil {
		return views.ChecksModel{}, nil, err
	}
	m := views.ChecksModel{Review: q.Review, Queue: q.Queue, QueueHolds: queueHolds(a.Queue), Reason: q.Reason, Q: q.Q, Status: q.Status, Result: q.Result, Decision: q.Decision, Since: q.Since,
		Size: q.Size, Sizes: customerSizes, URL: q.url(), Total: all, Now: now, Rows: rows,
		SearchHint: "Name, email, or an id"}
	if !contact {
		m.SearchHint = "Name, or an id"
	}
	sig, _ := json.Marshal(q.signals())
	m.Signals = string(sig)
	m.Columns = []views.SortColumn{q.column("Customer", "customer"), q.column("Result", "result"), q.column("Created", "created")}
	if q.Queue { // in the order of time left, whatever the address says
		m.Columns = []views.SortColumn{{Label: "Customer"}, {Label: "Result"}, {Label: "Created"}}
	}
	m.Pager = views.NewPager(res.Total, q.Size, q.Page, func(n int) string {
		p := q
		p.Page = n
		return p.url()
	})
	if m.Sync, err = a.syncStatus(ctx); err != nil {
		return views.ChecksModel{}, nil, err
	}
	if q.Queue {
		if m.Reasons, err = a.reasonChips(ctx, q); err != nil {
			return views.ChecksModel{}, nil, err
		}
		m.Assignee = q.Assignee
		m.Assignees = [][2]string{{"", "Any holder"}, {readmodel.NoHolder, "Held by nobody"}}
		if u.Can(auth.DecideReviews) {
			m.Assignees = append(m.Assignees, [2]string{"me", "Held by me"})
		}
		if u.Can(auth.AssignReviews) {
			staff, err := a.assignees(ctx)
			if err != nil {
				return views.ChecksModel{}, nil, err
			}
			for _, s := range staff {
				m.Assignees = append(m.Assignees, [2]string{s.Email, s.Email})
			}
			m.AssignTo = assigneeOptions(staff)
		}
		if q.Assignee != "" && !slices.ContainsFunc(m.Assignees, func(o [2]string) bool { return o[0] == q.Assignee }) {
			m.Assignees = append(m.Assignees, [2]string{q.Assignee, q.Assignee})
		}
	}
	var watch []string
	for _, r := range rows {
		if r.Status == string(hive.CheckProcessing) {
			watch = append(watch, r.ID)
		}
	}
	m.LiveKey = liveKey(watch)
	if q.Queue {
		// Who holds what and what was decided, as shown: a change of either renews the live element.
		parts := []string{strconv.Itoa(res.Total)}
		for _, r := range rows {
			parts = append(parts, r.ID, r.Holder, r.ReviewState)
		}
		m.LiveKey = "q" + liveKey(parts) + m.LiveKey
	}
	return m, watch, nil
}

// checkRead is the query as the console's copy takes it, for viewer u.
func (a *App) checkRead(q checkQuery, now time.Time, contact bool, u auth.User) readmodel.CheckQuery {
	rq := q.read(now, contact, a.Queue)
	rq.Targets, rq.Now = a.ServiceTimes, now
	if q.Assignee != "" && a.Reviews != nil {
		rq.Holder, rq.HeldSince = q.Assignee, a.Reviews.HeldSince()
		if q.Assignee == "me" {
			rq.Holder = u.Email
		}
	}
	return rq
}

// read is the query as the console's copy takes it.
func (q checkQuery) read(now time.Time, contact bool, rule readmodel.QueueRule) readmodel.CheckQuery {
	size := max(q.Size, 1)
	rq := readmodel.CheckQuery{Search: q.Q, Contact: contact, Status: q.Status, Result: q.Result, Decision: q.Decision,
		Queue: q.Queue, Rule: rule, Reason: q.Reason, ReviewState: q.Review, Sort: q.Sort, Desc: q.Desc, Offset: (pageNumber(q.Page) - 1) * size, Limit: size}
	if q.Since != "" {
		rq.Since = now.Add(-checkSince[q.Since])
	}
	return rq
}

// filtered says whether the query narrows the list.
func (q checkQuery) filtered() bool {
	return q.Q != "" || q.Status != "" || q.Result != "" || q.Decision != "" || q.Since != "" || q.Queue || q.Reason != "" ||
		q.Assignee != "" || q.Review != ""
}

// checkRows turns the copy's checks into the list's rows: the customer masked for the viewer, and
// the console's own review state of each completed check.
func (a *App) checkRows(ctx context.Context, entries []readmodel.CheckEntry, pol piiPolicy, me auth.User) ([]views.CheckListRow, error) {
	var ids []string
	for _, e := range entries {
		ids = append(ids, e.Check.ID)
	}
	states, err := a.reviewStatesOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	concerns, err := a.Read.Concerns(ctx, ids)
	if err != nil {
		return nil, err
	}
	claims := map[string]review.Claim{}
	if a.Reviews != nil && len(ids) > 0 {
		if claims, err = a.Reviews.ClaimsOf(ctx, ids); err != nil {
			return nil, err
		}
	}
	rows := make([]views.CheckListRow, 0, len(entries))
	for _, e := range entries {
		lr := views.CheckListRow{CheckRow: checkRow(e), Reasons: reasons(concerns[e.Check.ID]), LinkedRejected: e.LinkedRejected}
		if e.Links != nil {
			lr.Links = *e.Links
		}
		if e.LinkedRejected {
			lr.Reasons = append([]string{linkedRejectedReason}, lr.Reasons...)
		}
		if cl, ok := claims[e.Check.ID]; ok {
			lr.Holder, lr.HolderMine, lr.Assigned = cl.Email, cl.UserID == me.ID, cl.Assigned()
		}
		if e.Check.Status == hive.CheckComplete {
			lr.ReviewState = cmp.Or(states[e.Check.ID], views.ReviewUnreviewed)
			if due, ok := a.ServiceTimes.Due(e.Result, e.Check.UpdatedAt); ok && views.Waiting(lr.ReviewState) {
				lr.Due = due
			}
		}
		if e.CustomerID != "" {
			lr.CustomerID, lr.CustomerName, lr.CustomerEmail = e.CustomerID, e.CustomerName, pol.show(fromRecord, piiEmail, e.CustomerEmail)
		}
		rows = append(rows, lr)
	}
	return rows, nil
}

// markReviews gives completed checks the console's review state, for the tables that show a few
// checks (a customer's, the overview's recent ones).
func (a *App) markReviews(ctx context.Context, rows []views.CheckRow) error {
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	states, err := a.reviewStatesOf(ctx, ids)
	if err != nil {
		return err
	}
	for i := range rows {
		if rows[i].Status == string(hive.CheckComplete) {
			rows[i].ReviewState = cmp.Or(states[rows[i].ID], views.ReviewUnreviewed)
		}
	}
	return nil
}

// liveKey names the set of watched checks, so that a table watching other checks gets a new live
// element (and so a new stream) when it is patched in.
func liveKey(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	h := fnv.New64a()
	for _, id := range ids {
		h.Write([]byte(id))
	}
	return strconv.FormatUint(h.Sum64(), 36)
}

// queueHolds says what the review queue holds under rule, for its page: "Checks whose report says
// caution or consider, and 5 % of those Hive cleared, that wait for a final decision".
func queueHolds(rule readmodel.QueueRule) string {
	if len(rule.Results) == 0 {
		rule = readmodel.DefaultQueueRule
	}
	var says []string
	unknown := false
	for _, r := range rule.Results {
		if r == "unknown" {
			unknown = true
			continue
		}
		says = append(says, r)
	}
	var parts []string
	if len(says) > 0 {
		parts = append(parts, "whose report says "+orList(says))
	}
	if unknown {
		parts = append(parts, "whose report is not read yet")
	}
	s := "Checks " + strings.Join(parts, ", or ")
	if rule.SampleClear > 0 && !slices.Contains(rule.Results, "clear") {
		s += fmt.Sprintf(", and %d %% of those Hive cleared,", rule.SampleClear)
	}
	return s + " that wait for a final decision"
}

// orList joins words as "a, b or c".
func orList(words []string) string {
	if len(words) == 1 {
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// reasonChips are the queue's filters by what its checks' reports did not clear, most common first,
// each with how many checks it holds, after one that clears the filter.
func (a *App) reasonChips(ctx context.Context, q checkQuery) ([]views.ReasonChip, error) {
	counts, err := a.Read.QueueReasons(ctx, a.Queue)
	if err != nil {
		return nil, err
	}
	paths := slices.Collect(maps.Keys(counts))
	slices.SortFunc(paths, func(x, y string) int { return cmp.Or(cmp.Compare(counts[y], counts[x]), strings.Compare(x, y)) })
	link := func(reason string) string {
		next := q
		next.Page, next.Reason = 1, reason
		return next.url()
	}
	chips := []views.ReasonChip{{Label: "Any reason", Href: link(""), Current: q.Reason == ""}}
	for _, p := range paths {
		chips = append(chips, views.ReasonChip{Label: reason(readmodel.Node{Path: p}), Count: counts[p], Href: link(p),
			Current: q.Reason == p, Path: p})
	}
	return chips, nil
}
