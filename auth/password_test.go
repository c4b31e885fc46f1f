package auth

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
)

func TestStoredHashUsesConfiguredParams(t *testing.T) {
	svc, db, _ := newTestEnv(t, productionHashing)
	u := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
	su, err := db.UserByID(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	params, _, _, err := argon2id.DecodeHash(su.PasswordHash)
	if err != nil {
		t.Fatalf("DecodeHash(%q): %v", su.PasswordHash, err)
	}
	want := argon2id.Params{Memory: 19456, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	if *params != want {
		t.Errorf("stored hash params = %+v, want %+v", *params, want)
	}
	if ok, err := argon2id.ComparePasswordAndHash(testPassword, su.PasswordHash); err != nil || !ok {
		t.Errorf("stored hash does not verify the password: ok=%v err=%v", ok, err)
	}
}

func TestWeakHashParamsRefused(t *testing.T) {
	for _, p := range []HashParams{
		{MemoryKiB: 19455, Iterations: 2, Parallelism: 1},
		{MemoryKiB: 19456, Iterations: 1, Parallelism: 1},
		{MemoryKiB: 64 * 1024, Iterations: 1, Parallelism: 2}, // argon2id.DefaultParams on two cores
	} {
		_, err := NewService(t.Context(), dbtest.SQLite(t), Config{SessionKeys: [][]byte{testKey('a')}, HashParams: p})
		if err == nil {
			t.Errorf("NewService with HashParams %+v: got nil error, want a refusal", p)
		}
	}
}

func TestRehashOnLoginWhenParamsChange(t *testing.T) {
	svc, db, clock := newTestEnv(t, productionHashing)
	// A user whose hash predates today's parameters: one iteration instead of two.
	old, err := argon2id.CreateHash(testPassword, &argon2id.Params{Memory: 19456, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	if err != nil {
		t.Fatal(err)
	}
	changedAt := clock.Now().Add(-time.Hour)
	err = db.CreateUser(t.Context(), StoredUser{
		User:         User{ID: newUserID(), Email: "old@example.com", Name: "Old", Role: RoleSupport, CreatedAt: changedAt, PasswordChangedAt: changedAt},
		PasswordHash: old,
	})
	if err != nil {
		t.Fatal(err)
	}
	u, err := svc.Authenticate(t.Context(), "old@example.com", testPassword, testAddr)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	su, err := db.UserByID(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	params, _, _, err := argon2id.DecodeHash(su.PasswordHash)
	if err != nil {
		t.Fatal(err)
	}
	if params.Iterations != 2 || params.Memory != 19456 || params.Parallelism != 1 {
		t.Errorf("after sign-in, hash params = %+v, want m=19456 t=2 p=1", *params)
	}
	if !su.PasswordChangedAt.Equal(changedAt) {
		t.Errorf("PasswordChangedAt = %v, want %v: a rehash is not a password change", su.PasswordChangedAt, changedAt)
	}
	if _, err := svc.Authenticate(t.Context(), "old@example.com", testPassword, testAddr); err != nil {
		t.Errorf("sign-in with the rehashed password: %v", err)
	}
}

func TestHashingConcurrencyIsBounded(t *testing.T) {
	const limit, callers = 2, 6
	h := newHasher(DefaultHashParams(), limit)
	var (
		mu           sync.Mutex
		inside, most int
	)
	entered, release := make(chan struct{}), make(chan struct{})
	h.observe = func() {
		mu.Lock()
		inside++
		most = max(most, inside)
		mu.Unlock()
		entered <- struct{}{}
		<-release
		mu.Lock()
		inside--
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			if _, err := h.hash(context.Background(), testPassword); err != nil {
				t.Errorf("hash: %v", err)
			}
		})
	}
	for range limit {
		<-entered
	}
	// Both slots are held; a caller whose context ends while queued gives up instead of waiting.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := h.hash(ctx, testPassword); !errors.Is(err, context.Canceled) {
		t.Errorf("hash with a cancelled context while the slots are full: got %v, want context.Canceled", err)
	}
	// Absence can only be shown by waiting: were the semaphore missing, the other four callers would
	// enter within microseconds.
	select {
	case <-entered:
		t.Fatalf("a third hash started while %d were running; want at most %d", limit, limit)
	case <-time.After(100 * time.Millisecond):
	}
	go func() {
		for range callers {
			release <- struct{}{}
		}
	}()
	for range callers - limit {
		<-entered
	}
	wg.Wait()
	if got := most; got != limit {
		t.Errorf("most concurrent hashes = %d, want %d", got, limit)
	}
}
