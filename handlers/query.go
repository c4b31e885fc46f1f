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

// maxPage is the highest page number a list accepts from a URL or a signal. It is read before any
// arithmetic, so (page-1)*size can never overflow: no list has a million pages of 100 rows.
const maxPage = 1_000_000

// pageNumber turns a requested page into one a list can compute with: 1 to maxPage.
func pageNumber(requested int) int {
	return min(max(requested, 1), maxPage)
}

// pageSpan works out which page of total rows, size per page, is shown for a requested page (past
// the end: the last page), and the half-open range [from, to) of its rows. size below 1 counts as 1.
func pageSpan(total, size, requested int) (page, from, to int) {
	size = max(size, 1)
	total = max(total, 0)
	pages := max(1, (total+size-1)/size)
	page = min(pageNumber(requested), pages)
	from = (page - 1) * size
	return page, from, min(total, from+size)
}
