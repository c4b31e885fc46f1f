// The fixture check keeps src/testdata/datastar-go.sse equal to what datastar-go writes, so the
// adapter's Node tests translate the real bytes:
//
//	go test ./static -run Fixture          (check)
//	go test ./static -run Fixture -update  (regenerate)

package static

import (
	"flag"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/starfederation/datastar-go/datastar"
)

var update = flag.Bool("update", false, "rewrite src/testdata/datastar-go.sse from datastar-go")

// sseFixture is the file the adapter's Node tests (src/adapter.test.js) translate: the exact
// bytes datastar-go writes for every kind of event the console sends.
var sseFixture = filepath.Join("src", "testdata", "datastar-go.sse")

// TestDatastarGoFixture keeps the Node tests' fixture equal to what the datastar-go version in
// go.mod writes, so that a datastar-go upgrade that changes the wire format fails here and the
// adapter is revisited. Regenerate with `go test ./static -run Fixture -update`.
func TestDatastarGoFixture(t *testing.T) {
	got := datastarGoStream(t)
	if *update {
		if err := os.WriteFile(sseFixture, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(sseFixture)
	if err != nil {
		t.Fatalf("reading fixture: %v (run with -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("datastar-go output changed; got:\n%s\nwant:\n%s\nrun `go test ./static -run Fixture -update`, then `npm test` in static/", got, want)
	}
}

func datastarGoStream(t *testing.T) []byte {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/sse", nil)
	sse := datastar.NewSSE(rec, req)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	two := "<li id=\"x\">X</li>\n<li id=\"y\">Y</li>"
	// Elements, in every mode.
	must(sse.PatchElements(`<div id="a">A</div>`))
	must(sse.PatchElements("<ul id=\"list\">\n  <li>1</li>\n</ul>"))
	must(sse.PatchElements(`<section class="p">P</section>`, datastar.WithSelectorID("panel")))
	must(sse.PatchElements(`<p id="r">R</p>`, datastar.WithModeReplace()))
	must(sse.PatchElements(two, datastar.WithSelector("#list"), datastar.WithModeInner()))
	must(sse.PatchElements(two, datastar.WithSelector("#list"), datastar.WithModeAppend()))
	must(sse.PatchElements(two, datastar.WithSelector("#list"), datastar.WithModePrepend()))
	must(sse.PatchElements(two, datastar.WithSelector("#row"), datastar.WithModeBefore()))
	must(sse.PatchElements(two, datastar.WithSelector("#row"), datastar.WithModeAfter()))
	must(sse.PatchElements(`<div id="a">A</div>`, datastar.WithUseViewTransitions(true)))
	must(sse.RemoveElement("#toast-1"))
	must(sse.PatchElements(`<div id="gone"></div>`, datastar.WithModeRemove()))
	// Scripts, all sent as patch-elements.
	must(sse.ExecuteScript(`console.log("hi")`))
	must(sse.Redirect("/customers/cus_1"))
	must(sse.ExecuteScript(`import("/x.js")`, datastar.WithExecuteScriptAutoRemove(false),
		datastar.WithExecuteScriptAttributes(`type="module"`)))
	must(sse.DispatchCustomEvent("hive:toast", map[string]string{"text": "<Saved> & done"}))
	must(sse.ReplaceURL(url.URL{Path: "/customers", RawQuery: "q=ann&page=2"}))
	// Signals.
	must(sse.MarshalAndPatchSignals(map[string]any{"q": "ann", "error": nil, "form": map[string]any{"name": "Ann", "err": nil}}))
	must(sse.PatchSignals([]byte("{\n  \"open\": false\n}"), datastar.WithOnlyIfMissing(true)))
	return rec.Body.Bytes()
}
