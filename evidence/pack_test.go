package evidence

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// TestPackRoundTrip: a pack of a text file, an image, a JSON record and real audit rows verifies
// with the signer's public key; the summary counts every file and row; the manifest lists each
// file in the order added with the size and SHA-256 of exactly the bytes given; manifest.sig is
// the signature over manifest.json's exact bytes.
func TestPackRoundTrip(t *testing.T) {
	key := testKey(t)
	rows, head := recordAudit(t, 4, "alice")
	meta := testMeta()
	meta.AuditHeadSeq, meta.AuditHeadHash = head.Seq, head.Hash
	in := newPackInputs(rows)
	pack := in.build(t, key, meta)

	sum, err := verifyBytes(pack, key)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if sum.Files != 4 || sum.AuditRows != 4 {
		t.Errorf("Files, AuditRows = %d, %d; want 4, 4", sum.Files, sum.AuditRows)
	}
	if sum.Fingerprint != Fingerprint(key.Public()) {
		t.Errorf("Fingerprint = %s, want %s", sum.Fingerprint, Fingerprint(key.Public()))
	}
	if got := sum.Manifest; got.Format != "hiveconsole-evidence-v1" || got.PublicKey != FormatPublicKey(key.Public()) ||
		!reflect.DeepEqual(got.Meta, meta) {
		t.Errorf("manifest = %+v; want the v1 format, the signer's key and meta %+v", got, meta)
	}

	customerJSON, rowsJSON := jsonAsTyped(t, in.customer), jsonAsTyped(t, in.rows)
	want := []File{
		{"notes.txt", int64(len(in.notes)), sha256Hex(in.notes)},
		{"images/document.jpg", int64(len(in.jpeg)), sha256Hex(in.jpeg)},
		{"customer.json", int64(len(customerJSON)), sha256Hex(customerJSON)},
		{"audit.json", int64(len(rowsJSON)), sha256Hex(rowsJSON)},
	}
	if !reflect.DeepEqual(sum.Manifest.Files, want) {
		t.Errorf("manifest files = %+v\nwant %+v", sum.Manifest.Files, want)
	}

	entries := readEntries(t, pack)
	if got := entries[indexOf(t, entries, auditName)].Data; !bytes.Equal(got, rowsJSON) {
		t.Errorf("audit.json =\n%s\nwant\n%s", got, rowsJSON)
	}

	manifest := entries[indexOf(t, entries, manifestName)].Data
	sigText := string(entries[indexOf(t, entries, signatureName)].Data)
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(sigText, "\n"))
	if err != nil || !strings.HasSuffix(sigText, "\n") || !ed25519.Verify(key.Public(), manifest, sig) {
		t.Errorf("manifest.sig %q is not base64 and a newline of a signature over manifest.json (%v)", sigText, err)
	}
	if !bytes.HasPrefix(manifest, []byte("{\n  \"format\": ")) || !bytes.HasSuffix(manifest, []byte("}\n")) ||
		!bytes.Contains(manifest, []byte(`"reason": "Regulator request <REF-42> & follow-up"`)) {
		t.Errorf("manifest.json is not indented JSON with the reason as typed:\n%s", manifest)
	}
}

