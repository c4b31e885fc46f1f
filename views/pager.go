package views

import "strconv"

// Pager is a table's pagination: what is shown, and links to the neighbours.
type Pager struct {
	From, To, Total int
	Prev, Next      string // empty at the ends
	Pages           []PageLink
}

// PageLink is one numbered page; an empty Href is a gap ("…").
type PageLink struct {
	Label   string
	Href    string
	Current bool
}

// NewPager works out the pagination of total rows, size per page, on page (1-based), with link
// builds the URL of a page. It shows the first and last pages, two around the current one, and
// gaps between.
func NewPager(total, size, page int, link func(page int) string) Pager {
	if size < 1 {
		size = 1
	}
	pages := max(1, (total+size-1)/size)
	page = min(max(page, 1), pages)
	p := Pager{Total: total}
	if total > 0 {
		p.From, p.To = (page-1)*size+1, min(page*size, total)
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < pages {
		p.Next = link(page + 1)
	}
	last := 0
	for n := 1; n <= pages; n++ {
		if n != 1 && n != pages && (n < page-2 || n > page+2) {
			continue
		}
		if last != 0 && n > last+1 {
			p.Pages = append(p.Pages, PageLink{Label: "…"})
		}
		p.Pages = append(p.Pages, PageLink{Label: strconv.Itoa(n), Href: link(n), Current: n == page})
		last = n
	}
	return p
}
