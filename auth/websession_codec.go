package auth

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/gob"
	"encoding/hex"
	"fmt"
	"sort"
)

// sessionIDLen is the random id's size: 256 bits, twice what OWASP asks, so guessing is hopeless even
// with the database's hashes in hand.
const sessionIDLen = 32

// maxSessionData bounds what one session may store; Values are for flashes and small state, not data.
const maxSessionData = 64 << 10

func newSessionID() []byte {
	b := make([]byte, sessionIDLen)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return b
}

// newToken returns 256 random bits, URL-safe, for CSRF tokens.
func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSessionID is the database key for a session id. A plain SHA-256 suffices: the id is 256 random
// bits, so there is nothing to brute-force, only a leaked database to make useless.
func hashSessionID(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// validSessionKey reports whether id looks like a hashSessionID result. gorilla's Session.ID holds
// the hash, not the id: the bearer secret then exists only in the cookie, and a handler that logs
// Session.ID leaks nothing usable.
func validSessionKey(id string) bool {
	_, err := hex.DecodeString(id)
	return err == nil && len(id) == 2*sha256.Size
}

// sessionValue is one entry of a session's Values as stored.
type sessionValue struct {
	Key, Value any
}

// encodeSessionValues gob-encodes Values, minus this package's metadata, with keys in a fixed order
// so unchanged Values encode to the same bytes and Save can skip the write. Types other than gob's
// basics must be registered with gob.Register, as with any gorilla store.
func encodeSessionValues(values map[any]any) ([]byte, error) {
	pairs := make([]sessionValue, 0, len(values))
	for k, v := range values {
		if _, ok := k.(sessionMetaKey); ok {
			continue
		}
		pairs = append(pairs, sessionValue{Key: k, Value: v})
	}
	sort.Slice(pairs, func(i, j int) bool {
		return fmt.Sprintf("%T\x00%v", pairs[i].Key, pairs[i].Key) < fmt.Sprintf("%T\x00%v", pairs[j].Key, pairs[j].Key)
	})
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(pairs); err != nil {
		return nil, fmt.Errorf("auth: encode session values: %w", err)
	}
	if buf.Len() > maxSessionData {
		return nil, fmt.Errorf("auth: session values are %d bytes; at most %d allowed", buf.Len(), maxSessionData)
	}
	return buf.Bytes(), nil
}

func decodeSessionValues(data []byte) (map[any]any, error) {
	var pairs []sessionValue
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&pairs); err != nil {
		return nil, fmt.Errorf("auth: decode session values: %w", err)
	}
	values := make(map[any]any, len(pairs)+1)
	for _, p := range pairs {
		values[p.Key] = p.Value
	}
	return values, nil
}

// userValueCount counts Values entries other than this package's metadata.
func userValueCount(values map[any]any) int {
	n := 0
	for k := range values {
		if _, ok := k.(sessionMetaKey); !ok {
			n++
		}
	}
	return n
}
