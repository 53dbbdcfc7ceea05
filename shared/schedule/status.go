package schedule

import (
	"fmt"
	"strings"

	"pawfile/shared/record"
)

// SetStatus checks that p may move from its current status to status, and
// if so sets p.Status and p.StatusReason. The app calls it when a person
// changes a project's status, before saving. reason is kept, trimmed, for
// cancelled and no_show, and cleared for the other statuses, whose form
// has no reason field.
//
// A project's status moves like this:
//
//	planned ⇄ in_progress → done
//	planned, in_progress → cancelled, no_show (each needs a reason)
//	done → in_progress only through Reopen
//
// The rules, and why:
//
//   - planned and in_progress are open: a person may move between them
//     freely. Starting the wrong appointment must be undoable, and
//     starting records nothing else that going back would lose.
//   - planned → done is allowed without passing through in_progress. A
//     groomer with wet gloves who finishes a dog and taps Done should not
//     be told to tap Start first; done says what happened either way.
//   - done is final for an ordinary status change, because finished work
//     is what invoices, "last visit" and "due again" are computed from.
//     A done project marked by mistake, or a dog back for a touch-up, is
//     the exception: [Reopen] moves it back to in_progress, as a separate
//     deliberate action rather than a choice in the status list.
//   - cancelled and no_show are final, and cannot be reopened: they are
//     the client's history (a client with three no-shows is asked for a
//     deposit), and undoing one would erase it. To see the client after
//     all, book again ([BookAgain]): a new project with the same pets,
//     staff and duration.
//   - cancelled and no_show need a reason, so the person reading the
//     history later knows whether the client called ahead or simply never
//     came ([record.MissingReason]; [record.Validate] refuses a project
//     without one too).
//   - saving a project with its own status again is allowed, so a reason
//     can be corrected (but not emptied).
//   - a new project, with no status yet, may start in any status: a walk-in
//     can be recorded after the fact as done.
//
// These are rules for one person's edit, not invariants of the synced
// record: two offline tablets may each make an allowed change (one marks
// the project done, the other cancels it) and the merge keeps the later
// one, field by field. Code that reads a status must accept any value.
//
// The error, when not nil, is a [record.Errors] on the field to correct
// ("status" or "status_reason"), saying what to do; p is then unchanged.
func SetStatus(p *record.Project, status, reason string) error {
	from := p.Status
	reason = strings.TrimSpace(reason)
	switch {
	case !known(status):
		return fieldError("status", "must be one of planned, in progress, done, cancelled, no-show")
	case from != "" && !known(from):
		return fieldError("status", fmt.Sprintf("%q is a status from a newer version of Pawfile; update the app to change it", trim(from)))
	case record.MissingReason(status, reason) != "":
		return fieldError("status_reason", record.MissingReason(status, reason))
	case from == status, from == "":
		// The same status (to correct a reason), or a new project.
	case from == Done:
		return fieldError("status", "the project is done; to record more work or undo Done, reopen it first")
	case from == Cancelled:
		return fieldError("status", "the project is cancelled and stays so in the client's history; to see the client after all, book again")
	case from == NoShow:
		return fieldError("status", "the project is a no-show and stays so in the client's history; to see the client after all, book again")
	}
	p.Status = status
	p.StatusReason = ""
	if status == Cancelled || status == NoShow {
		p.StatusReason = reason
	}
	return nil
}

// Reopen moves a done project back to in progress: the one way back from
// a final status (see [SetStatus] for why). It is for a project marked done
// by mistake or a pet back for a touch-up; the app offers it as its own
// action, not as a choice in the status list. The error, when not nil, is
// a [record.Errors] on "status"; p is then unchanged.
func Reopen(p *record.Project) error {
	switch p.Status {
	case Done:
		p.Status = InProgress
		p.StatusReason = ""
		return nil
	case Cancelled, NoShow:
		return fieldError("status", "only a done project can be reopened; a cancelled or no-show project stays in the client's history, so book again instead")
	}
	return fieldError("status", "only a done project can be reopened; this one is still open, so change its status instead")
}

func known(status string) bool {
	switch status {
	case Planned, InProgress, Done, Cancelled, NoShow:
		return true
	}
	return false
}

// fieldError is a [record.Errors] on one field of a project, its message
// starting with the field's label as [record.Validate]'s do, so a form
// shows it in the same place.
func fieldError(field, msg string) error {
	label := field
	if s, ok := record.SchemaOf(record.TypeProject); ok {
		if f, ok := s.Field(field); ok {
			label = f.Label
		}
	}
	return record.Errors{{Field: field, Message: label + ": " + msg}}
}

// trim shortens text from a record for a message: a damaged or hostile
// value must not fill the screen.
func trim(s string) string {
	n := 0
	for i := range s {
		if n == 40 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
