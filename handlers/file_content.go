package handlers

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/labstack/echo/v4"
)

// imageTypes are the only kinds of file the proxy serves, by what the bytes are, not by what the
// files host says they are.
var imageTypes = map[string]string{"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp", "image/gif": ".gif"}

// fileContent streams a file's bytes through the console: the browser never talks to the files
// host and never sees its URL or the bearer token. It takes a file id, never a URL; the client only
// fetches from allow-listed hosts and follows no redirects; no upstream header is copied; the type
// is sniffed from the bytes and must be an image; the response is sandboxed, not cached, and named.
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
	br := bufio.NewReaderSize(fc.Body, 512)
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return &hive.Error{Code: hive.CodeBadResponse, Op: "GET {file url}", Err: err}
	}
	kind := http.DetectContentType(head)
	ext, ok := imageTypes[kind]
	if !ok {
		return &hive.Error{Code: hive.CodeBadResponse, Op: "GET {file url}", Message: "the file is not an image the console shows"}
	}
	h := c.Response().Header()
	h.Set("Content-Type", kind)
	h.Set("Content-Disposition", `inline; filename="`+string(fc.File.Type)+"-"+id+ext+`"`)
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; sandbox")
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
