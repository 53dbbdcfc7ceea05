package session

import (
	"context"
	"strings"
	"testing"

	"pawfile/shared/record"
	"pawfile/shared/remind"
	"pawfile/shared/schedule"
	"pawfile/shared/seal"
)

// The reminders list holds tomorrow's appointments, pets due again and
// vaccinations due, each reaching its client by their preferred contact;
// sending one logs it in the client's contact log and marks it reminded.
func TestReminders(t *testing.T) {
	ctx := context.Background()
	s, st := setUp(t, "ws1", seal.NewKeyring(), 7)
	unlocked(t, s)
	ann, bella := household(t, s, "Ann", record.Pet{Name: "Bella", GroomingIntervalWeeks: 6})
	bob, rex := household(t, s, "Bob", record.Pet{Name: "Rex"})
	cat, tom := household(t, s, "Cat", record.Pet{Name: "Tom"})
	contact := func(id, preferred string, phones, emails []string) {
		var c record.Client
		s.LoadClient(id, &c)
		c.PreferredChannel, c.Phones, c.Emails = preferred, phones, emails
		if err := s.SaveClient(ctx, id, nil, &c); err != nil {
			t.Fatal(err)
		}
	}
	contact(ann, "sms", []string{"07700 900123"}, nil)
	contact(bob, "email", []string{"07700 900456"}, []string{"bob@example.com"})
	contact(cat, "none", []string{"07700 900789"}, nil) // marketing consent or not, no contact means none
	done := groom(ann, bella, at(t, "2026-03-02", 10, 0), at(t, "2026-03-02", 11, 0))
	done.Status = schedule.Done
	tomorrow := groom(bob, rex, at(t, "2026-04-11", 10, 30), at(t, "2026-04-11", 11, 30))
	for _, p := range []record.Project{done, tomorrow} {
		if _, err := s.SaveProject(ctx, record.NewID(), nil, &p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveVaccination(ctx, record.NewID(), nil, &record.Vaccination{Pet: tom, Name: "Rabies", Expires: "2026-04-20"}); err != nil {
		t.Fatal(err)
	}

	list := s.Reminders("2026-04-10")
	if len(list) != 3 {
		t.Fatalf("reminders = %+v, want 3", list)
	}
	byKind := map[remind.Kind]Reminder{}
	for _, r := range list {
		byKind[r.Kind] = r
	}
	appt, due, vacc := byKind[remind.Appointment], byKind[remind.DueAgain], byKind[remind.Vaccination]
	if appt.Client != bob || !strings.HasPrefix(appt.Href, "mailto:bob@example.com?") || appt.Channel != "email" ||
		!strings.Contains(appt.Message, "Rex") || !strings.Contains(appt.Message, "Sat 11 Apr at 10:30") {
		t.Errorf("tomorrow's appointment = %+v", appt)
	}
	if due.Client != ann || !strings.HasPrefix(due.Href, "sms:07700900123?body=Hello%20Ann") || due.Channel != "text" ||
		!strings.Contains(due.Message, "Bella is due for a groom from Mon 13 Apr") {
		t.Errorf("due again = %+v", due)
	}
	if vacc.Client != cat || vacc.Href != "" || vacc.Why == "" || !strings.Contains(vacc.Message, "Rabies") {
		t.Errorf("vaccination due, client chose no contact = %+v", vacc)
	}
	if err := s.Reminded(ctx, vacc); err == nil {
		t.Error("a reminder to a client who chose no contact was logged")
	}

	if err := s.Reminded(ctx, due); err != nil {
		t.Fatal(err)
	}
	again, _ := New(ctx, Config{Server: "http://127.0.0.1:1", Store: st})
	defer again.Lock()
	unlocked(t, again)
	log := again.ContactsOf(ann)
	if len(log) != 1 || log[0].Channel != "text" || log[0].Direction != "outbound" || log[0].Summary != "reminder sent: "+due.Message {
		t.Errorf("Ann's contact log = %+v", log)
	}
	for _, r := range again.Reminders("2026-04-10") {
		if reminded := !r.Reminded.IsZero(); reminded != (r.Kind == remind.DueAgain) {
			t.Errorf("%s reminder to %s: reminded %v", r.Kind, r.ClientName, r.Reminded)
		}
	}
}
