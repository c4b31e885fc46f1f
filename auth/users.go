package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// CreateUser validates nu and creates the account. Field problems come back as ValidationErrors
// (an email in use matches ErrEmailTaken).
func (s *Service) CreateUser(ctx context.Context, nu NewUser) (User, error) {
	return s.CreateUserRecorded(ctx, nu, nil)
}

// CreateUserRecorded is CreateUser for a caller that must record the creation before it happens,
// such as the shell writing its audit row: once nu is valid, record (when not nil) is called with the
// account about to be stored, its id included, and an error from it is returned and stops the
// creation. A refusal of the store after that (an email taken meanwhile) comes back as from CreateUser.
func (s *Service) CreateUserRecorded(ctx context.Context, nu NewUser, record func(User) error) (User, error) {
	email, name := NormalizeEmail(nu.Email), normalizeName(nu.Name)
	var verrs ValidationErrors
	if msg := validateEmail(email); msg != "" {
		verrs = append(verrs, &FieldError{Field: "email", Message: msg})
	}
	if msg := validateName(name); msg != "" {
		verrs = append(verrs, &FieldError{Field: "name", Message: msg})
	}
	if !nu.Role.Valid() {
		verrs = append(verrs, &FieldError{Field: "role", Message: "must be admin, reviewer, support or auditor"})
	}
	if msg := s.policy.check(nu.Password, email); msg != "" {
		verrs = append(verrs, &FieldError{Field: "password", Message: msg})
	}
	if err := verrs.OrNil(); err != nil {
		return User{}, err
	}
	su, err := s.newStoredUser(ctx, email, name, nu.Role, nu.Password)
	if err != nil {
		return User{}, err
	}
	if record != nil {
		if err := record(su.User); err != nil {
			return User{}, err
		}
	}
	if err := s.store.CreateUser(ctx, su); err != nil {
		return User{}, emailTaken(err)
	}
	return su.User, nil
}

// newStoredUser hashes the password and fills in the id and times.
func (s *Service) newStoredUser(ctx context.Context, email, name string, role Role, password string) (StoredUser, error) {
	hash, err := s.hasher.hash(ctx, password)
	if err != nil {
		return StoredUser{}, err
	}
	now := s.now()
	return StoredUser{
		User: User{ID: newUserID(), Email: email, Name: name, Role: role,
			CreatedAt: now, PasswordChangedAt: now},
		PasswordHash: hash,
	}, nil
}

// emailTaken turns the store's conflict into a field error for the form.
func emailTaken(err error) error {
	if errors.Is(err, ErrEmailTaken) {
		return ValidationErrors{{Field: "email", Message: "is already used by another account", Err: ErrEmailTaken}}
	}
	return err
}

// ListUsers returns every staff account, ordered by email.
func (s *Service) ListUsers(ctx context.Context) ([]User, error) { return s.store.ListUsers(ctx) }

// UserByID returns one account, or ErrUserNotFound.
func (s *Service) UserByID(ctx context.Context, id string) (User, error) {
	su, err := s.store.UserByID(ctx, id)
	return su.User, err
}

// UserByEmail returns the account with that email in any letter case, or ErrUserNotFound.
func (s *Service) UserByEmail(ctx context.Context, email string) (User, error) {
	su, err := s.store.UserByEmail(ctx, NormalizeEmail(email))
	return su.User, err
}

// SetRole changes a user's role and, when it changed, revokes their sessions so the new role applies
// from a fresh sign-in. Demoting the last enabled admin fails with ErrLastAdmin.
func (s *Service) SetRole(ctx context.Context, id string, role Role) (User, error) {
	if !role.Valid() {
		return User{}, ValidationErrors{{Field: "role", Message: "must be admin, reviewer, support or auditor"}}
	}
	return s.updateAndRevoke(ctx, id, func(u *StoredUser) bool {
		changed := u.Role != role
		u.Role = role
		return changed
	})
}

// SetDisabled disables or re-enables a user; disabling revokes their sessions at once. Disabling the
// last enabled admin fails with ErrLastAdmin. Accounts are disabled rather than deleted so the audit
// trail keeps naming who did what.
func (s *Service) SetDisabled(ctx context.Context, id string, disabled bool) (User, error) {
	return s.updateAndRevoke(ctx, id, func(u *StoredUser) bool {
		changed := u.Disabled != disabled
		u.Disabled = disabled
		return changed
	})
}

// updateAndRevoke applies change and revokes the user's sessions if it reports a change.
func (s *Service) updateAndRevoke(ctx context.Context, id string, change func(*StoredUser) bool) (User, error) {
	var changed bool
	su, err := s.store.UpdateUser(ctx, id, func(u *StoredUser) error {
		changed = change(u)
		return nil
	})
	if err != nil {
		return User{}, err
	}
	if changed {
		if err := s.RevokeSessions(ctx, id); err != nil {
			return su.User, err
		}
	}
	return su.User, nil
}

