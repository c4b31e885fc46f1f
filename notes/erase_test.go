package notes

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
	"github.com/hiveconsole/hiveconsole/internal/clocktest"
)

// TestErase: the notes on a customer and on their checks give their text for its SHA-256, once;
// other notes keep theirs; no other change gets past the immutability triggers, erased or not.
func TestErase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		db := open(t)
		clock := clocktest.New()
		staff, err := auth.NewService(t.Context(), db, auth.Config{BaseURL: "http://127.0.0.1:8080",
			SessionKeys: [][]byte{bytes.Repeat([]byte{'a'}, 32)}, Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		sam, err := staff.CreateUser(t.Context(), auth.NewUser{Email: "sam@example.com", Name: "N", Role: auth.RoleSupport, Password: "plinth-otter-marsh-43"})
		if err != nil {
			t.Fatal(err)
		}
		b := New(db, clock.Now)
		ctx := t.Context()
		add := func(kind, target, body string) Note {
			n, err := b.Add(ctx, Note{TargetType: kind, TargetID: target, Body: body, AuthorID: sam.ID, AuthorEmail: sam.Email, AuthorRole: sam.Role})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		add(OnCustomer, "cus_1", "Lives at 12 Elm Street")
		add(OnCheck, "chk_1", "Her passport was water-damaged")
		add(OnCheck, "chk_2", "Another customer's note")
		n, err := b.Erase(ctx, "cus_1", []string{"chk_1"})
		if err != nil || n != 2 {
			t.Fatalf("Erase: %d %v", n, err)
		}
		for _, target := range [][2]string{{OnCustomer, "cus_1"}, {OnCheck, "chk_1"}} {
			got, _ := b.On(ctx, target[0], target[1])
			if len(got) != 1 || !strings.HasPrefix(got[0].Body, "sha256:") || got[0].ErasedAt.IsZero() || got[0].AuthorEmail != sam.Email {
				t.Errorf("%v after erasing: %+v", target, got)
			}
		}
		if got, _ := b.On(ctx, OnCheck, "chk_1"); got[0].Body != ErasedText("Her passport was water-damaged") {
			t.Errorf("the erased text is %q, want its SHA-256", got[0].Body)
		}
		if got, _ := b.On(ctx, OnCheck, "chk_2"); got[0].Body != "Another customer's note" {
			t.Errorf("another customer's note reads %q", got[0].Body)
		}
		if n, err := b.Erase(ctx, "cus_1", []string{"chk_1"}); err != nil || n != 0 {
			t.Errorf("erasing again: %d %v", n, err)
		}
		for name, q := range map[string]string{
			"edit a note":              `UPDATE notes SET body = 'changed' WHERE target_id = 'chk_2'`,
			"erase with a forged text": `UPDATE notes SET body = 'not a hash', erased_at = 1 WHERE target_id = 'chk_2'`,
			"erase and move":           `UPDATE notes SET body = '` + ErasedText("x") + `', erased_at = 1, target_id = 'chk_9' WHERE target_id = 'chk_2'`,
			"re-erase":                 `UPDATE notes SET body = '` + ErasedText("y") + `', erased_at = 2 WHERE target_id = 'chk_1'`,
			"delete":                   `DELETE FROM notes WHERE target_id = 'chk_1'`,
		} {
			if _, err := db.Exec(ctx, q); err == nil {
				t.Errorf("%s: the database let it through", name)
			}
		}
	})
}
