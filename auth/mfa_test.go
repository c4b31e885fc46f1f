package auth

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// withMFA gives the Service an MFA key.
func withMFA(c *Config) { c.MFAKey = testKey('m') }

// codeAt is secret's TOTP code at now moved by steps of 30 seconds, as an authenticator app shows it.
func codeAt(t *testing.T, secret string, now time.Time, steps int) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, now.Add(time.Duration(steps)*30*time.Second),
		totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatalf("GenerateCodeCustom: %v", err)
	}
	return code
}

// wrongCode is a six-digit code that secret does not give at now or a step either side.
func wrongCode(t *testing.T, secret string, now time.Time) string {
	t.Helper()
	right := map[string]bool{codeAt(t, secret, now, -1): true, codeAt(t, secret, now, 0): true, codeAt(t, secret, now, 1): true}
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		if !right[c] {
			return c
		}
	}
	t.Fatal("no wrong code found")
	return ""
}

// enrolled gives u a confirmed second factor and moves the clock well past the step its
// confirmation used. It returns the secret and the recovery codes.
func enrolled(t *testing.T, svc *Service, clock *fakeClock, u User) (string, []string) {
	t.Helper()
	e, err := svc.BeginTOTP(t.Context(), u)
	if err != nil {
		t.Fatalf("BeginTOTP(%s): %v", u.Email, err)
	}
	codes, err := svc.ConfirmTOTP(t.Context(), u, codeAt(t, e.Secret, clock.Now(), 0))
	if err != nil {
		t.Fatalf("ConfirmTOTP(%s): %v", u.Email, err)
	}
	clock.Advance(10 * time.Minute)
	return e.Secret, codes
}

// verify is VerifySecondFactor from testAddr.
func verify(t *testing.T, svc *Service, u User, code string) (bool, error) {
	t.Helper()
	return svc.VerifySecondFactor(t.Context(), u.ID, code, testAddr)
}

var recoveryCodeShape = regexp.MustCompile(`^[abcdefghjkmnpqrstuvwxyz2-9]{5}-[abcdefghjkmnpqrstuvwxyz2-9]{5}$`)

