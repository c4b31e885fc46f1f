// Package oidctest is a small OpenID provider for tests of the console's single sign-on, served on
// 127.0.0.1: discovery, keys, an authorization endpoint that approves at once, and a token endpoint
// that checks the client, the single-use code and the PKCE verifier. Its fields say who signs in
// and how it misbehaves.
package oidctest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Provider is an OpenID provider on 127.0.0.1: discovery, JWKS, an authorize endpoint that
// approves at once and sends the browser back with a code (recording the PKCE challenge and the
// nonce), and a token endpoint that checks the client, the single-use code and the verifier, and
// answers with an ID token signed with ES256. Its fields say who signs in and how it misbehaves; a
// test changes them between sign-ins (with Signs or Set).
type Provider struct {
	*httptest.Server
	t                      testing.TB
	ClientID, ClientSecret string // the console's registration
	key, otherKey          *ecdsa.PrivateKey

	mu sync.Mutex
	// Who signs in next: the email and the values of the "groups" claim.
	Email  string
	Groups []string
	// Claims edits the ID token's claims just before signing: a test's misbehaviour.
	Claims func(map[string]any)
	// SignWithOtherKey signs with a key the JWKS does not publish (under the published key id).
	SignWithOtherKey bool
	// Down answers discovery with 503.
	Down  bool
	codes map[string]grant // issued, not yet redeemed
	// Exchanges counts the token requests, redeemed or refused.
	Exchanges int
}

// grant is what an issued code stands for.
type grant struct {
	challenge, nonce, redirectURI, email string
	groups                               []string
}

// New starts a provider for the client "hive-console" with the secret "provider-secret"; it stops
// when the test ends.
func New(t testing.TB) *Provider {
	t.Helper()
	p := &Provider{t: t, ClientID: "hive-console", ClientSecret: "provider-secret", key: newECKey(t), otherKey: newECKey(t),
		codes: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.Server = httptest.NewServer(mux)
	t.Cleanup(p.Close)
	return p
}

func newECKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Signs sets who signs in next, and resets any misbehaviour.
func (p *Provider) Signs(email string, groups ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.Email, p.Groups, p.Claims, p.SignWithOtherKey, p.Down = email, groups, nil, false, false
}

// Set changes the provider's fields under its lock.
func (p *Provider) Set(f func(p *Provider)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(p)
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	p.mu.Lock()
	down := p.Down
	p.mu.Unlock()
	if down {
		http.Error(w, "<b>maintenance</b>", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, map[string]any{
		"issuer": p.URL, "authorization_endpoint": p.URL + "/authorize", "token_endpoint": p.URL + "/token",
		"jwks_uri": p.URL + "/jwks", "response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
		"id_token_signing_alg_values_supported": []string{"ES256"}, "code_challenge_methods_supported": []string{"S256"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
}

// authorize approves at once: the browser goes back to redirect_uri with a code and the state.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != p.ClientID || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" ||
		q.Get("code_challenge") == "" || q.Get("state") == "" || q.Get("nonce") == "" || !strings.Contains(q.Get("scope"), "openid") {
		http.Error(w, "bad authorization request: "+r.URL.RawQuery, http.StatusBadRequest)
		return
	}
	code := rand.Text()
	p.mu.Lock()
	p.codes[code] = grant{challenge: q.Get("code_challenge"), nonce: q.Get("nonce"), redirectURI: q.Get("redirect_uri"),
		email: p.Email, groups: p.Groups}
	p.mu.Unlock()
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	bq := back.Query()
	bq.Set("code", code)
	bq.Set("state", q.Get("state"))
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// token redeems a code once, for the client that holds the verifier of its challenge.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.Exchanges++
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	if id != p.ClientID || secret != p.ClientSecret {
		tokenError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	g, ok := p.codes[r.PostFormValue("code")]
	delete(p.codes, r.PostFormValue("code"))
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	switch {
	case r.PostFormValue("grant_type") != "authorization_code" || !ok || r.PostFormValue("redirect_uri") != g.redirectURI:
		tokenError(w, http.StatusBadRequest, "invalid_grant")
		return
	case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		tokenError(w, http.StatusBadRequest, "invalid_grant") // PKCE: not the verifier of the challenge
		return
	}
	now := time.Now()
	claims := map[string]any{"iss": p.URL, "sub": "sub-" + g.email, "aud": p.ClientID, "iat": now.Unix(),
		"exp": now.Add(5 * time.Minute).Unix(), "nonce": g.nonce, "email": g.email, "email_verified": true,
		"name": "Signed In Through SSO", "groups": g.groups}
	if p.Claims != nil {
		p.Claims(claims)
	}
	key := p.key
	if p.SignWithOtherKey {
		key = p.otherKey
	}
	writeJSON(w, map[string]any{"access_token": rand.Text(), "token_type": "Bearer", "expires_in": 300, "id_token": p.sign(key, claims)})
}

func (p *Provider) sign(key *ecdsa.PrivateKey, claims map[string]any) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		p.t.Error(err)
		return ""
	}
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		p.t.Error(err)
		return ""
	}
	s, _ := jws.CompactSerialize()
	return s
}

func tokenError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": "<script>provider text</script>"})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
