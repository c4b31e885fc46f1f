package auth

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// A passkey (a WebAuthn credential made by a phone, a laptop's fingerprint reader or a security key)
// signs a staff member in as both factors at once: something they have, the authenticator, which
// also checked something they know or are, its PIN or a fingerprint (user verification is required).
// The console keeps each passkey's public key; the private key never leaves the authenticator.
//
// A ceremony (adding a passkey, or signing in with one) takes two requests: the first sends the
// browser a challenge and keeps the ceremony in a signed cookie, the second checks the
// authenticator's answer against it. Each challenge is answered once: SpendChallenge refuses a
// second answer, so a copied answer and cookie cannot sign in again.

// Passkey errors, for errors.Is.
var (
	// ErrPasskeysUnavailable refuses a passkey ceremony when the base URL is one browsers offer no
	// passkeys on (plain http on a host other than localhost).
	ErrPasskeysUnavailable = errors.New("auth: passkeys need the console on https or http://localhost")
	// ErrPasskeyCeremony is an answer with no ceremony in flight in this browser: none begun, it
	// expired, it was answered already, or the cookie is forged.
	ErrPasskeyCeremony = errors.New("auth: no passkey ceremony in flight, or it expired")
	// ErrPasskeyRejected is an answer that does not verify: a wrong signature or origin, a passkey
	// the console does not know or one of a disabled account, user verification missing, or a
	// signature counter that went backwards (a cloned authenticator). One answer for all.
	ErrPasskeyRejected = errors.New("auth: passkey not accepted")
	// ErrPasskeyExists is a passkey registered already (by this account or another).
	ErrPasskeyExists = errors.New("auth: this passkey is registered already")
	// ErrNoPasskey is a removal of a passkey the user does not have.
	ErrNoPasskey = errors.New("auth: no such passkey")
	// ErrTooManyPasskeys refuses a passkey beyond MaxPasskeys.
	ErrTooManyPasskeys = errors.New("auth: too many passkeys")
)

const (
	// PasskeyCeremonyTTL is how long the browser and the authenticator may take to answer.
	PasskeyCeremonyTTL = 5 * time.Minute
	// MaxPasskeys bounds one account's passkeys: enough for a phone, laptops and spare keys.
	MaxPasskeys = 10
	// MaxPasskeyName is the longest name a passkey may have, in characters.
	MaxPasskeyName = 60

	passkeySignInCookie   = "hiveconsole_passkey"
	passkeyRegisterCookie = "hiveconsole_passkey_new"
	// PasskeyRegisterPath is where the browser sends the ceremony cookie of a passkey being added.
	PasskeyRegisterPath = "/account/passkeys"
)

// Passkey is one of a user's passkeys, as the Security page lists them.
type Passkey struct {
	ID         string    // the credential's id, base64url
	Name       string    // what the user called it
	CreatedAt  time.Time // when it was added
	LastUsedAt time.Time // zero before its first sign-in
	// Synced says the authenticator may copy it to the user's other devices (a password manager or
	// a platform's keychain), as against one bound to a single device or security key.
	Synced bool
}

// passkeyParty is the console as a WebAuthn relying party.
type passkeyParty struct {
	wa     *webauthn.WebAuthn
	origin string // the one origin the browser must report
}

