package auth

import (
	"net/http"
	"time"
)

// A second factor is asked on its own step. Between the password and the code, the browser holds a
// login cookie naming who passed the password step and where they were going; only a right code
// turns it into a session.
const (
	pendingCookie = "hiveconsole_second_factor"
	// PendingTTL is how long after the password the code may be typed.
	PendingTTL = 5 * time.Minute
)

// pending is the password step's login cookie: Strict, as only the console's own pages lead to it.
func pending() loginCookie {
	return loginCookie{name: pendingCookie, ttl: PendingTTL, sameSite: http.SameSiteStrictMode}
}

// pendingSignIn is the password step passed.
type pendingSignIn struct {
	UserID string `json:"u"`
	Next   string `json:"n"`
}

// BeginSecondFactor records that u passed the password step and is to go to next once the second
// factor holds.
func (s *SessionStore) BeginSecondFactor(w http.ResponseWriter, u User, next string) error {
	return s.setLoginCookie(w, pending(), pendingSignIn{UserID: u.ID, Next: next})
}

// PendingSecondFactor reads who passed the password step in this browser, and where they were going;
// ErrUnauthenticated when nobody did, the cookie is forged, or PendingTTL has passed.
func (s *SessionStore) PendingSecondFactor(r *http.Request) (userID, next string, err error) {
	var p pendingSignIn
	if err := s.readLoginCookie(r, pending(), &p); err != nil || p.UserID == "" {
		return "", "", ErrUnauthenticated
	}
	return p.UserID, p.Next, nil
}

// EndSecondFactor forgets the password step in this browser.
func (s *SessionStore) EndSecondFactor(w http.ResponseWriter) { s.clearLoginCookie(w, pending()) }
