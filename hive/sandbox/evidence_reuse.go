package sandbox

import (
	"slices"

	"github.com/hiveconsole/hiveconsole/hive"
)

// reuse is what a check's evidence takes from another check's instead of making it up: the
// document, as when one person opens a second account with the same passport, or the devices, as
// when one phone and one connection serve many accounts. The zero reuse takes nothing.
//
// It is stored with the session (JSON) as a copy, not a reference: the check and its images stay
// the same when the other customer is later deleted or their sessions change.
type reuse struct {
	Document *reusedDocument `json:"document,omitempty"`
	Devices  *reusedDevices  `json:"devices,omitempty"`
}

// reusedDocument is a document shown again: every field and the zone exactly as the other check
// read them, the face printed on it, and the expression the selfie caught, so the document images
// come out the same and the selfie shows the same person.
type reusedDocument struct {
	Document Document `json:"document"`
	Holder   Face     `json:"holder"`
	Smiling  bool     `json:"smiling"`
	// Story is the scenario that shaped the document (expired_document, mrz_checksum or
	// tampered_document), empty when none did. Its flags travel with the document: an expired
	// passport is expired again.
	Story Scenario `json:"story,omitempty"`
}

// reusedDevices are the other check's devices: both browsers with their hashes, addresses and
// scores.
type reusedDevices struct {
	Properties hive.CustomerProperties `json:"properties"`
	// Story is vpn_tor when the devices connected through a VPN or Tor exit, else empty; its flags
	// travel with the devices.
	Story Scenario `json:"story,omitempty"`
}

// documentStories are the scenarios that change the document itself. A reused document is shown
// as it is, so a check that reuses one cannot play them.
var documentStories = []Scenario{ScenarioExpiredDocument, ScenarioMRZChecksum, ScenarioTamperedDocument}

// deviceStories are the scenarios that change the devices' connection.
var deviceStories = []Scenario{ScenarioVPNTor}

func storyIn(sc Scenario, stories []Scenario) Scenario {
	for _, s := range stories {
		if s == sc {
			return sc
		}
	}
	return ""
}

// flags are the grades the reused parts carry with them.
func (r reuse) flags() []flag {
	var out []flag
	if r.Document != nil && r.Document.Story != "" {
		out = append(out, specFlags(r.Document.Story)...)
	}
	if r.Devices != nil && r.Devices.Story != "" {
		out = append(out, specFlags(r.Devices.Story)...)
	}
	return out
}

// cloneDevices copies the devices, so two reports never share one.
func cloneDevices(p hive.CustomerProperties) hive.CustomerProperties {
	if p.Mobile != nil {
		m := *p.Mobile
		p.Mobile = &m
	}
	if p.Desktop != nil {
		dt := *p.Desktop
		p.Desktop = &dt
	}
	return p
}

// lendDocument is what evidence ev, made with r, lends to a check that shows the same document.
func lendDocument(ev Evidence, r reuse) *reusedDocument {
	story := storyIn(ev.Scenario, documentStories)
	if r.Document != nil {
		story = r.Document.Story
	}
	doc := ev.Document
	doc.MRZ = slices.Clone(doc.MRZ)
	return &reusedDocument{Document: doc, Holder: ev.Holder, Smiling: ev.Selfie.Smiling, Story: story}
}

// lendDevices is what evidence ev, made with r, lends to a check made on the same devices.
func lendDevices(ev Evidence, r reuse) *reusedDevices {
	story := storyIn(ev.Scenario, deviceStories)
	if r.Devices != nil {
		story = r.Devices.Story
	}
	return &reusedDevices{Properties: cloneDevices(ev.Report.Customer.Properties), Story: story}
}
