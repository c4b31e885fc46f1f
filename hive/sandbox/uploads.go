package sandbox

import (
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
)

// evidenceFileTypes are the files the SDK uploads for a session: the selfie and the document's
// front, and its back when it is an ID card (a passport's data page is all there is).
func evidenceFileTypes(seed uint64, p Person, sc Scenario, submitted time.Time) []hive.FileType {
	return NewEvidence(seed, p, sc, submitted).Files()
}

// scenarioView is a scenario as GET /sandbox/scenarios lists it.
type scenarioView struct {
	Name        string      `json:"name"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Result      hive.Status `json:"result"`
	Decision    string      `json:"decision"`
}

func scenarioList() []scenarioView {
	var out []scenarioView
	for _, s := range Scenarios() {
		out = append(out, scenarioView{Name: string(s.Scenario), Title: s.Title, Description: s.Description, Result: s.Result, Decision: s.Decision()})
	}
	return out
}

// renderEvidenceFile renders one uploaded file of a session from its evidence.
func renderEvidenceFile(kind hive.FileType, seed uint64, p Person, sc Scenario, submitted time.Time) (renderedFile, error) {
	data, contentType, err := RenderFile(NewEvidence(seed, p, sc, submitted), kind)
	return renderedFile{data: data, contentType: contentType}, err
}
