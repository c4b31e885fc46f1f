package handlers

import (
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// navEntry is a page of the main navigation and the permission it needs.
type navEntry struct {
	label, href, icon string
	perm              auth.Permission
}

// navigation lists the console's pages in menu order; page issues add theirs here.
func navigation() []navEntry {
	return []navEntry{
		{"Overview", "/", "home", auth.ViewOverview},
	}
}

// page builds the layout's model for this request: assets, nonce, CSRF token, the user and the
// navigation their role allows.
func (a *App) page(c echo.Context, title string) views.Page {
	p := views.Page{
		Title:     title,
		Nonce:     nonceOf(c),
		RequestID: requestIDOf(c),
		Assets: views.Assets{
			CSS: a.Assets.Path("app.css"), JS: a.Assets.Path("datastar.js"),
			Icons: a.Assets.Path("icons.svg"), Favicon: a.Assets.Path("favicon.svg"),
		},
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
		if u.Can(n.perm) {
			p.Nav = append(p.Nav, views.NavItem{Label: n.label, Href: n.href, Icon: n.icon, Current: c.Path() == n.href})
		}
	}
	return p
}
