//go:build browser

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestCustomerSearchAsYouType: typing narrows the table in place and the address bar follows;
// sorting by a header and paging work the same way; the detail page opens from a row.
func TestCustomerSearchAsYouType(t *testing.T) {
	c := startConsole(t)
	ctx := browser(t)
	do(t, ctx,
		signIn(c.URL, "admin@localhost", adminPassword),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="recent-checks"]`)),
		chromedp.Navigate(c.URL+"/customers"),
		chromedp.WaitVisible(chromedp.CSS(`html[data-datastar="ready"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="customers"]`)),
		screenshot("customers"),
	)
	first := strings.TrimSpace(text(t, ctx, `[data-testid="customer-row"] td:nth-child(2)`))
	email := first[:strings.Index(first, "@")]
	do(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`[data-testid="customer-q"]`), email),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="pagination"]`)),
	)
	deadline := time.Now().Add(10 * time.Second)
	for {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		rows, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="customer-row"]').length`))
		if strings.Contains(loc, "q="+email) && rows >= 1 && rows < 25 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("search did not narrow in place: location %q, %d rows", loc, rows)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := text(t, ctx, `[data-testid="customer-row"] td:nth-child(2)`); !strings.Contains(got, email) {
		t.Errorf("first row %q does not match %q", got, email)
	}
	do(t, ctx, screenshot("customers-search"),
		chromedp.Clear(chromedp.CSS(`[data-testid="customer-q"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="customer-q"]`), " "),
		chromedp.Click(chromedp.CSS(`[data-testid="sort-name"]`)),
	)
	deadline = time.Now().Add(10 * time.Second)
	for {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		if strings.Contains(loc, "sort=name") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sorting did not update the address: %q", loc)
		}
		time.Sleep(50 * time.Millisecond)
	}
	do(t, ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="customer-row"] td:first-child a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="profile"]`)),
		screenshot("customer"),
	)
}

// customerFlow walks the support path: create (with a mistake, then fixed), issue a session,
// play the SDK, edit, delete with confirmation. It runs with JavaScript on and off.
func customerFlow(t *testing.T, ctx context.Context, url string, js bool) {
	t.Helper()
	suffix := "js"
	if !js {
		suffix = "nojs"
	}
	email := "grace." + suffix + "@example.com"
	do(t, ctx,
		chromedp.Navigate(url+"/customers"),
		chromedp.Click(chromedp.CSS(`[data-testid="new-customer"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="customer-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "not-an-email"),
		chromedp.SendKeys(chromedp.CSS(`#first_name`), "Grace"),
		chromedp.SendKeys(chromedp.CSS(`#last_name`), "Hopper"),
		chromedp.SendKeys(chromedp.CSS(`#phone`), "+44 20 7946 0958"),
		chromedp.SendKeys(chromedp.CSS(`#meta_key_0`), "plan"),
		chromedp.SendKeys(chromedp.CSS(`#meta_value_0`), "gold"),
		chromedp.Click(chromedp.CSS(`[data-testid="save-customer"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-email"]`)),
		screenshot("customer-form-error-"+suffix),
	)
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#last_name`))); v != "Hopper" {
		t.Fatalf("the last name typed was lost: %q", v)
	}
	do(t, ctx,
		chromedp.Clear(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), email),
		chromedp.Click(chromedp.CSS(`[data-testid="save-customer"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="profile"]`)),
	)
	if p := text(t, ctx, `[data-testid="profile"]`); !strings.Contains(p, "+442079460958") {
		t.Errorf("profile %q: want the phone normalised to E.164", p)
	}
	do(t, ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="issue-session"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="session-token"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="view-session"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="simulate-form"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="scenario-clear"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="simulate"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="session-customer-link"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="profile"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="edit-customer"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="customer-form"]`)),
		// A mistake first: the form says what is wrong, in place, and keeps the rest.
		chromedp.Clear(chromedp.CSS(`#dob`)),
		chromedp.SendKeys(chromedp.CSS(`#dob`), "31-02-1990"),
		chromedp.Clear(chromedp.CSS(`#last_name`)),
		chromedp.SendKeys(chromedp.CSS(`#last_name`), "Murray Hopper"),
		chromedp.Click(chromedp.CSS(`[data-testid="save-customer"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-dob"]`)),
		screenshot("customer-edit-error-"+suffix),
	)
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#last_name`))); v != "Murray Hopper" {
		t.Fatalf("the edit typed was lost: %q", v)
	}
	if js {
		if loc, _ := chromedp.Run(ctx, chromedp.Location()); strings.HasSuffix(loc, "/edit") {
			t.Errorf("with JavaScript the edit happens in place, not on %s", loc)
		}
	}
	done := `[data-testid="flash"]`
	if js {
		done = `[data-testid="toast"]`
	}
	do(t, ctx,
		// The fields were just patched in place; set the value through the DOM, as a select-all and
		// retype would (chromedp's Clear can act on the node it saw before the patch).
		replaceValue(`#dob`, "09-12-1946"),
		chromedp.Click(chromedp.CSS(`[data-testid="save-customer"]`)),
		chromedp.WaitVisible(chromedp.CSS(done)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="profile"]`)),
		screenshot("customer-edited-"+suffix),
	)
	if name := text(t, ctx, `[data-testid="customer-name"]`); name != "Grace Murray Hopper" {
		t.Errorf("after edit: %q", name)
	}
	do(t, ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="delete-customer"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="delete-form"]`)),
		screenshot("customer-delete-"+suffix),
		chromedp.SendKeys(chromedp.CSS(`#confirm_email`), email),
		chromedp.Click(chromedp.CSS(`[data-testid="confirm-delete"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
	)
	if flash := text(t, ctx, `[data-testid="flash"]`); !strings.Contains(flash, "deleted") {
		t.Errorf("after delete: flash %q", flash)
	}
}

func TestCustomerFlow(t *testing.T) {
	c := startConsole(t)
	ctx := browser(t)
	do(t, ctx, signIn(c.URL, "admin@localhost", adminPassword), chromedp.WaitVisible(chromedp.CSS(`[data-testid="recent-checks"]`)))
	customerFlow(t, ctx, c.URL, true)
}

func TestCustomerFlowWithoutJavaScript(t *testing.T) {
	c := startConsole(t)
	ctx := browser(t)
	do(t, ctx, chromedp.Navigate("about:blank"))
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, signIn(c.URL, "admin@localhost", adminPassword), chromedp.WaitVisible(chromedp.CSS(`[data-testid="recent-checks"]`)))
	customerFlow(t, ctx, c.URL, false)
}

// replaceValue sets an input's value and fires its input event, as typing over a selection does.
func replaceValue(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
			const el = document.querySelector(`+"`"+sel+"`"+`);
			el.value = `+"`"+value+"`"+`;
			el.dispatchEvent(new Event('input', {bubbles: true}));
			return true;
		})()`))
		return err
	})
}
