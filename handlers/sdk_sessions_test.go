package handlers_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
)

// sandboxSimulator plays the SDK on the test console's own sandbox, in process, as sandbox mode's
// embedded sandbox does for the real console.
type sandboxSimulator struct{ srv *sandbox.Server }

func (s *sandboxSimulator) Scenarios() []handlers.Scenario {
	var out []handlers.Scenario
	for _, sc := range sandbox.Scenarios() {
		out = append(out, handlers.Scenario{Name: string(sc.Scenario), Title: sc.Title, Description: sc.Description, Result: string(sc.Result)})
	}
	return out
}

func (s *sandboxSimulator) CompleteSession(ctx context.Context, id, scenario string) error {
	sc, err := sandbox.ParseScenario(scenario)
	if err != nil {
		return err
	}
	_, err = s.srv.CompleteSession(ctx, id, sc)
	return err
}

// lockedBuffer collects the console's log lines from concurrent requests.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }

// newSandboxConsole is a test console in sandbox mode with the simulator wired, logging into logs.
func newSandboxConsole(t *testing.T, logs *lockedBuffer) *testConsole {
	t.Helper()
	sim := &sandboxSimulator{}
	tc := newTestConsole(t, func(h *handlers.Config, _ *auth.Config) {
		h.Simulator = sim
		h.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	sim.srv = tc.sb // bound before any request reaches the console
	return tc
}

// sessionRows reads the list's rows: session id and status.
func sessionRows(t *testing.T, r response) (ids []string, statuses []string) {
	t.Helper()
	r.doc(t).Find(`[data-testid="session-row"]`).Each(func(_ int, s *goquery.Selection) {
		ids = append(ids, strings.TrimPrefix(s.Find(`[data-testid="session-link"]`).AttrOr("href", ""), "/sessions/"))
		statuses = append(statuses, s.Find(`[data-testid="session-status"]`).AttrOr("data-status", ""))
	})
	return ids, statuses
}

func pagerInfo(t *testing.T, r response) string {
	t.Helper()
	return strings.Join(strings.Fields(r.doc(t).Find(".pagination__info").Text()), " ")
}

// TestSessionList: filters, sort and paging over a real sandbox's sessions, with their URLs.
func TestSessionList(t *testing.T) {
	tc := newTestConsole(t)
	ctx := context.Background()
	customers, err := tc.api.ListCustomers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Enough sessions for three pages of 25, some waiting for the customer whatever the seed did.
	for i := 0; i < 60; i++ {
		if _, err := tc.api.CreateSession(ctx, hive.SessionParams{CustomerID: customers.Data[i%3].ID}); err != nil {
			t.Fatal(err)
		}
	}
	tc.sync()
	all, err := tc.api.ListSessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]hive.Session{}
	for _, s := range all.Data {
		byID[s.ID] = s
	}
	total := len(all.Data)
	b := tc.browser()
	b.signInAs(auth.RoleSupport) // sees emails in clear, so searches them

	first := b.get("/sessions")
	ids, _ := sessionRows(t, first)
	if first.StatusCode != 200 || len(ids) != 25 || ids[0] != all.Data[0].ID {
		t.Fatalf("default view: got %d, %d rows, first %v; want 25 rows, newest %s first", first.StatusCode, len(ids), ids[:min(1, len(ids))], all.Data[0].ID)
	}
	if nav := first.doc(t).Find(`[data-testid="nav"] a[aria-current="page"]`).Text(); !strings.Contains(nav, "Sessions") {
		t.Errorf("navigation: current entry %q, want Sessions", nav)
	}

	t.Run("status filters partition the list", func(t *testing.T) {
		sum := 0
		for _, st := range []string{"created", "completed", "expired"} {
			r := b.get("/sessions?size=100&status=" + st)
			_, statuses := sessionRows(t, r)
			for _, got := range statuses {
				if got != st {
					t.Errorf("status=%s: a %s row", st, got)
				}
			}
			if st == "created" && len(statuses) < 60 {
				t.Errorf("status=created: got %d rows, want at least the 60 just issued", len(statuses))
			}
			sum += len(statuses)
		}
		if sum != total {
			t.Errorf("created + completed + expired = %d, want every session (%d)", sum, total)
		}
	})

	target := customers.Data[len(customers.Data)-1]
	var want []string
	for _, s := range all.Data {
		if s.CustomerID == target.ID {
			want = append(want, s.ID)
		}
	}
	tests := []struct {
		name, query string
		check       func(t *testing.T, ids []string)
	}{
		{"customer by id", "customer=" + target.ID, func(t *testing.T, ids []string) {
			if !slices.Equal(ids, want) {
				t.Errorf("got %v, want %v", ids, want)
			}
		}},
		{"customer by email, any case", "size=100&customer=" + url.QueryEscape(strings.ToUpper(customers.Data[0].Email)), func(t *testing.T, ids []string) {
			if len(ids) < 20 {
				t.Fatalf("got %d rows, want the 20 issued for %s and theirs", len(ids), customers.Data[0].Email)
			}
			for _, id := range ids {
				if byID[id].CustomerID != customers.Data[0].ID {
					t.Errorf("%s belongs to someone else", id)
				}
			}
		}},
		{"oldest first", "dir=asc", func(t *testing.T, ids []string) {
			if ids[0] != all.Data[total-1].ID {
				t.Errorf("got %s first, want the oldest %s", ids[0], all.Data[total-1].ID)
			}
		}},
		{"expires, latest first", "sort=expires&size=100", func(t *testing.T, ids []string) {
			for i := 1; i < len(ids); i++ {
				if byID[ids[i-1]].ExpiresAt.Before(byID[ids[i]].ExpiresAt) {
					t.Fatalf("not descending at %d", i)
				}
			}
		}},
		{"expires, soonest first", "sort=expires&dir=asc&size=100", func(t *testing.T, ids []string) {
			for i := 1; i < len(ids); i++ {
				if byID[ids[i-1]].ExpiresAt.After(byID[ids[i]].ExpiresAt) {
					t.Fatalf("not ascending at %d", i)
				}
			}
		}},
		{"nonsense parameters fall back", "sort=%3Cx%3E&size=7&page=-2&status=maybe&dir=up", func(t *testing.T, ids []string) {
			if len(ids) != 25 || ids[0] != all.Data[0].ID {
				t.Errorf("got %d rows", len(ids))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.get("/sessions?" + tt.query)
			if r.StatusCode != 200 {
				t.Fatalf("status %d", r.StatusCode)
			}
			ids, _ := sessionRows(t, r)
			tt.check(t, ids)
		})
	}

	t.Run("status sort, both directions", func(t *testing.T) {
		order := []string{"created", "completed", "expired"}
		for _, dir := range []string{"asc", "desc"} {
			_, statuses := sessionRows(t, b.get("/sessions?sort=status&size=100&dir="+dir))
			for i := 1; i < len(statuses); i++ {
				prev, cur := slices.Index(order, statuses[i-1]), slices.Index(order, statuses[i])
				if dir == "asc" && prev > cur || dir == "desc" && prev < cur {
					t.Fatalf("%s: %s before %s at %d", dir, statuses[i-1], statuses[i], i)
				}
			}
		}
	})

	t.Run("paging", func(t *testing.T) {
		last := (total + 24) / 25
		lastRows := total - 25*(last-1)
		pages := []struct {
			query, info string
			rows        int
		}{
			{"page=2", "Showing 26–50 of " + strconv.Itoa(total), 25},
			{"page=" + strconv.Itoa(last), "Showing " + strconv.Itoa(25*(last-1)+1) + "–" + strconv.Itoa(total) + " of " + strconv.Itoa(total), lastRows},
			{"page=999", "Showing " + strconv.Itoa(25*(last-1)+1) + "–" + strconv.Itoa(total) + " of " + strconv.Itoa(total), lastRows},
			{"size=50&page=2", "Showing 51–" + strconv.Itoa(min(100, total)) + " of " + strconv.Itoa(total), min(50, total-50)},
			{"customer=zzzz-nobody", "No results", 0},
		}
		for _, p := range pages {
			r := b.get("/sessions?" + p.query)
			ids, _ := sessionRows(t, r)
			if info := pagerInfo(t, r); info != p.info || len(ids) != p.rows {
				t.Errorf("%q: got %q and %d rows, want %q and %d", p.query, info, len(ids), p.info, p.rows)
			}
		}
		empty := b.get("/sessions?customer=zzzz-nobody")
		if empty.doc(t).Find(`[data-testid="empty-state"]`).Length() != 1 {
			t.Error("an empty result shows no empty state")
		}
		next := b.get("/sessions?status=created&sort=expires").doc(t).Find(`[data-testid="page-2"]`).AttrOr("href", "")
		if !strings.Contains(next, "status=created") || !strings.Contains(next, "sort=expires") || !strings.Contains(next, "page=2") {
			t.Errorf("the page 2 link loses the query: %q", next)
		}
	})

	t.Run("Datastar fragment keeps the address in step", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, tc.URL+"/sessions/table?datastar="+url.QueryEscape(`{"status":"created","page":2,"size":25}`), nil)
		req.Header.Set("Datastar-Request", "true")
		r := b.do(req)
		if r.StatusCode != 200 || !strings.Contains(r.Body, "event: datastar-patch-elements") ||
			!strings.Contains(r.Body, `replaceState({}, "", "/sessions?page=2&status=created")`) {
			t.Errorf("got %d:\n%s", r.StatusCode, r.Body)
		}
		if strings.Contains(r.Body, "data-signals") {
			t.Error("the fragment must not carry signals: only the page's query is a signal")
		}
	})

	t.Run("without a simulator there is no simulation", func(t *testing.T) {
		support := tc.browser()
		support.signInAs(auth.RoleSupport)
		open := all.Data[0] // just issued: waiting for the customer
		page := support.get("/sessions/" + open.ID)
		if page.StatusCode != 200 || page.doc(t).Find(`[data-testid="simulate-form"]`).Length() != 0 {
			t.Errorf("detail: got %d with a simulate form", page.StatusCode)
		}
		if r := support.post("/sessions/"+open.ID+"/simulate", url.Values{"scenario": {"clear"}}); r.StatusCode != http.StatusNotFound {
			t.Errorf("simulate: got %d, want 404", r.StatusCode)
		}
		if s, _ := tc.api.GetSession(ctx, open.ID); s.Status != hive.SessionCreated {
			t.Errorf("the session changed: %s", s.Status)
		}
	})
}

