package auth

import (
	"context"
	"time"
)

// SignInThrottle is how the sign-in throttle holds one account back, across every address it was
// tried from: what an admin sees on the staff member's page.
type SignInThrottle struct {
	DelayedUntil time.Time // the latest time some address must wait until; zero when nobody waits
	Everywhere   bool      // the account's own delay holds, so addresses it has not signed in from wait too
	Failures     int       // failed attempts that still count, from every address and the password form
	Addresses    int       // client addresses (an IPv6 /64 each) with failed attempts that still count
}

// Delayed reports whether some attempt on the account must wait.
func (st SignInThrottle) Delayed() bool { return !st.DelayedUntil.IsZero() }

// SignInThrottle reports how the sign-in throttle holds the account id back now.
func (s *Service) SignInThrottle(ctx context.Context, id string) (SignInThrottle, error) {
	su, err := s.store.UserByID(ctx, id)
	if err != nil {
		return SignInThrottle{}, err
	}
	var rows []Throttle
	for _, account := range throttleAccounts(su.User) {
		r, err := s.store.AccountThrottles(ctx, account)
		if err != nil {
			return SignInThrottle{}, err
		}
		rows = append(rows, r...)
	}
	return s.throttleState(rows, s.now()), nil
}

// throttleAccounts are the keys that mark u's throttle rows: the password's and the second factor's
// codes', each budget counted apart.
func throttleAccounts(u User) []string {
	return []string{accountKey(u.Email), throttleKey(kindTOTP, u.ID)}
}

// ClearSignInThrottle forgets every failure counted against the account id, from whatever address,
// wrong passwords and wrong codes alike, and the delays they set, so the next attempt from anywhere is checked at once. Addresses the
// account signs in from stay known.
func (s *Service) ClearSignInThrottle(ctx context.Context, id string) error {
	su, err := s.store.UserByID(ctx, id)
	if err != nil {
		return err
	}
	now := s.now()
	for _, account := range throttleAccounts(su.User) {
		err := s.store.UpdateAccountThrottles(ctx, account, func(ts []*Throttle) error {
			for _, t := range ts {
				cleared := Throttle{Key: t.Key, Account: t.Account, UpdatedAt: now}
				if t.known(now) {
					cleared.KnownUntil = t.KnownUntil
				}
				*t = cleared
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// throttleState sums up an account's rows at now.
func (s *Service) throttleState(rows []Throttle, now time.Time) SignInThrottle {
	var st SignInThrottle
	for _, t := range rows {
		if t.wait(now) > 0 && t.LockedUntil.After(st.DelayedUntil) {
			st.DelayedUntil = t.LockedUntil
		}
		switch keyKind(t.Key) {
		case kindAccount, kindTOTP:
			st.Everywhere = st.Everywhere || t.wait(now) > 0
		case kindPair, kindTOTPPair:
			if n := s.pair.failures(t, now); n > 0 {
				st.Failures += n
				st.Addresses++
			}
		case kindPassword:
			st.Failures += s.pair.failures(t, now)
		}
	}
	return st
}
