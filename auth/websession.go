package auth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
)

// SessionStore is a gorilla/sessions Store whose sessions live in the console database. The cookie
// carries only a random id signed with securecookie; everything else — the user, the CSRF token,
// the Values — stays on the server, where logout and revocation take effect at once and the idle and
// absolute timeouts are enforced whatever the browser does with the cookie.
//
// An expired, revoked, tampered-with or unknown cookie loads as a new, empty session without an
// error: that is a normal state for a browser to be in. Errors mean the database failed.
//
// Handlers use Load, Login and Logout; Get, New and Save make it a sessions.Store, so
// session.Save(r, w) and sessions.Save(r, w) work as with any gorilla store.
type SessionStore struct {
	store      Store
	codecs     []securecookie.Codec
	name       string
	secure     bool
	idle       time.Duration
	absolute   time.Duration
	touchEvery time.Duration
	now        func() time.Time
	log        *slog.Logger
	proxies    []netip.Prefix // whose X-Forwarded-For names the address a session records
}

var _ sessions.Store = (*SessionStore)(nil)

// newSessionStore builds the store; keys are newest first: the first signs, all verify.
func newSessionStore(store Store, keys [][]byte, secure bool, idle, absolute, touchEvery time.Duration,
	now func() time.Time, log *slog.Logger) *SessionStore {
	pairs := make([][]byte, 0, 2*len(keys))
	for _, k := range keys {
		pairs = append(pairs, k, nil) // no encryption key: the cookie holds nothing but a random id
	}
	codecs := securecookie.CodecsFromPairs(pairs...)
	for _, c := range codecs {
		sc := c.(*securecookie.SecureCookie)
		sc.MaxAge(int(absolute / time.Second)) // a cookie older than the absolute timeout is not even decoded
		sc.SetSerializer(securecookie.NopEncoder{})
	}
	name := "hiveconsole"
	if secure {
		// __Host- makes browsers refuse the cookie unless it is Secure, host-only and Path=/, so a
		// sibling subdomain cannot plant a session cookie (fixation by cookie tossing).
		name = "__Host-hiveconsole"
	}
	return &SessionStore{store: store, codecs: codecs, name: name, secure: secure, idle: idle,
		absolute: absolute, touchEvery: touchEvery, now: now, log: log}
}

// CookieName is the session cookie's name: "__Host-hiveconsole" under https, else "hiveconsole".
func (s *SessionStore) CookieName() string { return s.name }

// options spells out every cookie attribute: gorilla's defaults (SameSite=None, 30 days, no HttpOnly)
// are wrong for a back office.
func (s *SessionStore) options(maxAge int) sessions.Options {
	return sessions.Options{
		Path:        "/",
		Domain:      "", // host-only; required by __Host-
		MaxAge:      maxAge,
		Secure:      s.secure,
		HttpOnly:    true,
		Partitioned: false,
		SameSite:    http.SameSiteLaxMode,
	}
}

// Get returns the request's session, decoding it once per request through gorilla's registry.
func (s *SessionStore) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New loads the session named by the request's cookie, or returns a new empty one.
func (s *SessionStore) New(r *http.Request, name string) (*sessions.Session, error) {
	sess := s.blank(name)
	if name != s.name {
		return sess, fmt.Errorf("auth: this store serves only the %q cookie, not %q", s.name, name)
	}
	c, err := r.Cookie(name)
	if err != nil {
		return sess, nil
	}
	var raw []byte
	if securecookie.DecodeMulti(name, c.Value, &raw, s.codecs...) != nil || len(raw) != sessionIDLen {
		return sess, nil
	}
	return sess, s.load(r.Context(), sess, raw)
}

// blank returns a new anonymous session, not yet stored.
func (s *SessionStore) blank(name string) *sessions.Session {
	sess := sessions.NewSession(s, name)
	opts := s.options(int(s.absolute / time.Second))
	sess.Options = &opts
	sess.IsNew = true
	sess.Values[sessionMetaKey{}] = &sessionMeta{csrfToken: newToken()}
	return sess
}

