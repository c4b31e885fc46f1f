package readmodel

import (
	"context"
	"fmt"
	"strings"
)

// seekFrom is the offset from which a page of a list in creation order is found through the
// tallies rather than by skipping rows one by one (Store.seekFrom, which tests lower).
const seekFrom = 1000

// seek narrows a list without a filter, in creation order, to the day its page starts in: the
// tallies say how many live rows each day of creation holds, so a page deep in a million rows skips
// whole days by their counts and walks only the rows of its own day. order is the list's ORDER BY;
// col is its created_at column. It returns the condition to add, its argument and the offset within
// what is left; for any other order, or a shallow page, no condition and the offset unchanged.
func (s *Store) seek(ctx context.Context, kind Kind, order, col string, offset int) (string, []any, int, error) {
	var desc bool
	switch {
	case offset < s.seekFrom:
		return "", nil, offset, nil
	case strings.HasPrefix(order, col+" DESC"):
		desc = true
	case strings.HasPrefix(order, col+" ASC"):
	default:
		return "", nil, offset, nil
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	rows, err := s.db.Query(ctx, `SELECT day, live FROM hive_tallies WHERE kind = ? AND live > 0 ORDER BY day`+dir, string(kind))
	if err != nil {
		return "", nil, 0, fmt.Errorf("readmodel: seek %s: %w", kind, err)
	}
	defer rows.Close()
	skipped := 0
	for rows.Next() {
		var day int64
		var live int
		if err := rows.Scan(&day, &live); err != nil {
			return "", nil, 0, fmt.Errorf("readmodel: seek %s: %w", kind, err)
		}
		if skipped+live > offset {
			if desc {
				return " AND " + col + " < ?", []any{(day + 1) * 86400}, offset - skipped, nil
			}
			return " AND " + col + " >= ?", []any{day * 86400}, offset - skipped, nil
		}
		skipped += live
	}
	return "", nil, offset, rows.Err()
}
