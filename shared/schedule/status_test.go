package schedule

import (
	"errors"
	"strings"
	"testing"

	"pawfile/shared/record"
)

var statuses = []string{Planned, InProgress, Done, Cancelled, NoShow}

func TestSetStatus(t *testing.T) {
	tests := []struct {
		from, to, reason string
		errOn            string // field the error is on; "" if allowed
		errHas           string // part of the message: what to do
		wantReason       string
	}{
		// The way forward.
		{from: Planned, to: InProgress},
		{from: InProgress, to: Done},
		{from: Planned, to: Done}, // finished without tapping Start
		// Open statuses move freely.
		{from: InProgress, to: Planned},
		// Cancel and no-show need a reason, kept trimmed.
		{from: Planned, to: Cancelled, reason: "  client is ill ", wantReason: "client is ill"},
		{from: InProgress, to: Cancelled, reason: "dog too stressed"},
		{from: Planned, to: NoShow, reason: "no answer", wantReason: "no answer"},
		{from: Planned, to: Cancelled, reason: "   ", errOn: "status_reason", errHas: "say why"},
		{from: InProgress, to: NoShow, errOn: "status_reason", errHas: "say what happened"},
		// A reason on an open or done status is dropped.
		{from: Planned, to: Done, reason: "left over from the form"},
		// Final statuses.
		{from: Done, to: InProgress, errOn: "status", errHas: "reopen it first"},
		{from: Done, to: Planned, errOn: "status", errHas: "reopen it first"},
		{from: Done, to: Cancelled, reason: "x", errOn: "status", errHas: "reopen it first"},
		{from: Done, to: NoShow, reason: "x", errOn: "status", errHas: "reopen it first"},
		{from: Cancelled, to: Planned, errOn: "status", errHas: "book again"},
		{from: Cancelled, to: Done, errOn: "status", errHas: "book again"},
		{from: Cancelled, to: NoShow, reason: "x", errOn: "status", errHas: "book again"},
		{from: NoShow, to: Planned, errOn: "status", errHas: "book again"},
		{from: NoShow, to: InProgress, errOn: "status", errHas: "book again"},
		// The same status again: to correct a reason.
		{from: Done, to: Done},
		{from: Cancelled, to: Cancelled, reason: "client moved away", wantReason: "client moved away"},
		{from: Cancelled, to: Cancelled, errOn: "status_reason", errHas: "say why"},
		// A new project may start anywhere, with the same reason rules.
		{from: "", to: Planned},
		{from: "", to: Done},
		{from: "", to: NoShow, errOn: "status_reason"},
		// Unknown statuses.
		{from: Planned, to: "finished", errOn: "status", errHas: "must be one of"},
		{from: Planned, to: "", errOn: "status", errHas: "must be one of"},
		{from: "rescheduled", to: Planned, errOn: "status", errHas: "update the app"},
	}
	for _, tc := range tests {
		p := record.Project{Status: tc.from, StatusReason: "old reason"}
		before := p
		err := SetStatus(&p, tc.to, tc.reason)
		name := tc.from + "→" + tc.to
		if tc.errOn == "" {
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if p.Status != tc.to || p.StatusReason != tc.wantReason && tc.wantReason != "" {
				t.Errorf("%s: got status %q reason %q", name, p.Status, p.StatusReason)
			}
			if (tc.to == Cancelled || tc.to == NoShow) != (p.StatusReason != "") {
				t.Errorf("%s: reason %q kept or dropped wrongly", name, p.StatusReason)
			}
			continue
		}
		var errs record.Errors
		if !errors.As(err, &errs) {
			t.Errorf("%s: error %v (%T), want record.Errors", name, err, err)
			continue
		}
		msg := errs.On(tc.errOn)
		if msg == "" || !strings.Contains(msg, tc.errHas) {
			t.Errorf("%s: error %q, want one on %s containing %q", name, err, tc.errOn, tc.errHas)
		}
		if p.Status != before.Status || p.StatusReason != before.StatusReason {
			t.Errorf("%s: project changed on error: %+v", name, p)
		}
	}
}

// TestStatusMatrix checks every pair of statuses against the rules as a
// person would state them, so a change to one rule shows here.
func TestStatusMatrix(t *testing.T) {
	open := func(s string) bool { return s == Planned || s == InProgress }
	for _, from := range statuses {
		for _, to := range statuses {
			want := from == to || open(from)
			p := record.Project{Status: from}
			err := SetStatus(&p, to, "a reason")
			if (err == nil) != want {
				t.Errorf("%s → %s: err %v, want allowed %v", from, to, err, want)
			}
		}
	}
}

func TestReopen(t *testing.T) {
	p := record.Project{Status: Done}
	if err := Reopen(&p); err != nil || p.Status != InProgress {
		t.Fatalf("Reopen(done) = %v, status %q", err, p.Status)
	}
	// Reopened, it is open again: it can be finished or cancelled.
	if err := SetStatus(&p, Done, ""); err != nil {
		t.Errorf("done after reopen: %v", err)
	}
	for _, s := range []string{Planned, InProgress, Cancelled, NoShow, ""} {
		p := record.Project{Status: s, StatusReason: "why"}
		err := Reopen(&p)
		var errs record.Errors
		if !errors.As(err, &errs) || errs.On("status") == "" {
			t.Errorf("Reopen(%q) = %v, want an error on status", s, err)
		}
		if p.Status != s || p.StatusReason != "why" {
			t.Errorf("Reopen(%q) changed the project to %+v", s, p)
		}
	}
}

// TestStatusErrorLabel: messages start with the label a form shows, as
// record.Validate's do.
func TestStatusErrorLabel(t *testing.T) {
	p := record.Project{Status: Planned}
	err := SetStatus(&p, Cancelled, "")
	if !strings.HasPrefix(err.Error(), "reason: ") {
		t.Errorf("error %q does not start with the field's label", err)
	}
	p.Status = strings.Repeat("ü", 300)
	err = SetStatus(&p, Planned, "")
	if n := len([]rune(err.Error())); n > 200 {
		t.Errorf("error for a long unknown status is %d characters", n)
	}
}
