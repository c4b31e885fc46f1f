package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/hive"
)

// Markers of the invalid items: none of them may reach a page or a log line.
const (
	badPrefix   = "bad0bad0" // starts the well-formed ids of invalid items
	badName     = "Mallory"
	badEmail    = "mallory.victim@example.com"
	hostileID   = `<script>alert(1)</script>`
	traversalID = "../../admin"
	badStatus   = "exploded"
)

func badID(n int) string { return fmt.Sprintf("%s-0000-4000-8000-%012d", badPrefix, n) }

// observedRig is a rig whose Hive client logs warnings to hiveLogs and counts invalid items in
// metrics.
type observedRig struct {
	*rig
	hiveLogs *syncBuffer
	metrics  *handlers.Metrics
}

func newObservedRig(t *testing.T) *observedRig {
	t.Helper()
	o := &observedRig{hiveLogs: &syncBuffer{}, metrics: handlers.NewMetrics()}
	o.rig = newRig(t, hive.BreakerPolicy{Disabled: true}, func(c *hive.Config) {
		c.Logger = slog.New(slog.NewTextHandler(o.hiveLogs, &slog.HandlerOptions{Level: slog.LevelWarn}))
		c.InvalidItem = o.metrics.InvalidHiveItem
	})
	return o
}

// warnings counts the warning lines logged for op.
func (o *observedRig) warnings(op string) int {
	n := 0
	for _, l := range strings.Split(o.hiveLogs.String(), "\n") {
		if strings.Contains(l, "level=WARN") && strings.Contains(l, `op="`+op+`"`) {
			n++
		}
	}
	return n
}

// counted is hiveconsole_hive_invalid_items_total for op.
func (o *observedRig) counted(t *testing.T, op string) int {
	t.Helper()
	return int(counters(t, o.metrics, "hiveconsole_hive_invalid_items_total")[op])
}

// withItems is a fault that answers the GET lists of extra as the sandbox does, with the extra
// items first (newest).
func withItems(extra map[string][]string) *fault {
	return &fault{name: "invalid items", only: func(path string) bool { _, ok := extra[path]; return ok },
		serve: func(f *faultyHive, w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet {
				f.proxy.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			f.proxy.ServeHTTP(rec, r)
			var list struct {
				Data []json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
				f.t.Errorf("fake Hive: the sandbox's %s: %v", r.URL.Path, err)
			}
			items := []string{}
			items = append(items, extra[r.URL.Path]...)
			for _, d := range list.Data {
				items = append(items, string(d))
			}
			body := `{"data":[` + strings.Join(items, ",") + `],"meta":{"total":` + strconv.Itoa(len(items)) + `}}`
			answer(http.StatusOK, body)(f, w, r)
		}}
}

// goodLists are the ids of Hive's own, valid objects, by list path.
func goodLists(t *testing.T, c *hive.Client) map[string][]string {
	t.Helper()
	ctx := context.Background()
	out := map[string][]string{}
	customers, err := c.ListCustomers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range customers.Data {
		out["/customers"] = append(out["/customers"], x.ID)
	}
	sessions, err := c.ListSessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range sessions.Data {
		out["/sessions"] = append(out["/sessions"], x.ID)
	}
	checks, err := c.ListChecks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range checks.Data {
		out["/checks"] = append(out["/checks"], x.ID)
	}
	files, err := c.ListFiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range files.Data {
		out["/files"] = append(out["/files"], x.ID)
	}
	for path, ids := range out {
		if len(ids) == 0 {
			t.Fatalf("the sandbox seeded no %s", path)
		}
	}
	return out
}

// invalidItems are odd items for each list, referring to good objects where they refer to any.
func invalidItems(good map[string][]string) map[string][]string {
	now := time.Now().Unix()
	customer, session, check := good["/customers"][0], good["/sessions"][0], good["/checks"][0]
	obj := func(fields string) string {
		return strings.NewReplacer("NOW", strconv.FormatInt(now, 10)).Replace(fields)
	}
	return map[string][]string{
		"/checks": {
			obj(`{"id":"abc","session_id":"` + session + `","status":"complete","decision":"approved","report":"` + badID(1) + `","created_at":NOW,"updated_at":NOW}`),
			obj(`{"id":"` + badID(2) + `","session_id":"` + session + `","status":"` + badStatus + `","decision":null,"report":null,"created_at":NOW,"updated_at":NOW}`),
			obj(`{"id":"` + badID(3) + `","session_id":"` + session + `","status":"processing","decision":null,"report":null,"created_at":253402300800,"updated_at":NOW}`),
		},
		"/customers": {
			obj(`{"id":"` + hostileID + `","email":"` + badEmail + `","phone":null,"first_name":"` + badName + `","middle_name":null,"last_name":null,"gender":null,"dob":null,"metadata":{},"created_at":NOW,"updated_at":NOW}`),
			obj(`{"id":"` + badID(4) + `","email":"` + badEmail + `","phone":null,"first_name":"` + badName + `","middle_name":null,"last_name":null,"gender":null,"dob":null,"metadata":{},"created_at":null,"updated_at":NOW}`),
		},
		"/sessions": {
			obj(`{"id":"` + badID(5) + `","customer":"` + customer + `","full_name":"` + badName + `","email":"` + badEmail + `","application_id":"` + badID(6) + `","workspace_id":"` + badID(7) + `","status":"hijacked","expires_at":NOW,"created_at":NOW,"updated_at":NOW,"check_id":null}`),
			obj(`{"id":"` + badID(8) + `","customer":"` + traversalID + `","full_name":"` + badName + `","email":"` + badEmail + `","application_id":"` + badID(6) + `","workspace_id":"` + badID(7) + `","status":"created","expires_at":NOW,"created_at":NOW,"updated_at":NOW,"check_id":null}`),
		},
		"/files": {
			obj(`{"id":"` + badID(9) + `","type":"portrait","metadata":{},"url":"https://files.hive.id/downloads/x","check":"abc","created_at":NOW}`),
			obj(`{"id":"` + badID(10) + `","type":"portrait","metadata":{},"url":"https://files.hive.id/downloads/x","check":"` + check + `","created_at":"NOW"}`),
		},
	}
}

var objectLink = regexp.MustCompile(`^/(customers|sessions|checks|files)/([^/?#]*)`)

// assertOnlyGoodItems checks a page that lists Hive's objects: no link to an invalid item, nothing
// of the invalid items in the text.
func assertOnlyGoodItems(t *testing.T, path string, resp response, doc *goquery.Document) {
	t.Helper()
	doc.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
		m := objectLink.FindStringSubmatch(a.AttrOr("href", ""))
		if m != nil && (m[2] == "abc" || strings.HasPrefix(m[2], badPrefix) || strings.Contains(m[2], "<") || strings.Contains(m[2], "..")) {
			t.Errorf("%s links to %q, an invalid item", path, a.AttrOr("href", ""))
		}
	})
	for _, leak := range []string{badPrefix, badName, badEmail, "alert(1)", traversalID, badStatus, "hijacked"} {
		if strings.Contains(resp.Body, leak) {
			t.Errorf("%s shows %q, from an invalid item", path, leak)
		}
	}
}

