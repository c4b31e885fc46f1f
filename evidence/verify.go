package evidence

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// Limits on the entries Verify reads whole before it can trust them.
const (
	maxManifestSize  = 16 << 20
	maxSignatureSize = 1 << 10
)

// Summary is what a verified pack holds.
type Summary struct {
	Manifest    Manifest
	Fingerprint string // of the key that verified it
	Files       int    // files checked (manifest entries)
	AuditRows   int    // audit rows checked
}

// Verify checks a pack against pub, a key the verifier trusts, and returns the first problem as an
// error whose text starts with what it is about ("manifest.sig: missing", "report.json: SHA-256
// differs from the manifest", "audit.json: row seq 12: …"); row errors wrap audit.ErrRowHash and
// audit.ErrRowLink.
//
// It trusts nothing in the pack before the signature, so it checks in this order:
//
//  1. manifest.sig over the exact bytes of manifest.json, then the manifest's format and names;
//  2. every entry against the manifest: a name that stays inside the pack, present once, listed,
//     with the listed size and SHA-256 (streamed: only audit.json is held, to be decoded); then
//     every listed file present;
//  3. when the manifest lists audit.json, its rows: a JSON list of audit rows with no field their
//     hashes do not cover, sequence numbers strictly increasing, each row matching its own hash,
//     each row carrying the previous row's hash when their sequence numbers follow each other, and
//     a row at the manifest's audit head carrying the head's hash.
func Verify(r io.ReaderAt, size int64, pub ed25519.PublicKey) (Summary, error) {
	if len(pub) != ed25519.PublicKeySize {
		return Summary{}, fmt.Errorf("public key: %d bytes; an Ed25519 public key has %d", len(pub), ed25519.PublicKeySize)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // checkEntries names an unsafe entry itself
		return Summary{}, fmt.Errorf("not a zip file: %w", err)
	}
	m, err := readManifest(zr, pub)
	if err != nil {
		return Summary{}, err
	}
	auditJSON, err := checkEntries(zr, m)
	if err != nil {
		return Summary{}, err
	}
	rows := 0
	if lists(m, auditName) {
		if rows, err = checkAuditRows(auditJSON, m.Meta); err != nil {
			return Summary{}, err
		}
	}
	return Summary{Manifest: m, Fingerprint: Fingerprint(pub), Files: len(m.Files), AuditRows: rows}, nil
}

// VerifyFile opens the pack at path and verifies it (see Verify).
func VerifyFile(path string, pub ed25519.PublicKey) (Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return Summary{}, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return Summary{}, err
	}
	return Verify(f, info.Size(), pub)
}

// readManifest returns the manifest once its signature verifies with pub and its names are sound.
func readManifest(zr *zip.Reader, pub ed25519.PublicKey) (Manifest, error) {
	raw, err := readSmallEntry(zr, manifestName, maxManifestSize)
	if err != nil {
		return Manifest{}, err
	}
	sigText, err := readSmallEntry(zr, signatureName, maxSignatureSize)
	if err != nil {
		return Manifest{}, err
	}
	sig, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(sigText)))
	if err != nil {
		return Manifest{}, fmt.Errorf("%s: not base64", signatureName)
	}
	if !ed25519.Verify(pub, raw, sig) {
		return Manifest{}, fmt.Errorf("signature: does not verify with key %s", Fingerprint(pub))
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return Manifest{}, fmt.Errorf("%s: not valid JSON: %w", manifestName, err)
	}
	if m.Format != packFormat {
		return Manifest{}, fmt.Errorf("%s: unknown format %q", manifestName, m.Format)
	}
	return m, checkManifestNames(m)
}

