package auth

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadMFAKey(t *testing.T) {
	t.Run("configured", func(t *testing.T) {
		configured := NewMFAKey()
		dir := t.TempDir()
		key, err := LoadMFAKey(dir, " "+configured+"\n")
		want, _ := base64.StdEncoding.DecodeString(configured)
		if err != nil || !bytes.Equal(key, want) || len(key) != 32 {
			t.Errorf("got %x, %v; want the 32 bytes configured", key, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "mfa-key")); !os.IsNotExist(err) {
			t.Errorf("a configured key wrote mfa-key (%v); want no file", err)
		}
	})
	t.Run("configured key refused", func(t *testing.T) {
		for name, configured := range map[string]string{
			"16 bytes":    base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 16)),
			"33 bytes":    base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 33)),
			"URL base64":  base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 32)),
			"not base64!": "not base64 at all, but long enough to be a key!!",
		} {
			_, err := LoadMFAKey(t.TempDir(), configured)
			if err == nil || strings.Contains(err.Error(), configured) {
				t.Errorf("%s: got %v, want an error that does not quote the key", name, err)
			}
		}
	})
	t.Run("generated once, 0600", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		first, err := LoadMFAKey(dir, "")
		if err != nil {
			t.Fatal(err)
		}
		info, err := os.Stat(filepath.Join(dir, "mfa-key"))
		if err != nil {
			t.Fatal(err)
		}
		if perm := info.Mode().Perm(); perm != 0o600 {
			t.Errorf("mfa-key mode = %v, want 0600", perm)
		}
		second, err := LoadMFAKey(dir, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(first) != mfaKeyLen || !bytes.Equal(first, second) {
			t.Errorf("keys %x then %x; want one stable key of %d bytes", first, second, mfaKeyLen)
		}
		other, _ := LoadMFAKey(t.TempDir(), "")
		if bytes.Equal(first, other) {
			t.Error("two data directories generated the same key")
		}
	})
	t.Run("file readable by others is refused", func(t *testing.T) {
		for _, mode := range []os.FileMode{0o640, 0o604} {
			dir := t.TempDir()
			path := filepath.Join(dir, "mfa-key")
			if err := os.WriteFile(path, []byte(NewMFAKey()+"\n"), mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, mode); err != nil { // WriteFile's mode is filtered by umask
				t.Fatal(err)
			}
			if _, err := LoadMFAKey(dir, ""); err == nil {
				t.Errorf("got nil error for a %v key file", mode)
			}
		}
	})
	t.Run("file with a short key is refused", func(t *testing.T) {
		dir := t.TempDir()
		short := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 16))
		if err := os.WriteFile(filepath.Join(dir, "mfa-key"), []byte(short+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadMFAKey(dir, ""); err == nil || strings.Contains(err.Error(), short) {
			t.Errorf("got %v, want an error that does not quote the key", err)
		}
	})
}
