package sandbox

import "time"

// ringsFrom is the fewest customers demo data has rings in. Smaller seeds, the ones most tests
// use, stay exactly as they were before rings existed.
const ringsFrom = 40

// ringPart is what a ring's checks share.
type ringPart int

const (
	ringDocument ringPart = iota // one identity document under several customer records
	ringDevices                  // one phone and computer on one connection behind several accounts
)

// ring is a group of demo customers whose checks share evidence, for the console to link. Its
// first member's check is an ordinary one; every later member's check reuses its document or its
// devices, as POST /sandbox/sessions/{id}/complete does with same_document_as or same_device_as.
type ring struct {
	part    ringPart
	size    int // members wanted
	from    int // the place in story order where recruiting starts
	members []string
	// What the first member's check lends the others, and when it was submitted: a later member's
	// session is submitted after it.
	document *reusedDocument
	devices  *reusedDevices
	lentAt   time.Time
}

// demoRings are the rings of a seed of customers customers, stories of whom have sessions: a
// document shared by three customers, and a device farm of five. Each recruits from its own place
// in the story order on, so both sit among customers made up weeks before the newest.
func demoRings(customers, stories int) []*ring {
	if customers < ringsFrom {
		return nil
	}
	return []*ring{
		{part: ringDocument, size: 3, from: stories / 6},
		{part: ringDevices, size: 5, from: stories / 4},
	}
}

// joinRing makes the session, completed and about to have a check that finishes, part of the first
// ring that still recruits and will take it. A customer joins one ring at most, with one session.
//
// A member of a document ring takes only a document of the kind its own would have been, so its
// files — and every id drawn after them — are the ones the seed makes without rings: rings change
// what some reports and images show, never which objects exist.
func (g *seeder) joinRing(c demoCustomer, pos int, sess newSession) {
	for _, r := range g.rings {
		if r.hasMember(c.ID) {
			return
		}
	}
	for _, r := range g.rings {
		if len(r.members) == r.size || pos < r.from {
			continue
		}
		if r.join(c.ID, sess) {
			return
		}
	}
}

func (r *ring) hasMember(customerID string) bool {
	for _, m := range r.members {
		if m == customerID {
			return true
		}
	}
	return false
}

// join takes the session into the ring if its story allows. The first member's part must be sound,
// as it would otherwise carry its flaw to every member: a document no scenario changed (and that
// agrees with its record), devices off any VPN. A later member's scenario must not change the part
// it reuses, as POST /sandbox/sessions/{id}/complete refuses too.
func (r *ring) join(customerID string, sess newSession) bool {
	c := sess.completed
	first := len(r.members) == 0
	if !first && !c.submitted.After(r.lentAt) {
		return false
	}
	switch r.part {
	case ringDocument:
		if storyIn(c.scenario, documentStories) != "" || first && c.scenario == ScenarioDataMismatch {
			return false
		}
		ev := c.evidence(sess.id)
		if first {
			r.document = lendDocument(ev, reuse{})
			break
		}
		if ev.Document.Kind != r.document.Document.Kind {
			return false
		}
		c.reuse.Document = r.document
	case ringDevices:
		if storyIn(c.scenario, deviceStories) != "" {
			return false
		}
		if first {
			r.devices = lendDevices(c.evidence(sess.id), reuse{})
			break
		}
		c.reuse.Devices = r.devices
	}
	if first {
		r.lentAt = c.submitted
	}
	r.members = append(r.members, customerID)
	return true
}
