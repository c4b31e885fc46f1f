package views

import "time"

// The review states a completed check can be in, beside Hive's own decision.
const (
	ReviewUnreviewed   = "unreviewed"
	ReviewApproved     = "approved"
	ReviewRejected     = "rejected"
	ReviewResubmission = "resubmission"
	// Four-eyes: an approval waits for a second approver; a second reviewer disagreed.
	ReviewPendingSecond = "pending_second"
	ReviewDisagree      = "disagree"
)

// Waiting reports whether a check in this review state still waits for someone's decision.
func Waiting(state string) bool {
	return state == ReviewUnreviewed || state == ReviewPendingSecond || state == ReviewDisagree
}

// ReviewPanelModel is the review of one check on its page.
type ReviewPanelModel struct {
	State     string // one of the Review… states
	History   []ReviewView
	CanDecide bool
	Form      ReviewForm
	NextURL   string         // the next check in the review queue, or "" when there is none
	Seen      int64          // the newest decision's id (0: none), which the form sends back
	Issued    *SessionIssued // the SDK session a resubmission request just issued, shown this once
	Claim     ClaimView
	// FourEyes explains the second approval when the state is ReviewPendingSecond or ReviewDisagree:
	// who approved first, with their note, and whether that was the viewer.
	FourEyes *FourEyesView
}

// FourEyesView is the first approval a check waits on, or the disagreement it came back with.
type FourEyesView struct {
	FirstBy, FirstNote string
	FirstAt            time.Time
	Mine               bool   // the viewer gave the first approval: they cannot give the second
	DisagreedBy        string // for ReviewDisagree: who rejected the first approval
	Rule               string // when an approval needs a second approver, in words
}

// ClaimView is who works on a check that waits for a decision, and what the viewer may do about it.
type ClaimView struct {
	Shown      bool   // the check waits for a decision: claims mean something
	Holder     string // the holder's email; "" when nobody holds the check
	Mine       bool   // the viewer holds it
	AssignedBy string // the admin who assigned it; "" for a claim the holder took
	Since      time.Time
	Now        time.Time // for Since's age
	CanClaim   bool      // the viewer may take it: nobody holds it and they decide reviews
	CanRelease bool      // the viewer may give it back: theirs, or they assign checks
	Assignees  []Option  // for those who assign: the staff who decide reviews; nil otherwise
	Error      string    // why a claim, release or assignment was refused
}

// ReviewView is one recorded decision, for the history.
type ReviewView struct {
	Decision  string // approve, reject, resubmit
	Stage     string // final, first (an approval waiting for a second), disputed (a rejection of a first approval)
	Reason    string // the reject reason's label
	Note      string
	Reviewer  string
	SessionID string // a resubmission's new SDK session
	At        time.Time
}

// ReviewForm is the decision form with what was typed and a message per field.
type ReviewForm struct {
	Decision, Reason, Note string
	Errors                 map[string]string
	Reasons                []Option
}

// Option is one choice of a select.
type Option struct{ Value, Label string }
