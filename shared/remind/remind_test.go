package remind

import (
	"strings"
	"testing"
)

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
		{"whatsapp preferred", "whatsapp", phones, emails, "https://wa.me/447700900123?text=Hi%20%26%20bye", "text", false},
		{"whatsapp preferred, 00 prefix", "whatsapp", []string{"0033 6 12 34 56 78"}, nil, "https://wa.me/33612345678?text=Hi%20%26%20bye", "text", false},
		{"whatsapp preferred, no country code", "whatsapp", []string{"07700 900123"}, nil, "sms:07700900123?body=Hi%20%26%20bye", "text", false},
		{"post preferred", "post", phones, emails, "", "", true},
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

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		name string
		kind Kind
		tmpl string
		want string // in the error; "" for none
	}{
		{"blank is the default", Appointment, "", ""},
		{"every placeholder it knows", Appointment, "{client} {pet} {date} {time} {business}", ""},
		{"no placeholder", DueAgain, "Time for a groom!", ""},
		{"vaccine in its own message", Vaccination, "{pet}'s {vaccine} runs out {date}", ""},
		{"a typo is named", Appointment, "Hi {cleint}, see you {date}", "an unknown placeholder {cleint}; use only {client} {pet} {date} {time} {business}"},
		{"time in a message with no time", Vaccination, "{pet} at {time}", "Vaccination due: an unknown placeholder {time}"},
		{"vaccine in an appointment", Appointment, "{vaccine}", "{vaccine}"},
		{"two unknown, each named once", DueAgain, "{a} {b} {a}", "unknown placeholders {a} {b}"},
		{"empty braces", DueAgain, "{}", "an unknown placeholder {}"},
		{"an unclosed brace is text", DueAgain, "Hi {client", ""},
		{"too long", DueAgain, strings.Repeat("x", MaxLen+1), "shorten it to at most 600"},
		{"as long as may be", DueAgain, strings.Repeat("é", MaxLen), ""},
		{"no such kind", Kind("birthday"), "", "no such reminder"},
	} {
		err := Check(c.kind, c.tmpl)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: got %v, want an error with %q", c.name, err, c.want)
		}
	}
	for _, k := range Kinds {
		if err := Check(k, Defaults[k]); err != nil {
			t.Errorf("the default %s template: %v", k, err)
		}
		if got := Render(Defaults[k], Sample); strings.Contains(got, "{") {
			t.Errorf("the %s preview leaves a placeholder: %q", k, got)
		}
	}
}