// TestTOTPEnrolment: a wrong first code keeps the enrolment pending; the right one confirms it and
// gives ten distinct recovery codes once; a confirmed factor is not replaced by a new enrolment.
func TestTOTPEnrolment(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, open func(testing.TB) *sqlStore) {
		svc, _, clock := newTestEnvOn(t, open, withMFA)
		ctx := t.Context()
		alice := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
		if _, err := svc.ConfirmTOTP(ctx, alice, "123456"); !errors.Is(err, ErrNoPendingTOTP) {
			t.Errorf("ConfirmTOTP before BeginTOTP: got %v, want ErrNoPendingTOTP", err)
		}
		if _, ok, err := svc.PendingTOTP(ctx, alice); ok || err != nil {
			t.Errorf("PendingTOTP before BeginTOTP: got %v, %v; want none", ok, err)
		}

		first, err := svc.BeginTOTP(ctx, alice)
		if err != nil {
			t.Fatal(err)
		}
		e, err := svc.BeginTOTP(ctx, alice) // replaces the first
		if err != nil {
			t.Fatal(err)
		}
		if e.Secret == first.Secret {
			t.Fatal("a second BeginTOTP kept the first secret")
		}
		if _, err := svc.ConfirmTOTP(ctx, alice, codeAt(t, first.Secret, clock.Now(), 0)); !errors.Is(err, ErrInvalidCode) {
			t.Errorf("confirming with the replaced secret's code: got %v, want ErrInvalidCode", err)
		}
		if _, err := svc.ConfirmTOTP(ctx, alice, wrongCode(t, e.Secret, clock.Now())); !errors.Is(err, ErrInvalidCode) {
			t.Errorf("ConfirmTOTP with a wrong code: got %v, want ErrInvalidCode", err)
		}
		again, ok, err := svc.PendingTOTP(ctx, alice)
		if err != nil || !ok || again.Secret != e.Secret || again.URL != e.URL || len(again.QR) != len(e.QR) {
			t.Fatalf("PendingTOTP after a wrong code: got %q, %v, %v; want the pending secret %q", again.Secret, ok, err, e.Secret)
		}
		if has, err := svc.HasTOTP(ctx, alice.ID); has || err != nil {
			t.Errorf("HasTOTP while pending: got %v, %v; want false", has, err)
		}
		if _, err := verify(t, svc, alice, codeAt(t, e.Secret, clock.Now(), 0)); !errors.Is(err, ErrNoTOTP) {
			t.Errorf("VerifySecondFactor while pending: got %v, want ErrNoTOTP", err)
		}

		codes, err := svc.ConfirmTOTP(ctx, alice, codeAt(t, e.Secret, clock.Now(), 0))
		if err != nil {
			t.Fatalf("ConfirmTOTP with the right code: %v", err)
		}
		distinct := map[string]bool{}
		for _, c := range codes {
			if !recoveryCodeShape.MatchString(c) {
				t.Errorf("recovery code %q, want xxxxx-xxxxx from the unambiguous alphabet", c)
			}
			distinct[c] = true
		}
		if len(codes) != 10 || len(distinct) != 10 {
			t.Errorf("recovery codes %q: got %d, %d distinct; want 10 distinct", codes, len(codes), len(distinct))
		}
		if has, err := svc.HasTOTP(ctx, alice.ID); !has || err != nil {
			t.Errorf("HasTOTP after confirming: got %v, %v; want true", has, err)
		}
		if n, err := svc.RecoveryCodesLeft(ctx, alice.ID); n != 10 || err != nil {
			t.Errorf("RecoveryCodesLeft: got %d, %v; want 10", n, err)
		}
		if _, ok, err := svc.PendingTOTP(ctx, alice); ok || err != nil {
			t.Errorf("PendingTOTP after confirming: got %v, %v; want none", ok, err)
		}
		if _, err := svc.ConfirmTOTP(ctx, alice, codeAt(t, e.Secret, clock.Now(), 1)); !errors.Is(err, ErrNoPendingTOTP) {
			t.Errorf("ConfirmTOTP again: got %v, want ErrNoPendingTOTP", err)
		}
		if _, err := svc.BeginTOTP(ctx, alice); !errors.Is(err, ErrTOTPEnrolled) {
			t.Errorf("BeginTOTP when confirmed: got %v, want ErrTOTPEnrolled", err)
		}
		clock.Advance(time.Minute)
		if _, err := verify(t, svc, alice, codeAt(t, e.Secret, clock.Now(), 0)); err != nil {
			t.Errorf("the confirmed secret after a refused BeginTOTP: %v", err)
		}
	})
}

