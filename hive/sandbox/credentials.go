package sandbox

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/google/uuid"
)

const credentialsFile = "sandbox-credentials.json"

// Credentials are the sandbox's keys: what a client needs (API key and secret, application key) and
// what the sandbox signs session tokens with.
type Credentials struct {
	APIKey         string `json:"api_key"`
	APISecret      string `json:"api_secret"`
	ApplicationKey string `json:"application_key"`
	JWTSecret      string `json:"jwt_secret"`     // HS256 key of session tokens
	ApplicationID  string `json:"application_id"` // the application_id every session reports
	WorkspaceID    string `json:"workspace_id"`   // the workspace_id every session reports
}

// LogValue keeps the secrets out of logs.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("api_key", c.APIKey), slog.String("application_id", c.ApplicationID))
}

// loadCredentials reads the data dir's credentials file, fills what is missing — fixed values
// first, then the file, then fresh random ones — and writes the result back (mode 0600) so the
// keys survive restarts.
func loadCredentials(dir string, fixed Credentials) (Credentials, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Credentials{}, fmt.Errorf("sandbox data dir: %w", err)
	}
	path := filepath.Join(dir, credentialsFile)
	var stored Credentials
	switch b, err := os.ReadFile(path); {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return Credentials{}, fmt.Errorf("sandbox credentials: %w", err)
	default:
		if err := json.Unmarshal(b, &stored); err != nil {
			return Credentials{}, fmt.Errorf("sandbox credentials %s: %w", path, err)
		}
	}
	c := fixed
	fill := func(dst *string, from string, gen func() string) {
		if *dst == "" {
			*dst = from
		}
		if *dst == "" {
			*dst = gen()
		}
	}
	fill(&c.APIKey, stored.APIKey, func() string { return "sbx_key_" + randomToken(12) })
	fill(&c.APISecret, stored.APISecret, func() string { return "sbx_secret_" + randomToken(24) })
	fill(&c.ApplicationKey, stored.ApplicationKey, func() string { return randomToken(24) })
	fill(&c.JWTSecret, stored.JWTSecret, func() string { return randomToken(32) })
	fill(&c.ApplicationID, stored.ApplicationID, uuid.NewString)
	fill(&c.WorkspaceID, stored.WorkspaceID, uuid.NewString)
	if c != stored {
		b, _ := json.MarshalIndent(c, "", "  ")
		if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
			return Credentials{}, fmt.Errorf("sandbox credentials: %w", err)
		}
	}
	return c, nil
}

// randomToken returns n random bytes as URL-safe letters and digits.
func randomToken(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
