// Package static embeds the console's stylesheet, icons and browser bundle and serves them
// under content-hashed URLs, so that browsers may cache them for a year and a deploy still
// takes effect at once.
//
// The bundle (dist/datastar.js) is built by npm before `go build` (`npm ci && npm run build` in
// this folder) and is not committed; without it the package still compiles and CheckBundle
// says what to run.
package static

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"
)

// The embedded trees. `all:` keeps dist/.gitkeep, so the pattern matches while the bundle is
// not built yet.
//
//go:embed css img all:dist
var embedded embed.FS

// Prefix is the URL path under which Assets serves files; mount the handler there.
const Prefix = "/static/"

// Bundle is the name of the Datastar bundle, as passed to Path.
const Bundle = "datastar.js"

// ErrBundleMissing is wrapped by CheckBundle when dist/datastar.js was not built.
var ErrBundleMissing = errors.New("static: browser bundle dist/" + Bundle + " is missing")

// hashLen is how many hex digits of a file's SHA-256 go into its URL.
const hashLen = 10

// cacheForever is the Cache-Control of a hashed URL: its content can never change.
const cacheForever = "public, max-age=31536000, immutable"

// asset is one servable file.
type asset struct {
	name        string // as passed to Path, e.g. "app.css"
	hashedName  string // e.g. "app.3f2a1b9c0d.css"
	content     []byte
	contentType string
	etag        string
}

// Assets is the set of static files, hashed once at start. It is safe for concurrent use.
// Its ServeHTTP serves `Prefix + hashed name`; Path turns a file name into that URL.
type Assets struct {
	byName   map[string]*asset
	byHashed map[string]*asset
}

// Embedded returns the Assets compiled into the binary: css/, img/ and dist/.
func Embedded() (*Assets, error) {
	return New(embedded)
}

// New hashes every regular file of fsys except dot-files. Files are known by their base name
// ("css/app.css" is "app.css"), so two files with the same base name are an error.
func New(fsys fs.FS) (*Assets, error) {
	a := &Assets{byName: map[string]*asset{}, byHashed: map[string]*asset{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := path.Base(p)
		if d.IsDir() || strings.HasPrefix(name, ".") || !d.Type().IsRegular() {
			return nil
		}
		if prev, ok := a.byName[name]; ok {
			return fmt.Errorf("static: %s and another file are both named %q", p, prev.name)
		}
		content, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(content)
		hash := hex.EncodeToString(sum[:])[:hashLen]
		f := &asset{
			name:        name,
			hashedName:  hashedName(name, hash),
			content:     content,
			contentType: contentType(name),
			etag:        `"` + hash + `"`,
		}
		a.byName[name] = f
		a.byHashed[f.hashedName] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("static: reading assets: %w", err)
	}
	return a, nil
}

// hashedName puts the hash before the extension: app.css → app.3f2a1b9c0d.css.
func hashedName(name, hash string) string {
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hash + ext
}

// contentTypes pins the types of what we ship, so the host's mime tables cannot change them.
var contentTypes = map[string]string{
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".map":   "application/json",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".ico":   "image/x-icon",
	".woff2": "font/woff2",
	".txt":   "text/plain; charset=utf-8",
}

func contentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := contentTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// Path returns the URL of the named file, e.g. Path("app.css") is "/static/app.3f2a1b9c0d.css".
// For a name it does not know it returns Prefix+name, which the handler answers with 404:
// a typo shows up as a failed request in the browser instead of breaking the page render.
func (a *Assets) Path(name string) string {
	if f, ok := a.byName[name]; ok {
		return Prefix + f.hashedName
	}
	return Prefix + name
}

// Names lists the files Assets serves, sorted.
func (a *Assets) Names() []string {
	names := make([]string, 0, len(a.byName))
	for n := range a.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// CheckBundle reports whether the Datastar bundle was built before compiling. Without it pages
// still work (they are server-rendered and work without JavaScript) but nothing is live.
func (a *Assets) CheckBundle() error {
	if _, ok := a.byName[Bundle]; ok {
		return nil
	}
	return fmt.Errorf("%w: run `npm ci && npm run build` in static/ before `go build`", ErrBundleMissing)
}

// ServeHTTP serves GET and HEAD for Prefix + hashed name, with a year-long immutable cache,
// the file's content type, nosniff and a strong ETag (conditional and range requests are
// handled by http.ServeContent). Anything else under Prefix, including an unhashed or stale
// hashed name, is 404; there is no directory listing.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	name, ok := strings.CutPrefix(r.URL.Path, Prefix)
	f := a.byHashed[name]
	if !ok || f == nil {
		h.Set("Cache-Control", "no-store")
		msg := http.StatusText(http.StatusNotFound)
		if name == Bundle || strings.HasPrefix(name, strings.TrimSuffix(Bundle, ".js")+".") {
			if err := a.CheckBundle(); err != nil {
				msg = err.Error()
			}
		}
		http.Error(w, msg, http.StatusNotFound)
		return
	}
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", cacheForever)
	h.Set("ETag", f.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.content))
}
