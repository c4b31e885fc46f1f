package views

// Page is what the layout needs on every page.
type Page struct {
	Title       string
	Nonce       string // the CSP nonce of this response
	CSRFToken   string // sent by forms (csrf_token) and by Datastar (meta tag → X-CSRF-Token)
	Assets      Assets
	User        *User // nil when signed out
	Nav         []NavItem
	Environment Environment
	Flashes     []Flash
	RequestID   string
	URL         string // the page's own address, when it answers a form's POST (see behaviours.js)
}

// Assets are the content-hashed URLs of the static files.
type Assets struct {
	CSS, JS, Icons, Favicon string
}

// Icon is the URL of one icon of the sprite.
func (a Assets) Icon(name string) string { return a.Icons + "#i-" + name }

// User is the signed-in staff member.
type User struct {
	Name, Email, Role string
}

// Initials are the avatar's letters.
func (u User) Initials() string {
	var out []rune
	prev := ' '
	for _, r := range u.Name {
		if prev == ' ' && r != ' ' && len(out) < 2 {
			out = append(out, r)
		}
		prev = r
	}
	if len(out) == 0 && u.Email != "" {
		out = []rune(u.Email)[:1]
	}
	return string(out)
}

// NavItem is one entry of the main navigation; the handlers include only what the user may see.
type NavItem struct {
	Label, Href, Icon string
	Current           bool
	Count             int // shown beside the label when not zero: unread notes in the inbox
}

// Environment tells staff whether they are looking at real customers.
type Environment struct {
	Sandbox bool
	Label   string // "SANDBOX", or the Hive host for the live API
}

// Flash is a one-time message shown at the top of the next page.
type Flash struct {
	Kind    string // info, success, warning, error
	Title   string
	Message string
}
