package static

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

func testFS() fstest.MapFS {
	return fstest.MapFS{
		"css/app.css":      {Data: []byte("body{color:red}")},
		"img/icons.svg":    {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`)},
		"img/favicon.svg":  {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"><path/></svg>`)},
		"dist/datastar.js": {Data: []byte("console.log(1)")},
		"dist/.gitkeep":    {Data: nil},
	}
}

func mustNew(t *testing.T, fsys fstest.MapFS) *Assets {
	t.Helper()
	a, err := New(fsys)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}

func serve(a *Assets, method, target string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, req)
	return rec
}

func hash10(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:10]
}

func TestPath(t *testing.T) {
	a := mustNew(t, testFS())
	tests := []struct {
		name string
		want string
	}{
		{"app.css", "/static/app." + hash10("body{color:red}") + ".css"},
		{"datastar.js", "/static/datastar." + hash10("console.log(1)") + ".js"},
		{"icons.svg", "/static/icons." + hash10(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`) + ".svg"},
		{"nope.css", "/static/nope.css"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := a.Path(tt.name); got != tt.want {
				t.Errorf("Path(%q) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}

func TestServeHashedPath(t *testing.T) {
	a := mustNew(t, testFS())
	tests := []struct {
		name, contentType, body string
	}{
		{"app.css", "text/css; charset=utf-8", "body{color:red}"},
		{"datastar.js", "text/javascript; charset=utf-8", "console.log(1)"},
		{"favicon.svg", "image/svg+xml", `<svg xmlns="http://www.w3.org/2000/svg"><path/></svg>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(a, http.MethodGet, a.Path(tt.name))
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d, want 200", rec.Code)
			}
			want := map[string]string{
				"Content-Type":           tt.contentType,
				"Cache-Control":          "public, max-age=31536000, immutable",
				"X-Content-Type-Options": "nosniff",
				"ETag":                   `"` + hash10(tt.body) + `"`,
			}
			for k, v := range want {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if got := rec.Body.String(); got != tt.body {
				t.Errorf("body = %q, want %q", got, tt.body)
			}
		})
	}
}

func TestServeConditionalAndHead(t *testing.T) {
	a := mustNew(t, testFS())
	p := a.Path("app.css")
	etag := serve(a, http.MethodGet, p).Header().Get("ETag")

	rec := serve(a, http.MethodGet, p, "If-None-Match", etag)
	if rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: status = %d, want 304", rec.Code)
	}
	rec = serve(a, http.MethodHead, p)
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD: status = %d, body %d bytes; want 200 and empty", rec.Code, rec.Body.Len())
	}
	if got := rec.Header().Get("Content-Length"); got != "15" {
		t.Errorf("HEAD: Content-Length = %q, want 15", got)
	}
}

func TestServeNotFound(t *testing.T) {
	a := mustNew(t, testFS())
	good := a.Path("app.css")
	tests := []struct{ name, target string }{
		{"wrong hash", "/static/app.0123456789.css"},
		{"unhashed name", "/static/app.css"},
		{"directory", "/static/"},
		{"directory of the tree", "/static/css/"},
		{"tree path", "/static/css/app.css"},
		{"hidden file", "/static/.gitkeep"},
		{"traversal", "/static/../static.go"},
		{"hashed name with suffix", good + ".map"},
		{"outside prefix", strings.TrimPrefix(good, "/static")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(a, http.MethodGet, tt.target)
			if rec.Code != http.StatusNotFound {
				t.Fatalf("GET %s: status = %d, want 404", tt.target, rec.Code)
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
			if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
			}
		})
	}
}

func TestServeMethodNotAllowed(t *testing.T) {
	a := mustNew(t, testFS())
	rec := serve(a, http.MethodPost, a.Path("app.css"))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("status = %d, want 405", rec.Code)
	}
	if got := rec.Header().Get("Allow"); got != "GET, HEAD" {
		t.Errorf("Allow = %q, want %q", got, "GET, HEAD")
	}
}

func TestMissingBundle(t *testing.T) {
	fsys := testFS()
	delete(fsys, "dist/datastar.js")
	a := mustNew(t, fsys)

	err := a.CheckBundle()
	if !errors.Is(err, ErrBundleMissing) {
		t.Fatalf("CheckBundle() = %v, want ErrBundleMissing", err)
	}
	if !strings.Contains(err.Error(), "npm ci && npm run build") {
		t.Errorf("CheckBundle() = %q, want it to say how to build", err)
	}
	if got, want := a.Path(Bundle), "/static/datastar.js"; got != want {
		t.Errorf("Path(Bundle) = %q, want %q", got, want)
	}
	rec := serve(a, http.MethodGet, a.Path(Bundle))
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "npm run build") {
		t.Errorf("GET bundle: %d %q, want 404 explaining the build", rec.Code, rec.Body.String())
	}
	// Everything else is still served.
	if rec := serve(a, http.MethodGet, a.Path("app.css")); rec.Code != http.StatusOK {
		t.Errorf("GET app.css: status = %d, want 200", rec.Code)
	}
	if err := mustNew(t, testFS()).CheckBundle(); err != nil {
		t.Errorf("CheckBundle() with the bundle = %v, want nil", err)
	}
}

func TestNewRejectsDuplicateNames(t *testing.T) {
	fsys := testFS()
	fsys["img/app.css"] = &fstest.MapFile{Data: []byte("x")}
	if _, err := New(fsys); err == nil {
		t.Fatal("New with two app.css: err = nil, want an error")
	}
}

// TestEmbedded checks what the binary really ships: the stylesheet, the sprite with the icons
// the views use, and the favicon, all reachable under their hashed URLs.
func TestEmbedded(t *testing.T) {
	a, err := Embedded()
	if err != nil {
		t.Fatalf("Embedded: %v", err)
	}
	hashed := regexp.MustCompile(`^/static/[a-z0-9-]+\.[0-9a-f]{10}\.[a-z0-9]+$`)
	for _, name := range []string{"app.css", "icons.svg", "favicon.svg"} {
		p := a.Path(name)
		if !hashed.MatchString(p) {
			t.Errorf("Path(%q) = %q, want a hashed URL", name, p)
			continue
		}
		if rec := serve(a, http.MethodGet, p); rec.Code != http.StatusOK {
			t.Errorf("GET %s: status = %d, want 200", p, rec.Code)
		}
	}
	for _, name := range a.Names() {
		if strings.HasPrefix(name, ".") {
			t.Errorf("Names() includes hidden file %q", name)
		}
	}
	rec := serve(a, http.MethodGet, a.Path("icons.svg"))
	body, _ := io.ReadAll(rec.Body)
	for _, id := range []string{
		"i-check", "i-alert-triangle", "i-x-octagon", "i-clock", "i-loader", "i-help-circle",
		"i-search", "i-user", "i-users", "i-home", "i-file", "i-id-card", "i-shield", "i-log-out",
		"i-copy", "i-external-link", "i-chevron-up", "i-chevron-down", "i-chevron-right", "i-sort",
		"i-trash", "i-edit", "i-plus", "i-eye", "i-eye-off", "i-download", "i-refresh",
	} {
		if !strings.Contains(string(body), `<symbol id="`+id+`"`) {
			t.Errorf("icons.svg lacks symbol %s", id)
		}
	}
}