// TestSessionDetail: the page shows the customer, status, expiry and check; unknown and malformed
// ids are 404s that never reach Hive's pages.
func TestSessionDetail(t *testing.T) {
	tc := newTestConsole(t)
	ctx := context.Background()
	all, err := tc.api.ListSessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var withCheck *hive.Session
	for i := range all.Data {
		if all.Data[i].CheckID != nil {
			withCheck = &all.Data[i]
			break
		}
	}
	if withCheck == nil {
		t.Fatal("no seeded session has a check")
	}
	b := tc.browser()
	b.signInAs(auth.RoleReviewer)
	r := b.get("/sessions/" + withCheck.ID)
	if r.StatusCode != 200 {
		t.Fatalf("got %d", r.StatusCode)
	}
	doc := r.doc(t)
	if href := doc.Find(`[data-testid="session"] [data-testid="session-customer-link"]`).AttrOr("href", ""); href != "/customers/"+withCheck.CustomerID {
		t.Errorf("customer link %q", href)
	}
	if got := strings.TrimSpace(doc.Find(`[data-testid="session-check"] [data-testid="id-chip"]`).Text()); got != *withCheck.CheckID {
		t.Errorf("check: got %q, want %q", got, *withCheck.CheckID)
	}
	if got := doc.Find(`[data-testid="session"] [data-testid="session-status"]`).AttrOr("data-status", ""); got != string(withCheck.Status) {
		t.Errorf("status: got %q, want %q", got, withCheck.Status)
	}
	if doc.Find(`[data-testid="delete-session"]`).Length() != 0 {
		t.Error("a reviewer is offered delete")
	}

	fresh, err := tc.api.CreateSession(ctx, hive.SessionParams{CustomerID: withCheck.CustomerID})
	if err != nil {
		t.Fatal(err)
	}
	claims, err := tc.sb.VerifySessionToken(fresh.Token)
	if err != nil {
		t.Fatal(err)
	}
	expires := strings.TrimSpace(b.get("/sessions/" + claims.SessionID).doc(t).Find(`[data-testid="session-expires"] [data-testid="expires-in"]`).Text())
	if expires != "in 89 min" && expires != "in 90 min" {
		t.Errorf("a new session expires %q, want in 89 or 90 min", expires)
	}

	for _, id := range []string{"8462e8ce-4245-4eca-835c-4a160b93b030", "not-an-id", "..%2F..%2Fcustomers", strings.ToUpper(withCheck.ID) + "x"} {
		if r := b.get("/sessions/" + id); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: got %d, want 404", id, r.StatusCode)
		}
	}
}

