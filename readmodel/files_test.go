package readmodel

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/hive"
)

// TestFilesSearch: the files list finds a file by the start of its id, by the start of its check's
// id and by its check's customer (name always, email only for a viewer who sees it in clear), and
// names that customer on the row; a file without a check has no customer and is found by its id only.
func TestFilesSearch(t *testing.T) {
	each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		ctx := context.Background()
		s := New(open(t), nil)
		at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		cust := hive.Customer{ID: "c0570000-1111-4222-8333-000000000001", Email: "greta@example.com",
			FirstName: hive.String("Greta"), LastName: hive.String("Garbo"), CreatedAt: at, UpdatedAt: at}
		sess := hive.Session{ID: "5e550000-1111-4222-8333-000000000001", CustomerID: cust.ID, FullName: "Greta Garbo",
			Status: hive.SessionCompleted, CreatedAt: at, UpdatedAt: at, ExpiresAt: at}
		check := hive.Check{ID: "c4ec0000-1111-4222-8333-000000000001", SessionID: sess.ID, Status: hive.CheckComplete,
			CreatedAt: at, UpdatedAt: at}
		checked := hive.File{ID: "f11e0001-1111-4222-8333-000000000000", Type: hive.FilePortrait, URL: "https://files.example/a",
			CheckID: &check.ID, CreatedAt: at}
		loose := hive.File{ID: "f22e0002-1111-4222-8333-000000000000", Type: hive.FileDocumentFront, URL: "https://files.example/b",
			CreatedAt: at.Add(time.Minute)}
		for _, put := range []error{s.PutCustomer(ctx, &cust), s.PutSession(ctx, &sess), s.PutCheck(ctx, &check),
			s.PutFile(ctx, &checked), s.PutFile(ctx, &loose)} {
			if put != nil {
				t.Fatal(put)
			}
		}
		find := func(search string, contact bool) []string {
			t.Helper()
			page, err := s.Files(ctx, FileQuery{Search: search, Contact: contact, Limit: 10})
			if err != nil {
				t.Fatalf("search %q: %v", search, err)
			}
			if page.Total != len(page.Rows) {
				t.Errorf("search %q: total %d for %d rows", search, page.Total, len(page.Rows))
			}
			var ids []string
			for _, f := range page.Rows {
				ids = append(ids, f.ID)
				if f.ID == checked.ID && (f.CustomerID != cust.ID || f.CustomerName != "Greta Garbo") {
					t.Errorf("search %q: the checked file's customer is %q %q", search, f.CustomerID, f.CustomerName)
				}
				if f.ID == loose.ID && f.CustomerID != "" {
					t.Errorf("search %q: a file without a check has customer %q", search, f.CustomerID)
				}
			}
			return ids
		}
		for _, c := range []struct {
			search  string
			contact bool
			want    []string
		}{
			{"", false, []string{loose.ID, checked.ID}},
			{"f11e", false, []string{checked.ID}},
			{"F22E0002", false, []string{loose.ID}},
			{"c4ec0000", false, []string{checked.ID}},
			{"garbo", false, []string{checked.ID}},
			{"Greta Garbo", false, []string{checked.ID}},
			{"c0570000", false, []string{checked.ID}},
			{"greta@example", true, []string{checked.ID}},
			{"greta@example", false, nil},
			{"f1", false, []string{checked.ID}},
			{"nobody", false, nil},
			{"100%", false, nil},
		} {
			if got := find(c.search, c.contact); !slices.Equal(got, c.want) {
				t.Errorf("search %q (contact %v): %v, want %v", c.search, c.contact, got, c.want)
			}
		}
	})
}
