package review

import (
	"fmt"
	"slices"
	"strings"
)

// FourEyes says which approvals need a second approver before they count: approving a check whose
// report's result is one of Results, or whose decision by Hive is one of Decisions, or any approval
// when All.
type FourEyes struct {
	All                bool
	Results, Decisions []string
}

// DefaultFourEyes asks for a second approver when a reviewer approves what Hive's report flags most
// (consider) or overrules Hive's own refusal (declined).
var DefaultFourEyes = FourEyes{Results: []string{"consider"}, Decisions: []string{"declined"}}

var (
	fourEyesResults   = []string{"clear", "caution", "consider", "unknown"}
	fourEyesDecisions = []string{"approved", "review", "declined"}
)

// Needs reports whether approving a check with this report result and Hive decision needs a second
// approver.
func (f FourEyes) Needs(result, decision string) bool {
	return f.All || slices.Contains(f.Results, result) || slices.Contains(f.Decisions, decision)
}

// String is the rules in the form ParseFourEyes reads.
func (f FourEyes) String() string {
	if f.All {
		return "all"
	}
	var parts []string
	for _, r := range f.Results {
		parts = append(parts, "result="+r)
	}
	for _, d := range f.Decisions {
		parts = append(parts, "decision="+d)
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ",")
}

// Describe says in words when an approval needs a second approver, for the pages that explain it.
func (f FourEyes) Describe() string {
	switch {
	case f.All:
		return "every approval needs a second approver"
	case len(f.Results)+len(f.Decisions) == 0:
		return "one approval is enough"
	}
	var when []string
	if len(f.Results) > 0 {
		when = append(when, "the report says "+strings.Join(f.Results, " or "))
	}
	if len(f.Decisions) > 0 {
		when = append(when, "Hive's decision was "+strings.Join(f.Decisions, " or "))
	}
	return "approving needs a second approver when " + strings.Join(when, ", or when ")
}

// ParseFourEyes reads the rules: "none", "all", or a comma-separated list of result=R (one of clear,
// caution, consider, unknown) and decision=D (one of approved, review, declined), for example
// "result=consider,decision=declined".
func ParseFourEyes(s string) (FourEyes, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "none":
		return FourEyes{}, nil
	case "all":
		return FourEyes{All: true}, nil
	case "":
		return FourEyes{}, fmt.Errorf("four-eyes rules: give none, all, or result=…/decision=… entries")
	}
	var f FourEyes
	for entry := range strings.SplitSeq(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		key, value, _ := strings.Cut(entry, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch {
		case key == "result" && slices.Contains(fourEyesResults, value):
			if !slices.Contains(f.Results, value) {
				f.Results = append(f.Results, value)
			}
		case key == "decision" && slices.Contains(fourEyesDecisions, value):
			if !slices.Contains(f.Decisions, value) {
				f.Decisions = append(f.Decisions, value)
			}
		default:
			return FourEyes{}, fmt.Errorf("four-eyes rule %q: want result=%s or decision=%s", entry,
				strings.Join(fourEyesResults, "|"), strings.Join(fourEyesDecisions, "|"))
		}
	}
	return f, nil
}