// checkManifestNames refuses a manifest entry that could not be a pack's file: an unsafe name, a
// reserved one, or one listed twice.
func checkManifestNames(m Manifest) error {
	listed := make(map[string]bool, len(m.Files))
	for _, f := range m.Files {
		if err := checkName(f.Name); err != nil {
			return fmt.Errorf("%s: file name %q: %w", manifestName, f.Name, err)
		}
		if reservedName(f.Name) {
			return fmt.Errorf("%s: lists its own entry %s", manifestName, f.Name)
		}
		if listed[f.Name] {
			return fmt.Errorf("%s: listed twice", f.Name)
		}
		listed[f.Name] = true
	}
	return nil
}

// readSmallEntry reads the one entry called name, refusing one over limit bytes: it is read whole
// before anything vouches for it.
func readSmallEntry(zr *zip.Reader, name string, limit int64) ([]byte, error) {
	var found *zip.File
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		if found != nil {
			return nil, fmt.Errorf("%s: in the pack twice", name)
		}
		found = f
	}
	if found == nil {
		return nil, fmt.Errorf("%s: missing", name)
	}
	if found.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("%s: over %d bytes", name, limit)
	}
	rc, err := found.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b, nil
}

// checkEntries checks every entry of the pack against the manifest, in the pack's order, then
// that every listed file is there. It returns audit.json's bytes as they were hashed, so that the
// rows decoded are the rows the signature vouches for.
func checkEntries(zr *zip.Reader, m Manifest) (auditJSON []byte, err error) {
	listed := make(map[string]File, len(m.Files))
	for _, f := range m.Files {
		listed[f.Name] = f
	}
	seen := make(map[string]bool, len(zr.File))
	buf := make([]byte, copyBufferSize)
	for _, zf := range zr.File {
		if err := checkName(zf.Name); err != nil {
			return nil, fmt.Errorf("%q: unsafe name in the pack: %w", zf.Name, err)
		}
		if seen[zf.Name] {
			return nil, fmt.Errorf("%s: in the pack twice", zf.Name)
		}
		seen[zf.Name] = true
		if reservedName(zf.Name) {
			continue
		}
		want, ok := listed[zf.Name]
		if !ok {
			return nil, fmt.Errorf("%s: in the pack but not in the manifest", zf.Name)
		}
		var keep *bytes.Buffer
		if zf.Name == auditName {
			keep = new(bytes.Buffer)
		}
		if err := checkEntry(zf, want, buf, keep); err != nil {
			return nil, err
		}
		if keep != nil {
			auditJSON = keep.Bytes()
		}
	}
	for _, f := range m.Files {
		if !seen[f.Name] {
			return nil, fmt.Errorf("%s: listed in the manifest but not in the pack", f.Name)
		}
	}
	return auditJSON, nil
}

// checkEntry streams one entry through SHA-256 and compares its size and hash with want's; keep,
// when not nil, receives the bytes as they pass.
func checkEntry(zf *zip.File, want File, buf []byte, keep *bytes.Buffer) error {
	// The zip reader stops at the size the zip declares, so a size that differs from the manifest's
	// is refused before anything is read.
	if zf.UncompressedSize64 != uint64(want.Size) {
		return fmt.Errorf("%s: size %d, manifest says %d", zf.Name, zf.UncompressedSize64, want.Size)
	}
	rc, err := zf.Open()
	if err != nil {
		return fmt.Errorf("%s: %w", zf.Name, err)
	}
	defer rc.Close()
	h := sha256.New()
	var w io.Writer = h
	if keep != nil {
		w = io.MultiWriter(h, keep)
	}
	n, err := io.CopyBuffer(w, rc, buf)
	if err != nil {
		return fmt.Errorf("%s: %w", zf.Name, err)
	}
	if n != want.Size {
		return fmt.Errorf("%s: size %d, manifest says %d", zf.Name, n, want.Size)
	}
	if hex.EncodeToString(h.Sum(nil)) != want.SHA256 {
		return fmt.Errorf("%s: SHA-256 differs from the manifest", zf.Name)
	}
	return nil
}

// lists reports whether the manifest lists a file called name.
func lists(m Manifest, name string) bool {
	for _, f := range m.Files {
		if f.Name == name {
			return true
		}
	}
	return false
}
