package auth

import (
	"net/http"
	"time"
)

// Between the console sending the browser to the provider and the provider sending it back, the
// browser holds a login cookie with what the callback checks:
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
}

// oidcState is the single sign-on's login cookie: Lax, as the provider's redirect back must carry it.
func oidcState() loginCookie {
	return loginCookie{name: oidcStateCookie, ttl: OIDCStateTTL, sameSite: http.SameSiteLaxMode}
}

// BeginSingleSignOn keeps st in this browser for the callback.
func (s *SessionStore) BeginSingleSignOn(w http.ResponseWriter, st OIDCState) error {
	return s.setLoginCookie(w, oidcState(), st)
}

// TakeSingleSignOn reads the sign-on in flight in this browser and clears it, whatever it holds;
// ErrUnauthenticated when there is none, the cookie is forged, or OIDCStateTTL has passed.
func (s *SessionStore) TakeSingleSignOn(w http.ResponseWriter, r *http.Request) (OIDCState, error) {
	var st OIDCState
	err := s.readLoginCookie(r, oidcState(), &st)
	s.clearLoginCookie(w, oidcState()) // one state serves one callback
	if err != nil || st.State == "" || st.Nonce == "" || st.Verifier == "" {
		return OIDCState{}, ErrUnauthenticated
	}
	return st, nil
}
