package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
)

// embeddedSandbox is the Hive sandbox that sandbox mode runs in-process on a loopback port.
type embeddedSandbox struct {
	URL   string
	Creds sandbox.Credentials
	Seed  sandbox.SeedStats
	srv   *sandbox.Server
	http  *http.Server
	done  chan error
}

// startEmbeddedSandbox starts the sandbox with its state under dataDir/sandbox, seeding demo data
// the first time.
func startEmbeddedSandbox(ctx context.Context, dataDir string, log *slog.Logger) (*embeddedSandbox, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("sandbox listener: %w", err)
	}
	url := "http://" + ln.Addr().String()
	srv, err := sandbox.New(ctx, sandbox.Options{
		DataDir: filepath.Join(dataDir, "sandbox"), BaseURL: url, CheckDelay: sandbox.DefaultCheckDelay,
		Logger: log.With(slog.String("component", "sandbox")),
	})
	if err != nil {
		ln.Close()
		return nil, err
	}
	stats, err := srv.Seed(ctx, sandbox.SeedOptions{Seed: 1})
	if err != nil {
		ln.Close()
		srv.Close()
		return nil, fmt.Errorf("seed the sandbox: %w", err)
	}
	e := &embeddedSandbox{
		URL: url, Creds: srv.Credentials(), Seed: stats, srv: srv, done: make(chan error, 1),
		http: &http.Server{Handler: srv, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute},
	}
	go func() { e.done <- e.http.Serve(ln) }()
	return e, nil
}

// Close stops the sandbox after the console has stopped using it.
func (e *embeddedSandbox) Close(ctx context.Context) error {
	err := e.http.Shutdown(ctx)
	if serr := <-e.done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return errors.Join(err, e.srv.Close())
}

// Scenarios lists the sandbox's scenarios for the console's "Simulate SDK submission".
func (e *embeddedSandbox) Scenarios() []handlers.Scenario {
	var out []handlers.Scenario
	for _, s := range sandbox.Scenarios() {
		out = append(out, handlers.Scenario{Name: string(s.Scenario), Title: s.Title, Description: s.Description, Result: string(s.Result)})
	}
	return out
}

// CompleteSession plays the SDK for a session with a scenario.
func (e *embeddedSandbox) CompleteSession(ctx context.Context, sessionID, scenario string) error {
	sc, err := sandbox.ParseScenario(scenario)
	if err != nil {
		return err
	}
	_, err = e.srv.CompleteSession(ctx, sessionID, sc)
	return err
}
