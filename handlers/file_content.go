package handlers

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/labstack/echo/v4"
)

// servedTypes are the kinds of file the proxy serves as what they are, decided by the first bytes,
// never by what the files host says. Anything else goes out as an opaque download.
var servedTypes = map[string]string{
	"image/png":       ".png",
	"image/jpeg":      ".jpg",
	"image/webp":      ".webp",
	"application/pdf": ".pdf",
}

// fileCSP applies to the file's own response: were a browser ever to render it as a document, it
// would run no script, load nothing and share no origin.
const fileCSP = "sandbox; default-src 'none'"

// fileContent streams a file's bytes through the console: the browser never talks to the files
// host and never sees its URL or the bearer token. It takes a file id, never a URL; the client
// fetches only from allow-listed hosts and follows no redirects; no upstream header is copied; the
// bytes are streamed, never held whole, and the upstream request ends when the browser leaves.
//
// ?download=1 asks for an attachment; otherwise known types are inline, for previews.
func (a *App) fileContent(c echo.Context) error {
	id := c.Param("id")
	if !hive.ValidID(id) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such file.")
	}
	fc, err := a.Hive.OpenFile(c.Request().Context(), id)
	if err != nil {
		return err
	}
	defer fc.Body.Close()
	br := bufio.NewReaderSize(fc.Body, 32<<10) // the copy below reads through it: keep it large
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return &hive.Error{Code: hive.CodeBadResponse, Op: "GET {file url}", Err: err}
	}
	download := c.QueryParam("download") != ""
	action := "file.view"
	if download {
		action = "file.download"
	}
	details := map[string]any{}
	if fc.File.CheckID != nil {
		details["check"] = *fc.File.CheckID
	}
	if err := a.audit(c, auditEntry{Action: action, TargetType: "file", TargetID: id, Outcome: outcomeSuccess, Details: details}); err != nil {
		return err // nothing has been sent yet
	}
	kind := http.DetectContentType(head)
	ext, known := servedTypes[kind]
	disposition := "inline"
	if !known {
		kind, ext, disposition = "application/octet-stream", ".bin", "attachment"
	} else if download {
		disposition = "attachment"
	}
	h := c.Response().Header()
	h.Set("Content-Type", kind)
	h.Set("Content-Disposition", contentDisposition(disposition, fileName(fc.File, id, ext)))
	h.Set("Content-Security-Policy", fileCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	if fc.ContentLength > 0 {
		h.Set("Content-Length", strconv.FormatInt(fc.ContentLength, 10))
	}
	c.Response().WriteHeader(http.StatusOK)
	_, _ = io.Copy(c.Response(), br) // a failure here is the browser leaving or Hive stopping
	return nil
}

// fileName names a download after what it shows and its id: "document_front-<id>.jpg". The type
// comes from the API, so only letters, digits, '-' and '_' of it are kept.
func fileName(f *hive.File, id, ext string) string {
	kind := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return -1
	}, string(f.Type))
	if kind == "" {
		kind = "file"
	}
	kind = kind[:min(len(kind), 40)]
	return kind + "-" + id + ext
}

// contentDisposition writes a disposition with the name as both the plain and the RFC 6266
// filename* parameter. name is already restricted to characters that need no quoting or escaping
// in either form, so nothing the API sent can end the header or add a parameter.
func contentDisposition(disposition, name string) string {
	return disposition + `; filename="` + name + `"; filename*=UTF-8''` + name
}
