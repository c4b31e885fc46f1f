package handlers

import (
	"slices"
	"testing"

	"github.com/hiveconsole/hiveconsole/readmodel"
)

// TestReasons: each sub-check a report did not clear reads as a reviewer would say it, scores as
// percentages, and a phrase is said once.
func TestReasons(t *testing.T) {
	got := reasons([]readmodel.Node{
		{Path: "facial/face_comparison/similarity", Status: "consider", Values: map[string]string{"similarity": "0.08", "liveness": "0.99"}},
		{Path: "document/data_consistency/date_of_birth", Status: "caution"},
		{Path: "document/data_validation/date_of_expiry", Status: "caution"},
		{Path: "document/data_validation/mrz", Status: "consider"},
		{Path: "document/document_visual_authenticity/security_features", Status: "consider"},
		{Path: "facial/visual_authenticity/liveness", Status: "consider", Values: map[string]string{"liveness": "41"}},
		{Path: "facial/image_integrity/sharpness", Status: "caution"},
		{Path: "customer/ip/spam_blacklist", Status: "caution"},
		{Path: "customer/device_fingerprint/fingerprint_attempted_fraud", Status: "consider"},
		{Path: "customer/ip/spam_blacklist", Status: "caution"},
		{Path: "facial/face_comparison/similarity", Status: "consider"},
		{Path: "other/new_check/some_thing", Status: "caution"},
	})
	want := []string{"Face similarity 8 %", "Date of birth differs", "Document expired", "MRZ invalid",
		"Document security features suspect", "Liveness 41 %", "Selfie sharpness poor", "IP on a spam blacklist",
		"Device seen in attempted fraud", "Face similarity", "Other: some thing"}
	if !slices.Equal(got, want) {
		t.Errorf("reasons:\n got %q\nwant %q", got, want)
	}
}

// TestQueueHolds: the queue's page says what the configured rule puts in it.
func TestQueueHolds(t *testing.T) {
	for rule, want := range map[*readmodel.QueueRule]string{
		{}: "Checks whose report says caution or consider that wait for a final decision",
		{Results: []string{"consider"}, SampleClear: 5}:                                "Checks whose report says consider, and 5 % of those Hive cleared, that wait for a final decision",
		{Results: []string{"clear", "caution", "consider", "unknown"}, SampleClear: 5}: "Checks whose report says clear, caution or consider, or whose report is not read yet that wait for a final decision",
	} {
		if got := queueHolds(*rule); got != want {
			t.Errorf("%+v:\n got %q\nwant %q", *rule, got, want)
		}
	}
}
