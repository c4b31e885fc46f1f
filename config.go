package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/retention"

	"github.com/hiveconsole/hiveconsole/review"
	"github.com/hiveconsole/hiveconsole/webhooks"
)

// config is the console's configuration: the environment (DESIGN §3), each variable also a flag of
// serve, parsed once in run and passed down.
type config struct {
	Addr        string
	DataDir     string
	DatabaseURL string
	BaseURL     *url.URL
	SessionKeys []string
	MFAKey      string
	EvidenceKey string // HIVECONSOLE_EVIDENCE_KEY: the Ed25519 seed that signs evidence packs
	// WebhookURL and WebhookSecret name one webhook endpoint in configuration; WebhookAllow is where
	// webhooks may be sent at all.
	WebhookURL, WebhookSecret string
	WebhookAllow              webhooks.Allow
	// Writeback writes each final decision to the Hive customer's metadata (HIVECONSOLE_WRITEBACK=metadata).
	Writeback bool
	// MFARequired says which roles must sign in with a second factor; mfaRequired is the setting as
	// given, empty for the default (all against the real Hive, none in sandbox mode).
	MFARequired   auth.MFAPolicy
	mfaRequired   string
	AdminEmail    string
	AdminPassword string
	HiveAPIURL    string
	HiveAPIKey    string
	HiveAPISecret string
	HiveAppKey    string
	FilesHosts    []string
	IdleTimeout   time.Duration
	AbsTimeout    time.Duration
	Proxies       []netip.Prefix
	RejectReasons []review.RejectReason
	// Queue says which completed checks wait for a reviewer.
	Queue readmodel.QueueRule
	// ServiceTimes are the targets for deciding queued checks, by result.
	ServiceTimes readmodel.ServiceTimes
	// FourEyes says which approvals need a second approver.
	FourEyes review.FourEyes
	// Retention is HIVECONSOLE_RETENTION: after how long customers are deleted; off by default.
	Retention retention.Policy
	// RetentionEvery is how often serve applies Retention; 0 never (the command does).
	RetentionEvery time.Duration
	// ClaimTTL is how long a reviewer's claim on a check holds without activity on it.
	ClaimTTL time.Duration
	// StreamsPerSession and Streams cap the live (SSE) views one signed-in browser, and the whole
	// process, may hold open.
	StreamsPerSession, Streams int
	// LinkedCrowd is how many other customers may share an identifier (an address, a device) before
	// the Linked panel counts them instead of listing them.
	LinkedCrowd int
	// SyncInterval is the time between full passes of the sync that copies Hive's lists.
	SyncInterval time.Duration
	// OIDC is single sign-on through an OpenID provider; off while OIDC.Issuer is empty. finish
	// fills in the callback from the base URL.
	OIDC auth.OIDCConfig
	// PasswordSignIn says who may still sign in with a password: everyone, or one break-glass admin.
	PasswordSignIn auth.PasswordSignIn
}

// sandboxMode is true when no Hive credentials are configured: the console runs its own sandbox.
func (c config) sandboxMode() bool { return c.HiveAPIKey == "" }

// configVar is one setting: its environment variable, its flag, its default and what it means.
type configVar struct {
	env, flag, def, usage string
	set                   func(*config, string) error
}

