package hive

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// dialRecorder wraps the files client's dialler and records every address it is asked to dial.
type dialRecorder struct {
	mu    sync.Mutex
	addrs []string
}

func (d *dialRecorder) wrap(next dialContextFunc) dialContextFunc {
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		d.mu.Lock()
		d.addrs = append(d.addrs, address)
		d.mu.Unlock()
		host, _, _ := net.SplitHostPort(address)
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			// Never let a test connect off this machine, whatever the code under test does.
			return nil, errors.New("test dialer: refusing a non-loopback address")
		}
		return next(ctx, network, address)
	}
}

func (d *dialRecorder) dialled() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.addrs...)
}

// fileServingHive answers GET /files/{id} with a file whose url is fileURL (a func of the server's
// own address) and serves /downloads/ with PNG-ish bytes, recording the Authorization it gets.
func fileServingHive(t *testing.T, fileURL func(base string) string, download http.HandlerFunc) (*fakeHive, *[]string) {
	t.Helper()
	f := newFakeHive(t, "/v1")
	var auths []string
	var mu sync.Mutex
	f.handle = func(w http.ResponseWriter, r *http.Request, rec recorded) {
		if strings.HasPrefix(r.URL.Path, "/v1/downloads/") {
			mu.Lock()
			auths = append(auths, rec.Auth)
			mu.Unlock()
			download(w, r)
			return
		}
		writeJSON(w, 200, `{"id":"`+fileID+`","type":"portrait","metadata":{},"url":"`+fileURL(f.srv.URL)+`","check":null,"created_at":1601084628}`)
	}
	return f, &auths
}

func pngBytes(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Length", "8")
	_, _ = w.Write([]byte("\x89PNG\r\n\x1a\n"))
}

func TestOpenFileFromTheSandbox(t *testing.T) {
	f, auths := fileServingHive(t, func(base string) string { return base + "/v1/downloads/" + fileID }, pngBytes)
	c := newTestClient(t, f)
	rec := &dialRecorder{}
	c.files = newFilesClient(c.allowLoopback, rec.wrap)
	fc, err := c.OpenFile(context.Background(), fileID)
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Body.Close()
	b, err := io.ReadAll(fc.Body)
	if err != nil || string(b) != "\x89PNG\r\n\x1a\n" {
		t.Fatalf("body: got %q, %v", b, err)
	}
	if fc.ContentType != "image/png" || fc.ContentLength != 8 || fc.File.ID != fileID {
		t.Errorf("got type %q length %d file %v", fc.ContentType, fc.ContentLength, fc.File.ID)
	}
	if len(*auths) != 1 || (*auths)[0] != "Bearer "+tokenValue(1) {
		t.Errorf("download Authorization: got %v, want the bearer token", *auths)
	}
	if len(rec.dialled()) != 1 {
		t.Errorf("dials: got %v, want one to the sandbox", rec.dialled())
	}
}

func TestOpenFileRefusesRedirects(t *testing.T) {
	f, _ := fileServingHive(t, func(base string) string { return base + "/v1/downloads/" + fileID },
		func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://evil.example/steal", http.StatusFound)
		})
	c := newTestClient(t, f)
	rec := &dialRecorder{}
	c.files = newFilesClient(c.allowLoopback, rec.wrap)
	_, err := c.OpenFile(context.Background(), fileID)
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("got %v, want ErrRefused", err)
	}
	for _, a := range rec.dialled() {
		if !strings.HasPrefix(a, "127.0.0.1:") {
			t.Fatalf("dialled %s, want only the sandbox", a)
		}
	}
}

func TestOpenFileRefusesOversizedFiles(t *testing.T) {
	big := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(make([]byte, 4096)) // chunked: no Content-Length to refuse up front
		w.(http.Flusher).Flush()
		_, _ = w.Write(make([]byte, 4096))
	}
	f, _ := fileServingHive(t, func(base string) string { return base + "/v1/downloads/" + fileID }, big)
	c := newTestClient(t, f, func(cfg *Config) { cfg.MaxFileBytes = 5000 })
	fc, err := c.OpenFile(context.Background(), fileID)
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Body.Close()
	if _, err := io.ReadAll(fc.Body); !errors.Is(err, ErrBadResponse) {
		t.Fatalf("got %v, want ErrBadResponse past MaxFileBytes", err)
	}
}