// TestTOTPEnrolmentShown: the URL is what authenticator apps read, and the QR code is its modules
// with the finder patterns in three corners and no quiet zone.
func TestTOTPEnrolmentShown(t *testing.T) {
	svc, _, _ := newTestEnv(t, withMFA)
	alice := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
	e, err := svc.BeginTOTP(t.Context(), alice)
	if err != nil {
		t.Fatal(err)
	}
	if secret, err := secretEncoding.DecodeString(e.Secret); err != nil || len(secret) != 20 {
		t.Errorf("Secret %q: %d bytes, %v; want 20 bytes of unpadded base32", e.Secret, len(secret), err)
	}
	if !strings.HasPrefix(e.URL, "otpauth://totp/Hive%20Console:alice@example.com?") {
		t.Errorf("URL = %q, want otpauth://totp/Hive%%20Console:alice@example.com?…", e.URL)
	}
	u, err := url.Parse(e.URL)
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{"secret": {e.Secret}, "issuer": {"Hive Console"}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	if got := u.Query(); got.Encode() != want.Encode() {
		t.Errorf("URL query = %v, want %v", got, want)
	}

	n := len(e.QR)
	if n < 21 || (n-17)%4 != 0 {
		t.Fatalf("QR is %d modules wide, want a QR version's 17+4v", n)
	}
	for y, row := range e.QR {
		if len(row) != n {
			t.Fatalf("QR row %d is %d modules, want %d", y, len(row), n)
		}
	}
	// A finder pattern: a dark 7×7 ring, a light ring inside it, a dark 3×3 centre.
	finder := func(x0, y0 int) bool {
		for y := range 7 {
			for x := range 7 {
				ring := max(abs(x-3), abs(y-3))
				if e.QR[y0+y][x0+x] != (ring != 2) {
					return false
				}
			}
		}
		return true
	}
	if !finder(0, 0) || !finder(n-7, 0) || !finder(0, n-7) {
		t.Error("QR lacks a finder pattern in a corner (or has a quiet zone)")
	}
	if finder(n-7, n-7) {
		t.Error("QR has a finder pattern bottom right; rows and columns mixed up?")
	}
}

func abs(x int) int { return max(x, -x) }

// TestTOTPSecretSealed: the stored secret is neither the secret nor its text, and it opens only for
// its own user under its own key.
func TestTOTPSecretSealed(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, open func(testing.TB) *sqlStore) {
		svc, db, clock := newTestEnvOn(t, open, withMFA)
		ctx := t.Context()
		alice := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
		bob := mustCreateUser(t, svc, "bob@example.com", RoleReviewer)
		e, err := svc.BeginTOTP(ctx, alice)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.BeginTOTP(ctx, bob); err != nil {
			t.Fatal(err)
		}
		secret, _ := secretEncoding.DecodeString(e.Secret)
		var stored []byte
		if err := db.db.QueryRow(ctx, `SELECT secret FROM user_totp WHERE user_id = ?`, alice.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(stored, secret) || bytes.Contains(stored, []byte(e.Secret)) {
			t.Fatal("the stored secret holds the plain secret")
		}
		if got, err := openSecret(svc.mfa, alice.ID, stored); err != nil || !bytes.Equal(got, secret) {
			t.Fatalf("opening alice's secret for alice: got %x, %v; want %x", got, err, secret)
		}
		if _, err := openSecret(svc.mfa, bob.ID, stored); !errors.Is(err, errSecretSealed) {
			t.Errorf("opening alice's secret for bob: got %v, want errSecretSealed", err)
		}

		// Copied into bob's row, it does not open there.
		if _, err := db.db.Exec(ctx, `UPDATE user_totp SET secret = ? WHERE user_id = ?`, stored, bob.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.PendingTOTP(ctx, bob); !errors.Is(err, errSecretSealed) {
			t.Errorf("PendingTOTP with alice's secret in bob's row: got %v, want errSecretSealed", err)
		}
		if _, err := svc.ConfirmTOTP(ctx, bob, codeAt(t, e.Secret, clock.Now(), 0)); !errors.Is(err, errSecretSealed) {
			t.Errorf("ConfirmTOTP with alice's secret in bob's row: got %v, want errSecretSealed", err)
		}

		// Another key opens nothing.
		other := testService(t, db, clock, func(c *Config) { c.MFAKey = testKey('n') })
		if _, _, err := other.PendingTOTP(ctx, alice); !errors.Is(err, errSecretSealed) {
			t.Errorf("PendingTOTP under another key: got %v, want errSecretSealed", err)
		}
	})
}

// TestSealSecret: sealing is randomised, and a sealed secret changed anywhere does not open.
func TestSealSecret(t *testing.T) {
	aead, err := newSecretSealer(testKey('m'))
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte("12345678901234567890")
	a, b := sealSecret(aead, "usr_a", secret), sealSecret(aead, "usr_a", secret)
	if bytes.Equal(a, b) {
		t.Error("two sealings of one secret are equal; want a fresh nonce each")
	}
	for i := range a {
		changed := bytes.Clone(a)
		changed[i] ^= 1
		if _, err := openSecret(aead, "usr_a", changed); !errors.Is(err, errSecretSealed) {
			t.Fatalf("byte %d changed: got %v, want errSecretSealed", i, err)
		}
	}
	if _, err := openSecret(aead, "usr_a", a[:20]); !errors.Is(err, errSecretSealed) {
		t.Errorf("truncated: got %v, want errSecretSealed", err)
	}
}

// TestMatchStepRFC6238 checks the code computation against RFC 6238's SHA-1 test vectors (their
// last six digits): the settings are the ones authenticator apps use.
func TestMatchStepRFC6238(t *testing.T) {
	secret := []byte("12345678901234567890")
	for _, tc := range []struct {
		unix int64
		code string
	}{{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"}, {1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"}} {
		step, ok := matchStep(secret, tc.code, time.Unix(tc.unix, 0), 0)
		if !ok || step != tc.unix/30 {
			t.Errorf("matchStep(%s at %d) = %d, %v; want step %d", tc.code, tc.unix, step, ok, tc.unix/30)
		}
	}
}

// TestVerifySecondFactorWindow: a code of the current step or one either side is accepted, two steps
// off is not; spaces inside the code are ignored.
func TestVerifySecondFactorWindow(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, open func(testing.TB) *sqlStore) {
		svc, _, clock := newTestEnvOn(t, open, withMFA)
		for _, tc := range []struct {
			steps int
			ok    bool
		}{{-2, false}, {-1, true}, {0, true}, {1, true}, {2, false}} {
			u := mustCreateUser(t, svc, fmt.Sprintf("step%d@example.com", tc.steps+2), RoleReviewer)
			secret, _ := enrolled(t, svc, clock, u)
			code := codeAt(t, secret, clock.Now(), tc.steps)
			recovery, err := verify(t, svc, u, code[:3]+" "+code[3:])
			switch {
			case tc.ok && (err != nil || recovery):
				t.Errorf("code at %+d steps: got %v, %v; want accepted as a TOTP code", tc.steps, recovery, err)
			case !tc.ok && !errors.Is(err, ErrInvalidCode):
				t.Errorf("code at %+d steps: got %v, want ErrInvalidCode", tc.steps, err)
			}
		}
	})
}

