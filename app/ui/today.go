package ui

import (
	"cmp"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
	"pawfile/shared/record"
	"pawfile/shared/schedule"
)

// todayList is the van screen: today's bookings in time order, each with
// the client's address and the pets' care alerts in plain sight.
type todayList struct {
	app.Compo
}

// OnMount loads the staff's names; the list itself is read in Render,
// so it follows changes as its frame re-renders it.
func (t *todayList) OnMount(ctx app.Context) {
	loadStaffNames(ctx)
	// "On my way" says when the groomer arrives, from now: kept current.
	ctx.Async(func() {
		tick := time.NewTicker(30 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				ctx.Dispatch(func(ctx app.Context) {})
			}
		}
	})
}

func (t *todayList) OnNav(ctx app.Context) {
	if current.Phase() != session.Open {
		toUnlock(ctx)
	}
}

// dayBookings returns the bookings shown on day d, each once, in time
// order (by start, then end, then id, as schedule.Agenda orders a column).
func dayBookings(d record.Date) []schedule.Booking {
	w, err := schedule.Day(d, current.Zone())
	if err != nil {
		return nil
	}
	var out []schedule.Booking
	seen := map[string]bool{}
	for _, c := range current.Agenda(w, nil) {
		for _, b := range c.Bookings {
			if !seen[b.ID] {
				seen[b.ID] = true
				out = append(out, b)
			}
		}
	}
	// Indices are sorted, not bookings: a sort of another element type
	// would compile its own copy of the generic sort into the wasm.
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(j, k int) int {
		x, y := &out[j], &out[k]
		return cmp.Or(cmp.Compare(x.Start.UnixMilli, y.Start.UnixMilli), cmp.Compare(x.End.UnixMilli, y.End.UnixMilli), strings.Compare(x.ID, y.ID))
	})
	sorted := make([]schedule.Booking, len(out))
	for i, j := range idx {
		sorted[i] = out[j]
	}
	return sorted
}

func (t *todayList) Render() app.UI {
	d := today()
	bs := dayBookings(d)
	return &frame{Content: []app.UI{
		app.Div().Class("row").Body(
			app.H1().Text("Today · "+d.Time().Format("Monday 2 January")),
			app.A().Class("button").Style("margin-left", "auto").Href("/calendar").Text("Calendar"),
			app.If(current.Role().CanRead(record.ClassClient), func() app.UI {
				return app.A().Class("button").Href("/lapsed").Text("Lapsed clients")
			}),
		),
		app.If(len(bs) == 0, func() app.UI { return app.P().Class("empty").Text("Nothing booked today.") }),
		app.Ul().Class("list", "today").Aria("label", "Today's bookings").Body(
			app.Range(bs).Slice(func(i int) app.UI { return todayItem(bs[i]) }),
		),
	}}
}

func todayItem(b schedule.Booking) app.UI {
	p, _ := current.Project(b.ID)
	var c record.Client
	current.LoadClient(p.Client, &c) // a groomer's role cannot read clients: no name or address then
	var pets []session.PetSummary
	for _, pet := range current.PetsOf(p.Client) {
		if slices.Contains(b.Pets, pet.ID) {
			pets = append(pets, pet)
		}
	}
	var staff []string
	for _, id := range b.Staff {
		staff = append(staff, staffLabel(id))
	}
	closed := b.Status == schedule.Cancelled || b.Status == schedule.NoShow
	return app.Li().Class(map[bool]string{true: "closed", false: ""}[closed]).Body(app.A().Href("/projects/"+b.ID).Body(
		app.Span().Class("when").Text(clockRange(b.Start, b.End)+" · "+statusLabel(b.Status)),
		app.Span().Class("client-name").Text(cmpOr(c.Name, "Client")+" · "+p.Title),
		app.If(c.Address != "", func() app.UI { return app.Span().Class("sub", "address").Text(c.Address) }),
		app.Range(pets).Slice(func(i int) app.UI {
			return app.Div().Class("pet").Body(app.Span().Class("pet-name").Text(pets[i].Name), alertBadges(pets[i].Alerts))
		}),
		app.If(len(staff) > 0, func() app.UI { return app.Span().Class("sub").Text("With " + strings.Join(staff, ", ")) }),
	), app.If(!closed, func() app.UI { return roadLinks(c, time.Now()) }))
}

