package handlers

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/hive"
)

// maxValue is a metadata value as long as the form allows, different for each seed.
func maxValue(seed string) string {
	return strings.Repeat(seed+"-", maxMetadataValueLen)[:maxMetadataValueLen]
}

// maxKey is a metadata key as long as the form allows, unique for each i.
func maxKey(prefix string, i int) string {
	k := fmt.Sprintf("%s%02d_", prefix, i)
	return k + strings.Repeat("k", maxMetadataKeyLen-len(k))
}

// largestEdit is the largest update the edit form accepts: a customer holding 50 keys with values of
// 500 characters renames every key (50 removed, 50 set to new 500-character values) and changes every
// named field to its longest value.
func largestEdit() (*hive.Customer, hive.CustomerParams) {
	c := &hive.Customer{Email: "before@example.com", Metadata: hive.Metadata{}}
	p := hive.CustomerParams{Email: hive.String(strings.Repeat("e", 64) + "@" + strings.Repeat("d", 180) + ".example"),
		Phone: hive.String("+442079460958"), FirstName: hive.String(strings.Repeat("F", maxNameLen)),
		MiddleName: hive.String(strings.Repeat("M", maxNameLen)), LastName: hive.String(strings.Repeat("L", maxNameLen)),
		Gender: hive.String("female"), DOB: hive.String("24-12-1969"), Metadata: map[string]string{}}
	for i := range maxMetadataKeys {
		c.Metadata[maxKey("old", i)] = maxValue(fmt.Sprint("was", i))
		p.Metadata[maxKey("old", i)] = ""
		p.Metadata[maxKey("new", i)] = maxValue(fmt.Sprint("now", i))
	}
	return c, p
}

// TestCustomerDiffFitsTheTrail builds the diffs of edits up to the largest the forms accept and checks
// that each fits one audit row, mentions every changed field, and proves each value it cut.
func TestCustomerDiffFitsTheTrail(t *testing.T) {
	longChange := func(n int) (*hive.Customer, hive.CustomerParams) {
		c := &hive.Customer{Email: "a@example.com", Metadata: hive.Metadata{}}
		p := hive.CustomerParams{Metadata: map[string]string{}}
		for i := range n {
			c.Metadata[maxKey("key", i)] = maxValue(fmt.Sprint("before", i))
			p.Metadata[maxKey("key", i)] = maxValue(fmt.Sprint("after", i))
		}
		return c, p
	}
	hostileKeys := func() (*hive.Customer, hive.CustomerParams) {
		c, p := &hive.Customer{Metadata: hive.Metadata{}}, hive.CustomerParams{Metadata: map[string]string{}}
		for i := range 2 * maxMetadataKeys {
			// Every byte a control or a quote: 3 bytes (U+FFFD) or 2 (\") of JSON each once cleaned.
			k := fmt.Sprintf("%02d", i) + strings.Repeat("\x01\"", maxMetadataKeyLen/2-1)
			p.Metadata[k] = strings.Repeat("\x1b\"", maxMetadataValueLen/2)
		}
		return c, p
	}
	tests := []struct {
		name      string
		edit      func() (*hive.Customer, hive.CustomerParams)
		wantEvery bool // every field keeps its own entry and hashes, no digest needed
	}{
		{"one short field", func() (*hive.Customer, hive.CustomerParams) {
			return &hive.Customer{Email: "a@example.com", FirstName: hive.String("Aud")}, hive.CustomerParams{FirstName: hive.String("Audrey")}
		}, true},
		{"20 long values changed", func() (*hive.Customer, hive.CustomerParams) { return longChange(20) }, true},
		{"25 long values changed", func() (*hive.Customer, hive.CustomerParams) { return longChange(25) }, true},
		{"50 long values changed", func() (*hive.Customer, hive.CustomerParams) { return longChange(50) }, false},
		{"the largest edit the form accepts", largestEdit, false},
		{"100 keys of controls and quotes", hostileKeys, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, params := tt.edit()
			changes := customerChanges(before, params)
			d := customerDiff(before, params)
			size, err := audit.DetailsSize(d)
			if err != nil || size > diffBudget {
				t.Fatalf("diff of %d changes takes %d bytes, %v; want at most %d", len(changes), size, err, diffBudget)
			}
			entries, _ := d["changes"].(map[string]any)
			if tt.wantEvery && (len(entries) != len(changes) || d["changes_sha256"] != nil) {
				t.Errorf("got %d entries and digest %v, want an entry for each of the %d changes and no digest", len(entries), d["changes_sha256"], len(changes))
			}
			checkDiff(t, changes, d)
		})
	}
}

