package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
)

// listServer is a sandbox on loopback whose store the test can reach, and a client of its own.
type listServer struct {
	t      testing.TB
	srv    *Server
	url    string
	token  string
	now    time.Time
	client *http.Client
	conns  atomic.Int32 // connections the server has accepted
}

func startListServer(t testing.TB) *listServer {
	t.Helper()
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	srv, err := New(context.Background(), Options{
		DataDir: t.TempDir(), BaseURL: "http://sandbox.test", Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	e := &listServer{t: t, srv: srv, now: now, client: &http.Client{Transport: &http.Transport{}}}
	hs := httptest.NewUnstartedServer(srv)
	hs.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			e.conns.Add(1)
		}
	}
	hs.Start()
	e.url = hs.URL
	t.Cleanup(func() {
		e.client.CloseIdleConnections()
		hs.Close()
		_ = srv.Close()
	})
	req, _ := http.NewRequest("GET", hs.URL+"/token", nil)
	req.SetBasicAuth(srv.creds.APIKey, srv.creds.APISecret)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(e.do(req, http.StatusOK), &tok); err != nil {
		t.Fatal(err)
	}
	e.token = tok.AccessToken
	return e
}

func (e *listServer) request(ctx context.Context, method, path, body string) *http.Request {
	e.t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, e.url+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return req
}

func (e *listServer) do(req *http.Request, want int) []byte {
	e.t.Helper()
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s %s: reading the body: %v", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode != want {
		e.t.Fatalf("%s %s: got %d %s, want %d", req.Method, req.URL.Path, resp.StatusCode, b, want)
	}
	return b
}

func (e *listServer) get(path string) []byte {
	e.t.Helper()
	return e.do(e.request(context.Background(), "GET", path, ""), http.StatusOK)
}

// newestFirst is the ids of a table in the order the reference lists them: most recent first,
// objects of the same second in reverse order of creation.
func (e *listServer) newestFirst(table string) []string {
	e.t.Helper()
	rows, err := e.srv.store.db.Query(`SELECT id FROM ` + table + ` ORDER BY created_at DESC, seq DESC`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			e.t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		e.t.Fatal(err)
	}
	return ids
}

