package hive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// request is one API operation, before tokens and retries.
type request struct {
	method    string
	op        string // "GET /customers/{id}": a label without ids, for errors and metrics
	url       *url.URL
	form      url.Values   // sent form-encoded when not nil
	basicAuth bool         // the token endpoint: key and secret instead of a bearer token
	client    *http.Client // nil: the API client
}

// endpoint joins path segments (already validated ids) onto the base URL.
func (c *Client) endpoint(segments ...string) *url.URL {
	u := *c.base
	for _, s := range segments {
		u.Path += "/" + s
		u.RawPath = ""
	}
	return &u
}

// call sends r within the client's per-call timeout and decodes a 2xx JSON body into out (when not
// nil), reading at most limit bytes. The whole call, body included, is one outcome for r's breaker.
func (c *Client) call(ctx context.Context, r request, limit int64, out any) error {
	return c.breakers.guard(r.op, func() error {
		ctx, cancel := context.WithTimeout(ctx, c.timeout)
		defer cancel()
		resp, err := c.transmit(ctx, r)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if out == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBodyBytes))
			return nil
		}
		err = decodeBody(r.op, resp.Body, limit, out)
		if err != nil && ctx.Err() != nil {
			// A body still arriving when time ran out is Hive being too slow, not unreadable.
			return &Error{Code: CodeUnavailable, Op: r.op, Message: "Hive took too long to answer", Err: ctx.Err()}
		}
		return err
	})
}

// send is transmit through r's breaker, for callers that read the body themselves (downloads):
// the outcome counted is the response's status.
func (c *Client) send(ctx context.Context, r request) (*http.Response, error) {
	var resp *http.Response
	err := c.breakers.guard(r.op, func() (err error) {
		resp, err = c.transmit(ctx, r)
		return err
	})
	return resp, err
}

// transmit performs r with authentication and the retry policy and returns a 2xx response whose
// body the caller must close. Every other outcome is an *Error.
func (c *Client) transmit(ctx context.Context, r request) (*http.Response, error) {
	refreshed := false
	for attempt := 1; ; attempt++ {
		resp, tok, err := c.attempt(ctx, r, attempt)
		if err != nil {
			var herr *Error
			if errors.As(err, &herr) {
				return nil, err // refused before sending: a token failure, say
			}
			if ctx.Err() != nil {
				return nil, &Error{Code: CodeUnavailable, Op: r.op, Message: "Hive took too long to answer", Err: ctx.Err()}
			}
			if attempt < c.retry.MaxAttempts && retryable(r.method, 0, err) {
				if werr := c.sleep(ctx, c.retry.backoff(attempt)); werr != nil {
					return nil, &Error{Code: CodeUnavailable, Op: r.op, Message: "Hive could not be reached", Err: scrubURL(err)}
				}
				continue
			}
			return nil, &Error{Code: CodeUnavailable, Op: r.op, Message: "Hive could not be reached", Err: scrubURL(err)}
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return resp, nil
		}
		apiErr := readError(r.op, resp, c.now())
		resp.Body.Close()
		if resp.StatusCode == http.StatusUnauthorized && !r.basicAuth && !refreshed {
			// The token may have been revoked early: get a new one and try once more. Safe for every
			// method, since a refused request did nothing.
			refreshed = true
			c.tokens.invalidate(tok)
			attempt--
			continue
		}
		if attempt >= c.retry.MaxAttempts || !retryable(r.method, resp.StatusCode, nil) {
			return nil, apiErr
		}
		wait := c.retry.backoff(attempt)
		if ra, ok := retryAfter(resp.Header, c.now()); ok {
			if ra > c.retry.MaxRetryAfter {
				return nil, apiErr // Hive asks for longer than a page view can wait
			}
			wait = max(ra, wait/2)
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return nil, apiErr // the retry could not finish in time: say what Hive said, now
		}
		if err := c.sleep(ctx, wait); err != nil {
			apiErr.Err = err // the caller gave up while waiting to retry: say so, with what Hive said
			return nil, apiErr
		}
	}
}