// newPasskeyParty derives the relying party from the base URL. Browsers offer passkeys only in a
// secure context and never on an IP address: an https base URL serves them at its host; an http one
// only at localhost. A base URL on a loopback address (the default, http://127.0.0.1:8080) serves
// them at http://localhost on the same port, the same server by another name. Any other http base
// URL has none (nil, nil).
func newPasskeyParty(base *url.URL) (*passkeyParty, error) {
	if base == nil || base.Host == "" {
		return nil, nil
	}
	host, port := base.Hostname(), base.Port()
	origin := base.Scheme + "://" + base.Host
	switch {
	case base.Scheme == "https":
		if ip := net.ParseIP(host); ip != nil {
			return nil, nil
		}
	case base.Scheme == "http" && (host == "localhost" || strings.HasSuffix(host, ".localhost")):
	case base.Scheme == "http" && isLoopback(host):
		host = "localhost"
		origin = "http://" + net.JoinHostPort(host, port)
		if port == "" {
			origin = "http://localhost"
		}
	default:
		return nil, nil
	}
	wa, err := webauthn.New(&webauthn.Config{
		RPID:          host,
		RPDisplayName: "Hive Console",
		RPOrigins:     []string{origin},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Enforce: true, Timeout: PasskeyCeremonyTTL, TimeoutUVD: PasskeyCeremonyTTL},
			Registration: webauthn.TimeoutConfig{Enforce: true, Timeout: PasskeyCeremonyTTL, TimeoutUVD: PasskeyCeremonyTTL},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("auth: passkeys for %s: %w", origin, err)
	}
	return &passkeyParty{wa: wa, origin: origin}, nil
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// PasskeyOrigin is the origin (scheme, host and port) at which staff can use passkeys, or "" when
// the base URL allows none. It is the base URL's own origin, except for a loopback address, whose
// passkeys work at http://localhost on the same port.
func (s *Service) PasskeyOrigin() string {
	if s.passkeys == nil {
		return ""
	}
	return s.passkeys.origin
}

// webAuthnUser is a staff member as go-webauthn sees them. The user handle is the account's id:
// random, and nothing personal, as the handle is stored on the authenticator.
type webAuthnUser struct {
	u     User
	creds []webauthn.Credential
}

func (w webAuthnUser) WebAuthnID() []byte                         { return []byte(w.u.ID) }
func (w webAuthnUser) WebAuthnName() string                       { return w.u.Email }
func (w webAuthnUser) WebAuthnDisplayName() string                { return cmp.Or(w.u.Name, w.u.Email) }
func (w webAuthnUser) WebAuthnCredentials() []webauthn.Credential { return w.creds }

// passkeyCeremony is what a ceremony's cookie keeps between its two requests.
type passkeyCeremony struct {
	Session webauthn.SessionData `json:"s"`
	UserID  string               `json:"u,omitempty"`    // who is adding a passkey
	Name    string               `json:"name,omitempty"` // what they call it
	Next    string               `json:"n,omitempty"`    // where a sign-in goes after
}

func passkeySignIn() loginCookie {
	return loginCookie{name: passkeySignInCookie, ttl: PasskeyCeremonyTTL, sameSite: http.SameSiteStrictMode}
}

func passkeyRegistration() loginCookie {
	return loginCookie{name: passkeyRegisterCookie, ttl: PasskeyCeremonyTTL, sameSite: http.SameSiteStrictMode, path: PasskeyRegisterPath}
}

// credentials reads the user's passkeys as go-webauthn credentials, in the order of recs.
func (s *Service) credentials(ctx context.Context, userID string) ([]passkeyRecord, []webauthn.Credential, error) {
	recs, err := s.store.PasskeysOf(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	creds := make([]webauthn.Credential, len(recs))
	for i, r := range recs {
		if err := json.Unmarshal(r.Credential, &creds[i]); err != nil {
			return nil, nil, fmt.Errorf("auth: read passkey %s: %w", r.ID, err)
		}
	}
	return recs, creds, nil
}

// Passkeys lists the user's passkeys, oldest first.
func (s *Service) Passkeys(ctx context.Context, userID string) ([]Passkey, error) {
	recs, creds, err := s.credentials(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]Passkey, len(recs))
	for i, r := range recs {
		out[i] = Passkey{ID: r.ID, Name: r.Name, CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt, Synced: creds[i].Flags.BackupEligible}
	}
	return out, nil
}

// HasPasskey reports whether the user has at least one passkey; the password step asks it.
func (s *Service) HasPasskey(ctx context.Context, userID string) (bool, error) {
	return s.store.HasPasskey(ctx, userID)
}

// BeginPasskeyRegistration starts adding a passkey for u, to be called name (see PasskeyName): the
// options for the browser's
// navigator.credentials.create, as JSON, and the ceremony kept in this browser. The passkey must be
// discoverable (it names the account, so sign-in needs no email) and verify its user; the browser is
// told u's passkeys so that one authenticator is not registered twice.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, w http.ResponseWriter, u User, name string) (json.RawMessage, error) {
	if s.passkeys == nil {
		return nil, ErrPasskeysUnavailable
	}
	_, creds, err := s.credentials(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if len(creds) >= MaxPasskeys {
		return nil, ErrTooManyPasskeys
	}
	required := true
	creation, session, err := s.passkeys.wa.BeginRegistration(webAuthnUser{u: u, creds: creds},
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			RequireResidentKey: &required,
			ResidentKey:        protocol.ResidentKeyRequirementRequired,
			UserVerification:   protocol.VerificationRequired,
		}),
		webauthn.WithConveyancePreference(protocol.PreferNoAttestation),
		webauthn.WithExclusions(webauthn.Credentials(creds).CredentialDescriptors()),
	)
	if err != nil {
		return nil, fmt.Errorf("auth: begin passkey registration: %w", err)
	}
	if err := s.sessions.setLoginCookie(w, passkeyRegistration(), passkeyCeremony{Session: *session, UserID: u.ID, Name: PasskeyName(name)}); err != nil {
		return nil, err
	}
	return json.Marshal(creation)
}

