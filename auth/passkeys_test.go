package auth

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"
	"github.com/hiveconsole/hiveconsole/internal/passkeytest"
)

// testRP is the relying party a virtual authenticator answers: the console at the test base URL
// (http://127.0.0.1:8080), whose passkeys live at http://localhost:8080.
var testRP = passkeytest.RP("8080")

// device is a software authenticator with one passkey, driving the Service's ceremonies.
type device struct{ *passkeytest.Device }

func newDevice(t *testing.T, u User, opts virtualwebauthn.AuthenticatorOptions) *device {
	return &device{passkeytest.NewDevice(t, testRP, u.ID, opts)}
}

// carry is a request to the second step of a ceremony with the cookies the first step set.
func carry(t *testing.T, first *httptest.ResponseRecorder, path string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, nil)
	for _, c := range first.Result().Cookies() {
		r.AddCookie(c)
	}
	return r
}

// register adds d's passkey to u through both steps of the ceremony.
func (d *device) register(t *testing.T, svc *Service, u User, name string) (Passkey, error) {
	t.Helper()
	first := httptest.NewRecorder()
	options, err := svc.BeginPasskeyRegistration(t.Context(), first, u, name)
	if err != nil {
		return Passkey{}, err
	}
	answer, _ := d.Create(t, options)
	return svc.FinishPasskeyRegistration(t.Context(), httptest.NewRecorder(), carry(t, first, PasskeyRegisterPath), u, answer)
}

// signIn is a sign-in with d's passkey: the request that finishes it (with the ceremony's cookie)
// and the authenticator's answer.
func (d *device) signIn(t *testing.T, svc *Service, next string) (*http.Request, []byte) {
	t.Helper()
	first := httptest.NewRecorder()
	options, err := svc.BeginPasskeySignIn(first, next)
	if err != nil {
		t.Fatalf("BeginPasskeySignIn: %v", err)
	}
	answer, allowed := d.Get(t, options)
	if len(allowed) != 0 {
		t.Errorf("a passkey sign-in names no account, but the options allow %v", allowed)
	}
	return carry(t, first, "/login/passkey"), answer
}

// TestPasskeySignIn: a passkey added on the Security page signs its account in, records its use,
// and carries where the sign-in was going.
func TestPasskeySignIn(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, open func(testing.TB) *sqlStore) {
		svc, _, clock := newTestEnvOn(t, open, nil)
		alice := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
		phone := newDevice(t, alice, virtualwebauthn.AuthenticatorOptions{BackupEligible: true, BackupState: true})
		added, err := phone.register(t, svc, alice, "  Alice's\tphone  ")
		if err != nil {
			t.Fatalf("register: %v", err)
		}
		if added.Name != "Alice's phone" || !added.Synced || added.ID == "" {
			t.Errorf("added passkey: %+v", added)
		}
		if has, err := svc.HasPasskey(t.Context(), alice.ID); err != nil || !has {
			t.Errorf("HasPasskey = %v, %v", has, err)
		}

		clock.Advance(time.Hour)
		r, answer := phone.signIn(t, svc, "/checks?status=review")
		got, err := svc.FinishPasskeySignIn(t.Context(), httptest.NewRecorder(), r, answer)
		if err != nil {
			t.Fatalf("FinishPasskeySignIn: %v", err)
		}
		if got.User.ID != alice.ID || got.Next != "/checks?status=review" || got.Passkey.ID != added.ID || got.Passkey.Name != "Alice's phone" {
			t.Errorf("signed in: %+v", got)
		}
		keys, err := svc.Passkeys(t.Context(), alice.ID)
		if err != nil || len(keys) != 1 {
			t.Fatalf("Passkeys = %v, %v", keys, err)
		}
		if !keys[0].LastUsedAt.Equal(clock.Now().Truncate(time.Second)) || !keys[0].CreatedAt.Before(keys[0].LastUsedAt) {
			t.Errorf("after a sign-in: %+v (now %v)", keys[0], clock.Now())
		}
	})
}

