package readmodel

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"
)

// leaseName is the one lease: one replica syncs for the whole deployment.
const leaseName = "sync"

// claim takes the lease for holder, or renews it, unless another holder's lease has not expired.
// One statement decides, so two replicas claiming at once cannot both win: the row's lock (or
// SQLite's write lock) orders them, and the second sees the first's fresh expiry.
func (s *Store) claim(ctx context.Context, holder string, ttl time.Duration) (bool, error) {
	now := s.now()
	var got string
	err := s.db.QueryRow(ctx, `INSERT INTO sync_lease (name, holder, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE sync_lease.holder = excluded.holder OR sync_lease.expires_at < ?
		RETURNING holder`, leaseName, holder, now.Add(ttl).UnixMilli(), now.UnixMilli()).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("readmodel: claim the sync lease: %w", err)
	}
	return got == holder, nil
}

// Release gives the lease up (at shutdown), so another replica takes over at once.
func (s *Store) Release(ctx context.Context, holder string) error {
	_, err := s.db.Exec(ctx, `DELETE FROM sync_lease WHERE name = ? AND holder = ?`, leaseName, holder)
	return err
}

// LeaseHolder returns who holds the lease and until when; "" when nobody has claimed it.
func (s *Store) LeaseHolder(ctx context.Context) (string, time.Time, error) {
	var holder string
	var until int64
	err := s.db.QueryRow(ctx, `SELECT holder, expires_at FROM sync_lease WHERE name = ?`, leaseName).Scan(&holder, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, nil
	}
	return holder, time.UnixMilli(until), err
}

// randomHolder names this process in the lease: the host name, for people reading the table, and
// random text, so two processes on one host differ.
func randomHolder() string {
	host, _ := os.Hostname()
	return host + "-" + rand.Text()[:8]
}
