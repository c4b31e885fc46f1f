package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/hiveconsole/hiveconsole/database"
)

const userColumns = `id, email, name, role, password_hash, disabled, created_at, last_login_at, password_changed_at`

func scanUser(s database.Scanner) (StoredUser, error) {
	var (
		u                StoredUser
		role             string
		created, changed int64
		lastLogin        sql.NullInt64
	)
	err := s.Scan(&u.ID, &u.Email, &u.Name, &role, &u.PasswordHash, &u.Disabled, &created, &lastLogin, &changed)
	if errors.Is(err, sql.ErrNoRows) {
		return StoredUser{}, ErrUserNotFound
	}
	if err != nil {
		return StoredUser{}, fmt.Errorf("auth: read user: %w", err)
	}
	u.Role = Role(role)
	u.CreatedAt, u.LastLoginAt, u.PasswordChangedAt = database.FromUnix(created), database.FromNullUnix(lastLogin), database.FromUnix(changed)
	return u, nil
}

func userArgs(u StoredUser) []any {
	return []any{u.ID, u.Email, u.Name, string(u.Role), u.PasswordHash, u.Disabled,
		database.Unix(u.CreatedAt), database.NullUnix(u.LastLoginAt), database.Unix(u.PasswordChangedAt)}
}

// CreateUser inserts u.
func (db *sqlStore) CreateUser(ctx context.Context, u StoredUser) error {
	_, err := db.db.Exec(ctx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, userArgs(u)...)
	return db.userWriteError("create user", err)
}

// CreateFirstUser inserts u only while no user exists. One statement decides, under the users
// table's lock where the dialect needs one, so two replicas starting together cannot both create a
// first admin.
func (db *sqlStore) CreateFirstUser(ctx context.Context, u StoredUser) (bool, error) {
	var created bool
	err := db.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := db.db.LockTable(ctx, tx, "users"); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.db.Q(`INSERT INTO users (`+userColumns+`)
			SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM users)`), userArgs(u)...)
		if err != nil {
			return db.userWriteError("create first user", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("auth: create first user: %w", err)
		}
		created = n == 1
		return nil
	})
	return created, err
}

func (db *sqlStore) userWriteError(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case db.db.UniqueViolation(err):
		return fmt.Errorf("auth: %s: %w", op, ErrEmailTaken)
	}
	return fmt.Errorf("auth: %s: %w", op, err)
}

// UserByID returns the user with that id.
func (db *sqlStore) UserByID(ctx context.Context, id string) (StoredUser, error) {
	return scanUser(db.db.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
}

// UserByEmail returns the user with that (normalized) email.
func (db *sqlStore) UserByEmail(ctx context.Context, email string) (StoredUser, error) {
	return scanUser(db.db.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email))
}

// ListUsers returns every user ordered by email.
func (db *sqlStore) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := db.db.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY email`)
	if err != nil {
		return nil, fmt.Errorf("auth: list users: %w", err)
	}
	defer rows.Close()
	var users []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		users = append(users, u.User)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("auth: list users: %w", err)
	}
	return users, nil
}

// UpdateUser reads, changes and writes one user in a transaction, refusing to remove the last
// enabled admin.
func (db *sqlStore) UpdateUser(ctx context.Context, id string, change func(*StoredUser) error) (StoredUser, error) {
	var after StoredUser
	err := db.db.Tx(ctx, func(tx *sql.Tx) error {
		// Row locks alone would let two transactions each disable a different admin, each counting
		// the other as still enabled.
		if err := db.db.LockTable(ctx, tx, "users"); err != nil {
			return err
		}
		before, err := scanUser(tx.QueryRowContext(ctx, db.db.Q(`SELECT `+userColumns+` FROM users WHERE id = ?`+db.db.ForUpdate()), id))
		if err != nil {
			return err
		}
		after = before
		if err := change(&after); err != nil {
			return err
		}
		after.ID = before.ID
		args := append(userArgs(after)[1:], after.ID)
		_, err = tx.ExecContext(ctx, db.db.Q(`UPDATE users SET email = ?, name = ?, role = ?, password_hash = ?, disabled = ?,
			created_at = ?, last_login_at = ?, password_changed_at = ? WHERE id = ?`), args...)
		if err != nil {
			return db.userWriteError("update user", err)
		}
		if isActiveAdmin(before.User) && !isActiveAdmin(after.User) {
			var n int
			err := tx.QueryRowContext(ctx, db.db.Q(`SELECT COUNT(*) FROM users WHERE role = ? AND disabled = ?`), string(RoleAdmin), false).Scan(&n)
			if err != nil {
				return fmt.Errorf("auth: count admins: %w", err)
			}
			if n == 0 {
				return ErrLastAdmin
			}
		}
		return nil
	})
	if err != nil {
		return StoredUser{}, err
	}
	return after, nil
}

func isActiveAdmin(u User) bool { return u.Role == RoleAdmin && !u.Disabled }
