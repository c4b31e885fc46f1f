// Command loadgen measures the console under load: a `hiveconsole sandbox` seeded
// with 10,000 customers, a `hiveconsole serve` against it, and simulated staff who sign in and browse
// lists, details and reports for a fixed time at 50 and then 200 at once, while 200 SSE streams are
// held open. It reports throughput, latency percentiles, errors and the console's resident memory,
// compares throughput with a bare Echo + templ page served by this process in the same run, and ends
// with a graceful shutdown under load: in-flight requests must finish, streams must end, the console
// must exit 0, and the audit trail must hold exactly one report view per report served.
//
//	go run ./cmd/loadgen                       # defaults: 10,000 customers, 60 s per level
//	go run ./cmd/loadgen -duration 10s -customers 2000 -users 20,50
//	go run ./cmd/loadgen -scale /path/to/sandbox-data  # the copy of Hive at scale (see scale.go)
//
// Everything listens on 127.0.0.1. Nothing asserts a timing; the exit status is non-zero only when
// a goal that is not a timing fails (errors, a lost audit row, a stream dropped, a bad exit).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

const (
	adminEmail    = "admin@load.test"
	adminPassword = "a long load-test passphrase"
	apiKey        = "load-key"
	apiSecret     = "load-secret-load-secret"
	appKey        = "load-application-key"
)

type options struct {
	bin       string
	customers int
	duration  time.Duration
	users     []int
	streams   int
	keep      bool
	dbURL     string // the scale run's console database: PostgreSQL when set
}