// TestReadTokenClaims: the session id and expiry the issued-session page shows come from the
// token's claims, read from a real sandbox token; a malformed token yields nothing.
func TestReadTokenClaims(t *testing.T) {
	tc := newTestConsoleWith(t, 1)
	ctx := context.Background()
	customers, err := tc.api.ListCustomers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tc.api.CreateSession(ctx, hive.SessionParams{CustomerID: customers.Data[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	want, err := tc.sb.VerifySessionToken(tok.Token)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := handlers.ReadTokenClaims(tok.Token)
	if !ok {
		t.Fatal("a sandbox token: got ok=false, want its claims")
	}
	if got.SessionID != want.SessionID {
		t.Errorf("session id: got %q, want %q", got.SessionID, want.SessionID)
	}
	if got.ExpiresAt == nil || !got.ExpiresAt.Equal(want.ExpiresAt.Time) {
		t.Errorf("expiry: got %v, want %v", got.ExpiresAt, want.ExpiresAt)
	}

	parts := strings.Split(tok.Token, ".")
	header, payload, sig := parts[0], parts[1], parts[2]
	enc := base64.RawURLEncoding.EncodeToString
	malformed := []struct{ name, token string }{
		{"empty", ""},
		{"not a JWT", "opaque-session-token"},
		{"two segments", header + "." + payload},
		{"four segments", tok.Token + "." + sig},
		{"header not base64url", "!!." + payload + "." + sig},
		{"header not JSON", enc([]byte("HS256")) + "." + payload + "." + sig},
		{"payload not base64url", header + ".!!." + sig},
		{"payload not JSON", header + "." + enc([]byte("session d877920")) + "." + sig},
		{"payload not an object", header + "." + enc([]byte(`["session_id"]`)) + "." + sig},
		{"session id not a string", header + "." + enc([]byte(`{"session_id":7,"exp":1602252214}`)) + "." + sig},
		{"exp not a date", header + "." + enc([]byte(`{"session_id":"x","exp":"soon"}`)) + "." + sig},
	}
	for _, tt := range malformed {
		t.Run(tt.name, func(t *testing.T) {
			if got, ok := handlers.ReadTokenClaims(tt.token); ok {
				t.Errorf("ReadTokenClaims(%q): got %+v, ok=true; want ok=false", tt.token, got)
			}
		})
	}
}

// TestIssueSession: the token is shown once, on the response to the POST, and nowhere after: not
// on the session's page, the list, the customer's page, nor in the console's logs.
func TestIssueSession(t *testing.T) {
	var logs lockedBuffer
	tc := newSandboxConsole(t, &logs)
	ctx := context.Background()
	customers, err := tc.api.ListCustomers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cust := customers.Data[0]
	b := tc.browser()
	b.signInAs(auth.RoleSupport)
	before := b.get("/sessions")

	r := b.post("/customers/"+cust.ID+"/sessions", nil)
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("issue: got %d", r.StatusCode)
	}
	doc := r.doc(t)
	token := strings.TrimSpace(doc.Find(`[data-testid="session-token"]`).Text())
	claims, err := tc.sb.VerifySessionToken(token)
	if err != nil {
		t.Fatalf("the page's token %q does not verify: %v", token, err)
	}
	if claims.CustomerID != cust.ID {
		t.Errorf("token for %s, want %s", claims.CustomerID, cust.ID)
	}
	if copyBtn := doc.Find(`[data-testid="copy-token"]`).AttrOr("data-copy", ""); copyBtn != token {
		t.Error("the copy button does not copy the token")
	}
	if href := doc.Find(`[data-testid="view-session"]`).AttrOr("href", ""); href != "/sessions/"+claims.SessionID {
		t.Errorf("view session link %q, want /sessions/%s", href, claims.SessionID)
	}
	if doc.Find(`[data-signals]`).Length() != 0 {
		t.Error("the token page carries Datastar signals")
	}
	if snip := doc.Find(`[data-testid="sdk-snippets"]`).Text(); !strings.Contains(snip, "sessionToken") {
		t.Errorf("no SDK snippet: %q", snip)
	}
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}

	after := b.get("/sessions")
	if ids, _ := sessionRows(t, after); len(ids) == 0 || ids[0] != claims.SessionID {
		t.Errorf("the list was not refreshed: first row of %d, want %s", len(ids), claims.SessionID)
	}
	if before.StatusCode != 200 {
		t.Fatal(before.StatusCode)
	}
	for _, path := range []string{"/sessions/" + claims.SessionID, "/sessions", "/customers/" + cust.ID, "/sessions?customer=" + cust.ID} {
		if page := b.get(path); page.StatusCode != 200 || strings.Contains(page.Body, token) {
			t.Errorf("%s: got %d, token present=%v", path, page.StatusCode, strings.Contains(page.Body, token))
		}
	}
	if strings.Contains(logs.String(), token) || strings.Contains(logs.String(), strings.Split(token, ".")[2]) {
		t.Error("the token reached the logs")
	}

	for _, id := range []string{"8462e8ce-4245-4eca-835c-4a160b93b030", "not-an-id"} {
		if r := b.post("/customers/"+id+"/sessions", nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("issue for %s: got %d, want 404", id, r.StatusCode)
		}
	}
}

// TestDeleteSession: only with the session's CSRF token; then the session is gone from Hive and
// from the list.
func TestDeleteSession(t *testing.T) {
	var logs lockedBuffer
	tc := newSandboxConsole(t, &logs)
	ctx := context.Background()
	all, err := tc.api.ListSessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	victim := all.Data[len(all.Data)/2]
	admin := tc.browser()
	admin.signInAs(auth.RoleAdmin)
	page := admin.get("/sessions/" + victim.ID)
	if page.doc(t).Find(`dialog#delete-session [data-testid="delete-session-confirm"]`).Length() != 1 {
		t.Fatal("the admin is not offered a confirmed delete")
	}
	if r := admin.post("/sessions/"+victim.ID+"/delete", url.Values{"csrf_token": {"forged"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("forged token: got %d, want 403", r.StatusCode)
	}
	if _, err := tc.api.GetSession(ctx, victim.ID); err != nil {
		t.Fatalf("a refused delete deleted: %v", err)
	}
	r := admin.post("/sessions/"+victim.ID+"/delete", nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/sessions" {
		t.Fatalf("delete: got %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	if _, err := tc.api.GetSession(ctx, victim.ID); !errors.Is(err, hive.ErrNotFound) {
		t.Errorf("after delete, Hive says %v", err)
	}
	list := admin.get("/sessions?size=100")
	if flash := list.doc(t).Find(`[data-testid="flash"]`).Text(); !strings.Contains(flash, "deleted") {
		t.Errorf("flash %q", flash)
	}
	if ids, _ := sessionRows(t, list); slices.Contains(ids, victim.ID) {
		t.Error("the deleted session is still listed")
	}
	if r := admin.get("/sessions/" + victim.ID); r.StatusCode != http.StatusNotFound {
		t.Errorf("detail after delete: %d", r.StatusCode)
	}
	if r := admin.post("/sessions/"+victim.ID+"/delete", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("deleting twice: got %d, want 404", r.StatusCode)
	}
}

// TestSimulateSession: in sandbox mode a created session can be submitted as the SDK would, with a
// scenario; a completed one cannot.
func TestSimulateSession(t *testing.T) {
	var logs lockedBuffer
	tc := newSandboxConsole(t, &logs)
	ctx := context.Background()
	customers, _ := tc.api.ListCustomers(ctx)
	tok, err := tc.api.CreateSession(ctx, hive.SessionParams{CustomerID: customers.Data[1].ID})
	if err != nil {
		t.Fatal(err)
	}
	claims, _ := tc.sb.VerifySessionToken(tok.Token)
	id := claims.SessionID
	support := tc.browser()
	support.signInAs(auth.RoleSupport)

	page := support.get("/sessions/" + id)
	form := page.doc(t).Find(`[data-testid="simulate-form"]`)
	if form.Length() != 1 || form.Find(`input[name="scenario"]`).Length() != len(sandbox.Scenarios()) {
		t.Fatalf("simulate form: %d forms, %d scenarios", form.Length(), form.Find(`input[name="scenario"]`).Length())
	}
	if form.Find(`input[name="scenario"][checked]`).Length() != 1 {
		t.Error("no scenario is chosen by default")
	}

	if r := support.post("/sessions/"+id+"/simulate", url.Values{"scenario": {"<nonsense>"}}); r.StatusCode != http.StatusUnprocessableEntity ||
		r.doc(t).Find(`[data-testid="error-scenario"]`).Length() != 1 {
		t.Errorf("unknown scenario: got %d", r.StatusCode)
	}
	r := support.post("/sessions/"+id+"/simulate", url.Values{"scenario": {"face_mismatch"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/sessions/"+id {
		t.Fatalf("simulate: got %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	if s, _ := tc.api.GetSession(ctx, id); s.Status != hive.SessionCompleted {
		t.Errorf("Hive says %s, want completed", s.Status)
	}
	done := support.get("/sessions/" + id)
	doc := done.doc(t)
	if flash := doc.Find(`[data-testid="flash"]`).Text(); !strings.Contains(flash, "Submitted as the SDK would, scenario") || !strings.Contains(flash, "Face mismatch") {
		t.Errorf("flash %q", flash)
	}
	if st := doc.Find(`[data-testid="session"] [data-testid="session-status"]`).AttrOr("data-status", ""); st != "completed" {
		t.Errorf("status %q", st)
	}
	if doc.Find(`[data-testid="simulate-form"]`).Length() != 0 {
		t.Error("a completed session still offers simulation")
	}
	if sum := doc.Find(`[data-testid="session-summary"]`).Text(); sum != "completed just now" {
		t.Errorf("summary %q, want completed just now", sum)
	}
	if _, statuses := sessionRows(t, support.get("/sessions?customer="+customers.Data[1].ID)); len(statuses) == 0 || statuses[0] != "completed" {
		t.Errorf("the list was not refreshed: %v", statuses)
	}

	again := support.post("/sessions/"+id+"/simulate", url.Values{"scenario": {"clear"}})
	if again.StatusCode != http.StatusConflict || !strings.Contains(again.doc(t).Find(`[data-testid="form-error"]`).Text(), "completed") {
		t.Errorf("simulating a completed session: got %d", again.StatusCode)
	}
	if r := support.post("/sessions/8462e8ce-4245-4eca-835c-4a160b93b030/simulate", url.Values{"scenario": {"clear"}}); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown session: got %d, want 404", r.StatusCode)
	}
	auditor := tc.browser()
	auditor.signInAs(auth.RoleAuditor)
	if auditor.get("/sessions/"+id).doc(t).Find(`[data-testid="simulate-form"], [data-testid="delete-session"]`).Length() != 0 {
		t.Error("an auditor is offered actions")
	}
}

// TestSessionXSS: a customer whose names are markup is shown as text in the list, the fragment
// and the detail page.
func TestSessionXSS(t *testing.T) {
	tc := newTestConsole(t)
	ctx := context.Background()
	c, err := tc.api.CreateCustomer(ctx, hive.CustomerParams{Email: hive.String("hostile@example.com"),
		FirstName: hive.String(`<script>alert(1)</script>`), LastName: hive.String(`"><img src=x onerror=alert(2)>`)})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tc.api.CreateSession(ctx, hive.SessionParams{CustomerID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	claims, _ := tc.sb.VerifySessionToken(tok.Token)
	tc.sync()
	b := tc.browser()
	b.signInAs(auth.RoleSupport)
	pages := map[string]response{
		"list":   b.get("/sessions?customer=hostile"),
		"detail": b.get("/sessions/" + claims.SessionID),
	}
	req, _ := http.NewRequest(http.MethodGet, tc.URL+"/sessions/table?datastar="+url.QueryEscape(`{"customer":"hostile"}`), nil)
	req.Header.Set("Datastar-Request", "true")
	pages["fragment"] = b.do(req)
	for name, r := range pages {
		if r.StatusCode != 200 {
			t.Fatalf("%s: %d", name, r.StatusCode)
		}
		if r.doc(t).Find("img[onerror]").Length() != 0 || strings.Contains(r.Body, "<script>alert") {
			t.Errorf("%s: hostile markup became markup", name)
		}
		if !strings.Contains(r.Body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s: the hostile name is not shown as text", name)
		}
	}
	if ids, _ := sessionRows(t, pages["list"]); len(ids) != 1 || ids[0] != claims.SessionID {
		t.Errorf("list: got %v, want the hostile customer's session", ids)
	}
}
