package handlers

import "slices"

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
