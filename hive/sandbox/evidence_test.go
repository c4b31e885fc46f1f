package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/mrz"
)

func readReference(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/report_example.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jsonType names the JSON type of a value decoded into any.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// shapeDiff lists where got differs from ref in keys or JSON types, recursively. Array elements
// are compared with the reference's first element.
func shapeDiff(path string, ref, got any) []string {
	if rt, gt := jsonType(ref), jsonType(got); rt != gt {
		return []string{fmt.Sprintf("%s: got %s, want %s", path, gt, rt)}
	}
	var diffs []string
	switch ref := ref.(type) {
	case map[string]any:
		got := got.(map[string]any)
		for _, k := range sortedKeys(ref) {
			if _, ok := got[k]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s.%s: got no such key, want one", path, k))
				continue
			}
			diffs = append(diffs, shapeDiff(path+"."+k, ref[k], got[k])...)
		}
		for _, k := range sortedKeys(got) {
			if _, ok := ref[k]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s.%s: got a key the reference lacks", path, k))
			}
		}
	case []any:
		got := got.([]any)
		if len(ref) > 0 && len(got) == 0 {
			diffs = append(diffs, fmt.Sprintf("%s: got an empty array, want elements", path))
		}
		for i, g := range got {
			if len(ref) > 0 {
				diffs = append(diffs, shapeDiff(fmt.Sprintf("%s[%d]", path, i), ref[0], g)...)
			}
		}
	}
	return diffs
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestReportHasTheReferenceShape(t *testing.T) {
	var ref any
	if err := json.Unmarshal(readReference(t), &ref); err != nil {
		t.Fatal(err)
	}
	people := map[string]Person{"complete record": testPerson, "empty record": {}}
	for _, info := range Scenarios() {
		for who, p := range people {
			t.Run(string(info.Scenario)+"/"+who, func(t *testing.T) {
				b, err := json.Marshal(NewEvidence(11, p, info.Scenario, testSubmitted).Report)
				if err != nil {
					t.Fatal(err)
				}
				var got any
				if err := json.Unmarshal(b, &got); err != nil {
					t.Fatal(err)
				}
				for _, d := range shapeDiff("report", ref, got) {
					t.Error(d)
				}
			})
		}
	}
}

