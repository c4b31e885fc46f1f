package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"strings"
	"time"
)

// ThrottlePolicy limits failed sign-ins from one client address, across every account it tries.
//
// Attempts are charged before the password is checked, in the same database transaction that reads
// the counter, so a thousand parallel guesses get exactly MaxFailures checked, however many replicas
// serve them. A successful sign-in refunds its charge. A lockout here only ever holds back the
// address that earned it.
type ThrottlePolicy struct {
	MaxFailures int           // attempts allowed per Window; the next one starts a lockout
	Window      time.Duration // how long failures are remembered
	Lockout     time.Duration // the first lockout; each consecutive one doubles, up to MaxLockout
	MaxLockout  time.Duration // the longest lockout
}

// DefaultAddressThrottle allows 20 failed sign-ins per client address per 15 minutes; more than an
// account's free failures because an office may sit behind one address.
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

// DelayPolicy slows repeated failed sign-ins against an account without ever locking it: the first
// FreeFailures failures cost nothing; after that each failure makes the next attempt wait, Delay
// first and twice as long with every further failure, up to MaxDelay. Failures are forgotten Forget
// after the last one, and a successful sign-in forgets them at once.
//
// Keyed by the account alone, a lockout would let anyone who knows a colleague's email keep them
// out. So each account is guarded by two delay policies, beside the address throttle
// (ThrottlePolicy) that limits one address guessing across many accounts:
//
//   - The pair policy (DefaultPairThrottle) counts failures against one account from one client
//     address (an IPv6 /64). It is the strong one, growing to half an hour, and it only ever holds
//     back the address that failed: a stranger guessing at a colleague's password slows
//     themselves, while the colleague signing in from anywhere else is not refused.
//   - The account policy (DefaultAccountThrottle) counts failures against the account from every
//     address, so guesses spread over many addresses are still slowed. Anyone can drive it, so it
//     is gentle — seconds, never more than a minute — and it counts only the free failures of
//     each address: one address alone can never set it off, and an address the pair policy is
//     already slowing adds nothing to it. An address the account signed in from successfully in
//     the last 30 days is exempt from it (never from its own pair delay), so even a sustained
//     attack from many addresses does not keep the owner out from where they usually sign in.
//
// Every attempt is charged to all its rows before the password is checked, in one transaction that
// reads them, so parallel guesses on any replica cannot get past a delay. An attempt that must wait
// is refused without being charged or checked. Rows are keyed by hashes, so no email or address is
// stored; pair rows also carry their account's key, so an admin can see and clear them all.
type DelayPolicy struct {
	FreeFailures int           // failures that cost no wait
	Delay        time.Duration // the wait after the first failure beyond the free ones
	MaxDelay     time.Duration // the longest wait
	Forget       time.Duration // failures stop counting this long after the last one
}

// DefaultPairThrottle lets one address fail 5 times against one account, then makes it wait a
// minute, doubling up to 30 minutes; failures are remembered for a day.
func DefaultPairThrottle() DelayPolicy {
	return DelayPolicy{FreeFailures: 5, Delay: time.Minute, MaxDelay: 30 * time.Minute, Forget: 24 * time.Hour}
}

// DefaultAccountThrottle lets an account take 10 failures (from addresses still within their free
// ones), then makes every address not known to the account wait 2 seconds, doubling up to a
// minute; failures are remembered for an hour.
func DefaultAccountThrottle() DelayPolicy {
	return DelayPolicy{FreeFailures: 10, Delay: 2 * time.Second, MaxDelay: time.Minute, Forget: time.Hour}
}

// knownAddressFor is how long a successful sign-in exempts its address from the account's delay.
const knownAddressFor = 30 * 24 * time.Hour

