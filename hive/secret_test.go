package hive

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// verbs are the fmt verbs a careless log line or error might use.
var verbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"}

// leaks fails the test when s holds the test API secret, the Basic credentials built from it, any
// token the fake Hive issues (they all contain "VERYSECRET") or any of more.
func leaks(t *testing.T, where, s string, more ...string) {
	t.Helper()
	basic := base64.StdEncoding.EncodeToString([]byte(testKey + ":" + testSecret))
	for _, c := range append([]string{testSecret, basic, "VERYSECRET"}, more...) {
		if strings.Contains(s, c) {
			t.Errorf("%s leaks %q: got %s", where, c, s)
		}
	}
}

// redacts fails the test unless s shows the redaction mark: proof that the credential's field was
// rendered, and rendered redacted, rather than skipped.
func redacts(t *testing.T, where, s string) {
	t.Helper()
	if !strings.Contains(s, redacted) {
		t.Errorf("%s: got %s, want it to show %s", where, s, redacted)
	}
}

// logLine logs one line with attrs through the handler newHandler builds and returns it.
func logLine(newHandler func(io.Writer) slog.Handler, attrs ...any) string {
	var b bytes.Buffer
	slog.New(newHandler(&b)).Info("line", attrs...)
	return b.String()
}

func textLog(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) }
func jsonLog(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) }

// TestSecretIsRedacted: a Secret, alone or in a Config, is "[redacted]" whichever way it is printed,
// logged or marshalled.
func TestSecretIsRedacted(t *testing.T) {
	secret := Secret(testSecret)
	cfg := Config{BaseURL: "https://api.hive.id", APIKey: testKey, APISecret: secret}
	type holder struct{ APISecret Secret } // XML needs a named type
	type render struct {
		name string
		out  func() (string, error)
	}
	var tests []render
	for _, verb := range verbs {
		tests = append(tests,
			render{"fmt " + verb + " of the secret", func() (string, error) { return fmt.Sprintf(verb, secret), nil }},
			render{"fmt " + verb + " of the config", func() (string, error) { return fmt.Sprintf(verb, cfg), nil }},
			render{"fmt " + verb + " of a pointer to the config", func() (string, error) { return fmt.Sprintf(verb, &cfg), nil }})
	}
	tests = append(tests,
		render{"an error wrapping the secret", func() (string, error) { return fmt.Errorf("refused %v", secret).Error(), nil }},
		render{"JSON of the secret", func() (string, error) { b, err := json.Marshal(secret); return string(b), err }},
		render{"JSON of a struct holding it", func() (string, error) {
			b, err := json.Marshal(holder{secret})
			return string(b), err
		}},
		render{"JSON of a map holding it", func() (string, error) {
			b, err := json.Marshal(map[string]Secret{"secret": secret})
			return string(b), err
		}},
		render{"XML of a struct holding it", func() (string, error) {
			b, err := xml.Marshal(holder{secret})
			return string(b), err
		}},
		render{"slog text of the secret", func() (string, error) { return logLine(textLog, "secret", secret), nil }},
		render{"slog JSON of the secret", func() (string, error) { return logLine(jsonLog, "secret", secret), nil }},
		render{"slog text of the config", func() (string, error) { return logLine(textLog, "config", cfg), nil }},
		render{"slog group holding the secret", func() (string, error) {
			return logLine(jsonLog, slog.Group("hive", "key", testKey, "secret", secret)), nil
		}},
		// slog's JSON handler cannot log a Config at all (json.Marshal refuses its func fields), so it
		// has nothing to leak and no case here.
	)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := tt.out()
			if err != nil {
				t.Fatalf("got error %v, want output", err)
			}
			leaks(t, tt.name, out)
			redacts(t, tt.name, out)
		})
	}
	if got := string(secret); got != testSecret {
		t.Errorf("string(secret): got %q, want the secret itself", got)
	}
}

// TestSessionTokenIsRedacted: an SDK session token is redacted when printed or logged.
func TestSessionTokenIsRedacted(t *testing.T) {
	tok := SessionToken{Token: "sdk-VERYSECRET"}
	outs := map[string]string{
		"slog text": logLine(textLog, "token", tok),
		"slog JSON": logLine(jsonLog, "token", tok),
		"String":    tok.String(),
	}
	for _, verb := range verbs {
		outs["fmt "+verb] = fmt.Sprintf(verb, tok)
		outs["fmt "+verb+" of a pointer"] = fmt.Sprintf(verb, &tok)
	}
	for where, out := range outs {
		leaks(t, where, out)
		redacts(t, where, out)
	}
}