// SetPassword sets a user's password without asking for the old one: an admin's reset or the CLI.
// It revokes all the user's sessions.
func (s *Service) SetPassword(ctx context.Context, id, password string) error {
	su, err := s.store.UserByID(ctx, id)
	if err != nil {
		return err
	}
	if msg := s.policy.check(password, su.Email); msg != "" {
		return ValidationErrors{{Field: "password", Message: msg}}
	}
	return s.storePassword(ctx, id, password)
}

// ChangePassword is a user changing their own password: current must be right. Guesses are slowed
// like sign-ins from one more address and count against the account's own delay, so a hijacked
// session cannot brute-force the password through this form. It revokes all the user's sessions, the caller's included: re-issue one with
// SessionStore.Login, which also gives the browser a new session id.
func (s *Service) ChangePassword(ctx context.Context, id, current, password string) error {
	su, err := s.store.UserByID(ctx, id)
	if err != nil {
		return err
	}
	if msg := s.policy.check(password, su.Email); msg != "" {
		return ValidationErrors{{Field: "password", Message: msg}}
	}
	if password == current {
		return ValidationErrors{{Field: "password", Message: "must differ from the current password"}}
	}
	rows := signInRows{account: accountKey(su.Email), pair: passwordKey(su.Email)}
	if err := s.charge(ctx, rows); err != nil {
		return err
	}
	ok, _, err := s.hasher.verify(ctx, current, su.PasswordHash)
	if err != nil {
		return err
	}
	if !ok {
		return ValidationErrors{{Field: "current_password", Message: "is not correct"}}
	}
	if err := s.succeed(ctx, rows); err != nil {
		return err
	}
	return s.storePassword(ctx, id, password)
}

// storePassword hashes password (outside any transaction: it is slow), stores it and revokes sessions.
func (s *Service) storePassword(ctx context.Context, id, password string) error {
	hash, err := s.hasher.hash(ctx, password)
	if err != nil {
		return err
	}
	now := s.now()
	_, err = s.store.UpdateUser(ctx, id, func(u *StoredUser) error {
		u.PasswordHash, u.PasswordChangedAt = hash, now
		return nil
	})
	if err != nil {
		return err
	}
	return s.RevokeSessions(ctx, id)
}

// RevokeSessions signs a user out everywhere.
func (s *Service) RevokeSessions(ctx context.Context, id string) error {
	if _, err := s.sessions.RevokeUser(ctx, id); err != nil {
		return fmt.Errorf("auth: revoke sessions: %w", err)
	}
	return nil
}

// SignedInUser returns the request's user and session. It fails with ErrUnauthenticated when the
// session is anonymous, or its user no longer exists or is disabled (then the session is ended too);
// the session is returned either way, for flash messages and the CSRF token.
func (s *Service) SignedInUser(r *http.Request) (User, *WebSession, error) {
	ws, err := s.sessions.Load(r)
	if err != nil {
		return User{}, ws, err
	}
	if !ws.Authenticated() {
		return User{}, ws, ErrUnauthenticated
	}
	ctx := r.Context()
	su, err := s.store.UserByID(ctx, ws.UserID())
	switch {
	case errors.Is(err, ErrUserNotFound) || (err == nil && su.Disabled):
		if err := s.sessions.forget(ctx, ws.Session); err != nil {
			return User{}, ws, err
		}
		return User{}, ws, ErrUnauthenticated
	case err != nil:
		return User{}, ws, err
	}
	return su.User, ws, nil
}

// StillSignedIn checks again a web session that SignedInUser accepted earlier in a long request —
// a live stream holds one open for minutes. The session must still be stored (not signed out or
// revoked), within its idle and absolute timeouts, and its user must exist and be enabled; the user
// is returned as stored now, with their current role. Unlike a request, the check is not activity:
// it never moves the idle timeout, so a stream left open cannot keep an idle session alive. It
// answers ErrUnauthenticated when the session no longer holds.
func (s *Service) StillSignedIn(ctx context.Context, ws *WebSession) (User, error) {
	if ws == nil || ws.Session == nil || !ws.Authenticated() || !validSessionKey(ws.ID) {
		return User{}, ErrUnauthenticated
	}
	rec, err := s.store.WebSession(ctx, ws.ID)
	switch {
	case errors.Is(err, ErrSessionNotFound):
		return User{}, ErrUnauthenticated
	case err != nil:
		return User{}, err
	case rec.UserID != ws.UserID() || s.sessions.expired(rec, s.now()):
		return User{}, ErrUnauthenticated
	}
	su, err := s.store.UserByID(ctx, rec.UserID)
	switch {
	case errors.Is(err, ErrUserNotFound) || (err == nil && su.Disabled):
		return User{}, ErrUnauthenticated
	case err != nil:
		return User{}, err
	}
	return su.User, nil
}