func main() {
	var o options
	var users, scale string
	flag.StringVar(&scale, "scale", "-", "measure the console's copy of Hive instead: first sync, memory, list pages, restart; "+
		"the value is a sandbox data directory to copy (\"\" seeds -customers instead)")
	flag.StringVar(&o.bin, "bin", "", "hiveconsole binary (default: go build it)")
	flag.IntVar(&o.customers, "customers", 10000, "customers to seed the sandbox with")
	flag.DurationVar(&o.duration, "duration", 60*time.Second, "how long each load level runs")
	flag.StringVar(&users, "users", "50,200", "concurrent signed-in users, one level each")
	flag.IntVar(&o.streams, "streams", 200, "SSE streams held open during the last level")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory")
	flag.StringVar(&o.dbURL, "database-url", "", "scale run: the console's PostgreSQL database, fresh (default SQLite in the work directory)")
	flag.Parse()
	for _, s := range strings.Split(users, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			fmt.Fprintln(os.Stderr, "loadgen: -users wants numbers such as 50,200")
			os.Exit(2)
		}
		o.users = append(o.users, n)
	}
	if scale != "-" {
		if err := scaleRun(o, scale); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// proc is a started hiveconsole process.
type proc struct {
	cmd  *exec.Cmd
	url  string
	done chan error
}

func run(o options) error {
	work, err := os.MkdirTemp("", "hiveconsole-load")
	if err != nil {
		return err
	}
	if !o.keep {
		defer os.RemoveAll(work)
	}
	if o.bin == "" {
		o.bin = filepath.Join(work, "hiveconsole")
		build := exec.Command("go", "build", "-o", o.bin, ".")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build: %w", err)
		}
	}
	fmt.Printf("# Load run %s\n\n", time.Now().UTC().Format(time.RFC3339))

	start := time.Now()
	sbAddr := freeAddr()
	sb, err := startProc(o.bin, []string{"sandbox", "--addr", sbAddr, "--data-dir", filepath.Join(work, "sandbox"),
		"--customers", strconv.Itoa(o.customers), "--check-delay", "30m", "--api-key", apiKey, "--api-secret", apiSecret,
		"--application-key", appKey}, nil, "http://"+sbAddr+"/sandbox/scenarios")
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	defer stop(sb)
	fmt.Printf("- sandbox seeded with %d customers in %s\n", o.customers, time.Since(start).Round(100*time.Millisecond))

	api := &hiveAPI{base: sb.url}
	customers, checks, err := api.ids()
	if err != nil {
		return err
	}
	live, err := api.processingCheck()
	if err != nil {
		return err
	}

	consoleAddr := freeAddr()
	dataDir := filepath.Join(work, "console")
	env := []string{"HIVECONSOLE_ADDR=" + consoleAddr, "HIVECONSOLE_DATA_DIR=" + dataDir, "HIVECONSOLE_ADMIN_EMAIL=" + adminEmail,
		"HIVECONSOLE_ADMIN_PASSWORD=" + adminPassword, "HIVE_API_URL=" + sb.url, "HIVE_API_KEY=" + apiKey,
		"HIVE_API_SECRET=" + apiSecret, "HIVE_APPLICATION_KEY=" + appKey,
		// Simulated staff sign in with a password: the load is the console's pages, not second factors.
		"HIVECONSOLE_MFA_REQUIRED=none",
		// Every simulated user signs in from its own address, as staff behind an office proxy would.
		"HIVECONSOLE_TRUSTED_PROXIES=127.0.0.1/32"}
	consoleStart := time.Now()
	console, err := startProc(o.bin, []string{"serve"}, env, "http://"+consoleAddr+"/healthz")
	if err != nil {
		return fmt.Errorf("console: %w", err)
	}
	defer stop(console)
	pid := console.cmd.Process.Pid
	fmt.Printf("- console pid %d, %d customers and %d completed checks to browse\n", pid, len(customers), len(checks))

	var served servedCounter
	maxUsers := slices.Max(o.users)
	sessions, err := signInMany(console.url, max(maxUsers, o.streams))
	if err != nil {
		return err
	}
	// The console serves while its first sync copies Hive; the levels measure it afterwards, as a
	// deployment runs every day after its first minutes.
	for start := time.Now(); metric(sessions[0], console.url, `hiveconsole_sync_pass_duration_seconds_count{kind="reports"}`) == "?"; {
		if time.Since(start) > 30*time.Minute {
			return fmt.Errorf("the first sync did not finish in 30 minutes")
		}
		time.Sleep(250 * time.Millisecond)
	}
	fmt.Printf("- the console's first sync of Hive done %s after it started\n\n", time.Since(consoleStart).Round(100*time.Millisecond))

	bare := startBare()
	defer bare.Close()

	fmt.Println("| level | requests | req/s | errors | p50 | p90 | p99 | p99 ÷ p50 | max | console RSS peak | CPU: console / sandbox / load | bare page req/s | console ÷ bare |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	failed := false
	var held *streamSet
	for i, n := range o.users {
		if i == len(o.users)-1 && o.streams > 0 {
			held, err = openStreams(console.url, sessions[:o.streams], live)
			if err != nil {
				return err
			}
		}
		rss := watchRSS(pid)
		cpu0 := [3]time.Duration{cpuTime(pid), cpuTime(sb.cmd.Process.Pid), cpuTime(os.Getpid())}
		res := browse(console.url, sessions[:n], customers, checks, o.duration, &served)
		cpu1 := [3]time.Duration{cpuTime(pid), cpuTime(sb.cmd.Process.Pid), cpuTime(os.Getpid())}
		peak := rss.stop()
		share := func(i int) string {
			return fmt.Sprintf("%.2f", (cpu1[i]-cpu0[i]).Seconds()/res.elapsed.Seconds())
		}
		bareRes := hammer(bare.URL, n, min(o.duration, 15*time.Second))
		fmt.Printf("| %d users | %d | %.0f | %d | %s | %s | %s | %.1f× | %s | %.0f MiB | %s / %s / %s cores | %.0f | %.3f× |\n",
			n, res.count, res.rate(), res.errors, ms(res.pct(50)), ms(res.pct(90)), ms(res.pct(99)),
			float64(res.pct(99))/float64(max(res.pct(50), 1)), ms(res.pct(100)), float64(peak)/1024,
			share(0), share(1), share(2), bareRes.rate(), res.rate()/bareRes.rate())
		res.kinds()
		if res.errors > 0 {
			failed = true
			fmt.Fprintf(os.Stderr, "errors at %d users: %v\n", n, res.sample)
		}
	}
	fmt.Println()
	if held != nil {
		open := held.open()
		gauge := metric(sessions[0], console.url, "hiveconsole_sse_streams_active")
		fmt.Printf("- SSE: %d of %d streams still open after the last level; the console's gauge says %s\n", open, o.streams, gauge)
		if open != o.streams {
			failed = true
		}
	}

	// Graceful shutdown under load.
	fmt.Println("\n## Graceful shutdown under load")
	sd := shutdownUnderLoad(console, sessions[:min(50, len(sessions))], customers, checks, held, &served)
	fmt.Printf("- SIGTERM with %d requests in flight: %d finished with 200, %d broken mid-response; after it, %d refused as expected\n",
		sd.inFlight, sd.finished, sd.broken, sd.refused)
	fmt.Printf("- exit status %d after %s; SSE streams ended: %d of %d\n", sd.exit, sd.took.Round(time.Millisecond), sd.streamsEnded, sd.streams)
	if sd.broken > 0 || sd.exit != 0 || sd.streamsEnded != sd.streams {
		fmt.Fprintf(os.Stderr, "broken: %v\n", sd.brokenSample)
		failed = true
	}

	// No audit row lost: one report.view row per report page served with 200.
	verify, err := exec.Command(o.bin, "audit", "verify", "--data-dir", dataDir).CombinedOutput()
	if err != nil {
		return fmt.Errorf("audit verify: %v: %s", err, verify)
	}
	views, err := countAudit(o.bin, dataDir, "report.view")
	if err != nil {
		return err
	}
	fmt.Printf("- audit: %s; report.view rows %d, report pages served %d\n", strings.TrimSpace(strings.SplitN(string(verify), "\n", 2)[0]),
		views, served.reports.Load())
	if int64(views) != served.reports.Load() {
		failed = true
	}
	if failed {
		return errors.New("a goal failed: see above")
	}
	return nil
}

// servedCounter counts report pages the console answered with 200: each wrote one audit row.
type servedCounter struct{ reports atomic.Int64 }

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startProc(bin string, args, env []string, ready string) (*proc, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	u, _ := url.Parse(ready)
	p.url = u.Scheme + "://" + u.Host
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-p.done:
			return nil, fmt.Errorf("exited before it was ready: %v", err)
		default:
		}
		if resp, err := http.Get(ready); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil, errors.New("not ready after 5 minutes")
}

