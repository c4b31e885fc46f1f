package handlers

import (
	"slices"

	"github.com/hiveconsole/hiveconsole/views"
)

// oneOf returns v when the list offers it, and "" (no filter) otherwise, so an edited or stale URL
// still shows a sensible page.
func oneOf(v string, offered []string) string {
	if slices.Contains(offered, v) {
		return v
	}
	return ""
}

// descending reads a list's "dir": "asc" or "desc", or else the sort's natural direction.
func descending(dir string, natural bool) bool {
	switch dir {
	case "asc":
		return false
	case "desc":
		return true
	}
	return natural
}

// sortColumn is a sortable header: clicking the column the list is sorted by flips its direction;
// another column starts in its natural direction. link gives the list's address for a sort (on its
// first page).
func sortColumn(label, key, sortedBy string, desc, naturalDesc bool, link func(sort string, desc bool) string) views.SortColumn {
	col := views.SortColumn{Label: label, Key: key, State: views.SortNone}
	nextDesc := naturalDesc
	if sortedBy == key {
		col.State = views.SortAscending
		if desc {
			col.State = views.SortDescending
		}
		nextDesc = !desc
	}
	col.Href = link(key, nextDesc)
	col.Dir = "asc"
	if nextDesc {
		col.Dir = "desc"
	}
	return col
}
