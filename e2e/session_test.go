//go:build browser

package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestStreamEndsAtSignOutInAnotherTab: the overview keeps a live stream open while the demo's
// checks are processing; signing out in another tab of the same browser ends that stream at its
// next tick and sends the first tab to the sign-in page, which would bring it back to the overview.
func TestStreamEndsAtSignOutInAnotherTab(t *testing.T) {
	c := startConsole(t)
	ctx := browser(t)
	do(t, ctx, signIn(c.URL, "admin@localhost", adminPassword), chromedp.WaitVisible(chromedp.CSS(`[data-testid="recent-checks"]`)))
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="live-stream"]').length`)); err != nil || n != 1 {
		t.Fatalf("the overview opened no live stream (%d, %v): the demo has no processing check", n, err)
	}
	waitStreams(t, c.URL, "1")

	other, cancel := chromedp.NewContext(ctx) // a second tab of the same browser: same cookies
	defer cancel()
	do(t, other,
		chromedp.Navigate(c.URL+"/customers"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="user-menu"] summary`)),
		chromedp.Click(chromedp.CSS(`[data-testid="user-menu"] summary`)),
		chromedp.Click(chromedp.CSS(`[data-testid="sign-out"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
	)
	signedOut := time.Now()
	pollJS(t, ctx, "the first tab to be sent to the sign-in page",
		`location.pathname === '/login' && new URLSearchParams(location.search).get('next') === '/' && document.querySelector('[data-testid="login-form"]') !== null`,
		15*time.Second)
	t.Logf("the overview's tab reached the sign-in page %v after the sign-out", time.Since(signedOut).Round(100*time.Millisecond))
	waitStreams(t, c.URL, "0")
	do(t, ctx, screenshot("stream-signed-out"))
}

// waitStreams waits for the console's count of open live streams to read want.
func waitStreams(t *testing.T, base, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	got := ""
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/metrics")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			for _, line := range strings.Split(string(body), "\n") {
				if v, ok := strings.CutPrefix(line, "hiveconsole_sse_streams_active "); ok {
					got = v
				}
			}
			if got == want {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("open live streams: got %q, want %s", got, want)
}