// rowIDs returns the object ids the rows of a list page link to.
func rowIDs(doc *goquery.Document, rows, collection string) []string {
	var out []string
	doc.Find(rows).Each(func(_ int, row *goquery.Selection) {
		href := row.Find(`a[href^="/`+collection+`/"]`).First().AttrOr("href", "")
		if m := objectLink.FindStringSubmatch(href); m != nil {
			out = append(out, m[2])
		}
	})
	return out
}

// TestInvalidHiveItemsAreSkipped: each of Hive's lists carries odd items — a check whose id is
// "abc", a customer whose id is markup, a session with an unknown status, a file whose check is
// not an id, implausible or missing timestamps — before its good ones. Every page built on the
// lists answers 200 and lists the good items, and nothing of the odd ones. Each odd item is one
// warning line per list read, naming the operation, index, field and reason but no value, and one
// count in hiveconsole_hive_invalid_items_total.
func TestInvalidHiveItemsAreSkipped(t *testing.T) {
	r := newObservedRig(t)
	good := goodLists(t, r.client)
	bad := invalidItems(good)
	before := len(r.fake.seen())
	r.fake.set(withItems(bad)) // from the start: the console has no reading of the lists without them
	r.tc.sync()
	b := r.tc.browser()
	b.signInAs(auth.RoleAdmin)

	pages := []struct {
		path, list, rows string
		size             int
	}{
		{"/checks?size=100", "/checks", `tr[data-testid="check-row"]`, 100},
		{"/customers?size=100", "/customers", `tr[data-testid="customer-row"]`, 100},
		{"/sessions?size=100", "/sessions", `tr[data-testid="session-row"]`, 100},
		{"/files", "/files", `tr[data-testid="file-row"]`, 25},
	}
	for _, p := range pages {
		resp := b.get(p.path)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: got %d, want 200", p.path, resp.StatusCode)
			continue
		}
		doc := resp.doc(t)
		assertOnlyGoodItems(t, p.path, resp, doc)
		shown := rowIDs(doc, p.rows, strings.TrimPrefix(p.list, "/"))
		if want := min(len(good[p.list]), p.size); len(shown) != want {
			t.Errorf("%s: got %d rows, want the %d good items", p.path, len(shown), want)
		}
		for _, id := range shown {
			if !slices.Contains(good[p.list], id) {
				t.Errorf("%s: row %q is not one of Hive's good items", p.path, id)
			}
		}
	}

	home := b.get("/")
	if home.StatusCode != http.StatusOK {
		t.Fatalf("/: got %d, want 200", home.StatusCode)
	}
	doc := home.doc(t)
	assertOnlyGoodItems(t, "/", home, doc)
	for stat, list := range map[string]string{"stat-users": "/customers", "stat-key": "/sessions", "stat-shield-check": "/checks"} {
		got := strings.TrimSpace(doc.Find(`[data-testid="` + stat + `"] .stat__value`).Text())
		if want := strconv.Itoa(len(good[list])); got != want {
			t.Errorf("overview %s: got %s, want %s, the good items only", stat, got, want)
		}
	}
	if n := doc.Find(`[data-testid="recent-checks"] [data-testid="check-row"]`).Length(); n == 0 {
		t.Error("overview: no recent checks, want the good ones")
	}

	// Lists are read in the background too: wait for every read the fake answered to be reported.
	for list, items := range bad {
		op := "GET " + list
		want := func() int { return len(items) * countOp(r.fake.seen()[before:], op) }
		deadline := time.Now().Add(5 * time.Second)
		for r.warnings(op) != want() || r.counted(t, op) != want() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: got %d warnings and a count of %d, want %d each (%d bad items × %d reads)\n%s",
					op, r.warnings(op), r.counted(t, op), want(), len(items), want()/len(items), r.hiveLogs.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
		if want() == 0 {
			t.Errorf("%s: Hive was never asked for the list", op)
		}
	}
	logs := r.hiveLogs.String() + r.logs.String()
	for _, leak := range []string{badName, badEmail, "alert(1)", "<script", traversalID, badStatus, "hijacked", "abc\""} {
		if strings.Contains(logs, leak) {
			t.Errorf("the log holds %q, a value of an invalid item:\n%s", leak, logs)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(r.hiveLogs.String()), "\n") {
		for _, attr := range []string{"op=", "index=", "field=", "reason="} {
			if !strings.Contains(line, attr) {
				t.Errorf("warning %q lacks %s", line, attr)
			}
		}
	}
}

