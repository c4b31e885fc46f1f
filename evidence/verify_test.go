package evidence

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hiveconsole/hiveconsole/audit"
)

// TestVerifyTampering: every change to a signed pack is caught and named, the signature's before
// anything the manifest says. Edits that re-sign with the console's own key (as someone holding it
// could) are caught by the checks that follow: entries against the manifest, then the audit rows.
// An empty want is a pack that must still verify.
func TestVerifyTampering(t *testing.T) {
	key, other := testKey(t), testKey(t)
	rows, head := recordAudit(t, 4, "alice")
	meta := testMeta()
	meta.AuditHeadSeq, meta.AuditHeadHash = head.Seq, head.Hash
	pack := newPackInputs(rows).build(t, key, meta)
	foreign, _ := recordAudit(t, 4, "mallory") // another chain: each row sound, none linked to alice's

	keep := func(e []entry) []entry { return e }
	without := func(name string) func([]entry) []entry {
		return func(entries []entry) []entry {
			i := indexOf(t, entries, name)
			return append(append([]entry(nil), entries[:i]...), entries[i+1:]...)
		}
	}
	with := func(name, data string) func([]entry) []entry {
		return func(entries []entry) []entry { return append(entries, entry{name, []byte(data)}) }
	}
	manifest := func(fn func(*Manifest)) func([]entry) []entry {
		return func(entries []entry) []entry { return editManifest(t, entries, fn) }
	}
	flipByte := func(b []byte) []byte { b[10] ^= 1; return b }

	for _, tc := range []struct {
		name   string
		edit   func([]entry) []entry
		resign *Key
		want   string
		is     error
	}{
		{"a changed byte", withEntry(t, "notes.txt", flipByte), nil, "notes.txt: SHA-256 differs from the manifest", nil},
		{"a changed image byte", withEntry(t, "images/document.jpg", flipByte), nil, "images/document.jpg: SHA-256 differs from the manifest", nil},
		{"a longer file", withEntry(t, "notes.txt", func(b []byte) []byte { return append(b, '!') }), nil,
			"notes.txt: size 53, manifest says 52", nil},
		{"a file removed", without("customer.json"), nil, "customer.json: listed in the manifest but not in the pack", nil},
		{"a file added", with("extra.txt", "hello"), nil, "extra.txt: in the pack but not in the manifest", nil},
		{"a file added twice", with("notes.txt", "again"), nil, "notes.txt: in the pack twice", nil},
		{"an escaping entry", with("../evil.sh", "x"), nil, `"../evil.sh": unsafe name in the pack: contains ".."`, nil},
		{"an absolute entry", with("/etc/cron.d/x", "x"), nil, `"/etc/cron.d/x": unsafe name in the pack: absolute path`, nil},
		{"the reason edited, old signature", manifest(func(m *Manifest) { m.Reason = "routine" }), nil,
			"signature: does not verify with key " + Fingerprint(key.Public()), nil},
		{"a file changed and rehashed, old signature", func(e []entry) []entry {
			e = withEntry(t, "notes.txt", flipByte)(e)
			return manifest(func(m *Manifest) { rehash(m, e) })(e)
		}, nil, "signature: does not verify", nil},
		{"re-signed with another key", manifest(func(m *Manifest) { m.Reason = "routine" }), &other,
			"signature: does not verify with key " + Fingerprint(key.Public()), nil},
		{"signature removed", without(signatureName), nil, "manifest.sig: missing", nil},
		{"signature garbled", withEntry(t, signatureName, func([]byte) []byte { return []byte("not*base64!\n") }), nil,
			"manifest.sig: not base64", nil},
		{"signature truncated", withEntry(t, signatureName, func(b []byte) []byte { return b[:20] }), nil, "signature: does not verify", nil},
		{"manifest removed", without(manifestName), nil, "manifest.json: missing", nil},
		{"unknown format", manifest(func(m *Manifest) { m.Format = "hiveconsole-evidence-v9" }), &key,
			`manifest.json: unknown format "hiveconsole-evidence-v9"`, nil},
		{"a file listed twice", manifest(func(m *Manifest) { m.Files = append(m.Files, m.Files[0]) }), &key,
			"notes.txt: listed twice", nil},
		{"an unsafe name listed", manifest(func(m *Manifest) { m.Files[0].Name = "../notes.txt" }), &key,
			`manifest.json: file name "../notes.txt": contains ".."`, nil},
		{"audit details edited", withAuditRows(t, func(r []audit.Row) []audit.Row {
			r[1].DetailsJSON = `{"n":1,"note":"nothing to see"}`
			return r
		}), &key, "audit.json: row seq 2: ", audit.ErrRowHash},
		{"audit rows swapped", withAuditRows(t, func(r []audit.Row) []audit.Row {
			r[1], r[2] = r[2], r[1]
			return r
		}), &key, "audit.json: rows out of order at seq 2", nil},
		{"audit row repeated", withAuditRows(t, func(r []audit.Row) []audit.Row { return append(r[:2], r[1:]...) }), &key,
			"audit.json: rows out of order at seq 2", nil},
		{"audit prev_hash edited", withAuditRows(t, func(r []audit.Row) []audit.Row {
			r[2].PrevHash = r[0].Hash
			return r
		}), &key, "audit.json: row seq 3: ", audit.ErrRowHash},
		{"audit rows from another chain", withAuditRows(t, func(r []audit.Row) []audit.Row {
			return []audit.Row{r[0], foreign[1], foreign[2]}
		}), &key, "audit.json: rows 1 and 2: ", audit.ErrRowLink},
		{"audit head hash differs", manifest(func(m *Manifest) { m.AuditHeadHash = rows[0].Hash }), &key,
			"audit.json: row seq 4: hash differs from the audit head in the manifest", nil},
		{"audit.json not a list", withEntry(t, auditName, func([]byte) []byte { return []byte(`{"seq":1}`) }), &key,
			"audit.json: not a list of audit rows", nil},
		{"audit.json with an unhashed field", withEntry(t, auditName, func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"seq": 1,`), []byte(`"seq": 1, "approved": true,`), 1)
		}), &key, "audit.json: not a list of audit rows", nil},
		{"audit.json emptied", withEntry(t, auditName, func([]byte) []byte { return nil }), &key,
			"audit.json: not a list of audit rows", nil},
		{"unchanged but re-signed", keep, &key, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := verifyBytes(rewrite(t, pack, tc.edit, tc.resign), key)
			switch {
			case tc.want == "":
				if err != nil {
					t.Fatalf("Verify = %v, want nil", err)
				}
			case err == nil:
				t.Fatalf("Verify = nil, want an error starting %q", tc.want)
			case !strings.HasPrefix(err.Error(), tc.want):
				t.Errorf("Verify = %q, want it to start %q", err, tc.want)
			case tc.is != nil && !errors.Is(err, tc.is):
				t.Errorf("Verify = %v, want it to wrap %v", err, tc.is)
			}
		})
	}
}

// TestVerifyWithoutAudit: a pack without audit.json verifies with no rows checked.
func TestVerifyWithoutAudit(t *testing.T) {
	key := testKey(t)
	var buf bytes.Buffer
	p := NewPack(&buf, key, testMeta())
	if err := p.Add("notes.txt", strings.NewReader("note")); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	sum, err := verifyBytes(buf.Bytes(), key)
	if err != nil || sum.Files != 1 || sum.AuditRows != 0 {
		t.Errorf("Verify = %+v, %v; want 1 file, 0 rows", sum, err)
	}
}

// TestVerifyNotAPack: input that is no zip, or a key that is no Ed25519 key, is refused.
func TestVerifyNotAPack(t *testing.T) {
	key := testKey(t)
	junk := []byte("this is not a zip file")
	if _, err := verifyBytes(junk, key); err == nil || !strings.HasPrefix(err.Error(), "not a zip file") {
		t.Errorf("Verify(junk) = %v, want not a zip file", err)
	}
	pack := newPackInputs(nil).build(t, key, testMeta())
	if _, err := Verify(bytes.NewReader(pack), int64(len(pack)), key.Public()[:31]); err == nil ||
		!strings.HasPrefix(err.Error(), "public key: 31 bytes") {
		t.Errorf("Verify with a short key = %v, want public key: 31 bytes", err)
	}
}

// TestVerifyFile: a pack written to disk verifies from its path; a missing path is an error.
func TestVerifyFile(t *testing.T) {
	key := testKey(t)
	rows, _ := recordAudit(t, 2, "alice")
	path := filepath.Join(t.TempDir(), "evidence-chk_1.zip")
	if err := os.WriteFile(path, newPackInputs(rows).build(t, key, testMeta()), 0o600); err != nil {
		t.Fatal(err)
	}
	sum, err := VerifyFile(path, key.Public())
	if err != nil || sum.Files != 4 || sum.AuditRows != 2 {
		t.Errorf("VerifyFile = %+v, %v; want 4 files, 2 rows", sum, err)
	}
	if _, err := VerifyFile(path+".missing", key.Public()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("VerifyFile(missing) = %v, want ErrNotExist", err)
	}
}