// TestReportTreeFollowsTheReference checks the order of breakdowns and sub-checks, which the
// key-set comparison above cannot see.
func TestReportTreeFollowsTheReference(t *testing.T) {
	var ref hive.Report
	if err := json.Unmarshal(readReference(t), &ref); err != nil {
		t.Fatal(err)
	}
	got := NewEvidence(1, testPerson, ScenarioClear, testSubmitted).Report
	for name, sec := range sections(ref) {
		t.Run(name, func(t *testing.T) {
			if got, want := tree(*sections(got)[name]), tree(*sec); !slices.Equal(got, want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func tree(s hive.Section) []string {
	var out []string
	for _, b := range s.Breakdowns {
		for _, c := range b.SubChecks {
			out = append(out, b.Name+"."+c.Name)
		}
	}
	return out
}

func TestEvidenceIsDeterministic(t *testing.T) {
	for _, info := range Scenarios() {
		t.Run(string(info.Scenario), func(t *testing.T) {
			a, b := NewEvidence(42, testPerson, info.Scenario, testSubmitted), NewEvidence(42, testPerson, info.Scenario, testSubmitted)
			ja, _ := json.Marshal(a.Report)
			jb, _ := json.Marshal(b.Report)
			if !bytes.Equal(ja, jb) || !reflect.DeepEqual(a, b) {
				t.Errorf("same inputs: got different evidence\n%s\n%s", ja, jb)
			}
			c := NewEvidence(43, testPerson, info.Scenario, testSubmitted)
			if c.Document.Number == a.Document.Number {
				t.Errorf("another seed: got the same document number %s, want another", c.Document.Number)
			}
		})
	}
}

func TestEvidenceFollowsThePerson(t *testing.T) {
	ev := NewEvidence(5, testPerson, ScenarioClear, testSubmitted)
	props := ev.Report.Document.Properties
	tests := []struct{ name, got, want string }{
		{"surname", props.Surname, "JOEORG"},
		{"given names", props.GivenNames, "JAAK KRISTJAN"},
		{"surname and given names", props.SurnameAndGivenNames, "JOEORG JAAK KRISTJAN"},
		{"date of birth", props.DateOfBirth, "08.01.1980"},
		{"gender", props.Gender, "M"},
		{"nationality", props.Nationality, "EST"},
		{"country", props.CountryName, "Estonia"},
		{"document title", props.DocumentTitle, "identity card"},
		{"class", props.DocumentClassCode, "ID"},
		{"MRZ type", props.MRZType, "ID-1"},
		{"age on submission", props.Age, "45"},
		{"document surname as printed", ev.Document.Surname, "Jõeorg"},
		{"face's sex", ev.Holder.Sex, "M"},
		{"facial gender", ev.Report.Facial.Properties.Gender, "Male"},
		{"email object", mustMarshal(t, ev.Report.Customer.Properties.Email), "{}"},
		{"phone object", mustMarshal(t, ev.Report.Customer.Properties.Phone), "{}"},
		{"version", strconv.Itoa(ev.Report.Version), "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
	if !ev.Report.Processed.After(ev.Report.Submitted) || !ev.Report.Submitted.Equal(testSubmitted) {
		t.Errorf("submitted %v, processed %v: want submitted as given and processed after it",
			ev.Report.Submitted, ev.Report.Processed)
	}
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestEvidenceFillsTheRecordsGaps(t *testing.T) {
	for seed := range uint64(40) {
		ev := NewEvidence(seed, Person{}, ScenarioClear, testSubmitted)
		d := ev.Document
		if _, ok := countryByCode(d.Nationality); !ok || d.Sex != "M" && d.Sex != "F" || d.Surname == "" || d.GivenNames == "" {
			t.Fatalf("seed %d: got nationality %q, sex %q, names %q %q; want them all made up", seed, d.Nationality, d.Sex, d.Surname, d.GivenNames)
		}
		if age := yearsBetween(d.DateOfBirth, civil(testSubmitted)); age < 18 || age > 80 {
			t.Errorf("seed %d: age: got %d, want 18–80", seed, age)
		}
		if ev.Holder.Seed != seed {
			t.Errorf("seed %d: a nameless record's face: got seed %d, want the check's", seed, ev.Holder.Seed)
		}
	}
}

func TestEvidenceDates(t *testing.T) {
	for _, info := range Scenarios() {
		t.Run(string(info.Scenario), func(t *testing.T) {
			for seed := range uint64(30) {
				ev := NewEvidence(seed, testPerson, info.Scenario, testSubmitted)
				d, props, today := ev.Document, ev.Report.Document.Properties, civil(testSubmitted)
				expired := info.Scenario == ScenarioExpiredDocument
				if got := d.DateOfExpiry.Before(today); got != expired {
					t.Fatalf("seed %d: expiry %s before submission: got %v, want %v", seed, dotted(d.DateOfExpiry), got, expired)
				}
				wantMonths := 0
				if !expired {
					wantMonths = monthsBetween(today, d.DateOfExpiry)
					if wantMonths < 6 {
						t.Errorf("seed %d: months to expire: got %d, want at least 6", seed, wantMonths)
					}
				}
				if props.MonthsToExpire != strconv.Itoa(wantMonths) || props.DateOfExpiry != dotted(d.DateOfExpiry) {
					t.Errorf("seed %d: months_to_expire %s, date_of_expiry %s: want %d, %s", seed,
						props.MonthsToExpire, props.DateOfExpiry, wantMonths, dotted(d.DateOfExpiry))
				}
				if !d.DateOfIssue.Before(today) || !d.DateOfIssue.Before(d.DateOfExpiry) {
					t.Errorf("seed %d: issued %s, expires %s: want issue before both submission and expiry", seed,
						dotted(d.DateOfIssue), dotted(d.DateOfExpiry))
				}
			}
		})
	}
}

func TestAgeAndMonths(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	tests := []struct {
		from, to      string
		years, months int
	}{
		{"1980-01-08", "2020-06-29", 40, 485},
		{"1980-06-29", "2020-06-29", 40, 480},
		{"1980-06-30", "2020-06-29", 39, 479},
		{"2020-06-29", "2020-01-02", -1, 0},
		{"2024-02-29", "2025-02-28", 0, 11},
	}
	for _, tt := range tests {
		t.Run(tt.from+"→"+tt.to, func(t *testing.T) {
			if got := yearsBetween(day(tt.from), day(tt.to)); got != tt.years {
				t.Errorf("years: got %d, want %d", got, tt.years)
			}
			if got := monthsBetween(day(tt.from), day(tt.to)); got != tt.months {
				t.Errorf("months: got %d, want %d", got, tt.months)
			}
		})
	}
}

func TestEvidenceMRZ(t *testing.T) {
	for _, info := range Scenarios() {
		t.Run(string(info.Scenario), func(t *testing.T) {
			for seed := range uint64(20) {
				ev := NewEvidence(seed, testPerson, info.Scenario, testSubmitted)
				props := ev.Report.Document.Properties
				printed := mrz.Validate(mrz.Split(props.MRZStrings))
				corrected := mrz.Validate(mrz.Split(props.MRZStringsWithCorrectChecksums))
				if want := info.Scenario != ScenarioMRZChecksum; printed.Valid() != want {
					t.Fatalf("seed %d: printed zone valid: got %v, want %v (%+v)", seed, printed.Valid(), want, printed.Checks)
				}
				if !corrected.Valid() || !slices.Equal(mrz.Split(props.MRZStringsWithCorrectChecksums), ev.Document.CorrectMRZ()) {
					t.Errorf("seed %d: corrected zone %q: want the document's, valid", seed, props.MRZStringsWithCorrectChecksums)
				}
				if got := mrz.Join(ev.Document.MRZ); got != props.MRZStrings {
					t.Errorf("seed %d: mrz_strings: got %q, want the document's %q", seed, props.MRZStrings, got)
				}
				number, _ := printed.Check(mrz.FieldDocumentNumber)
				if props.DocumentNumberCheckDigit != string(number.Printed) {
					t.Errorf("seed %d: document_number_checkdigit: got %s, want the printed %c", seed, props.DocumentNumberCheckDigit, number.Printed)
				}
				if info.Scenario == ScenarioMRZChecksum && number.OK() {
					t.Errorf("seed %d: document number check digit: got correct, want the misprint", seed)
				}
				if printed.Fields.DocumentNumber != ev.Document.Number || printed.Fields.Surname != props.Surname {
					t.Errorf("seed %d: zone says %q %q, want the document's %q %q", seed,
						printed.Fields.DocumentNumber, printed.Fields.Surname, ev.Document.Number, props.Surname)
				}
			}
		})
	}
}

func TestDataMismatchDiffersFromTheRecord(t *testing.T) {
	for seed := range uint64(30) {
		ev := NewEvidence(seed, testPerson, ScenarioDataMismatch, testSubmitted)
		if got := ev.Document.DateOfBirth.Format("02-01-2006"); got == testPerson.DOB {
			t.Errorf("seed %d: document date of birth: got the record's %s, want another", seed, got)
		}
		noDOB := testPerson
		noDOB.DOB = ""
		ev = NewEvidence(seed, noDOB, ScenarioDataMismatch, testSubmitted)
		if ev.Document.Surname == noDOB.LastName {
			t.Errorf("seed %d: without a date of birth on record, surname: got the record's %q, want another", seed, ev.Document.Surname)
		}
	}
}

func TestFacialScoresAgreeWithStatuses(t *testing.T) {
	for _, info := range Scenarios() {
		t.Run(string(info.Scenario), func(t *testing.T) {
			for seed := range uint64(30) {
				r := NewEvidence(seed, testPerson, info.Scenario, testSubmitted).Report
				p := r.Facial.Properties
				similarity := r.Facial.FaceComparison().SubCheck("similarity").Status
				liveness := r.Facial.VisualAuthenticity().SubCheck("liveness").Status
				brightness := r.Facial.ImageIntegrity().SubCheck("brightness").Status
				if (similarity == hive.StatusClear) != (p.FacesMatch && p.Similarity >= 0.9) {
					t.Errorf("seed %d: similarity %s but faces_match %v, %.4f", seed, similarity, p.FacesMatch, p.Similarity)
				}
				if (liveness == hive.StatusClear) != (p.Live && p.Liveness >= 0.97) {
					t.Errorf("seed %d: liveness %s but live %v, %.8f", seed, liveness, p.Live, p.Liveness)
				}
				if (brightness == hive.StatusClear) != (p.Brightness >= 30 && p.Sharpness >= 30) {
					t.Errorf("seed %d: brightness %s but %.2f, sharpness %.2f", seed, brightness, p.Brightness, p.Sharpness)
				}
				var lo, hi int
				if _, err := fmt.Sscanf(p.AgeRange, "%d - %d", &lo, &hi); err != nil || 45 < lo || 45 > hi {
					t.Errorf("seed %d: age_range %q (%v): want a range holding the holder's 45", seed, p.AgeRange, err)
				}
			}
		})
	}
}

func TestCustomerDevices(t *testing.T) {
	reserved := []netip.Prefix{netip.MustParsePrefix("198.18.0.0/15"), netip.MustParsePrefix("2001:db8::/32"),
		netip.MustParsePrefix("198.51.100.0/24")}
	for _, sc := range []Scenario{ScenarioClear, ScenarioVPNTor} {
		t.Run(string(sc), func(t *testing.T) {
			for seed := range uint64(30) {
				props := NewEvidence(seed, testPerson, sc, testSubmitted).Report.Customer.Properties
				for name, d := range map[string]*hive.Device{"mobile": props.Mobile, "desktop": props.Desktop} {
					if d == nil {
						t.Fatalf("seed %d: %s: got none, want a device", seed, name)
					}
					if a, err := netip.ParseAddr(d.IP); err != nil || !slices.ContainsFunc(reserved, func(p netip.Prefix) bool { return p.Contains(a) }) {
						t.Errorf("seed %d: %s IP %s: want one from the reserved ranges", seed, name, d.IP)
					}
					hosted := d.Type == "DCH" && d.Country != "EE" && d.ProxyScore >= 90 && d.FraudScore >= 85
					if hosted != (sc == ScenarioVPNTor) {
						t.Errorf("seed %d: %s: type %s in %s, proxy %d, fraud %d: want a foreign hosting address only in vpn_tor",
							seed, name, d.Type, d.Country, d.ProxyScore, d.FraudScore)
					}
					if len(d.DeviceHash) != 32 || d.UserAgent == "" || d.RegionTimezone != "+02:00" {
						t.Errorf("seed %d: %s: hash %q, user agent %q, timezone %q", seed, name, d.DeviceHash, d.UserAgent, d.RegionTimezone)
					}
				}
			}
		})
	}
}

func TestNationalityOutsideTheTable(t *testing.T) {
	ev := NewEvidence(1, Person{FirstName: "Yuki", LastName: "Tanaka", Nationality: "jpn"}, ScenarioClear, testSubmitted)
	props := ev.Report.Document.Properties
	if ev.Document.Kind != Passport || props.NationalityCode != "JPN" || props.IssuingStateCode != "JPN" {
		t.Errorf("got a %s from %s, nationality %s: want a JPN passport", ev.Document.Kind, props.IssuingStateCode, props.NationalityCode)
	}
	if v := mrz.Validate(ev.Document.MRZ); !v.Valid() || v.Fields.Nationality != "JPN" {
		t.Errorf("zone %q: want a valid one saying JPN", ev.Document.MRZ)
	}
	if _, _, err := RenderFile(ev, hive.FileDocumentFront); err != nil {
		t.Errorf("render: got %v, want a picture", err)
	}
}
