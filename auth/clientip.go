package auth

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientIP returns the address of the client that sent r, for throttling and the audit trail.
//
// X-Forwarded-For is believed only as far as a chain of trusted proxies vouches for it: when the direct
// peer is in trusted, the header is walked from the right (the entry the nearest proxy appended)
// leftwards, skipping trusted hops, and the first untrusted address is the client. Entries further left
// were written by the client itself and are ignored, so a spoofed header from an untrusted peer, or
// spoofed entries in front of a real proxy's, change nothing. A malformed entry stops the walk at the
// last trusted hop. An invalid netip.Addr means r.RemoteAddr could not be parsed.
func ClientIP(r *http.Request, trusted []netip.Prefix) netip.Addr {
	peer := parseHost(r.RemoteAddr)
	if !peer.IsValid() || !inAny(peer, trusted) {
		return peer
	}
	hops := forwardedFor(r.Header)
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		hop := parseHost(hops[i])
		if !hop.IsValid() {
			return client
		}
		if !inAny(hop, trusted) {
			return hop
		}
		client = hop
	}
	return client
}

// forwardedFor splits every X-Forwarded-For line, in order: proxies may add a line instead of
// appending to the last one, and HTTP says the two are equivalent.
func forwardedFor(h http.Header) []string {
	var hops []string
	for _, line := range h.Values("X-Forwarded-For") {
		for hop := range strings.SplitSeq(line, ",") {
			hops = append(hops, strings.TrimSpace(hop))
		}
	}
	return hops
}

// parseHost reads "addr", "addr:port" or "[v6]:port", dropping any zone and unmapping IPv4-in-IPv6,
// so one client always has one form.
func parseHost(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone("")
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap().WithZone("")
}

func inAny(a netip.Addr, prefixes []netip.Prefix) bool {
	for _, p := range prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