func stop(p *proc) {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
	}
}

// hiveAPI reads the sandbox directly, to know which ids to browse.
type hiveAPI struct {
	base  string
	token string
}

func (h *hiveAPI) do(method, path string, form url.Values, out any) error {
	if h.token == "" {
		req, _ := http.NewRequest(http.MethodGet, h.base+"/token", nil)
		req.SetBasicAuth(apiKey, apiSecret)
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if err := h.send(req, &tok); err != nil {
			return err
		}
		h.token = tok.AccessToken
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, h.base+path, body)
	req.Header.Set("Authorization", "Bearer "+h.token)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return h.send(req, out)
}

func (h *hiveAPI) send(req *http.Request, out any) error {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, b)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

type idList struct {
	Data []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"data"`
}

func (h *hiveAPI) ids() (customers, checks []string, err error) {
	var cs, ch idList
	if err := h.do(http.MethodGet, "/customers", nil, &cs); err != nil {
		return nil, nil, err
	}
	if err := h.do(http.MethodGet, "/checks", nil, &ch); err != nil {
		return nil, nil, err
	}
	for _, c := range cs.Data {
		customers = append(customers, c.ID)
	}
	for _, c := range ch.Data {
		if c.Status == "complete" {
			checks = append(checks, c.ID)
		}
	}
	if len(customers) == 0 || len(checks) == 0 {
		return nil, nil, errors.New("the sandbox has no customers or no completed checks")
	}
	return customers, checks, nil
}

// processingCheck makes a check that stays processing for the whole run, for the streams to watch.
func (h *hiveAPI) processingCheck() (string, error) {
	var cust struct {
		ID string `json:"id"`
	}
	if err := h.do(http.MethodPost, "/customers", url.Values{"email": {"streams@load.test"}}, &cust); err != nil {
		return "", err
	}
	if err := h.do(http.MethodPost, "/sessions", url.Values{"customer_id": {cust.ID}, "application_key": {appKey}}, nil); err != nil {
		return "", err
	}
	var sessions struct {
		Data []struct {
			ID       string `json:"id"`
			Customer string `json:"customer"`
		} `json:"data"`
	}
	if err := h.do(http.MethodGet, "/sessions", nil, &sessions); err != nil {
		return "", err
	}
	var sessionID string
	for _, s := range sessions.Data {
		if s.Customer == cust.ID {
			sessionID = s.ID
		}
	}
	if sessionID == "" {
		return "", errors.New("the new session is not listed")
	}
	if err := h.do(http.MethodPost, "/sandbox/sessions/"+sessionID+"/complete", url.Values{"scenario": {"clear"}}, nil); err != nil {
		return "", err
	}
	var check struct {
		ID string `json:"id"`
	}
	if err := h.do(http.MethodPost, "/checks", url.Values{"session_id": {sessionID}}, &check); err != nil {
		return "", err
	}
	return check.ID, nil
}

// session is a signed-in staff member's browser.
type session struct {
	client *http.Client
	csrf   string
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)"`)
var formToken = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func newTransport() *http.Transport {
	return &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second}
}

