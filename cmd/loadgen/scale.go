package main

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// scaleRun measures the console's copy of Hive at scale: how long a plain client takes to read
// the sandbox's four lists, how long the console's first sync takes and how much memory it uses
// meanwhile, how fast each list page answers once the copy is complete, and how soon a restarted
// console serves its lists. With sandboxDir (a data directory a `hiveconsole sandbox --customers N`
// left behind) the sandbox is a copy of it; otherwise it is seeded with o.customers.
//
//	go run ./cmd/loadgen -scale /work/data-1m            # the million-customer copy
//	go run ./cmd/loadgen -scale "" -customers 1000       # the same pages at a thousand
func scaleRun(o options, sandboxDir string) error {
	work, err := os.MkdirTemp("", "hiveconsole-scale")
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
	fmt.Printf("# Scale run %s\n\n", time.Now().UTC().Format(time.RFC3339))
	sbDir := filepath.Join(work, "sandbox")
	args := []string{"sandbox", "--addr", "", "--data-dir", sbDir, "--api-key", apiKey, "--api-secret", apiSecret,
		"--application-key", appKey, "--check-delay", "30m"}
	if sandboxDir != "" {
		start := time.Now()
		if out, err := exec.Command("cp", "-r", sandboxDir, sbDir).CombinedOutput(); err != nil {
			return fmt.Errorf("copy %s: %v: %s", sandboxDir, err, out)
		}
		fmt.Printf("- sandbox: a copy of %s (%s to copy)\n", sandboxDir, time.Since(start).Round(100*time.Millisecond))
	} else {
		args = append(args, "--customers", strconv.Itoa(o.customers))
	}
	sbAddr := freeAddr()
	args[2] = sbAddr
	start := time.Now()
	sb, err := startProc(o.bin, args, nil, "http://"+sbAddr+"/sandbox/scenarios")
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	defer stop(sb)
	fmt.Printf("- sandbox ready in %s\n", time.Since(start).Round(100*time.Millisecond))

	// A plain client reading the four lists, one after the other, as the sync does.
	api := &hiveAPI{base: sb.url}
	if err := api.do(http.MethodGet, "/sandbox/scenarios", nil, nil); err != nil {
		return err
	}
	var plain time.Duration
	fmt.Println("\n| list | bytes | plain client |")
	fmt.Println("|---|---|---|")
	for _, list := range []string{"customers", "sessions", "checks", "files"} {
		req, _ := http.NewRequest(http.MethodGet, sb.url+"/"+list, nil)
		req.Header.Set("Authorization", "Bearer "+api.token)
		t0 := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		took := time.Since(t0)
		plain += took
		fmt.Printf("| %s | %d | %s |\n", list, n, took.Round(time.Millisecond))
	}
	fmt.Printf("| all four | | **%s** |\n\n", plain.Round(time.Millisecond))

	consoleAddr := freeAddr()
	dataDir := filepath.Join(work, "console")
	env := []string{"HIVECONSOLE_ADDR=" + consoleAddr, "HIVECONSOLE_DATA_DIR=" + dataDir, "HIVECONSOLE_ADMIN_EMAIL=" + adminEmail,
		"HIVECONSOLE_ADMIN_PASSWORD=" + adminPassword, "HIVE_API_URL=" + sb.url, "HIVE_API_KEY=" + apiKey,
		"HIVE_API_SECRET=" + apiSecret, "HIVE_APPLICATION_KEY=" + appKey, "HIVECONSOLE_SYNC_INTERVAL=1h",
		"HIVECONSOLE_MFA_REQUIRED=none", // the admin signs in with the password: the run measures pages
		"HIVECONSOLE_TRUSTED_PROXIES=127.0.0.1/32"}
	if o.dbURL != "" {
		env = append(env, "HIVECONSOLE_DATABASE_URL="+o.dbURL, "HIVECONSOLE_SESSION_KEYS="+base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32))),
			"HIVECONSOLE_MFA_KEY="+base64.StdEncoding.EncodeToString([]byte(strings.Repeat("m", 32))))
		fmt.Println("- console database: PostgreSQL")
	}
	start = time.Now()
	console, err := startProc(o.bin, []string{"serve"}, env, "http://"+consoleAddr+"/healthz")
	if err != nil {
		return fmt.Errorf("console: %w", err)
	}
	defer func() { stop(console) }()
	rss := watchRSS(console.cmd.Process.Pid)
	s, err := signIn(console.url, 0)
	if err != nil {
		return err
	}
	firstPage := time.Since(start)
	_, body, _ := get(s, console.url+"/customers")
	fmt.Printf("- console up and first list page served %s after start, while syncing: %q\n", firstPage.Round(time.Millisecond),
		syncState(body))
	listsDone, reportsDone := time.Duration(0), time.Duration(0)
	for reportsDone == 0 {
		time.Sleep(500 * time.Millisecond)
		if listsDone == 0 && !strings.HasPrefix(metric(s, console.url, "hiveconsole_sync_lag_seconds"), "NaN") &&
			metric(s, console.url, "hiveconsole_sync_lag_seconds") != "?" {
			listsDone = time.Since(start)
		}
		if metric(s, console.url, `hiveconsole_sync_pass_duration_seconds_count{kind="reports"}`) != "?" {
			reportsDone = time.Since(start)
		}
		if time.Since(start) > 30*time.Minute {
			return fmt.Errorf("the first sync did not finish in 30 minutes")
		}
	}
	peak := rss.stop()
	fmt.Printf("- first sync: the four lists in **%s** (%.1f× the plain client), report summaries done at %s\n",
		listsDone.Round(100*time.Millisecond), listsDone.Seconds()/plain.Seconds(), reportsDone.Round(100*time.Millisecond))
	fmt.Printf("- console RSS peak during the first sync: **%.0f MiB**; VmHWM %d MiB\n", float64(peak)/1024,
		statusKiB(console.cmd.Process.Pid, "VmHWM:")/1024)
	for _, kind := range []string{"customers", "sessions", "checks", "files", "reports"} {
		fmt.Printf("  - %s: %s rows\n", kind, metric(s, console.url, `hiveconsole_sync_rows{kind="`+kind+`"}`))
	}

	// Page latencies once the copy is complete.
	_, list, _ := get(s, console.url+"/customers")
	name := firstName.FindStringSubmatch(list)
	q := "ann"
	if name != nil {
		q = strings.ToLower(name[1])[:min(5, len(name[1]))]
	}
	total := count.FindStringSubmatch(list)
	deep := 2
	if total != nil {
		n, _ := strconv.Atoi(strings.ReplaceAll(total[1], ",", ""))
		deep = max(2, n/25-1)
	}
	pages := []string{"/users", "/customers", "/customers?q=" + q, "/customers?q=jo", "/customers?q=%2B44",
		"/customers?checks=with", "/customers?result=consider",
		"/customers?sort=name", "/customers?page=" + strconv.Itoa(deep/2), "/customers?page=" + strconv.Itoa(deep),
		"/checks", "/checks?result=consider", "/checks?queue=review", "/checks?queue=review&assignee=none",
		"/checks?queue=review&assignee=me", "/checks?queue=review&page=1000", "/sessions", "/files", "/files?q=" + q, "/files?q=jo", "/",
		"/insights?period=7d", "/insights?period=90d", "/insights/export.csv?period=90d&chart=sub-checks"}
	// A customer's page and a report's (both read Hive live too), the first of their lists.
	if m := customerLink.FindStringSubmatch(list); m != nil {
		pages = append(pages, "/customers/"+m[1])
	}
	if _, checks, _ := get(s, console.url+"/checks?result=consider"); checkLink.MatchString(checks) {
		pages = append(pages, "/checks/"+checkLink.FindStringSubmatch(checks)[1])
	}
	fmt.Println("\n| page | p50 | p90 | max | status |")
	fmt.Println("|---|---|---|---|---|")
	for _, p := range pages {
		var lat []time.Duration
		status := 0
		for range 21 {
			t0 := time.Now()
			code, _, err := get(s, console.url+p)
			if err != nil {
				return err
			}
			lat = append(lat, time.Since(t0))
			status = code
		}
		lat = lat[1:] // the first warms caches
		slices.Sort(lat)
		fmt.Printf("| `%s` | %s | %s | %s | %d |\n", p, ms(lat[len(lat)/2]), ms(lat[len(lat)*9/10]), ms(lat[len(lat)-1]), status)
	}

	// A restarted console serves its lists from the copy at once.
	stop(console)
	start = time.Now()
	console, err = startProc(o.bin, []string{"serve"}, env, "http://"+consoleAddr+"/healthz")
	if err != nil {
		return fmt.Errorf("console restart: %w", err)
	}
	for {
		code, body, err := get(s, console.url+"/customers")
		if err == nil && code == http.StatusOK && strings.Contains(body, `data-testid="customer-row"`) {
			break
		}
		if time.Since(start) > time.Minute {
			return fmt.Errorf("a restarted console served no customers list in a minute")
		}
		time.Sleep(20 * time.Millisecond)
	}
	fmt.Printf("\n- restarted console: its customers list served **%s** after start\n", time.Since(start).Round(time.Millisecond))

	// Steady state: the restarted console (the sync's leader again) passes over the same data at
	// once. Time that pass, and watch a customer created in Hive outside the console arrive.
	stop(console)
	env = append(env, "HIVECONSOLE_SYNC_INTERVAL=1m") // the later of the two settings wins
	start = time.Now()
	if console, err = startProc(o.bin, []string{"serve"}, env, "http://"+consoleAddr+"/healthz"); err != nil {
		return fmt.Errorf("console restart: %w", err)
	}
	rss = watchRSS(console.cmd.Process.Pid)
	var made struct {
		ID string `json:"id"`
	}
	if err := api.do(http.MethodPost, "/customers", url.Values{"email": {"outside.scale@example.com"},
		"first_name": {"Outside"}, "last_name": {"Zzyzxscale"}}, &made); err != nil {
		return err
	}
	created := time.Now()
	arrived, passDone := time.Duration(0), time.Duration(0)
	for arrived == 0 || passDone == 0 {
		time.Sleep(250 * time.Millisecond)
		if arrived == 0 {
			if _, body, err := get(s, console.url+"/customers?q=zzyzxscale"); err == nil && strings.Contains(body, made.ID) {
				arrived = time.Since(created)
			}
		}
		if passDone == 0 && metric(s, console.url, `hiveconsole_sync_pass_duration_seconds_count{kind="files"}`) != "?" {
			passDone = time.Since(start)
		}
		if time.Since(start) > 10*time.Minute {
			return fmt.Errorf("no steady pass in 10 minutes (arrived %s)", arrived)
		}
	}
	fmt.Printf("- steady pass over the same data (interval 1m): the four lists in **%s**; console RSS peak %.0f MiB\n",
		passDone.Round(100*time.Millisecond), float64(rss.stop())/1024)
	for _, kind := range []string{"customers", "sessions", "checks", "files"} {
		fmt.Printf("  - %s: %ss\n", kind, metric(s, console.url, `hiveconsole_sync_pass_duration_seconds_sum{kind="`+kind+`"}`))
	}
	fmt.Printf("- a customer created in Hive outside the console is found by a search **%s** later\n", arrived.Round(100*time.Millisecond))
	return nil
}

var (
	firstName    = regexp.MustCompile(`data-testid="customer-row"[\s\S]*?<a[^>]*>([A-Za-zÀ-ž]{3,})`)
	count        = regexp.MustCompile(`([\d,]+) people Hive knows`)
	customerLink = regexp.MustCompile(`href="/customers/([0-9a-f-]{36})"`)
	checkLink    = regexp.MustCompile(`href="/checks/([0-9a-f-]{36})"`)
	syncAttr     = regexp.MustCompile(`data-testid="sync-status"[^>]*data-state="(\w+)"|data-state="(\w+)"[^>]*data-testid="sync-status"`)
)

func syncState(body string) string {
	m := syncAttr.FindStringSubmatch(body)
	if m == nil {
		return "?"
	}
	return m[1] + m[2]
}
