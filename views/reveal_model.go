package views

// RevealField is one classified value on a page: masked or clear, and how to ask for it.
type RevealField struct {
	Target, TargetID, Field string // what it belongs to: "customer", its id, "email"; fixed sets or UUIDs
	Label                   string // "Email", for the page without JavaScript
	Value                   string // masked or clear, as this user may see it
	Masked, CanReveal, Mono bool
	Revealed                bool   // the value is shown because the user revealed it
	Reason, Error           string // what was typed, and why it was refused
}

// ElementID is the element's id, which a reveal patches.
func (f RevealField) ElementID() string { return "pii-" + f.Target + "-" + f.TargetID + "-" + f.Field }
