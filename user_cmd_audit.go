package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	osuser "os/user"
	"strings"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
)

// shellEntry is one change to a staff account made from the shell, as its audit row tells it. The
// actions and details are those the web pages write, so the trail reads the same whichever door
// was used.
type shellEntry struct {
	action   string         // user.create, user.role, user.disable, user.enable, user.revoke_sessions, user.reset_password
	targetID string         // the account's id; "" for an email that names none
	details  map[string]any // the account's email (and role, new_role) as the web writes them
}

// accountEntry is the entry of an action on an existing account, with the web's details: the
// account's email and its role before the change.
func accountEntry(action string, u auth.User) shellEntry {
	return shellEntry{action: action, targetID: u.ID, details: map[string]any{"email": u.Email, "role": string(u.Role)}}
}

// errTrailUnwritable prefixes the error of a change refused because its row could not be written.
var errTrailUnwritable = errors.New("the audit trail could not be written, so nothing was changed")

// record writes e's row on the trail's chain, with the shell's actor. The actor goes in ActorID, not
// ActorEmail: it is no email, and an email is lower-cased.
func (inv *userInvocation) record(ctx context.Context, e shellEntry, outcome string) error {
	err := inv.trail.Record(ctx, audit.Event{ActorID: inv.actor, Action: e.action, TargetType: "user", TargetID: e.targetID,
		Outcome: outcome, Details: e.details})
	if err != nil {
		return fmt.Errorf("%w: %w", errTrailUnwritable, err)
	}
	return nil
}

// mutate records e in two rows around making the change, as the web does: "attempted" first, so
// that a trail that cannot be written stops the change before anything is done; then its outcome,
// success or failure (recordOutcome).
func (inv *userInvocation) mutate(ctx context.Context, e shellEntry, change func() error) error {
	if err := inv.record(ctx, e, audit.OutcomeAttempted); err != nil {
		return err
	}
	err := change()
	inv.recordOutcome(ctx, e, err)
	return err
}

// recordOutcome records whether e happened: success, or failure with the kind of error but not its
// text. Best effort: the change is made or refused either way, and a row that cannot be written is
// only warned about (the trail then shows the attempt without its outcome). It is written even after
// an interrupt, since the attempt's row already stands.
func (inv *userInvocation) recordOutcome(ctx context.Context, e shellEntry, cause error) {
	outcome := audit.OutcomeSuccess
	if cause != nil {
		outcome = audit.OutcomeFailure
		e.details = maps.Clone(e.details)
		if e.details == nil {
			e.details = map[string]any{}
		}
		e.details["error"] = shellErrorClass(cause)
	}
	if err := inv.record(context.WithoutCancel(ctx), e, outcome); err != nil {
		fmt.Fprintf(inv.stderr, "warning: the outcome was not recorded: %v\n", err)
	}
}

// shellErrorClass names an error for the trail without its text.
func shellErrorClass(err error) string {
	var (
		verrs auth.ValidationErrors
		fe    *auth.FieldError
	)
	switch {
	case errors.Is(err, auth.ErrUserNotFound):
		return "not found"
	case errors.Is(err, auth.ErrLastAdmin):
		return "last admin"
	case errors.Is(err, auth.ErrEmailTaken):
		return "email taken"
	case errors.As(err, &verrs):
		fields := make([]string, len(verrs))
		for i, v := range verrs {
			fields[i] = v.Field
		}
		return "invalid " + strings.Join(fields, ", ")
	case errors.As(err, &fe):
		return "invalid " + fe.Field
	}
	return "internal"
}

// shellActor names whoever runs the command, for the trail: "cli:<os user>@<host>", so that a change
// made from the shell reads as one, and as whose. A part that cannot be found reads "unknown".
func shellActor(username, hostname func() (string, error)) string {
	part := func(get func() (string, error)) string {
		if s, err := get(); err == nil && s != "" {
			return s
		}
		return "unknown"
	}
	return "cli:" + part(username) + "@" + part(hostname)
}

// osUsername is the name of the operating-system account running the command.
func osUsername() (string, error) {
	u, err := osuser.Current()
	if err != nil {
		return "", err
	}
	return u.Username, nil
}
