package views

import "testing"

func TestSignInDelaySummary(t *testing.T) {
	tests := []struct {
		d    SignInDelay
		want string
	}{
		{SignInDelay{Failures: 1, Addresses: 1}, "1 failed attempt from 1 address"},
		{SignInDelay{Failures: 12, Addresses: 3}, "12 failed attempts from 3 addresses"},
		{SignInDelay{Failures: 2}, "2 failed attempts"}, // all on the change-password form
	}
	for _, tt := range tests {
		if got := tt.d.Summary(); got != tt.want {
			t.Errorf("Summary(%+v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