func configVars() []configVar {
	str := func(dst func(*config) *string) func(*config, string) error {
		return func(c *config, v string) error { *dst(c) = v; return nil }
	}
	list := func(dst func(*config) *[]string) func(*config, string) error {
		return func(c *config, v string) error { *dst(c) = splitList(v); return nil }
	}
	dur := func(dst func(*config) *time.Duration) func(*config, string) error {
		return func(c *config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("want a positive duration such as 30m, got %q", v)
			}
			*dst(c) = d
			return nil
		}
	}
	count := func(dst func(*config) *int) func(*config, string) error {
		return func(c *config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 || n > 1_000_000 {
				return fmt.Errorf("want a whole number from 1 to 1000000, got %q", v)
			}
			*dst(c) = n
			return nil
		}
	}
	return []configVar{
		{"HIVECONSOLE_ADDR", "addr", "127.0.0.1:8080", "listen address", str(func(c *config) *string { return &c.Addr })},
		{"HIVECONSOLE_DATA_DIR", "data-dir", "./data", "SQLite files, sandbox state, generated secrets", str(func(c *config) *string { return &c.DataDir })},
		{"HIVECONSOLE_DATABASE_URL", "database-url", "", "postgres://… for several replicas (default: SQLite in the data dir)", str(func(c *config) *string { return &c.DatabaseURL })},
		{"HIVECONSOLE_BASE_URL", "base-url", "", "public URL (default: from the listen address)", func(c *config, v string) error {
			if v == "" {
				return nil
			}
			u, err := url.Parse(strings.TrimRight(v, "/"))
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return fmt.Errorf("want an absolute http(s) URL, got %q", v)
			}
			c.BaseURL = u
			return nil
		}},
		{"HIVECONSOLE_SESSION_KEYS", "session-keys", "", "comma-separated session signing keys, newest first (default: generated into the data dir)", list(func(c *config) *[]string { return &c.SessionKeys })},
		{"HIVECONSOLE_EVIDENCE_KEY", "evidence-key", "", "base64 of the 32-byte Ed25519 seed that signs evidence packs (default: generated into the data dir; with PostgreSQL, required for packs)", str(func(c *config) *string { return &c.EvidenceKey })},
		{"HIVECONSOLE_WEBHOOK_URL", "webhook-url", "", "a webhook endpoint every event is sent to, besides those admins add at /webhooks (its host must be in HIVECONSOLE_WEBHOOK_ALLOW)", str(func(c *config) *string { return &c.WebhookURL })},
		{"HIVECONSOLE_WEBHOOK_SECRET", "webhook-secret", "", "the secret HIVECONSOLE_WEBHOOK_URL's events are signed with (at least 24 characters)", str(func(c *config) *string { return &c.WebhookSecret })},
		{"HIVECONSOLE_WEBHOOK_ALLOW", "webhook-allow", "", "where webhooks may be sent: host names, addresses and networks (CIDR), comma-separated; a listed network's private addresses are allowed, a name's only when public", func(c *config, v string) error {
			a, err := webhooks.ParseAllow(v)
			c.WebhookAllow = a
			return err
		}},
		{"HIVECONSOLE_WRITEBACK", "writeback", "off", "metadata: write each final decision to the Hive customer's metadata (review_status, review_reason, reviewed_at), retried like a webhook; off: do not", func(c *config, v string) error {
			switch v {
			case "off", "":
				c.Writeback = false
			case "metadata":
				c.Writeback = true
			default:
				return fmt.Errorf("want metadata or off, got %q", v)
			}
			return nil
		}},
		{"HIVECONSOLE_MFA_KEY", "mfa-key", "", "base64 of 32 random bytes that encrypt staff's authenticator secrets at rest (default: generated into the data dir)", str(func(c *config) *string { return &c.MFAKey })},
		{"HIVECONSOLE_MFA_REQUIRED", "mfa-required", "", "roles that must sign in with a second factor: all, none, or roles like admin,reviewer (default: all against the real Hive API, none in sandbox mode)", str(func(c *config) *string { return &c.mfaRequired })},
		{"HIVECONSOLE_ADMIN_EMAIL", "admin-email", "admin@localhost", "first admin's email, used only while no user exists", str(func(c *config) *string { return &c.AdminEmail })},
		{"HIVECONSOLE_ADMIN_PASSWORD", "admin-password", "", "first admin's password (default: random, printed once)", str(func(c *config) *string { return &c.AdminPassword })},
		{"HIVECONSOLE_SESSION_IDLE_TIMEOUT", "session-idle-timeout", "30m", "sign staff out after this long without a request", dur(func(c *config) *time.Duration { return &c.IdleTimeout })},
		{"HIVECONSOLE_SESSION_MAX_AGE", "session-max-age", "12h", "sign staff out this long after sign-in, whatever they do", dur(func(c *config) *time.Duration { return &c.AbsTimeout })},
		{"HIVECONSOLE_TRUSTED_PROXIES", "trusted-proxies", "", "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed", func(c *config, v string) error {
			c.Proxies = nil
			for _, s := range splitList(v) {
				p, err := netip.ParsePrefix(s)
				if err != nil {
					a, aerr := netip.ParseAddr(s)
					if aerr != nil {
						return fmt.Errorf("want IP addresses or CIDRs, got %q", s)
					}
					p = netip.PrefixFrom(a, a.BitLen())
				}
				c.Proxies = append(c.Proxies, p.Masked())
			}
			return nil
		}},
		{"HIVECONSOLE_REJECT_REASONS", "reject-reasons", "", "reasons offered when rejecting a check, as code=Label;code=Label (default: a built-in list)", func(c *config, v string) error {
			r, err := review.ParseRejectReasons(v)
			c.RejectReasons = r
			return err
		}},
		{"HIVECONSOLE_QUEUE_RESULTS", "queue-results", "caution,consider", "report results whose checks wait in the review queue until decided: some of clear, caution, consider, unknown (report not read yet)", func(c *config, v string) error {
			r, err := readmodel.ParseQueueResults(v)
			c.Queue.Results = r
			return err
		}},
		{"HIVECONSOLE_QUEUE_SAMPLE_CLEAR", "queue-sample-clear", "0", "percentage of the checks Hive cleared that also wait in the queue, chosen by check id, for a second look", func(c *config, v string) error {
			n, err := readmodel.ParseSample(v)
			c.Queue.SampleClear = n
			return err
		}},
		{"HIVECONSOLE_SLA", "sla", "consider=4h,unknown=24h,caution=24h,clear=72h", "service times: how long after a check completes it should be decided, by report result (result=duration entries, or none); the queue puts the check due first first", func(c *config, v string) error {
			t, err := readmodel.ParseServiceTimes(v)
			c.ServiceTimes = t
			return err
		}},
		{"HIVECONSOLE_FOUR_EYES", "four-eyes", "result=consider,decision=declined", "approvals that need a second approver: none, all, or result=clear|caution|consider|unknown and decision=approved|review|declined entries", func(c *config, v string) error {
			f, err := review.ParseFourEyes(v)
			c.FourEyes = f
			return err
		}},
		{"HIVECONSOLE_RETENTION", "retention", "off", "after how long customers are deleted: decided=AGE (every check settled that long ago), incomplete=AGE (no completed check, created that long ago); ages in days (90d) or years (5y)", func(c *config, v string) error {
			p, err := retention.ParsePolicy(v)
			c.Retention = p
			return err
		}},
		{"HIVECONSOLE_RETENTION_EVERY", "retention-every", "0", "apply the retention policy this often from serve (e.g. 24h), as hiveconsole retention apply --yes does; 0 leaves it to that command", func(c *config, v string) error {
			if v == "0" || v == "off" {
				c.RetentionEvery = 0
				return nil
			}
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("want a duration such as 24h, or 0, got %q", v)
			}
			c.RetentionEvery = d
			return nil
		}},
		{"HIVECONSOLE_CLAIM_TTL", "claim-ttl", "30m", "how long a reviewer's claim on a check holds without activity on it; an admin's assignment holds until released", dur(func(c *config) *time.Duration { return &c.ClaimTTL })},
		{"HIVECONSOLE_LINKED_CROWD", "linked-crowd", "20", "linked identities: an identifier (an address, a device, a document) shared by more other customers than this is shown as a count, not a list", count(func(c *config) *int { return &c.LinkedCrowd })},
		{"HIVECONSOLE_STREAMS_PER_SESSION", "streams-per-session", "8", "live views (SSE streams) one signed-in browser may hold open; more are refused with 429", count(func(c *config) *int { return &c.StreamsPerSession })},
		{"HIVECONSOLE_STREAMS_MAX", "streams-max", "1000", "live views (SSE streams) the console holds open in all; more are refused with 429", count(func(c *config) *int { return &c.Streams })},
		{"HIVECONSOLE_SYNC_INTERVAL", "sync-interval", "1m", "time between full reads of Hive's lists into the console's copy; changes made outside the console show within two", dur(func(c *config) *time.Duration { return &c.SyncInterval })},
		{"HIVECONSOLE_OIDC_ISSUER", "oidc-issuer", "", "OpenID Connect issuer URL for single sign-on, as the provider's discovery document names it (empty: single sign-on off)", str(func(c *config) *string { return &c.OIDC.Issuer })},
		{"HIVECONSOLE_OIDC_CLIENT_ID", "oidc-client-id", "", "the console's client id at the OpenID provider", str(func(c *config) *string { return &c.OIDC.ClientID })},
		{"HIVECONSOLE_OIDC_CLIENT_SECRET", "oidc-client-secret", "", "the console's client secret at the OpenID provider", str(func(c *config) *string { return &c.OIDC.ClientSecret })},
		{"HIVECONSOLE_OIDC_ROLE_CLAIM", "oidc-role-claim", "groups", "ID token claim whose values grant roles (a string or an array; a dotted name such as realm_access.roles reaches into objects)", str(func(c *config) *string { return &c.OIDC.RoleClaim })},
		{"HIVECONSOLE_OIDC_ROLES", "oidc-roles", "", "claim values and the roles they grant, as value=role entries such as console-admins=admin,kyc-reviewers=reviewer; several: the most powerful", func(c *config, v string) error {
			r, err := auth.ParseOIDCRoles(v)
			c.OIDC.Roles = r
			return err
		}},
		{"HIVECONSOLE_OIDC_CREATE_USERS", "oidc-create-users", "false", "create an account at the first single sign-on of a verified email with a mapped role (false: an admin creates it first)", func(c *config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("want true or false, got %q", v)
			}
			c.OIDC.CreateUsers = b
			return nil
		}},
		{"HIVECONSOLE_OIDC_NAME", "oidc-name", "single sign-on", "what the sign-in button calls the provider: Sign in with <name>", str(func(c *config) *string { return &c.OIDC.Name })},
		{"HIVECONSOLE_PASSWORD_SIGNIN", "password-signin", "on", "who may sign in with a password: on (everyone), or break-glass:EMAIL (only that admin; everyone else uses single sign-on)", func(c *config, v string) error {
			p, err := auth.ParsePasswordSignIn(v)
			c.PasswordSignIn = p
			return err
		}},
		{"HIVE_API_URL", "hive-api-url", "https://api.hive.id", "Hive API base URL", str(func(c *config) *string { return &c.HiveAPIURL })},
		{"HIVE_API_KEY", "hive-api-key", "", "Hive API key (empty: sandbox mode)", str(func(c *config) *string { return &c.HiveAPIKey })},
		{"HIVE_API_SECRET", "hive-api-secret", "", "Hive API secret", str(func(c *config) *string { return &c.HiveAPISecret })},
		{"HIVE_APPLICATION_KEY", "hive-application-key", "", "application key for new SDK sessions (sandbox: its own)", str(func(c *config) *string { return &c.HiveAppKey })},
		{"HIVE_FILES_HOSTS", "hive-files-hosts", "", "hosts the file proxy may fetch from (default: files. + the API's domain)", list(func(c *config) *[]string { return &c.FilesHosts })},
	}
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// parseConfig reads defaults, then the environment, then flags: a flag wins over its variable.
func parseConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var cfg config
	vars := configVars()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	flags := map[string]*string{}
	for _, v := range vars {
		flags[v.flag] = fs.String(v.flag, "", fmt.Sprintf("%s (env %s, default %q)", v.usage, v.env, v.def))
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return cfg, usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, v := range vars {
		val := v.def
		if e := getenv(v.env); e != "" {
			val = e
		}
		if set[v.flag] {
			val = *flags[v.flag]
		}
		if err := v.set(&cfg, val); err != nil {
			return cfg, usageError{fmt.Sprintf("%s: %v", v.env, err)}
		}
	}
	return cfg, cfg.finish()
}

