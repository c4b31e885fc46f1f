package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
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
		{nil, true, ""},
		{[]string{"nope"}, true, ""},
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
