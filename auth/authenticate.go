package auth

import (
	"context"
	"errors"
	"net/netip"
	"time"
)

// Authenticate checks an email and password from the sign-in form. It answers ErrInvalidCredentials
// alike for an unknown email, a disabled account and a wrong password, and spends the same argon2id
// work on each (an unknown email is checked against a dummy hash), so neither the answer nor its
// timing says which accounts exist.
//
// Each attempt is charged to the account from this address, to the account and to the address
// before the password is checked (see DelayPolicy); when one of them says wait, it fails with a
// *ThrottledError (errors.Is ErrThrottled) carrying RetryAfter, without hashing. An unknown email is
// throttled exactly like a real one. client should come from ClientIP, so a forged X-Forwarded-For
// cannot pick a fresh budget. Success clears the account's failures from this address and from
// everywhere, remembers the address as one the account signs in from, refunds the address's charge,
// records the sign-in time, and rehashes the password if the stored hash used older parameters.
func (s *Service) Authenticate(ctx context.Context, email, password string, client netip.Addr) (User, error) {
	email = NormalizeEmail(email)
	rows := signInRows{account: accountKey(email), pair: pairKey(email, client), address: addressKey(client)}
	if err := s.charge(ctx, rows); err != nil {
		return User{}, err
	}
	su, err := s.store.UserByEmail(ctx, email)
	known := err == nil
	if err != nil && !errors.Is(err, ErrUserNotFound) {
		return User{}, err
	}
	hash := s.dummyHash
	if known {
		hash = su.PasswordHash
	}
	// No stored password is longer than the policy allows; an oversized one is still hashed (at the
	// limit) so it costs what any other failure costs, and never truncated into a match.
	tooLong := len(password) > 4*maxPasswordLen
	if tooLong {
		password = password[:4*maxPasswordLen]
	}
	ok, current, err := s.hasher.verify(ctx, password, hash)
	if err != nil {
		return User{}, err
	}
	if !known || !ok || tooLong || su.Disabled {
		return User{}, ErrInvalidCredentials
	}
	if err := s.succeed(ctx, rows); err != nil {
		return User{}, err
	}
	return s.recordLogin(ctx, su, password, current)
}

// recordLogin stores the sign-in time and, when the hash's parameters are outdated, a fresh hash;
// the rehash is skipped if the password changed meanwhile, and its failure never fails a sign-in.
func (s *Service) recordLogin(ctx context.Context, su StoredUser, password string, current bool) (User, error) {
	var rehashed string
	if !current {
		h, err := s.hasher.hash(ctx, password)
		if err != nil {
			s.log.WarnContext(ctx, "auth: rehash password", "user", su.ID, "err", err)
		}
		rehashed = h
	}
	now := s.now()
	updated, err := s.store.UpdateUser(ctx, su.ID, func(u *StoredUser) error {
		u.LastLoginAt = now
		if rehashed != "" && u.PasswordHash == su.PasswordHash {
			u.PasswordHash = rehashed
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	return updated.User, nil
}

// signInRows names the throttle rows one attempt is charged to.
type signInRows struct {
	account string // the account's own row, whose key also marks its pair rows
	pair    string // the account from one address, or through the change-password form
	address string // the client address; "" when the attempt comes from none (a signed-in form)
}

func (k signInRows) keys() []string {
	if k.address == "" {
		return []string{k.pair, k.account}
	}
	return []string{k.pair, k.account, k.address}
}

// charge spends one attempt from k's rows in one transaction, or none and fails with a
// *ThrottledError saying how long to wait.
func (s *Service) charge(ctx context.Context, k signInRows) error {
	now := s.now()
	var wait time.Duration
	err := s.store.UpdateThrottles(ctx, k.keys(), func(ts []*Throttle) error {
		wait = s.chargeRows(ts, k.account, now)
		return nil
	})
	if err != nil {
		return err
	}
	if wait > 0 {
		return &ThrottledError{RetryAfter: wait}
	}
	return nil
}

// chargeRows decides one attempt on the rows read for it (pair, account, then the address's if
// any). When any of them says wait, it charges none (but keeps an address lockout that begins now)
// and returns the longest wait. The account's own delay does not hold back an address the account
// signs in from, and only the pair's free failures count against the account: one address alone
// cannot slow its owner down elsewhere.
func (s *Service) chargeRows(ts []*Throttle, account string, now time.Time) time.Duration {
	pair, acct := ts[0], ts[1]
	pair.Account, acct.Account = account, account
	wait := pair.wait(now)
	if !pair.known(now) {
		wait = max(wait, acct.wait(now))
	}
	if len(ts) > 2 {
		before := *ts[2]
		if w := s.address.charge(ts[2], now); w > 0 {
			return max(wait, w)
		}
		if wait > 0 {
			*ts[2] = before
		}
	}
	if wait > 0 {
		return wait
	}
	if s.pair.failures(*pair, now) < s.pair.FreeFailures {
		s.account.fail(acct, now)
	}
	s.pair.fail(pair, now)
	return 0
}

// succeed clears the account's row and the pair's failures and, for a sign-in, remembers the pair's
// address as one the account signs in from and refunds the address's charge. The address keeps its
// other failures: signing in to one's own account must not reset the budget for guessing at others'.
func (s *Service) succeed(ctx context.Context, k signInRows) error {
	now := s.now()
	return s.store.UpdateThrottles(ctx, k.keys(), func(ts []*Throttle) error {
		pair, acct := ts[0], ts[1]
		*acct = Throttle{Key: acct.Key}
		*pair = Throttle{Key: pair.Key, Account: k.account, UpdatedAt: now}
		if len(ts) > 2 {
			pair.KnownUntil = now.Add(knownAddressFor)
			refund(ts[2], now)
		}
		return nil
	})
}
