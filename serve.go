package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/evidence"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/notes"
	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/retention"
	"github.com/hiveconsole/hiveconsole/review"
	"github.com/hiveconsole/hiveconsole/static"
	"github.com/hiveconsole/hiveconsole/webhooks"
)

// Server timeouts. SSE handlers lift the write deadline for their own responses.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 2 * time.Minute
	shutdownTimeout   = 15 * time.Second
)

// runServe runs the console until ctx ends, then shuts down gracefully.
func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig("hiveconsole serve", args, getenv, stderr)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL != "" && len(cfg.SessionKeys) == 0 {
		// Keys generated into one replica's data dir would sign cookies no other replica accepts.
		return usageError{"with HIVECONSOLE_DATABASE_URL, set HIVECONSOLE_SESSION_KEYS too: every replica must sign sessions with the same keys"}
	}
	if cfg.DatabaseURL != "" && cfg.MFAKey == "" {
		return usageError{"with HIVECONSOLE_DATABASE_URL, set HIVECONSOLE_MFA_KEY too: every replica must read the same authenticator secrets"}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	db, err := openDatabase(ctx, cfg.DataDir, cfg.DatabaseURL, false)
	if err != nil {
		return err
	}
	defer db.Close()
	keys, err := auth.LoadSessionKeys(cfg.DataDir, strings.Join(cfg.SessionKeys, ","))
	if err != nil {
		return err
	}
	mfaKey, err := auth.LoadMFAKey(cfg.DataDir, cfg.MFAKey)
	if err != nil {
		return err
	}
	evidenceKey, err := loadEvidenceKey(cfg)
	if err != nil {
		return err
	}
	staff, err := auth.NewService(ctx, db, auth.Config{BaseURL: cfg.BaseURL.String(), SessionKeys: keys, MFAKey: mfaKey, TrustedProxies: cfg.Proxies,
		IdleTimeout: cfg.IdleTimeout, AbsoluteTimeout: cfg.AbsTimeout, Logger: log.With(slog.String("component", "auth"))})
	if err != nil {
		return err
	}
	created, generated, err := staff.EnsureFirstAdmin(ctx, cfg.AdminEmail, cfg.AdminPassword)
	if err != nil {
		return fmt.Errorf("first admin: %w", err)
	}
	// The webhooks' endpoints that configuration names, before anything runs in the background.
	hooks, err := webhooks.New(db, mfaKey, nil)
	if err != nil {
		return err
	}
	if err := hooks.Configure(ctx, cfg.WebhookURL, cfg.WebhookSecret); err != nil {
		return err
	}
	if err := hooks.ConfigureWriteback(ctx, cfg.Writeback); err != nil {
		return err
	}
	stopPurging := startPurging(ctx, staff, purgeInterval, log.With(slog.String("component", "auth")))
	defer stopPurging() // before the database closes

	metrics := handlers.NewMetrics()
	hiveCfg := hive.Config{BaseURL: cfg.HiveAPIURL, APIKey: cfg.HiveAPIKey, APISecret: hive.Secret(cfg.HiveAPISecret),
		ApplicationKey: cfg.HiveAppKey, FilesHosts: cfg.FilesHosts, Observe: metrics.ObserveHive,
		InvalidItem: metrics.InvalidHiveItem, Logger: log.With(slog.String("component", "hive"))}
	var sb *embeddedSandbox
	if cfg.sandboxMode() {
		if sb, err = startEmbeddedSandbox(ctx, cfg.DataDir, log); err != nil {
			return err
		}
		defer func() {
			closeCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = sb.Close(closeCtx)
		}()
		hiveCfg.BaseURL, hiveCfg.APIKey, hiveCfg.APISecret = sb.URL, sb.Creds.APIKey, hive.Secret(sb.Creds.APISecret)
		hiveCfg.ApplicationKey = sb.Creds.ApplicationKey
	}
	client, err := hive.New(hiveCfg)
	if err != nil {
		return err
	}
	metrics.WatchBreakers(client.BreakerStates)
	assets, err := static.Embedded()
	if err != nil {
		return err
	}
	if err := assets.CheckBundle(); err != nil {
		log.Warn("pages will not be live", slog.Any("err", err))
	}
	var simulator handlers.Simulator
	if sb != nil {
		simulator = sb
	}
	copyOfHive := readmodel.New(db, nil)
	copyOfHive.SetLinkCrowd(cfg.LinkedCrowd)
	host, _ := os.Hostname()
	syncer := readmodel.NewSyncer(copyOfHive, client, readmodel.SyncConfig{Interval: cfg.SyncInterval,
		Holder: host + " " + cfg.Addr + " " + rand.Text()[:8], // which replica syncs, for people reading sync_lease
		Log:    log.With(slog.String("component", "sync")), Rows: metrics.SyncPass, Failed: metrics.SyncFailed})
	if sb != nil {
		// The embedded sandbox is local and small: copy it before the first page, so a new user
		// never sees an empty list. Against the real Hive, pages answer at once with what the copy
		// holds while the first sync runs.
		if err := syncer.Pass(ctx); err != nil {
			log.Warn("first sync of the sandbox", slog.Any("err", err))
		}
	}
	metrics.WatchSyncLag(func() float64 {
		lagCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		st, err := copyOfHive.Status(lagCtx)
		if err != nil || st.SyncedAt.IsZero() {
			return math.NaN()
		}
		return time.Since(st.SyncedAt).Seconds()
	})
	stopSnapshots := startQueueSnapshots(ctx, copyOfHive, cfg.Queue, cfg.ServiceTimes, snapshotInterval,
		log.With(slog.String("component", "insights")))
	defer stopSnapshots()
	syncCtx, stopSync := context.WithCancel(ctx)
	syncDone := make(chan struct{})
	go func() { defer close(syncDone); _ = syncer.Run(syncCtx) }()
	defer func() { // before the database closes; the lease is given up for another replica
		stopSync()
		<-syncDone
		releaseCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = copyOfHive.Release(releaseCtx, syncer.Holder())
	}()
	ledger := review.New(db, nil, cfg.ClaimTTL)
	ledger.OnRecord(hooks.Recorded) // each decision's event is written with it
	stopDelivering := startDelivering(ctx, hooks, client, cfg, host, log.With(slog.String("component", "webhooks")))
	defer stopDelivering() // before the database closes

	sso, err := startSingleSignOn(ctx, cfg.OIDC, log)
	if err != nil {
		return err
	}
	app, err := handlers.New(handlers.Config{
		SingleSignOn: sso, PasswordSignIn: cfg.PasswordSignIn, EvidenceKey: evidenceKey, Version: version, Holds: retention.NewHolds(db, nil), Retention: cfg.Retention, RetentionEvery: cfg.RetentionEvery, Planner: retention.NewPlanner(db), Webhooks: hooks, WebhookAllow: cfg.WebhookAllow, APITokens: hooks,
		Simulator: simulator,
		BaseURL:   cfg.BaseURL, Sandbox: cfg.sandboxMode(), HiveHost: hostOf(client.BaseURL()), TrustedProxies: cfg.Proxies,
		Hive: client, HivePing: client.Ping, HiveUnreachable: client.Unreachable, Staff: staff, StaffAdmin: staff, Sessions: staff.Sessions(), SecondFactor: staff, Passkeys: staff, MFARequired: cfg.MFARequired, AccountSessions: staff, Assets: assets,
		Reviews: ledger, Notes: notes.New(db, nil), RejectReasons: cfg.RejectReasons, Queue: cfg.Queue, FourEyes: cfg.FourEyes, ServiceTimes: cfg.ServiceTimes, LinkedCrowd: cfg.LinkedCrowd, Audit: audit.New(db, nil), Read: copyOfHive,
		Metrics: metrics, Logger: log, MaxStreamsPerSession: cfg.StreamsPerSession, MaxStreams: cfg.Streams,
	})
	if err != nil {
		return err
	}

	stopRetention := startRetention(ctx, cfg, db, client, copyOfHive, hooks, host, log.With(slog.String("component", "retention")))
	defer stopRetention() // before the database closes

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: app, ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readTimeout,
		WriteTimeout: writeTimeout, IdleTimeout: idleTimeout, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	srv.RegisterOnShutdown(app.Shutdown)
	printBanner(stdout, cfg, ln.Addr(), sb, created, generated, append(signInNotes(ctx, cfg, staff, log), evidenceNote(evidenceKey), retentionNote(cfg)))

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// startSingleSignOn builds the OpenID provider when an issuer is set, and reads its discovery
// document once: a provider that is down does not stop the console (passwords still work, the
// button says the provider cannot be reached), and the console tries again at each sign-in.
func startSingleSignOn(ctx context.Context, cfg auth.OIDCConfig, log *slog.Logger) (handlers.SingleSignOn, error) {
	if cfg.Issuer == "" {
		return nil, nil
	}
	o, err := auth.NewOIDC(cfg)
	if err != nil {
		return nil, err
	}
	discoverCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := o.Discover(discoverCtx); err != nil {
		log.Warn("single sign-on: the OpenID provider cannot be reached; the console tries again at each sign-in",
			slog.String("issuer", cfg.Issuer), slog.Any("err", err))
	}
	return o, nil
}

// signInNotes are the banner's lines about signing in beyond the password: a break-glass account
// that cannot break the glass, and where passkeys work.
func signInNotes(ctx context.Context, cfg config, staff *auth.Service, log *slog.Logger) []string {
	var notes []string
	if email := cfg.PasswordSignIn.BreakGlass; email != "" {
		if u, err := staff.UserByEmail(ctx, email); err != nil || u.Disabled || u.Role != auth.RoleAdmin {
			notes = append(notes, fmt.Sprintf("WARNING: HIVECONSOLE_PASSWORD_SIGNIN names %s, which is not an enabled admin account:", email),
				"nobody can sign in with a password while single sign-on is down (hiveconsole user create makes one).")
			log.Warn("the break-glass account is not an enabled admin", slog.String("setting", "HIVECONSOLE_PASSWORD_SIGNIN"))
		}
	}
	if origin := staff.PasskeyOrigin(); origin != "" {
		notes = append(notes, "Passkeys: staff add them on their Security page at "+origin+"/account/security.")
	}
	return notes
}

// loadEvidenceKey is the key that signs evidence packs: HIVECONSOLE_EVIDENCE_KEY, or one generated
// into the data directory. With PostgreSQL (several replicas) only a configured key will do, since
// each replica would otherwise sign with its own; without one, packs are off (nil).
func loadEvidenceKey(cfg config) (*evidence.Key, error) {
	if cfg.DatabaseURL != "" && strings.TrimSpace(cfg.EvidenceKey) == "" {
		return nil, nil
	}
	k, err := evidence.LoadKey(cfg.DataDir, cfg.EvidenceKey)
	if err != nil {
		return nil, err
	}
	return &k, nil
}

// evidenceNote is the banner's line about evidence packs.
func evidenceNote(k *evidence.Key) string {
	if k == nil {
		return "Evidence packs: off; set HIVECONSOLE_EVIDENCE_KEY (the same on every replica) to sign them."
	}
	return "Evidence packs are signed with " + evidence.FormatPublicKey(k.Public()) + " (fingerprint " + evidence.Fingerprint(k.Public()) + ")."
}

// retentionCheck is how often serve's schedule asks whether a retention run is due.
const retentionCheck = 5 * time.Minute

// startRetention runs the retention schedule when HIVECONSOLE_RETENTION_EVERY is set, until the
// returned stop is called. A run is planned only from a copy of Hive synced within three sync
// intervals (15 minutes at least), so a check made just now still saves its customer.
func startRetention(ctx context.Context, cfg config, db *database.DB, client *hive.Client, copyOfHive *readmodel.Store,
	hooks *webhooks.Store, host string, log *slog.Logger) (stop func()) {
	if cfg.RetentionEvery == 0 || cfg.Retention.Off() {
		return func() {}
	}
	a := &retention.Applier{DB: db, Hive: client, Copy: copyOfHive, Notes: notes.New(db, nil), Reviews: review.New(db, nil, 0),
		Trail: audit.New(db, nil), Holder: host + " " + cfg.Addr + " " + rand.Text()[:8], MaxLag: max(15*time.Minute, 3*cfg.SyncInterval), Log: log,
		Deleted: hooks.CustomerDeleted}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.Schedule(ctx, cfg.Retention, cfg.RetentionEvery, retentionCheck)
	}()
	return func() { cancel(); <-done }
}

