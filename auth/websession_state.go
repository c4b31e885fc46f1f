package auth

import (
	"crypto/subtle"
	"time"

	"github.com/gorilla/sessions"
)

// Names handlers use to carry the CSRF token: a hidden form field, and a request header that the
// Datastar fetches send.
const (
	CSRFField  = "csrf_token"
	CSRFHeader = "X-CSRF-Token"
)

// WebSession is the request's gorilla session together with what the server keeps about it. It reads
// the shared session each time, so after Login or Logout in the same request it shows the new state.
type WebSession struct {
	*sessions.Session
}

func (ws *WebSession) m() *sessionMeta {
	if m, ok := ws.Values[sessionMetaKey{}].(*sessionMeta); ok {
		return m
	}
	return &sessionMeta{}
}

// UserID is the signed-in user's id, or "" for an anonymous session.
func (ws *WebSession) UserID() string { return ws.m().userID }

// Authenticated reports whether a user signed in to this session.
func (ws *WebSession) Authenticated() bool { return ws.m().userID != "" }

// CSRFToken is the session's token for hidden form fields (CSRFField) and Datastar request headers
// (CSRFHeader). It is random per session and stable for the session's life.
func (ws *WebSession) CSRFToken() string { return ws.m().csrfToken }

// VerifyCSRF compares token with the session's in constant time. It is false for a session that is
// not stored (a new anonymous one has a token, but it is not kept unless the session is saved).
func (ws *WebSession) VerifyCSRF(token string) bool {
	m := ws.m()
	return m.stored && token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(m.csrfToken)) == 1
}

// CreatedAt is when the session started (sign-in, for a signed-in session); zero if not stored.
func (ws *WebSession) CreatedAt() time.Time { return ws.m().createdAt }

// LastSeenAt is the last recorded activity, updated at most once per touch interval.
func (ws *WebSession) LastSeenAt() time.Time { return ws.m().lastSeenAt }

// sessionMetaKey is the Values key of this package's per-session state. Its type is unexported, so
// no other package can read or forge it, and encodeSessionValues never stores it.
type sessionMetaKey struct{}

// sessionMeta is what the row knows beyond Values.
type sessionMeta struct {
	userID     string
	csrfToken  string
	createdAt  time.Time
	lastSeenAt time.Time
	stored     bool   // a row exists for the session's id
	data       []byte // Values as last read or written, so an unchanged Save writes nothing
}
