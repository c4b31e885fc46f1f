// Package audittest writes audit rows as the console wrote them before it cleaned their text, so tests
// can check that what prints the trail (the page, the CSV export, `hiveconsole audit list`) shows
// old rows safely.
package audittest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"github.com/hiveconsole/hiveconsole/auth"
)

// genesis is the previous hash of the first row.
const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// AppendRaw appends e to the trail exactly as given, no field cleaned or normalised and details the
// JSON text as given, sealed with a correct version-1 hash, so the chain still verifies. e.Time must
// be set; e.Details is ignored.
func AppendRaw(ctx context.Context, db auth.Store, e auth.AuditEvent, detailsJSON string) error {
	return db.AppendAudit(ctx, func(lastSeq int64, lastHash string) (auth.StoredAuditRecord, error) {
		e.Details = nil
		r := auth.StoredAuditRecord{AuditRecord: auth.AuditRecord{Seq: lastSeq + 1, AuditEvent: e, PrevHash: lastHash},
			DetailsJSON: detailsJSON, HashVersion: 1}
		if lastSeq == 0 {
			r.PrevHash = genesis
		}
		r.Hash = hashV1(r)
		return r, nil
	})
}

// hashV1 is the trail's documented version-1 seal, written out again here: hex SHA-256 of the previous
// hash, the tag "hiveconsole-audit-v1\n", and each field as its length in bytes, ":", the bytes, "\n".
func hashV1(r auth.StoredAuditRecord) string {
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