// load fills sess from the row for raw, if the row exists and has not expired.
func (s *SessionStore) load(ctx context.Context, sess *sessions.Session, raw []byte) error {
	idHash := hashSessionID(raw)
	rec, err := s.store.WebSession(ctx, idHash)
	if errors.Is(err, ErrSessionNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	now := s.now()
	if s.expired(rec, now) {
		if err := s.store.DeleteWebSession(ctx, idHash); err != nil {
			s.log.WarnContext(ctx, "auth: delete expired web session", "err", err)
		}
		return nil
	}
	values, err := decodeSessionValues(rec.Data)
	if err != nil {
		// A row this build cannot read (a type no longer registered, say) is treated as gone.
		s.log.WarnContext(ctx, "auth: unreadable web session discarded", "err", err)
		return nil
	}
	if now.Sub(rec.LastSeenAt) >= s.touchEvery {
		if err := s.store.TouchWebSession(ctx, idHash, now); err != nil {
			return err
		}
		rec.LastSeenAt = now
	}
	values[sessionMetaKey{}] = &sessionMeta{userID: rec.UserID, csrfToken: rec.CSRFToken,
		createdAt: rec.CreatedAt, lastSeenAt: rec.LastSeenAt, stored: true, data: rec.Data}
	sess.ID = idHash
	sess.Values = values
	sess.IsNew = false
	sess.Options.MaxAge = s.remaining(rec.CreatedAt, now)
	return nil
}

// expired applies the server-side timeouts; the cookie's own lifetime is only a hint to the browser.
func (s *SessionStore) expired(rec WebSessionRecord, now time.Time) bool {
	return now.Sub(rec.LastSeenAt) >= s.idle || now.Sub(rec.CreatedAt) >= s.absolute
}

// remaining is the cookie Max-Age that ends with the absolute timeout, in whole seconds.
func (s *SessionStore) remaining(createdAt, now time.Time) int {
	left := createdAt.Add(s.absolute).Sub(now)
	return max(1, int((left+time.Second-1)/time.Second))
}

// meta returns the session's state, recovering it from the row if a handler replaced Values.
func (s *SessionStore) meta(ctx context.Context, sess *sessions.Session) *sessionMeta {
	if sess.Values == nil {
		sess.Values = make(map[any]any)
	}
	if m, ok := sess.Values[sessionMetaKey{}].(*sessionMeta); ok {
		return m
	}
	m := &sessionMeta{csrfToken: newToken()}
	if validSessionKey(sess.ID) {
		if rec, err := s.store.WebSession(ctx, sess.ID); err == nil {
			m = &sessionMeta{userID: rec.UserID, csrfToken: rec.CSRFToken, createdAt: rec.CreatedAt,
				lastSeenAt: rec.LastSeenAt, stored: true, data: rec.Data}
		}
	}
	sess.Values[sessionMetaKey{}] = m
	return m
}

// Save stores the session's Values; a session's first Save also sets its cookie (later ones change
// only the row, and write nothing when the Values are unchanged). A new anonymous session with no
// Values is not stored at all, so crawlers and scanners hitting /login do not fill the table. Options.MaxAge < 0 ends
// the session, as with other gorilla stores. A session revoked while the request ran is not brought
// back: its Values are dropped and the cookie cleared.
func (s *SessionStore) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	if sess.Name() != s.name {
		return fmt.Errorf("auth: this store serves only the %q cookie, not %q", s.name, sess.Name())
	}
	ctx := r.Context()
	m := s.meta(ctx, sess)
	if sess.Options != nil && sess.Options.MaxAge < 0 {
		return s.end(ctx, w, sess)
	}
	data, err := encodeSessionValues(sess.Values)
	if err != nil {
		return err
	}
	now := s.now()
	if !m.stored {
		if m.userID == "" && userValueCount(sess.Values) == 0 {
			return nil
		}
		raw := newSessionID()
		err := s.store.CreateWebSession(ctx, WebSessionRecord{IDHash: hashSessionID(raw), UserID: m.userID,
			CSRFToken: m.csrfToken, Data: data, CreatedAt: now, LastSeenAt: now})
		if err != nil {
			return err
		}
		sess.ID, sess.IsNew = hashSessionID(raw), false
		m.stored, m.createdAt, m.lastSeenAt, m.data = true, now, now, data
		return s.setCookie(w, raw, now, now)
	}
	if bytes.Equal(data, m.data) {
		return nil
	}
	// The browser already holds the cookie, with a Max-Age ending at the absolute timeout; only the
	// row changes. (The id itself is not kept, so the cookie could not be re-signed anyway.)
	err = s.store.SaveWebSessionData(ctx, sess.ID, data, now)
	if errors.Is(err, ErrSessionNotFound) {
		s.reset(sess)
		s.clearCookie(w)
		return nil
	}
	if err != nil {
		return err
	}
	m.data, m.lastSeenAt = data, now
	return nil
}
