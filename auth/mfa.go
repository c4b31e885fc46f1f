package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"image/color"
	mrand "math/rand/v2"
	"net/netip"
	"strings"
	"time"
	"unicode"

	"github.com/boombuler/barcode/qr"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// A staff member's second factor is a TOTP secret (RFC 6238, as every authenticator app takes it:
// SHA-1, 6 digits, 30-second steps) and ten one-time recovery codes. The secret is sealed at rest
// with Config.MFAKey; the codes are kept only as hashes.

// Second-factor errors, for errors.Is; none of them carries a secret or a code.
var (
	// ErrMFAUnavailable refuses a method that seals or opens a TOTP secret when the Service has no
	// Config.MFAKey.
	ErrMFAUnavailable = errors.New("auth: second factor unavailable: no MFA key configured")
	// ErrTOTPEnrolled refuses a new enrolment while a confirmed second factor exists: it must be
	// reset first (ResetTOTP), so a hijacked session cannot quietly swap in its own.
	ErrTOTPEnrolled = errors.New("auth: a second factor is already enrolled")
	// ErrNoPendingTOTP is a confirmation with no enrolment pending (none begun, already confirmed,
	// or replaced by a newer BeginTOTP meanwhile).
	ErrNoPendingTOTP = errors.New("auth: no second factor is being enrolled")
	// ErrNoTOTP is a second-factor check for a user without a confirmed second factor.
	ErrNoTOTP = errors.New("auth: no second factor enrolled")
	// ErrInvalidCode is a wrong, expired or already used TOTP or recovery code; one answer for all.
	ErrInvalidCode = errors.New("auth: invalid code")
)

const (
	totpIssuer = "Hive Console"
	totpPeriod = 30 // seconds a code lasts: a step
	// totpSkew is how many steps either side of now are accepted, for a phone's clock a little off
	// and a code typed just as it changed.
	totpSkew = 1

	recoveryCodeCount = 10
	recoveryCodeLen   = 10
	// recoveryAlphabet leaves out what reads alike on paper: 0 and o, 1, i and l.
	recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"
)

// Kinds of throttle row for wrong second-factor codes, beside the sign-in kinds: a separate budget
// from the password's, charged and cleared the same way (see Authenticate).
const (
	kindTOTP     = "totp"      // the account's codes from anywhere; its key also marks the pair rows
	kindTOTPPair = "totp-pair" // the account's codes from one address
)

// secretEncoding is how authenticator apps take a secret typed in: base32 without padding.
var secretEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// TOTPEnrolment is a secret being enrolled: shown once as a QR code and as text.
type TOTPEnrolment struct {
	Secret string // base32, as authenticator apps take it typed in
	// URL is the otpauth:// URL the QR code holds: issuer "Hive Console", the user's email as the
	// account, the secret, SHA1, 6 digits, 30 seconds.
	URL string
	// QR is the QR code of URL as rows of modules, QR[y][x], true for a dark one; without the quiet
	// zone, which the view adds.
	QR [][]bool
}

// BeginTOTP starts enrolling u in a second factor: a new random secret, stored sealed and pending
// until ConfirmTOTP. It replaces a pending one (the QR code shown before stops working) and is
// refused with ErrTOTPEnrolled while a confirmed one exists.
func (s *Service) BeginTOTP(ctx context.Context, u User) (TOTPEnrolment, error) {
	if s.mfa == nil {
		return TOTPEnrolment{}, ErrMFAUnavailable
	}
	key, err := totpKey(u.Email, nil)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	secret, err := secretEncoding.DecodeString(key.Secret())
	if err != nil {
		return TOTPEnrolment{}, fmt.Errorf("auth: new TOTP secret: %w", err)
	}
	if err := s.store.PutPendingTOTP(ctx, u.ID, sealSecret(s.mfa, u.ID, secret), s.now()); err != nil {
		return TOTPEnrolment{}, err
	}
	return newEnrolment(key)
}

// PendingTOTP is u's pending enrolment again, to show its QR code after a wrong code; ok is false
// when none is pending.
func (s *Service) PendingTOTP(ctx context.Context, u User) (enrolment TOTPEnrolment, ok bool, err error) {
	if s.mfa == nil {
		return TOTPEnrolment{}, false, ErrMFAUnavailable
	}
	rec, err := s.store.TOTP(ctx, u.ID)
	if errors.Is(err, ErrNoTOTP) || (err == nil && rec.confirmed()) {
		return TOTPEnrolment{}, false, nil
	}
	if err != nil {
		return TOTPEnrolment{}, false, err
	}
	secret, err := openSecret(s.mfa, u.ID, rec.Sealed)
	if err != nil {
		return TOTPEnrolment{}, false, err
	}
	key, err := totpKey(u.Email, secret)
	if err != nil {
		return TOTPEnrolment{}, false, err
	}
	enrolment, err = newEnrolment(key)
	return enrolment, err == nil, err
}

