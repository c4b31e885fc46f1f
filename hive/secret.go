package hive

import (
	"fmt"
	"log/slog"
)

const redacted = "[redacted]"

// Secret holds a credential. Every way of printing, logging or marshalling it yields "[redacted]";
// only an explicit string(s) conversion reveals it.
type Secret string

// Format redacts the secret for every fmt verb.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue redacts the secret in structured logs.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText redacts the secret in JSON, YAML and other text encodings.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
