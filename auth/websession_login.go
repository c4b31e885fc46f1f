package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
)

// Load returns the request's web session: the same one gorilla's Get returns, with the user and the
// CSRF token.
func (s *SessionStore) Load(r *http.Request) (*WebSession, error) {
	sess, err := s.Get(r, s.name)
	if sess == nil {
		return nil, err
	}
	s.meta(r.Context(), sess)
	return &WebSession{Session: sess}, err
}

// Login starts a signed-in session for u and sets its cookie. It always issues a new id and deletes
// the row of whatever session the request carried, so an id planted before sign-in (session fixation)
// is worthless after it; Values from before sign-in are not carried over for the same reason.
// Call it after Authenticate, and again after a user changes their own password (which revokes all
// their sessions, this browser's included).
func (s *SessionStore) Login(w http.ResponseWriter, r *http.Request, u User) (*WebSession, error) {
	switch {
	case u.ID == "":
		return nil, errors.New("auth: login: user has no id")
	case u.Disabled:
		return nil, ErrUserDisabled
	}
	sess, err := s.Get(r, s.name)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	if err := s.forget(ctx, sess); err != nil {
		return nil, err
	}
	now := s.now()
	raw := newSessionID()
	m := &sessionMeta{userID: u.ID, csrfToken: newToken(), createdAt: now, lastSeenAt: now, stored: true}
	values := map[any]any{}
	if m.data, err = encodeSessionValues(values); err != nil {
		return nil, err
	}
	ip := ""
	if a := ClientIP(r, s.proxies); a.IsValid() {
		ip = a.String()
	}
	err = s.store.CreateWebSession(ctx, WebSessionRecord{IDHash: hashSessionID(raw), UserID: u.ID,
		CSRFToken: m.csrfToken, Data: m.data, CreatedAt: now, LastSeenAt: now, UserAgent: cutUserAgent(r.UserAgent()), ClientIP: ip})
	if err != nil {
		return nil, err
	}
	values[sessionMetaKey{}] = m
	opts := s.options(s.remaining(now, now))
	sess.ID, sess.Values, sess.Options, sess.IsNew = hashSessionID(raw), values, &opts, false
	if err := s.setCookie(w, raw, now, now); err != nil {
		return nil, err
	}
	return &WebSession{Session: sess}, nil
}

// Logout deletes the request's session and clears its cookie. The request's session becomes a new
// anonymous one, so a flash message added afterwards and saved survives into the next page.
func (s *SessionStore) Logout(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.Get(r, s.name)
	if err != nil {
		return err
	}
	return s.end(r.Context(), w, sess)
}

// end deletes sess's row, resets it in place and clears the cookie.
func (s *SessionStore) end(ctx context.Context, w http.ResponseWriter, sess *sessions.Session) error {
	if err := s.forget(ctx, sess); err != nil {
		return err
	}
	s.clearCookie(w)
	return nil
}

// forget deletes sess's row, if it has one, and resets sess in place.
func (s *SessionStore) forget(ctx context.Context, sess *sessions.Session) error {
	if m := s.meta(ctx, sess); m.stored && validSessionKey(sess.ID) {
		if err := s.store.DeleteWebSession(ctx, sess.ID); err != nil {
			return err
		}
	}
	s.reset(sess)
	return nil
}

// RevokeUser ends every session of a user at once; the Service calls it when the user is disabled,
// changes role or password. It returns how many sessions there were.
func (s *SessionStore) RevokeUser(ctx context.Context, userID string) (int64, error) {
	return s.store.DeleteUserWebSessions(ctx, userID)
}

// PurgeExpired deletes sessions past either timeout; expired sessions are refused on load anyway,
// this only reclaims space.
func (s *SessionStore) PurgeExpired(ctx context.Context) (int64, error) {
	now := s.now()
	return s.store.DeleteExpiredWebSessions(ctx, now.Add(-s.idle), now.Add(-s.absolute))
}

// setCookie writes the signed id with a Max-Age that ends at the absolute timeout.
func (s *SessionStore) setCookie(w http.ResponseWriter, raw []byte, createdAt, now time.Time) error {
	encoded, err := securecookie.EncodeMulti(s.name, raw, s.codecs...)
	if err != nil {
		return fmt.Errorf("auth: sign session cookie: %w", err)
	}
	opts := s.options(s.remaining(createdAt, now))
	http.SetCookie(w, sessions.NewCookie(s.name, encoded, &opts))
	return nil
}

// clearCookie tells the browser to drop the session cookie.
func (s *SessionStore) clearCookie(w http.ResponseWriter) {
	opts := s.options(-1)
	http.SetCookie(w, sessions.NewCookie(s.name, "", &opts))
}

// reset turns sess, in place, into a new anonymous session, so that everything holding the
// request's session (gorilla's registry, a *WebSession) stops seeing the old one.
func (s *SessionStore) reset(sess *sessions.Session) {
	fresh := s.blank(sess.Name())
	sess.ID, sess.Values, sess.Options, sess.IsNew = "", fresh.Values, fresh.Options, true
}
