package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/hiveconsole/hiveconsole/hive/sandbox"
)

// sandboxConfig is the sandbox command's configuration.
type sandboxConfig struct {
	addr       string
	dataDir    string
	demo       bool
	customers  int
	seed       uint64
	checkDelay time.Duration
	creds      sandbox.Credentials
}

func parseSandboxFlags(args []string, getenv func(string) string, stderr io.Writer) (sandboxConfig, error) {
	dataDir := defaultDataDir(getenv)
	var cfg sandboxConfig
	fs := flag.NewFlagSet("hiveconsole sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8090", "listen address")
	fs.StringVar(&cfg.dataDir, "data-dir", filepath.Join(dataDir, "sandbox"), "where the sandbox keeps its database and credentials")
	fs.BoolVar(&cfg.demo, "demo", false, "seed realistic demo data (about 150 customers) if the sandbox is empty")
	fs.IntVar(&cfg.customers, "customers", 0, "seed this many customers instead (for benchmarks); implies --demo")
	fs.Uint64Var(&cfg.seed, "seed", 1, "seed of the demo data: the same seed gives the same data")
	fs.DurationVar(&cfg.checkDelay, "check-delay", sandbox.DefaultCheckDelay, "how long a new check stays processing")
	fs.StringVar(&cfg.creds.APIKey, "api-key", "", "fix the API key (default: generated once into the data dir)")
	fs.StringVar(&cfg.creds.APISecret, "api-secret", "", "fix the API secret (default: generated once)")
	fs.StringVar(&cfg.creds.ApplicationKey, "application-key", "", "fix the application key (default: generated once)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return cfg, usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if cfg.customers < 0 {
		return cfg, usageError{"--customers must not be negative"}
	}
	cfg.demo = cfg.demo || cfg.customers > 0
	return cfg, nil
}

// runSandbox serves the Hive API sandbox until ctx ends.
func runSandbox(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseSandboxFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	base := "http://" + ln.Addr().String()
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	srv, err := sandbox.New(ctx, sandbox.Options{
		DataDir: cfg.dataDir, Credentials: cfg.creds, BaseURL: base, CheckDelay: cfg.checkDelay, Logger: logger,
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	if cfg.demo {
		start := time.Now()
		stats, err := srv.Seed(ctx, sandbox.SeedOptions{Seed: cfg.seed, Customers: cfg.customers})
		if err != nil {
			return fmt.Errorf("seed demo data: %w", err)
		}
		if stats.Skipped {
			fmt.Fprintln(stdout, "Demo data: the sandbox already has data; nothing seeded.")
		} else {
			fmt.Fprintf(stdout, "Demo data: %d customers, %d sessions, %d checks seeded in %s.\n",
				stats.Customers, stats.Sessions, stats.Checks, time.Since(start).Round(time.Millisecond))
			// Seeding a million customers leaves hundreds of megabytes of garbage that the runtime
			// would hand back to the system only over minutes; serving needs a few tens.
			debug.FreeOSMemory()
		}
	}
	printSandboxBanner(stdout, base, srv.Credentials())

	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func printSandboxBanner(w io.Writer, base string, c sandbox.Credentials) {
	fmt.Fprintf(w, `Hive API sandbox listening on %[1]s

  HIVE_API_URL=%[1]s
  HIVE_API_KEY=%[2]s
  HIVE_API_SECRET=%[3]s
  HIVE_APPLICATION_KEY=%[4]s

Try it:
  curl %[1]s/token -H "Authorization: Basic %[2]s:%[3]s"

Scenarios: curl %[1]s/sandbox/scenarios
Complete a session as the SDK would:
  curl %[1]s/sandbox/sessions/SESSION_ID/complete -H "Authorization: Bearer TOKEN" -d scenario=clear -X POST
`, base, c.APIKey, c.APISecret, c.ApplicationKey)
}
