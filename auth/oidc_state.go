package auth

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gorilla/securecookie"
)

// Between the console sending the browser to the provider and the provider sending it back, the
// browser holds a short-lived cookie, signed with the session keys, with what the callback checks:
// the state, the nonce, the PKCE verifier and where the user was going. SameSite=Lax, not Strict: the
// provider's redirect back is a cross-site top-level GET, which must carry it. The callback takes the
// cookie (and clears it), so one state serves one callback; the provider's single-use code stops a
// replay with a copied cookie.
const (
	oidcStateCookie = "hiveconsole_oidc"
	// OIDCStateTTL is how long the provider may take to send the browser back.
	OIDCStateTTL = 10 * time.Minute
)

// OIDCState is one single sign-on in flight in one browser.
type OIDCState struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"next"`
	Started  int64  `json:"t"` // Unix seconds; set by BeginSingleSignOn
}

func (s *SessionStore) oidcStateName() string {
	if s.secure {
		return "__Secure-" + oidcStateCookie
	}
	return oidcStateCookie
}

// BeginSingleSignOn keeps st in this browser for the callback.
func (s *SessionStore) BeginSingleSignOn(w http.ResponseWriter, st OIDCState) error {
	st.Started = s.now().Unix()
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	encoded, err := securecookie.EncodeMulti(s.oidcStateName(), raw, s.codecs...)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: s.oidcStateName(), Value: encoded, Path: "/login", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(OIDCStateTTL / time.Second)})
	return nil
}

// TakeSingleSignOn reads the sign-on in flight in this browser and clears it, whatever it holds;
// ErrUnauthenticated when there is none, the cookie is forged, or OIDCStateTTL has passed.
func (s *SessionStore) TakeSingleSignOn(w http.ResponseWriter, r *http.Request) (OIDCState, error) {
	ck, err := r.Cookie(s.oidcStateName())
	if err != nil {
		return OIDCState{}, ErrUnauthenticated
	}
	http.SetCookie(w, &http.Cookie{Name: s.oidcStateName(), Value: "", Path: "/login", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
	var raw []byte
	if err := securecookie.DecodeMulti(s.oidcStateName(), ck.Value, &raw, s.codecs...); err != nil {
		return OIDCState{}, ErrUnauthenticated
	}
	var st OIDCState
	if err := json.Unmarshal(raw, &st); err != nil || st.State == "" || st.Nonce == "" || st.Verifier == "" {
		return OIDCState{}, ErrUnauthenticated
	}
	if age := s.now().Sub(time.Unix(st.Started, 0)); age < 0 || age > OIDCStateTTL {
		return OIDCState{}, ErrUnauthenticated
	}
	return st, nil
}