// jsonAsTyped is v as AddJSON should write it: indented by two spaces, a trailing newline, and
// <, > and & left as they are.
func jsonAsTyped(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestPackEntries: images and PDFs are stored, other files deflated, and every entry, the
// manifest's included, carries the pack's creation time in UTC.
func TestPackEntries(t *testing.T) {
	var buf bytes.Buffer
	meta := testMeta()
	meta.CreatedAt = testTime.In(time.FixedZone("CET", 3600))
	p := NewPack(&buf, testKey(t), meta)
	names := map[string]uint16{
		"a.jpg": zip.Store, "b.JPEG": zip.Store, "c.png": zip.Store, "d.webp": zip.Store, "e.gif": zip.Store,
		"f.pdf": zip.Store, "g.txt": zip.Deflate, "h.json": zip.Deflate, "jpg": zip.Deflate,
	}
	for name := range names {
		if err := p.Add(name, strings.NewReader("content of "+name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	names[manifestName], names[signatureName] = zip.Deflate, zip.Store
	for _, f := range zr.File {
		if want, ok := names[f.Name]; !ok || f.Method != want {
			t.Errorf("%s: method %d, want %d", f.Name, f.Method, want)
		}
		if !f.Modified.Equal(testTime) {
			t.Errorf("%s: modified %v, want %v", f.Name, f.Modified, testTime)
		}
	}
	if len(zr.File) != len(names) {
		t.Errorf("%d entries, want %d", len(zr.File), len(names))
	}
	sum, err := Verify(bytes.NewReader(buf.Bytes()), int64(buf.Len()), p.key.Public())
	if err != nil || sum.Manifest.CreatedAt.Location() != testTime.Location() {
		t.Errorf("Verify: %v; created_at %v, want UTC", err, sum.Manifest.CreatedAt)
	}
}

// TestPackDeterministic: the same files, meta and key give the same bytes.
func TestPackDeterministic(t *testing.T) {
	key := testKey(t)
	rows, _ := recordAudit(t, 3, "alice")
	in := newPackInputs(rows)
	first, second := in.build(t, key, testMeta()), in.build(t, key, testMeta())
	if !bytes.Equal(first, second) {
		t.Error("two packs of the same inputs differ")
	}
}

// TestAddRefusesNames: a name that could land outside the folder a pack is unpacked in, or is not
// a plain relative path, or is taken (by an earlier file or the manifest), is refused; the error
// is final, and Close returns it without writing a manifest.
func TestAddRefusesNames(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"", "empty name"},
		{"/etc/passwd", "absolute path"},
		{"C:/Windows/x.txt", "absolute path"},
		{"../x.txt", `contains ".."`},
		{"a/../../x.txt", `contains ".."`},
		{"..", `contains ".."`},
		{`a\b.txt`, "backslash"},
		{"./a.txt", "not a clean relative path"},
		{"a//b.txt", "not a clean relative path"},
		{"dir/", "not a clean relative path"},
		{"a\x00b", "not printable"},
		{"a\nb", "not printable"},
		{"manifest.json", "reserved"},
		{"manifest.sig", "reserved"},
		{"notes.txt", "added twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			p := NewPack(&buf, testKey(t), testMeta())
			if err := p.Add("notes.txt", strings.NewReader("first")); err != nil {
				t.Fatal(err)
			}
			err := p.Add(tc.name, strings.NewReader("second"))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Add(%q) = %v, want an error saying %q", tc.name, err, tc.want)
			}
			if later := p.Add("later.txt", strings.NewReader("x")); later != err {
				t.Errorf("Add after a failed Add = %v, want the first error %v", later, err)
			}
			if cerr := p.Close(); cerr != err {
				t.Errorf("Close = %v, want the first error %v", cerr, err)
			}
			if _, verr := Verify(bytes.NewReader(buf.Bytes()), int64(buf.Len()), p.key.Public()); verr == nil {
				t.Error("a pack whose Add failed verifies")
			}
		})
	}
}

// TestAddReaderError: a file that cannot be read fails Add, and Close returns that error.
func TestAddReaderError(t *testing.T) {
	boom := errors.New("storage unavailable")
	p := NewPack(io.Discard, testKey(t), testMeta())
	r := io.MultiReader(strings.NewReader("half a file"), iotest.ErrReader(boom))
	if err := p.Add("selfie.jpg", r); !errors.Is(err, boom) {
		t.Fatalf("Add = %v, want it to wrap %v", err, boom)
	}
	if err := p.Close(); !errors.Is(err, boom) {
		t.Errorf("Close = %v, want it to wrap %v", err, boom)
	}
}

// TestAddJSONError: a value that is not JSON fails AddJSON, and Close returns that error.
func TestAddJSONError(t *testing.T) {
	p := NewPack(io.Discard, testKey(t), testMeta())
	err := p.AddJSON("bad.json", map[string]any{"f": func() {}})
	if err == nil {
		t.Fatal("AddJSON of a func succeeded")
	}
	if cerr := p.Close(); cerr != err {
		t.Errorf("Close = %v, want %v", cerr, err)
	}
}

// TestPackClosed: nothing is added after Close, and Close again returns the same result.
func TestPackClosed(t *testing.T) {
	p := NewPack(io.Discard, testKey(t), testMeta())
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Add("late.txt", strings.NewReader("x")); !errors.Is(err, errClosed) {
		t.Errorf("Add after Close = %v, want %v", err, errClosed)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
}

// TestPackWithoutKey: a pack with the zero Key is never signed.
func TestPackWithoutKey(t *testing.T) {
	p := NewPack(io.Discard, Key{}, testMeta())
	if err := p.Close(); err == nil || !strings.Contains(err.Error(), "no signing key") {
		t.Errorf("Close = %v, want an error saying there is no signing key", err)
	}
}

// TestPackWriteError: a writer that fails fails the pack.
func TestPackWriteError(t *testing.T) {
	p := NewPack(failingWriter{}, testKey(t), testMeta())
	err := p.Add("notes.txt", strings.NewReader(strings.Repeat("x", 1<<20)))
	if err == nil {
		err = p.Close()
	}
	if !errors.Is(err, errDiskFull) {
		t.Errorf("got %v, want it to wrap %v", err, errDiskFull)
	}
}

var errDiskFull = errors.New("disk full")

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }
