package session

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"pawfile/shared/order"
	"pawfile/shared/record"
	"pawfile/shared/remind"
	"pawfile/shared/schedule"
)

// DueAgainDays is how far ahead a pet due again is worth a reminder: a
// week's notice to find a slot.
const DueAgainDays = 7

// remindedPrefix starts the contact log's summary of a sent reminder;
// the rest is the message, which tells one reminder from another.
const remindedPrefix = "reminder sent: "

// Reminder is one message to send a client, as the reminders list shows it.
type Reminder struct {
	Client, ClientName string
	Kind               remind.Kind
	About              string // what it is about, for the list: "Tomorrow 10:30 · Bella"
	Message            string
	remind.Way                   // how to send it; no Href when the client cannot be reached
	Reminded           time.Time // when this message was sent; zero if not yet
}

// Reminders lists, for day today, the reminders to send: tomorrow's
// appointments, pets due again within DueAgainDays and not booked, and
// vaccinations due (DueVaccinations), each with its message from the
// kind's template: the workspace's own (ReminderTemplates) or the
// default. A role that cannot read clients gets none: it has no
// phone or email to send to.
func (s *Session) Reminders(today record.Date) []Reminder {
	vaccs := s.DueVaccinations(today)
	business := s.BusinessName()
	templates := s.ReminderTemplates()
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.book == nil {
		return nil
	}
	sent := map[string]time.Time{} // client + message → when
	for _, d := range s.contactDocs {
		if msg, ok := strings.CutPrefix(d.Summary, remindedPrefix); ok {
			k, at := d.Client+"\x00"+msg, time.UnixMilli(d.When)
			if at.After(sent[k]) {
				sent[k] = at
			}
		}
	}
	var out []Reminder
	add := func(client string, k remind.Kind, about string, values map[string]string) {
		var c record.Client
		if !s.loadLocked(client, &c) {
			return
		}
		values["client"], values["business"] = c.Name, business
		msg := remind.Render(templates.template(k), values)
		out = append(out, Reminder{
			Client: client, ClientName: c.Name, Kind: k, About: about, Message: msg,
			Way:      remind.Reach(c.PreferredChannel, c.Phones, c.Emails, business, msg),
			Reminded: sent[client+"\x00"+msg],
		})
	}
	tomorrow := record.DateOf(today.Time().AddDate(0, 0, 1))
	for _, d := range s.projectDocs {
		p := projectOf(d)
		if p.Status != schedule.Planned || p.Start.IsZero() || record.DateOf(p.Start.Time()) != tomorrow {
			continue
		}
		start := p.Start.Time()
		pets := s.petNamesLocked(p.Pets)
		add(p.Client, remind.Appointment, "Tomorrow "+start.Format("15:04")+" · "+cmp.Or(pets, p.Title),
			map[string]string{"pet": cmp.Or(pets, p.Title), "date": start.Format("Mon 2 Jan"), "time": start.Format("15:04")})
	}
	grooming := s.groomingLocked()
	until := record.DateOf(today.Time().AddDate(0, 0, DueAgainDays))
	for id, d := range s.petDocs {
		v := schedule.PetVisits(id, record.Pet{Client: d.Client, GroomingIntervalWeeks: d.Repeat}, grooming, today)
		if v.Due == "" || v.Due > until || !v.Next.IsZero() || v.Lapsed {
			continue
		}
		day := v.Due.Time().Format("Mon 2 Jan")
		add(d.Client, remind.DueAgain, d.Name+" due for a groom from "+day,
			map[string]string{"pet": d.Name, "date": day})
	}
	for _, v := range vaccs {
		day := v.Expires.Time().Format("Mon 2 Jan 2006")
		add(v.ClientID, remind.Vaccination, v.PetName+" · "+v.Name+" expires "+day,
			map[string]string{"pet": v.PetName, "vaccine": v.Name, "date": day})
	}
	order.Sort(out, func(a, b Reminder) int {
		return strings.Compare(string(a.Kind)+a.ClientName+a.Client+a.About, string(b.Kind)+b.ClientName+b.Client+b.About)
	})
	return out
}

// petNamesLocked joins the names of the pets with these ids.
func (s *Session) petNamesLocked(ids []string) string {
	var names []string
	for _, id := range ids {
		if n := s.petDocs[id].Name; n != "" {
			names = append(names, n)
		}
	}
	return strings.Join(names, " and ")
}

// Reminded records in r's client's contact log that r was sent, now, by
// this member: the list then marks it reminded. The message itself went
// through the tablet's own app; Pawfile cannot see whether it left.
func (s *Session) Reminded(ctx context.Context, r Reminder) error {
	if r.Channel == "" {
		return fmt.Errorf("no way to reach %s: add a phone or email to their card", cmp.Or(r.ClientName, "this client"))
	}
	err := s.LogContact(ctx, &record.ContactLog{Client: r.Client, Channel: r.Channel, Direction: "outbound", Summary: remindedPrefix + r.Message})
	if err != nil {
		return fmt.Errorf("noting the reminder to %s: %w", r.ClientName, err)
	}
	return nil
}

// ReminderTemplates are the workspace's reminder messages by kind; a
// kind missing or blank is the default (remind.Defaults).
type ReminderTemplates map[remind.Kind]string

// ReminderTemplates returns the workspace's own messages, as the owner
// saved them: "" for a kind left at the default.
func (s *Session) ReminderTemplates() ReminderTemplates {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.workspaceSettingsLocked()
	return ReminderTemplates{remind.Appointment: st.TemplateAppointment, remind.DueAgain: st.TemplateDueAgain, remind.Vaccination: st.TemplateVaccination}
}

// template is the message the reminders list fills in for kind k: the
// workspace's own, else the default, which also stands in for one that
// remind.Check refuses (from a newer app, or forged).
func (ts ReminderTemplates) template(k remind.Kind) string {
	if remind.Check(k, ts[k]) != nil {
		return remind.Defaults[k]
	}
	return remind.Template(k, ts[k])
}

// SaveReminderTemplates saves the workspace's reminder messages, changed
// from base: the messages as the screen showed them (see SaveClient).
// Each is checked by remind.Check, whose error names an unknown
// placeholder; one the same as the default is saved blank, so that it
// follows the default. Only the owner may.
func (s *Session) SaveReminderTemplates(ctx context.Context, base *ReminderTemplates, ts ReminderTemplates) error {
	if !s.Role().ManagesTeam() {
		return errors.New("only the owner changes the reminder messages: ask them")
	}
	norm := ReminderTemplates{}
	for _, k := range remind.Kinds {
		t := strings.TrimSpace(ts[k])
		if err := remind.Check(k, t); err != nil {
			return err
		}
		if t == remind.Defaults[k] {
			t = ""
		}
		norm[k] = t
	}
	set := func(st *record.Settings, ts ReminderTemplates) {
		st.TemplateAppointment, st.TemplateDueAgain, st.TemplateVaccination = ts[remind.Appointment], ts[remind.DueAgain], ts[remind.Vaccination]
	}
	if err := saveSetting(s, ctx, base, norm, set); err != nil {
		return fmt.Errorf("save the reminder messages: %w", err)
	}
	return nil
}
