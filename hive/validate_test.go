package hive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// absent, as a value in a change, removes the key.
const absent = "\x00absent"

// change is one way to spoil a valid object: set key to value, or remove it.
type change struct {
	key   string
	value any
	field string // the field the client must name, e.g. "id"
}

// spoil returns the object obj with one change applied.
func spoil(t *testing.T, obj string, c change) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(obj), &m); err != nil {
		t.Fatal(err)
	}
	if c.value == absent {
		delete(m, c.key)
	} else {
		m[c.key] = c.value
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Hostile values: if one shows up in a log line, the client logged a value instead of a reason.
const (
	hostileID    = "<script>alert(1)</script>"
	traversalID  = "../../admin"
	victimEmail  = "victim@example.com"
	yearTenThous = 253402300800 // 10000-01-01
)

// resourceCase is one resource: its list call, its valid object and the ways to spoil it.
type resourceCase struct {
	name    string
	op      string
	valid   string
	list    func(*Client) (int, error) // calls the list method, returns len(Data) and checks Total
	changes []change
}

func resourceCases() []resourceCase {
	ctx := context.Background()
	count := func(n, total int, err error) (int, error) {
		if err == nil && n != total {
			return n, fmt.Errorf("meta.total %d, want len(data) %d", total, n)
		}
		return n, err
	}
	timestamps := func(fields ...string) []change {
		var out []change
		for _, f := range fields {
			out = append(out,
				change{f, absent, f}, change{f, nil, f}, change{f, 0, f}, change{f, 946684799, f},
				change{f, yearTenThous, f}, change{f, 1e15, f}, change{f, "yesterday", "timestamp"})
		}
		return out
	}
	ids := func(fields ...string) []change {
		var out []change
		for _, f := range fields {
			out = append(out, change{f, "abc", f}, change{f, "", f}, change{f, hostileID, f}, change{f, traversalID, f},
				change{f, 42, f}, change{f, strings.Repeat("é", 36), f})
		}
		return out
	}
	customer := strings.Replace(customerJSON, "john@hive.id", victimEmail, 1)
	return []resourceCase{
		{"customers", "GET /customers", customer, func(c *Client) (int, error) {
			l, err := c.ListCustomers(ctx)
			if err != nil {
				return 0, err
			}
			return count(len(l.Data), l.Meta.Total, err)
		}, append(append(ids("id"), timestamps("created_at", "updated_at")...),
			change{"id", absent, "id"}, change{"metadata", map[string]any{"a": map[string]any{}}, "metadata"},
			change{"first_name", 7, "first_name"})},
		{"sessions", "GET /sessions", sessionJSON, func(c *Client) (int, error) {
			l, err := c.ListSessions(ctx)
			if err != nil {
				return 0, err
			}
			return count(len(l.Data), l.Meta.Total, err)
		}, append(append(ids("id", "customer", "check_id"), timestamps("expires_at", "created_at", "updated_at")...),
			change{"status", "hijacked", "status"}, change{"status", "", "status"}, change{"status", absent, "status"},
			change{"status", "Completed", "status"})},
		{"checks", "GET /checks", checkJSON, func(c *Client) (int, error) {
			l, err := c.ListChecks(ctx)
			if err != nil {
				return 0, err
			}
			return count(len(l.Data), l.Meta.Total, err)
		}, append(append(ids("id", "session_id", "report"), timestamps("created_at", "updated_at")...),
			change{"status", "exploded", "status"}, change{"status", nil, "status"},
			change{"decision", "maybe", "decision"}, change{"decision", "", "decision"})},
		{"files", "GET /files", objectJSON("/files"), func(c *Client) (int, error) {
			l, err := c.ListFiles(ctx)
			if err != nil {
				return 0, err
			}
			return count(len(l.Data), l.Meta.Total, err)
		}, append(append(ids("id", "check"), timestamps("created_at")...), change{"url", 5, "url"})},
	}
}

// observedClient is a client of f whose warnings and invalid-item counts the test can read.
type observedClient struct {
	*Client
	logs    *bytes.Buffer
	mu      sync.Mutex
	invalid map[string]int
}

func newObservedClient(t *testing.T, f *fakeHive) *observedClient {
	t.Helper()
	o := &observedClient{logs: &bytes.Buffer{}, invalid: map[string]int{}}
	o.Client = newTestClient(t, f, func(cfg *Config) {
		cfg.Logger = slog.New(slog.NewTextHandler(o.logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
		cfg.InvalidItem = func(op string) { o.mu.Lock(); o.invalid[op]++; o.mu.Unlock() }
	})
	return o
}

func (o *observedClient) counted(op string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.invalid[op]
}

// warnings returns the warning lines logged.
func (o *observedClient) warnings() []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(o.logs.String()), "\n") {
		if strings.Contains(l, "level=WARN") {
			out = append(out, l)
		}
	}
	return out
}

// TestListsSkipInvalidItems: a list with an invalid item among valid ones returns the valid ones,
// with a total that counts them, and reports the invalid one: one warning naming the operation,
// the item's index, the field and the reason — never the value — and one count.
func TestListsSkipInvalidItems(t *testing.T) {
	for _, rc := range resourceCases() {
		for _, ch := range rc.changes {
			t.Run(fmt.Sprintf("%s %s=%v", rc.name, ch.key, ch.value), func(t *testing.T) {
				bad := spoil(t, rc.valid, ch)
				body := `{"data":[` + rc.valid + `,` + bad + `,` + rc.valid + `],"meta":{"total":3}}`
				f := newFakeHive(t, "")
				f.handle = func(w http.ResponseWriter, _ *http.Request, _ recorded) { writeJSON(w, 200, body) }
				c := newObservedClient(t, f)
				n, err := rc.list(c.Client)
				if err != nil || n != 2 {
					t.Fatalf("got %d items, %v; want the 2 valid ones", n, err)
				}
				if got := c.counted(rc.op); got != 1 {
					t.Errorf("InvalidItem(%q): got %d calls, want 1", rc.op, got)
				}
				warn := c.warnings()
				if len(warn) != 1 {
					t.Fatalf("got %d warnings, want 1:\n%s", len(warn), c.logs)
				}
				for _, want := range []string{`op="` + rc.op + `"`, "index=1", "field=" + ch.field + " "} {
					if !strings.Contains(warn[0], want) {
						t.Errorf("warning %q lacks %s", warn[0], want)
					}
				}
				if s, ok := ch.value.(string); ok && len(s) > 2 && strings.Contains(c.logs.String(), s) {
					t.Errorf("the log holds the value %q: %s", s, c.logs)
				}
				if strings.Contains(c.logs.String(), "victim") {
					t.Errorf("the log holds the customer's email: %s", c.logs)
				}
			})
		}
	}
}

// TestReferenceObjectsAreValid: the reference's own objects pass validation, so nothing Hive
// documents is skipped.
func TestReferenceObjectsAreValid(t *testing.T) {
	for _, rc := range resourceCases() {
		f := newFakeHive(t, "")
		f.handle = func(w http.ResponseWriter, _ *http.Request, _ recorded) {
			writeJSON(w, 200, `{"data":[`+rc.valid+`],"meta":{"total":1}}`)
		}
		c := newObservedClient(t, f)
		if n, err := rc.list(c.Client); err != nil || n != 1 {
			t.Errorf("%s: got %d items, %v; want 1", rc.name, n, err)
		}
		if w := c.warnings(); len(w) != 0 {
			t.Errorf("%s: got warnings %q, want none", rc.name, w)
		}
	}
}

// TestListEnvelopeMustBeReadable: a list that is not a readable envelope fails as a whole, as
// ErrBadResponse, whatever its items.
func TestListEnvelopeMustBeReadable(t *testing.T) {
	for _, body := range []string{
		`null`, `[]`, `{}`, `"data"`, `{"meta":{"total":0}}`, `{"data":null}`, `{"data":{}}`, `{"data":"x"}`,
		`{"data":[],"meta":"lots"}`, `{"data":[],"data":[]}`, `{"data":[{"id":"x",}]}`, `{"data":[` + customerJSON,
		`{"data":[]} {}`,
	} {
		t.Run(body, func(t *testing.T) {
			f := newFakeHive(t, "")
			f.handle = func(w http.ResponseWriter, _ *http.Request, _ recorded) { writeJSON(w, 200, body) }
			c := newObservedClient(t, f)
			if _, err := c.ListCustomers(context.Background()); !errors.Is(err, ErrBadResponse) {
				t.Fatalf("got %v, want ErrBadResponse", err)
			}
			if got := c.counted("GET /customers"); got != 0 {
				t.Errorf("InvalidItem: got %d calls, want none for a broken envelope", got)
			}
		})
	}
	t.Run("unknown keys and an empty list", func(t *testing.T) {
		f := newFakeHive(t, "")
		f.handle = func(w http.ResponseWriter, _ *http.Request, _ recorded) {
			writeJSON(w, 200, `{"object":"list","data":[],"has_more":false,"meta":{"total":7}}`)
		}
		l, err := newObservedClient(t, f).ListCustomers(context.Background())
		if err != nil || len(l.Data) != 0 || l.Meta.Total != 0 {
			t.Fatalf("got %+v, %v; want an empty list with total 0", l, err)
		}
	})
}

// TestInvalidObjectIsBadResponse: a single object Hive sends that is not fit to use is an
// ErrBadResponse error naming the field, and is reported like a skipped list item.
func TestInvalidObjectIsBadResponse(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		op   string
		body string
		call func(c *Client) error
	}{
		{"GET /customers/{id}", spoil(t, customerJSON, change{key: "id", value: "abc"}), func(c *Client) error {
			_, err := c.GetCustomer(ctx, custID)
			return err
		}},
		{"POST /customers", spoil(t, customerJSON, change{key: "created_at", value: 0}), func(c *Client) error {
			_, err := c.CreateCustomer(ctx, CustomerParams{Email: String("a@b.c")})
			return err
		}},
		{"PATCH /customers/{id}", spoil(t, customerJSON, change{key: "updated_at", value: nil}), func(c *Client) error {
			_, err := c.UpdateCustomer(ctx, custID, CustomerParams{FirstName: String("A")})
			return err
		}},
		{"GET /sessions/{id}", spoil(t, sessionJSON, change{key: "status", value: "hijacked"}), func(c *Client) error {
			_, err := c.GetSession(ctx, sessionID)
			return err
		}},
		{"GET /checks/{id}", spoil(t, checkJSON, change{key: "id", value: "abc"}), func(c *Client) error {
			_, err := c.GetCheck(ctx, chkID)
			return err
		}},
		{"POST /checks", spoil(t, checkJSON, change{key: "decision", value: "maybe"}), func(c *Client) error {
			_, err := c.CreateCheck(ctx, sessionID)
			return err
		}},
		{"GET /files/{id}", spoil(t, objectJSON("/files"), change{key: "check", value: traversalID}), func(c *Client) error {
			_, err := c.GetFile(ctx, fileID)
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.op, func(t *testing.T) {
			f := newFakeHive(t, "")
			f.handle = func(w http.ResponseWriter, _ *http.Request, _ recorded) { writeJSON(w, 200, tc.body) }
			c := newObservedClient(t, f)
			err := tc.call(c.Client)
			if !errors.Is(err, ErrBadResponse) {
				t.Fatalf("got %v, want ErrBadResponse", err)
			}
			var field *invalidField
			if !errors.As(err, &field) {
				t.Errorf("got %v, want the field named", err)
			}
			if got := c.counted(tc.op); got != 1 {
				t.Errorf("InvalidItem(%q): got %d calls, want 1", tc.op, got)
			}
			if w := c.warnings(); len(w) != 1 || !strings.Contains(w[0], `op="`+tc.op+`"`) {
				t.Errorf("got warnings %q, want one for %s", w, tc.op)
			}
		})
	}
}

// TestDeleteCustomerSucceedsWhateverItEchoes: Hive deleted the customer; an echo not fit to use is
// reported but does not turn the deletion into a failure.
func TestDeleteCustomerSucceedsWhateverItEchoes(t *testing.T) {
	f := newFakeHive(t, "")
	f.handle = func(w http.ResponseWriter, _ *http.Request, _ recorded) {
		writeJSON(w, 200, spoil(t, customerJSON, change{key: "id", value: "abc"}))
	}
	c := newObservedClient(t, f)
	got, err := c.DeleteCustomer(context.Background(), custID)
	if err != nil || got != nil {
		t.Fatalf("got %v, %v; want nil, nil", got, err)
	}
	if n := c.counted("DELETE /customers/{id}"); n != 1 {
		t.Errorf("InvalidItem: got %d calls, want 1", n)
	}
}
