package handlers

import (
	"log/slog"
	"strings"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// navEntry is a page of the main navigation and the permission it needs.
type navEntry struct {
	label, href, icon string
	perm              auth.Permission
}

// navigation lists the console's pages in menu order, each shown only to roles with its permission;
// a new page with a menu entry adds it here.
func navigation() []navEntry {
	return []navEntry{
		{"Overview", "/", "home", auth.ViewOverview},
		{"Customers", "/customers", "users", auth.ViewCustomers},
		{"Checks", "/checks", "shield-check", auth.ViewChecks},
		{"Files", "/files", "image", auth.ViewFiles},
		{"Sessions", "/sessions", "key", auth.ViewSessions},
		{"Insights", "/insights", "activity", auth.ViewInsights},
		{"Staff", "/users", "user", auth.ManageUsers},
		{"Audit", "/audit", "history", auth.ViewAudit},
		{"Inbox", "/inbox", "info", ""}, // every signed-in user's: notes that mention them
	}
}

// page builds the layout's model for a whole page: assets, nonce, CSRF token, the user and the
// navigation their role allows, and the flash messages left for it (taken, so they show once).
func (a *App) page(c echo.Context, title string) views.Page {
	p := a.fragment(c)
	p.Title = title
	if ws := sessionOf(c); ws != nil {
		p.Flashes = a.takeFlashes(c, ws)
	}
	// The inbox's unread count is read for whole pages only: the navigation is not in a fragment's
	// patch, so an SSE patch or a re-rendered table does not pay for it.
	if u, ok := userOf(c); ok && a.Notes != nil {
		for i := range p.Nav {
			if p.Nav[i].Href == "/inbox" {
				p.Nav[i].Count, _ = a.Notes.Unread(c.Request().Context(), u.ID) // a failure shows no count, not an error page
			}
		}
	}
	return p
}

// fragment is page without the flash messages, for the parts of a page an SSE patch or a form
// re-renders: those must leave the messages for the next whole page.
func (a *App) fragment(c echo.Context) views.Page {
	p := views.Page{
		Nonce:       nonceOf(c),
		RequestID:   requestIDOf(c),
		Assets:      a.assets(),
		Environment: views.Environment{Sandbox: a.Sandbox, Label: a.HiveHost},
	}
	if ws := sessionOf(c); ws != nil {
		p.CSRFToken = ws.CSRFToken()
	}
	u, ok := userOf(c)
	if !ok {
		return p
	}
	p.User = &views.User{Name: u.Name, Email: u.Email, Role: string(u.Role)}
	for _, n := range navigation() {
		if n.perm == "" || u.Can(n.perm) {
			current := c.Path() == n.href || n.href != "/" && strings.HasPrefix(c.Path(), n.href+"/")
			p.Nav = append(p.Nav, views.NavItem{Label: n.label, Href: n.href, Icon: n.icon, Current: current})
		}
	}
	return p
}

// assets are the hashed addresses of the stylesheet, the bundle and the icons.
func (a *App) assets() views.Assets {
	return views.Assets{
		CSS: a.Assets.Path("app.css"), JS: a.Assets.Path("datastar.js"),
		Icons: a.Assets.Path("icons.svg"), Favicon: a.Assets.Path("favicon.svg"),
	}
}

// flashKey holds the next page's message in the web session: a plain string, so the session codec
// needs no registered types.
const flashKey = "flash"

// flash leaves a message for the next page this user sees. A failure to save it is logged, not
// fatal: the action it reports has already happened.
func (a *App) flash(c echo.Context, kind, message string) {
	ws := sessionOf(c)
	if ws == nil || message == "" {
		return
	}
	ws.Session.Values[flashKey] = kind + "\x1f" + message
	if err := ws.Session.Save(c.Request(), c.Response()); err != nil {
		a.log.Warn("flash not saved", slog.Any("err", err))
	}
}

func (a *App) takeFlashes(c echo.Context, ws *auth.WebSession) []views.Flash {
	v, ok := ws.Session.Values[flashKey].(string)
	if !ok {
		return nil
	}
	delete(ws.Session.Values, flashKey)
	if err := ws.Session.Save(c.Request(), c.Response()); err != nil {
		a.log.Warn("flash not cleared", slog.Any("err", err))
	}
	kind, message, _ := strings.Cut(v, "\x1f")
	return []views.Flash{{Kind: kind, Message: message}}
}
