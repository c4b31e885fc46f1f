package auth

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hiveconsole/hiveconsole/internal/secretfile"
)

// minSessionKeyLen is the shortest signing key accepted: securecookie's HMAC-SHA256 wants 32 bytes.
const minSessionKeyLen = 32

// sessionKeysFile is where generated signing keys live, inside the data directory.
const sessionKeysFile = "session-keys"

// LoadSessionKeys returns the cookie signing keys, newest first. configured is
// HIVECONSOLE_SESSION_KEYS: comma-separated keys of at least 32 characters, newest first, so an
// operator rotates by prepending a key and later dropping the oldest. When it is empty, the keys come
// from <dataDir>/session-keys, which is created once with one random key and mode 0600; a file that
// others can read is refused, because its keys sign every session.
func LoadSessionKeys(dataDir, configured string) ([][]byte, error) {
	if strings.TrimSpace(configured) != "" {
		return parseSessionKeys(configured, "HIVECONSOLE_SESSION_KEYS")
	}
	path := filepath.Join(dataDir, sessionKeysFile)
	b, err := readSecretFile(dataDir, path, "session keys", func() string { return NewSessionKey() + "\n" })
	if err != nil {
		return nil, err
	}
	return parseSessionKeys(string(b), path)
}

// NewSessionKey returns a random signing key (256 bits, URL-safe base64) for HIVECONSOLE_SESSION_KEYS.
func NewSessionKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// parseSessionKeys splits on commas and newlines; source names where the keys came from in errors,
// which never quote a key.
func parseSessionKeys(s, source string) ([][]byte, error) {
	var keys [][]byte
	for field := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		key := strings.TrimSpace(field)
		if key == "" {
			continue
		}
		if len(key) < minSessionKeyLen {
			return nil, fmt.Errorf("auth: session keys from %s: key %d is %d characters; at least %d needed",
				source, len(keys)+1, len(key), minSessionKeyLen)
		}
		keys = append(keys, []byte(key))
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("auth: session keys from %s: no key", source)
	}
	return keys, nil
}

// readSecretFile returns the contents of the key file at path, creating it (and dataDir) with
// generate's output when it does not exist (see secretfile.Read). what names the key in errors
// ("MFA key"). LoadSessionKeys and LoadMFAKey keep their generated keys so.
func readSecretFile(dataDir, path, what string, generate func() string) ([]byte, error) {
	b, err := secretfile.Read(dataDir, path, generate)
	if err != nil {
		return nil, fmt.Errorf("auth: %s: %w", what, err)
	}
	return b, nil
}
