package auth

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/securecookie"
)

// A second factor is asked on its own step. Between the password and the code, the browser holds a
// short-lived cookie, signed with the session keys, naming who passed the password step and where
// they were going; only a right code turns it into a session. The cookie grants nothing by itself.
const (
	pendingCookie = "hiveconsole_second_factor"
	// PendingTTL is how long after the password the code may be typed.
	PendingTTL = 5 * time.Minute
)

func (s *SessionStore) pendingName() string {
	if s.secure {
		return "__Secure-" + pendingCookie
	}
	return pendingCookie
}

// BeginSecondFactor records that u passed the password step and is to go to next once the second
// factor holds.
func (s *SessionStore) BeginSecondFactor(w http.ResponseWriter, u User, next string) error {
	value := u.ID + "\x00" + strconv.FormatInt(s.now().Unix(), 10) + "\x00" + next
	encoded, err := securecookie.EncodeMulti(s.pendingName(), []byte(value), s.codecs...)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: s.pendingName(), Value: encoded, Path: "/login", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: int(PendingTTL / time.Second)})
	return nil
}

// PendingSecondFactor reads who passed the password step in this browser, and where they were going;
// ErrUnauthenticated when nobody did, the cookie is forged, or PendingTTL has passed.
func (s *SessionStore) PendingSecondFactor(r *http.Request) (userID, next string, err error) {
	ck, err := r.Cookie(s.pendingName())
	if err != nil {
		return "", "", ErrUnauthenticated
	}
	var raw []byte
	if err := securecookie.DecodeMulti(s.pendingName(), ck.Value, &raw, s.codecs...); err != nil {
		return "", "", ErrUnauthenticated
	}
	parts := strings.SplitN(string(raw), "\x00", 3)
	if len(parts) != 3 || parts[0] == "" {
		return "", "", ErrUnauthenticated
	}
	since, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || s.now().Sub(time.Unix(since, 0)) > PendingTTL {
		return "", "", ErrUnauthenticated
	}
	return parts[0], parts[2], nil
}

// EndSecondFactor forgets the password step in this browser.
func (s *SessionStore) EndSecondFactor(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.pendingName(), Value: "", Path: "/login", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
}
