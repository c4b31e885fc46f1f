//go:build browser

// Package e2e drives the real console binary in a real Chromium. It runs with
// `go test -tags browser ./e2e/` (part of `go tool task test`), after the browser bundle is built.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

const adminPassword = "correct horse battery staple 42"

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hiveconsole-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "hiveconsole")
	build := exec.Command("go", "build", "-o", binary, "..")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// console is a running hiveconsole serve.
type console struct {
	URL string
	cmd *exec.Cmd
}

// startConsole runs the binary in sandbox mode on a free port with a fresh data dir.
func startConsole(t *testing.T, env ...string) *console {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(binary, "serve")
	cmd.Env = append(os.Environ(), "HIVECONSOLE_ADDR="+addr, "HIVECONSOLE_DATA_DIR="+t.TempDir(),
		"HIVECONSOLE_ADMIN_PASSWORD="+adminPassword, "HIVE_API_KEY=", "HIVE_API_SECRET=")
	cmd.Env = append(cmd.Env, env...)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if testing.Verbose() {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, bufio.NewReader(stdout)) }()
	c := &console{URL: "http://" + addr, cmd: cmd}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("the console did not stop within 10 s of SIGINT")
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(c.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return c
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the console did not answer /healthz: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// browser starts a headless Chromium with the flags this machine needs.
func browser(t *testing.T, opts ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	return browserWithin(t, 60*time.Second, opts...)
}

// browserWithin is browser for a test that needs longer than a minute.
func browserWithin(t *testing.T, limit time.Duration, opts ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	all := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1440, 900),
	}, opts...)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), all...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, limit)
	t.Cleanup(cancel3)
	return ctx
}

func chromiumPath(t *testing.T) string {
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	t.Fatal("Chromium is required for the browser suite (.ci/run installs it: apt-get install chromium)")
	return ""
}

// screenshot saves a full-page PNG when SCREENSHOTS names a folder, for looking at pages.
func screenshot(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		dir := os.Getenv("SCREENSHOTS")
		if dir == "" {
			return nil
		}
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
	})
}

func signIn(url, email, password string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(url+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), email),
		chromedp.SendKeys(chromedp.CSS(`#password`), password),
		chromedp.Click(chromedp.CSS(`[data-testid="sign-in"]`)),
	)
}

// text reads an element's text, failing the test on error.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func TestSignInOverviewSignOut(t *testing.T) {
	c := startConsole(t)
	ctx := browser(t)
	do(t, ctx,
		chromedp.Navigate(c.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
		screenshot("login"),
		signIn(c.URL, "admin@localhost", adminPassword),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="recent-checks"]`)),
		screenshot("overview"),
	)
	nav, badge, counts := text(t, ctx, `[data-testid="nav"]`), text(t, ctx, `[data-testid="env-badge"]`), text(t, ctx, `[data-testid="counts"]`)
	if !strings.Contains(nav, "Overview") || !strings.EqualFold(strings.TrimSpace(badge), "sandbox") {
		t.Errorf("nav %q badge %q", nav, badge)
	}
	if !regexp.MustCompile(`Customers\s*150`).MatchString(counts) {
		t.Errorf("counts: got %q, want 150 customers", counts)
	}
	do(t, ctx,
		chromedp.Navigate(c.URL+"/users"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="users"]`)),
		screenshot("users"),
		chromedp.Click(chromedp.CSS(`[data-testid="new-user"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="user-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "ada@example.com"),
		chromedp.SendKeys(chromedp.CSS(`#name`), "Ada Reviewer"),
		chromedp.Click(chromedp.CSS(`[data-testid="user-form"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="new-password"]`)),
		screenshot("user-created"),
		chromedp.Click(chromedp.CSS(`button[data-testid="disable"]`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog#disable[open]`)),
		screenshot("confirm-disable"),
		chromedp.Click(chromedp.CSS(`[data-testid="disable-confirm"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
		chromedp.Navigate(c.URL+"/account/password"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="password-form"]`)),
		screenshot("password"),
		chromedp.Navigate(c.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="recent-checks"]`)),
	)
	do(t, ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="user-menu"] summary`)),
		chromedp.Click(chromedp.CSS(`[data-testid="sign-out"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
	)
	if flash := text(t, ctx, `[data-testid="flash"]`); !strings.Contains(flash, "signed out") {
		t.Errorf("after sign-out: flash %q", flash)
	}
	do(t, ctx, chromedp.Navigate(c.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)))
}

// TestSignInWithoutJavaScript: the sign-in form and the overview are plain HTML, so staff whose
// browser runs no scripts can still work.
func TestSignInWithoutJavaScript(t *testing.T) {
	c := startConsole(t)
	ctx := browser(t)
	do(t, ctx, chromedp.Navigate("about:blank"))
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx,
		signIn(c.URL, "admin@localhost", adminPassword),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="recent-checks"]`)),
	)
	if ready, _ := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`html`), "data-datastar")); ready.Exists {
		t.Fatal("scripts ran although JavaScript is disabled")
	}
	do(t, ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="user-menu"] summary`)),
		chromedp.Click(chromedp.CSS(`[data-testid="sign-out"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
	)
}
