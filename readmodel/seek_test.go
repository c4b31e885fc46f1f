package readmodel

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/hive"
)

// TestDeepPagesFindTheirDay: sessions and files spread over days, some created in the same second
// and some deleted, read page by page in both orders, give every live row once, in order, whether
// a page is found by skipping rows or through the tallies' days.
func TestDeepPagesFindTheirDay(t *testing.T) {
	each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		ctx := context.Background()
		s := New(open(t), nil)
		base := time.Date(2026, 5, 1, 23, 0, 0, 0, time.UTC)
		var sessions, files []string // newest first, as the lists show them
		for i := range 90 {
			at := base.Add(time.Duration(i/3) * 5 * time.Hour) // three in each second, over a week
			sess := hive.Session{ID: fmt.Sprintf("5e55%04d-1111-4222-8333-000000000000", i), CustomerID: "c", Status: hive.SessionCompleted,
				CreatedAt: at, UpdatedAt: at, ExpiresAt: at}
			if err := s.PutSession(ctx, &sess); err != nil {
				t.Fatal(err)
			}
			f := hive.File{ID: fmt.Sprintf("f11e%04d-1111-4222-8333-000000000000", i), Type: hive.FileDocumentFront, URL: "https://files.example/x",
				CreatedAt: at}
			if err := s.PutFile(ctx, &f); err != nil {
				t.Fatal(err)
			}
			if i%7 == 3 {
				if err := s.DeleteSession(ctx, sess.ID); err != nil {
					t.Fatal(err)
				}
				if err := s.tombstone(ctx, Files, f.ID); err != nil {
					t.Fatal(err)
				}
				continue
			}
			sessions, files = append([]string{sess.ID}, sessions...), append([]string{f.ID}, files...)
		}
		for _, seekFrom := range []int{seekFrom, 1} {
			s.seekFrom = seekFrom
			for _, desc := range []bool{true, false} {
				var got []string
				for offset := 0; offset < 100; offset += 7 {
					page, err := s.Sessions(ctx, SessionQuery{Desc: desc, Offset: offset, Limit: 7, Now: base})
					if err != nil {
						t.Fatal(err)
					}
					for _, x := range page.Rows {
						got = append(got, x.ID)
					}
				}
				want := slices.Clone(sessions)
				if !desc {
					slices.Reverse(want)
				}
				if !slices.Equal(got, want) {
					t.Errorf("sessions (desc %v, seek from %d), page by page:\n got %v\nwant %v", desc, seekFrom, got, want)
				}
			}
			var got []string
			for offset := 0; offset < 100; offset += 6 {
				page, err := s.Files(ctx, FileQuery{Offset: offset, Limit: 6})
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range page.Rows {
					got = append(got, f.ID)
				}
			}
			if !slices.Equal(got, files) {
				t.Errorf("files (seek from %d), page by page:\n got %v\nwant %v", seekFrom, got, files)
			}
		}
	})
}
