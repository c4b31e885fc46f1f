package hive

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// customerN is a valid customer whose id ends in n.
func customerN(n int) string {
	return strings.Replace(customerJSON, custID, fmt.Sprintf("%s%04d", custID[:len(custID)-4], n), 1)
}

// serveList answers the customers list with body, flushed in the given pieces with a pause between.
func serveList(f *fakeHive, pause time.Duration, pieces ...string) {
	f.handle = func(w http.ResponseWriter, r *http.Request, _ recorded) {
		w.Header().Set("Content-Type", "application/json")
		for _, p := range pieces {
			_, _ = w.Write([]byte(p))
			w.(http.Flusher).Flush()
			time.Sleep(pause)
		}
	}
}

func collect(t *testing.T, c *Client) ([]string, error) {
	t.Helper()
	var ids []string
	err := c.EachCustomer(context.Background(), func(cu *Customer) error {
		ids = append(ids, cu.ID)
		return nil
	})
	return ids, err
}

func TestEachReadsTheWholeListAndSkipsUnfitItems(t *testing.T) {
	f := newFakeHive(t, "/v1")
	serveList(f, 0, `{"data":[`+customerN(1)+`,{"id":"not an id"},`+customerN(2)+`],"meta":{"total":3}}`)
	var skipped []string
	c := newTestClient(t, f, func(cfg *Config) { cfg.InvalidItem = func(op string) { skipped = append(skipped, op) } })
	ids, err := collect(t, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || !strings.HasSuffix(ids[0], "0001") || !strings.HasSuffix(ids[1], "0002") {
		t.Errorf("ids %v, want the two valid customers in order", ids)
	}
	if len(skipped) != 1 || skipped[0] != "GET /customers" {
		t.Errorf("skipped %v, want one GET /customers", skipped)
	}
}

// A list cut short is a failure the caller can tell from a complete one, even though every item
// before the cut was handed over: the caller must not conclude that the missing ones are gone.
func TestEachFailsOnAListCutShort(t *testing.T) {
	for name, body := range map[string]string{
		"mid-item":          `{"data":[` + customerN(1) + `,{"id":"`,
		"after an item":     `{"data":[` + customerN(1) + `,`,
		"unclosed array":    `{"data":[` + customerN(1),
		"unclosed envelope": `{"data":[` + customerN(1) + `]`,
		"no data":           `{"meta":{"total":0}}`,
		"trailing data":     `{"data":[` + customerN(1) + `]} {}`,
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeHive(t, "/v1")
			serveList(f, 0, body)
			ids, err := collect(t, newTestClient(t, f))
			var herr *Error
			if !errors.As(err, &herr) {
				t.Fatalf("err %v, want an *Error", err)
			}
			if len(ids) > 1 {
				t.Errorf("ids %v", ids)
			}
		})
	}
}

func TestEachLimitsEachItemNotTheList(t *testing.T) {
	f := newFakeHive(t, "/v1")
	items := make([]string, 200)
	for i := range items {
		items[i] = customerN(i)
	}
	serveList(f, 0, `{"data":[`+strings.Join(items, ",")+`]}`)
	small := func(cfg *Config) { cfg.MaxItemBytes = 1024; cfg.MaxResponseBytes = 2048 }
	ids, err := collect(t, newTestClient(t, f, small))
	if err != nil || len(ids) != 200 {
		t.Fatalf("a 200-item list under a 1 KiB item limit: %d items, %v", len(ids), err)
	}

	big := strings.Replace(customerN(7), `"metadata":{}`, `"metadata":{"note":"`+strings.Repeat("x", 4096)+`"}`, 1)
	serveList(f, 0, `{"data":[`+customerN(1)+`,`+big+`,`+customerN(2)+`]}`)
	ids, err = collect(t, newTestClient(t, f, small))
	var herr *Error
	if !errors.As(err, &herr) || herr.Code != CodeBadResponse || !strings.Contains(herr.Message, "larger") {
		t.Fatalf("an item over the limit: err %v, want a bad-response error that says it is too large", err)
	}
	if len(ids) != 1 {
		t.Errorf("ids %v, want the one before the oversized item", ids)
	}
}

func TestEachFailsWhenHiveStalls(t *testing.T) {
	f := newFakeHive(t, "/v1")
	serveList(f, 400*time.Millisecond, `{"data":[`+customerN(1)+`,`, customerN(2)+`]}`)
	c := newTestClient(t, f, func(cfg *Config) { cfg.Timeout = 100 * time.Millisecond })
	ids, err := collect(t, c)
	var herr *Error
	if !errors.As(err, &herr) || herr.Code != CodeUnavailable {
		t.Fatalf("err %v, want unavailable", err)
	}
	if len(ids) != 1 {
		t.Errorf("ids %v, want the item sent before the stall", ids)
	}

	// A slow list is not a stalled one: the timeout applies between items, not to the whole list.
	serveList(f, 60*time.Millisecond, `{"data":[`+customerN(1)+`,`, customerN(2)+`,`, customerN(3)+`,`, customerN(4)+`]}`)
	if ids, err := collect(t, c); err != nil || len(ids) != 4 {
		t.Fatalf("a slow list of 4: %d items, %v", len(ids), err)
	}
}

// The caller's own failure ends the read, comes back as it is, and does not count against Hive.
func TestEachCallerErrorIsNotHivesFault(t *testing.T) {
	f := newFakeHive(t, "/v1")
	serveList(f, 0, `{"data":[`+customerN(1)+`,`+customerN(2)+`]}`)
	c := newTestClient(t, f)
	mine := errors.New("disk full")
	for range 20 {
		n := 0
		err := c.EachCustomer(context.Background(), func(*Customer) error { n++; return mine })
		if err != mine || n != 1 {
			t.Fatalf("err %v after %d items, want the caller's error after one", err, n)
		}
	}
	if c.Unreachable() {
		t.Error("the caller's failures opened Hive's breaker")
	}
}
