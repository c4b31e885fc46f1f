package handlers_test

// The chassis benchmarks: sign-in throughput and memory under 8 concurrent sign-ins, and
// the overview page against a bare Echo + templ page on the same machine. Everything runs over real
// loopback HTTP, as in helpers_test.go; the numbers and how to read them are in BENCHMARKS.md.
// None of them asserts a timing: they fail only when a request does.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/review"
	"github.com/hiveconsole/hiveconsole/static"
	"github.com/labstack/echo/v4"
)

// benchClients is how many staff the benchmarks simulate at once: SetParallelism(4) on this
// 2-core machine (GOMAXPROCS 2) runs 8 goroutines.
const (
	benchClients     = 8
	benchParallelism = 4
)

// benchConsole is the whole console over real HTTP, wired as newTestConsole wires it (which takes a
// *testing.T), with a real wall clock and the sandbox seeded with as many customers as asked.
type benchConsole struct {
	URL   string
	api   *hive.Client
	staff *auth.Service
	http  *http.Transport // shared by the benchmark's clients, so connections are reused
}

func newBenchConsole(b *testing.B, customers int, opts ...option) *benchConsole {
	b.Helper()
	ctx := context.Background()
	sb, err := sandbox.New(ctx, sandbox.Options{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := sb.Seed(ctx, sandbox.SeedOptions{Seed: 3, Customers: customers}); err != nil {
		b.Fatal(err)
	}
	sbHTTP := httptest.NewServer(sb)
	b.Cleanup(func() { sbHTTP.Close(); sb.Close() })
	creds := sb.Credentials()
	client, err := hive.New(hive.Config{BaseURL: sbHTTP.URL, APIKey: creds.APIKey, APISecret: hive.Secret(creds.APISecret),
		ApplicationKey: creds.ApplicationKey})
	if err != nil {
		b.Fatal(err)
	}
	db, err := database.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	srv := httptest.NewUnstartedServer(nil)
	base, _ := url.Parse("http://" + srv.Listener.Addr().String())
	acfg := auth.Config{BaseURL: base.String(), SessionKeys: [][]byte{[]byte(strings.Repeat("k", 32))},
		HashParams: auth.DefaultHashParams()}
	assets, err := static.Embedded()
	if err != nil {
		b.Fatal(err)
	}
	read := readmodel.New(db, nil)
	if err := readmodel.NewSyncer(read, client, readmodel.SyncConfig{}).Pass(ctx); err != nil {
		b.Fatal(err)
	}
	hcfg := handlers.Config{BaseURL: base, Sandbox: true, Hive: client, HivePing: client.Ping, Assets: assets, Read: read}
	for _, o := range opts {
		o(&hcfg, &acfg)
	}
	staff, err := auth.NewService(ctx, db, acfg)
	if err != nil {
		b.Fatal(err)
	}
	hcfg.Staff, hcfg.Sessions, hcfg.Reviews, hcfg.Audit = staff, staff.Sessions(), review.New(db, nil, 0), audit.New(db, nil)
	app, err := handlers.New(hcfg)
	if err != nil {
		b.Fatal(err)
	}
	srv.Config.Handler = app
	srv.Start()
	b.Cleanup(srv.Close)
	return &benchConsole{URL: srv.URL, api: client, staff: staff, http: newBenchTransport(b)}
}

// newBenchTransport keeps a connection per concurrent client alive; the default keeps only two
// per host, and the benchmarks would measure TCP handshakes instead of the console.
func newBenchTransport(b *testing.B) *http.Transport {
	tr := &http.Transport{MaxIdleConns: 4 * benchClients, MaxIdleConnsPerHost: 4 * benchClients}
	b.Cleanup(tr.CloseIdleConnections)
	return tr
}

// addUsers creates n staff members with role and returns their emails.
func (bc *benchConsole) addUsers(b *testing.B, n int, role auth.Role) []string {
	b.Helper()
	emails := make([]string, n)
	for i := range emails {
		emails[i] = fmt.Sprintf("%s%d@example.com", role, i)
		u := auth.NewUser{Email: emails[i], Name: fmt.Sprintf("Bench %s %d", role, i), Role: role, Password: testPassword}
		if _, err := bc.staff.CreateUser(context.Background(), u); err != nil {
			b.Fatal(err)
		}
	}
	return emails
}

// visitor is a fresh browser: its own cookie jar, redirects not followed.
func (bc *benchConsole) visitor() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Transport: bc.http, Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

// signIn does what a browser does: GET /login for the form and its token cookie, then POST it.
// It returns an error rather than failing, so RunParallel's goroutines may call it.
func (bc *benchConsole) signIn(c *http.Client, email string) error {
	resp, err := c.Get(bc.URL + "/login")
	if err != nil {
		return err
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	token, _ := doc.Find(`input[name="csrf_token"]`).Attr("value")
	form := url.Values{"email": {email}, "password": {testPassword}, "csrf_token": {token}}
	req, _ := http.NewRequest(http.MethodPost, bc.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err = c.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("POST /login as %s: got %d, want %d", email, resp.StatusCode, http.StatusSeeOther)
	}
	return nil
}

// BenchmarkLogin8 is sign-in through the real handlers by 8 concurrent staff members, each with their
// own account (per-account throttling is not what is measured) and a fresh cookie jar per sign-in.
// One op is one sign-in: GET /login, then POST /login with valid credentials, answered 303. The
// throttles are set out of reach, since every attempt comes from 127.0.0.1.
//
// Every sign-in verifies an argon2id hash (m=19 MiB, t=2): ~19 MiB and tens of milliseconds of one
// core, by design. The hashing semaphore admits GOMAXPROCS at once; the other sign-ins queue.
// peak-MB is the highest live-plus-unswept heap seen during the run, sampled every millisecond;
// base-MB is the heap after a GC just before it.
func BenchmarkLogin8(b *testing.B) {
	unlimited, delayless := auth.ThrottlePolicy{MaxFailures: 1 << 30, Window: time.Minute}, auth.DelayPolicy{FreeFailures: 1 << 30}
	bc := newBenchConsole(b, 12, func(_ *handlers.Config, a *auth.Config) {
		a.PairThrottle, a.AccountThrottle, a.AddressThrottle = delayless, delayless, unlimited
	})
	emails := bc.addUsers(b, benchClients, auth.RoleReviewer)
	var next atomic.Int64
	heap := watchHeap()
	b.ReportAllocs()
	b.SetParallelism(benchParallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		email := emails[int(next.Add(1)-1)%len(emails)]
		for pb.Next() {
			if err := bc.signIn(bc.visitor(), email); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	base, peak := heap.stop()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sign-ins/s")
	b.ReportMetric(float64(base)/(1<<20), "base-MB")
	b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
}

// heapWatch samples the heap in the background and keeps its peak.
type heapWatch struct {
	base  uint64
	peak  atomic.Uint64
	quit  chan struct{}
	ended chan struct{}
}

const heapMetric = "/memory/classes/heap/objects:bytes" // live objects and dead ones not yet swept

func watchHeap() *heapWatch {
	runtime.GC()
	h := &heapWatch{base: readHeap(), quit: make(chan struct{}), ended: make(chan struct{})}
	h.peak.Store(h.base)
	go func() {
		defer close(h.ended)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			h.record()
			select {
			case <-h.quit:
				return
			case <-tick.C:
			}
		}
	}()
	return h
}

func (h *heapWatch) record() {
	if v := readHeap(); v > h.peak.Load() {
		h.peak.Store(v)
	}
}

// stop ends the sampling and returns the baseline and the peak, in bytes.
func (h *heapWatch) stop() (base, peak uint64) {
	close(h.quit)
	<-h.ended
	return h.base, h.peak.Load()
}

func readHeap() uint64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// BenchmarkOverview is GET / for a signed-in admin, the sandbox seeded with the default demo data
// (150 customers). Each request checks the session in SQLite, makes three Hive list calls over
// loopback to the in-process sandbox (customers, sessions, checks: every item, to count them),
// decodes them, and renders the page. Compare with BenchmarkBarePage.
func BenchmarkOverview(b *testing.B) {
	bc := newBenchConsole(b, sandbox.DefaultDemoCustomers)
	emails := bc.addUsers(b, benchClients, auth.RoleAdmin)
	clients := make([]*http.Client, len(emails))
	for i, email := range emails {
		clients[i] = bc.visitor()
		if err := bc.signIn(clients[i], email); err != nil {
			b.Fatal(err)
		}
	}
	body, err := fetch(clients[0], bc.URL+"/")
	if err != nil {
		b.Fatal(err)
	}
	if want := fmt.Sprintf(`<span class="stat__value">%d</span>`, sandbox.DefaultDemoCustomers); !strings.Contains(body, want) {
		b.Fatalf("overview: got no %s in the page; is the sandbox seeded?", want)
	}
	benchPage(b, bc.URL+"/", clients, len(body))
}

// BenchmarkBarePage is the floor BenchmarkOverview is compared with: a bare Echo server with no
// middleware, one route rendering a static table of the overview's shape with a templ component,
// buffered as the console renders, over the same loopback HTTP.
func BenchmarkBarePage(b *testing.B) {
	e := echo.New()
	e.GET("/", func(c echo.Context) error {
		var buf strings.Builder
		if err := barePage(bareRows()).Render(c.Request().Context(), &buf); err != nil {
			return err
		}
		return c.HTMLBlob(http.StatusOK, []byte(buf.String()))
	})
	srv := httptest.NewServer(e)
	b.Cleanup(srv.Close)
	tr := newBenchTransport(b)
	clients := make([]*http.Client, benchClients)
	for i := range clients {
		clients[i] = &http.Client{Transport: tr}
	}
	body, err := fetch(clients[0], srv.URL+"/")
	if err != nil {
		b.Fatal(err)
	}
	benchPage(b, srv.URL+"/", clients, len(body))
}

// benchPage measures GET url one request at a time, then from 8 concurrent clients.
func benchPage(b *testing.B, url string, clients []*http.Client, size int) {
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := fetch(clients[0], url); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		b.ReportMetric(float64(size), "page-bytes")
	})
	b.Run("parallel", func(b *testing.B) {
		var next atomic.Int64
		b.ReportAllocs()
		b.SetParallelism(benchParallelism)
		b.RunParallel(func(pb *testing.PB) {
			c := clients[int(next.Add(1)-1)%len(clients)]
			for pb.Next() {
				if _, err := fetch(c, url); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		b.ReportMetric(float64(size), "page-bytes")
	})
}

// fetch GETs url and reads the whole body; anything but 200 is an error.
func fetch(c *http.Client, url string) (string, error) {
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: got %d, want %d", url, resp.StatusCode, http.StatusOK)
	}
	return string(body), nil
}

// bareRow is a row of the bare page's table.
type bareRow struct{ id, status, decision, created string }

// bareRows are ten rows like the overview's most recent checks, built per request as a handler
// builds its view model.
func bareRows() []bareRow {
	rows := make([]bareRow, 10)
	statuses := []string{"clear", "caution", "consider", "processing"}
	decisions := []string{"Approved", "Needs review", "Declined", "—"}
	for i := range rows {
		rows[i] = bareRow{id: fmt.Sprintf("%08x-4245-4eca-835c-4a160b93b030", i), status: statuses[i%4],
			decision: decisions[i%4], created: fmt.Sprintf("%d minutes ago", 5*i+1)}
	}
	return rows
}

// barePage renders a page of the overview's shape and size class (head, top bar, four counts, a
// ten-row table with badges and icons) with templ's escaping, and nothing else.
func barePage(rows []bareRow) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		var sb strings.Builder
		sb.WriteString(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`)
		sb.WriteString(`<title>Overview · Bare</title><link rel="stylesheet" href="/static/app.css"></head><body><div class="app">`)
		sb.WriteString(`<header class="topbar"><a class="brand" href="/">Bare</a><nav class="nav"><a class="nav__link" href="/" aria-current="page">`)
		sb.WriteString(bareIcon("home") + `Overview</a></nav><details class="user-menu"><summary><span class="avatar" aria-hidden="true">BA</span> `)
		sb.WriteString(`<span class="user-menu__name">Bare Admin</span></summary><div class="user-menu__panel"><strong>Bare Admin</strong><span>admin@example.com · admin</span>`)
		sb.WriteString(`<form method="post" action="/logout"><button class="user-menu__item" type="submit">` + bareIcon("log-out") + ` Sign out</button></form></div></details>`)
		sb.WriteString(`</header><main class="main" id="main"><h1 class="page-header__title">Overview</h1>`)
		sb.WriteString(`<div class="grid grid--4">`)
		for i, label := range []string{"Customers", "SDK sessions", "Checks", "Processing"} {
			fmt.Fprintf(&sb, `<div class="stat"><span class="stat__label">%s%s</span><span class="stat__value">%d</span></div>`,
				bareIcon("users"), templ.EscapeString(label), 150*(i+1))
		}
		sb.WriteString(`</div><div class="card"><table class="table" data-testid="recent-checks"><thead><tr>`)
		sb.WriteString(`<th scope="col">Check</th><th scope="col">Result</th><th scope="col">Decision</th><th scope="col">Created</th></tr></thead><tbody>`)
		for _, r := range rows {
			id := templ.EscapeString(r.id)
			fmt.Fprintf(&sb, `<tr><td><span class="chip" data-testid="id-chip"><span class="truncate">%s</span> <button class="copy" type="button" data-copy="%s" aria-label="Copy %s">%s</button></span></td>`,
				id, id, id, bareIcon("copy"))
			fmt.Fprintf(&sb, `<td><span class="badge badge--%s" data-testid="status-badge" data-status="%s">%s%s</span></td><td>%s</td>`,
				r.status, r.status, bareIcon("check-circle"), templ.EscapeString(r.status), templ.EscapeString(r.decision))
			fmt.Fprintf(&sb, `<td class="nowrap"><time datetime="2026-11-26T10:40:27Z" title="26 Nov 2026, 10:40:27 UTC">%s</time></td></tr>`,
				templ.EscapeString(r.created))
		}
		sb.WriteString(`</tbody></table></div></main></div></body></html>`)
		_, err := io.WriteString(w, sb.String())
		return err
	})
}

func bareIcon(name string) string {
	return `<svg class="icon" aria-hidden="true"><use href="/static/icons.svg#i-` + name + `"></use></svg>`
}

// BenchmarkCustomersPage is the customer list with a search and a sort, at 1k, 10k and 100k
// sandbox customers, next to what the same data costs straight from the API (GET /customers,
// decoded): the list page reads a shared snapshot, so its cost should barely grow with the count.
func BenchmarkCustomersPage(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("%d", n), func(b *testing.B) {
			bc := newBenchConsole(b, n)
			emails := bc.addUsers(b, 1, auth.RoleSupport)
			c := bc.visitor()
			if err := bc.signIn(c, emails[0]); err != nil {
				b.Fatal(err)
			}
			url := bc.URL + "/customers?q=an&sort=name&page=2"
			body, err := fetch(c, url) // builds the snapshot
			if err != nil {
				b.Fatal(err)
			}
			if !strings.Contains(body, `data-testid="customer-row"`) {
				b.Fatal("no rows on the page")
			}
			b.Run("page", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := fetch(c, url); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("api", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := bc.api.ListCustomers(context.Background()); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
