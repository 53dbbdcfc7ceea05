package remind

import "testing"

func TestRender(t *testing.T) {
	values := map[string]string{"client": "Ann Lee", "pet": "Bella", "date": "Tue 9 Jun", "time": "10:30"}
	for _, c := range []struct{ name, tmpl, want string }{
		{"all", "Hi {client}, {pet} on {date} at {time}", "Hi Ann Lee, Bella on Tue 9 Jun at 10:30"},
		{"repeated", "{pet} {pet}", "Bella Bella"},
		{"unknown kept", "Hi {cleint}", "Hi {cleint}"},
		{"unclosed", "Hi {client", "Hi {client"},
		{"none", "Hello", "Hello"},
		{"empty", "", ""},
		{"braces in value", "{x}", "{x}"},
		{"adjacent", "{client}{pet}", "Ann LeeBella"},
	} {
		if got := Render(c.tmpl, values); got != c.want {
			t.Errorf("%s: Render(%q) = %q, want %q", c.name, c.tmpl, got, c.want)
		}
	}
}

func TestTemplate(t *testing.T) {
	if got := Template(Appointment, "  "); got != Defaults[Appointment] {
		t.Errorf("blank custom template: got %q, want the default", got)
	}
	if got := Template(Vaccination, "Mine {pet}"); got != "Mine {pet}" {
		t.Errorf("custom template: got %q", got)
	}
	for _, k := range []Kind{Appointment, DueAgain, Vaccination} {
		if Defaults[k] == "" {
			t.Errorf("no default template for %s", k)
		}
	}
}

func TestReach(t *testing.T) {
	phones := []string{"+44 7700 900-123"}
	emails := []string{"ann@example.com"}
	for _, c := range []struct {
		name           string
		preferred      string
		phones, emails []string
		href, channel  string
		why            bool
	}{
		{"sms preferred", "sms", phones, emails, "sms:+447700900123?body=Hi%20%26%20bye", "text", false},
		{"no preference", "", phones, emails, "sms:+447700900123?body=Hi%20%26%20bye", "text", false},
		{"email preferred", "email", phones, emails, "mailto:ann@example.com?subject=Re%3A%20Bella&body=Hi%20%26%20bye", "email", false},
		{"email preferred, no email", "email", phones, nil, "sms:+447700900123?body=Hi%20%26%20bye", "text", false},
		{"phone, no phone", "phone", nil, emails, "mailto:ann@example.com?subject=Re%3A%20Bella&body=Hi%20%26%20bye", "email", false},
		{"no contact", "none", phones, emails, "", "", true},
		{"nothing on the card", "sms", nil, nil, "", "", true},
		{"blank phone", "sms", []string{" - "}, nil, "", "", true},
	} {
		w := Reach(c.preferred, c.phones, c.emails, "Re: Bella", "Hi & bye")
		if w.Href != c.href || w.Channel != c.channel || (w.Why != "") != c.why {
			t.Errorf("%s: got %+v, want href %q channel %q (why: %v)", c.name, w, c.href, c.channel, c.why)
		}
	}
}
