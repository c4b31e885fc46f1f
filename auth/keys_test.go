package auth

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLoadSessionKeys(t *testing.T) {
	k1, k2 := strings.Repeat("1", 32), strings.Repeat("2", 40)
	t.Run("configured, newest first", func(t *testing.T) {
		keys, err := LoadSessionKeys(t.TempDir(), " "+k2+" , "+k1+",")
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 2 || string(keys[0]) != k2 || string(keys[1]) != k1 {
			t.Errorf("keys = %q, want [%s %s]", keys, k2, k1)
		}
	})
	t.Run("configured key too short", func(t *testing.T) {
		_, err := LoadSessionKeys(t.TempDir(), k1+",short-key")
		if err == nil || strings.Contains(err.Error(), "short-key") {
			t.Errorf("got %v, want an error that does not quote the key", err)
		}
	})
	t.Run("generated once, 0600", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		first, err := LoadSessionKeys(dir, "")
		if err != nil {
			t.Fatal(err)
		}
		info, err := os.Stat(filepath.Join(dir, "session-keys"))
		if err != nil {
			t.Fatal(err)
		}
		if perm := info.Mode().Perm(); perm != 0o600 {
			t.Errorf("session-keys mode = %v, want 0600", perm)
		}
		second, err := LoadSessionKeys(dir, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(first) != 1 || len(first[0]) < minSessionKeyLen || !slices.EqualFunc(first, second, slices.Equal) {
			t.Errorf("keys %q then %q; want one stable key of at least %d bytes", first, second, minSessionKeyLen)
		}
		other, _ := LoadSessionKeys(t.TempDir(), "")
		if slices.Equal(first[0], other[0]) {
			t.Error("two data directories generated the same key")
		}
	})
	t.Run("file readable by others is refused", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "session-keys")
		if err := os.WriteFile(path, []byte(k1+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o644); err != nil { // WriteFile's mode is filtered by umask
			t.Fatal(err)
		}
		if _, err := LoadSessionKeys(dir, ""); err == nil {
			t.Error("got nil error for a 0644 key file")
		}
	})
	t.Run("rotated file, one key a line", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "session-keys"), []byte(k2+"\n"+k1+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		keys, err := LoadSessionKeys(dir, "")
		if err != nil || len(keys) != 2 || string(keys[0]) != k2 {
			t.Errorf("keys = %q, %v; want [%s %s]", keys, err, k2, k1)
		}
	})
}