// TestVerifySecondFactorReplay: a code is accepted once, and a code of an earlier step is refused
// after a later one was used, though both are within the window.
func TestVerifySecondFactorReplay(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, open func(testing.TB) *sqlStore) {
		svc, _, clock := newTestEnvOn(t, open, withMFA)
		alice := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
		secret, _ := enrolled(t, svc, clock, alice)
		code := codeAt(t, secret, clock.Now(), 0)
		if _, err := verify(t, svc, alice, code); err != nil {
			t.Fatalf("first use: %v", err)
		}
		if _, err := verify(t, svc, alice, code); !errors.Is(err, ErrInvalidCode) {
			t.Errorf("the same code again: got %v, want ErrInvalidCode", err)
		}
		clock.Advance(time.Minute)
		if _, err := verify(t, svc, alice, codeAt(t, secret, clock.Now(), 1)); err != nil {
			t.Fatalf("the next step's code: %v", err)
		}
		for _, steps := range []int{0, -1} {
			if _, err := verify(t, svc, alice, codeAt(t, secret, clock.Now(), steps)); !errors.Is(err, ErrInvalidCode) {
				t.Errorf("code at %+d steps after +1 was used: got %v, want ErrInvalidCode", steps, err)
			}
		}
		clock.Advance(time.Minute)
		if _, err := verify(t, svc, alice, codeAt(t, secret, clock.Now(), 0)); err != nil {
			t.Errorf("a later step's code: %v", err)
		}
	})
}

