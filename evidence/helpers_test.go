package evidence

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
)

// testTime is when test packs are made.
var testTime = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// testKey is a fresh configured signing key.
func testKey(t testing.TB) Key {
	t.Helper()
	key, err := LoadKey(t.TempDir(), NewKeySeed())
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// testMeta is what test packs say about themselves.
func testMeta() Meta {
	return Meta{CheckID: "chk_1", CustomerID: "cus_1", CreatedAt: testTime, CreatedBy: "officer@example.com",
		Reason: "Regulator request <REF-42> & follow-up", Console: "v1.2.3", BaseURL: "https://console.example.com"}
}

// recordAudit records n events about check chk_1 by actor in a fresh SQLite database and returns
// the rows about the check and the trail's head.
func recordAudit(t *testing.T, n int, actor string) (rows []audit.Row, head audit.Row) {
	t.Helper()
	trail := audit.New(dbtest.SQLite(t), nil)
	ctx := t.Context()
	for i := range n {
		e := audit.Event{ActorID: "u_" + actor, ActorEmail: actor + "@example.com", Action: "report.view",
			TargetType: "check", TargetID: "chk_1", Outcome: audit.OutcomeSuccess, Details: map[string]any{"n": i, "note": "<b>"}}
		if err := trail.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	err := trail.RowsAbout(ctx, []audit.Target{{Type: "check", ID: "chk_1"}}, func(r audit.Row) error {
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	head, ok, err := trail.Head(ctx)
	if err != nil || !ok {
		t.Fatalf("Head: %v %v", ok, err)
	}
	return rows, head
}

// customerRecord is a stand-in for the customer record a pack holds.
type customerRecord struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// packInputs are the files of the standard test pack, in the order added.
type packInputs struct {
	notes    []byte
	jpeg     []byte
	customer customerRecord
	rows     []audit.Row
}

func newPackInputs(rows []audit.Row) packInputs {
	return packInputs{
		notes:    []byte("Reviewer note: document looks genuine.\nSecond line.\n"),
		jpeg:     append([]byte{0xff, 0xd8, 0xff, 0xe0}, bytes.Repeat([]byte("fake jpeg "), 500)...),
		customer: customerRecord{ID: "cus_1", Name: "Zoë Example", Email: "zoe@example.com"},
		rows:     rows,
	}
}

// build writes the standard test pack with key and meta.
func (in packInputs) build(t testing.TB, key Key, meta Meta) []byte {
	t.Helper()
	var buf bytes.Buffer
	p := NewPack(&buf, key, meta)
	for _, err := range []error{
		p.Add("notes.txt", bytes.NewReader(in.notes)),
		p.Add("images/document.jpg", bytes.NewReader(in.jpeg)),
		p.AddJSON("customer.json", in.customer),
		p.AddJSON("audit.json", in.rows),
		p.Close(),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// entry is one file of a zip, read whole: test packs are small.
type entry struct {
	Name string
	Data []byte
}

// readEntries reads every entry of a zip, in order.
func readEntries(t testing.TB, pack []byte) []entry {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pack), int64(len(pack)))
	if err != nil {
		t.Fatal(err)
	}
	var entries []entry
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, entry{f.Name, b})
	}
	return entries
}

// writeEntries writes entries as a zip, names as given.
func writeEntries(t testing.TB, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.Name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rewrite returns pack with its entries changed by edit. With resignWith, the manifest is then
// brought up to date (each listed file's size and hash from the edited entries) and signed again
// with that key, so that only checks beyond the manifest can catch the edit.
func rewrite(t testing.TB, pack []byte, edit func([]entry) []entry, resignWith *Key) []byte {
	t.Helper()
	entries := edit(readEntries(t, pack))
	if resignWith != nil {
		entries = editManifest(t, entries, func(m *Manifest) { rehash(m, entries) })
		entries = resign(t, entries, *resignWith)
	}
	return writeEntries(t, entries)
}

// editManifest returns entries with manifest.json decoded, changed by fn and encoded again; its
// signature is left as it was.
func editManifest(t testing.TB, entries []entry, fn func(*Manifest)) []entry {
	t.Helper()
	i := indexOf(t, entries, manifestName)
	var m Manifest
	if err := json.Unmarshal(entries[i].Data, &m); err != nil {
		t.Fatal(err)
	}
	fn(&m)
	b, err := indentedJSON(m)
	if err != nil {
		t.Fatal(err)
	}
	out := append([]entry(nil), entries...)
	out[i] = entry{manifestName, b}
	return out
}

// resign returns entries with manifest.sig replaced by key's signature over manifest.json.
func resign(t testing.TB, entries []entry, key Key) []entry {
	t.Helper()
	m := entries[indexOf(t, entries, manifestName)].Data
	out := append([]entry(nil), entries...)
	out[indexOf(t, out, signatureName)] = entry{signatureName, []byte(base64.StdEncoding.EncodeToString(key.Sign(m)) + "\n")}
	return out
}

// rehash sets each listed file's size and hash from the entry of that name, when there is one.
func rehash(m *Manifest, entries []entry) {
	for i, f := range m.Files {
		for _, e := range entries {
			if e.Name == f.Name {
				m.Files[i].Size = int64(len(e.Data))
				m.Files[i].SHA256 = sha256Hex(e.Data)
			}
		}
	}
}

// indexOf is the position of the entry called name.
func indexOf(t testing.TB, entries []entry, name string) int {
	t.Helper()
	for i, e := range entries {
		if e.Name == name {
			return i
		}
	}
	t.Fatalf("no entry %s", name)
	return -1
}

// withEntry returns an edit that replaces the data of the entry called name by fn's result.
func withEntry(t testing.TB, name string, fn func([]byte) []byte) func([]entry) []entry {
	return func(entries []entry) []entry {
		out := append([]entry(nil), entries...)
		i := indexOf(t, out, name)
		out[i].Data = fn(bytes.Clone(out[i].Data))
		return out
	}
}

// withAuditRows returns an edit that decodes audit.json, changes the rows with fn and encodes
// them again.
func withAuditRows(t testing.TB, fn func([]audit.Row) []audit.Row) func([]entry) []entry {
	return withEntry(t, auditName, func(b []byte) []byte {
		var rows []audit.Row
		if err := json.Unmarshal(b, &rows); err != nil {
			t.Fatal(err)
		}
		out, err := indentedJSON(fn(rows))
		if err != nil {
			t.Fatal(err)
		}
		return out
	})
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// verifyBytes verifies an in-memory pack.
func verifyBytes(pack []byte, key Key) (Summary, error) {
	return Verify(bytes.NewReader(pack), int64(len(pack)), key.Public())
}