// TestPasskeyRefusals: each way a passkey answer can be wrong is refused, and nothing signs in.
func TestPasskeyRefusals(t *testing.T) {
	svc, _, _ := newTestEnv(t, nil)
	alice := mustCreateUser(t, svc, "alice@example.com", RoleAdmin)
	phone := newDevice(t, alice, virtualwebauthn.AuthenticatorOptions{})
	if _, err := phone.register(t, svc, alice, "phone"); err != nil {
		t.Fatalf("register: %v", err)
	}

	t.Run("replayed answer", func(t *testing.T) {
		r, answer := phone.signIn(t, svc, "")
		if _, err := svc.FinishPasskeySignIn(t.Context(), httptest.NewRecorder(), r, answer); err != nil {
			t.Fatalf("first answer: %v", err)
		}
		// The same cookie and answer again, as an eavesdropper would send them.
		r2 := httptest.NewRequest(http.MethodPost, "/login/passkey", nil)
		for _, c := range r.Cookies() {
			r2.AddCookie(c)
		}
		if _, err := svc.FinishPasskeySignIn(t.Context(), httptest.NewRecorder(), r2, answer); !errors.Is(err, ErrPasskeyCeremony) {
			t.Errorf("replay: %v, want ErrPasskeyCeremony", err)
		}
	})
	t.Run("no ceremony", func(t *testing.T) {
		_, answer := phone.signIn(t, svc, "")
		bare := httptest.NewRequest(http.MethodPost, "/login/passkey", nil)
		if _, err := svc.FinishPasskeySignIn(t.Context(), httptest.NewRecorder(), bare, answer); !errors.Is(err, ErrPasskeyCeremony) {
			t.Errorf("without the ceremony's cookie: %v, want ErrPasskeyCeremony", err)
		}
	})
	t.Run("another site", func(t *testing.T) {
		phish := device{new(passkeytest.Device)}
		*phish.Device = *phone.Device
		phish.RP.Origin = "https://hive-console.example.net"
		r, answer := phish.signIn(t, svc, "")
		if _, err := svc.FinishPasskeySignIn(t.Context(), httptest.NewRecorder(), r, answer); !errors.Is(err, ErrPasskeyRejected) {
			t.Errorf("an answer made for another origin: %v, want ErrPasskeyRejected", err)
		}
	})
	t.Run("user not verified", func(t *testing.T) {
		lax := device{new(passkeytest.Device)}
		*lax.Device = *phone.Device
		lax.Auth.Options.UserNotVerified = true
		r, answer := lax.signIn(t, svc, "")
		if _, err := svc.FinishPasskeySignIn(t.Context(), httptest.NewRecorder(), r, answer); !errors.Is(err, ErrPasskeyRejected) {
			t.Errorf("an authenticator that did not verify its user: %v, want ErrPasskeyRejected (a passkey is both factors only with its PIN or fingerprint)", err)
		}
	})
	t.Run("wrong key", func(t *testing.T) {
		forged := device{new(passkeytest.Device)}
		*forged.Device = *phone.Device
		forged.Cred.Key = passkeytest.NewCredential(t).Key
		r, answer := forged.signIn(t, svc, "")
		if _, err := svc.FinishPasskeySignIn(t.Context(), httptest.NewRecorder(), r, answer); !errors.Is(err, ErrPasskeyRejected) {
			t.Errorf("a signature by another key: %v, want ErrPasskeyRejected", err)
		}
	})
	t.Run("cloned authenticator", func(t *testing.T) {
		key := newDevice(t, alice, virtualwebauthn.AuthenticatorOptions{})
		key.Counting = true
		if _, err := key.register(t, svc, alice, "key"); err != nil {
			t.Fatal(err)
		}
		clone := device{new(passkeytest.Device)}
		*clone.Device = *key.Device
		for range 3 {
			r, answer := key.signIn(t, svc, "")
			if _, err := svc.FinishPasskeySignIn(t.Context(), httptest.NewRecorder(), r, answer); err != nil {
				t.Fatal(err)
			}
		}
		r, answer := clone.signIn(t, svc, "") // a copy made before: its counter is behind
		got, err := svc.FinishPasskeySignIn(t.Context(), httptest.NewRecorder(), r, answer)
		if !errors.Is(err, ErrPasskeyRejected) {
			t.Errorf("a counter that went backwards: %v, want ErrPasskeyRejected", err)
		}
		if got.User.ID != alice.ID {
			t.Errorf("the refusal names %q, want the passkey's account for the trail", got.User.ID)
		}
	})
	t.Run("another account's handle", func(t *testing.T) {
		bob := mustCreateUser(t, svc, "bob@example.com", RoleSupport)
		liar := device{new(passkeytest.Device)}
		*liar.Device = *phone.Device
		liar.Auth.Options.UserHandle = []byte(bob.ID)
		r, answer := liar.signIn(t, svc, "")
		if got, err := svc.FinishPasskeySignIn(t.Context(), httptest.NewRecorder(), r, answer); !errors.Is(err, ErrPasskeyRejected) || got.User.ID == bob.ID && err == nil {
			t.Errorf("alice's passkey claiming bob's account: %+v, %v", got, err)
		}
	})
	t.Run("disabled account", func(t *testing.T) {
		carol := mustCreateUser(t, svc, "carol@example.com", RoleReviewer)
		key := newDevice(t, carol, virtualwebauthn.AuthenticatorOptions{})
		if _, err := key.register(t, svc, carol, "key"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SetDisabled(t.Context(), carol.ID, true); err != nil {
			t.Fatal(err)
		}
		r, answer := key.signIn(t, svc, "")
		if _, err := svc.FinishPasskeySignIn(t.Context(), httptest.NewRecorder(), r, answer); !errors.Is(err, ErrPasskeyRejected) {
			t.Errorf("a disabled account's passkey: %v, want ErrPasskeyRejected", err)
		}
	})
	t.Run("removed passkey", func(t *testing.T) {
		dave := mustCreateUser(t, svc, "dave@example.com", RoleReviewer)
		key := newDevice(t, dave, virtualwebauthn.AuthenticatorOptions{})
		p, err := key.register(t, svc, dave, "key")
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.RemovePasskey(t.Context(), alice.ID, p.ID); !errors.Is(err, ErrNoPasskey) {
			t.Errorf("removing another user's passkey: %v, want ErrNoPasskey", err)
		}
		if err := svc.RemovePasskey(t.Context(), dave.ID, p.ID); err != nil {
			t.Fatal(err)
		}
		r, answer := key.signIn(t, svc, "")
		if _, err := svc.FinishPasskeySignIn(t.Context(), httptest.NewRecorder(), r, answer); !errors.Is(err, ErrPasskeyRejected) {
			t.Errorf("a removed passkey: %v, want ErrPasskeyRejected", err)
		}
	})
}

// TestPasskeyRegistrationRules: registration is bound to the account and the browser that began
// it, a passkey is registered once, and an account has at most MaxPasskeys.
func TestPasskeyRegistrationRules(t *testing.T) {
	svc, _, _ := newTestEnv(t, nil)
	alice := mustCreateUser(t, svc, "alice@example.com", RoleAdmin)
	bob := mustCreateUser(t, svc, "bob@example.com", RoleAdmin)

	t.Run("another account finishes", func(t *testing.T) {
		first := httptest.NewRecorder()
		options, err := svc.BeginPasskeyRegistration(t.Context(), first, alice, "")
		if err != nil {
			t.Fatal(err)
		}
		answer, _ := newDevice(t, bob, virtualwebauthn.AuthenticatorOptions{}).Create(t, options)
		_, err = svc.FinishPasskeyRegistration(t.Context(), httptest.NewRecorder(), carry(t, first, PasskeyRegisterPath), bob, answer)
		if !errors.Is(err, ErrPasskeyCeremony) {
			t.Errorf("bob finishing alice's registration: %v, want ErrPasskeyCeremony", err)
		}
	})
	t.Run("registered twice", func(t *testing.T) {
		d := newDevice(t, alice, virtualwebauthn.AuthenticatorOptions{})
		if _, err := d.register(t, svc, alice, ""); err != nil {
			t.Fatal(err)
		}
		first := httptest.NewRecorder()
		options, err := svc.BeginPasskeyRegistration(t.Context(), first, alice, "")
		if err != nil {
			t.Fatal(err)
		}
		answer, excluded := d.Create(t, options)
		if !excluded {
			t.Error("the options do not exclude alice's passkey")
		}
		_, err = svc.FinishPasskeyRegistration(t.Context(), httptest.NewRecorder(), carry(t, first, PasskeyRegisterPath), alice, answer)
		if !errors.Is(err, ErrPasskeyExists) {
			t.Errorf("the same passkey again: %v, want ErrPasskeyExists", err)
		}
	})
	t.Run("at most ten", func(t *testing.T) {
		carol := mustCreateUser(t, svc, "carol@example.com", RoleSupport)
		for i := range MaxPasskeys {
			if _, err := newDevice(t, carol, virtualwebauthn.AuthenticatorOptions{}).register(t, svc, carol, ""); err != nil {
				t.Fatalf("passkey %d: %v", i+1, err)
			}
		}
		if _, err := svc.BeginPasskeyRegistration(t.Context(), httptest.NewRecorder(), carol, ""); !errors.Is(err, ErrTooManyPasskeys) {
			t.Errorf("passkey %d: %v, want ErrTooManyPasskeys", MaxPasskeys+1, err)
		}
		keys, _ := svc.Passkeys(t.Context(), carol.ID)
		if len(keys) != MaxPasskeys || keys[0].Name != "Passkey" {
			t.Errorf("carol's passkeys: %d, first %+v", len(keys), keys[0])
		}
	})
	t.Run("cookie path", func(t *testing.T) {
		first := httptest.NewRecorder()
		if _, err := svc.BeginPasskeyRegistration(t.Context(), first, alice, ""); err != nil {
			t.Fatal(err)
		}
		for _, c := range first.Result().Cookies() {
			if c.Path != PasskeyRegisterPath || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.MaxAge != int(PasskeyCeremonyTTL.Seconds()) {
				t.Errorf("ceremony cookie: %+v", c)
			}
		}
	})
}

// TestResetSecondFactor: an admin's reset removes the authenticator app, the recovery codes and
// every passkey of that user, and nobody else's.
func TestResetSecondFactor(t *testing.T) {
	svc, _, clock := newTestEnv(t, withMFA)
	alice := mustCreateUser(t, svc, "alice@example.com", RoleAdmin)
	bob := mustCreateUser(t, svc, "bob@example.com", RoleAdmin)
	enrolled(t, svc, clock, alice)
	for _, u := range []User{alice, bob} {
		if _, err := newDevice(t, u, virtualwebauthn.AuthenticatorOptions{}).register(t, svc, u, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.ResetSecondFactor(t.Context(), alice.ID); err != nil {
		t.Fatal(err)
	}
	if has, _ := svc.HasTOTP(t.Context(), alice.ID); has {
		t.Error("alice still has TOTP")
	}
	if left, _ := svc.RecoveryCodesLeft(t.Context(), alice.ID); left != 0 {
		t.Errorf("alice has %d recovery codes left", left)
	}
	if has, _ := svc.HasPasskey(t.Context(), alice.ID); has {
		t.Error("alice still has a passkey")
	}
	if has, _ := svc.HasPasskey(t.Context(), bob.ID); !has {
		t.Error("bob's passkey went with alice's reset")
	}
}

// TestPasskeyOrigin: passkeys work where browsers offer them: an https host, localhost, and a
// loopback address by its localhost name; nowhere on plain http elsewhere or on an https address.
func TestPasskeyOrigin(t *testing.T) {
	for base, want := range map[string]string{
		"https://console.example.com":      "https://console.example.com",
		"https://console.example.com:8443": "https://console.example.com:8443",
		"http://localhost:8080":            "http://localhost:8080",
		"http://hive.localhost:8080":       "http://hive.localhost:8080",
		"http://127.0.0.1:8080":            "http://localhost:8080",
		"http://[::1]:9000":                "http://localhost:9000",
		"http://console.internal:8080":     "",
		"http://10.0.0.5:8080":             "",
		"https://10.0.0.5":                 "",
	} {
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		p, err := newPasskeyParty(u)
		if err != nil {
			t.Errorf("%s: %v", base, err)
			continue
		}
		got := ""
		if p != nil {
			got = p.origin
		}
		if got != want {
			t.Errorf("passkeys for %s at %q, want %q", base, got, want)
		}
	}
	svc, _, _ := newTestEnv(t, func(c *Config) { c.BaseURL = "http://console.internal:8080" })
	if _, err := svc.BeginPasskeySignIn(httptest.NewRecorder(), ""); !errors.Is(err, ErrPasskeysUnavailable) {
		t.Errorf("BeginPasskeySignIn on plain http: %v, want ErrPasskeysUnavailable", err)
	}
}

func TestPasskeyName(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "Passkey",
		"  \t\n ":               "Passkey",
		"YubiKey 5C":            "YubiKey 5C",
		"Work\x00laptop\u200b":  "Work laptop\u200b",
		strings.Repeat("é", 70): strings.Repeat("é", MaxPasskeyName),
	} {
		if got := PasskeyName(in); got != want {
			t.Errorf("PasskeyName(%q) = %q, want %q", in, got, want)
		}
	}
}
