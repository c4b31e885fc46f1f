package sandbox

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/hiveconsole/hiveconsole/hive"
)

// DefaultDemoCustomers is how many customers demo data has unless told otherwise.
const DefaultDemoCustomers = 150

// SeedOptions shape the demo data.
type SeedOptions struct {
	Seed      uint64    // the same seed (and Now) gives the same data, ids included
	Customers int       // DefaultDemoCustomers when zero
	Now       time.Time // the present the data is relative to; the server's clock when zero
}

// SeedStats counts what Seed created.
type SeedStats struct {
	Customers, Sessions, Checks, Files int
	Skipped                            bool // the sandbox already had customers: nothing was seeded
}

// Seed fills an empty sandbox with realistic demo data: customers created over the last 90 days,
// sessions in every state (open, completed, expired), checks across every scenario — mostly clear,
// a realistic share of caution and consider — and a few checks still processing. With more than a
// thousand customers (benchmarks), only about one in ten beyond the first thousand has sessions, so
// a 100,000-customer sandbox seeds in seconds and stays a sensible size.
func (s *Server) Seed(ctx context.Context, opts SeedOptions) (SeedStats, error) {
	var stats SeedStats
	if n, err := s.store.count(ctx, "customers"); err != nil || n > 0 {
		stats.Skipped = n > 0
		return stats, err
	}
	if opts.Customers <= 0 {
		opts.Customers = DefaultDemoCustomers
	}
	if opts.Now.IsZero() {
		opts.Now = s.now()
	}
	g := newSeeder(opts)
	err := s.store.tx(ctx, func(tx *sql.Tx) error {
		for _, c := range g.customers() {
			if err := g.insert(ctx, tx, c, &stats); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return SeedStats{}, fmt.Errorf("seed: %w", err)
	}
	return stats, nil
}

// seeder draws demo data from one seed.
type seeder struct {
	opts   SeedOptions
	rng    *rand.Rand
	ids    *rand.ChaCha8
	people *People
	seq    struct{ session, check, file int64 }
}

func newSeeder(opts SeedOptions) *seeder {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], opts.Seed)
	copy(key[8:], "hive sandbox demo ids")
	return &seeder{
		opts:   opts,
		rng:    rand.New(rand.NewPCG(opts.Seed, 0xdec0de)),
		ids:    rand.NewChaCha8(key),
		people: NewPeople(opts.Seed, opts.Now),
	}
}

// id is a version 4 UUID drawn from the seed.
func (g *seeder) id() string {
	u, err := uuid.NewRandomFromReader(g.ids)
	if err != nil {
		panic(err) // ChaCha8 never fails to read
	}
	return u.String()
}

// between draws a time uniformly in [from, to).
func (g *seeder) between(from, to time.Time) time.Time {
	if !to.After(from) {
		return from
	}
	return from.Add(time.Duration(g.rng.Int64N(int64(to.Sub(from)))))
}

// demoCustomer is a customer with the story the seeder will tell about them.
type demoCustomer struct {
	hive.Customer
	person   Person
	sessions int
	live     bool // the newest few: a check still processing when the sandbox starts
	inSDK    bool // the next few: a session open right now, the customer still in the SDK
}

