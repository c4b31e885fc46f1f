package webhooks

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"

	"github.com/hiveconsole/hiveconsole/hive"
)

// Allow is where the console may send webhooks (HIVECONSOLE_WEBHOOK_ALLOW): host names, and IP
// addresses or networks. An endpoint's host must be a listed name, or an address within a listed
// network. When dialling, a listed network's addresses are allowed whatever they are (receivers are
// often internal); any other address only when it is public, so a listed name that resolves to a
// private or metadata address is refused.
type Allow struct {
	names    map[string]bool
	prefixes []netip.Prefix
}

// ParseAllow reads the setting: entries separated by commas, each a host name, an IP address or a
// network in CIDR form. For example "hooks.example.com,10.20.0.0/16,127.0.0.1".
func ParseAllow(s string) (Allow, error) {
	a := Allow{names: map[string]bool{}}
	for _, e := range strings.Split(s, ",") {
		e = strings.ToLower(strings.TrimSpace(e))
		switch {
		case e == "":
		case strings.Contains(e, "/"):
			p, err := netip.ParsePrefix(e)
			if err != nil {
				return Allow{}, fmt.Errorf("%q: not a network such as 10.0.0.0/8", e)
			}
			a.prefixes = append(a.prefixes, p.Masked())
		default:
			if ip, err := netip.ParseAddr(e); err == nil {
				a.prefixes = append(a.prefixes, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
				continue
			}
			if strings.ContainsAny(e, ":@ ") {
				return Allow{}, fmt.Errorf("%q: give a host name without scheme or port, an address or a network", e)
			}
			a.names[e] = true
		}
	}
	return a, nil
}

// Empty reports whether nothing is allowed.
func (a Allow) Empty() bool { return len(a.names) == 0 && len(a.prefixes) == 0 }

// String writes the list as the setting takes it.
func (a Allow) String() string {
	var out []string
	for n := range a.names {
		out = append(out, n)
	}
	for _, p := range a.prefixes {
		out = append(out, p.String())
	}
	return strings.Join(out, ",")
}

func (a Allow) listed(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range a.prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// CheckURL says why the console may not send to raw, or nil: an http or https URL without user
// information, whose host the list allows.
func (a Allow) CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("give an http or https URL, such as https://hooks.example.com/hive")
	}
	if u.User != nil {
		return fmt.Errorf("the URL must not carry a user name or password")
	}
	if len(raw) > 2000 {
		return fmt.Errorf("the URL is longer than 2000 characters")
	}
	host := strings.ToLower(u.Hostname())
	if ip, err := netip.ParseAddr(host); err == nil {
		if a.listed(ip) {
			return nil
		}
		return fmt.Errorf("%s is not in HIVECONSOLE_WEBHOOK_ALLOW", host)
	}
	if a.names[host] {
		return nil
	}
	return fmt.Errorf("%s is not in HIVECONSOLE_WEBHOOK_ALLOW", host)
}

// control refuses, at connect time, an address neither listed nor public: it sees the address
// actually dialled, after DNS.
func (a Allow) control(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("dial %s: not an IP address", address)
	}
	if a.listed(ip) || hive.PublicIP(net.IP(ip.Unmap().AsSlice())) {
		return nil
	}
	return fmt.Errorf("dial %s: a non-public address not in HIVECONSOLE_WEBHOOK_ALLOW", address)
}
