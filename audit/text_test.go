package audit

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hiveconsole/hiveconsole/database"
)

// hostile holds every kind of character the trail must not store: NUL, BEL, ESC (starting a terminal
// sequence), DEL, C1 CSI, the bidi override and isolate, a right-to-left mark, a line separator, a
// newline, a tab and a byte of invalid UTF-8.
const hostile = "a\x00b\ac\x1b[31md\x7fe\u009bf\u202eg\u2066h\u200fi\u2028j\nk\tl\xffm"

func TestCleanAuditText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain text is kept", "Customer called: ID card <expired> & renewed", "Customer called: ID card <expired> & renewed"},
		{"letters, emoji and joiners are kept", "Zoë 👩\u200d💻 \u200cفارسی", "Zoë 👩\u200d💻 \u200cفارسی"},
		{"controls and invalid bytes become U+FFFD, breaks a space", hostile,
			"a\uFFFDb\uFFFDc\uFFFD[31md\uFFFDe\uFFFDf\uFFFDg\uFFFDh\uFFFDi j k l\uFFFDm"},
		{"C1 next line and paragraph separator are breaks", "a\u0085b\u2029c\r\nd", "a b c  d"},
		{"every bidi control", "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069", strings.Repeat("\uFFFD", 12)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cleanAuditText(tt.in); got != tt.want {
				t.Errorf("cleanAuditText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestEscapeAuditText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"clean text is unchanged", `Zoë <a@example.com> C:\temp`, `Zoë <a@example.com> C:\temp`},
		{"every unsafe character shows as an escape", hostile,
			`a\x00b\ac\x1b[31md\x7fe\u009bf\u202eg\u2066h\u200fi\u2028j\nk\tl\xffm`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := EscapeText(tt.in)
			if got != tt.want {
				t.Errorf("EscapeText(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if strings.ContainsFunc(got, unsafeAuditRune) || !utf8.ValidString(got) {
				t.Errorf("EscapeText(%q) = %q still holds an unsafe character", tt.in, got)
			}
		})
	}
}

// TestRecordCleansEveryText records an event whose every free-text value, Details at any depth and
// in any Go type included, carries hostile characters, and reads back only cleaned text, sealed by
// the chain.
func TestRecordCleansEveryText(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		db := open(t)
		svc := New(db, newFakeClock().Now)
		mustRecordAudit(t, svc, Event{ActorID: "usr_" + hostile, ActorEmail: hostile + "@example.com", Action: "pii.reveal",
			TargetType: "customer", TargetID: hostile, ClientIP: hostile, RequestID: hostile, Outcome: OutcomeSuccess,
			Details: map[string]any{
				"reason":  hostile,
				"changes": map[string]map[string]string{"metadata." + hostile: {"before": hostile, "after": "ok"}},
				"list":    []string{hostile},
				"struct":  struct{ Note string }{hostile},
			}})
		rows, _, err := svc.Events(t.Context(), Query{})
		if err != nil || len(rows) != 1 {
			t.Fatalf("Events = %d rows, %v; want 1", len(rows), err)
		}
		r := rows[0]
		clean := cleanAuditText(hostile)
		for name, got := range map[string]string{"actor id": r.ActorID, "target id": r.TargetID, "client ip": r.ClientIP,
			"request id": r.RequestID, "reason": r.Details["reason"].(string)} {
			if !strings.HasSuffix(got, clean) {
				t.Errorf("%s = %q, want it to end in %q", name, got, clean)
			}
		}
		if want := clean + "@example.com"; r.ActorEmail != want {
			t.Errorf("actor email = %q, want %q", r.ActorEmail, want)
		}
		changes, _ := r.Details["changes"].(map[string]any)
		field, _ := changes["metadata."+clean].(map[string]any)
		if field["before"] != clean || field["after"] != "ok" {
			t.Errorf("changes = %v, want the key and the value cleaned", r.Details["changes"])
		}
		var stored string
		if err := db.SQL().QueryRowContext(t.Context(), `SELECT details FROM audit_events WHERE seq = 1`).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if strings.ContainsFunc(stored, unsafeAuditRune) || strings.Contains(stored, `\u00`) || strings.Contains(stored, `\u20`) {
			t.Errorf("stored details %q hold a control character, raw or escaped", stored)
		}
		if !strings.Contains(stored, `"list":["`+clean+`"]`) || !strings.Contains(stored, `"struct":{"Note":"`+clean+`"}`) {
			t.Errorf("stored details %q: want the list and the struct cleaned too", stored)
		}
		wantIntact(t, svc, 1)
	})
}

func TestAuditDetailsJSON(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]any
		want string
	}{
		{"HTML characters are not escaped", map[string]any{"q": "<a href='x'>&</a>"}, `{"q":"<a href='x'>&</a>"}`},
		{"keys that clean alike do not collide", map[string]any{"k\x01": "one", "k\x02": "two"}, "{\"k\uFFFD\":\"one\",\"k\uFFFD~2\":\"two\"}"},
		{"numbers keep their text", map[string]any{"n": 1.5, "big": int64(1) << 62}, `{"big":4611686018427387904,"n":1.5}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := auditDetailsJSON(tt.in)
			if err != nil || string(got) != tt.want {
				t.Errorf("auditDetailsJSON(%v) = %s, %v; want %s", tt.in, got, err, tt.want)
			}
			if n, err := DetailsSize(tt.in); err != nil || n != len(tt.want) {
				t.Errorf("DetailsSize = %d, %v; want %d", n, err, len(tt.want))
			}
			if !json.Valid(got) {
				t.Errorf("%s is not valid JSON", got)
			}
		})
	}
	if n, err := DetailsSize(map[string]any{"c": make(chan int)}); err == nil {
		t.Errorf("DetailsSize(channel) = %d, nil; want an error", n)
	}
}