// customers makes up every customer, oldest first.
func (g *seeder) customers() []demoCustomer {
	now := g.opts.Now
	out := make([]demoCustomer, g.opts.Customers)
	for i := range out {
		d := g.people.Next()
		created := g.between(now.Add(-90*24*time.Hour), now.Add(-10*time.Minute)).Truncate(time.Second)
		meta := hive.Metadata{}
		for k, v := range d.Metadata {
			meta[k] = v
		}
		if d.Nationality != "" {
			meta["nationality"] = d.Nationality
		}
		out[i] = demoCustomer{
			Customer: hive.Customer{
				ID: g.id(), Email: d.Email, Phone: optional(d.Phone), FirstName: optional(d.FirstName),
				MiddleName: optional(d.MiddleName), LastName: optional(d.LastName), Gender: optional(d.Gender),
				DOB: optional(d.DOB), Metadata: meta, CreatedAt: created, UpdatedAt: created,
			},
			person:   d.Person,
			sessions: g.sessionCount(i),
		}
	}
	slices.SortStableFunc(out, func(a, b demoCustomer) int { return a.CreatedAt.Compare(b.CreatedAt) })
	for i := max(0, len(out)-3); i < len(out); i++ {
		out[i].live, out[i].sessions = true, 1
	}
	for i := max(0, len(out)-6); i < max(0, len(out)-3); i++ {
		out[i].inSDK, out[i].sessions = true, 1
	}
	return out
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// sessionCount: most customers tried once, some twice or more, some never got that far.
func (g *seeder) sessionCount(i int) int {
	if i >= 1000 && g.rng.Float64() > 0.1 {
		return 0
	}
	switch r := g.rng.Float64(); {
	case r < 0.12:
		return 0
	case r < 0.75:
		return 1
	case r < 0.95:
		return 2
	}
	return 3
}

// insert writes a customer and their sessions, checks, reports and files.
func (g *seeder) insert(ctx context.Context, tx *sql.Tx, c demoCustomer, stats *SeedStats) error {
	if err := insertCustomer(ctx, tx, c.Customer, int64(stats.Customers+1)); err != nil {
		return err
	}
	stats.Customers++
	now := g.opts.Now
	at := c.CreatedAt
	for range c.sessions {
		created := g.between(at, earliest(at.Add(72*time.Hour), now)).Truncate(time.Second)
		switch {
		case c.live:
			created = now.Add(-time.Duration(2+g.rng.IntN(6)) * time.Minute).Truncate(time.Second)
		case c.inSDK:
			created = now.Add(-time.Duration(1+g.rng.IntN(60)) * time.Minute).Truncate(time.Second)
		}
		at = created
		sess := newSession{id: g.id(), customerID: c.ID, created: created, expires: created.Add(sessionLifetime)}
		g.seq.session++
		sess.seq = g.seq.session
		open := now.Sub(created) < sessionLifetime && g.rng.Float64() < 0.5 // the customer is still in the SDK
		abandoned := now.Sub(created) >= sessionLifetime && g.rng.Float64() < 0.12
		if c.live || !c.inSDK && !open && !abandoned {
			sess.completed = g.completion(sess.id, c.person, created)
		}
		if err := insertSession(ctx, tx, sess); err != nil {
			return err
		}
		stats.Sessions++
		if sess.completed == nil {
			continue
		}
		stats.Files += len(sess.completed.files)
		if !c.live && g.rng.Float64() < 0.1 {
			continue // completed, but nobody ran a check yet
		}
		if err := g.check(ctx, tx, sess, c.live); err != nil {
			return err
		}
		stats.Checks++
	}
	return nil
}

// completion is what the SDK uploaded for a seeded session, with a scenario drawn by weight.
func (g *seeder) completion(sessionID string, p Person, created time.Time) *completion {
	submitted := g.between(created.Add(2*time.Minute), created.Add(15*time.Minute))
	submitted = earliest(submitted, g.opts.Now).Truncate(time.Second)
	sc := PickScenario(g.rng.Uint64())
	c := &completion{scenario: sc, person: p, submitted: submitted}
	for _, kind := range evidenceFileTypes(evidenceSeed(sessionID), p, sc, submitted) {
		g.seq.file++
		c.files = append(c.files, newFile{id: g.id(), kind: kind, seq: g.seq.file})
	}
	return c
}

// check runs a check on a completed session: finished unless live, when it completes a little
// after the sandbox starts, so the console has something to watch.
func (g *seeder) check(ctx context.Context, tx *sql.Tx, sess newSession, live bool) error {
	submitted := sess.completed.submitted
	created := earliest(g.between(submitted.Add(10*time.Second), submitted.Add(30*time.Minute)), g.opts.Now).Truncate(time.Second)
	completeAt := created.Add(time.Duration(3+g.rng.IntN(20)) * time.Second)
	if live {
		completeAt = g.opts.Now.Add(time.Duration(20+g.rng.IntN(100)) * time.Second).Truncate(time.Second)
	}
	id := g.id()
	g.seq.check++
	if err := insertCheck(ctx, tx, id, sess.id, created, completeAt, g.seq.check); err != nil {
		return err
	}
	if live {
		return nil
	}
	report := buildReport(sess.id, id, g.id(), sess.completed.scenario, sess.completed.person, submitted, completeAt)
	return finishCheck(ctx, tx, id, sess.id, report, DecisionFor(report.Result), completeAt)
}
