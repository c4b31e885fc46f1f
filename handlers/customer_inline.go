package handlers

import (
	"net/http"
	"net/url"

	"github.com/a-h/templ"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
	"github.com/starfederation/datastar-go/datastar"
)

// isDatastar says whether the request came from a Datastar action rather than a navigation.
func isDatastar(c echo.Context) bool {
	return c.Request().Header.Get("Datastar-Request") == "true"
}

// patch answers a Datastar request with components that replace the elements of the same ids,
// then a toast when message is not empty. Everything the request carries (form, signals) must have
// been read before: the SSE response starts here.
func (a *App) patch(c echo.Context, message string, components ...templ.Component) error {
	sse := datastar.NewSSE(c.Response().Writer, c.Request())
	c.Response().Committed = true
	for _, comp := range components {
		if err := sse.PatchElementTempl(comp); err != nil {
			return nil // the page went away
		}
	}
	if message != "" {
		toast := views.Toast(views.Flash{Kind: "success", Message: message}, a.assets())
		_ = sse.PatchElementTempl(toast, datastar.WithSelectorID("toasts"), datastar.WithModeAppend())
	}
	return nil
}

// readListSignals reads a list's state from a Datastar request.
func readListSignals(c echo.Context, into any) error {
	if err := datastar.ReadSignals(c.Request(), into); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The list's state could not be read. Reload the page.")
	}
	return nil
}

// patchResults answers a list's Datastar request: the results replace themselves in the page, and
// the address bar follows the list's state (addr), without a reload.
func (a *App) patchResults(c echo.Context, results templ.Component, addr string) error {
	sse := datastar.NewSSE(c.Response().Writer, c.Request())
	c.Response().Committed = true
	if err := sse.PatchElementTempl(results); err != nil {
		return nil // the page went away
	}
	if u, err := url.Parse(addr); err == nil {
		_ = sse.ReplaceURL(*u)
	}
	return nil
}
