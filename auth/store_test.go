package auth

import (
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestStore runs the Store contract against SQLite and PostgreSQL.
func TestStore(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, open func(testing.TB) *sqlStore) {
		testStoreContract(t, func(t *testing.T) Store { return open(t) })
	})
}

func testStoreContract(t *testing.T, open func(*testing.T) Store) {
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	user := func(email string, role Role) StoredUser {
		return StoredUser{User: User{ID: newUserID(), Email: email, Name: "N", Role: role, CreatedAt: at, PasswordChangedAt: at},
			PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$a2V5"}
	}

	t.Run("users round-trip", func(t *testing.T) {
		s := open(t)
		u := user("alice@example.com", RoleReviewer)
		if err := s.CreateUser(t.Context(), u); err != nil {
			t.Fatal(err)
		}
		for name, get := range map[string]func() (StoredUser, error){
			"by id":    func() (StoredUser, error) { return s.UserByID(t.Context(), u.ID) },
			"by email": func() (StoredUser, error) { return s.UserByEmail(t.Context(), u.Email) },
		} {
			got, err := get()
			if err != nil || got != u {
				t.Errorf("%s = %+v, %v; want %+v", name, got, err, u)
			}
		}
		if err := s.CreateUser(t.Context(), user("alice@example.com", RoleSupport)); !errors.Is(err, ErrEmailTaken) {
			t.Errorf("duplicate email: got %v, want ErrEmailTaken", err)
		}
		if _, err := s.UserByEmail(t.Context(), "bob@example.com"); !errors.Is(err, ErrUserNotFound) {
			t.Errorf("unknown email: got %v, want ErrUserNotFound", err)
		}
	})

	t.Run("update is all or nothing", func(t *testing.T) {
		s := open(t)
		u := user("alice@example.com", RoleReviewer)
		s.CreateUser(t.Context(), u)
		boom := errors.New("boom")
		if _, err := s.UpdateUser(t.Context(), u.ID, func(su *StoredUser) error { su.Name = "Changed"; return boom }); !errors.Is(err, boom) {
			t.Errorf("failing change: got %v, want its error", err)
		}
		if got, _ := s.UserByID(t.Context(), u.ID); got.Name != "N" {
			t.Errorf("name after a failed change = %q, want N", got.Name)
		}
		got, err := s.UpdateUser(t.Context(), u.ID, func(su *StoredUser) error { su.LastLoginAt = at.Add(time.Hour); return nil })
		if err != nil || !got.LastLoginAt.Equal(at.Add(time.Hour)) {
			t.Errorf("UpdateUser = %+v, %v", got, err)
		}
		if _, err := s.UpdateUser(t.Context(), "usr_missing", func(*StoredUser) error { return nil }); !errors.Is(err, ErrUserNotFound) {
			t.Errorf("missing user: got %v, want ErrUserNotFound", err)
		}
	})

	t.Run("first user only once, even concurrently", func(t *testing.T) {
		s := open(t)
		var created atomic.Int32
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Go(func() {
				ok, err := s.CreateFirstUser(t.Context(), user("admin"+string(rune('a'+i))+"@example.com", RoleAdmin))
				if err != nil {
					t.Errorf("CreateFirstUser: %v", err)
				}
				if ok {
					created.Add(1)
				}
			})
		}
		wg.Wait()
		users, _ := s.ListUsers(t.Context())
		if created.Load() != 1 || len(users) != 1 {
			t.Errorf("created %d, users %d; want 1 and 1", created.Load(), len(users))
		}
	})

	t.Run("the last admin stays, even concurrently", func(t *testing.T) {
		s := open(t)
		admins := make([]StoredUser, 4)
		for i := range admins {
			admins[i] = user("admin"+string(rune('a'+i))+"@example.com", RoleAdmin)
			if err := s.CreateUser(t.Context(), admins[i]); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		for _, a := range admins {
			wg.Go(func() {
				_, err := s.UpdateUser(t.Context(), a.ID, func(su *StoredUser) error { su.Disabled = true; return nil })
				if err != nil && !errors.Is(err, ErrLastAdmin) {
					t.Errorf("disabling %s: %v", a.Email, err)
				}
			})
		}
		wg.Wait()
		enabled := 0
		users, _ := s.ListUsers(t.Context())
		for _, u := range users {
			if !u.Disabled {
				enabled++
			}
		}
		if enabled != 1 {
			t.Errorf("enabled admins after disabling all four at once = %d, want 1", enabled)
		}
	})

	t.Run("web sessions", func(t *testing.T) {
		s := open(t)
		u := user("alice@example.com", RoleReviewer)
		s.CreateUser(t.Context(), u)
		rec := WebSessionRecord{IDHash: hashSessionID(newSessionID()), UserID: u.ID, CSRFToken: "tok", Data: []byte{1, 2}, CreatedAt: at, LastSeenAt: at}
		anon := WebSessionRecord{IDHash: hashSessionID(newSessionID()), CSRFToken: "t2", Data: []byte{3}, CreatedAt: at, LastSeenAt: at.Add(time.Hour)}
		for _, r := range []WebSessionRecord{rec, anon} {
			if err := s.CreateWebSession(t.Context(), r); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := s.WebSession(t.Context(), anon.IDHash); err != nil || got.UserID != "" || got.CSRFToken != "t2" {
			t.Errorf("anonymous row = %+v, %v", got, err)
		}
		if err := s.SaveWebSessionData(t.Context(), rec.IDHash, []byte{9}, at.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		got, err := s.WebSession(t.Context(), rec.IDHash)
		if err != nil || string(got.Data) != "\x09" || !got.LastSeenAt.Equal(at.Add(time.Minute)) || !got.CreatedAt.Equal(at) {
			t.Errorf("after save = %+v, %v", got, err)
		}
		if err := s.SaveWebSessionData(t.Context(), "missing", nil, at); !errors.Is(err, ErrSessionNotFound) {
			t.Errorf("saving a missing session: got %v, want ErrSessionNotFound", err)
		}
		if n, err := s.DeleteExpiredWebSessions(t.Context(), at.Add(30*time.Minute), at.Add(-time.Hour)); err != nil || n != 1 {
			t.Errorf("expired sweep removed %d, %v; want 1 (the idle signed-in one)", n, err)
		}
		s.CreateWebSession(t.Context(), rec)
		if n, err := s.DeleteUserWebSessions(t.Context(), u.ID); err != nil || n != 1 {
			t.Errorf("DeleteUserWebSessions = %d, %v; want 1", n, err)
		}
		if _, err := s.WebSession(t.Context(), rec.IDHash); !errors.Is(err, ErrSessionNotFound) {
			t.Errorf("after revocation: got %v, want ErrSessionNotFound", err)
		}
	})

	t.Run("throttles", func(t *testing.T) {
		s := open(t)
		keys := []string{"account:a", "address:b"}
		err := s.UpdateThrottles(t.Context(), keys, func(ts []*Throttle) error {
			for i, th := range ts {
				if th.Key != keys[i] || !th.idle() {
					t.Errorf("absent row %d = %+v, want zero with key %s", i, *th, keys[i])
				}
			}
			*ts[0] = Throttle{Key: ts[0].Key, Account: "account:a", Failures: 3, WindowStart: at, LockedUntil: at.Add(time.Hour),
				Lockouts: 1, KnownUntil: at.Add(48 * time.Hour), UpdatedAt: at}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		s.UpdateThrottles(t.Context(), keys, func(ts []*Throttle) error {
			want := Throttle{Key: "account:a", Account: "account:a", Failures: 3, WindowStart: at, LockedUntil: at.Add(time.Hour),
				Lockouts: 1, KnownUntil: at.Add(48 * time.Hour), UpdatedAt: at}
			if *ts[0] != want || !ts[1].idle() {
				t.Errorf("read back %+v and %+v; want %+v and an idle row", *ts[0], *ts[1], want)
			}
			return nil
		})
		// Concurrent failures on a key nobody has failed on yet all count.
		const attempts = 16
		var wg sync.WaitGroup
		start := make(chan struct{}) // all at once, for the best chance of overlapping
		for range attempts {
			wg.Go(func() {
				<-start
				err := s.UpdateThrottles(t.Context(), []string{"account:fresh"}, func(ts []*Throttle) error {
					ts[0].Failures++
					ts[0].WindowStart, ts[0].UpdatedAt = at, at
					return nil
				})
				if err != nil {
					t.Errorf("UpdateThrottles: %v", err)
				}
			})
		}
		close(start)
		wg.Wait()
		s.UpdateThrottles(t.Context(), []string{"account:fresh"}, func(ts []*Throttle) error {
			if ts[0].Failures != attempts {
				t.Errorf("failures after %d concurrent ones = %d, want %d", attempts, ts[0].Failures, attempts)
			}
			*ts[0] = Throttle{Key: ts[0].Key} // idle again, so the sweeps below see only account:a
			return nil
		})
		if n, _ := s.DeleteStaleThrottles(t.Context(), at.Add(time.Minute), at.Add(30*time.Minute)); n != 0 {
			t.Errorf("swept %d locked rows, want 0", n)
		}
		if n, _ := s.DeleteStaleThrottles(t.Context(), at.Add(time.Minute), at.Add(2*time.Hour)); n != 0 {
			t.Errorf("swept %d rows marking a known address, want 0", n)
		}
		if n, _ := s.DeleteStaleThrottles(t.Context(), at.Add(time.Minute), at.Add(48*time.Hour)); n != 1 {
			t.Errorf("swept %d stale rows, want 1", n)
		}
	})

	t.Run("an account's throttles", func(t *testing.T) {
		s := open(t)
		rows := []Throttle{
			{Key: "pair:a2", Account: "account:a", Failures: 2, UpdatedAt: at},
			{Key: "account:a", Account: "account:a", Failures: 7, LockedUntil: at.Add(time.Minute), UpdatedAt: at},
			{Key: "pair:a1", Account: "account:a", KnownUntil: at.Add(time.Hour), UpdatedAt: at},
			{Key: "pair:b1", Account: "account:b", Failures: 1, UpdatedAt: at},
			{Key: "address:x", Failures: 4, WindowStart: at, UpdatedAt: at},
		}
		keys := make([]string, len(rows))
		for i, r := range rows {
			keys[i] = r.Key
		}
		err := s.UpdateThrottles(t.Context(), keys, func(ts []*Throttle) error {
			for i := range ts {
				*ts[i] = rows[i]
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.AccountThrottles(t.Context(), "account:a")
		want := []Throttle{rows[1], rows[2], rows[0]} // in key order
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("AccountThrottles = %+v, %v; want %+v", got, err, want)
		}
		if got, err := s.AccountThrottles(t.Context(), "account:none"); err != nil || len(got) != 0 {
			t.Errorf("an account without rows: got %+v, %v; want none", got, err)
		}
		boom := errors.New("boom")
		err = s.UpdateAccountThrottles(t.Context(), "account:a", func(ts []*Throttle) error {
			ts[0].Failures = 0
			return boom
		})
		if !errors.Is(err, boom) {
			t.Errorf("failing change: got %v, want its error", err)
		}
		err = s.UpdateAccountThrottles(t.Context(), "account:a", func(ts []*Throttle) error {
			if len(ts) != 3 || *ts[0] != rows[1] {
				t.Errorf("rows to change = %d starting %+v, want 3 starting %+v", len(ts), *ts[0], rows[1])
			}
			for _, th := range ts {
				*th = Throttle{Key: th.Key, Account: th.Account, KnownUntil: th.KnownUntil, UpdatedAt: at.Add(time.Hour)}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err = s.AccountThrottles(t.Context(), "account:a")
		want = []Throttle{{Key: "pair:a1", Account: "account:a", KnownUntil: at.Add(time.Hour), UpdatedAt: at.Add(time.Hour)}}
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("after clearing = %+v, %v; want only the known address, %+v (idle rows deleted)", got, err, want)
		}
		s.UpdateThrottles(t.Context(), []string{"pair:b1", "address:x"}, func(ts []*Throttle) error {
			if *ts[0] != rows[3] || *ts[1] != rows[4] {
				t.Errorf("other rows after clearing account:a = %+v and %+v, want untouched", *ts[0], *ts[1])
			}
			return nil
		})
	})
}
