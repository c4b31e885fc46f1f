// Package clocktest is the settable clock tests inject where the code takes a now func: time moves
// when a test says, never by sleeping.
package clocktest

import (
	"sync"
	"time"
)

// Clock is a settable clock, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// New returns a clock at a fixed moment, 1 March 2025, 09:00 UTC.
func New() *Clock { return &Clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)} }

// Now is the clock's time; pass the method value where a now func is wanted.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