// signInMany signs n browsers in as the admin, each from its own address (X-Forwarded-For, which
// the console trusts from 127.0.0.1 in this run), four at a time.
func signInMany(base string, n int) ([]*session, error) {
	out := make([]*session, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s, err := signIn(base, i)
			if err != nil {
				errs <- err
				return
			}
			out[i] = s
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	return out, nil
}

func signIn(base string, i int) (*session, error) {
	jar, _ := cookiejar.New(nil)
	addr := fmt.Sprintf("10.%d.%d.%d", i/65536%256, i/256%256, i%256+1)
	tr := &forwardedFor{addr: addr, next: newTransport()}
	c := &http.Client{Jar: jar, Transport: tr, Timeout: 60 * time.Second}
	_, page, err := get(&session{client: c}, base+"/login")
	if err != nil {
		return nil, err
	}
	m := formToken.FindStringSubmatch(page)
	if m == nil {
		return nil, errors.New("no form token on the sign-in page")
	}
	resp, err := c.PostForm(base+"/login", url.Values{"email": {adminEmail}, "password": {adminPassword}, "csrf_token": {m[1]}})
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Overview") {
		return nil, fmt.Errorf("sign-in ended at %d %s", resp.StatusCode, resp.Request.URL.Path)
	}
	s := &session{client: c}
	if m := csrfMeta.FindSubmatch(body); m != nil {
		s.csrf = string(m[1])
	}
	return s, nil
}

type forwardedFor struct {
	addr string
	next http.RoundTripper
}

func (f *forwardedFor) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", f.addr)
	return f.next.RoundTrip(r)
}

