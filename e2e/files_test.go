//go:build browser

package e2e

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestFilesListFiltersAsYouType: the files list shows each image as a thumbnail with its type in
// words and its customer; typing a customer's name narrows the rows in place and puts the search in
// the address bar.
func TestFilesListFiltersAsYouType(t *testing.T) {
	c := startConsole(t)
	ctx := browserWithin(t, 90*time.Second)
	problems := watchProblems(t, ctx)
	do(t, ctx, signIn(c.URL, "admin@localhost", adminPassword), chromedp.WaitVisible(chromedp.CSS(`[data-testid="recent-checks"]`)),
		chromedp.Navigate(c.URL+"/files"), chromedp.WaitVisible(chromedp.CSS(`html[data-datastar="ready"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="file-row"] [data-testid="file-customer"]`)))
	pollJS(t, ctx, "the thumbnails to load", `[...document.querySelectorAll('[data-testid="file-thumb"]')].slice(0, 3)
		.every(i => i.complete && i.naturalWidth > 0)`, 10*time.Second)
	if v := evalString(t, ctx, `document.querySelector('[data-testid="file-row"] .file-cell__label').textContent`); v != "Document, front" &&
		v != "Document, back" && v != "Selfie" {
		t.Errorf("a row's type reads %q, want it in words", v)
	}
	name := evalString(t, ctx, `document.querySelector('[data-testid="file-row"] [data-testid="file-customer"]').textContent.trim()`)
	quoted, _ := json.Marshal(name)
	do(t, ctx, chromedp.SendKeys(chromedp.CSS(`[data-testid="file-search"]`), name))
	pollJS(t, ctx, "the rows to narrow to "+name+"'s files in place",
		`location.search.includes('q=') && [...document.querySelectorAll('[data-testid="file-row"]')].length > 0 &&
		[...document.querySelectorAll('[data-testid="file-row"]')].every(r => r.querySelector('[data-testid="file-customer"]')?.textContent.trim() === `+
			string(quoted)+`)`, 10*time.Second)
	do(t, ctx, screenshot("files-search"))
	if p := problems.all(); len(p) != 0 {
		t.Errorf("page problems: %v", p)
	}
}
