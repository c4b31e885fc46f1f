package auth

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// TestSessionsOf: a user's sessions list their browser and address (behind a trusted proxy, the
// client's), the asking one marked; a user ends one of their own, never someone else's; timed-out
// sessions are not listed.
func TestSessionsOf(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, open func(testing.TB) *sqlStore) {
		svc, _, clock := newTestEnvOn(t, open, func(c *Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")} })
		ann := mustCreateUser(t, svc, "ann@example.com", RoleReviewer)
		bob := mustCreateUser(t, svc, "bob@example.com", RoleReviewer)
		signInFrom := func(u User, ua, remote, forwarded string) string {
			t.Helper()
			r := httptest.NewRequest(http.MethodPost, "/login", nil)
			r.RemoteAddr, r.Header["User-Agent"] = remote, []string{ua}
			if forwarded != "" {
				r.Header.Set("X-Forwarded-For", forwarded)
			}
			ws, err := svc.Sessions().Login(httptest.NewRecorder(), r, u)
			if err != nil {
				t.Fatal(err)
			}
			return ws.Session.ID
		}
		laptop := signInFrom(ann, "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", "10.0.0.2:4000", "203.0.113.9")
		clock.Advance(time.Minute)
		phone := signInFrom(ann, "Mozilla/5.0 (iPhone) Safari/604.1\x07"+strings.Repeat("x", 400), "198.51.100.4:5000", "")
		bobs := signInFrom(bob, "curl/8", "198.51.100.5:5000", "")
		list, err := svc.SessionsOf(t.Context(), ann.ID, laptop)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Key != phone || list[1].Key != laptop || !list[1].Current || list[0].Current {
			t.Fatalf("ann's sessions: %+v", list)
		}
		if list[1].ClientIP != "203.0.113.9" || list[0].ClientIP != "198.51.100.4" {
			t.Errorf("addresses %q %q, want the forwarded client behind the proxy and the peer", list[1].ClientIP, list[0].ClientIP)
		}
		if ua := list[0].UserAgent; len([]rune(ua)) != maxUserAgent || strings.ContainsRune(ua, '\x07') {
			t.Errorf("a long User-Agent with a control character kept as %d characters: %q", len([]rune(ua)), ua[:40])
		}
		if ended, err := svc.EndSession(t.Context(), ann.ID, bobs); err != nil || ended {
			t.Errorf("ann ended bob's session: %v %v", ended, err)
		}
		if ended, err := svc.EndSession(t.Context(), ann.ID, "not-a-key"); err != nil || ended {
			t.Errorf("a malformed key: %v %v", ended, err)
		}
		if ended, err := svc.EndSession(t.Context(), ann.ID, phone); err != nil || !ended {
			t.Fatalf("ann ending her phone's session: %v %v", ended, err)
		}
		if list, _ := svc.SessionsOf(t.Context(), bob.ID, ""); len(list) != 1 {
			t.Errorf("bob's sessions after ann ended hers: %+v", list)
		}
		clock.Advance(31 * time.Minute) // past the idle timeout
		if list, _ := svc.SessionsOf(t.Context(), ann.ID, laptop); len(list) != 0 {
			t.Errorf("an idle session is listed: %+v", list)
		}
	})
}