// travelMinutes are the journey times "On my way" offers to announce.
var travelMinutes = []int{10, 20, 30}

// roadLinks are the links a groomer on the road taps for a client: the
// address in maps, a call, a text, and "On my way" with the time of
// arrival from now. Each is opened by the tablet (its maps, phone and
// messages apps): nothing goes through our server. A groomer whose role
// cannot read clients has none of them.
//
// The map is a Google Maps URL (https://www.google.com/maps/search/?api=1):
// Android opens it in Google Maps, an iPad in Google Maps if installed and
// else in the browser, where it still shows the way. A geo: link has no
// handler on iPadOS and a maps.apple.com link leaves Android in a browser.
func roadLinks(c record.Client, now time.Time) app.UI {
	phone := dialable(c.Phones)
	if c.Address == "" && phone == "" {
		return app.Text("")
	}
	var links []app.UI
	if c.Address != "" {
		links = append(links, app.A().Class("button").Href(mapsURL(c.Address)).Target("_blank").Rel("noopener").
			Aria("label", "Navigate to "+c.Address).Text("Navigate"))
	}
	if phone != "" {
		name := cmpOr(c.Name, "the client")
		links = append(links,
			app.A().Class("button").Href("tel:"+phone).Aria("label", "Call "+name).Text("Call"),
			app.A().Class("button").Href(smsURL(phone, "")).Aria("label", "Text "+name).Text("Text"),
		)
		for _, m := range travelMinutes {
			links = append(links, app.A().Class("button").Href(smsURL(phone, onMyWay(now, m))).
				Aria("label", "On my way · "+strconv.Itoa(m)+" min: text "+name+" you arrive about "+now.Add(time.Duration(m)*time.Minute).Format("15:04")).Text("On my way · "+strconv.Itoa(m)+" min"))
		}
	}
	return app.Div().Class("road").Body(links...)
}

// mapsURL is a Google Maps search for an address (see roadLinks).
func mapsURL(address string) string {
	return "https://www.google.com/maps/search/?api=1&query=" + url.QueryEscape(address)
}

// smsURL is a text to phone, with body when it is not "". "?&body=" is
// read by both Android ("?body=") and iOS ("&body="); spaces are %20, as
// iOS shows a "+" as typed.
func smsURL(phone, body string) string {
	if body == "" {
		return "sms:" + phone
	}
	return "sms:" + phone + "?&body=" + url.PathEscape(body)
}

// onMyWay is the text that says the groomer is on the way, arriving
// minutes after now, at the tablet's clock.
func onMyWay(now time.Time, minutes int) string {
	return "On my way, arriving about " + now.Add(time.Duration(minutes)*time.Minute).Format("15:04")
}

// dialable is the client's first phone number as a tel: link dials it:
// its digits, with a leading + kept; "" when there is none.
func dialable(phones []string) string {
	for _, p := range phones {
		var b strings.Builder
		for i, r := range strings.TrimSpace(p) {
			if r >= '0' && r <= '9' || r == '+' && i == 0 {
				b.WriteRune(r)
			}
		}
		if n := b.String(); strings.Trim(n, "+") != "" {
			return n
		}
	}
	return ""
}

// lapsedList is the front desk's list of clients who stopped coming.
type lapsedList struct {
	app.Compo
}

func (l *lapsedList) OnNav(ctx app.Context) {
	if current.Phase() != session.Open {
		toUnlock(ctx)
	}
}

func (l *lapsedList) Render() app.UI {
	list := current.Lapsed(today())
	return &frame{Content: []app.UI{
		app.H1().Text("Lapsed clients"),
		app.P().Class("hint").Text("Not groomed for twice their pet's grooming interval (12 weeks without one) and not booked. Clients marked do not book are left out."),
		app.If(len(list) == 0, func() app.UI { return app.P().Class("empty").Text("No lapsed clients.") }),
		app.Ul().Class("list").Aria("label", "Lapsed clients").Body(
			app.Range(list).Slice(func(i int) app.UI {
				c := list[i]
				return app.Li().Body(app.A().Href("/clients/"+c.Client).Body(
					app.Span().Class("client-name").Text(cmpOr(c.Name, strings.Join(c.PetNames, ", "))),
					app.Span().Class("sub").Text(strings.Join(c.PetNames, ", ")+" · last visit "+c.Last.Time().Format("2 Jan 2006")),
				))
			}),
		),
	}}
}
