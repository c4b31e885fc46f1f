package fold

import "testing"

// TestASCIIFastPathAgrees: plain ASCII text folds the same way with or without the shortcut.
func TestASCIIFastPathAgrees(t *testing.T) {
	for _, s := range []string{"", "Anne-Marie O'Brien", "JOGI<<MARI", "x@Example-1.COM", "a_b%c\"d", "\x00\x7f tab\there"} {
		if got, want := String(s), full(s); got != want {
			t.Errorf("String(%q) = %q, the full chain says %q", s, got, want)
		}
	}
}

func full(s string) string { return String(s + "é")[:len(String(s+"é"))-1] }
