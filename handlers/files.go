package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// files lists the images Hive holds, newest first, by type, with the check each belongs to.
func (a *App) files(c echo.Context) error {
	ctx := c.Request().Context()
	q, page := parseFileQuery(c.QueryParams())
	size := customerSizes[0]
	now := time.Now()
	rq := readmodel.FileQuery{Type: q.Type, Check: q.Check, Offset: (page - 1) * size, Limit: size}
	if q.Since != "" {
		rq.Since = now.Add(-checkSince[q.Since])
	}
	res, err := a.Read.Files(ctx, rq)
	if err != nil {
		return err
	}
	if pages := max(1, (res.Total+size-1)/size); page > pages {
		page = pages // past the end: show the last page
		rq.Offset = (page - 1) * size
		if res, err = a.Read.Files(ctx, rq); err != nil {
			return err
		}
	}
	total, err := a.Read.Count(ctx, readmodel.Files)
	if err != nil {
		return err
	}
	m := views.FilesModel{Pager: views.NewPager(res.Total, size, page, q.url),
		Type: q.Type, Check: q.Check, Since: q.Since, Total: total, Now: now}
	for _, f := range res.Rows {
		m.Rows = append(m.Rows, fileRow(f))
	}
	if m.Sync, err = a.syncStatus(ctx); err != nil {
		return err
	}
	return render(c, http.StatusOK, views.FilesPage(a.page(c, "Files"), m))
}

// fileQuery is what the files list's URL can say besides the page.
type fileQuery struct{ Type, Check, Since string }

// parseFileQuery reads the files list's filters and page; values the list does not offer fall back
// to no filter.
func parseFileQuery(v url.Values) (q fileQuery, page int) {
	q = fileQuery{Type: v.Get("type"), Check: v.Get("check"), Since: v.Get("since")}
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
	page, _ = strconv.Atoi(v.Get("page"))
	return q, pageNumber(page)
}

func (q fileQuery) url(page int) string {
	v := url.Values{}
	for _, kv := range [][2]string{{"type", q.Type}, {"check", q.Check}, {"since", q.Since}} {
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

func fileRow(f hive.File) views.FileRow {
	return views.FileRow{ID: f.ID, Type: string(f.Type), Label: fileLabel(f.Type), CheckID: deref(f.CheckID), Created: f.CreatedAt}
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
	m := views.FileModel{FileRow: fileRow(*f), CanDownload: u.Can(auth.DownloadFiles), Now: time.Now()}
	for k, v := range f.Metadata {
		m.Metadata = append(m.Metadata, views.KeyValue{Key: k, Value: v})
	}
	return render(c, http.StatusOK, views.FilePage(a.page(c, m.Label), m))
}
