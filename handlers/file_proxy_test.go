package handlers_test

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/hive"
)

const hostileFileID = "8462e8ce-4245-4eca-835c-4a160b93b030"

// hostileHive is a Hive API on 127.0.0.1 whose file object points wherever the test says and whose
// files host (the same server, so it is allow-listed) answers with hostile bytes and headers. A
// second loopback server stands for every host that is not allowed; it must never be asked.
type hostileHive struct {
	api, other *httptest.Server

	mu         sync.Mutex
	fileType   string
	fileURL    func(api, other string) string
	download   http.HandlerFunc
	tokens     []string // Authorization sent to the allowed files host
	otherAsked []string // Authorization sent to the other host, one entry per request
}

func newHostileHive(t *testing.T) *hostileHive {
	h := &hostileHive{fileType: "portrait"}
	h.other = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.otherAsked = append(h.otherAsked, r.Header.Get("Authorization"))
		h.mu.Unlock()
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(pngHeader())
	}))
	h.api = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		defer h.mu.Unlock()
		switch {
		case r.URL.Path == "/token":
			_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "tok-VERYSECRET", "expires_in": 3600})
		case r.URL.Path == "/files/"+hostileFileID:
			_ = json.NewEncoder(w).Encode(map[string]any{"id": hostileFileID, "type": h.fileType, "metadata": map[string]string{},
				"url": h.fileURL(h.api.URL, h.other.URL), "check": nil, "created_at": 1601084628})
		case strings.HasPrefix(r.URL.Path, "/downloads/"):
			h.tokens = append(h.tokens, r.Header.Get("Authorization"))
			h.download(w, r)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(func() { h.api.Close(); h.other.Close() })
	return h
}

// console starts a console whose Hive is a real client for the hostile API.
func (h *hostileHive) console(t *testing.T) *browser {
	client, err := hive.New(hive.Config{BaseURL: h.api.URL, APIKey: "key", APISecret: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	tc := newTestConsole(t, func(c *handlers.Config, _ *auth.Config) { c.Hive = client })
	b := tc.browser()
	b.signInAs(auth.RoleReviewer)
	return b
}

func ownDownload(api, _ string) string { return api + "/downloads/" + hostileFileID }

// TestFileProxyRefusesHostileLocations: a file url off the allow-list, in any spelling, is refused
// before anything is dialled, and a redirect is not followed; the token never leaves the allowed host.
func TestFileProxyRefusesHostileLocations(t *testing.T) {
	port := func(u string) string { return u[strings.LastIndex(u, ":")+1:] }
	for _, tt := range []struct {
		name string
		url  func(api, other string) string
	}{
		{"another host", func(_, other string) string { return other + "/x.png" }},
		{"loopback by name on the allowed port", func(api, _ string) string { return "http://localhost:" + port(api) + "/downloads/x" }},
		{"link-local metadata address", func(string, string) string { return "http://169.254.169.254/latest/meta-data/" }},
		{"decimal IP", func(api, _ string) string { return "http://2130706433:" + port(api) + "/downloads/x" }},
		{"IPv6-mapped IPv4", func(api, _ string) string { return "http://[::ffff:127.0.0.1]:" + port(api) + "/downloads/x" }},
		{"IPv6-mapped metadata address", func(string, string) string { return "http://[::ffff:a9fe:a9fe]/latest/meta-data/" }},
		{"credentials in the url", func(api, _ string) string { return strings.Replace(api, "://", "://u:p@", 1) + "/downloads/x" }},
		{"javascript", func(string, string) string { return "javascript:alert(1)" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHostileHive(t)
			h.fileURL = tt.url
			h.download = func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(pngHeader()) }
			r := h.console(t).get("/files/" + hostileFileID + "/content")
			if r.StatusCode == http.StatusOK || strings.Contains(r.Body, "PNG") {
				t.Fatalf("got %d, want a refusal", r.StatusCode)
			}
			if len(h.otherAsked) != 0 || len(h.tokens) != 0 {
				t.Errorf("a download was made: other host %v, allowed host %v", h.otherAsked, h.tokens)
			}
			if strings.Contains(r.Body, "VERYSECRET") {
				t.Error("the token is on the page")
			}
		})
	}

	t.Run("redirect to another host", func(t *testing.T) {
		h := newHostileHive(t)
		h.fileURL = ownDownload
		h.download = func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, h.other.URL+"/steal.png", http.StatusFound)
		}
		r := h.console(t).get("/files/" + hostileFileID + "/content")
		if r.StatusCode == http.StatusOK || r.Header.Get("Location") != "" {
			t.Fatalf("got %d Location %q, want a refusal", r.StatusCode, r.Header.Get("Location"))
		}
		if len(h.otherAsked) != 0 {
			t.Errorf("the redirect was followed: %v", h.otherAsked)
		}
		if len(h.tokens) != 1 || h.tokens[0] != "Bearer tok-VERYSECRET" {
			t.Errorf("token: got %v, want it once, to the allowed host", h.tokens)
		}
	})
}

