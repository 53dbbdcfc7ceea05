// Package remind composes the reminders a groomer sends clients from the
// tablet: a message from a template, and the sms: or mailto: link that
// hands it to the tablet's own messaging or email app. Nothing is sent
// through Pawfile's server, so the message never leaves the device in
// clear except through the app the groomer chose.
package remind

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// Kind is what a reminder is about.
type Kind string

// The kinds of reminder, each with a template of its own.
const (
	Appointment Kind = "appointment" // an appointment tomorrow
	DueAgain    Kind = "due_again"   // a pet due for its next groom and not booked
	Vaccination Kind = "vaccination" // a vaccination expired or expiring soon
)

// Kinds lists the kinds of reminder in the order screens show them.
var Kinds = []Kind{Appointment, DueAgain, Vaccination}

// Label is what the owner's screen calls k's message.
func (k Kind) Label() string {
	switch k {
	case Appointment:
		return "Tomorrow's appointment"
	case DueAgain:
		return "Pet due again"
	case Vaccination:
		return "Vaccination due"
	}
	return string(k)
}

// Placeholders are the placeholders each kind's template may use: the
// values the reminders list fills in for it.
var Placeholders = map[Kind][]string{
	Appointment: {"client", "pet", "date", "time", "business"},
	DueAgain:    {"client", "pet", "date", "business"},
	Vaccination: {"client", "pet", "vaccine", "date", "business"},
}

// Sample are the values a template's preview is filled with, the
// business's own name aside.
var Sample = map[string]string{"client": "Ann Lee", "pet": "Bella", "date": "Tue 9 Jun", "time": "10:30", "vaccine": "Rabies"}

// MaxLen is the most characters a template may have: a few text
// messages' worth.
const MaxLen = 600

// Defaults are the templates a workspace starts with, using their kind's
// Placeholders.
var Defaults = map[Kind]string{
	Appointment: "Hello {client}, a reminder that {pet} is booked on {date} at {time}. Reply if you need to change it.",
	DueAgain:    "Hello {client}, {pet} is due for a groom from {date}. Reply with a day that suits you and we will book it.",
	Vaccination: "Hello {client}, {pet}'s {vaccine} vaccination expires on {date}. Please bring the new certificate to the next visit.",
}

// Template returns the template for kind k: custom when it is not blank,
// else the default.
func Template(k Kind, custom string) string {
	if strings.TrimSpace(custom) != "" {
		return custom
	}
	return Defaults[k]
}

// Check refuses a template for kind k that the reminders list could
// not fill in: a placeholder k does not know (a typo, or {time} in a
// message with no time), named in the message with the ones to use, or
// a template longer than MaxLen. A blank template is the default, and
// passes.
func Check(k Kind, tmpl string) error {
	known, ok := Placeholders[k]
	if !ok {
		return fmt.Errorf("no such reminder as %q", k)
	}
	if n := utf8.RuneCountInString(tmpl); n > MaxLen {
		return fmt.Errorf("%s: %d characters; shorten it to at most %d", k.Label(), n, MaxLen)
	}
	var unknown []string
	for _, name := range placeholders(tmpl) {
		if !slices.Contains(known, name) && !slices.Contains(unknown, name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	braced := func(names []string) string {
		out := make([]string, len(names))
		for i, n := range names {
			out[i] = "{" + n + "}"
		}
		return strings.Join(out, " ")
	}
	what := "an unknown placeholder"
	if len(unknown) > 1 {
		what = "unknown placeholders"
	}
	return fmt.Errorf("%s: %s %s; use only %s", k.Label(), what, braced(unknown), braced(known))
}

// placeholders returns the names of tmpl's placeholders, as Render
// reads them.
func placeholders(tmpl string) []string {
	var names []string
	for {
		open := strings.IndexByte(tmpl, '{')
		if open < 0 {
			return names
		}
		end := strings.IndexByte(tmpl[open:], '}')
		if end < 0 {
			return names
		}
		names = append(names, tmpl[open+1:open+end])
		tmpl = tmpl[open+end+1:]
	}
}

// Render fills tmpl's placeholders ({name}) from values. A placeholder
// with no value is left as written, so a typo in a template shows in the
// message the groomer reads before sending rather than vanishing.
func Render(tmpl string, values map[string]string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(tmpl, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(tmpl[open:], '}')
		if end < 0 {
			break
		}
		name := tmpl[open+1 : open+end]
		v, ok := values[name]
		if !ok {
			v = tmpl[open : open+end+1]
		}
		b.WriteString(tmpl[:open])
		b.WriteString(v)
		tmpl = tmpl[open+end+1:]
	}
	b.WriteString(tmpl)
	return b.String()
}

// Way is how a reminder reaches a client.
type Way struct {
	Href    string // sms:, mailto: or WhatsApp link; "" when there is no way
	Channel string // the contact log's channel: "text" or "email"; "" with no Href
	Via     string // what the list says it goes by: "text", "email" or "WhatsApp"
	Why     string // with no Href: why not, for the list to say
}

// Reach returns how to send body to a client whose preferred contact is
// preferred (a record.Client PreferredChannel) with these phones and
// emails. Service reminders are not marketing: marketing consent does not
// gate them, but a client who chose "no contact" ("none") gets none, and
// one who chose post gets none from the tablet. An email preference is
// honoured when there is an email, a WhatsApp one when the first phone
// has its country code (WhatsApp's link needs it); otherwise a text goes
// to the first phone, then an email to the first address.
func Reach(preferred string, phones, emails []string, subject, body string) Way {
	switch preferred {
	case "none":
		return Way{Why: "Chose no contact"}
	case "post":
		return Way{Why: "Prefers post: send it by post"}
	}
	phone := firstPhone(phones)
	email := ""
	if len(emails) > 0 {
		email = strings.TrimSpace(emails[0])
	}
	text := func() Way { return Way{Href: "sms:" + phone + "?body=" + escape(body), Channel: "text", Via: "text"} }
	mail := func() Way {
		return Way{Href: "mailto:" + email + "?subject=" + escape(subject) + "&body=" + escape(body), Channel: "email", Via: "email"}
	}
	switch {
	case preferred == "email" && email != "":
		return mail()
	case preferred == "whatsapp" && international(phone) != "":
		return Way{Href: "https://wa.me/" + international(phone) + "?text=" + escape(body), Channel: "text", Via: "WhatsApp"}
	case phone != "":
		return text()
	case email != "":
		return mail()
	}
	return Way{Why: "No phone or email on the card"}
}

// international is phone (as firstPhone gives it) in the form WhatsApp's
// links take, the country code and number in digits, or "" when phone
// does not start with its country code ("+44…" or "0044…").
func international(phone string) string {
	switch {
	case strings.HasPrefix(phone, "+"):
		return phone[1:]
	case strings.HasPrefix(phone, "00"):
		return phone[2:]
	}
	return ""
}

// firstPhone is the first phone number with its spaces and punctuation
// taken out (an sms: link holds digits and a leading +), or "".
func firstPhone(phones []string) string {
	for _, p := range phones {
		var b strings.Builder
		for i, r := range strings.TrimSpace(p) {
			if r >= '0' && r <= '9' || r == '+' && i == 0 {
				b.WriteRune(r)
			}
		}
		if b.Len() > 0 {
			return b.String()
		}
	}
	return ""
}

// escape encodes s for a link's query, spaces as %20: the messaging apps
// do not all read "+" as a space.
func escape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
