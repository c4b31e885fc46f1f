package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hiveconsole/hiveconsole/auth"
)

// TestErasedNoteInInbox: a note retention erased with its customer shows in a colleague's inbox as
// erased, its text nowhere on the page.
func TestErasedNoteInInbox(t *testing.T) {
	tc := newTestConsole(t)
	ch, customerID := completedCheckWithFiles(t, tc.api)
	admin := tc.browser()
	admin.signInAs(auth.RoleAdmin)
	const text = "Lives at 12 Elm Street, @reviewer@example.com please check"
	if r := admin.post("/checks/"+ch.ID+"/notes", url.Values{"body": {text}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("note: %d %s", r.StatusCode, r.Body)
	}
	if _, err := tc.notes.Erase(context.Background(), customerID, []string{ch.ID}); err != nil {
		t.Fatal(err)
	}
	rev := tc.browser()
	rev.signInAs(auth.RoleReviewer)
	inbox := rev.get("/inbox")
	if strings.Contains(inbox.Body, "Elm Street") || inbox.doc(t).Find(`[data-testid="note-erased"]`).Length() != 1 {
		t.Errorf("the inbox after erasure: erased marks %d, text shown %v", inbox.doc(t).Find(`[data-testid="note-erased"]`).Length(), strings.Contains(inbox.Body, "Elm Street"))
	}
}
