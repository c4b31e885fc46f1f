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
// Each attempt is charged to the account and to the client address before the password is checked;
// over budget, it fails with a *ThrottledError (errors.Is ErrThrottled) carrying RetryAfter, without
// hashing. client should come from ClientIP, so a forged X-Forwarded-For cannot pick a fresh budget.
// Success clears the account's failures, refunds the address's charge, records the sign-in time,
// and rehashes the password if the stored hash used older parameters.
func (s *Service) Authenticate(ctx context.Context, email, password string, client netip.Addr) (User, error) {
	email = NormalizeEmail(email)
	acct, addr := accountKey(email), addressKey(client)
	if err := s.charge(ctx, []string{acct, addr}, []ThrottlePolicy{s.account, s.address}); err != nil {
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
	if err := s.succeed(ctx, acct, addr); err != nil {
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

// charge spends one attempt from each key's budget in one transaction. If any key is over budget,
// none is charged (but a lockout that begins now is kept) and a *ThrottledError says how long to wait.
func (s *Service) charge(ctx context.Context, keys []string, policies []ThrottlePolicy) error {
	now := s.now()
	var wait time.Duration
	err := s.store.UpdateThrottles(ctx, keys, func(ts []*Throttle) error {
		wait = 0
		before := make([]Throttle, len(ts))
		refused := make([]bool, len(ts))
		for i, t := range ts {
			before[i] = *t
			if w := policies[i].charge(t, now); w > 0 {
				refused[i], wait = true, max(wait, w)
			}
		}
		if wait > 0 {
			for i, t := range ts {
				if !refused[i] {
					*t = before[i]
				}
			}
		}
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

// succeed clears the account's throttle and refunds the address's charge ("" for none). The address
// keeps its other failures: signing in to one's own account must not reset the budget for guessing
// at others'.
func (s *Service) succeed(ctx context.Context, acct, addr string) error {
	keys := []string{acct}
	if addr != "" {
		keys = append(keys, addr)
	}
	now := s.now()
	return s.store.UpdateThrottles(ctx, keys, func(ts []*Throttle) error {
		*ts[0] = Throttle{Key: ts[0].Key}
		if len(ts) > 1 {
			refund(ts[1], now)
		}
		return nil
	})
}
