package evidence

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
)

// packFormat names the layout of a pack; a new layout gets a new name, and Verify refuses names it
// does not know.
const packFormat = "hiveconsole-evidence-v1"

// Meta is what a pack says about itself, all of it in manifest.json.
type Meta struct {
	CheckID    string    `json:"check_id"`
	CustomerID string    `json:"customer_id,omitempty"`
	CreatedAt  time.Time `json:"created_at"` // UTC
	CreatedBy  string    `json:"created_by"` // the staff member's email
	Reason     string    `json:"reason"`     // why it was made, as typed
	Console    string    `json:"console"`    // the console's version
	BaseURL    string    `json:"base_url"`   // the console's public URL
	// AuditHead is where the whole audit chain stood when the pack was made: its newest seq and
	// hash. Noted outside the console, it shows later that no row up to it was changed or removed.
	AuditHeadSeq  int64  `json:"audit_head_seq,omitempty"`
	AuditHeadHash string `json:"audit_head_hash,omitempty"`
}

// Manifest is manifest.json.
type Manifest struct {
	Format string `json:"format"` // always "hiveconsole-evidence-v1"
	Meta
	// PublicKey is FormatPublicKey of the signing key. It is informational: a verifier checks the
	// signature with a key it already trusts, since whoever forged a pack would name their own key.
	PublicKey string `json:"public_key"`
	Files     []File `json:"files"` // in the order added
}

// File is one manifest entry.
type File struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"` // lowercase hex
}

// copyBufferSize is the one buffer a pack copies through.
const copyBufferSize = 32 << 10

// errClosed is Add after Close.
var errClosed = errors.New("evidence: the pack is closed")

// Pack writes a zip to w as files are added: it holds the current copy buffer and the list of
// files, never a file's content. Build it with NewPack and finish it with Close; it is not safe
// for concurrent use.
type Pack struct {
	zw     *zip.Writer
	key    Key
	meta   Meta
	files  []File
	names  map[string]bool
	buf    []byte
	err    error // the first error; every later call returns it
	closed bool
}

// NewPack starts a pack on w, to be signed with key. meta.CreatedAt is kept in UTC, and every
// entry carries it as its modification time, so the same content gives the same bytes.
func NewPack(w io.Writer, key Key, meta Meta) *Pack {
	meta.CreatedAt = meta.CreatedAt.UTC()
	return &Pack{zw: zip.NewWriter(w), key: key, meta: meta, files: []File{}, names: map[string]bool{},
		buf: make([]byte, copyBufferSize)}
}

// Add streams r into the pack as name, hashing and counting as it copies. name is a relative slash
// path (see checkName); Add refuses it when already added or reserved (manifest.json,
// manifest.sig). Images and PDFs (.jpg, .jpeg, .png, .webp, .gif, .pdf, in any case), compressed
// already, are stored as they are; everything else is deflated.
//
// Any error is final: a pack missing a file it was meant to hold must not be signed, so every
// later Add, and Close, return the first error.
func (p *Pack) Add(name string, r io.Reader) error {
	if p.err != nil {
		return p.err
	}
	if p.closed {
		return errClosed
	}
	if err := p.add(name, r); err != nil {
		p.err = err
		return err
	}
	return nil
}

// AddJSON adds v as indented JSON (two spaces, a trailing newline); its errors are final as Add's.
func (p *Pack) AddJSON(name string, v any) error {
	if p.err != nil {
		return p.err
	}
	b, err := indentedJSON(v)
	if err != nil {
		p.err = fmt.Errorf("evidence: %q: %w", name, err)
		return p.err
	}
	return p.Add(name, bytes.NewReader(b))
}

// Close writes manifest.json and manifest.sig and closes the zip (not the writer under it). After
// an error from Add it writes nothing more and returns that error: the partial zip has no
// manifest, so it cannot pass Verify.
func (p *Pack) Close() error {
	if p.closed {
		return p.err
	}
	p.closed = true
	if p.err == nil {
		p.err = p.finish()
	}
	return p.err
}

// add is Add without the bookkeeping of the first error.
func (p *Pack) add(name string, r io.Reader) error {
	if err := checkName(name); err != nil {
		return fmt.Errorf("evidence: file name %q: %w", name, err)
	}
	if reservedName(name) {
		return fmt.Errorf("evidence: file name %q is reserved for the pack's own manifest", name)
	}
	if p.names[name] {
		return fmt.Errorf("evidence: file name %q: added twice", name)
	}
	w, err := p.create(name, compression(name))
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.CopyBuffer(io.MultiWriter(w, h), r, p.buf)
	if err != nil {
		return fmt.Errorf("evidence: adding %q: %w", name, err)
	}
	p.names[name] = true
	p.files = append(p.files, File{Name: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))})
	return nil
}

// create starts an entry stamped with the pack's creation time.
func (p *Pack) create(name string, method uint16) (io.Writer, error) {
	w, err := p.zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: p.meta.CreatedAt})
	if err != nil {
		return nil, fmt.Errorf("evidence: adding %q: %w", name, err)
	}
	return w, nil
}

// finish writes the manifest and its signature, then the zip's central directory.
func (p *Pack) finish() error {
	if !p.key.usable() {
		return errors.New("evidence: the pack has no signing key")
	}
	manifest, err := indentedJSON(Manifest{Format: packFormat, Meta: p.meta, PublicKey: FormatPublicKey(p.key.Public()), Files: p.files})
	if err != nil {
		return fmt.Errorf("evidence: %s: %w", manifestName, err)
	}
	sig := base64.StdEncoding.EncodeToString(p.key.Sign(manifest)) + "\n"
	if err := p.write(manifestName, zip.Deflate, manifest); err != nil {
		return err
	}
	if err := p.write(signatureName, zip.Store, []byte(sig)); err != nil {
		return err
	}
	if err := p.zw.Close(); err != nil {
		return fmt.Errorf("evidence: finishing the zip: %w", err)
	}
	return nil
}

// write adds one of the pack's own entries.
func (p *Pack) write(name string, method uint16, b []byte) error {
	w, err := p.create(name, method)
	if err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("evidence: adding %q: %w", name, err)
	}
	return nil
}

// storedExtensions are formats compressed already, which deflate would only slow down.
var storedExtensions = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".webp": true, ".gif": true, ".pdf": true}

// compression is how an entry named name is written: stored for images and PDFs, deflated
// otherwise.
func compression(name string) uint16 {
	if storedExtensions[strings.ToLower(path.Ext(name))] {
		return zip.Store
	}
	return zip.Deflate
}

// indentedJSON encodes v indented by two spaces with a trailing newline, leaving <, > and & as
// they are so that people reading the file see what was typed.
func indentedJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
