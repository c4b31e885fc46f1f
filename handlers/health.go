package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// healthz says the process is up and serving.
func (a *App) healthz(c echo.Context) error {
	return c.String(http.StatusOK, "ok\n")
}

// readyz says whether the console can do its work: its database answers and Hive is reachable.
// It names which part failed and nothing more.
func (a *App) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 5*time.Second)
	defer cancel()
	if err := a.Staff.Ping(ctx); err != nil {
		a.log.Warn("readyz: database", "err", err)
		return c.String(http.StatusServiceUnavailable, "database unavailable\n")
	}
	if a.HivePing != nil {
		if err := a.HivePing(ctx); err != nil {
			a.log.Warn("readyz: hive", "err", err)
			return c.String(http.StatusServiceUnavailable, "hive unavailable\n")
		}
	}
	return c.String(http.StatusOK, "ready\n")
}

// favicon answers browsers that ask for /favicon.ico before reading the page's icon link.
func (a *App) favicon(c echo.Context) error {
	return c.Redirect(http.StatusMovedPermanently, a.Assets.Path("favicon.svg"))
}
