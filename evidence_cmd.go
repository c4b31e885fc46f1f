package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/evidence"
)

const evidenceUsage = `usage: hiveconsole evidence <command> [flags]

commands:
  key                          print the public key that signs this console's evidence packs, and its fingerprint
  verify PACK.zip [--key KEY]  check a pack offline: the manifest's signature, every file's SHA-256 and size,
                               and the audit rows' hashes and links; KEY is the console's public key
                               (ed25519:…, as "key" prints it), this console's own key when left out

Both take --data-dir (default $HIVECONSOLE_DATA_DIR, else ./data), where a generated key lives;
HIVECONSOLE_EVIDENCE_KEY, when set, is the key instead. verify exits 1 naming the first thing that fails.`

// runEvidence is hiveconsole evidence key|verify.
func runEvidence(_ context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{evidenceUsage}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "-h", "-help", "--help", "help":
		_, err := fmt.Fprintln(stdout, evidenceUsage)
		return err
	case "key", "verify":
	default:
		return usageError{fmt.Sprintf("unknown evidence command %q\n\n%s", cmd, evidenceUsage)}
	}
	var pack string
	if cmd == "verify" && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		pack, rest = rest[0], rest[1:] // the pack before the flags, as the usage shows it
	}
	dataDir := defaultDataDir(getenv)
	fs := flag.NewFlagSet("hiveconsole evidence "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&dataDir, "data-dir", dataDir, "data directory holding a generated evidence key (env HIVECONSOLE_DATA_DIR)")
	var keyFlag string
	if cmd == "verify" {
		fs.StringVar(&keyFlag, "key", "", "the console's public key, ed25519:… (default: this console's own)")
	}
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err.Error()}
	}
	positional := fs.Args()
	if cmd == "verify" && pack == "" && len(positional) > 0 {
		pack, positional = positional[0], positional[1:] // the pack after the flags
	}
	switch {
	case len(positional) > 0:
		return usageError{fmt.Sprintf("unexpected argument %q\n\n%s", positional[0], evidenceUsage)}
	case cmd == "verify" && pack == "":
		return usageError{"hiveconsole evidence verify: name the pack, PACK.zip\n\n" + evidenceUsage}
	}
	if cmd == "key" {
		pub, err := consoleEvidenceKey(filepath.Clean(dataDir), getenv)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\nfingerprint %s\n", evidence.FormatPublicKey(pub), evidence.Fingerprint(pub))
		return err
	}
	var pub ed25519.PublicKey
	var err error
	if keyFlag != "" {
		if pub, err = evidence.ParsePublicKey(keyFlag); err != nil {
			return usageError{"--key: " + err.Error()}
		}
	} else if pub, err = consoleEvidenceKey(filepath.Clean(dataDir), getenv); err != nil {
		return fmt.Errorf("%w (or give the console's public key with --key)", err)
	}
	sum, err := evidence.VerifyFile(pack, pub)
	if err != nil {
		return fmt.Errorf("evidence pack does not verify: %w", err)
	}
	return printVerified(stdout, sum)
}

// consoleEvidenceKey is this console's public key: HIVECONSOLE_EVIDENCE_KEY's, or the one generated
// into the data directory. It never makes one: a mistyped --data-dir must not print a new key.
func consoleEvidenceKey(dataDir string, getenv func(string) string) (ed25519.PublicKey, error) {
	configured := getenv("HIVECONSOLE_EVIDENCE_KEY")
	if strings.TrimSpace(configured) == "" {
		if _, err := os.Stat(filepath.Join(dataDir, evidence.KeyFile)); err != nil {
			return nil, fmt.Errorf("no evidence key in %s: the console makes one when it first serves (or set HIVECONSOLE_EVIDENCE_KEY)", dataDir)
		}
	}
	k, err := evidence.LoadKey(dataDir, configured)
	if err != nil {
		return nil, err
	}
	return k.Public(), nil
}

// printVerified says what a verified pack holds and what was checked.
func printVerified(w io.Writer, s evidence.Summary) error {
	m := s.Manifest
	lines := []string{
		fmt.Sprintf("OK: the evidence pack for check %s verifies with the key whose fingerprint is %s.", m.CheckID, s.Fingerprint),
		fmt.Sprintf("  made %s by %s, reason: %s", m.CreatedAt.UTC().Format(time.DateTime+" MST"), orDash(esc(m.CreatedBy)), orDash(esc(m.Reason))),
		fmt.Sprintf("  %d files, each with the size and SHA-256 the signed manifest lists", s.Files),
		fmt.Sprintf("  %d audit rows, each matching its hash, consecutive ones linked", s.AuditRows),
	}
	if m.AuditHeadSeq > 0 {
		lines = append(lines, fmt.Sprintf("  the audit chain stood at row %d, hash %s: compare with hiveconsole audit verify on the console", m.AuditHeadSeq, m.AuditHeadHash))
	}
	_, err := fmt.Fprintln(w, strings.Join(lines, "\n"))
	return err
}