func (p DelayPolicy) withDefaults(d DelayPolicy) DelayPolicy {
	if p.FreeFailures <= 0 {
		p.FreeFailures = d.FreeFailures
	}
	if p.Delay <= 0 {
		p.Delay = d.Delay
	}
	if p.MaxDelay < p.Delay {
		p.MaxDelay = max(d.MaxDelay, p.Delay)
	}
	// Failures forgotten while an attacker waits out the longest delay would hand them fresh free ones.
	if p.Forget <= p.MaxDelay {
		p.Forget = max(d.Forget, 2*p.MaxDelay)
	}
	return p
}

// Throttle is the stored state of one throttle key.
type Throttle struct {
	Key         string    // "account:…", "pair:…", "password:…" or "address:…", hashed: no email or address is stored
	Account     string    // the key of the account the row counts for; "" for an address's row
	Failures    int       // failures that count
	WindowStart time.Time // when the current window began (address rows)
	LockedUntil time.Time // attempts before this are refused
	Lockouts    int       // consecutive lockouts, for the backoff (address rows)
	KnownUntil  time.Time // a pair row: until when its address is one the account signs in from
	UpdatedAt   time.Time // last change; while a delay row has Failures, its last failure, which Forget counts from
}

// idle reports whether the state carries nothing worth storing.
func (t Throttle) idle() bool {
	return t.Failures == 0 && t.LockedUntil.IsZero() && t.Lockouts == 0 && t.KnownUntil.IsZero()
}

// wait is how long an attempt at now must still wait.
func (t Throttle) wait(now time.Time) time.Duration {
	if now.Before(t.LockedUntil) {
		return t.LockedUntil.Sub(now)
	}
	return 0
}

// known reports whether t is a pair row whose address the account signed in from lately.
func (t Throttle) known(now time.Time) bool { return now.Before(t.KnownUntil) }

// failures is how many of t's failures still count at now.
func (p DelayPolicy) failures(t Throttle, now time.Time) int {
	if t.Failures > 0 && !now.Before(t.UpdatedAt.Add(p.Forget)) {
		return 0
	}
	return t.Failures
}

// fail counts one failure at now and sets how long the next attempt must wait.
func (p DelayPolicy) fail(t *Throttle, now time.Time) {
	n := p.failures(*t, now) + 1
	t.Failures, t.UpdatedAt = n, now
	if n >= p.FreeFailures {
		t.LockedUntil = now.Add(doubled(p.Delay, p.MaxDelay, n-p.FreeFailures))
	}
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
		t.LockedUntil = now.Add(doubled(p.Lockout, p.MaxLockout, t.Lockouts))
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

// doubled is base doubled n times, but never more than limit.
func doubled(base, limit time.Duration, n int) time.Duration {
	d := base
	for range n {
		if d >= limit/2 {
			return limit
		}
		d *= 2
	}
	return min(d, limit)
}

// refund returns one attempt's charge after a successful sign-in.
func refund(t *Throttle, now time.Time) {
	if t.Failures > 0 {
		t.Failures--
	}
	t.UpdatedAt = now
}

// The keys of throttle rows. Hashing keeps typed-in emails (including other people's mistyped ones)
// and client addresses out of the database. An address bucket never holds a NUL, so the last one
// in a pair's value separates it from the email unambiguously.
func accountKey(email string) string { return throttleKey(kindAccount, email) }

func pairKey(email string, client netip.Addr) string {
	return throttleKey(kindPair, email+"\x00"+addressBucket(client))
}

// passwordKey counts wrong current passwords on the change-password form, which a signed-in
// session reaches from no particular address.
func passwordKey(email string) string { return throttleKey(kindPassword, email) }

func addressKey(client netip.Addr) string { return throttleKey(kindAddress, addressBucket(client)) }

// Kinds of throttle row, the prefix of their keys.
const (
	kindAccount  = "account"
	kindPair     = "pair"
	kindPassword = "password"
	kindAddress  = "address"
)

func throttleKey(kind, value string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + value))
	return kind + ":" + hex.EncodeToString(sum[:16])
}

// keyKind is the kind of row a throttle key names.
func keyKind(key string) string {
	kind, _, _ := strings.Cut(key, ":")
	return kind
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