// finish derives what follows from the rest and checks combinations.
func (c *config) finish() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return usageError{fmt.Sprintf("HIVECONSOLE_ADDR: want host:port, got %q", c.Addr)}
	}
	if (c.HiveAPIKey == "") != (c.HiveAPISecret == "") {
		return usageError{"HIVE_API_KEY and HIVE_API_SECRET go together: set both, or neither for sandbox mode"}
	}
	policy := c.mfaRequired
	if policy == "" {
		policy = "all"
		if c.sandboxMode() {
			policy = "none" // demo data: the README's first command signs in with the printed password alone
		}
	}
	p, err := auth.ParseMFAPolicy(policy)
	if err != nil {
		return usageError{"HIVECONSOLE_MFA_REQUIRED: " + err.Error()}
	}
	c.MFARequired = p
	if c.BaseURL == nil {
		host, port, _ := net.SplitHostPort(c.Addr)
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		c.BaseURL = &url.URL{Scheme: "http", Host: net.JoinHostPort(host, port)}
	}
	if c.WebhookURL != "" {
		if len(c.WebhookSecret) < 24 {
			return usageError{"HIVECONSOLE_WEBHOOK_SECRET: give the secret HIVECONSOLE_WEBHOOK_URL's events are signed with, at least 24 characters"}
		}
		if err := c.WebhookAllow.CheckURL(c.WebhookURL); err != nil {
			return usageError{"HIVECONSOLE_WEBHOOK_URL: " + err.Error()}
		}
	}
	if c.RetentionEvery != 0 && c.RetentionEvery < time.Hour {
		return usageError{"HIVECONSOLE_RETENTION_EVERY must be at least 1h, or 0 to leave retention to hiveconsole retention apply"}
	}
	if c.RetentionEvery != 0 && c.Retention.Off() {
		return usageError{"HIVECONSOLE_RETENTION_EVERY needs a policy: set HIVECONSOLE_RETENTION, e.g. decided=5y,incomplete=90d"}
	}
	if c.SyncInterval < time.Second {
		return usageError{"HIVECONSOLE_SYNC_INTERVAL must be at least 1s"}
	}
	if c.ClaimTTL < time.Minute {
		return usageError{"HIVECONSOLE_CLAIM_TTL must be at least 1m"}
	}
	if c.AbsTimeout < c.IdleTimeout {
		return usageError{"HIVECONSOLE_SESSION_MAX_AGE must not be shorter than HIVECONSOLE_SESSION_IDLE_TIMEOUT"}
	}
	if err := c.finishOIDC(); err != nil {
		return err
	}
	c.DataDir = filepath.Clean(c.DataDir)
	return nil
}

