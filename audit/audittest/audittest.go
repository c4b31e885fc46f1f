// Package audittest writes audit rows as the console wrote them before it cleaned their text, so tests
// can check that what prints the trail (the page, the CSV export, `hiveconsole audit list`) shows
// old rows safely.
package audittest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"strconv"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/database"
)

// genesis is the previous hash of the first row.
const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// AppendRaw appends e to the trail exactly as given, no field cleaned or normalised and details the
// JSON text as given, sealed with a correct version-1 hash, so the chain still verifies. e.Time must
// be set; e.Details is ignored. It writes the row with SQL of its own, as something other than the
// console could.
func AppendRaw(ctx context.Context, db *database.DB, e audit.Event, detailsJSON string) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		if err := db.LockAppends(ctx, tx, "audit_events"); err != nil {
			return err
		}
		var (
			lastSeq  int64
			lastHash string
		)
		err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1`).Scan(&lastSeq, &lastHash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		e.Details = nil
		r := audit.StoredEntry{Entry: audit.Entry{Seq: lastSeq + 1, Event: e, PrevHash: lastHash},
			DetailsJSON: detailsJSON, HashVersion: 1}
		if lastSeq == 0 {
			r.PrevHash = genesis
		}
		r.Hash = hashV1(r)
		_, err = tx.ExecContext(ctx, db.Q(`INSERT INTO audit_events (seq, at_ns, actor_id, actor_email, role, action,
			target_type, target_id, client_ip, request_id, outcome, details, hash_version, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			r.Seq, r.Time.UnixNano(), r.ActorID, r.ActorEmail, string(r.Role), r.Action, r.TargetType, r.TargetID,
			r.ClientIP, r.RequestID, r.Outcome, r.DetailsJSON, r.HashVersion, r.PrevHash, r.Hash)
		return err
	})
}

// hashV1 is the trail's documented version-1 seal, written out again here: hex SHA-256 of the previous
// hash, the tag "hiveconsole-audit-v1\n", and each field as its length in bytes, ":", the bytes, "\n".
func hashV1(r audit.StoredEntry) string {
	var b bytes.Buffer
	b.WriteString(r.PrevHash)
	b.WriteString("hiveconsole-audit-v1\n")
	for _, f := range []string{
		strconv.FormatInt(r.Seq, 10), strconv.FormatInt(r.Time.UnixNano(), 10),
		r.ActorID, r.ActorEmail, string(r.Role), r.Action, r.TargetType, r.TargetID,
		r.ClientIP, r.RequestID, r.Outcome, r.DetailsJSON,
	} {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
		b.WriteByte('\n')
	}
	sum := sha256.Sum256(b.Bytes())
	return hex.EncodeToString(sum[:])
}
