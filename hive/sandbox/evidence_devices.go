package sandbox

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/hiveconsole/hiveconsole/hive"
)

// screen is a display as a browser reports it: CSS pixels and the device pixel ratio.
type screen struct {
	resolution string
	ratio      float64
}

// deviceProfile is a browser on a device, as Hive's fingerprinting names it.
type deviceProfile struct {
	platform, os, browser, version, userAgent string
	screens                                   []screen
	colorDepth                                int
	lowerLanguage                             bool // iOS Safari reports "de-de", not "de-DE"
}

// mobileProfiles are the phones a customer finishes the flow on.
var mobileProfiles = []deviceProfile{
	{"iPhone", "iOS", "MOBILE_SAFARI", "17.5",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
		[]screen{{"844x390", 3}, {"852x393", 3}, {"932x430", 3}}, 32, true},
	{"iPhone", "iOS", "MOBILE_SAFARI", "16.6",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
		[]screen{{"896x414", 2}, {"844x390", 3}}, 32, true},
	{"Linux armv81", "Android", "CHROME_MOBILE", "125.0.6422.165",
		"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Mobile Safari/537.36",
		[]screen{{"915x412", 2.625}, {"851x393", 2.75}}, 24, false},
	{"Linux aarch64", "Android", "SAMSUNG_BROWSER", "25.0",
		"Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
		[]screen{{"780x360", 3}}, 24, false},
}

// desktopProfiles are the computers a customer starts the flow on.
var desktopProfiles = []deviceProfile{
	{"MacIntel", "MacOS", "CHROME", "125.0.6422.142",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
		[]screen{{"1512x982", 2}, {"1728x1117", 2}, {"1440x900", 2}}, 30, false},
	{"MacIntel", "MacOS", "SAFARI", "17.5",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
		[]screen{{"1512x982", 2}, {"1470x956", 2}}, 30, false},
	{"Win32", "Windows", "CHROME", "125.0.6422.142",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
		[]screen{{"1920x1080", 1}, {"1536x864", 1.25}, {"2560x1440", 1}}, 24, false},
	{"Win32", "Windows", "EDGE", "125.0.2535.67",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.2535.67",
		[]screen{{"1920x1080", 1}, {"1280x720", 1.5}}, 24, false},
	{"Win32", "Windows", "FIREFOX", "126.0",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0",
		[]screen{{"1920x1080", 1}, {"1366x768", 1}}, 24, false},
	{"Linux x86_64", "Linux", "FIREFOX", "126.0",
		"Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0",
		[]screen{{"1920x1080", 1}, {"2560x1440", 1}}, 24, false},
}

// vpnExit is where a VPN or Tor exit geolocates: hosting hubs, not homes.
type vpnExit struct {
	alpha2   string
	lat, lon float64
}

var vpnExits = []vpnExit{
	{"NL", 52.37403, 4.88969}, {"SE", 59.33258, 18.06490}, {"CH", 47.37689, 8.54169},
	{"RO", 44.43225, 26.10626}, {"US", 39.04372, -77.48749}, {"DE", 50.11552, 8.68417},
}

// network is where the customer's traffic came from.
type network struct {
	ip, country, kind string
	lat, lon          float64
}

// The address ranges the sandbox uses are reserved, so no generated report ever names a real
// person's address: the benchmarking block 198.18.0.0/15 stands for home broadband, the IPv6
// documentation prefix 2001:db8::/32 for mobile carriers and the documentation block 198.51.100.0/24
// for hosting providers (VPN and Tor exits). The first two are large enough that two customers share
// an address only when the sandbox means them to (a device farm): the console links customers by it.
func homeNetwork(rng *rand.Rand, c country) network {
	n := 1 + rng.IntN(1<<17-2) // one draw, so the rest of the evidence is what it was with a /24
	return network{
		ip: fmt.Sprintf("198.%d.%d.%d", 18+n>>16, n>>8&0xff, n&0xff), country: c.Alpha2, kind: "ISP",
		lat: round(c.Lat+between(rng, -0.05, 0.05), 5), lon: round(c.Lon+between(rng, -0.05, 0.05), 5),
	}
}

// customerProperties describe the session's two devices: a computer where the flow began and the
// phone that took the pictures, on the same home network or the phone on its carrier's.
func customerProperties(rng *rand.Rand, c country, sc Scenario) hive.CustomerProperties {
	home := homeNetwork(rng, c)
	phone := home
	if rng.IntN(100) < 40 {
		n := rng.IntN(1 << 31)
		phone.ip, phone.kind = fmt.Sprintf("2001:db8:%x:%x::1", n>>16, n&0xffff), "MOB"
	} else {
		home.kind, phone.kind = "ISP/MOB", "ISP/MOB"
	}
	fraud, proxy := rng.IntN(10), 0
	if sc == ScenarioVPNTor {
		exit := pickExit(rng, c.Alpha2)
		home = network{fmt.Sprintf("198.51.100.%d", 2+rng.IntN(252)), exit.alpha2, "DCH", exit.lat, exit.lon}
		phone = home
		fraud, proxy = 88+rng.IntN(13), 95+rng.IntN(6)
	}
	desktop := newDevice(rng, pick(rng, desktopProfiles), c, home, fraud, proxy)
	mobile := newDevice(rng, pick(rng, mobileProfiles), c, phone, fraud, proxy)
	return hive.CustomerProperties{Email: hive.RawObject{}, Phone: hive.RawObject{}, Mobile: &mobile, Desktop: &desktop}
}

func pickExit(rng *rand.Rand, home string) vpnExit {
	for {
		if e := pick(rng, vpnExits); e.alpha2 != home {
			return e
		}
	}
}

func newDevice(rng *rand.Rand, p deviceProfile, c country, n network, fraud, proxy int) hive.Device {
	lang := c.Locale
	if p.lowerLanguage {
		lang = strings.ToLower(lang)
	}
	s := pick(rng, p.screens)
	return hive.Device{
		FraudScore:       fraud,
		ProxyScore:       proxy,
		DeviceHash:       fmt.Sprintf("%016x%016x", rng.Uint64(), rng.Uint64()),
		Platform:         p.platform,
		OS:               p.os,
		UserAgent:        p.userAgent,
		Browser:          p.browser,
		BrowserVersion:   p.version,
		RegionLanguage:   lang,
		RegionTimezone:   c.UTCOffset,
		ScreenResolution: s.resolution,
		ScreenColorDepth: p.colorDepth,
		ScreenPixelRatio: s.ratio,
		IP:               n.ip,
		Country:          n.country,
		Type:             n.kind,
		Latitude:         n.lat,
		Longitude:        n.lon,
	}
}
