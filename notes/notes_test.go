package notes

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
	"github.com/hiveconsole/hiveconsole/internal/clocktest"
)

func TestMentionedEmails(t *testing.T) {
	got := MentionedEmails("@Ben@Example.com please look; cc @ana@example.com. Not me: ben@example.com, @nobody, @ben@example.com")
	if !slices.Equal(got, []string{"ben@example.com", "ana@example.com"}) {
		t.Errorf("MentionedEmails = %v", got)
	}
}

func TestValidate(t *testing.T) {
	for body, ok := range map[string]bool{
		"called the customer": true, " \n trimmed \t": true, strings.Repeat("é", MaxLen): true, "a\r\nb\tc": true,
		"": false, "  \n ": false, strings.Repeat("é", MaxLen+1): false, "a\x00b": false, "a\x1b[2Jb": false, "a\xffb": false,
	} {
		err := Validate(body)
		var verrs auth.ValidationErrors
		if ok != (err == nil) || (err != nil && (!errors.As(err, &verrs) || verrs[0].Field != "body")) {
			t.Errorf("Validate(%q) = %v", body, err)
		}
	}
}

func TestNotes(t *testing.T) { dbtest.Each(t, testNotes) }

func testNotes(t *testing.T, open func(testing.TB) *database.DB) {
	db := open(t)
	clock := clocktest.New()
	staff, err := auth.NewService(t.Context(), db, auth.Config{BaseURL: "http://127.0.0.1:8080",
		SessionKeys: [][]byte{bytes.Repeat([]byte{'a'}, 32)}, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	user := func(email string, role auth.Role) auth.User {
		u, err := staff.CreateUser(t.Context(), auth.NewUser{Email: email, Name: "N", Role: role, Password: "plinth-otter-marsh-43"})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	sam, ana := user("sam@example.com", auth.RoleSupport), user("ana@example.com", auth.RoleReviewer)
	b := New(db, clock.Now)
	ctx := t.Context()
	add := func(target, body string, mentions ...string) Note {
		t.Helper()
		clock.Advance(time.Minute)
		n, err := b.Add(ctx, Note{TargetType: OnCheck, TargetID: target, Body: body, AuthorID: sam.ID, AuthorEmail: sam.Email,
			AuthorRole: sam.Role, Mentions: mentions})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	first := add("chk-1", "  called the customer  ")
	second := add("chk-1", "asked for a new photo, @ana@example.com", ana.ID, sam.ID)
	add("chk-2", "elsewhere")
	got, err := b.On(ctx, OnCheck, "chk-1")
	if err != nil || len(got) != 2 || got[0].ID != second.ID || got[1].Body != "called the customer" || got[1].AuthorRole != auth.RoleSupport {
		t.Fatalf("On = %+v, %v", got, err)
	}
	if id, err := b.Latest(ctx, OnCheck, "chk-1"); err != nil || id != second.ID {
		t.Errorf("Latest = %d, %v", id, err)
	}
	if id, _ := b.Latest(ctx, OnCustomer, "chk-1"); id != 0 {
		t.Errorf("Latest of nothing = %d", id)
	}
	if _, err := b.Add(ctx, Note{TargetType: OnCheck, TargetID: "chk-1", Body: " ", AuthorID: sam.ID, AuthorEmail: sam.Email}); err == nil {
		t.Error("an empty note was stored")
	}
	// The mention is in Ana's inbox, not in the author's.
	if n, _ := b.Unread(ctx, ana.ID); n != 1 {
		t.Errorf("Ana's unread = %d, want 1", n)
	}
	if n, _ := b.Unread(ctx, sam.ID); n != 0 {
		t.Errorf("the author's own mention counts %d", n)
	}
	inbox, err := b.Inbox(ctx, ana.ID, 10)
	if err != nil || len(inbox) != 1 || inbox[0].Note.ID != second.ID || inbox[0].Read {
		t.Fatalf("Inbox = %+v, %v", inbox, err)
	}
	if err := b.MarkRead(ctx, ana.ID); err != nil {
		t.Fatal(err)
	}
	if inbox, _ := b.Inbox(ctx, ana.ID, 10); len(inbox) != 1 || !inbox[0].Read {
		t.Errorf("after MarkRead: %+v", inbox)
	}
	if n, _ := b.Unread(ctx, ana.ID); n != 0 {
		t.Errorf("unread after MarkRead = %d", n)
	}
	// Notes are immutable.
	stmts := []string{`UPDATE notes SET body = 'edited' WHERE id = ?`, `DELETE FROM notes WHERE id = ?`}
	for _, stmt := range stmts {
		if _, err := db.SQL().ExecContext(ctx, db.Q(stmt), first.ID); err == nil || !strings.Contains(err.Error(), "notes are immutable") {
			t.Errorf("%s: %v, want the trigger's refusal", stmt, err)
		}
	}
}