func countOp(seen []string, op string) int {
	n := 0
	for _, s := range seen {
		if s == op {
			n++
		}
	}
	return n
}

// TestInvalidHiveObjectFailsOnlyItsPage: a single object Hive sends that is not fit to use is the
// 502 error page for that page alone, one warning and one count; other pages keep working.
func TestInvalidHiveObjectFailsOnlyItsPage(t *testing.T) {
	r := newObservedRig(t)
	checkPath := "/checks/" + r.checkID
	r.fake.set(&fault{name: "invalid check", only: func(path string) bool { return path == checkPath },
		serve: func(f *faultyHive, w http.ResponseWriter, req *http.Request) {
			rec := httptest.NewRecorder()
			f.proxy.ServeHTTP(rec, req)
			body := bytes.Replace(rec.Body.Bytes(), []byte(`"status":"complete"`), []byte(`"status":"`+badStatus+`"`), 1)
			answer(rec.Code, string(body))(f, w, req)
		}})
	b := r.tc.browser()
	b.signInAs(auth.RoleAdmin)

	resp := b.get(checkPath)
	if resp.StatusCode != http.StatusBadGateway || resp.doc(t).Find(`[data-testid="error-page"]`).Length() != 1 {
		t.Errorf("%s: got %d, want the 502 error page", checkPath, resp.StatusCode)
	}
	if strings.Contains(resp.Body, badStatus) {
		t.Errorf("%s: the error page shows the invalid value", checkPath)
	}
	for _, path := range []string{"/checks", "/customers/" + r.customerID, "/"} {
		if resp := b.get(path); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: got %d, want 200", path, resp.StatusCode)
		}
	}
	const op = "GET /checks/{id}"
	if n := r.counted(t, op); n != 1 {
		t.Errorf("invalid items counted for %s: got %d, want 1", op, n)
	}
	if n := r.warnings(op); n != 1 {
		t.Errorf("warnings for %s: got %d, want 1:\n%s", op, n, r.hiveLogs.String())
	}
}
