package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"net/http"

	"github.com/golang-jwt/jwt/v5"
	"github.com/hiveconsole/hiveconsole/hive"
)

// SessionClaims are the claims of a session token (HS256, signed with the sandbox's JWT secret).
type SessionClaims struct {
	SessionID  string `json:"session_id"`
	CustomerID string `json:"customer_id"`
	jwt.RegisteredClaims
}

// VerifySessionToken checks a session token's signature and expiry with the sandbox's secret and
// returns its claims; SDK integrations and tests use it.
func (s *Server) VerifySessionToken(token string) (*SessionClaims, error) {
	var claims SessionClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) {
		return []byte(s.creds.JWTSecret), nil
	}, jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(s.now), jwt.WithIssuedAt(), jwt.WithExpirationRequired())
	if err != nil {
		return nil, err
	}
	return &claims, nil
}

func (s *Server) sessionIDs() sessionIDs {
	return sessionIDs{applicationID: s.creds.ApplicationID, workspaceID: s.creds.WorkspaceID}
}

func (s *Server) createSession(w http.ResponseWriter, r *http.Request) error {
	p, err := readParams(r, "customer_id", "application_key")
	if err != nil {
		return err
	}
	customerID, appKey := p.fields["customer_id"], p.fields["application_key"]
	switch {
	case customerID == "":
		return invalidRequest("customer_id", "customer_id is required")
	case appKey == "":
		return invalidRequest("application_key", "application_key is required")
	case !equal(appKey, s.creds.ApplicationKey):
		return invalidField("application_key", "unknown application key")
	}
	if _, err := s.store.customer(r.Context(), customerID); errors.Is(err, errNotFound) {
		return invalidField("customer_id", "no such customer")
	} else if err != nil {
		return err
	}
	now := s.now()
	sess := newSession{id: s.newID(), customerID: customerID, created: now, expires: now.Add(sessionLifetime)}
	if err := s.store.tx(r.Context(), func(tx *sql.Tx) error { return insertSession(r.Context(), tx, sess) }); err != nil {
		return err
	}
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, SessionClaims{
		SessionID:  sess.id,
		CustomerID: customerID,
		RegisteredClaims: jwt.RegisteredClaims{
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(sess.expires),
		},
	}).SignedString([]byte(s.creds.JWTSecret))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, hive.SessionToken{Token: token})
	return nil
}

func (s *Server) listSessions(w http.ResponseWriter, r *http.Request) error {
	now := s.now()
	return streamList(w, r, s.listStall, func(ctx context.Context, fn func(hive.Session) error) error {
		return s.store.eachSession(ctx, s.sessionIDs(), now, fn)
	})
}

func (s *Server) getSession(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.store.session(r.Context(), r.PathValue("id"), s.sessionIDs(), s.now())
	if errors.Is(err, errNotFound) {
		return notFound("session")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sess)
	return nil
}

// deleteSession answers {"id": …}, as the reference shows.
func (s *Server) deleteSession(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := s.store.deleteSession(r.Context(), id); errors.Is(err, errNotFound) {
		return notFound("session")
	} else if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": id})
	return nil
}