// TestRecoveryCodes: each works once, whatever its case, dashes and spaces, only for its own user,
// and RecoveryCodesLeft counts down.
func TestRecoveryCodes(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, open func(testing.TB) *sqlStore) {
		svc, _, clock := newTestEnvOn(t, open, withMFA)
		ctx := t.Context()
		alice := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
		bob := mustCreateUser(t, svc, "bob@example.com", RoleReviewer)
		_, codes := enrolled(t, svc, clock, alice)
		_, bobCodes := enrolled(t, svc, clock, bob)
		left := func(want int) {
			t.Helper()
			if n, err := svc.RecoveryCodesLeft(ctx, alice.ID); n != want || err != nil {
				t.Errorf("RecoveryCodesLeft = %d, %v; want %d", n, err, want)
			}
		}
		for i, typed := range []string{
			codes[0],
			strings.ToUpper(strings.ReplaceAll(codes[1], "-", "")),
			" " + strings.ReplaceAll(codes[2], "-", " ") + "\n",
		} {
			recovery, err := verify(t, svc, alice, typed)
			if err != nil || !recovery {
				t.Errorf("recovery code %q: got %v, %v; want accepted as a recovery code", typed, recovery, err)
			}
			left(10 - i - 1)
			if _, err := verify(t, svc, alice, typed); !errors.Is(err, ErrInvalidCode) {
				t.Errorf("recovery code %q again: got %v, want ErrInvalidCode", typed, err)
			}
		}
		left(7)
		if _, err := verify(t, svc, alice, bobCodes[0]); !errors.Is(err, ErrInvalidCode) {
			t.Errorf("bob's recovery code for alice: got %v, want ErrInvalidCode", err)
		}
		if _, err := verify(t, svc, alice, "abcde-fghjk"); !errors.Is(err, ErrInvalidCode) {
			t.Errorf("a made-up recovery code: got %v, want ErrInvalidCode", err)
		}
		left(7)
	})
}

func TestNormalizeRecoveryCode(t *testing.T) {
	for _, typed := range []string{"ABCDE-FGHIJ", "abcdefghij", "abcde fghij", " AbCdE-fGhIj\n", "abc-de-fgh-ij"} {
		if got := normalizeRecoveryCode(typed); got != "abcdefghij" {
			t.Errorf("normalizeRecoveryCode(%q) = %q, want abcdefghij", typed, got)
		}
	}
	if hashRecoveryCode("u", normalizeRecoveryCode("ABCDE-FGHIJ")) != hashRecoveryCode("u", "abcdefghij") {
		t.Error("one code typed two ways hashes two ways")
	}
}

// TestSecondFactorThrottle: wrong codes (TOTP or recovery) cost nothing for the pair policy's free
// failures, then the address waits with a *ThrottledError even for the right code; a success
// forgets the failures. The password's budget and other addresses are not held back.
func TestSecondFactorThrottle(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, open func(testing.TB) *sqlStore) {
		svc, _, clock := newTestEnvOn(t, open, withMFA)
		alice := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
		secret, _ := enrolled(t, svc, clock, alice)
		policy := DefaultPairThrottle()
		fail := func() {
			t.Helper()
			for i := range policy.FreeFailures {
				code := wrongCode(t, secret, clock.Now())
				if i%2 == 1 {
					code = "abcde-fghjk"
				}
				if _, err := verify(t, svc, alice, code); !errors.Is(err, ErrInvalidCode) {
					t.Fatalf("wrong code %d of %d free: got %v, want ErrInvalidCode", i+1, policy.FreeFailures, err)
				}
			}
		}
		fail()
		_, err := verify(t, svc, alice, codeAt(t, secret, clock.Now(), 0))
		var te *ThrottledError
		if !errors.As(err, &te) || te.RetryAfter != policy.Delay {
			t.Fatalf("the right code after %d wrong ones: got %v, want a *ThrottledError of %v", policy.FreeFailures, err, policy.Delay)
		}
		if _, err := svc.Authenticate(t.Context(), alice.Email, testPassword, testAddr); err != nil {
			t.Errorf("the password from the same address: %v; want its own budget", err)
		}
		if _, err := svc.VerifySecondFactor(t.Context(), alice.ID, codeAt(t, secret, clock.Now(), 0), addrN(1)); err != nil {
			t.Errorf("the right code from another address: %v", err)
		}

		clock.Advance(te.RetryAfter)
		if _, err := verify(t, svc, alice, codeAt(t, secret, clock.Now(), 0)); err != nil {
			t.Fatalf("the right code after waiting: %v", err)
		}
		fail() // as many free failures as at first: the success forgot the earlier ones
		if _, err := verify(t, svc, alice, wrongCode(t, secret, clock.Now())); !errors.Is(err, ErrThrottled) {
			t.Errorf("one more wrong code: got %v, want ErrThrottled", err)
		}

		// What an admin sees on the staff page counts wrong codes, and clearing it lets the next
		// code through at once.
		st, err := svc.SignInThrottle(t.Context(), alice.ID)
		if err != nil || !st.Delayed() || st.Failures != policy.FreeFailures || st.Addresses != 1 {
			t.Errorf("the staff page's view after wrong codes: %+v %v", st, err)
		}
		if err := svc.ClearSignInThrottle(t.Context(), alice.ID); err != nil {
			t.Fatal(err)
		}
		if st, _ := svc.SignInThrottle(t.Context(), alice.ID); st.Delayed() || st.Failures != 0 {
			t.Errorf("after clearing: %+v", st)
		}
		if _, err := verify(t, svc, alice, codeAt(t, secret, clock.Now(), 1)); err != nil {
			t.Errorf("the right code right after an admin cleared the delay: %v", err)
		}
	})
}

