package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
)

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reading test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}
func (b *syncBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestSandboxCommand runs `hiveconsole sandbox --demo` through run, uses the printed credentials,
// and stops it by cancelling the context, as SIGTERM does.
func TestSandboxCommand(t *testing.T) {
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	getenv := func(k string) string {
		if k == "HIVECONSOLE_DATA_DIR" {
			return t.TempDir()
		}
		return ""
	}
	go func() {
		done <- run(ctx, []string{"sandbox", "--addr", addr, "--demo", "--customers", "20", "--api-key", "k1", "--api-secret", "s1"}, getenv, &stdout, &stderr)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stdout.String(), "HIVE_APPLICATION_KEY=") {
		if time.Now().After(deadline) {
			t.Fatalf("no banner; stdout %q stderr %q", stdout.String(), stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	out := stdout.String()
	for _, want := range []string{"http://" + addr, "HIVE_API_KEY=k1", "HIVE_API_SECRET=s1", "20 customers", "curl http://" + addr + "/token"} {
		if !strings.Contains(out, want) {
			t.Errorf("banner lacks %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`HIVE_APPLICATION_KEY=\w{24}`).MatchString(out) {
		t.Errorf("banner lacks a generated application key:\n%s", out)
	}
	req, _ := http.NewRequest("GET", "http://"+addr+"/token", nil)
	req.Header.Set("Authorization", "Basic k1:s1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "access_token") {
		t.Fatalf("token: %d %s", resp.StatusCode, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the sandbox did not stop")
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr bool
		out     string
	}{
		{[]string{"version"}, false, "hiveconsole dev"},
		{[]string{"help"}, false, "commands:"},
		{[]string{"nope"}, true, ""},
		{[]string{"serve", "--no-such-flag"}, true, ""},
		{[]string{"--addr", "not-an-address"}, true, ""},
		{[]string{"serve", "--hive-api-key", "k"}, true, ""}, // a key without a secret
		{[]string{"sandbox", "--customers", "-1"}, true, ""},
		{[]string{"sandbox", "extra"}, true, ""},
	}
	for _, tc := range tests {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), tc.args, func(string) string { return "" }, &stdout, &stderr)
		var u usageError
		if tc.wantErr != errors.As(err, &u) {
			t.Errorf("run(%q): got %v, want usage error %v", tc.args, err, tc.wantErr)
		}
		if !strings.Contains(stdout.String(), tc.out) {
			t.Errorf("run(%q): stdout %q lacks %q", tc.args, stdout.String(), tc.out)
		}
	}
}

// TestServeInSandboxMode runs the console as `hiveconsole` with no arguments would: sandbox mode,
// a banner with the sign-in, healthy and ready, and a clean exit when the context ends (SIGTERM).
func TestServeInSandboxMode(t *testing.T) {
	addr := freeAddr(t)
	dir := t.TempDir()
	env := map[string]string{"HIVECONSOLE_ADDR": addr, "HIVECONSOLE_DATA_DIR": dir}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, &stdout, &stderr) }()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stdout.String(), "Two-factor sign-in:") { // the banner's last line
		if time.Now().After(deadline) {
			t.Fatalf("no banner; stdout %q stderr %q", stdout.String(), stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	out := stdout.String()
	for _, want := range []string{"http://" + addr, "SANDBOX MODE", "admin@localhost", "Seeded 150 customers",
		"Two-factor sign-in: optional for every role (HIVECONSOLE_MFA_REQUIRED=none)",
		"Passkeys: staff add them on their Security page at http://localhost:" + addr[strings.LastIndex(addr, ":")+1:] + "/account/security"} {
		if !strings.Contains(out, want) {
			t.Errorf("banner lacks %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`password (\w{6}-){3}\w{6}`).MatchString(out) {
		t.Errorf("banner lacks the generated password:\n%s", out)
	}
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("%s: got %d %q", path, resp.StatusCode, body)
		}
	}
	if err := runHealthcheck(context.Background(), func(k string) string { return env[k] }); err != nil {
		t.Errorf("healthcheck: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve after SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the console did not shut down")
	}
	// A second start reuses the data: no new admin password, no second seeding.
	var stdout2 syncBuffer
	ctx2, cancel2 := context.WithCancel(context.Background())
	go func() {
		done <- run(ctx2, []string{"serve"}, func(k string) string { return env[k] }, &stdout2, &stderr)
	}()
	for !strings.Contains(stdout2.String(), "Sign in") {
		if time.Now().After(deadline.Add(15 * time.Second)) {
			t.Fatalf("no banner on restart; stdout %q", stdout2.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if out := stdout2.String(); strings.Contains(out, "Seeded") || strings.Contains(out, "with the password") {
		t.Errorf("restart seeded again or printed a password:\n%s", out)
	}
	cancel2()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestConfig(t *testing.T) {
	env := map[string]string{"HIVECONSOLE_ADDR": "0.0.0.0:9000", "HIVECONSOLE_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7",
		"HIVECONSOLE_SESSION_KEYS": "new,old", "HIVE_API_KEY": "k", "HIVE_API_SECRET": "s"}
	cfg, err := parseConfig("serve", []string{"--addr", "127.0.0.1:9001"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:9001" {
		t.Errorf("a flag must win over its variable: addr %q", cfg.Addr)
	}
	if cfg.BaseURL.String() != "http://127.0.0.1:9001" || cfg.sandboxMode() {
		t.Errorf("base URL %v, sandbox %v", cfg.BaseURL, cfg.sandboxMode())
	}
	if len(cfg.Proxies) != 2 || cfg.Proxies[1].String() != "192.0.2.7/32" || len(cfg.SessionKeys) != 2 {
		t.Errorf("proxies %v keys %v", cfg.Proxies, cfg.SessionKeys)
	}
	if cfg.IdleTimeout != 30*time.Minute || cfg.AbsTimeout != 12*time.Hour {
		t.Errorf("timeouts %v %v", cfg.IdleTimeout, cfg.AbsTimeout)
	}
	if cfg.MFARequired.String() != "all" {
		t.Errorf("against the real Hive, a second factor is required of %s, want all", cfg.MFARequired)
	}
	sandbox, err := parseConfig("serve", nil, func(string) string { return "" }, io.Discard)
	if err != nil || sandbox.MFARequired.String() != "none" {
		t.Errorf("in sandbox mode, a second factor is required of %s (%v), want none", sandbox.MFARequired, err)
	}
	env["HIVECONSOLE_MFA_REQUIRED"] = "admin, reviewer"
	if named, err := parseConfig("serve", nil, func(k string) string { return env[k] }, io.Discard); err != nil || named.MFARequired.String() != "admin,reviewer" {
		t.Errorf("HIVECONSOLE_MFA_REQUIRED=admin, reviewer: %s (%v)", named.MFARequired, err)
	}
	env["HIVECONSOLE_MFA_REQUIRED"] = "boss"
	if _, err := parseConfig("serve", nil, func(k string) string { return env[k] }, io.Discard); err == nil || !strings.Contains(err.Error(), "HIVECONSOLE_MFA_REQUIRED") {
		t.Errorf("HIVECONSOLE_MFA_REQUIRED=boss: %v, want a refusal naming the variable", err)
	}
	delete(env, "HIVECONSOLE_MFA_REQUIRED")
	if !slices.Equal(cfg.Queue.Results, []string{"caution", "consider"}) || cfg.Queue.SampleClear != 0 {
		t.Errorf("queue by default: %+v, want what Hive did not clear and no sample", cfg.Queue)
	}
	if cfg.ClaimTTL != 30*time.Minute {
		t.Errorf("claim time by default: %v, want 30m", cfg.ClaimTTL)
	}
	if cfg.ServiceTimes.String() != "consider=4h,unknown=24h,caution=24h,clear=72h" {
		t.Errorf("service times by default: %s", cfg.ServiceTimes)
	}
	if cfg.FourEyes.String() != "result=consider,decision=declined" {
		t.Errorf("four-eyes by default: %s", cfg.FourEyes)
	}
	hooks := map[string]string{"HIVECONSOLE_WEBHOOK_URL": "http://10.1.2.3:8080/hive", "HIVECONSOLE_WEBHOOK_ALLOW": "hooks.example.com,10.1.0.0/16",
		"HIVECONSOLE_WEBHOOK_SECRET": strings.Repeat("s", 24), "HIVECONSOLE_RETENTION": "decided=5y", "HIVECONSOLE_RETENTION_EVERY": "24h",
		"HIVECONSOLE_WRITEBACK": "metadata"}
	if c, err := parseConfig("serve", nil, func(k string) string { return hooks[k] }, io.Discard); err != nil ||
		c.WebhookURL != hooks["HIVECONSOLE_WEBHOOK_URL"] || c.RetentionEvery != 24*time.Hour || !c.Writeback {
		t.Errorf("a webhook in a listed network and a daily retention: %+v %v", c.RetentionEvery, err)
	}
	env["HIVECONSOLE_QUEUE_RESULTS"], env["HIVECONSOLE_QUEUE_SAMPLE_CLEAR"] = "consider", "5%"
	if cfg, err = parseConfig("serve", nil, func(k string) string { return env[k] }, io.Discard); err != nil ||
		!slices.Equal(cfg.Queue.Results, []string{"consider"}) || cfg.Queue.SampleClear != 5 {
		t.Errorf("queue: %+v %v", cfg.Queue, err)
	}
	for _, bad := range []map[string]string{
		{"HIVECONSOLE_TRUSTED_PROXIES": "not-an-ip"},
		{"HIVECONSOLE_BASE_URL": "ftp://x"},
		{"HIVECONSOLE_SESSION_IDLE_TIMEOUT": "-5m"},
		{"HIVECONSOLE_SESSION_IDLE_TIMEOUT": "13h"},
		{"HIVECONSOLE_QUEUE_RESULTS": "declined"},
		{"HIVECONSOLE_QUEUE_SAMPLE_CLEAR": "150"},
		{"HIVECONSOLE_CLAIM_TTL": "10s"},
		{"HIVECONSOLE_FOUR_EYES": "result=maybe"},
		{"HIVECONSOLE_SLA": "consider=soon"},
		{"HIVECONSOLE_SLA": "declined=4h"},
		{"HIVECONSOLE_RETENTION_EVERY": "24h"}, // without a policy
		{"HIVECONSOLE_RETENTION": "decided=5y", "HIVECONSOLE_RETENTION_EVERY": "10m"},
		{"HIVECONSOLE_WEBHOOK_URL": "https://hooks.example.com/hive", "HIVECONSOLE_WEBHOOK_SECRET": strings.Repeat("s", 24)}, // not allowed
		{"HIVECONSOLE_WEBHOOK_URL": "https://hooks.example.com/hive", "HIVECONSOLE_WEBHOOK_ALLOW": "hooks.example.com", "HIVECONSOLE_WEBHOOK_SECRET": "short"},
		{"HIVECONSOLE_WEBHOOK_ALLOW": "10.0.0.0/99"},
		{"HIVECONSOLE_WRITEBACK": "everything"},
	} {
		if _, err := parseConfig("serve", nil, func(k string) string { return bad[k] }, io.Discard); err == nil {
			t.Errorf("%v: want an error", bad)
		}
	}
}

// TestServeOnPostgresNeedsSharedKeys: replicas on one database must share session keys and the key
// of the authenticator secrets, so serve refuses to start on PostgreSQL with keys of its own making.
func TestServeOnPostgresNeedsSharedKeys(t *testing.T) {
	env := map[string]string{"HIVECONSOLE_DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", "HIVECONSOLE_DATA_DIR": t.TempDir()}
	err := run(context.Background(), []string{"serve"}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "HIVECONSOLE_SESSION_KEYS") {
		t.Fatalf("got %v, want a refusal naming HIVECONSOLE_SESSION_KEYS", err)
	}
	env["HIVECONSOLE_SESSION_KEYS"] = strings.Repeat("k", 32)
	err = run(context.Background(), []string{"serve"}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "HIVECONSOLE_MFA_KEY") {
		t.Fatalf("got %v, want a refusal naming HIVECONSOLE_MFA_KEY", err)
	}
}

// TestConfigSingleSignOn: the OIDC settings parse into a role mapping and a password sign-in rule,
// the callback follows the base URL, and settings that cannot work together are refused.
func TestConfigSingleSignOn(t *testing.T) {
	env := map[string]string{"HIVECONSOLE_BASE_URL": "https://console.example.com", "HIVECONSOLE_OIDC_ISSUER": "https://id.example.com/realms/staff",
		"HIVECONSOLE_OIDC_CLIENT_ID": "hive-console", "HIVECONSOLE_OIDC_CLIENT_SECRET": "s3cret",
		"HIVECONSOLE_OIDC_ROLES":      "console-admins=admin, kyc-reviewers=reviewer,support=support,audit=auditor",
		"HIVECONSOLE_PASSWORD_SIGNIN": "break-glass:Root@Example.com"}
	getenv := func(k string) string { return env[k] }
	cfg, err := parseConfig("serve", []string{"--oidc-create-users", "true"}, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.OIDC
	if o.RedirectURL != "https://console.example.com/login/oidc/callback" || o.RoleClaim != "groups" || o.Name != "single sign-on" ||
		!o.CreateUsers || o.ClientSecret != "s3cret" {
		t.Errorf("OIDC settings: %+v", o)
	}
	if got, want := o.Roles.String(), "console-admins=admin,kyc-reviewers=reviewer,support=support,audit=auditor"; got != want {
		t.Errorf("roles: got %s, want %s", got, want)
	}
	if cfg.PasswordSignIn.BreakGlass != "root@example.com" || cfg.PasswordSignIn.Allows("support@example.com") {
		t.Errorf("password sign-in: %+v", cfg.PasswordSignIn)
	}
	off, err := parseConfig("serve", nil, func(string) string { return "" }, io.Discard)
	if err != nil || off.OIDC.Issuer != "" || off.OIDC.CreateUsers || !off.PasswordSignIn.Allows("anyone@example.com") {
		t.Errorf("by default: %+v %+v %v, want single sign-on off and passwords for everyone", off.OIDC, off.PasswordSignIn, err)
	}
	for _, bad := range []map[string]string{
		{"HIVECONSOLE_OIDC_ROLES": "console-admins=boss"},
		{"HIVECONSOLE_OIDC_ROLES": ""},
		{"HIVECONSOLE_OIDC_CLIENT_ID": ""},
		{"HIVECONSOLE_OIDC_ISSUER": "http://id.example.com"},
		{"HIVECONSOLE_OIDC_CREATE_USERS": "maybe"},
		{"HIVECONSOLE_PASSWORD_SIGNIN": "off"},
		{"HIVECONSOLE_PASSWORD_SIGNIN": "break-glass:nobody"},
		{"HIVECONSOLE_OIDC_ISSUER": ""}, // break-glass without single sign-on
	} {
		changed := map[string]string{}
		for k, v := range env {
			changed[k] = v
		}
		for k, v := range bad {
			changed[k] = v
		}
		if _, err := parseConfig("serve", nil, func(k string) string { return changed[k] }, io.Discard); err == nil {
			t.Errorf("%v: want an error", bad)
		}
	}
	env["HIVECONSOLE_OIDC_ISSUER"] = "http://127.0.0.1:5556/dex"
	if _, err := parseConfig("serve", nil, getenv, io.Discard); err != nil {
		t.Errorf("an http issuer on this machine, for trying it out: %v", err)
	}
}

// TestStartSingleSignOnWithProviderDown: a provider that cannot be reached at start is a warning,
// not a refusal to start; the console tries again at each sign-in.
func TestStartSingleSignOnWithProviderDown(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	roles, _ := auth.ParseOIDCRoles("admins=admin")
	var logs syncBuffer
	sso, err := startSingleSignOn(context.Background(), auth.OIDCConfig{Issuer: down.URL, ClientID: "c", RedirectURL: "http://x/login/oidc/callback", Roles: roles},
		slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil || sso == nil {
		t.Fatalf("got %v %v, want single sign-on that tries again later", sso, err)
	}
	if !strings.Contains(logs.String(), "cannot be reached") {
		t.Errorf("no warning logged: %q", logs.String())
	}
	if sso, err := startSingleSignOn(context.Background(), auth.OIDCConfig{}, slog.New(slog.DiscardHandler)); sso != nil || err != nil {
		t.Errorf("without an issuer: %v %v, want none", sso, err)
	}
}

// TestSignInNotes: the banner warns when the break-glass account named is not an enabled admin
// (nobody could sign in with a password while single sign-on is down), and says where passkeys work.
func TestSignInNotes(t *testing.T) {
	ctx := context.Background()
	staff, err := auth.NewService(ctx, dbtest.SQLite(t), auth.Config{BaseURL: "http://127.0.0.1:8080", SessionKeys: [][]byte{bytes.Repeat([]byte("k"), 32)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []auth.NewUser{{Email: "rita@example.com", Name: "Rita", Role: auth.RoleReviewer, Password: "plinth-otter-marsh-43"},
		{Email: "ada@example.com", Name: "Ada", Role: auth.RoleAdmin, Password: "plinth-otter-marsh-43"}} {
		if _, err := staff.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	quiet := slog.New(slog.DiscardHandler)
	for email, warn := range map[string]bool{"rita@example.com": true, "nobody@example.com": true, "ada@example.com": false} {
		var cfg config
		cfg.PasswordSignIn, _ = auth.ParsePasswordSignIn("break-glass:" + email)
		notes := strings.Join(signInNotes(ctx, cfg, staff, quiet), "\n")
		if got := strings.Contains(notes, "WARNING: HIVECONSOLE_PASSWORD_SIGNIN names "+email); got != warn {
			t.Errorf("break-glass %s: warning %v, want %v:\n%s", email, got, warn, notes)
		}
		if !strings.Contains(notes, "Passkeys: staff add them on their Security page at http://localhost:8080/account/security") {
			t.Errorf("no passkeys line:\n%s", notes)
		}
	}
}
