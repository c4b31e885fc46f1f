package sandbox

import (
	"context"
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
//
// From 40 customers on, the data also has rings for the console to link: three customers whose
// checks show one identity document, and five whose checks came from one phone and computer on one
// connection (see demoRings). Rings change what those checks' reports and images show, not which
// objects exist, and smaller seeds have none.
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
	err := s.store.bulk(ctx, func(q querier) error { return g.seed(ctx, q, &stats) })
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
	rings  []*ring
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
	made     int  // the order the seeder made it up in, which breaks ties of creation time
}

// seed writes the demo data: every customer, then the sessions, checks, reports and files of
// those who have any.
//
// Customers are numbered (seq) oldest first but made up in another order, so they go through a
// temporary table that SQLite sorts on disk: a million customers never sit in memory at once. The
// seeder keeps only the customers whose sessions it will make up next (about one in ten) and the
// newest six, trimmed to what sessions need.
func (g *seeder) seed(ctx context.Context, q querier, stats *SeedStats) error {
	if _, err := q.ExecContext(ctx, `CREATE TEMP TABLE seed_customers (made INTEGER PRIMARY KEY,
		id TEXT NOT NULL, created_at INTEGER NOT NULL, body TEXT NOT NULL)`); err != nil {
		return err
	}
	var stories, newest []demoCustomer
	for i := range g.opts.Customers {
		c := g.customer(i)
		body, err := customerBody(c.Customer)
		if err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO seed_customers (made, id, created_at, body) VALUES (?, ?, ?, ?)`,
			c.made, c.ID, c.CreatedAt.Unix(), body); err != nil {
			return err
		}
		c.Customer = hive.Customer{ID: c.ID, CreatedAt: c.CreatedAt} // all that sessions need
		if c.sessions > 0 {
			stories = append(stories, c)
		}
		newest = keepNewest(newest, c, 6)
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO customers (id, seq, created_at, body)
		SELECT id, row_number() OVER (ORDER BY created_at, made), created_at, body FROM seed_customers
		ORDER BY created_at, made`); err != nil {
		return err
	}
	stats.Customers = g.opts.Customers
	if _, err := q.ExecContext(ctx, `DROP TABLE temp.seed_customers`); err != nil {
		return err
	}
	order := storyOrder(stories, newest)
	g.rings = demoRings(g.opts.Customers, len(order))
	for pos, c := range order {
		if err := g.insert(ctx, q, c, pos, stats); err != nil {
			return err
		}
	}
	return nil
}

// customer makes up the i-th customer.
func (g *seeder) customer(i int) demoCustomer {
	now := g.opts.Now
	d := g.people.Next()
	created := g.between(now.Add(-90*24*time.Hour), now.Add(-10*time.Minute)).Truncate(time.Second)
	meta := hive.Metadata{}
	for k, v := range d.Metadata {
		meta[k] = v
	}
	if d.Nationality != "" {
		meta["nationality"] = d.Nationality
	}
	return demoCustomer{
		Customer: hive.Customer{
			ID: g.id(), Email: d.Email, Phone: optional(d.Phone), FirstName: optional(d.FirstName),
			MiddleName: optional(d.MiddleName), LastName: optional(d.LastName), Gender: optional(d.Gender),
			DOB: optional(d.DOB), Metadata: meta, CreatedAt: created, UpdatedAt: created,
		},
		person:   d.Person,
		sessions: g.sessionCount(i),
		made:     i,
	}
}

// olderThan orders customers by creation time, then by the order they were made up in.
func olderThan(a, b demoCustomer) int {
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c
	}
	return a.made - b.made
}

// keepNewest adds c to newest, the n newest customers so far, oldest first.
func keepNewest(newest []demoCustomer, c demoCustomer, n int) []demoCustomer {
	i, _ := slices.BinarySearchFunc(newest, c, olderThan)
	newest = slices.Insert(newest, i, c)
	if len(newest) > n {
		newest = newest[1:]
	}
	return newest
}

// storyOrder is the customers whose sessions the seeder makes up, oldest first: the newest three
// have a check still processing, the three before them a session open right now, and every one
// of those six exactly one session.
func storyOrder(stories, newest []demoCustomer) []demoCustomer {
	stories = slices.DeleteFunc(stories, func(c demoCustomer) bool {
		return slices.ContainsFunc(newest, func(n demoCustomer) bool { return n.made == c.made })
	})
	for i := range newest {
		newest[i].sessions = 1
		if i >= len(newest)-3 {
			newest[i].live = true
		} else {
			newest[i].inSDK = true
		}
	}
	stories = append(stories, newest...)
	slices.SortFunc(stories, olderThan)
	return stories
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

// insert writes a customer's sessions, checks, reports and files; pos is the customer's place in
// story order.
func (g *seeder) insert(ctx context.Context, tx querier, c demoCustomer, pos int, stats *SeedStats) error {
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
		// Whether a check runs is drawn before the session is written (which draws nothing), so a
		// ring can take a session whose check will have a report.
		checked := sess.completed != nil && (c.live || g.rng.Float64() >= 0.1)
		if checked && !c.live {
			g.joinRing(c, pos, sess)
		}
		if err := insertSession(ctx, tx, sess); err != nil {
			return err
		}
		stats.Sessions++
		if sess.completed == nil {
			continue
		}
		stats.Files += len(sess.completed.files)
		if !checked {
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
	for _, kind := range c.evidence(sessionID).Files() {
		g.seq.file++
		c.files = append(c.files, newFile{id: g.id(), kind: kind, seq: g.seq.file})
	}
	return c
}

// check runs a check on a completed session: finished unless live, when it completes a little
// after the sandbox starts, so the console has something to watch.
func (g *seeder) check(ctx context.Context, tx querier, sess newSession, live bool) error {
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
	report := buildReport(sess.id, id, g.id(), *sess.completed, completeAt)
	return finishCheck(ctx, tx, id, sess.id, report, DecisionFor(report.Result), completeAt)
}
