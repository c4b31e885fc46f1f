package views

import (
	"fmt"
	"strings"
	"time"
)

// SecondFactorModel is the sign-in's second step: the code.
type SecondFactorModel struct {
	CSRFToken string
	Error     string
	HasTOTP   bool   // the user has an authenticator app: ask for its code
	Passkey   bool   // the user has a passkey and can use it here: offer it
	PasskeyAt string // where the user's passkeys work, when not here; "" when here or nowhere
}

// SecurityModel is the account's Security page: the second factor, or setting it up.
type SecurityModel struct {
	Available bool // the console offers a second factor
	HasTOTP   bool
	CodesLeft int            // recovery codes not used yet
	Enrolment *TOTPEnrolment // a secret being set up
	Recovery  []string       // the recovery codes, shown once, right after setting up
	OffError  string         // why turning it off was refused
	Required  bool           // the user's role must have a second factor: it cannot be turned off
	Continue  string         // where "I have saved them" leads
	Passkeys  PasskeysModel
	Sessions  []WebSessionRow // the user's web sessions, most recently used first
	SignIns   []SignInRow     // their last sign-in events, newest first
	Now       time.Time
}

// PasskeysModel is the Security page's passkeys: the list, and adding one.
type PasskeysModel struct {
	Available bool   // the console offers passkeys at some address
	Here      bool   // and at the address this page was opened at
	Origin    string // that address, to link to when not here
	// CanAdd says the user signs in with the console's own credentials; when single sign-on is the
	// only way in for them, a passkey would go around it, and none is added.
	CanAdd bool
	List   []PasskeyRow
	Max    int // how many one account may have
}

// PasskeyRow is one passkey on the Security page.
type PasskeyRow struct {
	ID, Name        string
	Added, LastUsed time.Time // LastUsed zero: never
	Synced          bool      // copied to the user's devices by a password manager or keychain
}

// SetupModel is setting up a second factor right after the password, for a role that must have one.
type SetupModel struct {
	CSRFToken string
	Role      string
	Enrolment *TOTPEnrolment
}

// TOTPEnrolment is a secret being set up: the QR code and the secret as text, and the first code.
type TOTPEnrolment struct {
	Secret      string   // grouped by four for typing
	QR          [][]bool // dark modules
	Code, Error string
}

// qrQuiet is the blank margin around a QR code, in modules, that scanners need.
const qrQuiet = 4

// qrPath draws a QR code's dark modules as one SVG path of unit squares, offset by the quiet zone.
func qrPath(m [][]bool) string {
	var b strings.Builder
	for y, row := range m {
		for x, dark := range row {
			if dark {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+qrQuiet, y+qrQuiet)
			}
		}
	}
	return b.String()
}

// qrViewBox is the view box of a QR code with its quiet zone.
func qrViewBox(m [][]bool) string {
	n := len(m) + 2*qrQuiet
	return fmt.Sprintf("0 0 %d %d", n, n)
}

// continueTo is where the page after setting up leads: the destination, or the overview.
func continueTo(next string) string {
	if next == "" {
		return "/"
	}
	return next
}

// WebWebSessionRow is one of the user's web sessions on the Security page.
type WebSessionRow struct {
	Key, Device, Address string
	UserAgent            string
	Started, LastSeen    time.Time
	Current              bool
}

// SignInRow is one of the user's sign-in events on the Security page.
type SignInRow struct {
	Time                   time.Time
	What, Outcome, Address string
}

// Device names a browser from its User-Agent for people: "Firefox on Linux", "Safari on iOS". It
// reads the few words every browser sends; anything else is "Unknown browser". The whole string is
// shown on hover.
func Device(ua string) string {
	if ua == "" {
		return "Unknown browser"
	}
	browser := "Unknown browser"
	for _, b := range []struct{ token, name string }{{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"},
		{"HeadlessChrome/", "Headless Chrome"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"}, {"curl/", "curl"}} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	for _, o := range []struct{ token, name string }{{"iPhone", "iOS"}, {"iPad", "iPadOS"}, {"Android", "Android"},
		{"Windows", "Windows"}, {"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"}} {
		if strings.Contains(ua, o.token) {
			return browser + " on " + o.name
		}
	}
	return browser
}