// TestResetTOTP: the second factor and every recovery code go, for that user only; enrolling again
// works.
func TestResetTOTP(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, open func(testing.TB) *sqlStore) {
		svc, db, clock := newTestEnvOn(t, open, withMFA)
		ctx := t.Context()
		alice := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
		bob := mustCreateUser(t, svc, "bob@example.com", RoleReviewer)
		secret, codes := enrolled(t, svc, clock, alice)
		enrolled(t, svc, clock, bob)
		if _, err := verify(t, svc, alice, codes[0]); err != nil {
			t.Fatal(err)
		}
		if err := svc.ResetTOTP(ctx, alice.ID); err != nil {
			t.Fatalf("ResetTOTP: %v", err)
		}
		if has, err := svc.HasTOTP(ctx, alice.ID); has || err != nil {
			t.Errorf("HasTOTP after reset: got %v, %v; want false", has, err)
		}
		if n, err := svc.RecoveryCodesLeft(ctx, alice.ID); n != 0 || err != nil {
			t.Errorf("RecoveryCodesLeft after reset: got %d, %v; want 0", n, err)
		}
		for _, code := range []string{codeAt(t, secret, clock.Now(), 0), codes[1]} {
			if _, err := verify(t, svc, alice, code); !errors.Is(err, ErrNoTOTP) {
				t.Errorf("VerifySecondFactor(%q) after reset: got %v, want ErrNoTOTP", code, err)
			}
		}
		if n := dbtest.CountRows(t, db.db, "user_totp"); n != 1 {
			t.Errorf("user_totp rows = %d, want bob's alone", n)
		}
		if n := dbtest.CountRows(t, db.db, "user_recovery_codes"); n != 10 {
			t.Errorf("user_recovery_codes rows = %d, want bob's 10 alone", n)
		}
		if has, err := svc.HasTOTP(ctx, bob.ID); !has || err != nil {
			t.Errorf("bob's HasTOTP after alice's reset: got %v, %v; want true", has, err)
		}
		if err := svc.ResetTOTP(ctx, alice.ID); err != nil {
			t.Errorf("ResetTOTP with nothing to reset: %v", err)
		}
		if _, err := svc.BeginTOTP(ctx, alice); err != nil {
			t.Errorf("BeginTOTP after reset: %v", err)
		}
	})
}