// FinishPasskeyRegistration checks the browser's answer to BeginPasskeyRegistration (the JSON of
// the PublicKeyCredential navigator.credentials.create returned) and stores the passkey under name,
// trimmed; an empty name becomes "Passkey". ErrPasskeyCeremony when no registration for u is in
// flight in this browser; ErrPasskeyRejected when the answer does not verify.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, w http.ResponseWriter, r *http.Request, u User, answer []byte) (Passkey, error) {
	if s.passkeys == nil {
		return Passkey{}, ErrPasskeysUnavailable
	}
	var c passkeyCeremony
	err := s.sessions.readLoginCookie(r, passkeyRegistration(), &c)
	s.sessions.clearLoginCookie(w, passkeyRegistration())
	if err != nil || c.UserID != u.ID {
		return Passkey{}, ErrPasskeyCeremony
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(answer)
	if err != nil {
		return Passkey{}, fmt.Errorf("%w: %w", ErrPasskeyRejected, err)
	}
	recs, creds, err := s.credentials(ctx, u.ID)
	if err != nil {
		return Passkey{}, err
	}
	if len(recs) >= MaxPasskeys {
		return Passkey{}, ErrTooManyPasskeys
	}
	cred, err := s.passkeys.wa.CreateCredential(webAuthnUser{u: u, creds: creds}, c.Session, parsed)
	if err != nil {
		return Passkey{}, fmt.Errorf("%w: %w", ErrPasskeyRejected, err)
	}
	if err := s.spend(ctx, c.Session.Challenge); err != nil {
		return Passkey{}, err
	}
	raw, err := json.Marshal(cred)
	if err != nil {
		return Passkey{}, err
	}
	p := passkeyRecord{ID: base64.RawURLEncoding.EncodeToString(cred.ID), UserID: u.ID, Name: PasskeyName(c.Name),
		Credential: raw, CreatedAt: s.now()}
	if err := s.store.AddPasskey(ctx, p); err != nil {
		return Passkey{}, err
	}
	return Passkey{ID: p.ID, Name: p.Name, CreatedAt: p.CreatedAt, Synced: cred.Flags.BackupEligible}, nil
}

// PasskeyName is a passkey's name as stored: trimmed, control characters and runs of spaces made
// single spaces, cut to MaxPasskeyName characters; "Passkey" when nothing is left.
func PasskeyName(name string) string {
	name = strings.Join(strings.FieldsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if r := []rune(name); len(r) > MaxPasskeyName {
		name = strings.TrimSpace(string(r[:MaxPasskeyName]))
	}
	if name == "" {
		return "Passkey"
	}
	return name
}

// RemovePasskey removes one of the user's passkeys; ErrNoPasskey when they have none with that id.
func (s *Service) RemovePasskey(ctx context.Context, userID, id string) error {
	return s.store.DeletePasskey(ctx, userID, id)
}

// ResetSecondFactor removes every second factor of the user: the authenticator app's secret, the
// recovery codes and the passkeys. It is what an admin does for a colleague who lost their phone.
func (s *Service) ResetSecondFactor(ctx context.Context, userID string) error {
	return s.store.DeleteSecondFactors(ctx, userID)
}

// BeginPasskeySignIn starts a sign-in with a passkey: the options for the browser's
// navigator.credentials.get, as JSON, and the ceremony kept in this browser with next, where the
// sign-in goes after. No account is named: the browser offers the passkeys it has for the console,
// and the one chosen names its account.
func (s *Service) BeginPasskeySignIn(w http.ResponseWriter, next string) (json.RawMessage, error) {
	if s.passkeys == nil {
		return nil, ErrPasskeysUnavailable
	}
	assertion, session, err := s.passkeys.wa.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return nil, fmt.Errorf("auth: begin passkey sign-in: %w", err)
	}
	if err := s.sessions.setLoginCookie(w, passkeySignIn(), passkeyCeremony{Session: *session, Next: next}); err != nil {
		return nil, err
	}
	return json.Marshal(assertion)
}

