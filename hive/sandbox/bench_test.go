package sandbox_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/hiveconsole/hiveconsole/hive/sandbox"
)

// benchSandbox seeds n customers into a fresh sandbox.
func benchSandbox(b *testing.B, n int) *env {
	b.Helper()
	e := startSandbox(b)
	if _, err := e.srv.Seed(context.Background(), sandbox.SeedOptions{Seed: 1, Customers: n, Now: e.clock.Now()}); err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkListCustomers is GET /customers over loopback HTTP, body read in full.
func BenchmarkListCustomers(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("%d", n), func(b *testing.B) {
			e := benchSandbox(b, n)
			tok := e.token()
			b.ResetTimer()
			for b.Loop() {
				n := getBody(b, e.http.URL+"/customers", tok)
				b.SetBytes(n)
			}
		})
	}
}

// BenchmarkGetReport is GET /checks/{id}/report over loopback HTTP.
func BenchmarkGetReport(b *testing.B) {
	e := benchSandbox(b, 150)
	checks, err := e.client.ListChecks(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	id := checks.Data[len(checks.Data)-1].ID
	tok := e.token()
	b.ResetTimer()
	for b.Loop() {
		getBody(b, e.http.URL+"/checks/"+id+"/report", tok)
	}
}

func getBody(b *testing.B, url, tok string) int64 {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("status %d, %v", resp.StatusCode, err)
	}
	return n
}