// TestFileProxyNeutralisesHostileContent: whatever the files host sends, the browser gets the
// console's headers only, and a type decided from the bytes.
func TestFileProxyNeutralisesHostileContent(t *testing.T) {
	hostileHeaders := func(w http.ResponseWriter, contentType string) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Set-Cookie", "session=stolen; Path=/")
		w.Header().Set("Content-Disposition", "inline; filename=evil.html")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Content-Security-Policy", "script-src *")
		w.Header().Set("Location", "https://evil.example/")
		w.Header().Set("X-Upstream", "leak")
	}
	for _, tt := range []struct {
		name        string
		fileType    string
		body        string
		upstream    string // Content-Type the files host claims
		contentType string
		disposition string
		filename    string
		query       string
	}{
		{"html posing as an image", "portrait", "<html><script>alert(1)</script></html>", "image/png",
			"application/octet-stream", "attachment", "portrait-" + hostileFileID + ".bin", ""},
		{"svg with script posing as an image", "portrait", `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`, "image/svg+xml",
			"application/octet-stream", "attachment", "portrait-" + hostileFileID + ".bin", ""},
		{"png labelled text/html", "document_front", string(pngHeader()), "text/html",
			"image/png", "inline", "document_front-" + hostileFileID + ".png", ""},
		{"pdf", "document_back", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/octet-stream",
			"application/pdf", "inline", "document_back-" + hostileFileID + ".pdf", ""},
		{"png asked as a download", "portrait", string(pngHeader()), "image/png",
			"image/png", "attachment", "portrait-" + hostileFileID + ".png", "?download=1"},
		{"file type with CR/LF and quotes", "portrait\r\nSet-Cookie: a=b\"; x=\"..\\/", string(pngHeader()), "image/png",
			"image/png", "inline", "portraitSet-Cookieabx-" + hostileFileID + ".png", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHostileHive(t)
			h.fileType, h.fileURL = tt.fileType, ownDownload
			h.download = func(w http.ResponseWriter, _ *http.Request) {
				hostileHeaders(w, tt.upstream)
				_, _ = io.WriteString(w, tt.body)
			}
			r := h.console(t).get("/files/" + hostileFileID + "/content" + tt.query)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("got %d, want 200", r.StatusCode)
			}
			if got := r.Header.Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type: got %q, want %q", got, tt.contentType)
			}
			raw := r.Header.Get("Content-Disposition")
			disp, params, err := mime.ParseMediaType(raw)
			if err != nil || disp != tt.disposition || params["filename"] != tt.filename || strings.ContainsAny(raw, "\r\n") ||
				!strings.Contains(raw, "filename*=UTF-8''"+tt.filename) {
				t.Errorf("Content-Disposition: got %q (%v), want %s with filename %q", raw, err, tt.disposition, tt.filename)
			}
			want := map[string]string{
				"Content-Security-Policy": "sandbox; default-src 'none'",
				"X-Content-Type-Options":  "nosniff",
				"Cache-Control":           "private, no-store",
			}
			for k, v := range want {
				if got := r.Header.Get(k); got != v {
					t.Errorf("%s: got %q, want %q", k, got, v)
				}
			}
			for _, k := range []string{"Set-Cookie", "Access-Control-Allow-Origin", "Location", "X-Upstream"} {
				if v := r.Header.Values(k); len(v) != 0 {
					t.Errorf("upstream header %s reached the browser: %v", k, v)
				}
			}
			if r.Body != tt.body {
				t.Errorf("body changed: got %d bytes, want %d", len(r.Body), len(tt.body))
			}
		})
	}
}

// TestFileProxyStopsWhenTheBrowserLeaves: the console streams a file as it arrives and, when the
// browser goes away mid-file, ends its own request to the files host too.
func TestFileProxyStopsWhenTheBrowserLeaves(t *testing.T) {
	h := newHostileHive(t)
	h.fileURL = ownDownload
	upstreamDone := make(chan struct{})
	h.download = func(w http.ResponseWriter, r *http.Request) {
		defer close(upstreamDone)
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(pngHeader())
		chunk := make([]byte, 32<<10)
		for { // an endless file, a chunk every 10 ms, until the console hangs up
			if _, err := w.Write(chunk); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	b := h.console(t)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.tc.URL+"/files/"+hostileFileID+"/content", nil)
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(resp.Body, make([]byte, 256<<10)); err != nil {
		t.Fatalf("the first 256 KiB did not arrive while the file was still being sent: %v", err)
	}
	cancel()
	resp.Body.Close()
	select {
	case <-upstreamDone:
	case <-time.After(5 * time.Second):
		t.Fatal("the console kept downloading after the browser left")
	}
}
