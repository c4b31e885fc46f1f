// Package passkeytest is a software authenticator for tests of the console's passkeys: it answers
// the console's WebAuthn options the way a browser with a phone or a security key would, without
// either. Browser tests use Chromium's own virtual authenticator instead.
package passkeytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"testing"

	"github.com/descope/virtualwebauthn"
)

// RP is the console at a base URL on a loopback address, as the browser sees it: its passkeys live
// at http://localhost on the same port.
func RP(port string) virtualwebauthn.RelyingParty {
	return virtualwebauthn.RelyingParty{ID: "localhost", Name: "Hive Console", Origin: "http://localhost:" + port}
}

// Device is an authenticator holding one passkey for one account. Like the passkeys of phones and
// password managers, it signs with a counter of 0, unless Counting is set: then each signature
// counts one up, like a security key's.
type Device struct {
	RP       virtualwebauthn.RelyingParty
	Auth     virtualwebauthn.Authenticator
	Cred     virtualwebauthn.Credential
	Counting bool
}

// NewDevice is a new passkey for the account with that id (its user handle), answering rp.
func NewDevice(t testing.TB, rp virtualwebauthn.RelyingParty, userID string, opts virtualwebauthn.AuthenticatorOptions) *Device {
	opts.UserHandle = []byte(userID)
	return &Device{RP: rp, Auth: virtualwebauthn.NewAuthenticatorWithOptions(opts), Cred: NewCredential(t)}
}

// NewCredential is a new P-256 key. The virtual authenticator writes the public key's coordinates
// without leading zero bytes, which a verifier rightly refuses, so the key is drawn again until both
// are 32 bytes long.
func NewCredential(t testing.TB) virtualwebauthn.Credential {
	t.Helper()
	for {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if len(key.X.Bytes()) != 32 || len(key.Y.Bytes()) != 32 {
			continue
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return virtualwebauthn.NewCredentialWithImportedKey(virtualwebauthn.KeyTypeEC2, der)
	}
}

// Create answers the options of a registration (the JSON the console sent for
// navigator.credentials.create) and keeps the passkey; excluded reports that the options named it
// as one the account has already.
func (d *Device) Create(t testing.TB, options []byte) (answer []byte, excluded bool) {
	t.Helper()
	parsed, err := virtualwebauthn.ParseAttestationOptions(string(options))
	if err != nil {
		t.Fatalf("the registration options do not parse: %v\n%s", err, options)
	}
	answer = []byte(virtualwebauthn.CreateAttestationResponse(d.RP, d.Auth, d.Cred, *parsed))
	d.Auth.AddCredential(d.Cred)
	return answer, d.Cred.IsExcludedForAttestation(*parsed)
}

// Get answers the options of a sign-in (the JSON the console sent for navigator.credentials.get);
// allowed lists the passkeys the options named, none for a sign-in that lets the passkey name its
// account.
func (d *Device) Get(t testing.TB, options []byte) (answer []byte, allowed []string) {
	t.Helper()
	parsed, err := virtualwebauthn.ParseAssertionOptions(string(options))
	if err != nil {
		t.Fatalf("the sign-in options do not parse: %v\n%s", err, options)
	}
	if d.Counting {
		d.Cred.Counter++
	}
	return []byte(virtualwebauthn.CreateAssertionResponse(d.RP, d.Auth, d.Cred, *parsed)), parsed.AllowCredentials
}