// ConfirmTOTP completes u's enrolment when code is the pending secret's at the current step or one
// either side: the secret becomes u's second factor, its step counts as used, and ten new recovery
// codes ("xxxxx-xxxxx") are made and returned — the only time anyone sees them, as only their
// hashes are kept. A wrong code is ErrInvalidCode and keeps the enrolment pending; with none pending
// it is ErrNoPendingTOTP. It is not throttled: whoever confirms is signed in and has the secret on
// screen, so guessing its code would gain them nothing.
func (s *Service) ConfirmTOTP(ctx context.Context, u User, code string) ([]string, error) {
	if s.mfa == nil {
		return nil, ErrMFAUnavailable
	}
	rec, err := s.store.TOTP(ctx, u.ID)
	if errors.Is(err, ErrNoTOTP) || (err == nil && rec.confirmed()) {
		return nil, ErrNoPendingTOTP
	}
	if err != nil {
		return nil, err
	}
	secret, err := openSecret(s.mfa, u.ID, rec.Sealed)
	if err != nil {
		return nil, err
	}
	now := s.now()
	step, ok := matchStep(secret, code, now, rec.LastStep)
	if !ok {
		return nil, ErrInvalidCode
	}
	codes, hashes := newRecoveryCodes(u.ID)
	if err := s.store.ConfirmTOTP(ctx, u.ID, rec.Sealed, step, now, hashes); err != nil {
		return nil, err
	}
	return codes, nil
}

// HasTOTP reports whether the user has a confirmed second factor, which sign-in must then ask for.
// It needs no MFA key: without one an enrolled user is still asked, and VerifySecondFactor refuses.
func (s *Service) HasTOTP(ctx context.Context, userID string) (bool, error) {
	rec, err := s.store.TOTP(ctx, userID)
	if errors.Is(err, ErrNoTOTP) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return rec.confirmed(), nil
}

// RecoveryCodesLeft counts the user's unused recovery codes.
func (s *Service) RecoveryCodesLeft(ctx context.Context, userID string) (int, error) {
	return s.store.RecoveryCodesLeft(ctx, userID)
}

// ResetTOTP removes the user's second factor, pending or confirmed, and their recovery codes; the
// next sign-in asks for the password only, and BeginTOTP may enrol again. It needs no MFA key, so it
// also mends enrolments the key no longer opens.
func (s *Service) ResetTOTP(ctx context.Context, userID string) error {
	return s.store.DeleteTOTP(ctx, userID)
}

// VerifySecondFactor checks the code a user gives after their password. Six digits (spaces allowed)
// are a TOTP code, good at the current step or one either side, but only for a step after the
// newest one accepted: each code is accepted once, and none older than one already used. Anything
// else is tried as a recovery code, good once; recovery reports that one was spent.
//
// Attempts are throttled like sign-ins (see Authenticate and DelayPolicy), with the same policies
// and address rows but their own account and pair rows, so wrong codes and wrong passwords do not
// spend each other's budget. A refused attempt is a *ThrottledError; a wrong, expired or replayed
// code is ErrInvalidCode; a success clears the account's failures. ErrNoTOTP when the user has no
// confirmed second factor.
func (s *Service) VerifySecondFactor(ctx context.Context, userID, code string, client netip.Addr) (recovery bool, err error) {
	if s.mfa == nil {
		return false, ErrMFAUnavailable
	}
	rec, err := s.store.TOTP(ctx, userID)
	if errors.Is(err, ErrNoTOTP) || (err == nil && !rec.confirmed()) {
		return false, ErrNoTOTP
	}
	if err != nil {
		return false, err
	}
	rows := secondFactorRows(userID, client)
	if err := s.charge(ctx, rows); err != nil {
		return false, err
	}
	if recovery, err = s.useSecondFactor(ctx, userID, rec, code); err != nil {
		return false, err
	}
	if err := s.succeed(ctx, rows); err != nil {
		return false, err
	}
	return recovery, nil
}

