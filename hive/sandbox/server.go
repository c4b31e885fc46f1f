package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Defaults for Options' zero values.
const (
	DefaultTokenTTL     = 3599 * time.Second
	DefaultCheckDelay   = 3 * time.Second // what `hiveconsole sandbox` and sandbox mode use
	DefaultMaxBodyBytes = 64 << 10
	sessionLifetime     = 90 * time.Minute
	databaseFile        = "sandbox.db"
)

// Options configure a Server.
type Options struct {
	DataDir     string      // holds sandbox.db and the credentials file; required
	Credentials Credentials // fields left empty are loaded from, or generated into, the data dir
	// BaseURL is the public URL of the sandbox, used in file urls. Empty: taken from each request's
	// Host, which is right for loopback use.
	BaseURL      string
	TokenTTL     time.Duration // lifetime of access tokens; DefaultTokenTTL when zero
	CheckDelay   time.Duration // how long a check stays processing; zero completes it at the next read
	MaxBodyBytes int64         // DefaultMaxBodyBytes when zero
	Now          func() time.Time
	Logger       *slog.Logger
}

// Server is the Hive API sandbox: an http.Handler over its own SQLite store.
type Server struct {
	store    *store
	creds    Credentials
	baseURL  string
	tokenTTL time.Duration
	delay    time.Duration
	maxBody  int64
	// listStall is how long a list's write may wait on a client that has stopped reading.
	listStall time.Duration
	now       func() time.Time
	log       *slog.Logger
	mux       *http.ServeMux
	images    *imageCache

	settleMu sync.Mutex // one goroutine completes due checks at a time

	tokensMu sync.Mutex
	tokens   map[[32]byte]time.Time // valid tokens seen recently, by hash: saves a query per request
}

// New opens (or creates) the sandbox's state in opts.DataDir.
func New(ctx context.Context, opts Options) (*Server, error) {
	if opts.DataDir == "" {
		return nil, errors.New("sandbox: a data directory is required")
	}
	creds, err := loadCredentials(opts.DataDir, opts.Credentials)
	if err != nil {
		return nil, err
	}
	st, err := openStore(ctx, filepath.Join(opts.DataDir, databaseFile))
	if err != nil {
		return nil, err
	}
	s := &Server{
		store:     st,
		creds:     creds,
		baseURL:   strings.TrimRight(opts.BaseURL, "/"),
		tokenTTL:  opts.TokenTTL,
		delay:     opts.CheckDelay,
		maxBody:   opts.MaxBodyBytes,
		listStall: defaultListStall,
		now:       opts.Now,
		log:       opts.Logger,
		images:    newImageCache(32),
		tokens:    map[[32]byte]time.Time{},
	}
	if s.tokenTTL <= 0 {
		s.tokenTTL = DefaultTokenTTL
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.mux = s.routes()
	return s, nil
}

// Close releases the database.
func (s *Server) Close() error { return s.store.Close() }

// Credentials returns the keys clients use with this sandbox.
func (s *Server) Credentials() Credentials { return s.creds }

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// handlerFunc is an endpoint that reports failure by returning an error.
type handlerFunc func(http.ResponseWriter, *http.Request) error

// routes registers every endpoint of the reference, the downloads and the /sandbox control surface.
// Each path also gets a method-less pattern so a wrong verb gets the JSON 405, not net/http's text.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	type route struct {
		method, path string
		h            handlerFunc
		public       bool
	}
	routes := []route{
		{"GET", "/token", s.issueToken, true},
		{"POST", "/customers", s.createCustomer, false},
		{"GET", "/customers", s.listCustomers, false},
		{"GET", "/customers/{id}", s.getCustomer, false},
		{"PATCH", "/customers/{id}", s.updateCustomer, false},
		{"DELETE", "/customers/{id}", s.deleteCustomer, false},
		{"POST", "/sessions", s.createSession, false},
		{"GET", "/sessions", s.listSessions, false},
		{"GET", "/sessions/{id}", s.getSession, false},
		{"DELETE", "/sessions/{id}", s.deleteSession, false},
		{"POST", "/checks", s.createCheck, false},
		{"GET", "/checks", s.listChecks, false},
		{"GET", "/checks/{id}", s.getCheck, false},
		{"DELETE", "/checks/{id}", s.deleteCheck, false},
		{"GET", "/checks/{id}/report", s.getReport, false},
		{"GET", "/files", s.listFiles, false},
		{"GET", "/files/{id}", s.getFile, false},
		{"GET", "/downloads/{id}", s.download, false},
		{"GET", "/sandbox/scenarios", s.listScenarios, true},
		{"POST", "/sandbox/sessions/{id}/complete", s.completeSessionNow, false},
		{"POST", "/sandbox/checks/{id}/complete", s.completeCheckNow, false},
	}
	allowed := map[string][]string{}
	for _, rt := range routes {
		mux.Handle(rt.method+" "+rt.path, s.endpoint(rt.h, rt.public))
		allowed[rt.path] = append(allowed[rt.path], rt.method)
	}
	for path, methods := range allowed {
		allow := strings.Join(methods, ", ")
		if contains(methods, "GET") {
			allow += ", HEAD"
		}
		mux.Handle(path, s.endpoint(func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Allow", allow)
			return &APIError{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed", Message: r.Method + " is not allowed here; use " + allow}
		}, true))
	}
	mux.Handle("/", s.endpoint(func(http.ResponseWriter, *http.Request) error {
		return &APIError{Status: http.StatusNotFound, Code: "not_found", Message: "no such endpoint"}
	}, true))
	return mux
}

