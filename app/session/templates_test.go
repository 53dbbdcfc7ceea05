//go:build !js

package session

import (
	"context"
	"strings"
	"testing"

	"pawfile/shared/access"
	"pawfile/shared/record"
	"pawfile/shared/remind"
)

// Issue 17: the owner edits the message for tomorrow's appointments; one
// with a placeholder the list cannot fill is refused, naming it; the
// front desk's Reminders list uses the new message, may not change it,
// and a message put back to the default is saved blank.
func TestReminderTemplates(t *testing.T) {
	ctx := context.Background()
	srv := newRealServer(t)
	owner := srv.owner("owner@example.com")
	desk := srv.join(owner, access.FrontDesk, "desk@example.com")
	if err := owner.SetBusinessName(ctx, "Pawfect"); err != nil {
		t.Fatal(err)
	}
	bad := ReminderTemplates{remind.Appointment: "Hi {client}, {pet} at {tiem}"}
	if err := owner.SaveReminderTemplates(ctx, nil, bad); err == nil || !strings.Contains(err.Error(), "{tiem}") {
		t.Errorf("a template with {tiem}: %v, want refused naming it", err)
	}
	mine := ReminderTemplates{remind.Appointment: "{business}: see {pet} on {date} at {time}, {client}!",
		remind.Vaccination: remind.Defaults[remind.Vaccination]}
	if err := owner.SaveReminderTemplates(ctx, nil, mine); err != nil {
		t.Fatal(err)
	}
	if got := owner.ReminderTemplates(); got[remind.Vaccination] != "" || got[remind.DueAgain] != "" || got[remind.Appointment] != mine[remind.Appointment] {
		t.Errorf("saved templates = %q", got)
	}
	waitFor(t, "the message on the front desk's tablet", func() bool {
		return desk.ReminderTemplates()[remind.Appointment] == mine[remind.Appointment]
	})
	shown := desk.ReminderTemplates()
	if err := desk.SaveReminderTemplates(ctx, &shown, ReminderTemplates{remind.Appointment: "Mine"}); err == nil {
		t.Error("the front desk changed the reminder messages")
	}

	ann, bella := household(t, desk, "Ann", record.Pet{Name: "Bella"})
	if err := desk.SaveClient(ctx, ann, nil, &record.Client{Name: "Ann", Phones: []string{"07700 900123"}}); err != nil {
		t.Fatal(err)
	}
	const today, tomorrow = "2026-04-10", "2026-04-11"
	p := groom(ann, bella, at(t, tomorrow, 10, 30), at(t, tomorrow, 11, 30))
	if _, err := desk.SaveProject(ctx, record.NewID(), nil, &p); err != nil {
		t.Fatal(err)
	}
	list := desk.Reminders(today)
	const want = "Pawfect: see Bella on Sat 11 Apr at 10:30, Ann!"
	if len(list) != 1 || list[0].Message != want {
		t.Fatalf("the desk's reminders = %+v, want one: %q", list, want)
	}

	// Put back to the default, on both tablets.
	if err := owner.SaveReminderTemplates(ctx, &mine, ReminderTemplates{remind.Appointment: remind.Defaults[remind.Appointment]}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the default message on the front desk's tablet", func() bool {
		return desk.ReminderTemplates()[remind.Appointment] == ""
	})
	if list := desk.Reminders(today); len(list) != 1 || !strings.HasPrefix(list[0].Message, "Hello Ann, a reminder that Bella is booked") {
		t.Errorf("the desk's reminders with the default message = %+v", list)
	}
}
