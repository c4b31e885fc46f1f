package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Single sign-on: staff sign in through an OpenID Connect provider with the authorization code flow
// and PKCE. OIDC speaks the protocol — discovery, the authorization URL, the code exchange and the
// ID token's checks — and turns a verified token into an OIDCIdentity; matching it to an account,
// the audit trail and the session are the handlers' business.

// OIDCConfig is what the console is told about its OpenID provider.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL, exactly as its discovery document and its tokens say it.
	Issuer string
	// ClientID and ClientSecret are the console's registration at the provider; the ID token's
	// audience must be ClientID.
	ClientID, ClientSecret string
	// RedirectURL is the console's callback, <base URL>/login/oidc/callback, registered at the provider.
	RedirectURL string
	// RoleClaim names the ID token claim whose values Roles maps to roles ("groups" when empty). A
	// dotted name ("realm_access.roles") reaches into nested objects.
	RoleClaim string
	// Roles maps the claim's values to roles. Required.
	Roles OIDCRoles
	// Name is what the sign-in button calls the provider ("single sign-on" when empty).
	Name string
	// CreateUsers lets a verified identity with a mapped role but no account get one on its first sign-in.
	CreateUsers bool
	// HTTPClient talks to the provider (default: a client with a 10-second timeout).
	HTTPClient *http.Client
	// Now is the clock the ID token's expiry is checked against (default time.Now).
	Now func() time.Time
}

// OIDCIdentity is who a verified ID token names, and the role its claim maps to.
type OIDCIdentity struct {
	Subject string
	Email   string // normalized
	Name    string // the token's name claim; may be empty
	Role    Role
}

// OIDCError is a refused single sign-on. Reason is a short code for the audit trail and the page;
// Err, when set, is the underlying error for the logs — it may hold the provider's text and is never
// shown to anyone.
type OIDCError struct {
	Reason string
	Err    error
}

func (e *OIDCError) Error() string {
	if e.Err != nil {
		return "auth: single sign-on refused (" + e.Reason + "): " + e.Err.Error()
	}
	return "auth: single sign-on refused (" + e.Reason + ")"
}

func (e *OIDCError) Unwrap() error { return e.Err }

// Reasons an OIDCError gives.
const (
	OIDCUnavailable     = "provider_unavailable" // discovery failed: the provider is down or misconfigured
	OIDCExchangeFailed  = "exchange_failed"      // the token endpoint refused the code or answered nonsense
	OIDCNoIDToken       = "no_id_token"          // the token response carried no ID token
	OIDCInvalidToken    = "invalid_token"        // signature, issuer, audience or expiry wrong
	OIDCNonceMismatch   = "nonce_mismatch"       // the token was not issued for this sign-in
	OIDCEmailMissing    = "email_missing"        // no email claim
	OIDCEmailUnverified = "email_unverified"     // email_verified is not true
	OIDCNoRole          = "no_role"              // no value of the role claim maps to a role
)

func oidcRefused(reason string, err error) error { return &OIDCError{Reason: reason, Err: err} }

// OIDC is the console's OpenID provider. Discovery happens on first use and is remembered once it
// succeeds: the console starts while the provider is down, and the sign-in button works once it is
// back.
type OIDC struct {
	cfg OIDCConfig

	mu       sync.Mutex
	oauth    *oauth2.Config
	verifier *oidc.IDTokenVerifier
}

// NewOIDC checks cfg; it does not reach the provider (see Discover).
func NewOIDC(cfg OIDCConfig) (*OIDC, error) {
	iss, err := url.Parse(cfg.Issuer)
	if err != nil || (iss.Scheme != "https" && iss.Scheme != "http") || iss.Host == "" {
		return nil, fmt.Errorf("auth: OIDC issuer: want an absolute https URL, got %q", cfg.Issuer)
	}
	if cfg.ClientID == "" {
		return nil, errors.New("auth: OIDC needs a client id")
	}
	if _, err := url.Parse(cfg.RedirectURL); err != nil || cfg.RedirectURL == "" {
		return nil, fmt.Errorf("auth: OIDC redirect URL %q", cfg.RedirectURL)
	}
	if len(cfg.Roles) == 0 {
		return nil, errors.New("auth: OIDC needs a role mapping: without one nobody could sign in")
	}
	if cfg.RoleClaim == "" {
		cfg.RoleClaim = "groups"
	}
	if cfg.Name == "" {
		cfg.Name = "single sign-on"
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &OIDC{cfg: cfg}, nil
}

// Name is what the sign-in button calls the provider.
func (o *OIDC) Name() string { return o.cfg.Name }

// CreatesUsers reports whether a verified identity without an account gets one.
func (o *OIDC) CreatesUsers() bool { return o.cfg.CreateUsers }

// Discover reads the provider's discovery document, once it succeeds; before, every call tries
// again. The error is an *OIDCError with reason OIDCUnavailable.
func (o *OIDC) Discover(ctx context.Context) error {
	_, _, err := o.discovered(ctx)
	return err
}

func (o *OIDC) discovered(ctx context.Context) (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.oauth != nil {
		return o.oauth, o.verifier, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, o.cfg.HTTPClient), o.cfg.Issuer)
	if err != nil {
		return nil, nil, oidcRefused(OIDCUnavailable, err)
	}
	ep := p.Endpoint()
	for _, raw := range []string{ep.AuthURL, ep.TokenURL} {
		if u, err := url.Parse(raw); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, nil, oidcRefused(OIDCUnavailable, fmt.Errorf("discovery names the endpoint %q", raw))
		}
	}
	o.oauth = &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, Endpoint: ep,
		RedirectURL: o.cfg.RedirectURL, Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
	o.verifier = p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID, Now: o.cfg.Now})
	return o.oauth, o.verifier, nil
}

