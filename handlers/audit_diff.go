package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/hive"
)

// diffBudget is the bytes of trail JSON an update's diff may take: the trail's limit, less room for
// the "error" a failure row adds to the same details.
const diffBudget = audit.MaxDetails - 256

// diffShortestValue is the fewest characters of a cut value a diff keeps.
const diffShortestValue = 8

// fieldChange is one field of an update: its name in the trail and its whole values.
type fieldChange struct {
	field, before, after string
}

// customerChanges lists an update's fields, the named ones first and then metadata by key, each
// with the stored value and the one sent.
func customerChanges(before *hive.Customer, p hive.CustomerParams) []fieldChange {
	var out []fieldChange
	add := func(field, was string, now *string) {
		if now != nil {
			out = append(out, fieldChange{field: field, before: was, after: *now})
		}
	}
	add("email", before.Email, p.Email)
	add("phone", deref(before.Phone), p.Phone)
	add("first_name", deref(before.FirstName), p.FirstName)
	add("middle_name", deref(before.MiddleName), p.MiddleName)
	add("last_name", deref(before.LastName), p.LastName)
	add("gender", deref(before.Gender), p.Gender)
	add("dob", deref(before.DOB), p.DOB)
	for _, k := range slices.Sorted(maps.Keys(p.Metadata)) {
		v := p.Metadata[k]
		add("metadata."+k, before.Metadata[k], &v)
	}
	return out
}

// customerDiff is an update's field-level change, before → after, for the trail, sized to fit one
// row whatever the forms accept (see budgetDiff).
func customerDiff(before *hive.Customer, p hive.CustomerParams) map[string]any {
	return budgetDiff(customerChanges(before, p), diffBudget)
}

// budgetDiff writes changes as {"changes": {field: {"before": …, "after": …}}} within budget bytes
// of trail JSON, so that the largest edit the forms accept (50 metadata values of 500 characters,
// 50 keys removed, every named field) is recorded rather than refused.
//
// A value longer than a limit is cut to its first characters and "…", and carries the hex SHA-256 of
// the whole value as "before_sha256" or "after_sha256": the diff still proves what changed. The limit
// is 200 characters, shortened (100, 50, 20, 8) while the diff does not fit. Beyond some thirty long
// values a hash each no longer fits: then compactDiff lists the rest by name, under one hash of all.
func budgetDiff(changes []fieldChange, budget int) map[string]any {
	for _, keep := range [...]int{200, 100, 50, 20, diffShortestValue} {
		d := map[string]any{"changes": diffEntries(changes, keep)}
		if fitsBudget(d, budget) {
			return d
		}
	}
	return compactDiff(changes, budget)
}

// compactDiff is the diff of an edit too large for a hash per cut value: as many fields as fit keep
// their entries (values cut at diffShortestValue, with their hashes), the others are named in order
// under "also_changed", and "changes_sha256" (changesDigest) seals every field's whole values. Names
// too long for the list are cut to 24, then 12 characters. Only if even that cannot fit (no form
// allows such an edit) does the row keep just the count, "changed_fields", and the digest.
func compactDiff(changes []fieldChange, budget int) map[string]any {
	digest := changesDigest(changes)
	for _, nameRunes := range [...]int{0, 24, 12} { // 0: whole names
		names := make([]string, len(changes))
		for i, c := range changes {
			names[i] = c.field
			if nameRunes > 0 {
				names[i] = cut(c.field, nameRunes)
			}
		}
		var fit map[string]any
		for n := 0; n <= len(changes); n++ {
			d := map[string]any{"changes": diffEntries(changes[:n], diffShortestValue), "changes_sha256": digest}
			if n < len(changes) {
				d["also_changed"] = names[n:]
			}
			if !fitsBudget(d, budget) {
				break
			}
			fit = d
		}
		if fit != nil {
			return fit
		}
	}
	return map[string]any{"changed_fields": len(changes), "changes_sha256": digest}
}

// diffEntries writes each change with values longer than keep characters cut and hashed.
func diffEntries(changes []fieldChange, keep int) map[string]any {
	entries := make(map[string]any, len(changes))
	for _, c := range changes {
		e := map[string]string{}
		diffValue(e, "before", c.before, keep)
		diffValue(e, "after", c.after, keep)
		entries[c.field] = e
	}
	return entries
}

// diffValue sets e[side] to v, or to v's first keep characters and "…" with e[side+"_sha256"] the hex
// SHA-256 of the whole of v.
func diffValue(e map[string]string, side, v string, keep int) {
	if utf8.RuneCountInString(v) <= keep {
		e[side] = v
		return
	}
	e[side] = string([]rune(v)[:keep]) + "…"
	e[side+"_sha256"] = sha256Hex(v)
}

// changesDigest is the hex SHA-256 of every change's whole values, in the order listed: for each, its
// field, before and after, each written as its length in bytes (decimal), ":", the bytes and "\n" (as
// the trail's own hash chain encodes a row), so that whoever holds the values can check them.
func changesDigest(changes []fieldChange) string {
	h := sha256.New()
	for _, c := range changes {
		for _, s := range []string{c.field, c.before, c.after} {
			h.Write([]byte(strconv.Itoa(len(s)) + ":" + s + "\n"))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// fitsBudget reports whether d takes at most budget bytes in the trail.
func fitsBudget(d map[string]any, budget int) bool {
	n, err := audit.DetailsSize(d)
	return err == nil && n <= budget
}
