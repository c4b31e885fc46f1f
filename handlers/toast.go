package handlers

import (
	"bytes"

	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
	"github.com/starfederation/datastar-go/datastar"
)

// toast answers a Datastar request with a message appended to the page's toast area, over SSE.
// The status is not sent: Datastar reads events, not statuses, and an SSE response must be 200.
func (a *App) toast(c echo.Context, status int, title, message string) error {
	kind := "error"
	if status < 400 {
		kind = "success"
	}
	var buf bytes.Buffer
	if err := views.Toast(views.Flash{Kind: kind, Title: title, Message: message}, a.page(c, title).Assets).Render(c.Request().Context(), &buf); err != nil {
		return err
	}
	sse := datastar.NewSSE(c.Response().Writer, c.Request())
	c.Response().Committed = true
	return sse.PatchElements(buf.String(), datastar.WithSelectorID("toasts"), datastar.WithModeAppend())
}