func get(s *session, u string) (int, string, error) {
	resp, err := s.client.Get(u)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// results are one level's latencies and errors.
type results struct {
	mu      sync.Mutex
	lat     []time.Duration
	byKind  map[string][]time.Duration // the same latencies by the kind of page
	errors  int
	sample  []string
	elapsed time.Duration
	count   int
}

func (r *results) add(d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lat = append(r.lat, d)
	if err != nil {
		r.errors++
		if len(r.sample) < 5 {
			r.sample = append(r.sample, err.Error())
		}
	}
}

// addKind records a latency under the kind of page it was for.
func (r *results) addKind(kind string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byKind == nil {
		r.byKind = map[string][]time.Duration{}
	}
	r.byKind[kind] = append(r.byKind[kind], d)
}

// kinds prints p50 and p99 by the kind of page.
func (r *results) kinds() {
	var names []string
	for k := range r.byKind {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		lat := r.byKind[k]
		slices.Sort(lat)
		fmt.Printf("  - `%s`: %d requests, p50 %s, p99 %s\n", k, len(lat), ms(lat[len(lat)/2]), ms(lat[min(len(lat)-1, len(lat)*99/100)]))
	}
}

// pageKind names the kind of a path the browse mix asks for: the path with ids and page numbers
// taken out.
func pageKind(path string) string {
	path = pageNumber.ReplaceAllString(path, "page=N")
	return idInPath.ReplaceAllString(path, "{id}")
}

var (
	pageNumber = regexp.MustCompile(`page=\d+`)
	idInPath   = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f-]{27}`)
)

func (r *results) finish(elapsed time.Duration) {
	slices.Sort(r.lat)
	r.count, r.elapsed = len(r.lat), elapsed
}

func (r *results) rate() float64 { return float64(r.count) / r.elapsed.Seconds() }

func (r *results) pct(p int) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := min(len(r.lat)-1, (len(r.lat)*p)/100)
	return r.lat[i]
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
}

// browse has every session loop over a staff member's mix of pages until the time is up.
func browse(base string, sessions []*session, customers, checks []string, d time.Duration, served *servedCounter) *results {
	res := &results{}
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for i, s := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			for time.Now().Before(deadline) {
				path, report := pick(rng, customers, checks)
				t := time.Now()
				status, _, err := get(s, base+path)
				if err == nil && status != http.StatusOK {
					err = fmt.Errorf("GET %s: %d", path, status)
				}
				if err == nil && report {
					served.reports.Add(1)
				}
				res.add(time.Since(t), err)
				res.addKind(pageKind(path), time.Since(t))
			}
		}()
	}
	wg.Wait()
	res.finish(time.Since(start))
	return res
}

// pick chooses the next page the way a reviewer works: lists, a customer, a report.
func pick(rng *rand.Rand, customers, checks []string) (path string, report bool) {
	switch n := rng.IntN(100); {
	case n < 20:
		return "/customers?page=" + strconv.Itoa(1+rng.IntN(50)), false
	case n < 30:
		return "/customers?q=" + url.QueryEscape([]string{"anna", "smith", "example.org", "+44", "jo"}[rng.IntN(5)]), false
	case n < 50:
		return "/customers/" + customers[rng.IntN(len(customers))], false
	case n < 65:
		return "/checks?page=" + strconv.Itoa(1+rng.IntN(20)), false
	case n < 70:
		return "/sessions?page=" + strconv.Itoa(1+rng.IntN(20)), false
	}
	return "/checks/" + checks[rng.IntN(len(checks))], true
}

// bare is the floor: Echo with one route rendering a templ page of a list page's shape.
type bare struct {
	*http.Server
	URL string
}

func startBare() *bare {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	page := templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		var sb strings.Builder
		sb.WriteString(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Customers · Bare</title>` +
			`<link rel="stylesheet" href="/static/app.css"></head><body><header class="topbar"><a href="/">Bare</a></header>` +
			`<main><h1>Customers</h1><table class="table"><thead><tr><th>Name</th><th>Email</th><th>Phone</th><th>Latest check</th><th>Created</th></tr></thead><tbody>`)
		for i := range 25 {
			fmt.Fprintf(&sb, `<tr><td><a href="/customers/%08x-4245-4eca-835c-4a160b93b030">%s</a></td><td>%s</td><td>+4479111234%02d</td>`+
				`<td><span class="badge badge--clear">Clear</span></td><td>%d days ago</td></tr>`,
				i, templ.EscapeString("Customer "+strconv.Itoa(i)), templ.EscapeString(fmt.Sprintf("c%d@example.org", i)), i, i)
		}
		sb.WriteString(`</tbody></table></main></body></html>`)
		_, err := io.WriteString(w, sb.String())
		return err
	})
	e.GET("/", func(c echo.Context) error {
		var buf strings.Builder
		if err := page.Render(c.Request().Context(), &buf); err != nil {
			return err
		}
		return c.HTMLBlob(http.StatusOK, []byte(buf.String()))
	})
	addr := freeAddr()
	srv := &http.Server{Addr: addr, Handler: e, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.ListenAndServe() }()
	for range 50 {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	return &bare{Server: srv, URL: "http://" + addr}
}

// hammer measures the bare page with n clients for d.
func hammer(u string, n int, d time.Duration) *results {
	res := &results{}
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := &session{client: &http.Client{Transport: newTransport(), Timeout: 30 * time.Second}}
			for time.Now().Before(deadline) {
				t := time.Now()
				status, _, err := get(s, u)
				if err == nil && status != http.StatusOK {
					err = fmt.Errorf("bare: %d", status)
				}
				res.add(time.Since(t), err)
			}
		}()
	}
	wg.Wait()
	res.finish(time.Since(start))
	return res
}

// rssWatch samples a process's resident memory every 250 ms.
type rssWatch struct {
	peak atomic.Int64 // KiB
	quit chan struct{}
	done chan struct{}
}