// inMemoryList is a list as a server that builds it whole would send it: every object as its own
// endpoint reads it, gathered in a slice, the envelope encoded at once.
func inMemoryList[T any](t *testing.T, ids []string, read func(string) (T, error)) []byte {
	t.Helper()
	list := struct {
		Data []T           `json:"data"`
		Meta hive.ListMeta `json:"meta"`
	}{Data: make([]T, 0, len(ids))}
	for _, id := range ids {
		v, err := read(id)
		if err != nil {
			t.Fatalf("read %s: %v", id, err)
		}
		list.Data = append(list.Data, v)
	}
	list.Meta.Total = len(list.Data)
	b, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// wantLists is each list's path and its whole encoding built in memory.
func (e *listServer) wantLists(t *testing.T) map[string][]byte {
	ctx := context.Background()
	st := e.srv.store
	r := httptest.NewRequest("GET", "/files", nil)
	return map[string][]byte{
		"/customers": inMemoryList(t, e.newestFirst("customers"), func(id string) (hive.Customer, error) {
			return st.customer(ctx, id)
		}),
		"/sessions": inMemoryList(t, e.newestFirst("sessions"), func(id string) (hive.Session, error) {
			return st.session(ctx, id, e.srv.sessionIDs(), e.now)
		}),
		"/checks": inMemoryList(t, e.newestFirst("checks"), func(id string) (hive.Check, error) {
			return st.check(ctx, id)
		}),
		"/files": inMemoryList(t, e.newestFirst("files"), func(id string) (hive.File, error) {
			f, err := st.file(ctx, id)
			f.URL = e.srv.fileURL(r, f.ID)
			return f.File, err
		}),
	}
}

// A streamed list is byte for byte the document a server holding the whole list in memory
// would encode: same objects, same order, same envelope.
func TestListsStreamTheirWholeEncoding(t *testing.T) {
	for _, customers := range []int{0, 1200} {
		t.Run(fmt.Sprintf("%d customers", customers), func(t *testing.T) {
			e := startListServer(t)
			if customers > 0 {
				stats, err := e.srv.Seed(context.Background(), SeedOptions{Seed: 3, Customers: customers, Now: e.now})
				if err != nil {
					t.Fatal(err)
				}
				if stats.Sessions == 0 || stats.Checks == 0 || stats.Files == 0 {
					t.Fatalf("seeded %+v, want every kind of object", stats)
				}
			}
			for path, want := range e.wantLists(t) {
				if got := e.get(path); !bytes.Equal(got, want) {
					t.Errorf("GET %s: got %d bytes, want the %d of the whole list encoded at once\ngot:  %.300s\nwant: %.300s",
						path, len(got), len(want), got, want)
				}
			}
		})
	}
}

// bigCustomers stores n customers of about 20 KB each, so their list is far larger than what
// the kernel buffers between a server and a client on loopback (a few megabytes): a client that
// reads its first bytes and stops leaves the server in the middle of the list.
func bigCustomers(t *testing.T, s *Server, n int) {
	t.Helper()
	meta := hive.Metadata{}
	for k := range maxMetadataKeys {
		meta[fmt.Sprintf("note_%02d", k)] = strings.Repeat("x", 400)
	}
	err := s.store.bulk(context.Background(), func(q querier) error {
		for i := range n {
			c := hive.Customer{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Email: fmt.Sprintf("c%d@example.com", i),
				Metadata: meta, CreatedAt: s.now(), UpdatedAt: s.now()}
			if err := insertCustomer(context.Background(), q, c, int64(i+1)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// startList asks for the customers on a connection of its own and reads the first 64 KB. It
// returns the body, still open, with the server blocked half-way through the list.
func (e *listServer) startList() io.ReadCloser {
	e.t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(e.request(context.Background(), "GET", "/customers", ""))
	if err != nil {
		e.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET /customers: got %d, want 200", resp.StatusCode)
	}
	if _, err := io.CopyN(io.Discard, resp.Body, 64<<10); err != nil {
		e.t.Fatal(err)
	}
	if inUse := e.srv.store.db.Stats().InUse; inUse == 0 {
		e.t.Fatal("the list holds no database connection after its first 64 KB: the list is too short to leave the server mid-way")
	}
	return resp.Body
}

// waitIdle polls until no database connection is in use.
func (e *listServer) waitIdle(why string) {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for e.srv.store.db.Stats().InUse > 0 {
		if time.Now().After(deadline) {
			e.t.Fatalf("%s: %d database connections still in use", why, e.srv.store.db.Stats().InUse)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// mustWrite creates a customer, bounded in time: with the pool's connections leaked it would
// wait for ever.
func (e *listServer) mustWrite(email string) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	e.do(e.request(ctx, "POST", "/customers", url.Values{"email": {email}}.Encode()), http.StatusOK)
}

// A client that goes away in the middle of a list ends the list's query: its connection and read
// snapshot go back to the pool, and writes go on. More clients go than the pool has connections.
func TestListClientGoneReleasesItsConnection(t *testing.T) {
	e := startListServer(t)
	bigCustomers(t, e.srv, 1500)
	for i := range 6 {
		body := e.startList()
		if err := body.Close(); err != nil {
			t.Fatal(err)
		}
		e.waitIdle(fmt.Sprintf("client %d gone", i+1))
	}
	e.mustWrite("after@example.com")
	if got := len(e.newestFirst("customers")); got != 1501 {
		t.Errorf("got %d customers after the write, want 1501", got)
	}
}

// A client that stops reading without going away loses its list once a write has waited the
// stall time, and the list's connection goes back to the pool.
func TestStalledListReleasesItsConnection(t *testing.T) {
	e := startListServer(t)
	e.srv.listStall = 100 * time.Millisecond
	bigCustomers(t, e.srv, 1500)
	body := e.startList()
	defer body.Close()
	e.waitIdle("client stalled")
	e.mustWrite("after@example.com")
	if _, err := io.Copy(io.Discard, body); err == nil {
		t.Error("the stalled client read the list to its end, want a truncated body")
	}
}
