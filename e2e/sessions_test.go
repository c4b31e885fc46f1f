//go:build browser

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// sessionPoll waits up to ten seconds for cond, failing the test with what it was waiting for.
func sessionPoll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// chooseStatus picks a status in the list's filter as a user would: the bound signal follows the
// input event, and the change event asks for the table.
func chooseStatus(status string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
			const s = document.querySelector('[data-testid="session-status-filter"]');
			s.value = '`+status+`';
			s.dispatchEvent(new Event('input', {bubbles: true}));
			s.dispatchEvent(new Event('change', {bubbles: true}));
			return true;
		})()`))
		return err
	})
}

// TestSessionSimulateFlow walks sandbox mode's end-to-end story in the browser: from a customer to
// the session list, filtered in place to sessions still waiting for the customer, into one of them,
// "Simulate SDK submission" with a scenario, and the session now completed.
func TestSessionSimulateFlow(t *testing.T) {
	c := startConsole(t)
	ctx := browser(t)
	do(t, ctx,
		signIn(c.URL, "admin@localhost", adminPassword),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="recent-checks"]`)),
		chromedp.Navigate(c.URL+"/customers"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="customers"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="customer-row"] td:first-child a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="profile"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="nav"] a[href="/sessions"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[data-datastar="ready"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="sessions"]`)),
		screenshot("sessions"),
		chooseStatus("created"),
	)
	sessionPoll(t, "the list to narrow to created sessions in place", func() bool {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		other, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="session-row"]:not([data-status="created"])').length`))
		rows, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="session-row"]').length`))
		return strings.Contains(loc, "status=created") && rows > 0 && other == 0
	})
	do(t, ctx, screenshot("sessions-created"),
		chromedp.Click(chromedp.CSS(`[data-testid="sort-expires"]`)),
	)
	sessionPoll(t, "sorting by expiry to reach the address bar", func() bool {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		return strings.Contains(loc, "sort=expires") && strings.Contains(loc, "status=created")
	})
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`[data-testid="session-row"] [data-testid="session-link"]`), "href"))
	if err != nil || !href.Exists {
		t.Fatalf("first row's link: %v", err)
	}
	id := strings.TrimPrefix(href.Value, "/sessions/")
	do(t, ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="session-row"] [data-testid="session-link"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="simulate-form"]`)),
		screenshot("session-simulate"),
		chromedp.Click(chromedp.CSS(`[data-testid="scenario-face_mismatch"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="simulate"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
		screenshot("session-completed"),
	)
	if flash := text(t, ctx, `[data-testid="flash"]`); !strings.Contains(flash, "Face mismatch") {
		t.Errorf("flash %q, want the scenario named", flash)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/sessions/"+id) {
		t.Errorf("after simulating: at %q, want the session's page", loc)
	}
	if st := text(t, ctx, `[data-testid="session"] [data-testid="session-status"]`); !strings.Contains(st, "Completed") {
		t.Errorf("status %q, want Completed", st)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="simulate-form"]').length`)); n != 0 {
		t.Error("a completed session still offers simulation")
	}
}

// TestIssueAndDeleteSession: a session issued for a customer shows its token once; the session's
// page does not; deleting it asks first, then it is gone from the list.
func TestIssueAndDeleteSession(t *testing.T) {
	c := startConsole(t)
	ctx := browser(t)
	do(t, ctx,
		signIn(c.URL, "admin@localhost", adminPassword),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="recent-checks"]`)),
		chromedp.Navigate(c.URL+"/customers"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="customers"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="customer-row"] td:first-child a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="profile"]`)),
	)
	// The customer page's own button belongs to the customer pages; this posts the same form, with
	// the page's CSRF token, so the test does not depend on that page's markup.
	do(t, ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
			const f = document.createElement('form');
			f.method = 'post';
			f.action = location.pathname + '/sessions';
			const t = document.createElement('input');
			t.type = 'hidden'; t.name = 'csrf_token';
			t.value = document.querySelector('meta[name="csrf-token"]').content;
			f.appendChild(t);
			document.body.appendChild(f);
			f.submit();
			return true;
		})()`))
		return err
	}),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="session-token"]`)),
		screenshot("session-issued"),
	)
	token := strings.TrimSpace(text(t, ctx, `[data-testid="session-token"]`))
	if strings.Count(token, ".") != 2 {
		t.Fatalf("token %q is not a JWT", token)
	}
	do(t, ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="view-session"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="session"]`)),
	)
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS(`html`)))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, token) {
		t.Error("the session's page shows the token")
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	id := loc[strings.LastIndex(loc, "/")+1:]
	do(t, ctx,
		chromedp.Click(chromedp.CSS(`button[data-testid="delete-session"]`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog#delete-session[open]`)),
		screenshot("session-confirm-delete"),
		chromedp.Click(chromedp.CSS(`[data-testid="delete-session-confirm"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="sessions"]`)),
	)
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('a[href="/sessions/`+id+`"]').length`)); n != 0 {
		t.Errorf("deleted session %s is still listed", id)
	}
}
