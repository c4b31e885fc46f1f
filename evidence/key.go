package evidence

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hiveconsole/hiveconsole/internal/secretfile"
)

// keyEnv names the setting that carries a configured signing key, for error messages.
const keyEnv = "HIVECONSOLE_EVIDENCE_KEY"

// KeyFile is the name of the generated signing key's file inside the data directory.
const KeyFile = "evidence-key"

// publicKeyPrefix starts the written form of a public key.
const publicKeyPrefix = "ed25519:"

// Key is the console's Ed25519 signing key. The zero Key signs nothing: LoadKey makes a usable one.
type Key struct {
	priv ed25519.PrivateKey
}

// LoadKey returns the key that signs evidence packs. configured is HIVECONSOLE_EVIDENCE_KEY:
// standard base64 of a 32-byte Ed25519 seed (NewKeySeed makes one). When it is empty, the key comes
// from <dataDir>/evidence-key, created once with a random seed and mode 0600 (the directory 0700
// if missing); a key file that group or others can read is refused, because anyone holding it can
// sign packs as the console. Several replicas share one configured key, so that every pack verifies
// with the same public key. Errors never quote key material.
func LoadKey(dataDir, configured string) (Key, error) {
	if strings.TrimSpace(configured) != "" {
		return parseSeed(configured, keyEnv)
	}
	path := filepath.Join(dataDir, KeyFile)
	b, err := readKeyFile(dataDir, path)
	if err != nil {
		return Key{}, err
	}
	return parseSeed(string(b), path)
}

// NewKeySeed returns a random seed in the form HIVECONSOLE_EVIDENCE_KEY takes.
func NewKeySeed() string {
	seed := make([]byte, ed25519.SeedSize)
	_, _ = rand.Read(seed) // crypto/rand.Read never fails on supported platforms
	return base64.StdEncoding.EncodeToString(seed)
}

// Public returns the key's public half; nil for the zero Key.
func (k Key) Public() ed25519.PublicKey {
	if len(k.priv) != ed25519.PrivateKeySize {
		return nil
	}
	return k.priv.Public().(ed25519.PublicKey)
}

// Sign signs msg. It panics on the zero Key, which has nothing to sign with.
func (k Key) Sign(msg []byte) []byte {
	return ed25519.Sign(k.priv, msg)
}

// usable reports whether k holds a private key.
func (k Key) usable() bool { return len(k.priv) == ed25519.PrivateKeySize }

// FormatPublicKey writes a public key as "ed25519:" and the standard base64 of its 32 bytes.
func FormatPublicKey(pub ed25519.PublicKey) string {
	return publicKeyPrefix + base64.StdEncoding.EncodeToString(pub)
}

// ParsePublicKey reads what FormatPublicKey writes; the bare base64 without "ed25519:" is accepted
// too, since that is what people copy out of other tools.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	s = strings.TrimSpace(s)
	if kind, rest, ok := strings.Cut(s, ":"); ok {
		if kind != strings.TrimSuffix(publicKeyPrefix, ":") {
			return nil, fmt.Errorf("evidence: public key: type %q is not ed25519", kind)
		}
		s = rest
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("evidence: public key: not standard base64")
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("evidence: public key: %d bytes; an Ed25519 public key has %d", len(b), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// Fingerprint names a public key for people to compare: the first 16 bytes of its SHA-256 in
// hex, in groups of four characters joined by ":".
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	h := hex.EncodeToString(sum[:16])
	groups := make([]string, 0, len(h)/4)
	for i := 0; i < len(h); i += 4 {
		groups = append(groups, h[i:i+4])
	}
	return strings.Join(groups, ":")
}

// parseSeed decodes a seed; source names where it came from in errors, which never quote it.
func parseSeed(s, source string) (Key, error) {
	seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return Key{}, fmt.Errorf("evidence: signing key from %s: not standard base64", source)
	}
	if len(seed) != ed25519.SeedSize {
		return Key{}, fmt.Errorf("evidence: signing key from %s: %d bytes; exactly %d needed", source, len(seed), ed25519.SeedSize)
	}
	return Key{priv: ed25519.NewKeyFromSeed(seed)}, nil
}

// readKeyFile returns the key file's content, creating it with a new random seed when it does not
// exist (see secretfile.Read).
func readKeyFile(dataDir, path string) ([]byte, error) {
	b, err := secretfile.Read(dataDir, path, func() string { return NewKeySeed() + "\n" })
	if err != nil {
		return nil, fmt.Errorf("evidence: signing key: %w", err)
	}
	return b, nil
}