// useSecondFactor spends code: a TOTP step or a recovery code. Whether it was still unspent is
// decided by one conditional write, so of two uses at once only one passes.
func (s *Service) useSecondFactor(ctx context.Context, userID string, rec totpRecord, code string) (recovery bool, err error) {
	now := s.now()
	if digits, ok := totpCode(code); ok {
		secret, err := openSecret(s.mfa, userID, rec.Sealed)
		if err != nil {
			return false, err
		}
		step, ok := matchStep(secret, digits, now, rec.LastStep)
		if !ok {
			return false, ErrInvalidCode
		}
		used, err := s.store.UseTOTPStep(ctx, userID, step)
		if err == nil && !used {
			err = ErrInvalidCode
		}
		return false, err
	}
	normalized := normalizeRecoveryCode(code)
	if len(normalized) != recoveryCodeLen {
		return false, ErrInvalidCode
	}
	used, err := s.store.UseRecoveryCode(ctx, userID, hashRecoveryCode(userID, normalized), now)
	if err == nil && !used {
		err = ErrInvalidCode
	}
	return err == nil, err
}

// totpKey is the otpauth key for an account: with secret, or a new random one (20 bytes) when nil.
func totpKey(email string, secret []byte) (*otp.Key, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: email, Period: totpPeriod,
		Secret: secret, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, fmt.Errorf("auth: TOTP key: %w", err)
	}
	return key, nil
}

// newEnrolment is what the enrolment page shows of key.
func newEnrolment(key *otp.Key) (TOTPEnrolment, error) {
	code, err := qr.Encode(key.String(), qr.M, qr.Auto)
	if err != nil {
		return TOTPEnrolment{}, fmt.Errorf("auth: TOTP QR code: %w", err)
	}
	b := code.Bounds()
	modules := make([][]bool, b.Dy())
	for y := range modules {
		modules[y] = make([]bool, b.Dx())
		for x := range modules[y] {
			modules[y][x] = color.GrayModel.Convert(code.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y < 0x80
		}
	}
	return TOTPEnrolment{Secret: key.Secret(), URL: key.String(), QR: modules}, nil
}

// totpCode is code without spaces when that is six digits.
func totpCode(code string) (string, bool) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != int(otp.DigitsSix) || strings.ContainsFunc(code, func(r rune) bool { return r < '0' || r > '9' }) {
		return "", false
	}
	return code, true
}

// matchStep returns the newest step whose code is code, among the steps within totpSkew of now that
// come after the step after. Every candidate is computed and compared in constant time, so timing
// says nothing of which one matched.
func matchStep(secret []byte, code string, now time.Time, after int64) (step int64, ok bool) {
	encoded := secretEncoding.EncodeToString(secret)
	opts := totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	current := now.Unix() / totpPeriod
	for st := current - totpSkew; st <= current+totpSkew; st++ {
		want, err := totp.GenerateCodeCustom(encoded, time.Unix(st*totpPeriod, 0), opts)
		if err != nil {
			return 0, false // a secret we sealed is always valid base32
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && st > after {
			step, ok = st, true
		}
	}
	return step, ok
}

// secondFactorRows names the throttle rows a code attempt is charged to: the account's and the
// account's from this address in the second factor's own kinds, and the address's sign-in row, which
// limits one address across every account whatever it guesses at.
func secondFactorRows(userID string, client netip.Addr) signInRows {
	return signInRows{
		account: throttleKey(kindTOTP, userID),
		pair:    throttleKey(kindTOTPPair, userID+"\x00"+addressBucket(client)),
		address: addressKey(client),
	}
}

// newRecoveryCodes makes recoveryCodeCount distinct codes, as shown ("xxxxx-xxxxx") and as stored
// (hashRecoveryCode of the normalized code).
func newRecoveryCodes(userID string) (codes, hashes []string) {
	var seed [32]byte
	_, _ = rand.Read(seed[:]) // crypto/rand.Read never fails on supported platforms
	r := mrand.New(mrand.NewChaCha8(seed))
	seen := make(map[string]bool, recoveryCodeCount)
	for len(codes) < recoveryCodeCount {
		b := make([]byte, recoveryCodeLen)
		for i := range b {
			b[i] = recoveryAlphabet[r.IntN(len(recoveryAlphabet))]
		}
		c := string(b)
		if seen[c] {
			continue
		}
		seen[c] = true
		codes = append(codes, c[:recoveryCodeLen/2]+"-"+c[recoveryCodeLen/2:])
		hashes = append(hashes, hashRecoveryCode(userID, c))
	}
	return codes, hashes
}

// normalizeRecoveryCode is the form a recovery code is hashed in: lower-case, without the dash or
// any spaces, so "ABCDE-FGHIJ" and "abcde fghij" are one code.
func normalizeRecoveryCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, code)
}

// hashRecoveryCode is the stored form of a user's normalized recovery code: hex SHA-256 over the
// user's id and the code. A copy of the table does not hand out the codes, which are random (about 49
// bits each) rather than chosen, and the id makes one guess test one account's codes only.
func hashRecoveryCode(userID, normalized string) string {
	sum := sha256.Sum256([]byte(userID + "\x00" + normalized))
	return hex.EncodeToString(sum[:])
}