// endpoint wraps a handler with a request id, panic recovery, the body limit, authentication, and
// the completion of checks whose processing time is up.
func (s *Server) endpoint(h handlerFunc, public bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", newRequestID())
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.writeError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		r.Body = http.MaxBytesReader(w, r.Body, s.maxBody)
		err := s.authorize(r, public)
		if err == nil && !public {
			err = s.settle(r.Context())
		}
		if err == nil {
			err = h(w, r)
		}
		if err != nil {
			s.writeError(w, r, err)
		}
	})
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "req_" + base64.RawURLEncoding.EncodeToString(b[:])
}

// issueToken implements GET /token: HTTP Basic with the API key and secret, base64-encoded as the
// reference's text says, or the literal KEY:SECRET its curl example shows.
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request) error {
	key, secret, ok := basicCredentials(r.Header.Get("Authorization"))
	if !ok || !equal(key, s.creds.APIKey) || !equal(secret, s.creds.APISecret) {
		return errUnauthorized
	}
	var raw [48]byte
	_, _ = rand.Read(raw[:])
	token := base64.RawURLEncoding.EncodeToString(raw[:32]) + "." + base64.RawURLEncoding.EncodeToString(raw[32:])
	now := s.now()
	expires := now.Add(s.tokenTTL)
	hash := sha256.Sum256([]byte(token))
	if err := s.store.saveToken(r.Context(), hash[:], expires, now); err != nil {
		return err
	}
	s.rememberToken(hash, expires)
	writeJSON(w, http.StatusOK, map[string]any{"access_token": token, "expires_in": int64(s.tokenTTL / time.Second)})
	return nil
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// basicCredentials reads "Basic base64(key:secret)" or "Basic key:secret".
func basicCredentials(h string) (key, secret string, ok bool) {
	const prefix = "Basic "
	if len(h) < len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", "", false
	}
	v := strings.TrimSpace(h[len(prefix):])
	if dec, err := base64.StdEncoding.DecodeString(v); err == nil && strings.Contains(string(dec), ":") {
		v = string(dec)
	}
	return strings.Cut(v, ":")
}

// authorize checks the bearer token of non-public endpoints.
func (s *Server) authorize(r *http.Request, public bool) error {
	if public {
		return nil
	}
	h := r.Header.Get("Authorization")
	const prefix = "Bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return errUnauthorized
	}
	hash := sha256.Sum256([]byte(strings.TrimSpace(h[len(prefix):])))
	now := s.now()
	s.tokensMu.Lock()
	exp, known := s.tokens[hash]
	s.tokensMu.Unlock()
	if known {
		if now.Before(exp) {
			return nil
		}
		return errUnauthorized
	}
	ok, err := s.store.tokenValid(r.Context(), hash[:], now)
	if err != nil {
		return err
	}
	if !ok {
		return errUnauthorized
	}
	return nil
}

func (s *Server) rememberToken(hash [32]byte, expires time.Time) {
	s.tokensMu.Lock()
	defer s.tokensMu.Unlock()
	now := s.now()
	for h, exp := range s.tokens {
		if !now.Before(exp) {
			delete(s.tokens, h)
		}
	}
	s.tokens[hash] = expires
}

// newID returns a random UUID, the shape of every Hive id.
func (s *Server) newID() string { return uuid.NewString() }
