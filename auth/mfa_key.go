package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// mfaKeyLen is the MFA key's length: AES-256.
const mfaKeyLen = 32

// mfaKeyFile is where a generated MFA key lives, inside the data directory.
const mfaKeyFile = "mfa-key"

// LoadMFAKey returns the key that seals staff members' TOTP secrets at rest (Config.MFAKey).
// configured is HIVECONSOLE_MFA_KEY: standard base64 of exactly 32 bytes (NewMFAKey makes one).
// When it is empty, the key comes from <dataDir>/mfa-key, which is created once with a random key and
// mode 0600; a file that others can read is refused, because its key opens every secret. Losing the
// key loses every enrolment (each user then needs ResetTOTP), so several replicas share one
// configured key rather than each generating its own.
func LoadMFAKey(dataDir, configured string) ([]byte, error) {
	if strings.TrimSpace(configured) != "" {
		return parseMFAKey(configured, "HIVECONSOLE_MFA_KEY")
	}
	path := filepath.Join(dataDir, mfaKeyFile)
	b, err := readSecretFile(dataDir, path, "MFA key", func() string { return NewMFAKey() + "\n" })
	if err != nil {
		return nil, err
	}
	return parseMFAKey(string(b), path)
}

// NewMFAKey returns a random MFA key (256 bits, standard base64) for HIVECONSOLE_MFA_KEY.
func NewMFAKey() string {
	b := make([]byte, mfaKeyLen)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.StdEncoding.EncodeToString(b)
}

// parseMFAKey decodes one key; source names where it came from in errors, which never quote the key.
func parseMFAKey(s, source string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("auth: MFA key from %s: not standard base64", source)
	}
	if len(key) != mfaKeyLen {
		return nil, fmt.Errorf("auth: MFA key from %s: %d bytes; exactly %d needed", source, len(key), mfaKeyLen)
	}
	return key, nil
}

// newSecretSealer is AES-256-GCM under the MFA key (32 bytes, as Config.withDefaults checks); nil
// (second factors unavailable) without one.
func newSecretSealer(key []byte) (cipher.AEAD, error) {
	if key == nil {
		return nil, nil
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("auth: MFA key: %w", err)
	}
	return cipher.NewGCM(block)
}

// sealSecret encrypts a TOTP secret for userID's row: a random nonce, then the ciphertext. The
// user's id is the additional data, so a sealed secret copied into another user's row does not
// open there.
func sealSecret(aead cipher.AEAD, userID string, secret []byte) []byte {
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(secret)+aead.Overhead())
	_, _ = rand.Read(nonce)
	return aead.Seal(nonce, nonce, secret, []byte(userID))
}

// errSecretSealed is a stored secret that does not open: sealed under another MFA key, or copied
// from another user's row. It is an internal error: the user's enrolment is unusable until reset.
var errSecretSealed = errors.New("auth: the stored TOTP secret does not open with this MFA key for this user")

// openSecret decrypts what sealSecret made for userID.
func openSecret(aead cipher.AEAD, userID string, sealed []byte) ([]byte, error) {
	n := aead.NonceSize()
	if len(sealed) < n+aead.Overhead() {
		return nil, errSecretSealed
	}
	secret, err := aead.Open(nil, sealed[:n], sealed[n:], []byte(userID))
	if err != nil {
		return nil, errSecretSealed
	}
	return secret, nil
}
