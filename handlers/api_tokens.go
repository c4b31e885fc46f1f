package handlers

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/hiveconsole/hiveconsole/views"
	"github.com/hiveconsole/hiveconsole/webhooks"
	"github.com/labstack/echo/v4"
)

// errNoAPI answers the tokens pages of a console built without the read API.
var errNoAPI = echo.NewHTTPError(http.StatusNotFound, "The read API is not set up on this console.")

// apiTokensPage lists the API tokens, with the form that creates one.
func (a *App) apiTokensPage(c echo.Context) error {
	return a.apiTokensWith(c, http.StatusOK, views.APITokensModel{})
}

func (a *App) apiTokensWith(c echo.Context, status int, m views.APITokensModel) error {
	if a.APITokens == nil {
		return errNoAPI
	}
	list, err := a.APITokens.Tokens(c.Request().Context())
	if err != nil {
		return err
	}
	for _, t := range list {
		m.Tokens = append(m.Tokens, views.APIToken{ID: t.ID, Name: t.Name, Prefix: t.Prefix, Scope: t.Scope, CreatedBy: t.CreatedBy,
			Created: t.Created, LastUsed: t.LastUsed, Revoked: t.Revoked, RevokedBy: t.RevokedBy})
	}
	if m.Created != "" {
		c.Response().Header().Set("Cache-Control", "no-store") // the token is on this page alone
	}
	return render(c, status, views.APITokensPage(a.page(c, "API tokens"), m))
}

// createAPIToken makes a read token and shows it once.
func (a *App) createAPIToken(c echo.Context) error {
	if a.APITokens == nil {
		return errNoAPI
	}
	me, _ := userOf(c)
	name := c.FormValue("name")
	if clean := strings.Join(strings.Fields(name), " "); clean == "" || utf8.RuneCountInString(clean) > 100 {
		return a.apiTokensWith(c, http.StatusUnprocessableEntity, views.APITokensModel{FormName: name,
			FormError: "Give the token a name of 1 to 100 characters, such as the system that uses it."})
	}
	var (
		made   webhooks.Token
		secret string
	)
	err := a.change(c, auditEntry{Action: "api_token.create", TargetType: "api_token", Details: map[string]any{"name": name, "scope": webhooks.ScopeDecisions}},
		func() (string, error) {
			var err error
			made, secret, err = a.APITokens.CreateToken(c.Request().Context(), name, webhooks.ScopeDecisions, me.Email)
			return made.ID, err
		})
	if errors.Is(err, webhooks.ErrTokenName) {
		return a.apiTokensWith(c, http.StatusUnprocessableEntity, views.APITokensModel{FormName: name,
			FormError: "Give the token a name of 1 to 100 characters, such as the system that uses it."})
	}
	if err != nil {
		return err
	}
	return a.apiTokensWith(c, http.StatusCreated, views.APITokensModel{Created: secret, CreatedName: made.Name})
}

// revokeAPIToken ends a token for good.
func (a *App) revokeAPIToken(c echo.Context) error {
	if a.APITokens == nil {
		return errNoAPI
	}
	me, _ := userOf(c)
	id := c.Param("id")
	err := a.mutate(c, auditEntry{Action: "api_token.revoke", TargetType: "api_token", TargetID: id}, func() error {
		_, err := a.APITokens.RevokeToken(c.Request().Context(), id, me.Email)
		return err
	})
	if errors.Is(err, webhooks.ErrNoSuchToken) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such token, or it is revoked already.")
	}
	if err != nil {
		return err
	}
	a.flash(c, "success", "The token is revoked: requests with it are refused from now on.")
	return redirect(c, "/api-tokens")
}
