package handlers_test

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/readmodel"

	"github.com/PuerkitoBio/goquery"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive"
)

// TestFileContent: the proxy serves a file's bytes with its own headers, only as an image, only to
// roles that may download, and only by id.
func TestFileContent(t *testing.T) {
	tc := newTestConsole(t)
	files, err := tc.api.ListFiles(context.Background())
	if err != nil || len(files.Data) == 0 {
		t.Fatalf("no files in the sandbox: %v", err)
	}
	f := files.Data[0]
	reviewer := tc.browser()
	reviewer.signInAs(auth.RoleReviewer)
	resp := reviewer.get("/files/" + f.ID + "/content")
	if resp.StatusCode != 200 {
		t.Fatalf("got %d", resp.StatusCode)
	}
	h := resp.Header
	if h.Get("Content-Type") != "image/png" || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") ||
		h.Get("Cache-Control") != "private, no-store" || !strings.HasPrefix(h.Get("Content-Disposition"), "inline; filename=") ||
		h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers: %v", h)
	}
	if _, err := png.Decode(strings.NewReader(resp.Body)); err != nil {
		t.Errorf("not the PNG: %v", err)
	}
	support := tc.browser()
	support.signInAs(auth.RoleSupport)
	if r := support.get("/files/" + f.ID + "/content"); r.StatusCode != http.StatusForbidden {
		t.Errorf("support: got %d, want 403", r.StatusCode)
	}
	for _, id := range []string{"8462e8ce-4245-4eca-835c-4a160b93b030", "not-an-id"} {
		if r := reviewer.get("/files/" + id + "/content"); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: got %d, want 404", id, r.StatusCode)
		}
	}
}

func pngHeader() []byte {
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	buf.Write(make([]byte, 64))
	return buf.Bytes()
}

// TestReportImages: a reviewer sees the check's images side by side through the proxy; support,
// who may not download images, sees a note instead and no image URL.
func TestReportImages(t *testing.T) {
	tc := newTestConsole(t)
	ctx := context.Background()
	files, _ := tc.api.ListFiles(ctx)
	var checkID string
	for _, f := range files.Data {
		if f.CheckID != nil {
			if ch, err := tc.api.GetCheck(ctx, *f.CheckID); err == nil && ch.Status == hive.CheckComplete {
				checkID = ch.ID
				break
			}
		}
	}
	if checkID == "" {
		t.Fatal("no completed check with files in the sandbox")
	}
	reviewer := tc.browser()
	reviewer.signInAs(auth.RoleReviewer)
	doc := reviewer.get("/checks/" + checkID).doc(t)
	imgs := doc.Find(`[data-testid="report-images"] img`)
	if imgs.Length() < 2 {
		t.Fatalf("got %d images, want the document and the selfie", imgs.Length())
	}
	if first := doc.Find(`[data-testid="report-images"] figure`).First().AttrOr("data-testid", ""); first != "image-document_front" {
		t.Errorf("first image %q, want the document", first)
	}
	src := imgs.First().AttrOr("src", "")
	if r := reviewer.get(src); r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" {
		t.Errorf("%s: %d %s", src, r.StatusCode, r.Header.Get("Content-Type"))
	}
	support := tc.browser()
	support.signInAs(auth.RoleSupport)
	page := support.get("/checks/" + checkID)
	if strings.Contains(page.Body, "/content") || !strings.Contains(page.doc(t).Find(`[data-testid="report-images"]`).Text(), "does not open") {
		t.Error("support must see no image and a note")
	}
}