func watchRSS(pid int) *rssWatch {
	w := &rssWatch{quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			if kb := statusKiB(pid, "VmRSS:"); kb > w.peak.Load() {
				w.peak.Store(kb)
			}
			select {
			case <-w.quit:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

func (w *rssWatch) stop() int64 {
	close(w.quit)
	<-w.done
	return w.peak.Load()
}

func statusKiB(pid int, field string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// streamSet is SSE streams held open on a processing check's page.
type streamSet struct {
	ended atomic.Int64
	n     int
	wg    sync.WaitGroup
}

func (s *streamSet) open() int { return s.n - int(s.ended.Load()) }

func openStreams(base string, sessions []*session, checkID string) (*streamSet, error) {
	set := &streamSet{n: len(sessions)}
	opened := make(chan error, len(sessions))
	for _, s := range sessions {
		set.wg.Add(1)
		go func() {
			defer set.wg.Done()
			defer set.ended.Add(1)
			req, _ := http.NewRequest(http.MethodGet, base+"/checks/"+checkID+"/stream", nil)
			req.Header.Set("Datastar-Request", "true")
			c := *s.client
			c.Timeout = 0
			resp, err := c.Do(req)
			if err != nil {
				opened <- err
				return
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				opened <- fmt.Errorf("stream: %d", resp.StatusCode)
				return
			}
			opened <- nil
			_, _ = io.Copy(io.Discard, resp.Body) // until the console ends it
		}()
	}
	for range sessions {
		if err := <-opened; err != nil {
			return nil, err
		}
	}
	return set, nil
}

func metric(s *session, base, name string) string {
	_, body, err := get(s, base+"/metrics")
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, name+" ") {
			return strings.TrimPrefix(line, name+" ")
		}
	}
	return "?"
}

type shutdownResult struct {
	brokenSample                        []string
	inFlight, finished, broken, refused int
	exit                                int
	took                                time.Duration
	streams, streamsEnded               int
}

// shutdownUnderLoad runs the browse mix, sends SIGTERM after two seconds, and sorts every request
// by what happened to it. A request that had started before the signal must finish with 200; one
// sent after it may be refused, never cut.
func shutdownUnderLoad(console *proc, sessions []*session, customers, checks []string, held *streamSet, served *servedCounter) shutdownResult {
	var r shutdownResult
	var mu sync.Mutex
	var signalled atomic.Int64 // unix nanos of SIGTERM, 0 before
	var inFlight atomic.Int64
	stopAt := make(chan struct{})
	var wg sync.WaitGroup
	for i, s := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 99))
			for {
				select {
				case <-stopAt:
					return
				default:
				}
				path, report := pick(rng, customers, checks)
				sent := time.Now().UnixNano()
				inFlight.Add(1)
				status, _, err := get(s, console.url+path)
				inFlight.Add(-1)
				sig := signalled.Load()
				mu.Lock()
				switch {
				case err == nil && status == http.StatusOK:
					if report {
						served.reports.Add(1)
					}
					if sig != 0 && sent < sig {
						r.finished++
					}
				case sig != 0 && (sent >= sig || refusedConn(err)):
					// Asked after the signal, or never accepted: the listener is closed (a keep-alive
					// connection the server closed as idle is retried by the client, and refused).
					r.refused++
				default:
					r.broken++
					if len(r.brokenSample) < 5 {
						r.brokenSample = append(r.brokenSample, fmt.Sprintf("%s: %d %v", path, status, err))
					}
				}
				mu.Unlock()
				if sig != 0 && time.Now().UnixNano()-sig > int64(time.Second) {
					return
				}
			}
		}()
	}
	time.Sleep(2 * time.Second)
	r.inFlight = int(inFlight.Load())
	begin := time.Now()
	signalled.Store(begin.UnixNano())
	_ = console.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-console.done:
	case <-time.After(30 * time.Second):
		_ = console.cmd.Process.Kill()
		<-console.done
	}
	r.took = time.Since(begin)
	r.exit = console.cmd.ProcessState.ExitCode()
	close(stopAt)
	wg.Wait()
	if held != nil {
		held.wg.Wait()
		r.streams, r.streamsEnded = held.n, int(held.ended.Load())
	}
	return r
}

// countAudit counts the trail's rows of one action, through the command line ("1 of N events").
func countAudit(bin, dataDir, action string) (int, error) {
	out, err := exec.Command(bin, "audit", "list", "--data-dir", dataDir, "--action", action, "--limit", "1").CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("audit list: %v: %s", err, out)
	}
	m := regexp.MustCompile(`(\d+) of (\d+) events`).FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("audit list said %q", out)
	}
	return strconv.Atoi(string(m[2]))
}

// refusedConn reports an error that means the server never took the request.
func refusedConn(err error) bool {
	return err != nil && errors.Is(err, syscall.ECONNREFUSED)
}

// cpuTime is a process's user plus system CPU time so far, from /proc/<pid>/stat.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces) start after the last ')'.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ is 100 on Linux
}
