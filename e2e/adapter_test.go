//go:build browser

package e2e

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/static"
	"github.com/starfederation/datastar-go/datastar"
)

// adapterPage is a page with a target for every patch mode, laid out like the console's pages: the
// bundle loaded as a module with the response's nonce, a CSRF meta tag, nothing inline.
const adapterPage = `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="csrf-token" content="tok-123">
<script nonce="%[1]s" src="/violations.js"></script>
<script type="module" nonce="%[1]s" src="%[2]s"></script></head>
<body data-signals="{count: 0, name: 'none'}">
<div id="outer"><span>old</span></div>
<div id="inner"><span>old</span></div>
<div id="replace">old</div>
<ul id="list"><li id="middle">middle</li></ul>
<div id="gone">still here</div>
<p id="count" data-text="$count"></p><p id="name" data-text="$name"></p>
<p id="csrf"></p>
<button id="run" data-on-click="@get('/events')">run</button>
<button id="post" data-on-click="@post('/echo-csrf')">post</button>
</body></html>`

// violations.js records CSP violations where the test can read them.
const violationsJS = `document.addEventListener('securitypolicyviolation', (e) => {
  document.documentElement.dataset.violations = (document.documentElement.dataset.violations || '') + e.violatedDirective + ' ';
});`

// TestDatastarAdapter sends every event the console's server library (datastar-go) can send —
// patch-elements in each mode, patch-signals, a script — to the real bundle in Chromium, under
// the console's real CSP, and checks the page and that nothing was blocked.
func TestDatastarAdapter(t *testing.T) {
	assets, err := static.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if err := assets.CheckBundle(); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/static/", assets)
	mux.HandleFunc("/violations.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, violationsJS)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		nonce := fmt.Sprintf("n%d", time.Now().UnixNano())
		w.Header().Set("Content-Security-Policy", handlers.ContentSecurityPolicy(nonce))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, adapterPage, nonce, assets.Path(static.Bundle))
	})
	mux.HandleFunc("/events", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", handlers.ContentSecurityPolicy("unused"))
		sse := datastar.NewSSE(w, r)
		steps := []error{
			sse.PatchElements(`<div id="outer"><b>outer done</b></div>`),
			sse.PatchElements(`<em>inner done</em>`, datastar.WithSelectorID("inner"), datastar.WithModeInner()),
			sse.PatchElements(`<section id="replaced">replace done</section>`, datastar.WithSelectorID("replace"), datastar.WithModeReplace()),
			sse.PatchElements(`<li>first</li>`, datastar.WithSelectorID("list"), datastar.WithModePrepend()),
			sse.PatchElements(`<li>last</li>`, datastar.WithSelectorID("list"), datastar.WithModeAppend()),
			sse.PatchElements(`<li>before</li>`, datastar.WithSelectorID("middle"), datastar.WithModeBefore()),
			sse.PatchElements(`<li>after</li>`, datastar.WithSelectorID("middle"), datastar.WithModeAfter()),
			sse.RemoveElementByID("gone"),
			sse.MarshalAndPatchSignals(map[string]any{"count": 5, "name": "patched"}),
			sse.ExecuteScript(`document.documentElement.dataset.script = 'ran'`),
		}
		for _, err := range steps {
			if err != nil {
				t.Errorf("send: %v", err)
			}
		}
	})
	mux.HandleFunc("/echo-csrf", func(w http.ResponseWriter, r *http.Request) {
		sse := datastar.NewSSE(w, r)
		_ = sse.PatchElements(`<p id="csrf">` + html.EscapeString(r.Header.Get("X-CSRF-Token")) + `</p>`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	ctx := browser(t)
	do(t, ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`html[data-datastar="ready"]`)),
		chromedp.Click(chromedp.CSS(`#run`)),
		chromedp.WaitVisible(chromedp.CSS(`html[data-script="ran"]`)),
		chromedp.Click(chromedp.CSS(`#post`)),
		chromedp.WaitVisible(chromedp.CSS(`#csrf:not(:empty)`)),
	)
	checks := []struct{ sel, want string }{
		{"#outer", "outer done"},
		{"#inner", "inner done"},
		{"#replaced", "replace done"},
		{"#list", "first before middle after last"},
		{"#count", "5"},
		{"#name", "patched"},
		{"#csrf", "tok-123"},
	}
	for _, c := range checks {
		got := strings.Join(strings.Fields(text(t, ctx, c.sel)), " ")
		if got != c.want {
			t.Errorf("%s: got %q, want %q", c.sel, got, c.want)
		}
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#gone, #replace').length`)); n != 0 {
		t.Errorf("removed or replaced elements remain: %d", n)
	}
	if v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.dataset.violations || ''`)); v != "" {
		t.Errorf("CSP violations: %s", v)
	}
}