// TestOpenFileRefusesUnsafeURLs uses a client for a public API host (so loopback is not allowed),
// whose API requests are routed to the loopback fake. No file request may be dialled at all.
func TestOpenFileRefusesUnsafeURLs(t *testing.T) {
	tests := []struct {
		name string
		url  string
	}{
		{"host not in the allow-list", "https://evil.example/downloads/" + fileID},
		{"look-alike host", "https://files.hive.example.evil.example/downloads/x"},
		{"loopback when not allowed", "http://127.0.0.1:9/downloads/x"},
		{"loopback over https when not allowed", "https://localhost/downloads/x"},
		{"link-local metadata address", "https://169.254.169.254/latest/meta-data"},
		{"decimal IP", "https://2130706433/downloads/x"},
		{"hexadecimal IP", "https://0x7f000001/downloads/x"},
		{"IPv6 loopback", "https://[::1]/downloads/x"},
		{"IPv6-mapped loopback", "https://[::ffff:127.0.0.1]/downloads/x"},
		{"IPv6-mapped metadata address", "https://[::ffff:169.254.169.254]/latest/meta-data"},
		{"private address", "https://10.0.0.1/downloads/x"},
		{"plain http on the allowed public host", "http://files.hive.example/downloads/x"},
		{"allowed host on another port", "https://files.hive.example:8443/downloads/x"},
		{"credentials in the URL", "https://user:pw@files.hive.example/downloads/x"},
		{"relative URL", "/downloads/x"},
		{"javascript", "javascript:alert(1)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, auths := fileServingHive(t, func(string) string { return tc.url }, pngBytes)
			c := publicClientViaLoopback(t, f)
			rec := &dialRecorder{}
			c.files = newFilesClient(c.allowLoopback, rec.wrap)
			_, err := c.OpenFile(context.Background(), fileID)
			if !errors.Is(err, ErrRefused) {
				t.Fatalf("got %v, want ErrRefused", err)
			}
			if d := rec.dialled(); len(d) != 0 {
				t.Fatalf("dialled %v, want nothing", d)
			}
			if len(*auths) != 0 {
				t.Fatalf("the token reached a download: %v", *auths)
			}
			if strings.Contains(err.Error(), tokenValue(1)) {
				t.Fatal("the token appears in the error")
			}
		})
	}
}

// publicClientViaLoopback builds a client for https://api.hive.example whose API transport dials the
// fake instead, so no test connects off the machine.
func publicClientViaLoopback(t *testing.T, f *fakeHive) *Client {
	t.Helper()
	addr := f.srv.Listener.Addr().String()
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	c := newTestClient(t, f, func(cfg *Config) {
		cfg.BaseURL = "https://api.hive.example/v1"
		cfg.HTTPClient = &http.Client{Transport: &schemeRewriter{next: tr}}
	})
	if c.allowLoopback {
		t.Fatal("a public API host must not allow loopback downloads")
	}
	if got := c.filesHosts; len(got) != 1 || got[0] != "files.hive.example" {
		t.Fatalf("default files hosts: got %v, want [files.hive.example]", got)
	}
	return c
}

// schemeRewriter sends https requests as http to the fake (which has no TLS).
type schemeRewriter struct{ next http.RoundTripper }

func (s *schemeRewriter) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme = "http"
	return s.next.RoundTrip(r)
}

func TestDialGuard(t *testing.T) {
	tests := []struct {
		addr          string
		allowLoopback bool
		ok            bool
	}{
		{"93.184.215.14:443", false, true},
		{"[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:443", false, true},
		{"127.0.0.1:443", false, false},
		{"127.0.0.1:443", true, true},
		{"[::1]:443", true, true},
		{"169.254.169.254:80", true, false},
		{"10.1.2.3:443", false, false},
		{"172.16.0.1:443", false, false},
		{"192.168.1.1:443", false, false},
		{"100.64.0.1:443", false, false},
		{"0.0.0.0:443", true, false},
		{"[fe80::1]:443", false, false},
		{"[fc00::1]:443", false, false},
		{"[::ffff:169.254.169.254]:443", false, false},
		{"224.0.0.1:443", false, false},
	}
	for _, tc := range tests {
		err := dialGuard(tc.allowLoopback)("tcp", tc.addr, nil)
		if (err == nil) != tc.ok {
			t.Errorf("dialGuard(loopback=%v)(%s): got %v, want ok=%v", tc.allowLoopback, tc.addr, err, tc.ok)
		}
	}
}
