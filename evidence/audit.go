package evidence

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/hiveconsole/hiveconsole/audit"
)

// checkAuditRows decodes audit.json and checks its rows in order (see Verify), returning how many
// it checked. A field no row hash covers is refused rather than ignored: whoever holds the signing
// key could otherwise add one, and a reader would take it for part of the sealed row.
func checkAuditRows(b []byte, meta Meta) (int, error) {
	rows, err := decodeAuditRows(b)
	if err != nil {
		return 0, fmt.Errorf("%s: not a list of audit rows: %w", auditName, err)
	}
	for i, row := range rows {
		if i > 0 && row.Seq <= rows[i-1].Seq {
			return 0, fmt.Errorf("%s: rows out of order at seq %d", auditName, row.Seq)
		}
		if err := row.Check(); err != nil {
			return 0, fmt.Errorf("%s: row seq %d: %w", auditName, row.Seq, err)
		}
		if i > 0 {
			if err := audit.CheckLink(rows[i-1], row); err != nil {
				return 0, fmt.Errorf("%s: rows %d and %d: %w", auditName, rows[i-1].Seq, row.Seq, err)
			}
		}
		if row.Seq == meta.AuditHeadSeq && row.Hash != meta.AuditHeadHash {
			return 0, fmt.Errorf("%s: row seq %d: hash differs from the audit head in the manifest", auditName, row.Seq)
		}
	}
	return len(rows), nil
}

// decodeAuditRows reads exactly one JSON list of rows with no unknown fields.
func decodeAuditRows(b []byte) ([]audit.Row, error) {
	if t := bytes.TrimLeft(b, " \t\r\n"); len(t) == 0 || t[0] != '[' {
		return nil, errors.New("not a JSON list")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var rows []audit.Row
	if err := dec.Decode(&rows); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the list")
	}
	return rows, nil
}
