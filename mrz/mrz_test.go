package mrz

import (
	"slices"
	"testing"
)

func TestCheckDigit(t *testing.T) {
	tests := []struct {
		in   string
		want byte
	}{
		{"L898902C3", '6'},
		{"740812", '2'},
		{"120415", '9'},
		{"ZE184226B<<<<<", '1'},
		{"D23145890", '7'},
		{"AS1234567", '2'},
		{"520727", '3'},
		{"", '0'},
		{"<<<<<<", '0'},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := CheckDigit(tt.in); got != tt.want {
				t.Errorf("CheckDigit(%q): got %c, want %c", tt.in, got, tt.want)
			}
		})
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"A^B^C", []string{"A", "B", "C"}},
		{"A\r\nB\n\n", []string{"A", "B"}},
		{" A ^ B ", []string{"A", "B"}},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Split(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestJoinSplitsBack(t *testing.T) {
	joined := Join(specimenTD1)
	if want := specimenTD1[0] + "^" + specimenTD1[1] + "^" + specimenTD1[2]; joined != want {
		t.Errorf("Join: got %q, want %q", joined, want)
	}
	if got := Split(joined); !slices.Equal(got, specimenTD1) {
		t.Errorf("Split(Join(lines)): got %q, want %q", got, specimenTD1)
	}
}
