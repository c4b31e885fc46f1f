package sandbox

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/hiveconsole/hiveconsole/hive"
)

var otherPerson = Person{FirstName: "Liis", LastName: "Kuusk", Gender: "female", DOB: "14-03-1992", Email: "liis@example.com", Nationality: "EST"}

// The stored copy of what a check reuses gives the same evidence as the copy in memory: the seeder
// builds reports from one and the downloads render images from the other.
func TestReuseSurvivesStorage(t *testing.T) {
	lender := NewEvidence(1, testPerson, ScenarioClear, testSubmitted)
	r := reuse{Document: lendDocument(lender, reuse{}), Devices: lendDevices(lender, reuse{})}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var stored reuse
	if err := json.Unmarshal(b, &stored); err != nil {
		t.Fatal(err)
	}
	later := testSubmitted.AddDate(0, 1, 0)
	inMemory := newEvidence(2, otherPerson, ScenarioClear, later, r)
	fromStore := newEvidence(2, otherPerson, ScenarioClear, later, stored)
	if a, b := mustMarshal(t, inMemory.Report), mustMarshal(t, fromStore.Report); a != b {
		t.Errorf("report from the stored copy:\n got %s\nwant %s", b, a)
	}
	for _, kind := range inMemory.Files() {
		a, _, err := RenderFile(inMemory, kind)
		if err != nil {
			t.Fatal(err)
		}
		b, _, _ := RenderFile(fromStore, kind)
		if !bytes.Equal(a, b) {
			t.Errorf("%s from the stored copy: got other bytes", kind)
		}
	}
}

// What a check does not reuse is what it would have made up, and a scenario about the record or
// the selfie plays on a reused document as on a new one.
func TestReuseReplacesOnlyItsPart(t *testing.T) {
	lender := NewEvidence(1, testPerson, ScenarioClear, testSubmitted)
	doc := reuse{Document: lendDocument(lender, reuse{})}
	tests := []struct {
		sc       Scenario
		result   hive.Status
		flagged  string // a sub-check the scenario must still flag, "section.breakdown.sub_check"
		sameFace bool   // the selfie shows the document's face
	}{
		{ScenarioClear, hive.StatusClear, "", true},
		{ScenarioPassportClear, hive.StatusClear, "", true},
		{ScenarioDataMismatch, hive.StatusCaution, "document_report.data_consistency.date_of_birth", true},
		{ScenarioFaceMismatch, hive.StatusConsider, "facial_report.face_comparison.similarity", false},
		{ScenarioLivenessFailure, hive.StatusConsider, "facial_report.visual_authenticity.liveness", true},
		{ScenarioVPNTor, hive.StatusConsider, "customer_report.ip.vpn", true},
	}
	for _, tc := range tests {
		t.Run(string(tc.sc), func(t *testing.T) {
			fresh := NewEvidence(2, otherPerson, tc.sc, testSubmitted)
			ev := newEvidence(2, otherPerson, tc.sc, testSubmitted, doc)
			if !slices.Equal(ev.Document.MRZ, lender.Document.MRZ) || ev.Document.Number != lender.Document.Number ||
				ev.Holder != lender.Holder {
				t.Errorf("document %s %v, holder %+v: want the lender's %s %v, %+v", ev.Document.Number, ev.Document.MRZ,
					ev.Holder, lender.Document.Number, lender.Document.MRZ, lender.Holder)
			}
			if got, want := ev.Report.Customer.Properties.Mobile.DeviceHash, fresh.Report.Customer.Properties.Mobile.DeviceHash; got != want {
				t.Errorf("devices: got %s, want %s, the check's own", got, want)
			}
			if ev.Report.Result != tc.result {
				t.Errorf("result: got %s, want %s", ev.Report.Result, tc.result)
			}
			if tc.flagged != "" && subCheck(ev.Report, tc.flagged) == hive.StatusClear {
				t.Errorf("%s: got clear, want flagged", tc.flagged)
			}
			if got := ev.Selfie.Face == lender.Holder; got != tc.sameFace {
				t.Errorf("selfie shows the document's face: got %v, want %v", got, tc.sameFace)
			}
		})
	}
}

// subCheck reads a sub-check's status by its path, "section.breakdown.sub_check".
func subCheck(r hive.Report, path string) hive.Status {
	sections := map[string]*hive.Section{"document_report": &r.Document.Section, "facial_report": &r.Facial.Section,
		"customer_report": &r.Customer.Section}
	parts := strings.SplitN(path, ".", 3)
	if len(parts) != 3 {
		return ""
	}
	if sc := sections[parts[0]].Breakdown(parts[1]).SubCheck(parts[2]); sc != nil {
		return sc.Status
	}
	return ""
}