// checkDiff checks that d mentions every change and that what it keeps of each is true: a value whole,
// or its first characters with the SHA-256 of the whole; the digest over every value, when there is one.
func checkDiff(t *testing.T, changes []fieldChange, d map[string]any) {
	t.Helper()
	entries, _ := d["changes"].(map[string]any)
	named, _ := d["also_changed"].([]string)
	if n, ok := d["changed_fields"].(int); ok && n != len(changes) {
		t.Errorf("changed_fields = %d, want %d", n, len(changes))
	}
	if sum, ok := d["changes_sha256"]; ok && sum != changesDigest(changes) {
		t.Errorf("changes_sha256 = %v, want the digest of every change", sum)
	}
	if len(entries)+len(named) != len(changes) && d["changed_fields"] == nil {
		t.Fatalf("%d entries and %d names for %d changes", len(entries), len(named), len(changes))
	}
	for i, c := range changes {
		e, ok := entries[c.field].(map[string]string)
		if !ok {
			if j := i - len(entries); d["changed_fields"] == nil && !strings.HasPrefix(c.field, strings.TrimSuffix(named[j], "…")) {
				t.Errorf("change %d (%q) is named %q", i, c.field, named[j])
			}
			continue
		}
		for side, whole := range map[string]string{"before": c.before, "after": c.after} {
			kept, sum := e[side], e[side+"_sha256"]
			switch {
			case sum == "" && kept != whole:
				t.Errorf("%s %s = %q with no hash, want the whole value", c.field, side, kept)
			case sum != "" && (sum != sha256Hex(whole) || !strings.HasPrefix(whole, strings.TrimSuffix(kept, "…"))):
				t.Errorf("%s %s = %q, sha256 %s; want a prefix of the value and its hash %s", c.field, side, kept, sum, sha256Hex(whole))
			case sum != "" && utf8.RuneCountInString(kept) > 201:
				t.Errorf("%s %s keeps %d characters, want at most 200 and …", c.field, side, utf8.RuneCountInString(kept))
			}
		}
	}
}

func TestBudgetDiffShortensValuesBeforeDroppingHashes(t *testing.T) {
	changes := []fieldChange{{field: "metadata.a", before: maxValue("x"), after: maxValue("y")}}
	tests := []struct {
		budget   int
		wantKept int // characters kept of each value, "…" not counted
	}{{4096, 200}, {622, 200}, {621, 100}, {322, 50}, {261, 8}, {238, 8}}
	for _, tt := range tests {
		d := budgetDiff(changes, tt.budget)
		e, _ := d["changes"].(map[string]any)["metadata.a"].(map[string]string)
		if got := utf8.RuneCountInString(e["after"]) - 1; got != tt.wantKept || e["after_sha256"] != sha256Hex(maxValue("y")) {
			t.Errorf("budget %d: kept %d characters (%v), want %d and the hash", tt.budget, got, e, tt.wantKept)
		}
	}
	// Below the shortest values' size, the field is named and the digest proves its values.
	d := budgetDiff(changes, 200)
	if named, _ := d["also_changed"].([]string); len(named) != 1 || named[0] != "metadata.a" || d["changes_sha256"] != changesDigest(changes) {
		t.Errorf("budget 200: got %v, want metadata.a named under also_changed and the digest", d)
	}
}