// finishOIDC checks single sign-on's settings go together, and points its callback at the base URL.
func (c *config) finishOIDC() error {
	if c.OIDC.Issuer == "" {
		if c.PasswordSignIn.BreakGlass != "" {
			return usageError{"HIVECONSOLE_PASSWORD_SIGNIN=break-glass needs single sign-on: set HIVECONSOLE_OIDC_ISSUER, or nobody but the break-glass admin could sign in"}
		}
		if c.OIDC.ClientID != "" || len(c.OIDC.Roles) > 0 {
			return usageError{"HIVECONSOLE_OIDC_CLIENT_ID and _ROLES need HIVECONSOLE_OIDC_ISSUER"}
		}
		return nil
	}
	iss, err := url.Parse(c.OIDC.Issuer)
	if err != nil || iss.Host == "" || (iss.Scheme != "https" && !(iss.Scheme == "http" && isLoopback(iss.Hostname()))) {
		return usageError{fmt.Sprintf("HIVECONSOLE_OIDC_ISSUER: want an https URL (http only on this machine), got %q", c.OIDC.Issuer)}
	}
	if c.OIDC.ClientID == "" {
		return usageError{"HIVECONSOLE_OIDC_ISSUER needs HIVECONSOLE_OIDC_CLIENT_ID"}
	}
	if len(c.OIDC.Roles) == 0 {
		return usageError{"HIVECONSOLE_OIDC_ISSUER needs HIVECONSOLE_OIDC_ROLES: without a mapping to roles nobody could sign in"}
	}
	c.OIDC.RedirectURL = c.BaseURL.String() + "/login/oidc/callback"
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
