// Package webhooks sends what the console decides on to the business's own systems: an outbox of
// events written in the transaction that records what they announce, delivered in the background to
// the endpoints admins configure, signed, retried with backoff for three days, one delivery per
// event and endpoint however many replicas send.
package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Headers of a delivery.
const (
	// SignatureHeader carries "t=<unix seconds>,v1=<hex HMAC-SHA256 over t.body>", with one v1 per
	// secret in force (two during a rotation's grace period).
	SignatureHeader = "Hive-Console-Signature"
	// EventIDHeader carries the event's id, the same on every attempt: the receiver's idempotency key.
	EventIDHeader = "Hive-Console-Event-Id"
	// EventTypeHeader carries the event's type.
	EventTypeHeader = "Hive-Console-Event-Type"
)

// Tolerance is how far a signature's time may be from the receiver's clock for Verify to accept it.
const Tolerance = 5 * time.Minute

// Sign returns the signature header's value for body sent at t, signed with each secret.
func Sign(t time.Time, body []byte, secrets ...[]byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	var b strings.Builder
	b.WriteString("t=" + ts)
	for _, s := range secrets {
		b.WriteString(",v1=" + hex.EncodeToString(mac(s, ts, body)))
	}
	return b.String()
}

func mac(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return m.Sum(nil)
}

// Errors of Verify.
var (
	ErrNoSignature = errors.New("webhooks: no valid signature header")
	ErrTooOld      = errors.New("webhooks: the signature's time is too far from now")
	ErrMismatch    = errors.New("webhooks: no signature matches the body")
)

// Verify checks a signature header against body and secret, as a receiver does: the time within
// Tolerance of now, and one v1 equal (in constant time) to the HMAC of "t.body".
func Verify(header string, body, secret []byte, now time.Time) error {
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			if b, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, b)
			}
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrNoSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > Tolerance || d < -Tolerance {
		return ErrTooOld
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return ErrMismatch
}
