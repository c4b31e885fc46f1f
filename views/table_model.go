package views

// SortState is how a table column is sorted now.
type SortState string

// The sort states, as aria-sort spells them.
const (
	SortNone       SortState = "none"
	SortAscending  SortState = "ascending"
	SortDescending SortState = "descending"
)

// SortColumn is a sortable column header: its label, its state, and the URL that sorts by it
// (toggling the direction when it is the current column).
type SortColumn struct {
	Label string // with no Href, the column is a plain header: this viewer may not sort by it
	Key   string // the sort key, one of a fixed set (safe inside a Datastar expression)
	Dir   string // "asc" or "desc": the direction a click asks for
	State SortState
	Href  string
	Num   bool // right-aligned numbers
}
