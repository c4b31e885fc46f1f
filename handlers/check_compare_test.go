package handlers

import (
	"testing"

	"github.com/hiveconsole/hiveconsole/internal/fold"
)

// TestSameName: a name on a document and the same name on the customer record compare equal
// however each is cased, accented or punctuated; different names never do.
func TestSameName(t *testing.T) {
	tests := []struct {
		doc, record string
		want        bool
	}{
		{"JOGI", "Jõgi", true},
		{"MULLER", "Müller", true},
		{"MULLER", "Mu\u0308ller", true}, // the record in decomposed form
		{"LUKASZ", "Łukasz", true},
		{"OVERGARD", "Øvergård", true},
		{"DORDEVIC", "Đorđević", true},
		{"HALIMA", "Ħalima", true},
		{"YILMAZ", "Yılmaz", true},
		{"IPEK", "İpek", true},
		{"STRASSE", "Straße", true},
		{"STRASSE", "STRAẞE", true},
		{"O BRIEN", "O'Brien", true},
		{"O BRIEN", "O’Brien", true},
		{"ANNE MARIE", "Anne-Marie", true},
		{"ANNE MARIE", "Anne–Marie", true},
		{"ERIKSSON<<ANNA", "Eriksson Anna", true},
		{" ANNE  MARIE ", "Anne Marie", true},
		{"", "", true},
		{"JOGI", "Jõgiste", false},
		{"ANNA", "Anne", false},
		{"SMITH", "Smyth", false},
		{"LUKASZ", "Lucas", false},
		{"STRASE", "Straße", false},
		{"ANNEMARIE", "Anne-Marie", false},
		{"MULLER", "Müller-Lüdenscheidt", false},
		{"OVERGARD", "", false},
		{"JOGI\xff", "Jõgi", false}, // invalid UTF-8 is compared, not dropped
	}
	for _, tt := range tests {
		t.Run(tt.doc+"/"+tt.record, func(t *testing.T) {
			if got := sameName(tt.doc, tt.record); got != tt.want {
				t.Errorf("sameName(%q, %q): got %v, want %v (folded %q and %q)",
					tt.doc, tt.record, got, tt.want, fold.String(tt.doc), fold.String(tt.record))
			}
		})
	}
}

// TestSameGender: genders compare by their initial, whatever the case or spelling, and a missing
// one never matches.
func TestSameGender(t *testing.T) {
	tests := []struct {
		doc, record string
		want        bool
	}{
		{"M", "male", true},
		{"F", "Female", true},
		{"f", "F", true},
		{"M", "female", false},
		{"", "male", false},
		{"M", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.doc+"/"+tt.record, func(t *testing.T) {
			if got := sameGender(tt.doc, tt.record); got != tt.want {
				t.Errorf("sameGender(%q, %q): got %v, want %v", tt.doc, tt.record, got, tt.want)
			}
		})
	}
}