// AuthCodeURL is the provider's authorization endpoint, as its discovery document names it, asking
// for a code for this sign-in: state and nonce tie the answer to it, verifier's S256 challenge (PKCE)
// binds the code to whoever holds the verifier.
func (o *OIDC) AuthCodeURL(ctx context.Context, state, nonce, verifier string) (string, error) {
	oc, _, err := o.discovered(ctx)
	if err != nil {
		return "", err
	}
	return oc.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), nil
}

// Identify exchanges the code with the verifier, verifies the ID token (signature, issuer, audience,
// expiry), checks it carries nonce, a verified email and a role claim with a mapped value, and says
// who it names. Every refusal is an *OIDCError.
func (o *OIDC) Identify(ctx context.Context, code, verifier, nonce string) (OIDCIdentity, error) {
	oc, v, err := o.discovered(ctx)
	if err != nil {
		return OIDCIdentity{}, err
	}
	tok, err := oc.Exchange(oidc.ClientContext(ctx, o.cfg.HTTPClient), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return OIDCIdentity{}, oidcRefused(OIDCExchangeFailed, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return OIDCIdentity{}, oidcRefused(OIDCNoIDToken, nil)
	}
	idt, err := v.Verify(oidc.ClientContext(ctx, o.cfg.HTTPClient), raw)
	if err != nil {
		return OIDCIdentity{}, oidcRefused(OIDCInvalidToken, err)
	}
	if idt.Nonce == "" || !equalStrings(idt.Nonce, nonce) {
		return OIDCIdentity{}, oidcRefused(OIDCNonceMismatch, nil)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return OIDCIdentity{}, oidcRefused(OIDCInvalidToken, err)
	}
	return o.identity(idt.Subject, claims)
}

// identity reads the verified token's claims.
func (o *OIDC) identity(subject string, claims map[string]any) (OIDCIdentity, error) {
	email, _ := claims["email"].(string)
	email = NormalizeEmail(email)
	if email == "" || validateEmail(email) != "" {
		return OIDCIdentity{}, oidcRefused(OIDCEmailMissing, nil)
	}
	// Some providers send the string "true": the same claim, spelt loosely. Microsoft Entra ID sends
	// no email_verified for organisational accounts; its optional claim xms_edov says the same thing
	// (the email's domain is one the tenant has verified it owns).
	if !claimTrue(claims["email_verified"]) && !claimTrue(claims["xms_edov"]) {
		return OIDCIdentity{}, oidcRefused(OIDCEmailUnverified, nil)
	}
	role, ok := o.cfg.Roles.RoleFor(claimValues(claims, o.cfg.RoleClaim))
	if !ok {
		return OIDCIdentity{}, oidcRefused(OIDCNoRole, nil)
	}
	name, _ := claims["name"].(string)
	return OIDCIdentity{Subject: subject, Email: email, Name: strings.TrimSpace(name), Role: role}, nil
}

// claimTrue reads a yes-or-no claim: true, or "true" or 1 as some providers spell it.
func claimTrue(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return v == "true" || v == "1"
	case float64:
		return v == 1
	}
	return false
}

// claimValues reads a claim that is a string or an array of strings; a dotted name reaches into
// nested objects when no top-level claim has the whole name.
func claimValues(claims map[string]any, name string) []string {
	v, ok := claims[name]
	if !ok && strings.Contains(name, ".") {
		var cur any = claims
		for _, part := range strings.Split(name, ".") {
			m, isMap := cur.(map[string]any)
			if !isMap {
				return nil
			}
			cur = m[part]
		}
		v = cur
	}
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
