// Package evidence builds and checks evidence packs: one zip per identity check that a compliance
// team downloads and a regulator verifies offline with the console's public key.
//
// A pack holds the check's files (report, images, customer record, review decisions, notes, and
// audit.json: the audit rows about the check, each with the hashes that seal it), then two entries
// written last:
//
//   - manifest.json: the format ("hiveconsole-evidence-v1"), what the pack says about itself (Meta),
//     the signer's public key, and every other file in the order added, with its size and SHA-256;
//   - manifest.sig: the Ed25519 signature over manifest.json's exact bytes, in standard base64 and a
//     newline.
//
// Verify trusts nothing in a pack before the signature: it first checks manifest.sig over
// manifest.json with a key the verifier trusts (never the key the manifest names), then every
// entry against the manifest (nothing missing, nothing extra, each size and SHA-256 equal), and
// last the audit rows in audit.json (increasing sequence numbers, each row's own hash, and the
// link between rows whose sequence numbers follow each other). It reports the first problem.
//
// Packs are written as a stream: Pack holds only the current copy buffer and the list of files,
// so images of any size can go straight from storage to the response.
package evidence
