package sandbox

import (
	"fmt"
	"strings"

	"github.com/hiveconsole/hiveconsole/hive"
)

// Scenario names the story a sandbox check tells: which of the report's checks fail, and how the
// evidence (document, selfie, devices) shows it.
type Scenario string

// The scenarios. Each flags only the sub-checks its story needs; everything else is clear.
const (
	ScenarioClear            Scenario = "clear"
	ScenarioPassportClear    Scenario = "passport_clear"
	ScenarioExpiredDocument  Scenario = "expired_document"
	ScenarioMRZChecksum      Scenario = "mrz_checksum"
	ScenarioTamperedDocument Scenario = "tampered_document"
	ScenarioDataMismatch     Scenario = "data_mismatch"
	ScenarioFaceMismatch     Scenario = "face_mismatch"
	ScenarioLivenessFailure  Scenario = "liveness_failure"
	ScenarioPoorImageQuality Scenario = "poor_image_quality"
	ScenarioVPNTor           Scenario = "vpn_tor"
)

// The decisions a check ends with, as the client knows them. Hive grades, the console decides:
// DecisionFor maps one to the other.
const (
	DecisionApproved = hive.DecisionApproved
	DecisionReview   = hive.DecisionReview
	DecisionDeclined = hive.DecisionDeclined
)

// DecisionFor is the decision a report's result leads to: clear → "approved", caution → "review",
// consider → "declined". A grade the console cannot read goes to review, never straight to a decline.
func DecisionFor(result hive.Status) string {
	switch result {
	case hive.StatusClear:
		return DecisionApproved
	case hive.StatusConsider:
		return DecisionDeclined
	}
	return DecisionReview
}

// ScenarioInfo describes a scenario for people choosing one: in the console, in docs, in tests.
type ScenarioInfo struct {
	Scenario    Scenario
	Title       string
	Description string      // one line
	Result      hive.Status // the report's overall result
}

// Decision is the decision the scenario's result leads to.
func (i ScenarioInfo) Decision() string { return DecisionFor(i.Result) }

// flag grades one sub-check, addressed as "section.breakdown.sub_check".
type flag struct {
	path   string
	status hive.Status
}

type scenarioSpec struct {
	info  ScenarioInfo
	flags []flag
}

// scenarioSpecs is the catalogue, in the order a menu should offer it. data_mismatch's flags depend
// on what the customer record holds; NewEvidence adds them (see mismatchFlags).
var scenarioSpecs = []scenarioSpec{
	{ScenarioInfo{ScenarioClear, "All clear",
		"A valid identity card, a live selfie that matches it, an ordinary home connection.", hive.StatusClear}, nil},
	{ScenarioInfo{ScenarioPassportClear, "All clear, passport",
		"As all clear, with a passport and its two-line machine readable zone.", hive.StatusClear}, nil},
	{ScenarioInfo{ScenarioExpiredDocument, "Expired document",
		"The document's date of expiry is in the past.", hive.StatusConsider}, []flag{
		{"document_report.data_validation.date_of_expiry", hive.StatusConsider},
	}},
	{ScenarioInfo{ScenarioMRZChecksum, "MRZ check digit mismatch",
		"The document number's check digit in the machine readable zone is wrong.", hive.StatusConsider}, []flag{
		{"document_report.data_validation.document_number", hive.StatusCaution},
		{"document_report.data_validation.mrz", hive.StatusConsider},
	}},
	{ScenarioInfo{ScenarioTamperedDocument, "Tampered document",
		"The surname was pasted over: its font and the security pattern behind it do not match the template.",
		hive.StatusConsider}, []flag{
		{"document_report.document_visual_authenticity.fonts", hive.StatusConsider},
		{"document_report.document_visual_authenticity.security_features", hive.StatusConsider},
	}},
	{ScenarioInfo{ScenarioDataMismatch, "Data mismatch",
		"The document's date of birth (or, without one on record, surname) differs from the customer record.",
		hive.StatusCaution}, nil},
	{ScenarioInfo{ScenarioFaceMismatch, "Face mismatch",
		"The selfie shows someone else: low similarity, faces do not match.", hive.StatusConsider}, []flag{
		{"facial_report.face_comparison.similarity", hive.StatusConsider},
	}},
	{ScenarioInfo{ScenarioLivenessFailure, "Liveness failure",
		"The selfie is a photo of a screen, not a live person.", hive.StatusConsider}, []flag{
		{"facial_report.visual_authenticity.liveness", hive.StatusConsider},
	}},
	{ScenarioInfo{ScenarioPoorImageQuality, "Poor image quality",
		"The selfie is dark and blurred; the face still matches.", hive.StatusCaution}, []flag{
		{"facial_report.image_integrity.brightness", hive.StatusCaution},
		{"facial_report.image_integrity.sharpness", hive.StatusCaution},
	}},
	{ScenarioInfo{ScenarioVPNTor, "VPN / Tor",
		"Both devices connect through a hosting provider's address known as a VPN and Tor exit.", hive.StatusConsider}, []flag{
		{"customer_report.ip.tor", hive.StatusConsider},
		{"customer_report.ip.vpn", hive.StatusConsider},
	}},
}

// Scenarios returns the catalogue of scenarios, in the order a menu should offer them.
func Scenarios() []ScenarioInfo {
	out := make([]ScenarioInfo, len(scenarioSpecs))
	for i, s := range scenarioSpecs {
		out[i] = s.info
	}
	return out
}

// ParseScenario reads a scenario's name; case and surrounding blanks do not matter, and "" is clear.
func ParseScenario(s string) (Scenario, error) {
	name := Scenario(strings.ToLower(strings.TrimSpace(s)))
	if name == "" {
		return ScenarioClear, nil
	}
	if _, ok := specOf(name); !ok {
		return "", fmt.Errorf("unknown scenario %q: want one of %s", s, scenarioNames())
	}
	return name, nil
}

// Info describes the scenario; an unknown one is described as clear, which is what NewEvidence
// makes of it.
func (s Scenario) Info() ScenarioInfo {
	spec, _ := specOf(s)
	return spec.info
}

func specOf(s Scenario) (scenarioSpec, bool) {
	for _, spec := range scenarioSpecs {
		if spec.info.Scenario == s {
			return spec, true
		}
	}
	return scenarioSpecs[0], false
}

func scenarioNames() string {
	names := make([]string, len(scenarioSpecs))
	for i, s := range scenarioSpecs {
		names[i] = string(s.info.Scenario)
	}
	return strings.Join(names, ", ")
}

// PickScenario chooses a scenario for demo data, mostly clear as real traffic is: about seven in ten
// checks pass, the rest spread over the failure stories, a caution (review) for every two considers.
func PickScenario(seed uint64) Scenario {
	const total = 100
	weights := []struct {
		s Scenario
		w int
	}{
		{ScenarioClear, 52}, {ScenarioPassportClear, 16}, {ScenarioExpiredDocument, 3},
		{ScenarioMRZChecksum, 3}, {ScenarioTamperedDocument, 2}, {ScenarioDataMismatch, 6},
		{ScenarioFaceMismatch, 3}, {ScenarioLivenessFailure, 3}, {ScenarioPoorImageQuality, 8},
		{ScenarioVPNTor, 4},
	}
	n := int(newRand(seed, streamScenario).IntN(total))
	for _, w := range weights {
		if n < w.w {
			return w.s
		}
		n -= w.w
	}
	return ScenarioClear
}
