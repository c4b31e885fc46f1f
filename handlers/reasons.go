package handlers

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/views"
)

// reasons says, in a reviewer's words, why a check's report is not clear: one phrase per sub-check
// the report did not clear, without repeating a phrase, and without personal data (scores only).
func reasons(concerns []readmodel.Node) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range concerns {
		r := reason(n)
		if r != "" && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// reason is one sub-check's phrase: "Face similarity 8 %", "Date of birth differs".
func reason(n readmodel.Node) string {
	parts := strings.Split(n.Path, "/")
	if len(parts) < 2 {
		return ""
	}
	leaf := parts[len(parts)-1]
	group := strings.Join(parts[:len(parts)-1], "/")
	switch {
	case n.Path == "facial/face_comparison/similarity":
		return "Face similarity" + percent(n.Values["similarity"])
	case n.Path == "facial/visual_authenticity/liveness":
		return "Liveness" + percent(n.Values["liveness"])
	case n.Path == "document/data_validation/date_of_expiry":
		return "Document expired"
	case group == "document/data_consistency":
		return field(leaf) + " differs"
	case group == "document/data_validation":
		return field(leaf) + " invalid"
	case group == "document/document_visual_authenticity":
		return "Document " + strings.ToLower(field(leaf)) + " suspect"
	case group == "facial/face_comparison":
		return "Face " + strings.ToLower(field(leaf)) + " differs"
	case group == "facial/image_integrity":
		return "Selfie " + strings.ToLower(field(leaf)) + " poor"
	case group == "facial/visual_authenticity":
		return "Selfie " + strings.ToLower(field(leaf)) + " suspect"
	case group == "customer/ip":
		return map[string]string{"tor": "IP is Tor", "vpn": "IP is a VPN", "web_proxy": "IP is a web proxy",
			"public_proxy": "IP is a public proxy", "spam_blacklist": "IP on a spam blacklist"}[leaf]
	case n.Path == "customer/device_fingerprint/fingerprint_authenticity":
		return "Device fingerprint not authentic"
	case n.Path == "customer/device_fingerprint/fingerprint_attempted_fraud":
		return "Device seen in attempted fraud"
	}
	return field(parts[0]) + ": " + strings.ToLower(field(leaf))
}

// field names a report's field in words: "date_of_birth" is "Date of birth", "mrz" is "MRZ".
func field(name string) string {
	switch name {
	case "mrz":
		return "MRZ"
	case "":
		return ""
	}
	words := strings.ReplaceAll(name, "_", " ")
	return strings.ToUpper(words[:1]) + words[1:]
}

// percent writes a score the report gives from 0 to 1 (or already in percent) as " 8 %"; "" when
// there is none.
func percent(v string) string {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		return ""
	}
	if f <= 1 {
		f *= 100
	}
	return fmt.Sprintf(" %.0f %%", f)
}

// whyNotClear is the report page's list of what the report did not clear: each sub-check in words,
// with the values involved where the viewer may see them ("Date of birth differs: document 8 Jul
// 1995, record 8 Jul 1997"), linking to its section.
func whyNotClear(ch *hive.Check, rep *hive.Report, m views.ReportModel) []views.WhyItem {
	sections := map[string]string{"document": "#section-document", "facial": "#section-face", "customer": "#section-device"}
	var out []views.WhyItem
	seen := map[string]bool{}
	for _, n := range readmodel.Summarise(ch, rep).Concerns {
		text := reason(n)
		if text == "" || seen[text] {
			continue
		}
		seen[text] = true
		item := views.WhyItem{Text: text, Href: sections[strings.SplitN(n.Path, "/", 2)[0]], Status: views.Status(n.Status).Normalized()}
		parts := strings.Split(n.Path, "/")
		leaf := parts[len(parts)-1]
		switch {
		case strings.HasPrefix(n.Path, "document/data_consistency/"):
			for _, row := range m.Comparison {
				if !strings.EqualFold(row.Field, field(leaf)) {
					continue
				}
				switch {
				case row.Hidden:
					item.Detail = "values masked for your role"
				case row.OnRecord:
					item.Detail = "document " + cmp.Or(row.Document, "—") + ", record " + cmp.Or(row.Record, "—")
				default:
					item.Detail = "document " + cmp.Or(row.Document, "—") + ", nothing on the record"
				}
			}
		case n.Path == "document/data_validation/date_of_expiry" && rep.Document != nil && rep.Document.Properties.DateOfExpiry != "":
			item.Detail = "expiry date " + rep.Document.Properties.DateOfExpiry
		}
		out = append(out, item)
	}
	return out
}
