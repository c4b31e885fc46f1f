package auth

import (
	"errors"
	"slices"
	"testing"
)

func TestEmailIsCaseInsensitiveAndUnique(t *testing.T) {
	svc, db, _ := newTestEnv(t, nil)
	alice := mustCreateUser(t, svc, "Alice@Example.COM", RoleReviewer)
	if alice.Email != "alice@example.com" {
		t.Errorf("stored email = %q, want %q", alice.Email, "alice@example.com")
	}
	for _, dup := range []string{"alice@example.com", "ALICE@EXAMPLE.COM", " alice@example.com "} {
		_, err := svc.CreateUser(t.Context(), NewUser{Email: dup, Name: "Dup", Role: RoleSupport, Password: testPassword})
		var verrs ValidationErrors
		if !errors.Is(err, ErrEmailTaken) || !errors.As(err, &verrs) || verrs.Message("email") == "" {
			t.Errorf("CreateUser(%q): got %v, want an email field error matching ErrEmailTaken", dup, err)
		}
	}
	got, err := svc.UserByEmail(t.Context(), "ALICE@example.com")
	if err != nil || got.ID != alice.ID {
		t.Errorf("UserByEmail in upper case = %v, %v; want %s", got.ID, err, alice.ID)
	}
	// The schema refuses an email that skipped normalization, whoever writes it.
	carol := func(email string) StoredUser {
		return StoredUser{User: User{ID: newUserID(), Email: email, Name: "C", Role: RoleSupport}, PasswordHash: "$argon2id$x"}
	}
	if err := db.CreateUser(t.Context(), carol("Carol@example.com")); err == nil {
		t.Error("inserting a mixed-case email directly: got nil error, want the CHECK constraint to refuse it")
	}
	if err := db.CreateUser(t.Context(), carol("carol@example.com")); err != nil {
		t.Errorf("the same row in lower case: %v, want it stored", err)
	}
}

func TestUserLookupsAndList(t *testing.T) {
	svc, _, _ := newTestEnv(t, nil)
	b := mustCreateUser(t, svc, "bob@example.com", RoleSupport)
	a := mustCreateUser(t, svc, "alice@example.com", RoleAdmin)
	users, err := svc.ListUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, u := range users {
		ids = append(ids, u.ID)
	}
	if want := []string{a.ID, b.ID}; !slices.Equal(ids, want) {
		t.Errorf("ListUsers ids = %v, want %v (by email)", ids, want)
	}
	if _, err := svc.UserByID(t.Context(), "usr_nope"); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("UserByID(unknown): got %v, want ErrUserNotFound", err)
	}
	if got, err := svc.UserByID(t.Context(), b.ID); err != nil || got != b {
		t.Errorf("UserByID = %+v, %v; want %+v", got, err, b)
	}
}

func TestLastAdminCannotBeRemoved(t *testing.T) {
	svc, _, _ := newTestEnv(t, nil)
	admin := mustCreateUser(t, svc, "admin@example.com", RoleAdmin)
	mustCreateUser(t, svc, "bob@example.com", RoleSupport)
	if _, err := svc.SetRole(t.Context(), admin.ID, RoleAuditor); !errors.Is(err, ErrLastAdmin) {
		t.Errorf("demoting the only admin: got %v, want ErrLastAdmin", err)
	}
	if _, err := svc.SetDisabled(t.Context(), admin.ID, true); !errors.Is(err, ErrLastAdmin) {
		t.Errorf("disabling the only admin: got %v, want ErrLastAdmin", err)
	}
	if u, _ := svc.UserByID(t.Context(), admin.ID); u.Role != RoleAdmin || u.Disabled {
		t.Errorf("after refused changes: role %s disabled %v, want admin enabled", u.Role, u.Disabled)
	}
	second := mustCreateUser(t, svc, "second@example.com", RoleAdmin)
	if _, err := svc.SetRole(t.Context(), admin.ID, RoleAuditor); err != nil {
		t.Errorf("demoting one of two admins: %v", err)
	}
	if _, err := svc.SetRole(t.Context(), second.ID, "root"); err == nil {
		t.Error("SetRole to an unknown role: got nil error")
	}
}

func TestChangePassword(t *testing.T) {
	svc, _, _ := newTestEnv(t, nil)
	u := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
	const next = "lantern-brook-quiet-88"
	var verrs ValidationErrors
	err := svc.ChangePassword(t.Context(), u.ID, "not-the-password", next)
	if !errors.As(err, &verrs) || verrs.Message("current_password") == "" {
		t.Fatalf("wrong current password: got %v, want a current_password field error", err)
	}
	if err := svc.ChangePassword(t.Context(), u.ID, testPassword, "password1234"); !errors.As(err, &verrs) || verrs.Message("password") == "" {
		t.Fatalf("common new password: got %v, want a password field error", err)
	}
	if err := svc.ChangePassword(t.Context(), u.ID, testPassword, next); err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	if _, err := svc.Authenticate(t.Context(), u.Email, testPassword, testAddr); !errors.Is(err, ErrInvalidCredentials) {
		t.Errorf("old password after the change: got %v, want ErrInvalidCredentials", err)
	}
	if _, err := svc.Authenticate(t.Context(), u.Email, next, testAddr); err != nil {
		t.Errorf("new password: %v", err)
	}
	// Guessing the current password through the form spends the sign-in budget.
	for range 5 {
		svc.ChangePassword(t.Context(), u.ID, "guess-guess-guess", "another-fine-phrase")
	}
	if err := svc.ChangePassword(t.Context(), u.ID, next, "another-fine-phrase"); !errors.Is(err, ErrThrottled) {
		t.Errorf("after five wrong current passwords: got %v, want ErrThrottled", err)
	}
}

// TestCreateUserRecorded: record sees the valid account, id included, before it is stored; its error
// stops the creation; an invalid account never reaches it.
func TestCreateUserRecorded(t *testing.T) {
	svc, _, _ := newTestEnv(t, nil)
	var seen []User
	record := func(err error) func(User) error {
		return func(u User) error {
			if _, lookup := svc.UserByID(t.Context(), u.ID); !errors.Is(lookup, ErrUserNotFound) {
				t.Errorf("record called for %s after it was stored (lookup: %v)", u.Email, lookup)
			}
			seen = append(seen, u)
			return err
		}
	}
	refused := errors.New("trail unwritable")
	if _, err := svc.CreateUserRecorded(t.Context(), NewUser{Email: "ann@example.com", Name: "Ann", Role: RoleSupport, Password: testPassword},
		record(refused)); !errors.Is(err, refused) {
		t.Errorf("with record failing: got %v, want its error", err)
	}
	if _, err := svc.UserByEmail(t.Context(), "ann@example.com"); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("the refused account exists: %v", err)
	}
	if _, err := svc.CreateUserRecorded(t.Context(), NewUser{Email: "bad", Name: "Ann", Role: RoleSupport, Password: testPassword},
		record(nil)); err == nil {
		t.Error("an invalid email was accepted")
	}
	u, err := svc.CreateUserRecorded(t.Context(), NewUser{Email: "Ann@Example.com", Name: "Ann", Role: RoleSupport, Password: testPassword}, record(nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[1].ID != u.ID || seen[1].Email != "ann@example.com" || seen[1].Role != RoleSupport {
		t.Errorf("record saw %+v, want the refused account and then %+v (never the invalid one)", seen, u)
	}
}
