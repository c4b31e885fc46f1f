//go:build browser

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// recordViolations runs before any script of every page (CDP-injected, so the CSP does not
// apply to it) and keeps the page's CSP violations where the test can read them.
const recordViolations = `window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI);
});`

// pageProblems collects what a page reports as going wrong: console.error calls, uncaught
// exceptions and error entries of the browser's log (where CSP refusals also appear).
type pageProblems struct {
	mu   sync.Mutex
	list []string
}

func (p *pageProblems) add(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.list = append(p.list, s)
}

func (p *pageProblems) all() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.list...)
}

// watchProblems starts recording ctx's page problems; call it before the first navigation.
func watchProblems(t *testing.T, ctx context.Context) *pageProblems {
	t.Helper()
	p := &pageProblems{}
	if err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				p.add("console.error: " + strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			p.add("exception: " + msg)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				p.add(fmt.Sprintf("log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: recordViolations}); err != nil {
		t.Fatal(err)
	}
	return p
}

// evalString evaluates js, failing the test on error.
func evalString(t *testing.T, ctx context.Context, js string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return s
}

// waitFor polls the page until js is truthy, failing with what instead.
func waitFor(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Fatalf("%s: %v (pane: %s)", what, err, evalString(t, ctx, paneState))
	}
}

// pane is the first viewer on the report page: the document.
const pane = `.compare__pane:nth-child(1)`

// paneState is the first pane's state, for failure messages.
const paneState = `(() => {
	const p = document.querySelector('` + pane + `');
	if (!p) return 'no pane';
	const img = p.querySelector('img');
	return JSON.stringify({zoom: p.dataset.zoom, rotate: p.dataset.rotate, x: p.dataset.panX, y: p.dataset.panY,
		full: p.hasAttribute('data-fullscreen'), requested: p.dataset.fullscreenRequested ?? '',
		fullscreenElement: document.fullscreenElement?.className ?? null,
		transform: getComputedStyle(img).transform, out: p.querySelector('[data-viewer-zoom]').textContent});
})()`

// matrix reads the first pane image's computed transform as [a, b, c, d, e, f].
const matrix = `(() => {
	const m = new DOMMatrixReadOnly(getComputedStyle(document.querySelector('` + pane + ` img')).transform);
	return [m.a, m.b, m.c, m.d, m.e, m.f];
})()`

// near is a JavaScript predicate: the computed transform's scale is about s and its angle about deg.
func near(s float64, deg int) string {
	return fmt.Sprintf(`(() => { const [a, b] = %s; const want = %d * Math.PI / 180;
		return Math.abs(Math.hypot(a, b) - %g) < 0.01 && Math.abs(Math.atan2(b, a) - Math.atan2(Math.sin(want), Math.cos(want))) < 0.01; })()`, matrix, deg, s)
}

// ctrl is the Ctrl bit of a CDP input event's modifiers.
const ctrl = 2

// wheelUp turns the mouse wheel away from the user (zoom in) at x, y. DeltaX is a hair off 0
// because cdproto omits a zero delta and Chromium then refuses the event.
func wheelUp(x, y float64, modifiers int64) chromedp.Action[chromedp.Void] {
	return chromedp.MouseEvent(chromedp.MouseWheel, x, y, func(p *input.DispatchMouseEventParams) {
		p.DeltaX, p.DeltaY, p.Modifiers = 0.001, -100, modifiers
	})
}

// viewerShot saves a PNG of the images card (or, in full screen, of the viewport) when
// SCREENSHOTS names a folder: the full-page screenshot shrinks the toolbar out of sight.
func viewerShot(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		dir := os.Getenv("SCREENSHOTS")
		if dir == "" {
			return nil
		}
		full, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.fullscreenElement !== null`))
		if err != nil {
			return err
		}
		shot := chromedp.Screenshot(chromedp.CSS(`[data-testid="report-images"]`))
		if full {
			shot = chromedp.CaptureScreenshot()
		}
		buf, err := chromedp.Run(ctx, shot)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
	})
}

// TestViewer drives the report's image viewer with mouse and keyboard: toolbar zoom, keys,
// drag, wheel, double click, reset and full screen, under the console's CSP, with no errors.
func TestViewer(t *testing.T) {
	c := startConsole(t)
	ctx := browser(t)
	problems := watchProblems(t, ctx)
	do(t, ctx,
		signIn(c.URL, "admin@localhost", adminPassword),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="recent-checks"]`)),
	)
	id := strings.TrimSpace(evalString(t, ctx, `(() => {
		const rows = [...document.querySelectorAll('[data-testid="recent-checks"] tr')].filter(r => r.querySelector('[data-copy]'));
		const row = rows.find(r => !r.querySelector('.badge--processing'));
		return row ? row.querySelector('[data-copy]').dataset.copy : '';
	})()`))
	if len(id) != 36 {
		t.Fatalf("completed check id from the overview: got %q", id)
	}
	do(t, ctx,
		chromedp.Navigate(c.URL+"/checks/"+id),
		chromedp.WaitVisible(chromedp.CSS(pane+` [data-viewer-tools]`)),
	)
	waitFor(t, ctx, "bundle ready and image loaded", `document.documentElement.dataset.datastar === 'ready'
		&& document.querySelector('`+pane+` img').naturalWidth > 0`)
	if got := evalString(t, ctx, `(() => {
		const all = document.querySelectorAll('[data-viewer]').length;
		const armed = document.querySelectorAll('[data-viewer][data-viewer-armed]').length;
		const focusable = document.querySelectorAll('[data-viewer-frame][tabindex="0"]').length;
		const shown = [...document.querySelectorAll('[data-viewer-tools]')].filter(t => !t.hidden).length;
		return all >= 2 && armed === all && focusable === all && shown === all ? 'ok' : JSON.stringify({all, armed, focusable, shown});
	})()`); got != "ok" {
		t.Errorf("armed viewers: got %s, want every pane (at least 2) armed, focusable and with its toolbar", got)
	}
	if got := text(t, ctx, pane+` [data-viewer-zoom]`); got != "100%" {
		t.Errorf("zoom label: got %q, want 100%%", got)
	}
	waitFor(t, ctx, "untouched image", near(1, 0))

	t.Run("toolbar zoom", func(t *testing.T) {
		do(t, ctx, chromedp.Click(chromedp.CSS(pane+` [data-viewer-action="zoom-in"]`)))
		waitFor(t, ctx, "zoom 1.25", `document.querySelector('`+pane+`').dataset.zoom === '1.25'`)
		waitFor(t, ctx, "computed scale 1.25", near(1.25, 0))
		if got := text(t, ctx, pane+` [data-viewer-zoom]`); got != "125%" {
			t.Errorf("zoom label: got %q, want 125%%", got)
		}
		do(t, ctx, chromedp.Click(chromedp.CSS(pane+` [data-viewer-action="zoom-out"]`)))
		waitFor(t, ctx, "zoom back to 1", `document.querySelector('`+pane+`').dataset.zoom === '1'`)
		if got := evalString(t, ctx, `String(document.querySelector('`+pane+` [data-viewer-action="zoom-out"]').disabled)`); got != "true" {
			t.Errorf("zoom out at 1×: disabled = %s, want true", got)
		}
		if got := evalString(t, ctx, `document.querySelector('.compare__pane:nth-child(2)').dataset.zoom`); got != "1" {
			t.Errorf("the other pane's zoom: got %s, want 1 (each pane has its own state)", got)
		}
	})

	// reset puts the first pane back as the page showed it, so each subtest starts alike.
	reset := func(t *testing.T) {
		t.Helper()
		do(t, ctx, chromedp.Click(chromedp.CSS(pane+` [data-viewer-action="reset"]`)))
		waitFor(t, ctx, "reset", `(() => { const d = document.querySelector('`+pane+`').dataset;
			return d.zoom === '1' && d.rotate === '0' && d.panX === '0' && d.panY === '0'; })()`)
	}

	t.Run("keys", func(t *testing.T) {
		reset(t)
		do(t, ctx,
			chromedp.Focus(chromedp.CSS(pane+` [data-viewer-frame]`)),
			chromedp.KeyEvent("r"),
		)
		waitFor(t, ctx, "rotate 90", `document.querySelector('`+pane+`').dataset.rotate === '90'`)
		waitFor(t, ctx, "computed rotation 90°", `(() => { const [a, b] = `+matrix+`; return Math.abs(a) < 0.001 && b > 0; })()`)
		do(t, ctx, chromedp.KeyEvent("+"), chromedp.KeyEvent("="), chromedp.KeyEvent("+"))
		waitFor(t, ctx, "zoom 1.953", `document.querySelector('`+pane+`').dataset.zoom === '1.953'`)
		do(t, ctx, viewerShot("viewer-rotated-zoomed"))
		do(t, ctx, chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown))
		waitFor(t, ctx, "arrow down pans the image up", `+document.querySelector('`+pane+`').dataset.panY < 0`)
		do(t, ctx, chromedp.KeyEvent("-"))
		waitFor(t, ctx, "zoom out", `document.querySelector('`+pane+`').dataset.zoom === '1.563'`)
		do(t, ctx, chromedp.KeyEvent("0"))
		waitFor(t, ctx, "0 resets", `(() => { const d = document.querySelector('`+pane+`').dataset;
			return d.zoom === '1' && d.rotate === '0' && d.panX === '0' && d.panY === '0'; })()`)
		waitFor(t, ctx, "computed identity", near(1, 0))
	})

	// frameCentre is the first frame's centre in the viewport, after scrolling it into view.
	frameCentre := func(t *testing.T) (float64, float64) {
		t.Helper()
		xy, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => {
			const f = document.querySelector('`+pane+` [data-viewer-frame]');
			f.scrollIntoView({block: 'center'});
			const r = f.getBoundingClientRect();
			return [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)];
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		return xy[0], xy[1]
	}

	t.Run("mouse", func(t *testing.T) {
		reset(t)
		x, y := frameCentre(t)
		// A double click is two clicks and a dblclick: the second click with ClickCount 2 fires it.
		do(t, ctx, chromedp.MouseClickXY(x, y, chromedp.ClickCount(1)), chromedp.MouseClickXY(x, y, chromedp.ClickCount(2)))
		waitFor(t, ctx, "double click zooms to 2.5×", `document.querySelector('`+pane+`').dataset.zoom === '2.5'`)
		do(t, ctx, viewerShot("viewer-zoomed"))
		do(t, ctx,
			chromedp.MouseEvent(chromedp.MousePressed, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
			chromedp.MouseEvent(chromedp.MouseMoved, x+30, y+20, chromedp.ButtonLeft),
			chromedp.MouseEvent(chromedp.MouseMoved, x+60, y+40, chromedp.ButtonLeft),
			chromedp.MouseEvent(chromedp.MouseReleased, x+60, y+40, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		)
		waitFor(t, ctx, "drag pans by the mouse's move", `(() => { const d = document.querySelector('`+pane+`').dataset;
			return Math.abs(d.panX - 60) <= 1 && Math.abs(d.panY - 40) <= 1 && !document.querySelector('`+pane+`').hasAttribute('data-dragging'); })()`)
		before := evalString(t, ctx, `document.querySelector('`+pane+`').dataset.zoom`)
		do(t, ctx, wheelUp(x, y, 0))
		waitFor(t, ctx, "wheel up over a zoomed image zooms in", `+document.querySelector('`+pane+`').dataset.zoom > `+before)
		do(t, ctx, chromedp.Click(chromedp.CSS(pane+` [data-viewer-action="rotate"]`)))
		waitFor(t, ctx, "rotate button", `document.querySelector('`+pane+`').dataset.rotate === '90'`)
		do(t, ctx, chromedp.Click(chromedp.CSS(pane+` [data-viewer-action="reset"]`)))
		waitFor(t, ctx, "reset button", `(() => { const d = document.querySelector('`+pane+`').dataset;
			return d.zoom === '1' && d.rotate === '0' && d.panX === '0'; })()`)
		waitFor(t, ctx, "computed identity after reset", near(1, 0))
	})

	t.Run("wheel leaves the page alone over an idle image", func(t *testing.T) {
		reset(t)
		x, y := frameCentre(t)
		// Take focus off the frame: a plain wheel over an idle image scrolls the page.
		evalString(t, ctx, `(document.activeElement.blur(), 'ok')`)
		do(t, ctx, wheelUp(x, y, 0))
		if got := evalString(t, ctx, `document.querySelector('`+pane+`').dataset.zoom`); got != "1" {
			t.Errorf("zoom after a wheel over an unfocused, unzoomed image: got %s, want 1", got)
		}
		do(t, ctx, wheelUp(x, y, ctrl))
		waitFor(t, ctx, "ctrl+wheel zooms", `+document.querySelector('`+pane+`').dataset.zoom > 1`)
	})

	t.Run("full screen", func(t *testing.T) {
		reset(t)
		enabled := evalString(t, ctx, `String(document.fullscreenEnabled)`)
		if enabled != "true" {
			t.Fatalf("document.fullscreenEnabled = %s: headless Chromium has supported the Fullscreen API; the button would be hidden", enabled)
		}
		do(t, ctx, chromedp.Click(chromedp.CSS(pane+` [data-viewer-action="fullscreen"]`)))
		waitFor(t, ctx, "the pane is full screen", `document.fullscreenElement === document.querySelector('`+pane+`')
			&& document.querySelector('`+pane+`').hasAttribute('data-fullscreen')`)
		if got := evalString(t, ctx, `(() => { const b = document.querySelector('`+pane+` [data-viewer-action="fullscreen"]');
			return b.getAttribute('aria-label'); })()`); got != "Exit full screen" {
			t.Errorf("full-screen button's label: got %q, want Exit full screen", got)
		}
		waitFor(t, ctx, "the frame fills the screen", `(() => { const r = document.querySelector('`+pane+` [data-viewer-frame]').getBoundingClientRect();
			return r.width >= window.innerWidth - 1 && r.height > window.innerHeight * 0.8; })()`)
		waitFor(t, ctx, "the frame has focus", `document.activeElement === document.querySelector('`+pane+` [data-viewer-frame]')`)
		do(t, ctx, chromedp.KeyEvent("+"), chromedp.KeyEvent("+"))
		waitFor(t, ctx, "keys work in full screen", `document.querySelector('`+pane+`').dataset.zoom === '1.563'`)
		do(t, ctx, viewerShot("viewer-fullscreen"))
		do(t, ctx, chromedp.KeyEvent("f"))
		waitFor(t, ctx, "f leaves full screen", `document.fullscreenElement === null
			&& !document.querySelector('`+pane+`').hasAttribute('data-fullscreen')`)
	})

	if v := evalString(t, ctx, `window.__violations.join('; ')`); v != "" {
		t.Errorf("CSP violations: %s", v)
	}
	for _, p := range problems.all() {
		t.Errorf("page problem: %s", p)
	}
}
