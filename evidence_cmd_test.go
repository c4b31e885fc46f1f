package main

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/evidence"
)

// writePack writes a small signed pack with key to dir/pack.zip.
func writePack(t *testing.T, dir string, key evidence.Key) string {
	t.Helper()
	path := filepath.Join(dir, "pack.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := evidence.NewPack(f, key, evidence.Meta{CheckID: "chk_1", CreatedAt: time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC),
		CreatedBy: "rita@example.com", Reason: "Regulator's request"})
	if err := p.Add("report.json", strings.NewReader(`{"id":"rep_1"}`)); err != nil {
		t.Fatal(err)
	}
	if err := p.Add("files/1-document_front.jpg", bytes.NewReader(bytes.Repeat([]byte{0xff}, 4096))); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// tamper rewrites the zip at path with one byte of name changed.
func tamper(t *testing.T, path, name string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == name {
			b[len(b)/2] ^= 1
		}
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	zw.Close()
	if err := os.WriteFile(path, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestEvidenceCommands: key prints the data directory's key and never makes one; verify passes a
// good pack with the console's own key or --key, and fails (exit 1, not a usage error) naming what
// is wrong for a changed file or another key.
func TestEvidenceCommands(t *testing.T) {
	dir := t.TempDir()
	key, err := evidence.LoadKey(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HIVECONSOLE_DATA_DIR": dir}
	getenv := func(k string) string { return env[k] }
	cli := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), append([]string{"evidence"}, args...), getenv, &out, &errOut)
		return out.String() + errOut.String(), err
	}
	out, err := cli("key")
	if err != nil || !strings.Contains(out, evidence.FormatPublicKey(key.Public())) || !strings.Contains(out, evidence.Fingerprint(key.Public())) {
		t.Errorf("evidence key: %q %v", out, err)
	}
	empty := t.TempDir()
	if _, err := cli("key", "--data-dir", empty); err == nil {
		t.Error("evidence key on a data directory without a key: no error")
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("evidence key made files in an empty data directory: %v", entries)
	}

	pack := writePack(t, t.TempDir(), key)
	for _, args := range [][]string{{"verify", pack}, {"verify", pack, "--key", evidence.FormatPublicKey(key.Public())},
		{"verify", "--key", evidence.FormatPublicKey(key.Public()), pack}} {
		out, err := cli(args...)
		if err != nil || !strings.Contains(out, "OK: the evidence pack for check chk_1 verifies") || !strings.Contains(out, "2 files") {
			t.Errorf("%v: %q %v", args, out, err)
		}
	}
	other, err := evidence.LoadKey(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = cli("verify", pack, "--key", evidence.FormatPublicKey(other.Public()))
	var u usageError
	if err == nil || errors.As(err, &u) || !strings.Contains(err.Error(), "signature") {
		t.Errorf("verify with another key: %v, want a failure naming the signature", err)
	}
	tamper(t, pack, "files/1-document_front.jpg")
	if _, err := cli("verify", pack); err == nil || !strings.Contains(err.Error(), "files/1-document_front.jpg") {
		t.Errorf("verify a changed image: %v, want a failure naming it", err)
	}
	if _, err := cli("verify"); !errors.As(err, &u) {
		t.Errorf("verify without a pack: %v, want a usage error", err)
	}
}

// TestLoadEvidenceKey: SQLite generates a key into the data directory and keeps it; with
// PostgreSQL only a configured key signs, since each replica would otherwise make its own, and
// without one packs are off; a bad configured key stops the console.
func TestLoadEvidenceKey(t *testing.T) {
	dir := t.TempDir()
	k1, err := loadEvidenceKey(config{DataDir: dir})
	if err != nil || k1 == nil {
		t.Fatalf("SQLite: %v %v", k1, err)
	}
	k2, _ := loadEvidenceKey(config{DataDir: dir})
	if !k1.Public().Equal(k2.Public()) {
		t.Error("a second start made another key")
	}
	if k, err := loadEvidenceKey(config{DataDir: t.TempDir(), DatabaseURL: "postgres://x"}); err != nil || k != nil {
		t.Errorf("PostgreSQL without a key: %v %v, want packs off", k, err)
	}
	seed := evidence.NewKeySeed()
	k, err := loadEvidenceKey(config{DataDir: t.TempDir(), DatabaseURL: "postgres://x", EvidenceKey: seed})
	if err != nil || k == nil {
		t.Fatalf("PostgreSQL with a key: %v %v", k, err)
	}
	if !strings.Contains(evidenceNote(k), evidence.Fingerprint(k.Public())) || !strings.Contains(evidenceNote(nil), "off") {
		t.Errorf("banner lines: %q / %q", evidenceNote(k), evidenceNote(nil))
	}
	if _, err := loadEvidenceKey(config{DataDir: t.TempDir(), EvidenceKey: "not base64"}); err == nil {
		t.Error("a bad configured key was accepted")
	}
}
