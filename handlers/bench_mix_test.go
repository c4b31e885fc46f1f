package handlers_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/hiveconsole/hiveconsole/auth"
)

// BenchmarkBrowsingMix is one signed-in admin browsing a sandbox of 10,000 customers with the load
// run's mix (cmd/loadgen): customer list pages and searches, customer pages, checks and session
// list pages, and report pages, one request at a time through the whole console. It is the
// in-process view of the load run, for CPU profiles:
//
//	go test -run '^$' -bench BrowsingMix -benchtime 2000x -cpuprofile /tmp/mix.cpu -o /tmp/h.test ./handlers/
func BenchmarkBrowsingMix(b *testing.B) {
	bc := newBenchConsole(b, 10000)
	emails := bc.addUsers(b, 1, auth.RoleAdmin)
	c := bc.visitor()
	if err := bc.signIn(c, emails[0]); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	cs, _ := bc.api.ListCustomers(ctx)
	ch, _ := bc.api.ListChecks(ctx)
	var checks []string
	for _, x := range ch.Data {
		if x.Status == "complete" {
			checks = append(checks, x.ID)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	paths := func() string {
		switch n := rng.IntN(100); {
		case n < 20:
			return fmt.Sprintf("/customers?page=%d", 1+rng.IntN(50))
		case n < 30:
			return "/customers?q=anna"
		case n < 50:
			return "/customers/" + cs.Data[rng.IntN(len(cs.Data))].ID
		case n < 65:
			return fmt.Sprintf("/checks?page=%d", 1+rng.IntN(20))
		case n < 70:
			return fmt.Sprintf("/sessions?page=%d", 1+rng.IntN(20))
		}
		return "/checks/" + checks[rng.IntN(len(checks))]
	}
	for range 200 {
		_, _ = fetch(c, bc.URL+paths())
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := fetch(c, bc.URL+paths()); err != nil {
			b.Fatal(err)
		}
	}
}