// attempt sends r once. A non-nil error is either an *Error (nothing was sent) or a transport error.
func (c *Client) attempt(ctx context.Context, r request, n int) (*http.Response, accessToken, error) {
	var tok accessToken
	if !r.basicAuth {
		var err error
		if tok, err = c.tokens.token(ctx); err != nil {
			return nil, tok, err
		}
	}
	var body io.Reader
	if r.form != nil {
		body = strings.NewReader(r.form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url.String(), body)
	if err != nil {
		return nil, tok, &Error{Code: CodeRefused, Op: r.op, Err: err}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "hiveconsole-go")
	if r.form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if r.basicAuth {
		req.SetBasicAuth(c.apiKey, string(c.apiSecret))
	} else {
		req.Header.Set("Authorization", "Bearer "+tok.value)
	}
	hc := r.client
	if hc == nil {
		hc = c.http
	}
	start := time.Now()
	resp, err := hc.Do(req)
	call := Call{Op: r.op, Duration: time.Since(start), Attempt: n}
	if resp != nil {
		call.Status = resp.StatusCode
	}
	if c.observe != nil {
		c.observe(call)
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "hive call", slog.String("op", call.Op), slog.Int("status", call.Status),
		slog.Duration("duration", call.Duration), slog.Int("attempt", n))
	return resp, tok, err
}

// scrubURL keeps the cause of a transport error but drops the URL net/http wraps it with; the URL
// carries nothing secret, but "Get \"https://…\": " helps nobody reading a Hive error.
func scrubURL(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err
	}
	return err
}

// apiErrorBody is the error body the Hive sandbox documents; the fields are read from the top level
// or from an "error" object.
type apiErrorBody struct {
	Status    int    `json:"status"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	Field     string `json:"field"`
	RequestID string `json:"request_id"`
}

// readError turns a non-2xx response into an *Error. Bodies that are not JSON (a proxy's HTML page)
// are not echoed: the status text stands in for the message.
func readError(op string, resp *http.Response, now time.Time) *Error {
	e := &Error{Code: codeForStatus(resp.StatusCode), StatusCode: resp.StatusCode, Op: op, RequestID: resp.Header.Get("X-Request-Id")}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
	var wrapped struct {
		Error json.RawMessage `json:"error"`
		apiErrorBody
	}
	var body apiErrorBody
	if json.Unmarshal(raw, &wrapped) == nil {
		body = wrapped.apiErrorBody
		var inner apiErrorBody
		if len(wrapped.Error) > 0 && json.Unmarshal(wrapped.Error, &inner) == nil {
			body = inner
		} else if msg := ""; json.Unmarshal(wrapped.Error, &msg) == nil && msg != "" && body.Message == "" {
			body.Message = msg
		}
	}
	e.APICode, e.Field = body.Code, body.Field
	e.Message = body.Message
	if e.Message == "" {
		e.Message = strings.ToLower(http.StatusText(resp.StatusCode))
	}
	if body.RequestID != "" {
		e.RequestID = body.RequestID
	}
	if d, ok := retryAfter(resp.Header, now); ok {
		e.RetryAfter = d
	}
	return e
}

// errTooLarge marks a body cut off at its size limit.
var errTooLarge = errors.New("response body over the size limit")

// limitedReader is io.LimitReader that fails, rather than ends, when the limit is passed, so a
// truncated decode is told apart from an oversized body.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			return 0, errTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// decodeBody decodes one JSON value from body into out. Malformed or truncated JSON, wrong types,
// trailing data and oversized bodies are CodeBadResponse errors.
func decodeBody(op string, body io.Reader, limit int64, out any) error {
	lr := &limitedReader{r: body, n: limit}
	dec := json.NewDecoder(lr)
	if err := dec.Decode(out); err != nil {
		return badResponse(op, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("data after the JSON value")
		}
		return badResponse(op, err)
	}
	return nil
}

func badResponse(op string, err error) *Error {
	msg := "Hive sent a response this console cannot read"
	if errors.Is(err, errTooLarge) {
		msg = "Hive sent a response larger than the console accepts"
	}
	return &Error{Code: CodeBadResponse, Op: op, Message: msg, Err: fmt.Errorf("decode: %w", err)}
}
