package handlers

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/starfederation/datastar-go/datastar"
)

// liveStream answers with a Datastar SSE stream that wakes every LiveInterval and calls step, until
// step says it is done, the page closes or the server stops. A step's error is logged and the next
// tick tries again (Hive may be back by then). It holds no goroutine of its own.
func (a *App) liveStream(c echo.Context, name string, step func(sse *datastar.ServerSentEventGenerator) (done bool, err error)) error {
	r, w := c.Request(), c.Response()
	// Streams outlive the server's write timeout, which is for ordinary pages.
	_ = http.NewResponseController(w.Writer).SetWriteDeadline(time.Time{})
	defer a.metrics.StreamOpened()()
	sse := datastar.NewSSE(w.Writer, r)
	w.Committed = true // datastar-go wrote the headers itself
	ticker := time.NewTicker(a.liveInterval())
	defer ticker.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-a.shutdown:
			return nil
		case <-ticker.C:
		}
		done, err := step(sse)
		if err != nil {
			a.log.Warn(name, "err", err)
			continue
		}
		if done {
			return nil
		}
	}
}
