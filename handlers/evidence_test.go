package handlers_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/evidence"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/hive"
)

// withEvidence gives the console a key that signs evidence packs.
func withEvidence(key *evidence.Key) option {
	return func(h *handlers.Config, _ *auth.Config) { h.EvidenceKey, h.Version = key, "test" }
}

// TestEvidencePack: a reviewer asks for a completed check's pack; without a reason the page asks
// for one and keeps what was typed; with one, the zip verifies with the console's key and holds the
// report, the check, the customer, every image as Hive serves it, the decisions, the notes and the
// audit rows about them, the pack's own row among them.
func TestEvidencePack(t *testing.T) {
	key, err := evidence.LoadKey(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	tc := newTestConsole(t, withEvidence(&key))
	ctx := context.Background()
	ch, customerID := completedCheckWithFiles(t, tc.api)
	b := tc.browser()
	b.signInAs(auth.RoleReviewer)
	page := "/checks/" + ch.ID + "/evidence"
	if b.get("/checks/"+ch.ID).doc(t).Find(`[data-testid="evidence-link"]`).AttrOr("href", "") != page {
		t.Error("the check page has no link to its evidence pack")
	}
	form := b.get(page)
	if form.StatusCode != http.StatusOK || form.doc(t).Find(`[data-testid="evidence-fingerprint"]`).Text() != evidence.Fingerprint(key.Public()) {
		t.Fatalf("the pack's page: %d, fingerprint %q", form.StatusCode, form.doc(t).Find(`[data-testid="evidence-fingerprint"]`).Text())
	}
	short := b.get(page + "?reason=ab")
	if short.StatusCode != http.StatusUnprocessableEntity || short.doc(t).Find(`#evidence-reason`).AttrOr("value", "") != "ab" {
		t.Errorf("a two-letter reason: %d, kept %q", short.StatusCode, short.doc(t).Find(`#evidence-reason`).AttrOr("value", ""))
	}
	auditor := tc.browser()
	auditor.signInAs(auth.RoleAuditor)
	if got := auditor.get("/audit").doc(t).Find(`[data-testid="evidence-public-key"]`).Text(); !strings.Contains(got, evidence.FormatPublicKey(key.Public())) {
		t.Errorf("the audit page does not show the signing key: %q", got)
	}
	if n := countAudit(t, tc, "check.evidence"); n != 0 {
		t.Errorf("%d check.evidence rows before any pack was made", n)
	}

	// A decision and a note, so the pack has them.
	b.post("/checks/"+ch.ID+"/notes", url.Values{"body": {"Called the customer: address confirmed."}})
	resp := b.get(page + "?reason=" + url.QueryEscape("Regulator's request ref. 2291"))
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="evidence-`+ch.ID+"-") {
		t.Fatalf("the pack: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	body := []byte(resp.Body)
	sum, err := evidence.Verify(bytes.NewReader(body), int64(len(body)), key.Public())
	if err != nil {
		t.Fatalf("the pack does not verify: %v", err)
	}
	m := sum.Manifest
	if m.CheckID != ch.ID || m.CustomerID != customerID || m.CreatedBy != "reviewer@example.com" || m.Reason != "Regulator's request ref. 2291" || m.Console != "test" {
		t.Errorf("manifest: %+v", m.Meta)
	}
	var names []string
	for _, f := range m.Files {
		names = append(names, f.Name)
	}
	for _, want := range []string{"check.json", "report.json", "customer.json", "decisions.json", "notes.json", "audit.json"} {
		if !slices.Contains(names, want) {
			t.Errorf("the pack lacks %s: %v", want, names)
		}
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	list, err := tc.api.ListFiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	images := 0
	for _, hf := range list.Data {
		if hf.CheckID == nil || *hf.CheckID != ch.ID {
			continue
		}
		i := slices.IndexFunc(zr.File, func(f *zip.File) bool { return strings.HasPrefix(f.Name, "files/") && strings.Contains(f.Name, hf.ID) })
		if i < 0 {
			t.Errorf("the pack lacks the check's file %s (%s)", hf.ID, hf.Type)
			continue
		}
		images++
		fc, err := tc.api.OpenFile(ctx, hf.ID)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := io.ReadAll(fc.Body)
		fc.Body.Close()
		rc, _ := zr.File[i].Open()
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the file Hive serves", zr.File[i].Name)
		}
	}
	if images == 0 {
		t.Error("the check has no images to compare")
	}
	var rep hive.Report
	readJSON(t, zr, "report.json", &rep)
	if rep.CheckID != ch.ID {
		t.Errorf("report.json is for check %q", rep.CheckID)
	}
	var notes map[string][]map[string]any
	readJSON(t, zr, "notes.json", &notes)
	if len(notes["check"]) != 1 {
		t.Errorf("notes.json: %v", notes)
	}
	var rows []audit.Row
	readJSON(t, zr, "audit.json", &rows)
	var actions []string
	for _, r := range rows {
		actions = append(actions, r.Action)
	}
	for _, want := range []string{"report.view", "check.evidence", "note.add"} {
		if !slices.Contains(actions, want) {
			t.Errorf("audit.json lacks %s: %v", want, actions)
		}
	}
	if n := countAudit(t, tc, "check.evidence"); n != 1 {
		t.Errorf("%d check.evidence rows after one pack", n)
	}

	// A check still processing has no report to pack.
	checks, err := tc.api.ListChecks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(checks.Data, func(c hive.Check) bool { return c.Status == hive.CheckProcessing }); i >= 0 {
		r := b.get("/checks/" + checks.Data[i].ID + "/evidence?reason=" + url.QueryEscape("Regulator's request"))
		if r.StatusCode != http.StatusConflict || r.doc(t).Find(`[data-testid="evidence-incomplete"]`).Length() != 1 {
			t.Errorf("a processing check's pack: %d", r.StatusCode)
		}
	} else {
		t.Error("the sandbox has no processing check to try")
	}
}

func readJSON(t *testing.T, zr *zip.Reader, name string, v any) {
	t.Helper()
	rc, err := zr.Open(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer rc.Close()
	if err := json.NewDecoder(rc).Decode(v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func countAudit(t *testing.T, tc *testConsole, action string) int {
	t.Helper()
	_, n, err := tc.trail.Events(context.Background(), audit.Query{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// BenchmarkEvidencePack is GET /checks/{id}/evidence for a completed check with its images: the
// whole pack, streamed from the files host into the zip, read to the end by the client.
func BenchmarkEvidencePack(b *testing.B) {
	key, err := evidence.LoadKey(b.TempDir(), "")
	if err != nil {
		b.Fatal(err)
	}
	bc := newBenchConsole(b, 12, withEvidence(&key))
	ch, _ := completedCheckWithFiles(b, bc.api)
	emails := bc.addUsers(b, 1, auth.RoleReviewer)
	c := bc.visitor()
	if err := bc.signIn(c, emails[0]); err != nil {
		b.Fatal(err)
	}
	page := bc.URL + "/checks/" + ch.ID + "/evidence?reason=" + url.QueryEscape("Benchmark of the pack")
	body, err := fetch(c, page)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := evidence.Verify(strings.NewReader(body), int64(len(body)), key.Public()); err != nil {
		b.Fatalf("the pack does not verify: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fetch(c, page); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(body)), "pack-bytes")
}
