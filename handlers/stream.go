package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/labstack/echo/v4"
	"github.com/starfederation/datastar-go/datastar"
)

// Defaults for the stream caps.
const (
	defaultStreamsPerSession = 8
	defaultStreams           = 1000
)

// streamRetryAfter is what a refused stream is told to wait: long enough for a tab to close.
const streamRetryAfter = 10 * time.Second

// toLoginScript sends the page to the sign-in page, which brings the user back where they were.
const toLoginScript = `window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname + window.location.search))`

// liveStream answers with a Datastar SSE stream that wakes every LiveInterval and calls step, until
// step says it is done, the page closes or the server stops. A step's error is logged and the next
// tick tries again (Hive may be back by then). It holds no goroutine of its own.
//
// A stream outlives the request that opened it by minutes, so before every step it checks its web
// session again: signed out, revoked, the user disabled or given another role, the idle or the
// absolute timeout passed — the stream ends at that tick, sending the browser to the sign-in page,
// and nothing more is sent. Ticks are not activity: an open stream does not keep an idle session
// alive. The user the step sees (and so what it masks) is the one stored now. Streams are capped
// per web session and in total; past a cap the answer is 429 at once.
func (a *App) liveStream(c echo.Context, name string, step func(sse *datastar.ServerSentEventGenerator) (done bool, err error)) error {
	r, w := c.Request(), c.Response()
	ws := sessionOf(c)
	opened, _ := userOf(c)
	if ws == nil || opened.ID == "" {
		return echo.ErrUnauthorized // guard admits no anonymous stream; never serve one
	}
	leave, refused := a.streams.enter(ws.ID)
	if refused != "" {
		a.metrics.streamsRefused.Inc()
		w.Header().Set("Retry-After", strconv.Itoa(int(streamRetryAfter/time.Second)))
		w.Header().Set("Cache-Control", "no-store")
		return c.String(http.StatusTooManyRequests, refused)
	}
	defer leave()
	permission := a.access[r.Method+" "+c.Path()].Permission
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
		u, err := a.Staff.StillSignedIn(r.Context(), ws)
		switch {
		case errors.Is(err, auth.ErrUnauthenticated), err == nil && (u.Role != opened.Role || (permission != "" && !u.Can(permission))):
			a.metrics.streamsSignedOut.Inc()
			_ = sse.ExecuteScript(toLoginScript)
			return nil
		case err != nil:
			a.log.Warn(name+": session check", "err", err)
			continue // nothing is sent on a session that could not be checked
		}
		c.Set(keyUser, u)
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

// streamGate caps open live streams: each holds a connection and wakes on every tick, and each
// watched check costs Hive a call per tick, so one browser (or one stolen session) must not be able
// to hold hundreds, and all of them together must stay within what the console can serve.
type streamGate struct {
	perSession, total int

	mu        sync.Mutex
	open      int
	bySession map[string]int
}

func newStreamGate(perSession, total int) *streamGate {
	if perSession <= 0 {
		perSession = defaultStreamsPerSession
	}
	if total <= 0 {
		total = defaultStreams
	}
	return &streamGate{perSession: perSession, total: total, bySession: map[string]int{}}
}

// enter takes a place for a stream of the web session. It returns a func that gives the place back,
// or, when a cap is reached, why not (for the refusal's text).
func (g *streamGate) enter(session string) (leave func(), refused string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.bySession[session] >= g.perSession:
		return nil, "Too many live views are open in this browser (at most " + strconv.Itoa(g.perSession) +
			"). Close some tabs of the console, then reload this page."
	case g.open >= g.total:
		return nil, "The console is serving as many live views as it can. Reload this page in a moment."
	}
	g.open++
	g.bySession[session]++
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			g.open--
			if g.bySession[session]--; g.bySession[session] <= 0 {
				delete(g.bySession, session)
			}
		})
	}, ""
}
