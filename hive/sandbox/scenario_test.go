package sandbox

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
)

// testPerson is a complete customer record.
var testPerson = Person{
	FirstName: "Jaak", MiddleName: "Kristjan", LastName: "Jõeorg", Gender: "male", DOB: "08-01-1980",
	Email: "jaak@example.com", Phone: "+37255512345", Nationality: "EST",
}

var testSubmitted = time.Date(2025, 6, 29, 15, 38, 16, 0, time.UTC)

func TestParseScenario(t *testing.T) {
	tests := []struct {
		in      string
		want    Scenario
		wantErr bool
	}{
		{"clear", ScenarioClear, false},
		{" VPN_TOR ", ScenarioVPNTor, false},
		{"mrz_checksum", ScenarioMRZChecksum, false},
		{"", ScenarioClear, false},
		{"forged", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseScenario(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error: got %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestScenarioCatalogue(t *testing.T) {
	all := []Scenario{ScenarioClear, ScenarioPassportClear, ScenarioExpiredDocument, ScenarioMRZChecksum,
		ScenarioTamperedDocument, ScenarioDataMismatch, ScenarioFaceMismatch, ScenarioLivenessFailure,
		ScenarioPoorImageQuality, ScenarioVPNTor}
	var names []Scenario
	for _, info := range Scenarios() {
		names = append(names, info.Scenario)
		t.Run(string(info.Scenario), func(t *testing.T) {
			if info.Title == "" || info.Description == "" || strings.Contains(info.Description, "\n") {
				t.Errorf("title %q, description %q: want both, on one line", info.Title, info.Description)
			}
			if got := info.Scenario.Info(); got != info {
				t.Errorf("Info: got %+v, want %+v", got, info)
			}
			if got := NewEvidence(1, testPerson, info.Scenario, testSubmitted).Report.Result; got != info.Result {
				t.Errorf("catalogue says %s, evidence result: got %s", info.Result, got)
			}
		})
	}
	if !slices.Equal(names, all) {
		t.Errorf("catalogue: got %v, want %v", names, all)
	}
}

func TestDecisionFor(t *testing.T) {
	tests := []struct {
		in   hive.Status
		want string
	}{
		{hive.StatusClear, "approved"},
		{hive.StatusCaution, "review"},
		{hive.StatusConsider, "declined"},
		{hive.StatusUnknown, "review"},
		{"", "review"},
	}
	for _, tt := range tests {
		t.Run(string(tt.in), func(t *testing.T) {
			if got := DecisionFor(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// flaggedSubChecks lists every sub-check that is not clear, as "section.breakdown.sub_check".
func flaggedSubChecks(r hive.Report) map[string]hive.Status {
	out := map[string]hive.Status{}
	for name, sec := range sections(r) {
		for _, b := range sec.Breakdowns {
			for _, s := range b.SubChecks {
				if s.Status != hive.StatusClear {
					out[name+"."+b.Name+"."+s.Name] = s.Status
				}
			}
		}
	}
	return out
}

func sections(r hive.Report) map[string]*hive.Section {
	return map[string]*hive.Section{
		"document_report": &r.Document.Section, "facial_report": &r.Facial.Section, "customer_report": &r.Customer.Section,
	}
}

func TestScenarioStatuses(t *testing.T) {
	const (
		clear    = hive.StatusClear
		caution  = hive.StatusCaution
		consider = hive.StatusConsider
	)
	tests := []struct {
		sc                         Scenario
		person                     Person
		result, doc, face, network hive.Status
		flags                      map[string]hive.Status
	}{
		{ScenarioClear, testPerson, clear, clear, clear, clear, nil},
		{ScenarioPassportClear, testPerson, clear, clear, clear, clear, nil},
		{ScenarioExpiredDocument, testPerson, consider, consider, clear, clear, map[string]hive.Status{
			"document_report.data_validation.date_of_expiry": consider}},
		{ScenarioMRZChecksum, testPerson, consider, consider, clear, clear, map[string]hive.Status{
			"document_report.data_validation.document_number": caution,
			"document_report.data_validation.mrz":             consider}},
		{ScenarioTamperedDocument, testPerson, consider, consider, clear, clear, map[string]hive.Status{
			"document_report.document_visual_authenticity.fonts":             consider,
			"document_report.document_visual_authenticity.security_features": consider}},
		{ScenarioDataMismatch, testPerson, caution, caution, clear, clear, map[string]hive.Status{
			"document_report.data_consistency.date_of_birth": caution}},
		{ScenarioDataMismatch, Person{FirstName: "Anna", LastName: "Tamm"}, caution, caution, clear, clear, map[string]hive.Status{
			"document_report.data_consistency.surname":                 caution,
			"document_report.data_consistency.surname_and_given_names": caution}},
		{ScenarioFaceMismatch, testPerson, consider, clear, consider, clear, map[string]hive.Status{
			"facial_report.face_comparison.similarity": consider}},
		{ScenarioLivenessFailure, testPerson, consider, clear, consider, clear, map[string]hive.Status{
			"facial_report.visual_authenticity.liveness": consider}},
		{ScenarioPoorImageQuality, testPerson, caution, clear, caution, clear, map[string]hive.Status{
			"facial_report.image_integrity.brightness": caution,
			"facial_report.image_integrity.sharpness":  caution}},
		{ScenarioVPNTor, testPerson, consider, clear, clear, consider, map[string]hive.Status{
			"customer_report.ip.tor": consider,
			"customer_report.ip.vpn": consider}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s", tt.sc, tt.person.LastName), func(t *testing.T) {
			for seed := range uint64(5) {
				r := NewEvidence(seed, tt.person, tt.sc, testSubmitted).Report
				if r.Result != tt.result {
					t.Errorf("seed %d: result: got %s, want %s", seed, r.Result, tt.result)
				}
				for name, want := range map[string]hive.Status{"document_report": tt.doc, "facial_report": tt.face, "customer_report": tt.network} {
					if got := sections(r)[name].Status; got != want {
						t.Errorf("seed %d: %s: got %s, want %s", seed, name, got, want)
					}
				}
				if got := flaggedSubChecks(r); !maps.Equal(got, tt.flags) {
					t.Errorf("seed %d: flagged sub-checks: got %v, want %v", seed, got, tt.flags)
				}
			}
		})
	}
}

// TestStatusesRollUp checks the grading rule itself on every scenario: a breakdown is the worst of
// its sub-checks, a section the worst of its breakdowns, the result the worst of the sections.
func TestStatusesRollUp(t *testing.T) {
	for _, info := range Scenarios() {
		t.Run(string(info.Scenario), func(t *testing.T) {
			r := NewEvidence(3, testPerson, info.Scenario, testSubmitted).Report
			result := hive.StatusClear
			for name, sec := range sections(r) {
				worstBreakdown := hive.StatusClear
				for _, b := range sec.Breakdowns {
					worstSub := hive.StatusClear
					for _, s := range b.SubChecks {
						worstSub = worstSub.Worse(s.Status)
					}
					if b.Status != worstSub {
						t.Errorf("%s.%s: got %s, want the worst of its sub-checks, %s", name, b.Name, b.Status, worstSub)
					}
					worstBreakdown = worstBreakdown.Worse(b.Status)
				}
				if sec.Status != worstBreakdown {
					t.Errorf("%s: got %s, want the worst of its breakdowns, %s", name, sec.Status, worstBreakdown)
				}
				result = result.Worse(sec.Status)
			}
			if r.Result != result {
				t.Errorf("result: got %s, want the worst of the sections, %s", r.Result, result)
			}
		})
	}
}

func TestPickScenario(t *testing.T) {
	seen := map[Scenario]int{}
	for seed := range uint64(3000) {
		sc := PickScenario(seed)
		if again := PickScenario(seed); again != sc {
			t.Fatalf("seed %d: got %s then %s, want the same", seed, sc, again)
		}
		seen[sc]++
	}
	for _, info := range Scenarios() {
		if seen[info.Scenario] == 0 {
			t.Errorf("%s: got 0 picks in 3000, want some", info.Scenario)
		}
	}
	if share := float64(seen[ScenarioClear]+seen[ScenarioPassportClear]) / 3000; share < 0.63 || share > 0.75 {
		t.Errorf("clear share: got %.2f, want about seven in ten", share)
	}
}
