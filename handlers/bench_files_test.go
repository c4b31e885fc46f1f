package handlers_test

// The report viewer and file proxy benchmarks: the report page against the raw Hive calls
// it needs, and a large file streamed through the console's proxy against a direct download, with
// the process's resident memory and heap while it streams. Everything runs over real loopback HTTP
// in this process; the numbers and how to read them are in BENCHMARKS.md. None of them asserts a
// timing: they fail only when a request does.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/static"
	"golang.org/x/sync/errgroup"
)

// BenchmarkReport is the report viewer, GET /checks/{id} for a completed check with images, as a
// reviewer (who may download, so the page lists the images), against the raw Hive calls the page
// needs, made with the same hive.Client against the same sandbox (default demo data, 150
// customers). One setup serves both, so they read the same sandbox.
//
//   - Page: the whole console over loopback HTTP, snapshot warm (built before the timer; it is 10 s
//     old at most and refreshed in the background, as in use). The handler then asks Hive for
//     GetCheck, GetReport and GetCustomer, one after another, and finds the customer and the images
//     in the snapshot.
//   - RawAPI/warm: exactly those three calls, decoded, one after another.
//   - RawAPI/cold: the same plus the four list calls a snapshot is built from (customers,
//     sessions, checks, files, in parallel as the snapshot does): what the first page after start
//     or after the console changed something waits for, at the API.
func BenchmarkReport(b *testing.B) {
	bc := newBenchConsole(b, sandbox.DefaultDemoCustomers)
	ctx := context.Background()
	ch, customerID := completedCheckWithFiles(b, bc.api)
	emails := bc.addUsers(b, 1, auth.RoleReviewer)
	c := bc.visitor()
	if err := bc.signIn(c, emails[0]); err != nil {
		b.Fatal(err)
	}
	page := bc.URL + "/checks/" + ch.ID
	body, err := fetch(c, page) // builds the snapshot
	if err != nil {
		b.Fatal(err)
	}
	if !strings.Contains(body, `data-testid="report-images"`) || !strings.Contains(body, "/customers/"+customerID) {
		b.Fatal("the report page has no images or no customer link")
	}
	raw := func() error {
		if _, err := bc.api.GetCheck(ctx, ch.ID); err != nil {
			return err
		}
		if _, err := bc.api.GetReport(ctx, ch.ID); err != nil {
			return err
		}
		_, err := bc.api.GetCustomer(ctx, customerID)
		return err
	}
	b.Run("Page", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := fetch(c, page); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(body)), "page-bytes")
	})
	b.Run("RawAPI/warm", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := raw(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("RawAPI/cold", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := raw(); err != nil {
				b.Fatal(err)
			}
			g, gctx := errgroup.WithContext(ctx)
			g.Go(func() error { _, err := bc.api.ListCustomers(gctx); return err })
			g.Go(func() error { _, err := bc.api.ListSessions(gctx); return err })
			g.Go(func() error { _, err := bc.api.ListChecks(gctx); return err })
			g.Go(func() error { _, err := bc.api.ListFiles(gctx); return err })
			if err := g.Wait(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// completedCheckWithFiles finds a completed check that has images and a customer.
func completedCheckWithFiles(b testing.TB, api *hive.Client) (*hive.Check, string) {
	b.Helper()
	ctx := context.Background()
	files, err := api.ListFiles(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range files.Data {
		if f.CheckID == nil {
			continue
		}
		ch, err := api.GetCheck(ctx, *f.CheckID)
		if err != nil || ch.Status != hive.CheckComplete {
			continue
		}
		if s, err := api.GetSession(ctx, ch.SessionID); err == nil && s.CustomerID != "" {
			return ch, s.CustomerID
		}
	}
	b.Fatal("no completed check with files and a customer in the sandbox")
	return nil, ""
}

// BenchmarkFileProxy streams one large PNG (64 MiB and 200 MiB) three ways, each op one whole
// file, the client discarding the bytes as they come (io.Copy to io.Discard, never buffered):
//
//   - direct: a plain http.Client GETs the file from the files host: the floor.
//   - client: hive.Client.OpenFile, as the console calls it: GET /files/{id} for the file object
//     from the API, then the bytes from the files host through the client's guarded dialler,
//     allow-list and size limit.
//   - proxy: GET /files/{id}/content through the whole console as a reviewer: session check, the
//     client's OpenFile, the 512-byte sniff, the copy to the browser.
//
// The files host is an httptest server on 127.0.0.1 that writes the PNG signature and then zeros
// from one 64 KiB buffer, with a Content-Length, without buffering the file. The console's Hive is
// a real hive.Client (MaxFileBytes raised to 256 MiB) whose API is the real sandbox behind a
// reverse proxy that points one real file's url at that files host; everything else is the
// sandbox's answer as it is.
//
// Each variant also reports memory over its whole run: rss-growth-MiB is the highest VmRSS
// sampled every 2 ms minus VmRSS at the start (after a GC and debug.FreeOSMemory); hwm-growth-MiB
// is VmHWM at the end minus that start, with VmHWM reset at the start through
// /proc/self/clear_refs (so it catches a peak between samples; -1 when the reset is refused);
// heap-growth-MiB is the peak of runtime/metrics /memory/classes/heap/objects:bytes (live and not
// yet swept) minus the same after the GC. Client, console and files host are one process, so all
// three count all of them.
func BenchmarkFileProxy(b *testing.B) {
	for _, size := range []int64{64 << 20, 200 << 20} {
		b.Run(fmt.Sprintf("%dMiB", size>>20), func(b *testing.B) {
			fb := newFileBench(b, size)
			b.Run("direct", func(b *testing.B) {
				plain := &http.Client{Transport: &http.Transport{}}
				b.Cleanup(plain.CloseIdleConnections)
				fb.measure(b, func() (int64, error) { return download(plain, fb.fileURL) })
			})
			b.Run("client", func(b *testing.B) {
				fb.measure(b, func() (int64, error) {
					fc, err := fb.api.OpenFile(context.Background(), fb.fileID)
					if err != nil {
						return 0, err
					}
					defer fc.Body.Close()
					return io.Copy(io.Discard, fc.Body)
				})
			})
			b.Run("proxy", func(b *testing.B) {
				fb.measure(b, func() (int64, error) { return download(fb.browser, fb.proxyURL) })
			})
		})
	}
}

// fileBench is a console whose Hive points one file at a large file on a files host of its own.
type fileBench struct {
	size     int64
	api      *hive.Client
	fileID   string
	fileURL  string       // on the files host
	proxyURL string       // the console's /files/{id}/content
	browser  *http.Client // signed in as a reviewer
}

func newFileBench(b *testing.B, size int64) *fileBench {
	b.Helper()
	ctx := context.Background()
	sb, err := sandbox.New(ctx, sandbox.Options{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := sb.Seed(ctx, sandbox.SeedOptions{Seed: 3, Customers: 4}); err != nil {
		b.Fatal(err)
	}
	sbHTTP := httptest.NewServer(sb)
	b.Cleanup(func() { sbHTTP.Close(); sb.Close() })

	filesHost := httptest.NewServer(largePNG(size))
	b.Cleanup(filesHost.Close)
	fb := &fileBench{size: size, fileURL: filesHost.URL + "/big.png"}

	// Any real file of the sandbox will do; the stand-in API moves its bytes to the files host.
	creds := sb.Credentials()
	sbAPI, err := hive.New(hive.Config{BaseURL: sbHTTP.URL, APIKey: creds.APIKey, APISecret: hive.Secret(creds.APISecret)})
	if err != nil {
		b.Fatal(err)
	}
	files, err := sbAPI.ListFiles(ctx)
	if err != nil || len(files.Data) == 0 {
		b.Fatalf("no files in the sandbox: %v", err)
	}
	fb.fileID = files.Data[0].ID
	standIn := httptest.NewServer(moveFile(b, sbHTTP.URL, fb.fileID, fb.fileURL))
	b.Cleanup(standIn.Close)
	fb.api, err = hive.New(hive.Config{BaseURL: standIn.URL, APIKey: creds.APIKey, APISecret: hive.Secret(creds.APISecret),
		ApplicationKey: creds.ApplicationKey, FilesHosts: []string{strings.TrimPrefix(filesHost.URL, "http://")},
		MaxFileBytes: 256 << 20})
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
	staff, err := auth.NewService(ctx, db, auth.Config{BaseURL: base.String(),
		SessionKeys: [][]byte{[]byte(strings.Repeat("k", 32))}, HashParams: auth.DefaultHashParams()})
	if err != nil {
		b.Fatal(err)
	}
	assets, err := static.Embedded()
	if err != nil {
		b.Fatal(err)
	}
	app, err := handlers.New(handlers.Config{BaseURL: base, Sandbox: true, Hive: fb.api, HivePing: fb.api.Ping,
		Assets: assets, Staff: staff, Sessions: staff.Sessions(), Read: readmodel.New(db, nil)})
	if err != nil {
		b.Fatal(err)
	}
	srv.Config.Handler = app
	srv.Start()
	b.Cleanup(srv.Close)
	fb.proxyURL = srv.URL + "/files/" + fb.fileID + "/content"

	bc := &benchConsole{URL: srv.URL, api: fb.api, staff: staff, http: newBenchTransport(b)}
	emails := bc.addUsers(b, 1, auth.RoleReviewer)
	fb.browser = bc.visitor()
	if err := bc.signIn(fb.browser, emails[0]); err != nil {
		b.Fatal(err)
	}
	// One whole download each way before any timer: connections open, token fetched, and a check
	// that the proxy really serves the large file as an image.
	resp, err := fb.browser.Get(fb.proxyURL)
	if err != nil {
		b.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" || n != size {
		b.Fatalf("proxy: got %d %q, %d bytes; want 200 image/png, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), n, size)
	}
	return fb
}

// measure runs one download per op, with throughput and memory metrics.
func (fb *fileBench) measure(b *testing.B, get func() (int64, error)) {
	b.Helper()
	b.SetBytes(fb.size)
	b.ReportAllocs()
	mem := watchMemory()
	for b.Loop() {
		n, err := get()
		if err != nil {
			b.Fatal(err)
		}
		if n != fb.size {
			b.Fatalf("got %d bytes, want %d", n, fb.size)
		}
	}
	mem.stop(b)
}

// download GETs url and discards the body as it arrives; anything but 200 is an error.
func download(c *http.Client, url string) (int64, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: got %d, want %d", url, resp.StatusCode, http.StatusOK)
	}
	return io.Copy(io.Discard, resp.Body)
}

// largePNG serves size bytes, a PNG signature then zeros, from one 64 KiB buffer.
func largePNG(size int64) http.Handler {
	first := make([]byte, 64<<10)
	copy(first, "\x89PNG\r\n\x1a\n")
	zeros := make([]byte, 64<<10)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		buf := first
		for left := size; left > 0; {
			n := min(left, int64(len(buf)))
			if _, err := w.Write(buf[:n]); err != nil {
				return
			}
			left -= n
			buf = zeros
		}
	})
}

// moveFile is the sandbox's API as it is, except that GET /files/{id} for one file answers with its
// url on the large files host.
func moveFile(b *testing.B, sandboxURL, id, fileURL string) http.Handler {
	target, err := url.Parse(sandboxURL)
	if err != nil {
		b.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.URL.Path != "/files/"+id || resp.StatusCode != http.StatusOK {
			return nil
		}
		var f hive.File
		err := json.NewDecoder(resp.Body).Decode(&f)
		resp.Body.Close()
		if err != nil {
			return err
		}
		f.URL = fileURL
		body, err := json.Marshal(f)
		if err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	return rp
}

// memWatch samples the process's resident memory and heap in the background.
type memWatch struct {
	rssBase, heapBase uint64
	hwmReset          bool
	rssPeak, heapPeak atomic.Uint64
	quit, ended       chan struct{}
}

// watchMemory starts from a collected heap returned to the OS, so growth is what the run needs,
// not what earlier runs left resident.
func watchMemory() *memWatch {
	runtime.GC()
	debug.FreeOSMemory()
	m := &memWatch{quit: make(chan struct{}), ended: make(chan struct{})}
	// Writing 5 resets VmHWM to the current RSS (Linux 4.0+).
	m.hwmReset = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	m.rssBase, m.heapBase = procStatus("VmRSS"), readHeap()
	m.rssPeak.Store(m.rssBase)
	m.heapPeak.Store(m.heapBase)
	go func() {
		defer close(m.ended)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			m.record()
			select {
			case <-m.quit:
				return
			case <-tick.C:
			}
		}
	}()
	return m
}

func (m *memWatch) record() {
	if v := procStatus("VmRSS"); v > m.rssPeak.Load() {
		m.rssPeak.Store(v)
	}
	if v := readHeap(); v > m.heapPeak.Load() {
		m.heapPeak.Store(v)
	}
}

// stop ends the sampling and reports the growths in MiB.
func (m *memWatch) stop(b *testing.B) {
	m.record()
	close(m.quit)
	<-m.ended
	mib := func(peak, base uint64) float64 { return (float64(peak) - float64(base)) / (1 << 20) }
	b.ReportMetric(mib(m.rssPeak.Load(), m.rssBase), "rss-growth-MiB")
	if m.hwmReset {
		b.ReportMetric(mib(procStatus("VmHWM"), m.rssBase), "hwm-growth-MiB")
	} else {
		b.ReportMetric(-1, "hwm-growth-MiB")
	}
	b.ReportMetric(mib(m.heapPeak.Load(), m.heapBase), "heap-growth-MiB")
}

var statusMu sync.Mutex // one reader of /proc/self/status at a time is plenty

// procStatus reads a "VmXxx:   1234 kB" line of /proc/self/status, in bytes; 0 when missing.
func procStatus(field string) uint64 {
	statusMu.Lock()
	defer statusMu.Unlock()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0
		}
		return kb << 10
	}
	return 0
}
