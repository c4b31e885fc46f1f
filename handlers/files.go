package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// files lists the images Hive holds, newest first, by type, with the check each belongs to.
func (a *App) files(c echo.Context) error {
	list, err := a.Hive.ListFiles(c.Request().Context())
	if err != nil {
		return err
	}
	kind := c.QueryParam("type")
	switch hive.FileType(kind) {
	case hive.FilePortrait, hive.FileDocumentFront, hive.FileDocumentBack:
	default:
		kind = "" // only the types the filter offers; anything else shows every file
	}
	page, _ := strconv.Atoi(c.QueryParam("page"))
	size := customerSizes[0]
	var rows []views.FileRow
	for _, f := range list.Data {
		if kind != "" && string(f.Type) != kind {
			continue
		}
		rows = append(rows, fileRow(f))
	}
	pages := max(1, (len(rows)+size-1)/size)
	page = min(max(page, 1), pages)
	from := (page - 1) * size
	link := func(n int) string {
		u := "/files?page=" + strconv.Itoa(n)
		if kind != "" {
			u += "&type=" + kind
		}
		return u
	}
	m := views.FilesModel{Rows: rows[from:min(len(rows), from+size)], Pager: views.NewPager(len(rows), size, page, link),
		Type: kind, Total: len(list.Data), Now: time.Now()}
	return render(c, http.StatusOK, views.FilesPage(a.page(c, "Files"), m))
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
