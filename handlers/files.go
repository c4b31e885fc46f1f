package handlers

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// files lists the images Hive holds, newest first, with the check and customer each belongs to.
// Without JavaScript the toolbar is a GET form and pages are links; with Datastar, typing in the
// search and changing a filter patch the results in place and keep the address bar in step.
func (a *App) files(c echo.Context) error {
	m, err := a.filesModel(c, parseFileQuery(fileSignalsFromURL(c.QueryParams())))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.FilesPage(a.page(c, "Files"), m))
}

// filesTable answers the files list's Datastar requests.
func (a *App) filesTable(c echo.Context) error {
	var s fileSignals
	if err := readListSignals(c, &s); err != nil {
		return err
	}
	m, err := a.filesModel(c, parseFileQuery(s))
	if err != nil {
		return err
	}
	return a.patchResults(c, views.FileResults(a.assets(), m), m.URL)
}

func (a *App) filesModel(c echo.Context, q fileQuery) (views.FilesModel, error) {
	ctx := c.Request().Context()
	pol := pii(c)
	u, _ := userOf(c)
	now := time.Now()
	res, err := a.Read.Files(ctx, q.read(now, pol.clear(fromRecord)))
	if err != nil {
		return views.FilesModel{}, err
	}
	if pages := max(1, (res.Total+fileSize-1)/fileSize); q.Page > pages {
		q.Page = pages // past the end: show the last page
		if res, err = a.Read.Files(ctx, q.read(now, pol.clear(fromRecord))); err != nil {
			return views.FilesModel{}, err
		}
	}
	total, err := a.Read.Count(ctx, readmodel.Files)
	if err != nil {
		return views.FilesModel{}, err
	}
	sig, _ := json.Marshal(q)
	m := views.FilesModel{Search: q.Search, Type: q.Type, Check: q.Check, Since: q.Since, Total: total, Now: now,
		URL: q.url(q.Page), Signals: string(sig), Thumbnails: u.Can(auth.DownloadFiles),
		SearchHint: "Customer, file or check id"}
	m.Pager = views.NewPager(res.Total, fileSize, q.Page, q.url)
	for _, f := range res.Rows {
		m.Rows = append(m.Rows, fileRow(f))
	}
	if m.Sync, err = a.syncStatus(ctx); err != nil {
		return views.FilesModel{}, err
	}
	return m, nil
}

// fileSize is how many files a page of the list shows.
const fileSize = 25

// fileQuery is what the files list's URL can say, and its Datastar signals.
type fileQuery struct {
	Search string `json:"q"`
	Type   string `json:"type"`
	Check  string `json:"check"`
	Since  string `json:"since"`
	Page   int    `json:"page"`
}

// fileSignals is the list's state as the browser sends it: the same fields, unchecked.
type fileSignals = fileQuery

func fileSignalsFromURL(v url.Values) fileSignals {
	page, _ := strconv.Atoi(v.Get("page"))
	return fileSignals{Search: v.Get("q"), Type: v.Get("type"), Check: v.Get("check"), Since: v.Get("since"), Page: page}
}

// parseFileQuery reads the files list's filters and page; values the list does not offer fall back
// to no filter.
func parseFileQuery(s fileSignals) fileQuery {
	q := fileQuery{Search: strings.TrimSpace(s.Search), Type: s.Type, Check: s.Check, Since: s.Since, Page: pageNumber(s.Page)}
	if len(q.Search) > 200 {
		q.Search = q.Search[:200]
	}
	switch hive.FileType(q.Type) {
	case hive.FilePortrait, hive.FileDocumentFront, hive.FileDocumentBack:
	default:
		q.Type = "" // only the types the filter offers; anything else shows every file
	}
	if q.Check != "with" && q.Check != "without" {
		q.Check = ""
	}
	if _, ok := checkSince[q.Since]; !ok {
		q.Since = ""
	}
	return q
}

// read is the query as the console's copy takes it, as of now; contact lets the search reach the
// emails and phones of a viewer who sees them in clear.
func (q fileQuery) read(now time.Time, contact bool) readmodel.FileQuery {
	rq := readmodel.FileQuery{Type: q.Type, Check: q.Check, Search: q.Search, Contact: contact,
		Offset: (pageNumber(q.Page) - 1) * fileSize, Limit: fileSize}
	if q.Since != "" {
		rq.Since = now.Add(-checkSince[q.Since])
	}
	return rq
}

func (q fileQuery) url(page int) string {
	v := url.Values{}
	for _, kv := range [][2]string{{"q", q.Search}, {"type", q.Type}, {"check", q.Check}, {"since", q.Since}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/files"
	}
	return "/files?" + v.Encode()
}

func fileRow(f readmodel.FileEntry) views.FileRow {
	return views.FileRow{ID: f.ID, Type: string(f.Type), Label: fileLabel(f.Type), CheckID: deref(f.CheckID), Created: f.CreatedAt,
		CustomerID: f.CustomerID, CustomerName: f.CustomerName}
}

// fileLabel names a file's type for people; types the console does not know are spelled out.
func fileLabel(t hive.FileType) string {
	switch t {
	case hive.FileDocumentFront:
		return "Document, front"
	case hive.FilePortrait:
		return "Selfie"
	case hive.FileDocumentBack:
		return "Document, back"
	}
	return checkLabel(string(t))
}

// file is one file's page: what it is, its check, and the image itself for roles that may open it.
func (a *App) file(c echo.Context) error {
	id := c.Param("id")
	if !hive.ValidID(id) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such file.")
	}
	f, err := a.Hive.GetFile(c.Request().Context(), id)
	if err != nil {
		return err
	}
	u, _ := userOf(c)
	e := readmodel.FileEntry{File: *f}
	if f.CheckID != nil {
		ch, ok, err := a.Read.Check(c.Request().Context(), *f.CheckID)
		if err != nil {
			return err
		}
		if ok {
			e.CustomerID, e.CustomerName = ch.CustomerID, ch.CustomerName
		}
	}
	m := views.FileModel{FileRow: fileRow(e), CanDownload: u.Can(auth.DownloadFiles), Now: time.Now()}
	for k, v := range f.Metadata {
		m.Metadata = append(m.Metadata, views.KeyValue{Key: k, Value: v})
	}
	return render(c, http.StatusOK, views.FilePage(a.page(c, m.Label), m))
}
