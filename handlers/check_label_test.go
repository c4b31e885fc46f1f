package handlers

import "testing"

// TestCheckLabel: a name Hive sends that the console has no label for reads as words with a capital,
// whatever its first letter.
func TestCheckLabel(t *testing.T) {
	tests := []struct{ name, want string }{
		{"new_sub_check", "New sub check"},
		{"ébauche_check", "Ébauche check"},
		{"ñandú", "Ñandú"},
		{"日本", "日本"},
		{"_", "_"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := checkLabel(tc.name); got != tc.want {
			t.Errorf("checkLabel(%q): got %q, want %q", tc.name, got, tc.want)
		}
	}
}