func TestFilesPages(t *testing.T) {
	tc := newTestConsole(t)
	ctx := context.Background()
	// A session the customer completed, with no check yet: its files have no check.
	cust, err := tc.api.CreateCustomer(ctx, customer("files@example.com", "Fay", "Files"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tc.api.CreateSession(ctx, hive.SessionParams{CustomerID: cust.ID}); err != nil {
		t.Fatal(err)
	}
	sessions, _ := tc.api.ListSessions(ctx)
	if _, err := tc.sb.CompleteSession(ctx, sessions.Data[0].ID, "clear"); err != nil {
		t.Fatal(err)
	}
	tc.sync()
	files, _ := tc.api.ListFiles(ctx)
	auditor := tc.browser()
	auditor.signInAs(auth.RoleAuditor)
	list := auditor.get("/files")
	if n := list.doc(t).Find(`[data-testid="file-row"]`).Length(); n != min(25, len(files.Data)) {
		t.Fatalf("rows: %d of %d", n, len(files.Data))
	}
	portraits := auditor.get("/files?type=portrait")
	portraits.doc(t).Find(`[data-testid="file-row"] .file-cell__label`).Each(func(_ int, s *goquery.Selection) {
		if s.Text() != "Selfie" {
			t.Errorf("a %q under the selfie filter", s.Text())
		}
	})
	if r := auditor.get("/files?type=%3Cscript%3E"); r.StatusCode != 200 || strings.Contains(r.Body, "<script>") {
		t.Error("an unknown type must fall back, not echo")
	}
	count := func(path string) int {
		r := auditor.get(path)
		if strings.Contains(r.Body, "No results") || r.doc(t).Find(`[data-testid="file-row"]`).Length() == 0 {
			return 0
		}
		info := strings.Fields(r.doc(t).Find(`[data-testid="pagination"] .pagination__info`).Text())
		n, _ := strconv.Atoi(info[len(info)-1])
		return n
	}
	var with, day int
	for _, f := range files.Data {
		if f.CheckID != nil {
			with++
		}
		if time.Since(f.CreatedAt) < 24*time.Hour {
			day++
		}
	}
	if with == 0 || with == len(files.Data) {
		t.Fatalf("want files with and without a check; %d of %d have one", with, len(files.Data))
	}
	for path, want := range map[string]int{"/files?check=with": with, "/files?check=without": len(files.Data) - with,
		"/files?since=24h": day, "/files?check=bogus&since=bogus": len(files.Data)} {
		if got := count(path); got != want {
			t.Errorf("%s: %d files, want %d", path, got, want)
		}
	}
	if next := auditor.get("/files?check=with&type=portrait").doc(t).Find(`[data-testid="pagination"] a[href*="page="]`).First().AttrOr("href", ""); next != "" &&
		(!strings.Contains(next, "check=with") || !strings.Contains(next, "type=portrait")) {
		t.Errorf("page link drops the filters: %s", next)
	}
	// Each row names its type in words and the customer of its check; the search finds files by the
	// customer's name, by the start of the file's id and of its check's id, as typed and as a fragment.
	var withCheck hive.File
	for _, f := range files.Data {
		if f.CheckID != nil {
			withCheck = f
		}
	}
	owner, err := tc.api.GetCheck(ctx, *withCheck.CheckID)
	if err != nil {
		t.Fatal(err)
	}
	session, err := tc.api.GetSession(ctx, owner.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	row := list.doc(t).Find(`[data-testid="file-row"]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.Find(`a[href="/files/`+withCheck.ID+`"]`).Length() == 1
	})
	if href := row.Find(`[data-testid="file-customer"]`).AttrOr("href", ""); href != "/customers/"+session.CustomerID {
		t.Errorf("the row of a checked file links its customer as %q, want /customers/%s", href, session.CustomerID)
	}
	if row.Find(`[data-testid="file-thumb"]`).Length() != 0 {
		t.Error("an auditor, who does not open images, gets a thumbnail")
	}
	var without hive.File
	for _, f := range files.Data {
		if f.CheckID == nil {
			without = f
		}
	}
	if href := list.doc(t).Find(`[data-testid="file-row"]:has(a[href="/files/` + without.ID + `"]) [data-testid="file-customer"]`).Length(); href != 0 {
		t.Error("a file without a check names a customer")
	}
	fay := auditor.get("/files?q=" + url.QueryEscape("Fay Files"))
	if n := fay.doc(t).Find(`[data-testid="file-row"]`).Length(); n != 0 {
		t.Errorf("Fay's files have no check yet, so no customer: %d rows", n)
	}
	for _, q := range []string{withCheck.ID[:8], (*withCheck.CheckID)[:8], session.FullName} {
		for _, path := range []string{"/files?q=" + url.QueryEscape(q), datastarPath("/files/table", map[string]any{"q": q})} {
			body := getOK(t, auditor, path)
			if !strings.Contains(body, `href="/files/`+withCheck.ID+`"`) {
				t.Errorf("%s: the file is not found", path)
			}
			if strings.Contains(body, `href="/files/`+without.ID+`"`) {
				t.Errorf("%s: finds a file without a check", path)
			}
		}
	}
	if r := getOK(t, auditor, "/files?q=no-such-thing-at-all"); !strings.Contains(r, "No files match") {
		t.Error("a search that finds nothing says so")
	}
	thumbs := tc.browser()
	thumbs.signInAs(auth.RoleReviewer)
	if n := thumbs.get("/files").doc(t).Find(`[data-testid="file-thumb"]`).Length(); n != min(25, len(files.Data)) {
		t.Errorf("a reviewer sees %d thumbnails, want one per row", n)
	}
	detail := auditor.get("/files/" + files.Data[0].ID)
	if detail.StatusCode != 200 || detail.doc(t).Find(`[data-testid="file-image"]`).Length() != 0 {
		t.Error("an auditor sees the file page but not the image")
	}
	reviewer := tc.browser()
	reviewer.signInAs(auth.RoleReviewer)
	rdoc := reviewer.get("/files/" + files.Data[0].ID).doc(t)
	if rdoc.Find(`[data-testid="file-image"] img`).Length() != 1 {
		t.Error("a reviewer sees the image")
	}
	if href := rdoc.Find(`[data-testid="file-download"]`).AttrOr("href", ""); href != "/files/"+files.Data[0].ID+"/content?download=1" {
		t.Errorf("download link: %q", href)
	} else if d := reviewer.get(href).Header.Get("Content-Disposition"); !strings.HasPrefix(d, "attachment;") {
		t.Errorf("download: Content-Disposition %q", d)
	}
	for _, id := range []string{"8462e8ce-4245-4eca-835c-4a160b93b030", "nope"} {
		if r := auditor.get("/files/" + id); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", id, r.StatusCode)
		}
	}
}

// TestReportImagesNewerThanTheSnapshot: a check created after the copy's last pass over the files
// still shows its images (the page asks Hive when the copy has none for such a check).
func TestReportImagesNewerThanTheSnapshot(t *testing.T) {
	lists := &fileLists{}
	tc := newTestConsole(t, lists.option())
	reviewer := tc.browser()
	reviewer.signInAs(auth.RoleReviewer)
	reviewer.get("/customers") // builds the snapshot
	sessionID := newSession(t, tc, "fresh@example.com", true)
	ch, err := tc.api.CreateCheck(context.Background(), sessionID) // behind the console's back
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tc.api.GetCheck(context.Background(), ch.ID); err != nil { // completes it
		t.Fatal(err)
	}
	imgs := reviewer.get("/checks/" + ch.ID).doc(t).Find(`[data-testid="report-images"] img`)
	if imgs.Length() < 2 {
		t.Fatalf("got %d images for a check newer than the snapshot", imgs.Length())
	}
	// What Hive's list had for the check is now in the copy, so the next viewer does not ask again.
	if page, err := tc.read.Files(context.Background(), readmodel.FileQuery{CheckID: ch.ID, Limit: 10}); err != nil || len(page.Rows) < 2 {
		t.Errorf("the check's files in the copy after the view: %d (%v), want them written through", len(page.Rows), err)
	}
	if n := lists.n.Load(); n != 1 {
		t.Errorf("Hive's file list read %d times for the first view, want once", n)
	}
	reviewer.get("/checks/" + ch.ID)
	// A check older than the copy's last pass over the files, with none in the copy, has none:
	// its report page does not read Hive's whole list.
	var old string
	if err := tc.db.QueryRow(context.Background(), `SELECT check_id FROM hive_files WHERE check_id <> ? LIMIT 1`, ch.ID).Scan(&old); err != nil {
		t.Fatal(err)
	}
	if _, err := tc.db.Exec(context.Background(), `UPDATE hive_files SET deleted_at = 1 WHERE check_id = ?`, old); err != nil {
		t.Fatal(err)
	}
	if imgs := reviewer.get("/checks/" + old).doc(t).Find(`[data-testid="report-images"] img`); imgs.Length() != 0 {
		t.Errorf("%d images for a check whose files the copy says are gone", imgs.Length())
	}
	if n := lists.n.Load(); n != 1 {
		t.Errorf("Hive's file list read %d times in all, want only for the first view of the new check", n)
	}
}

// fileLists counts the reads of Hive's whole file list.
type fileLists struct {
	handlers.Hive
	n atomic.Int64
}

func (f *fileLists) ListFiles(ctx context.Context) (*hive.List[hive.File], error) {
	f.n.Add(1)
	return f.Hive.ListFiles(ctx)
}

func (f *fileLists) option() option {
	return func(c *handlers.Config, _ *auth.Config) { f.Hive = c.Hive; c.Hive = f }
}

// TestCustomerThumbnails: the customer's page shows small previews of the images of the customer's
// checks, each linking to its file; support, who may not open images, gets no image URL.
func TestCustomerThumbnails(t *testing.T) {
	tc := newTestConsole(t)
	ch := scenarioCheck(t, tc, customer("thumbs@example.com", "Tia", "Thumb"), "clear")
	ctx := context.Background()
	s, err := tc.api.GetSession(ctx, ch.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := tc.api.ListFiles(ctx)
	want := map[string]bool{}
	for _, f := range files.Data {
		if f.CheckID != nil && *f.CheckID == ch.ID {
			want[f.ID] = true
		}
	}
	if len(want) == 0 {
		t.Fatal("the check has no files")
	}
	reviewer := tc.browser()
	reviewer.signInAs(auth.RoleReviewer)
	got := map[string]bool{}
	reviewer.get("/customers/" + s.CustomerID).doc(t).Find(`[data-testid="customer-images"] [data-testid="thumbnail"]`).Each(func(_ int, sel *goquery.Selection) {
		id := strings.TrimPrefix(sel.Find("a").AttrOr("href", ""), "/files/")
		if sel.Find("img").AttrOr("src", "") != "/files/"+id+"/content" || sel.Find("img").AttrOr("alt", "") == "" {
			t.Errorf("thumbnail %s: img %v", id, sel.Find("img").Nodes)
		}
		got[id] = true
	})
	if len(got) != len(want) {
		t.Errorf("thumbnails: got %v, want %v", got, want)
	}
	for id := range want {
		if !got[id] {
			t.Errorf("file %s has no thumbnail", id)
		}
	}
	support := tc.browser()
	support.signInAs(auth.RoleSupport)
	page := support.get("/customers/" + s.CustomerID)
	if strings.Contains(page.Body, "/content") || page.doc(t).Find(`[data-testid="customer-images"]`).Length() != 1 {
		t.Error("support: want the images card with a note and no image URL")
	}
}