// PasskeySignIn is a passkey sign-in that verified.
type PasskeySignIn struct {
	User    User
	Passkey Passkey
	Next    string // where the sign-in was going, as BeginPasskeySignIn kept it
}

// FinishPasskeySignIn checks the browser's answer to BeginPasskeySignIn (the JSON of the
// PublicKeyCredential navigator.credentials.get returned): the signature by a stored passkey's key
// over this ceremony's challenge, from the console's origin, with the user verified, and a signature
// counter that did not go backwards. It records the use. ErrPasskeyCeremony when no sign-in is in
// flight in this browser or its challenge was answered already; ErrPasskeyRejected otherwise,
// with the account when the passkey named one (for the audit trail); a disabled account is rejected.
func (s *Service) FinishPasskeySignIn(ctx context.Context, w http.ResponseWriter, r *http.Request, answer []byte) (PasskeySignIn, error) {
	if s.passkeys == nil {
		return PasskeySignIn{}, ErrPasskeysUnavailable
	}
	var c passkeyCeremony
	err := s.sessions.readLoginCookie(r, passkeySignIn(), &c)
	s.sessions.clearLoginCookie(w, passkeySignIn())
	if err != nil {
		return PasskeySignIn{}, ErrPasskeyCeremony
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(answer)
	if err != nil {
		return PasskeySignIn{}, fmt.Errorf("%w: %w", ErrPasskeyRejected, err)
	}
	var (
		found User
		recs  []passkeyRecord
	)
	lookup := func(rawID, userHandle []byte) (webauthn.User, error) {
		su, err := s.store.UserByID(ctx, string(userHandle))
		if err != nil {
			return nil, err
		}
		var creds []webauthn.Credential
		if recs, creds, err = s.credentials(ctx, su.ID); err != nil {
			return nil, err
		}
		found = su.User
		return webAuthnUser{u: su.User, creds: creds}, nil
	}
	cred, err := s.passkeys.wa.ValidateDiscoverableLogin(lookup, c.Session, parsed)
	if err != nil {
		return PasskeySignIn{User: found}, fmt.Errorf("%w: %w", ErrPasskeyRejected, err)
	}
	if cred.Authenticator.CloneWarning {
		return PasskeySignIn{User: found}, fmt.Errorf("%w: the signature counter went backwards", ErrPasskeyRejected)
	}
	if found.Disabled {
		return PasskeySignIn{User: found}, fmt.Errorf("%w: the account is disabled", ErrPasskeyRejected)
	}
	if err := s.spend(ctx, c.Session.Challenge); err != nil {
		return PasskeySignIn{User: found}, err
	}
	id := base64.RawURLEncoding.EncodeToString(cred.ID)
	raw, err := json.Marshal(cred)
	if err != nil {
		return PasskeySignIn{}, err
	}
	now := s.now()
	if err := s.store.PasskeyUsed(ctx, id, raw, now); err != nil {
		return PasskeySignIn{}, err
	}
	out := PasskeySignIn{User: found, Next: c.Next}
	for _, rec := range recs {
		if rec.ID == id {
			out.Passkey = Passkey{ID: id, Name: rec.Name, CreatedAt: rec.CreatedAt, LastUsedAt: now, Synced: cred.Flags.BackupEligible}
		}
	}
	return out, nil
}

// spend answers a ceremony's challenge, once.
func (s *Service) spend(ctx context.Context, challenge string) error {
	now := s.now()
	ok, err := s.store.SpendChallenge(ctx, challenge, now, now.Add(-2*PasskeyCeremonyTTL))
	if err != nil {
		return err
	}
	if !ok {
		return ErrPasskeyCeremony
	}
	return nil
}
