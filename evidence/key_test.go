package evidence

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLoadKeyGenerated: without a configured key, the first load creates <dataDir>/evidence-key
// (mode 0600, in a directory created 0700) with a seed in the configured form, and later loads
// use the same key.
func TestLoadKeyGenerated(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	first, err := LoadKey(dataDir, "")
	if err != nil {
		t.Fatal(err)
	}
	second, err := LoadKey(dataDir, "  ")
	if err != nil {
		t.Fatal(err)
	}
	if !first.Public().Equal(second.Public()) {
		t.Error("a second load made a new key")
	}
	path := filepath.Join(dataDir, "evidence-key") // the name the docs give
	assertMode(t, path, 0o600)
	assertMode(t, dataDir, 0o700)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	seed, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(string(b), "\n"))
	if err != nil || len(seed) != ed25519.SeedSize || !bytes.HasSuffix(b, []byte("\n")) {
		t.Fatalf("key file %q is not base64 of a 32-byte seed and a newline", b)
	}
	if !ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey).Equal(first.Public()) {
		t.Error("the key loaded is not the key in the file")
	}
}

// TestLoadKeyConfigured: a configured seed wins over the key file, and is the key it encodes.
func TestLoadKeyConfigured(t *testing.T) {
	dataDir := t.TempDir()
	generated, err := LoadKey(dataDir, "")
	if err != nil {
		t.Fatal(err)
	}
	seed := bytes.Repeat([]byte{7}, ed25519.SeedSize)
	configured, err := LoadKey(dataDir, base64.StdEncoding.EncodeToString(seed)+"\n")
	if err != nil {
		t.Fatal(err)
	}
	want := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	if !configured.Public().Equal(want) || configured.Public().Equal(generated.Public()) {
		t.Error("the configured key did not win over the key file")
	}
	msg := []byte("manifest")
	if !ed25519.Verify(want, msg, configured.Sign(msg)) {
		t.Error("a signature by the configured key does not verify with its public key")
	}
}

// TestLoadKeyRefusesOpenFile: a key file that group or others can read is refused, and the error
// says why.
func TestLoadKeyRefusesOpenFile(t *testing.T) {
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604} {
		dataDir := t.TempDir()
		path := filepath.Join(dataDir, KeyFile)
		if err := os.WriteFile(path, []byte(NewKeySeed()+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := LoadKey(dataDir, "")
		if err == nil || !strings.Contains(err.Error(), "readable by group or others") {
			t.Errorf("mode %v: LoadKey = %v, want it refused as readable by group or others", mode, err)
		}
	}
}

// TestLoadKeyRefusesBadSeeds: a seed that is not base64, or not 32 bytes, is refused, configured
// or in the file, and the error does not quote it.
func TestLoadKeyRefusesBadSeeds(t *testing.T) {
	for _, tc := range []struct{ name, seed, want string }{
		{"not base64", "SECRET-SEED-not-base64!!", "not standard base64"},
		{"too short", base64.StdEncoding.EncodeToString([]byte("SECRET-16-BYTES!")), "16 bytes; exactly 32 needed"},
		{"too long", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("SECRET"), 8)), "48 bytes; exactly 32 needed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadKey(t.TempDir(), tc.seed)
			assertKeyError(t, err, tc.want, tc.seed)

			dataDir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dataDir, KeyFile), []byte(tc.seed+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err = LoadKey(dataDir, "")
			assertKeyError(t, err, tc.want, tc.seed)
		})
	}
}

func assertKeyError(t *testing.T, err error, want, seed string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("LoadKey = %v, want an error saying %q", err, want)
	}
	if strings.Contains(err.Error(), seed) || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("the error %q quotes the seed", err)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("%s: mode %v, want %v", path, got, want)
	}
}

// TestNewKeySeed: a new seed loads as a key, and no two are alike.
func TestNewKeySeed(t *testing.T) {
	a, b := NewKeySeed(), NewKeySeed()
	if a == b {
		t.Error("two seeds are equal")
	}
	if _, err := LoadKey(t.TempDir(), a); err != nil {
		t.Errorf("a new seed does not load: %v", err)
	}
}

// TestPublicKeyForm: FormatPublicKey's form reads back, as does the bare base64; anything else is
// refused with the reason.
func TestPublicKeyForm(t *testing.T) {
	pub := testKey(t).Public()
	formatted := FormatPublicKey(pub)
	bare := base64.StdEncoding.EncodeToString(pub)
	if formatted != "ed25519:"+bare {
		t.Errorf("FormatPublicKey = %q, want ed25519: and the base64", formatted)
	}
	for _, s := range []string{formatted, bare, " " + formatted + "\n"} {
		got, err := ParsePublicKey(s)
		if err != nil || !got.Equal(pub) {
			t.Errorf("ParsePublicKey(%q) = %v, %v; want the key", s, got, err)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"rsa:" + bare, `type "rsa" is not ed25519`},
		{"ed25519:not base64!", "not standard base64"},
		{"ed25519:" + base64.StdEncoding.EncodeToString(pub[:16]), "16 bytes; an Ed25519 public key has 32"},
		{"", "0 bytes"},
	} {
		if _, err := ParsePublicKey(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParsePublicKey(%q) = %v, want an error saying %q", tc.in, err, tc.want)
		}
	}
}

// TestFingerprint: eight groups of four hex digits, the first 16 bytes of the key's SHA-256.
func TestFingerprint(t *testing.T) {
	pub := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public().(ed25519.PublicKey)
	fp := Fingerprint(pub)
	if !regexp.MustCompile(`^[0-9a-f]{4}(:[0-9a-f]{4}){7}$`).MatchString(fp) {
		t.Fatalf("Fingerprint = %q, want 8 groups of 4 hex digits", fp)
	}
	sum := sha256.Sum256(pub)
	if got, want := strings.ReplaceAll(fp, ":", ""), hex.EncodeToString(sum[:16]); got != want {
		t.Errorf("Fingerprint digits = %s, want %s", got, want)
	}
	if Fingerprint(testKey(t).Public()) == fp {
		t.Error("two keys have one fingerprint")
	}
}

// TestZeroKey: the zero Key has no public key.
func TestZeroKey(t *testing.T) {
	if pub := (Key{}).Public(); pub != nil {
		t.Errorf("zero Key's Public = %v, want nil", pub)
	}
}
