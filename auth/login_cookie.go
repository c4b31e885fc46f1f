package auth

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gorilla/securecookie"
)

// loginCookie is a short-lived cookie on /login, signed with the session keys and bound to its name,
// that carries a sign-in from one request to the next: the password step to the code's, the way to
// the identity provider to the way back. It grants nothing by itself.
type loginCookie struct {
	name     string
	ttl      time.Duration
	sameSite http.SameSite
	path     string // where the browser sends it; "" is /login
}

func (c loginCookie) cookiePath() string {
	if c.path == "" {
		return "/login"
	}
	return c.path
}

// loginCookieValue is what a login cookie holds: when it was set, and the value.
type loginCookieValue struct {
	Set   int64           `json:"t"` // Unix seconds
	Value json.RawMessage `json:"v"`
}

func (s *SessionStore) cookieName(c loginCookie) string {
	if s.secure {
		return "__Secure-" + c.name
	}
	return c.name
}

// setLoginCookie keeps v, as JSON, in c for its time to live.
func (s *SessionStore) setLoginCookie(w http.ResponseWriter, c loginCookie, v any) error {
	value, err := json.Marshal(v)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(loginCookieValue{Set: s.now().Unix(), Value: value})
	if err != nil {
		return err
	}
	encoded, err := securecookie.EncodeMulti(s.cookieName(c), raw, s.codecs...)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(c), Value: encoded, Path: c.cookiePath(), HttpOnly: true, Secure: s.secure,
		SameSite: c.sameSite, MaxAge: int(c.ttl / time.Second)})
	return nil
}

// readLoginCookie decodes c's value into v; ErrUnauthenticated when the request carries none, it is
// forged or signed with another key or name, or its time to live has passed.
func (s *SessionStore) readLoginCookie(r *http.Request, c loginCookie, v any) error {
	ck, err := r.Cookie(s.cookieName(c))
	if err != nil {
		return ErrUnauthenticated
	}
	var raw []byte
	if err := securecookie.DecodeMulti(s.cookieName(c), ck.Value, &raw, s.codecs...); err != nil {
		return ErrUnauthenticated
	}
	var lv loginCookieValue
	if err := json.Unmarshal(raw, &lv); err != nil {
		return ErrUnauthenticated
	}
	if age := s.now().Sub(time.Unix(lv.Set, 0)); age < 0 || age > c.ttl {
		return ErrUnauthenticated
	}
	if err := json.Unmarshal(lv.Value, v); err != nil {
		return ErrUnauthenticated
	}
	return nil
}

// clearLoginCookie removes c from the browser.
func (s *SessionStore) clearLoginCookie(w http.ResponseWriter, c loginCookie) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(c), Value: "", Path: c.cookiePath(), HttpOnly: true, Secure: s.secure,
		SameSite: c.sameSite, MaxAge: -1})
}
