package hive

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
)

// ErrCircuitOpen is the cause (Error.Err) of a call refused without touching the network because its
// endpoint group failed repeatedly: errors.Is(err, ErrCircuitOpen). Such an error also has
// CodeUnavailable, so it is handled as Hive being unreachable, and a RetryAfter of the cool-down left.
var ErrCircuitOpen = errors.New("circuit open: Hive failed repeatedly, calls paused")

// Defaults for BreakerPolicy's zero values.
const (
	DefaultBreakerFailures = 5
	DefaultBreakerCooldown = 30 * time.Second
)

// BreakerPolicy configures the circuit breaker each endpoint group (customers, sessions, checks,
// files, file downloads, token) has. A call fails when Hive could not be reached, timed out, or
// answered 5xx or 429; any other answer, 4xx included, is Hive working. After Failures failed calls
// in a row the group's breaker opens: its calls fail at once with ErrCircuitOpen for Cooldown, then
// one probe call is let through, and its success closes the breaker again (its failure reopens it).
// A call counts once, whatever its retries.
type BreakerPolicy struct {
	Failures int           // consecutive failed calls that open a group; DefaultBreakerFailures when zero
	Cooldown time.Duration // how long an open group refuses calls; DefaultBreakerCooldown when zero
	Disabled bool          // no breaking at all: every call goes to Hive
}

// breakerGroups are the endpoint groups, by the first segment of an operation's path. Downloads go
// to the files host, which fails on its own.
var breakerGroups = []string{"customers", "sessions", "checks", "files", "token", "downloads"}

// breakers holds one breaker per endpoint group. The map is built once and only read afterwards.
type breakers struct {
	groups   map[string]*breaker
	cooldown time.Duration
}

// breaker is one group's circuit breaker and when it last opened, for the Retry-After hint.
type breaker struct {
	cb       *gobreaker.CircuitBreaker[struct{}]
	openedAt atomic.Int64 // UnixNano
}

func newBreakers(p BreakerPolicy) *breakers {
	b := &breakers{groups: map[string]*breaker{}, cooldown: orDefault(p.Cooldown, DefaultBreakerCooldown)}
	if p.Disabled {
		return b
	}
	failures := uint32(max(orDefault(p.Failures, DefaultBreakerFailures), 1))
	for _, name := range breakerGroups {
		g := &breaker{}
		g.cb = gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
			Name:        name,
			MaxRequests: 1, // one probe when half-open
			Timeout:     b.cooldown,
			ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= failures },
			OnStateChange: func(_ string, _, to gobreaker.State) {
				if to == gobreaker.StateOpen {
					g.openedAt.Store(time.Now().UnixNano())
				}
			},
			IsSuccessful: hiveAnswered,
			IsExcluded:   notHivesFault,
		})
		b.groups[name] = g
	}
	return b
}

// groupOf names an operation's endpoint group: "GET /checks/{id}/report" is in "checks".
func groupOf(op string) string {
	if op == opDownload {
		return "downloads"
	}
	_, path, _ := strings.Cut(op, " /")
	group, _, _ := strings.Cut(path, "/")
	return group
}

// guard runs fn, one call of operation op, through op's group breaker: at once with an
// ErrCircuitOpen error while the group is open, else counting fn's outcome.
func (b *breakers) guard(op string, fn func() error) error {
	g := b.groups[groupOf(op)]
	if g == nil {
		return fn()
	}
	_, err := g.cb.Execute(func() (struct{}, error) { return struct{}{}, fn() })
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return &Error{Code: CodeUnavailable, Op: op, Message: "Hive is unreachable", RetryAfter: g.retryAfter(b.cooldown),
			Err: ErrCircuitOpen}
	}
	return err
}

// retryAfter is what is left of the cool-down, at least a second: a half-open group whose probe is
// in flight refuses others too.
func (g *breaker) retryAfter(cooldown time.Duration) time.Duration {
	left := cooldown - time.Since(time.Unix(0, g.openedAt.Load()))
	return max(left.Round(time.Second), time.Second)
}

// hiveAnswered says whether a call's outcome shows Hive working: success, or any answer other than
// 5xx and 429. A response the client could not read is Hive answering, not failing to.
func hiveAnswered(err error) bool {
	if err == nil {
		return true
	}
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code != CodeUnavailable && e.Code != CodeRateLimited
}

// notHivesFault says whether a call's failure says nothing about Hive: the caller gave up, another
// group's breaker (the token's, say) refused it, or the caller's own work on a streamed list failed.
func notHivesFault(err error) bool {
	var ce *callerError
	return errors.Is(err, context.Canceled) || errors.Is(err, ErrCircuitOpen) || errors.As(err, &ce)
}

// open reports whether any group is open or probing.
func (b *breakers) open() bool {
	for _, g := range b.groups {
		if g.cb.State() != gobreaker.StateClosed {
			return true
		}
	}
	return false
}

// states names each group's state: closed, open or half-open.
func (b *breakers) states() map[string]string {
	out := make(map[string]string, len(b.groups))
	for name, g := range b.groups {
		out[name] = g.cb.State().String()
	}
	return out
}

// Unreachable reports whether Hive is failing as far as the client knows: some endpoint group's
// breaker is open, or waiting on its probe. Pages use it to say that what they show may be stale.
func (c *Client) Unreachable() bool { return c.breakers.open() }

// BreakerStates names each endpoint group's breaker state ("closed", "open", "half-open"), for
// readiness and diagnostics. It is empty when breaking is disabled.
func (c *Client) BreakerStates() map[string]string { return c.breakers.states() }
