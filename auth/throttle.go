package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"time"
)

// ThrottlePolicy limits failed sign-ins for one key (an account or a client address).
//
// Attempts are charged before the password is checked, in the same database transaction that reads
// the counter, so a thousand parallel guesses get exactly MaxFailures checked, however many replicas
// serve them. A successful sign-in refunds its charge.
type ThrottlePolicy struct {
	MaxFailures int           // attempts allowed per Window; the next one starts a lockout
	Window      time.Duration // how long failures are remembered
	Lockout     time.Duration // the first lockout; each consecutive one doubles, up to MaxLockout
	MaxLockout  time.Duration // the longest lockout, so an attacker cannot lock a colleague out for days
}

// DefaultAccountThrottle allows 5 failed sign-ins per account per 15 minutes.
func DefaultAccountThrottle() ThrottlePolicy {
	return ThrottlePolicy{MaxFailures: 5, Window: 15 * time.Minute, Lockout: 15 * time.Minute, MaxLockout: 2 * time.Hour}
}

// DefaultAddressThrottle allows 20 failed sign-ins per client address per 15 minutes; more than the
// account limit because an office may sit behind one address.
func DefaultAddressThrottle() ThrottlePolicy {
	return ThrottlePolicy{MaxFailures: 20, Window: 15 * time.Minute, Lockout: 15 * time.Minute, MaxLockout: 2 * time.Hour}
}

func (p ThrottlePolicy) withDefaults(d ThrottlePolicy) ThrottlePolicy {
	if p.MaxFailures <= 0 {
		p.MaxFailures = d.MaxFailures
	}
	if p.Window <= 0 {
		p.Window = d.Window
	}
	if p.Lockout <= 0 {
		p.Lockout = d.Lockout
	}
	if p.MaxLockout < p.Lockout {
		p.MaxLockout = max(d.MaxLockout, p.Lockout)
	}
	return p
}

// Throttle is the stored state of one throttle key.
type Throttle struct {
	Key         string    // "account:…" or "address:…", hashed so no email or address is stored
	Failures    int       // attempts charged in the current window
	WindowStart time.Time // when the current window began
	LockedUntil time.Time // attempts before this are refused
	Lockouts    int       // consecutive lockouts, for the backoff
	UpdatedAt   time.Time // last change, for pruning
}

// idle reports whether the state carries nothing worth storing.
func (t Throttle) idle() bool {
	return t.Failures == 0 && t.LockedUntil.IsZero() && t.Lockouts == 0
}

// charge spends one attempt from t at now. It returns 0 when the attempt may proceed, or how long to
// wait. Exceeding the budget starts a lockout that lasts at least until the window would have ended,
// so being locked out never lets an attacker in sooner than waiting would.
func (p ThrottlePolicy) charge(t *Throttle, now time.Time) time.Duration {
	if now.Before(t.LockedUntil) {
		return t.LockedUntil.Sub(now)
	}
	if t.WindowStart.IsZero() || !now.Before(t.WindowStart.Add(p.Window)) {
		t.Failures, t.WindowStart = 0, now
	}
	if t.Failures >= p.MaxFailures {
		t.LockedUntil = now.Add(p.lockout(t.Lockouts))
		if end := t.WindowStart.Add(p.Window); end.After(t.LockedUntil) {
			t.LockedUntil = end
		}
		t.Lockouts++
		t.Failures, t.WindowStart = 0, time.Time{}
		t.UpdatedAt = now
		return t.LockedUntil.Sub(now)
	}
	t.Failures++
	t.UpdatedAt = now
	return 0
}

// lockout is the length of the (n+1)th consecutive lockout.
func (p ThrottlePolicy) lockout(n int) time.Duration {
	d := p.Lockout
	for range n {
		if d >= p.MaxLockout/2 {
			return p.MaxLockout
		}
		d *= 2
	}
	return min(d, p.MaxLockout)
}

// refund returns one attempt's charge after a successful sign-in.
func refund(t *Throttle, now time.Time) {
	if t.Failures > 0 {
		t.Failures--
	}
	t.UpdatedAt = now
}

// accountKey and addressKey name throttle rows. Hashing keeps typed-in emails (including other
// people's mistyped ones) and client addresses out of the database.
func accountKey(email string) string { return throttleKey("account", email) }

func addressKey(client netip.Addr) string { return throttleKey("address", addressBucket(client)) }

func throttleKey(kind, value string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + value))
	return kind + ":" + hex.EncodeToString(sum[:16])
}

// addressBucket is the unit an address throttle counts: one IPv4 address, or one IPv6 /64, since a
// single client usually holds a whole /64 and could otherwise rotate through it.
func addressBucket(a netip.Addr) string {
	a = a.Unmap().WithZone("")
	switch {
	case !a.IsValid():
		return "unknown"
	case a.Is6():
		return netip.PrefixFrom(a, 64).Masked().String()
	}
	return a.String()
}
