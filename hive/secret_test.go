package hive

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

// leaks fails the test when s contains the API secret or any issued token.
func leaks(t *testing.T, where, s string) {
	t.Helper()
	if strings.Contains(s, testSecret) || strings.Contains(s, "VERYSECRET") {
		t.Errorf("%s leaks a credential: %s", where, s)
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	var logs bytes.Buffer
	f := newFakeHive(t, "/v1")
	f.handle = func(w http.ResponseWriter, r *http.Request, _ recorded) {
		switch r.Method {
		case "GET":
			writeJSON(w, 200, `{"data":[],"meta":{"total":0}}`)
		default:
			writeJSON(w, 401, `{}`)
		}
	}
	cfg := Config{BaseURL: f.URL(), APIKey: testKey, APISecret: testSecret,
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListCustomers(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The client now holds a token; print everything every way.
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		leaks(t, "fmt "+verb+" of the config", fmt.Sprintf(verb, cfg))
		leaks(t, "fmt "+verb+" of the client", fmt.Sprintf(verb, c))
		leaks(t, "fmt "+verb+" of the token source", fmt.Sprintf(verb, c.tokens))
		leaks(t, "fmt "+verb+" of a session token", fmt.Sprintf(verb, SessionToken{Token: "VERYSECRET"}))
	}
	j, _ := json.Marshal(cfg)
	leaks(t, "JSON of the config", string(j))
	slog.New(slog.NewTextHandler(&logs, nil)).Info("cfg", "config", cfg, "client", c, "token", SessionToken{Token: "VERYSECRET"})
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("cfg", "config", cfg, "secret", cfg.APISecret)
	leaks(t, "logs", logs.String())
	if !strings.Contains(logs.String(), "GET /customers") {
		t.Errorf("want the client's debug log of the call, got %s", logs.String())
	}

	_, err = c.CreateCustomer(context.Background(), CustomerParams{Email: String("a@b.c")})
	if err == nil {
		t.Fatal("want the scripted 401")
	}
	leaks(t, "an API error", err.Error())
	leaks(t, "an API error with %#v", fmt.Sprintf("%#v", err))

	bad, _ := New(Config{BaseURL: f.URL(), APIKey: testKey, APISecret: "not-" + testSecret})
	_, err = bad.ListCustomers(context.Background())
	leaks(t, "a token error", err.Error())
}