// TestClientHoldsNoPrintableCredentials: a client that holds the secret and a cached access token
// prints, logs and debug-logs neither.
func TestClientHoldsNoPrintableCredentials(t *testing.T) {
	var debug bytes.Buffer
	f := newFakeHive(t, "/v1")
	f.handle = okHandler
	c := newTestClient(t, f, func(cfg *Config) {
		cfg.Logger = slog.New(slog.NewJSONHandler(&debug, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	if _, err := c.ListCustomers(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c.tokens.current.value != tokenValue(1) {
		t.Fatalf("got cached token %q, want %q: the test needs a client holding a token", c.tokens.current.value, tokenValue(1))
	}

	// slog's JSON handler marshals a Client as {}: it has no exported fields, so nothing to test.
	outs := map[string]string{"slog text of the client": logLine(textLog, "client", c)}
	for _, verb := range verbs {
		outs["fmt "+verb+" of the client"] = fmt.Sprintf(verb, c)
		outs["fmt "+verb+" of its token source"] = fmt.Sprintf(verb, c.tokens)
		outs["fmt "+verb+" of its access token"] = fmt.Sprintf(verb, c.tokens.current)
	}
	for where, out := range outs {
		leaks(t, where, out)
		if !strings.Contains(out, "hive.Client{"+f.URL()+"}") && !strings.Contains(out, redacted) {
			t.Errorf("%s: got %s, want the client's base URL or %s", where, out, redacted)
		}
	}

	logs := debug.String()
	leaks(t, "the client's debug log", logs)
	for _, op := range []string{`"op":"GET /token"`, `"op":"GET /customers"`} {
		if !strings.Contains(logs, op) {
			t.Errorf("debug log: got %s, want a line with %s", logs, op)
		}
	}
}

// TestErrorsCarryNoCredentials: when Hive refuses the key or a token, or sends a token the client
// cannot use, the error names the failure without the secret, the Basic credentials or the token.
func TestErrorsCarryNoCredentials(t *testing.T) {
	wrongSecret := "not-" + testSecret // contains testSecret, so leaks catches it
	wrongBasic := base64.StdEncoding.EncodeToString([]byte(testKey + ":" + wrongSecret))
	tests := []struct {
		name  string
		setup func(t *testing.T) *Client
		want  error
	}{
		{"the token endpoint refuses the key", func(t *testing.T) *Client {
			f := newFakeHive(t, "/v1")
			f.handle = okHandler
			return newTestClient(t, f, func(cfg *Config) { cfg.APISecret = Secret(wrongSecret) })
		}, ErrUnauthorized},
		{"the API refuses the token", func(t *testing.T) *Client {
			f := newFakeHive(t, "/v1")
			f.handle = func(w http.ResponseWriter, _ *http.Request, _ recorded) {
				writeJSON(w, 401, `{"error":{"status":401,"code":"unauthorized","message":"token expired"}}`)
			}
			return newTestClient(t, f)
		}, ErrUnauthorized},
		{"the token endpoint sends a token without a usable lifetime", func(t *testing.T) *Client {
			return tokenAnswer(t, `{"access_token":"tok-VERYSECRET","expires_in":"an hour"}`)
		}, ErrBadResponse},
		{"the token endpoint sends a token and then garbage", func(t *testing.T) *Client {
			return tokenAnswer(t, `{"access_token":"tok-VERYSECRET","expires_in":3599} tok-VERYSECRET`)
		}, ErrBadResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.setup(t).ListCustomers(context.Background())
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			leaks(t, "Error()", err.Error(), wrongBasic)
			for _, verb := range []string{"%v", "%+v", "%#v"} {
				leaks(t, "fmt "+verb, fmt.Sprintf(verb, err), wrongBasic)
			}
			var herr *Error
			if errors.As(err, &herr) && herr.Err != nil {
				leaks(t, "the cause", fmt.Sprintf("%+v", herr.Err), wrongBasic)
			}
			leaks(t, "slog JSON", logLine(jsonLog, "err", err), wrongBasic)
		})
	}
}

// tokenAnswer is a client of a Hive whose token endpoint answers body to the right credentials.
func tokenAnswer(t *testing.T, body string) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if key, secret, ok := r.BasicAuth(); !ok || key != testKey || secret != testSecret {
			writeJSON(w, 401, `{}`)
			return
		}
		writeJSON(w, 200, body)
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL, APIKey: testKey, APISecret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestNewHidesAPasswordInTheBaseURL: a base URL with credentials in it is refused without printing
// the password, since New's error is printed at startup.
func TestNewHidesAPasswordInTheBaseURL(t *testing.T) {
	_, err := New(Config{BaseURL: "https://" + testKey + ":" + testSecret + "@api.hive.id", APIKey: testKey, APISecret: testSecret})
	if err == nil {
		t.Fatal("got no error, want the URL with credentials refused")
	}
	leaks(t, "New's error", err.Error())
}