// deliverEvery is how often a replica looks for webhook deliveries due.
const deliverEvery = time.Second

// startDelivering sends the webhooks' outbox in the background until the returned stop is called,
// and writes decisions back to Hive when that is on. Every replica sends; each delivery is claimed
// by one.
func startDelivering(ctx context.Context, hooks *webhooks.Store, client *hive.Client, cfg config, host string, log *slog.Logger) (stop func()) {
	d := &webhooks.Dispatcher{Store: hooks, Allow: cfg.WebhookAllow, Holder: host + " " + cfg.Addr + " " + rand.Text()[:8], Log: log,
		WriteBack: webhooks.WriteBack(client)}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.Run(ctx, deliverEvery)
	}()
	return func() { cancel(); <-done }
}

// retentionNote is the banner's line about retention.
func retentionNote(cfg config) string {
	switch {
	case cfg.Retention.Off():
		return "Retention: no policy (HIVECONSOLE_RETENTION); nothing is deleted on a schedule."
	case cfg.RetentionEvery == 0:
		return "Retention: policy " + cfg.Retention.String() + ", applied only by hiveconsole retention apply --yes."
	default:
		return "Retention: policy " + cfg.Retention.String() + ", applied every " + cfg.RetentionEvery.String() + " (see /retention)."
	}
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// printBanner says, once, where the console is and how to sign in.
func printBanner(w io.Writer, cfg config, addr net.Addr, sb *embeddedSandbox, created bool, generated string, notes []string) {
	url := cfg.BaseURL.String()
	if tcp, ok := addr.(*net.TCPAddr); ok && cfg.BaseURL.Port() != fmt.Sprint(tcp.Port) && !strings.Contains(url, fmt.Sprint(tcp.Port)) {
		url = "http://" + addr.String() // listening on a port other than the configured one (":0" in tests)
	}
	fmt.Fprintf(w, "\nHive Console %s is running at %s\n", version, url)
	if sb != nil {
		fmt.Fprintf(w, "  SANDBOX MODE: demo data on a local Hive sandbox at %s (no Hive credentials configured)\n", sb.URL)
		if !sb.Seed.Skipped {
			fmt.Fprintf(w, "  Seeded %d customers, %d sessions and %d checks.\n", sb.Seed.Customers, sb.Seed.Sessions, sb.Seed.Checks)
		}
	}
	switch {
	case created && generated != "":
		fmt.Fprintf(w, "\n  Sign in as %s with the password %s\n  It is shown only this once: change it after signing in.\n", cfg.AdminEmail, generated)
	case created:
		fmt.Fprintf(w, "\n  Sign in as %s with the password from HIVECONSOLE_ADMIN_PASSWORD.\n", cfg.AdminEmail)
	default:
		fmt.Fprintf(w, "\n  Sign in with your staff account (hiveconsole user list shows them).\n")
	}
	if cfg.OIDC.Issuer != "" {
		fmt.Fprintf(w, "  Single sign-on: %s, callback %s; password sign-in: %s.\n", cfg.OIDC.Issuer, cfg.OIDC.RedirectURL, cfg.PasswordSignIn)
	}
	for _, line := range notes {
		fmt.Fprintf(w, "  %s\n", line)
	}
	switch policy := cfg.MFARequired.String(); policy {
	case "none":
		fmt.Fprintf(w, "  Two-factor sign-in: optional for every role (HIVECONSOLE_MFA_REQUIRED=none); staff turn it on from their Security page.\n")
	case "all":
		fmt.Fprintf(w, "  Two-factor sign-in: required for every role; staff without it set it up right after their password.\n")
	default:
		fmt.Fprintf(w, "  Two-factor sign-in: required for %s; optional for the other roles.\n", strings.ReplaceAll(policy, ",", ", "))
	}
	fmt.Fprintln(w)
}
