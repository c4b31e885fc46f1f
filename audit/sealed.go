package audit

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	"github.com/hiveconsole/hiveconsole/database"
)

// Personal data in the trail (a customer's old and new email in an update's diff, say) is sealed
// before its row is written: AES-256-GCM under a key of its own data subject, kept in audit_keys,
// with the subject as additional data. The row's details carry
//
//	"sealed": {"subject": "customer:cus_…", "data": "<base64 of nonce and ciphertext>"}
//
// and its hash covers those bytes. Reading the trail opens them while the key exists and merges
// the personal values back into the details. Shred destroys the key: the values are then unreadable
// for good, the rows still say who did what to which id and when, and every hash still verifies.
// A subject shredded already gets no key again; its later rows keep no personal data at all.

// sealedKey is the details key under which a row's personal data is sealed.
const sealedKey = "sealed"

// ErasedKey is the details key a read row carries instead of personal data whose key was shredded.
const ErasedKey = "personal_data"

// erasedNote is ErasedKey's value.
const erasedNote = "erased"

// CustomerSubject names a customer as a data subject.
func CustomerSubject(customerID string) string { return "customer:" + customerID }

// seal returns the details value that carries personal sealed for subject: the ciphertext under
// the subject's key (made now when it has none), or only the subject when its key was shredded.
func (t *Trail) seal(ctx context.Context, subject string, personal map[string]any) (map[string]any, error) {
	if subject == "" || len(subject) > 200 {
		return nil, fmt.Errorf("%w: personal data needs its subject", ErrInvalidEvent)
	}
	plain, err := auditDetailsJSON(personal)
	if err != nil {
		return nil, fmt.Errorf("%w: personal data: %v", ErrInvalidEvent, err)
	}
	if len(plain) > MaxDetails {
		return nil, fmt.Errorf("%w: personal data is %d bytes of JSON; at most %d", ErrInvalidEvent, len(plain), MaxDetails)
	}
	key, err := t.subjectKey(ctx, subject)
	if err != nil {
		return nil, err
	}
	if key == nil {
		return map[string]any{"subject": subject, ErasedKey: erasedNote}, nil
	}
	aead, err := newSealer(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails on supported platforms
	sealed := aead.Seal(nonce, nonce, plain, []byte(subject))
	return map[string]any{"subject": subject, "data": base64.StdEncoding.EncodeToString(sealed)}, nil
}

// withSealed adds the sealed personal data to a row's details JSON (the cleaned details, "" for
// none), under sealedKey.
func withSealed(details string, sealed map[string]any) (string, error) {
	d := map[string]any{}
	if details != "" {
		dec := json.NewDecoder(strings.NewReader(details))
		dec.UseNumber()
		if err := dec.Decode(&d); err != nil {
			return "", fmt.Errorf("audit: details: %w", err)
		}
	}
	d[sealedKey] = sealed
	b, err := auditDetailsJSON(d)
	if err != nil {
		return "", fmt.Errorf("%w: details: %v", ErrInvalidEvent, err)
	}
	return string(b), nil
}

func newSealer(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("audit: personal data key: %w", err)
	}
	return cipher.NewGCM(block)
}

// subjectKey returns the subject's key, making one the first time; nil once it was shredded. Of
// two replicas making one at once, the first insert wins and both use it.
func (t *Trail) subjectKey(ctx context.Context, subject string) ([]byte, error) {
	fresh := make([]byte, 32)
	_, _ = rand.Read(fresh)
	if _, err := t.db.Exec(ctx, `INSERT INTO audit_keys (subject, key, created_at) VALUES (?, ?, ?) ON CONFLICT (subject) DO NOTHING`,
		subject, fresh, database.Unix(t.now())); err != nil {
		return nil, fmt.Errorf("audit: make a personal data key: %w", err)
	}
	var key []byte
	if err := t.db.QueryRow(ctx, `SELECT key FROM audit_keys WHERE subject = ?`, subject).Scan(&key); err != nil {
		return nil, fmt.Errorf("audit: read a personal data key: %w", err)
	}
	return key, nil
}

// Shred destroys the subject's key: the personal data sealed in its rows can no longer be read,
// and rows written about it from now on keep none. Shredding a subject with no key (none of its
// rows held personal data) still marks it, for those later rows.
func (t *Trail) Shred(ctx context.Context, subject string) error {
	now := database.Unix(t.now())
	_, err := t.db.Exec(ctx, `INSERT INTO audit_keys (subject, key, created_at, shredded_at) VALUES (?, NULL, ?, ?)
		ON CONFLICT (subject) DO UPDATE SET key = NULL, shredded_at = excluded.shredded_at`, subject, now, now)
	if err != nil {
		return fmt.Errorf("audit: shred a personal data key: %w", err)
	}
	return nil
}

// open merges the personal data sealed in rows back into their details where its key exists, and
// marks it erased where the key was shredded.
func (t *Trail) open(ctx context.Context, rows []Entry) error {
	subjects := map[string]bool{}
	for _, r := range rows {
		if s, ok := sealedOf(r.Details); ok {
			subjects[s["subject"].(string)] = true
		}
	}
	if len(subjects) == 0 {
		return nil
	}
	keys, err := t.keys(ctx, subjects)
	if err != nil {
		return err
	}
	for i := range rows {
		s, ok := sealedOf(rows[i].Details)
		if !ok {
			continue
		}
		d := maps.Clone(rows[i].Details)
		delete(d, sealedKey)
		personal, ok := openSealed(keys[s["subject"].(string)], s)
		if ok {
			for k, v := range personal {
				if _, taken := d[k]; !taken {
					d[k] = v
				}
			}
		} else {
			d[ErasedKey] = erasedNote
		}
		rows[i].Details = d
	}
	return nil
}

// sealedOf returns a row's sealed personal data, when it has some.
func sealedOf(d map[string]any) (map[string]any, bool) {
	s, ok := d[sealedKey].(map[string]any)
	if !ok {
		return nil, false
	}
	_, ok = s["subject"].(string)
	return s, ok
}

// openSealed decrypts s with key; false when the key is gone, the subject had none, or the bytes
// do not open (tampering, which Verify reports by the row's hash).
func openSealed(key []byte, s map[string]any) (map[string]any, bool) {
	data, _ := s["data"].(string)
	raw, err := base64.StdEncoding.DecodeString(data)
	if key == nil || data == "" || err != nil {
		return nil, false
	}
	aead, err := newSealer(key)
	if err != nil || len(raw) < aead.NonceSize() {
		return nil, false
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(s["subject"].(string)))
	if err != nil {
		return nil, false
	}
	dec := json.NewDecoder(strings.NewReader(string(plain)))
	dec.UseNumber()
	var personal map[string]any
	if err := dec.Decode(&personal); err != nil {
		return nil, false
	}
	return personal, true
}

// keys reads the subjects' keys; a shredded or unknown subject has none.
func (t *Trail) keys(ctx context.Context, subjects map[string]bool) (map[string][]byte, error) {
	out := make(map[string][]byte, len(subjects))
	args := make([]any, 0, len(subjects))
	for s := range subjects {
		args = append(args, s)
	}
	rows, err := t.db.Query(ctx, `SELECT subject, key FROM audit_keys WHERE key IS NOT NULL AND subject IN (`+
		strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: read personal data keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			s   string
			key []byte
		)
		if err := rows.Scan(&s, &key); err != nil {
			return nil, fmt.Errorf("audit: read personal data keys: %w", err)
		}
		out[s] = key
	}
	return out, rows.Err()
}
