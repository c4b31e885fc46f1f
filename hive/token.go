package hive

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// refreshMargin is how long before expiry a token is replaced, so a call never starts with a token
// that dies in flight.
const refreshMargin = 60 * time.Second

// accessToken is a bearer token and when to stop using it. It prints as "[redacted]".
type accessToken struct {
	value   string
	refresh time.Time // when to fetch a new one: expiry less the margin
}

// Format redacts the token whatever the verb.
func (t accessToken) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// tokenSource caches the access token. Concurrent callers that find it stale share one fetch.
type tokenSource struct {
	client *Client

	mu       sync.Mutex
	current  accessToken
	inflight *tokenFetch
}

// Format keeps the cached token out of %v and %#v of anything that holds a tokenSource.
func (ts *tokenSource) Format(f fmt.State, _ rune) {
	_, _ = f.Write([]byte("hive.tokenSource{[redacted]}"))
}

// tokenFetch is one fetch that several callers wait on.
type tokenFetch struct {
	done chan struct{}
	tok  accessToken
	err  error
}

// token returns a valid token, fetching one when the cached one is missing or due for refresh.
// A caller whose context ends stops waiting, but the shared fetch goes on for the others.
func (ts *tokenSource) token(ctx context.Context) (accessToken, error) {
	ts.mu.Lock()
	if ts.current.value != "" && ts.client.now().Before(ts.current.refresh) {
		tok := ts.current
		ts.mu.Unlock()
		return tok, nil
	}
	f := ts.inflight
	if f == nil {
		f = &tokenFetch{done: make(chan struct{})}
		ts.inflight = f
		// Detached from the caller's cancellation, bounded by the client's own timeout.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ts.client.timeout)
		go func() {
			defer cancel()
			ts.finish(fctx, f)
		}()
	}
	ts.mu.Unlock()
	select {
	case <-f.done:
		return f.tok, f.err
	case <-ctx.Done():
		return accessToken{}, &Error{Code: CodeUnavailable, Op: "GET /token", Err: ctx.Err()}
	}
}

func (ts *tokenSource) finish(ctx context.Context, f *tokenFetch) {
	f.tok, f.err = ts.client.fetchToken(ctx)
	ts.mu.Lock()
	if f.err == nil {
		ts.current = f.tok
	}
	ts.inflight = nil
	ts.mu.Unlock()
	close(f.done)
}

// invalidate drops the cached token if it is still the one that was refused, so that of many
// callers refused at once only one fetch follows.
func (ts *tokenSource) invalidate(used accessToken) {
	ts.mu.Lock()
	if ts.current.value == used.value {
		ts.current = accessToken{}
	}
	ts.mu.Unlock()
}

// tokenResponse is the body of GET /token.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
}

// fetchToken exchanges the API key and secret for an access token (HTTP Basic, base64 as the
// reference's text prescribes).
func (c *Client) fetchToken(ctx context.Context) (accessToken, error) {
	const op = "GET /token"
	started := c.now()
	var body tokenResponse
	err := c.call(ctx, request{method: http.MethodGet, op: op, url: c.endpoint("token"), basicAuth: true}, c.maxObject, &body)
	if err != nil {
		return accessToken{}, err
	}
	if body.AccessToken == "" || body.ExpiresIn <= 0 {
		return accessToken{}, &Error{Code: CodeBadResponse, Op: op, Message: "token response without access_token or expires_in"}
	}
	life := time.Duration(body.ExpiresIn) * time.Second
	margin := refreshMargin
	if life <= 2*margin {
		margin = life / 2 // a short-lived token is still used for half its life
	}
	return accessToken{value: body.AccessToken, refresh: started.Add(life - margin)}, nil
}