// TestMFAUnavailable: without a key, what needs a secret answers ErrMFAUnavailable, while an
// enrolled user is still seen as enrolled (so sign-in asks, and fails closed) and can be reset.
func TestMFAUnavailable(t *testing.T) {
	keyed, db, clock := newTestEnv(t, withMFA)
	alice := mustCreateUser(t, keyed, "alice@example.com", RoleReviewer)
	bob := mustCreateUser(t, keyed, "bob@example.com", RoleReviewer)
	secret, _ := enrolled(t, keyed, clock, alice)

	svc := testService(t, db, clock, nil)
	ctx := t.Context()
	if _, err := svc.BeginTOTP(ctx, bob); !errors.Is(err, ErrMFAUnavailable) {
		t.Errorf("BeginTOTP: got %v, want ErrMFAUnavailable", err)
	}
	if _, _, err := svc.PendingTOTP(ctx, bob); !errors.Is(err, ErrMFAUnavailable) {
		t.Errorf("PendingTOTP: got %v, want ErrMFAUnavailable", err)
	}
	if _, err := svc.ConfirmTOTP(ctx, bob, "123456"); !errors.Is(err, ErrMFAUnavailable) {
		t.Errorf("ConfirmTOTP: got %v, want ErrMFAUnavailable", err)
	}
	if _, err := verify(t, svc, alice, codeAt(t, secret, clock.Now(), 0)); !errors.Is(err, ErrMFAUnavailable) {
		t.Errorf("VerifySecondFactor: got %v, want ErrMFAUnavailable", err)
	}
	if has, err := svc.HasTOTP(ctx, alice.ID); !has || err != nil {
		t.Errorf("HasTOTP of an enrolled user: got %v, %v; want true", has, err)
	}
	if n, err := svc.RecoveryCodesLeft(ctx, alice.ID); n != 10 || err != nil {
		t.Errorf("RecoveryCodesLeft: got %d, %v; want 10", n, err)
	}
	if err := svc.ResetTOTP(ctx, alice.ID); err != nil {
		t.Errorf("ResetTOTP: %v", err)
	}
	if _, err := newService(ctx, db, Config{BaseURL: "http://127.0.0.1:8080", SessionKeys: [][]byte{testKey('a')},
		MFAKey: testKey('m')[:16]}); err == nil {
		t.Error("NewService with a 16-byte MFA key: got nil error")
	}
}

// TestSecondFactorConcurrent: of several requests spending one code at once, on either database,
// exactly one passes.
func TestSecondFactorConcurrent(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, open func(testing.TB) *sqlStore) {
		// Budgets that no round's losers use up: this is about the code, not the throttle.
		svc, _, clock := newTestEnvOn(t, open, func(c *Config) {
			withMFA(c)
			c.PairThrottle = DelayPolicy{FreeFailures: 1000}
			c.AccountThrottle = DelayPolicy{FreeFailures: 1000}
			c.AddressThrottle = ThrottlePolicy{MaxFailures: 1000}
		})
		alice := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
		secret, codes := enrolled(t, svc, clock, alice)
		const workers = 6
		race := func(code string) (passed int, errs []error) {
			var wg sync.WaitGroup
			start := make(chan struct{})
			results := make([]error, workers)
			for i := range workers {
				wg.Go(func() {
					<-start
					_, results[i] = svc.VerifySecondFactor(t.Context(), alice.ID, code, addrN(i))
				})
			}
			close(start)
			wg.Wait()
			for _, err := range results {
				switch {
				case err == nil:
					passed++
				case !errors.Is(err, ErrInvalidCode):
					errs = append(errs, err)
				}
			}
			return passed, errs
		}
		for round := range 8 {
			clock.Advance(time.Minute)
			code := codeAt(t, secret, clock.Now(), 0)
			if round%2 == 1 {
				code = codes[round]
			}
			passed, errs := race(code)
			if passed != 1 || len(errs) > 0 {
				t.Errorf("round %d, %d requests with %q at once: %d passed, other errors %v; want 1 passed, the rest ErrInvalidCode",
					round, workers, code, passed, errs)
			}
		}
	})
}

// TestMFAMigration: migration 18's Down removes its tables, and Up makes them again.
func TestMFAMigration(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, open func(testing.TB) *sqlStore) {
		db := open(t)
		if err := db.db.MigrateDownTo(t.Context(), 17); err != nil {
			t.Fatalf("Down: %v", err)
		}
		for _, table := range []string{"user_totp", "user_recovery_codes"} {
			if n := dbtest.SchemaObjects(t, db.db, table); n != 0 {
				t.Errorf("%s after Down: %d objects, want 0", table, n)
			}
		}
		if err := db.db.MigrateTo(t.Context(), database.Latest); err != nil {
			t.Fatalf("Up again: %v", err)
		}
		if n := dbtest.CountRows(t, db.db, "user_recovery_codes"); n != 0 {
			t.Errorf("user_recovery_codes after Up = %d rows, want 0", n)
		}
	})
}
