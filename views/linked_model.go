package views

// LinkedModel is the Linked panel: the other customers who share an identifier with a check or a
// customer, and the identifiers too common to list.
type LinkedModel struct {
	Subject   string // "check" or "customer", for the empty state's words
	Customers []LinkedCustomer
	Crowds    []LinkedCrowd
}

// LinkedCustomer is another customer and what links them.
type LinkedCustomer struct {
	ID, Name, Email string // Email as the viewer may see it
	Shares          []LinkedShare
	Checks          []LinkedCheck
	Rejected        bool // a reviewer rejected one of their checks
}

// LinkedShare is one kind of identifier shared, named for people.
type LinkedShare struct{ Kind, Label string }

// LinkedCheck is one of the linked customer's checks that shares an identifier.
type LinkedCheck struct {
	ID          string
	Result      Status
	ReviewState string // "" when nobody decided
}

// LinkedCrowd is an identifier shared by too many customers to list.
type LinkedCrowd struct {
	Kind, Label string
	Customers   string // "23", or "more than 200"
}

// AnyRejected says whether a linked customer was rejected: the decision panel names it.
func (m LinkedModel) AnyRejected() bool {
	for _, c := range m.Customers {
		if c.Rejected {
			return true
		}
	}
	return false
}
