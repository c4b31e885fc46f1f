package auth

import (
	"net/http"
	"net/netip"
	"testing"
)

func TestClientIP(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	tests := []struct {
		name   string
		remote string
		xff    []string
		want   string
	}{
		{"no proxy", "203.0.113.9:5000", nil, "203.0.113.9"},
		{"untrusted peer, spoofed header", "203.0.113.9:5000", []string{"198.51.100.1"}, "203.0.113.9"},
		{"untrusted peer, spoofed chain of trusted hops", "203.0.113.9:5000", []string{"10.0.0.5, 10.0.0.6"}, "203.0.113.9"},
		{"trusted proxy", "10.0.0.2:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"trusted proxy, client-forged entries in front", "10.0.0.2:443", []string{"1.2.3.4, 5.6.7.8, 198.51.100.1"}, "198.51.100.1"},
		{"two trusted proxies", "10.0.0.2:443", []string{"198.51.100.1, 10.0.0.3"}, "198.51.100.1"},
		{"forged entry posing as a trusted hop", "10.0.0.2:443", []string{"10.9.9.9, 198.51.100.1"}, "198.51.100.1"},
		{"several header lines", "10.0.0.2:443", []string{"1.2.3.4", "198.51.100.1, 10.0.0.3"}, "198.51.100.1"},
		{"trusted proxy, no header", "10.0.0.2:443", nil, "10.0.0.2"},
		{"every hop trusted", "10.0.0.2:443", []string{"10.0.0.7, 10.0.0.3"}, "10.0.0.7"},
		{"malformed entry stops the walk", "10.0.0.2:443", []string{"198.51.100.1, garbage, 10.0.0.3"}, "10.0.0.3"},
		{"entry with a port", "10.0.0.2:443", []string{"198.51.100.1:1234"}, "198.51.100.1"},
		{"IPv6 peer", "[2001:db8::5]:443", []string{"198.51.100.1"}, "2001:db8::5"},
		{"IPv6 trusted proxy", "[fd00::1]:443", []string{"2001:db8::9"}, "2001:db8::9"},
		{"IPv4-mapped peer is unmapped", "[::ffff:10.0.0.2]:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"unparseable remote address", "nonsense", []string{"198.51.100.1"}, "invalid IP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &http.Request{RemoteAddr: tt.remote, Header: http.Header{}}
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := ClientIP(r, trusted).String(); got != tt.want {
				t.Errorf("ClientIP = %s, want %s", got, tt.want)
			}
		})
	}
	// With no trusted proxies configured the header never matters.
	r := &http.Request{RemoteAddr: "10.0.0.2:443", Header: http.Header{"X-Forwarded-For": {"198.51.100.1"}}}
	if got := ClientIP(r, nil).String(); got != "10.0.0.2" {
		t.Errorf("ClientIP with no trusted proxies = %s, want 10.0.0.2", got)
	}
}
