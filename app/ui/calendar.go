package ui

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
	"pawfile/shared/record"
	"pawfile/shared/schedule"
)

// The day view's grid: half-hour slots, each a touch target tall.
const (
	slotMinutes = 30
	slotPx      = 48
	firstHour   = 7  // the grid shows at least 07:00…
	lastHour    = 20 // …to 20:00, and stretches to any booking outside
)

// calendar is the day and week views: a column per staff member (a row
// in the week), bookings to open, empty slots to book, clashes flagged.
type calendar struct {
	app.Compo
	week bool
	day  record.Date
	err  string
	move app.Func
	// loaded: OnNav has read the view and day from the address.
	loaded bool
}

func (c *calendar) OnMount(ctx app.Context) {
	loadStaffNames(ctx)
	// A booking dragged on the day view (see pawfileDrag in
	// shared/pagescript) is moved here, in the background: this is called
	// from the browser's pointerup.
	c.move = app.FuncOf(func(_ app.Value, args []app.Value) any {
		if len(args) < 4 {
			return nil
		}
		id, minutes, from, to := args[0].String(), args[1].Int(), args[2].String(), args[3].String()
		ctx.Async(func() {
			err := current.MoveProject(context.Background(), id, time.Duration(minutes)*time.Minute, from, to)
			ctx.Dispatch(func(ctx app.Context) {
				c.err = ""
				if err != nil {
					c.err = "The booking was not moved: " + err.Error() + "."
				}
			})
		})
		return nil
	})
	app.Window().Set("pawfileMove", c.move)
	app.Window().Call("pawfileDrag", slotPx, slotMinutes)
}

func (c *calendar) OnDismount() {
	app.Window().Set("pawfileMove", nil)
	if c.move != nil {
		c.move.Release()
	}
}

func (c *calendar) OnNav(ctx app.Context) {
	if current.Phase() != session.Open {
		toUnlock(ctx)
		return
	}
	q := ctx.Page().URL().Query()
	c.week = q.Get("view") == "week"
	c.day = record.Date(q.Get("date"))
	if !c.day.Valid() {
		c.day = today()
	}
	c.loaded = true
}

// href is the calendar's address for a view and day.
func calHref(week bool, d record.Date) string {
	v := "day"
	if week {
		v = "week"
	}
	return "/calendar?view=" + v + "&date=" + string(d)
}

func shift(d record.Date, days int) record.Date { return record.DateOf(d.Time().AddDate(0, 0, days)) }

func (c *calendar) Render() app.UI {
	if !c.loaded {
		return opening()
	}
	step := 1
	if c.week {
		step = 7
	}
	zone := current.Zone()
	var w schedule.Window
	var err error
	if c.week {
		w, err = schedule.Week(c.day, time.Monday, zone)
	} else {
		w, err = schedule.Day(c.day, zone)
	}
	heading := c.day.Time().Format("Monday 2 January 2006")
	if c.week {
		heading = "Week of " + w.Start.Format("2 January 2006")
	}
	var body app.UI
	var clashes []schedule.Conflict
	if err != nil {
		body = app.Div().Class("alert").Attr("role", "alert").Text("This day cannot be shown: " + err.Error())
	} else {
		clashes = current.ConflictsIn(w)
		clashed := map[string]bool{}
		for _, cl := range clashes {
			clashed[cl.A.ID], clashed[cl.B.ID] = true, true
		}
		cols := current.Agenda(w, current.Staff())
		if c.week {
			body = weekGrid(w, cols, clashed)
		} else {
			body = dayGrid(c.day, w, cols, clashed)
		}
	}
	return &frame{Here: "/calendar", Content: []app.UI{
		app.Div().Class("row", "cal-head").Body(
			app.H1().Text(heading),
			app.Div().Class("tabs").Attr("role", "group").Aria("label", "View").Style("margin", "0 0 0 auto").Body(
				app.A().Class("button").Aria("current", !c.week).Href(calHref(false, c.day)).Text("Day"),
				app.A().Class("button").Aria("current", c.week).Href(calHref(true, c.day)).Text("Week"),
			),
		),
		app.Nav().Class("actions", "cal-nav").Aria("label", "Dates").Body(
			app.A().Class("button").Href(calHref(c.week, shift(c.day, -step))).Aria("label", map[bool]string{true: "Previous week", false: "Previous day"}[c.week]).Text("‹ Previous"),
			app.A().Class("button").Href(calHref(c.week, today())).Text("Today"),
			app.A().Class("button").Href(calHref(c.week, shift(c.day, step))).Aria("label", map[bool]string{true: "Next week", false: "Next day"}[c.week]).Text("Next ›"),
		),
		app.If(!c.week, func() app.UI {
			return app.P().Class("hint").Text("Tap an empty slot to book it; drag a booking to move it to another time or person.")
		}),
		app.If(c.err != "", func() app.UI { return app.Div().Class("alert").Attr("role", "alert").Text(c.err) }),
		app.If(len(clashes) > 0, func() app.UI {
			return app.Div().Class("alert", "warn").Attr("role", "alert").Body(
				app.Strong().Text("Overlaps:"),
				app.Range(clashes).Slice(func(i int) app.UI {
					return app.Div().Body(app.Text(clashText(clashes[i])+" — "), bookingLink(clashes[i].A), app.Text(", "), bookingLink(clashes[i].B))
				}),
			)
		}),
		body,
	}}
}

// dayGrid lays the day out in half-hour slots, one column per staff
// member. Positions are in elapsed time from the day's start, so on the
// day the clocks change the labels say which hour is missing or twice.
func dayGrid(d record.Date, w schedule.Window, cols []schedule.Column, clashed map[string]bool) app.UI {
	from, to := dayRange(w, cols)
	var slots []int // minutes from the day's start
	for m := from; m < to; m += slotMinutes {
		slots = append(slots, m)
	}
	height := strconv.Itoa(len(slots)*slotPx) + "px"
	at := func(m int) time.Time { return w.Start.Add(time.Duration(m) * time.Minute) }
	return app.Div().Class("cal-day").Body(
		app.Div().Class("cal-times").Aria("hidden", "true").Body(
			app.Div().Class("cal-colhead").Text(""),
			app.Div().Class("cal-body").Style("height", height).Body(
				app.Range(slots).Slice(func(i int) app.UI {
					return app.Div().Class("cal-time").Text(at(slots[i]).Format("15:04"))
				}),
			),
		),
		app.Range(cols).Slice(func(i int) app.UI {
			col := cols[i]
			who := staffLabel(col.Staff)
			return app.Section().Class("cal-col").DataSet("staff", col.Staff).Aria("label", who).Body(
				app.H2().Class("cal-colhead").Text(who),
				app.Div().Class("cal-body").Style("height", height).Body(
					app.Range(slots).Slice(func(j int) app.UI {
						t := at(slots[j])
						q := "?date=" + string(d) + "&time=" + t.Format("15:04") + "&staff=" + col.Staff
						return app.A().Class("cal-slot").Href("/projects/new"+q).Aria("label", "New booking at "+t.Format("15:04")+" for "+who)
					}),
					app.Range(col.Bookings).Slice(func(j int) app.UI {
						b := col.Bookings[j]
						s, e := span(b, w)
						// Not draggable as a link: dragScript moves it.
						return bookingBlock(b, clashed[b.ID]).DataSet("id", b.ID).Attr("draggable", "false").
							Style("top", strconv.Itoa((s-from)*slotPx/slotMinutes)+"px").
							Style("height", strconv.Itoa(max((e-s)*slotPx/slotMinutes-2, 0))+"px")
					}),
				),
			)
		}),
	)
}

// dayRange is the part of day w the grid shows, in minutes from the
// day's start: from firstHour to lastHour on the day's clock (an hour
// more or less after midnight when the clocks change), stretched by
// whole slots to every booking in cols, up to the day's edges.
func dayRange(w schedule.Window, cols []schedule.Column) (from, to int) {
	y, m, d := w.Start.Date()
	hour := func(h int) int { return int(time.Date(y, m, d, h, 0, 0, 0, w.Start.Location()).Sub(w.Start).Minutes()) }
	from, to = hour(firstHour), hour(lastHour)
	for _, c := range cols {
		for _, b := range c.Bookings {
			s, e := span(b, w)
			from, to = min(from, s/slotMinutes*slotMinutes), max(to, e)
		}
	}
	to = min((to+slotMinutes-1)/slotMinutes*slotMinutes, dayMinutes(w))
	return min(from, to), to
}

// span is booking b's place in day w, in minutes from the day's start,
// cut at the day's edges (a booking from the evening before shows from
// midnight). A booking lasts at least a slot there, so that one with no
// end is still a target.
func span(b schedule.Booking, w schedule.Window) (start, end int) {
	s := int((b.Start.UnixMilli - w.Start.UnixMilli()) / 60000)
	e := int((max(b.End.UnixMilli, b.Start.UnixMilli+slotMinutes*60000) - w.Start.UnixMilli()) / 60000)
	return max(s, 0), min(e, dayMinutes(w))
}

// dayMinutes is how long day w lasts: 23 or 25 hours when the clocks
// change.
func dayMinutes(w schedule.Window) int { return int(w.End.Sub(w.Start).Minutes()) }

// bookingBlock is a booking as the calendar shows it: a link to open it.
func bookingBlock(b schedule.Booking, clash bool) app.HTMLA {
	p, _ := current.Project(b.ID)
	classes := []string{"cal-booking", "st-" + b.Status}
	if clash {
		classes = append(classes, "clash")
	}
	var pets []string
	var alerts []record.Alert // named, as Today names them: the groomer needs the allergy, not that there is one
	for _, pet := range current.PetsOf(p.Client) {
		for _, id := range b.Pets {
			if id == pet.ID {
				pets = append(pets, pet.Name)
				for _, a := range pet.Alerts {
					if len(b.Pets) > 1 {
						a.Text = pet.Name + ": " + a.Text
					}
					alerts = append(alerts, a)
				}
			}
		}
	}
	return app.A().Class(classes...).Href("/projects/"+b.ID).Body(
		app.Span().Class("cal-when").Text(clockRange(b.Start, b.End)),
		app.If(clash, func() app.UI { return app.Span().Class("badge", "allergy").Text("overlap") }),
		app.Range(alerts).Slice(func(i int) app.UI {
			return app.Span().Class("badge", string(alerts[i].Kind)).Text(alerts[i].Text)
		}),
		app.Span().Class("cal-title").Text(p.Title+prefix(" · ", strings.Join(pets, ", "))),
		app.Span().Class("cal-client").Text(p.ClientName),
		app.Span().Class("sr-only").Text(", "+statusLabel(b.Status)), // shown by its colours
		// A finger drags a booking by its grip (see dragScript) and
		// scrolls the day anywhere else on it.
		app.Span().Class("grip").Aria("hidden", "true").Text("⠿"),
	)
}

// weekGrid is the week: a row per staff member, a column per day; a cell
// lists that day's bookings and offers to book one more.
func weekGrid(w schedule.Window, cols []schedule.Column, clashed map[string]bool) app.UI {
	var days []time.Time
	for t := w.Start; t.Before(w.End) && len(days) < 7; t = t.AddDate(0, 0, 1) {
		days = append(days, t)
	}
	// Divs with table roles: go-app's table elements would add their
	// element types (some 100 KB each) to the wasm for this one grid.
	return app.Div().Class("cal-week-wrap").Body(app.Div().Class("cal-week").Attr("role", "table").Aria("label", "Bookings by staff and day").Body(
		app.Div().Class("cal-wrow").Attr("role", "row").Body(
			app.Div().Class("cal-wh").Attr("role", "columnheader").Text("Staff"),
			app.Range(days).Slice(func(i int) app.UI {
				return app.Div().Class("cal-wh").Attr("role", "columnheader").Body(
					app.A().Href(calHref(false, record.DateOf(days[i]))).Text(days[i].Format("Mon 2")))
			}),
		),
		app.Range(cols).Slice(func(i int) app.UI {
			col := cols[i]
			who := staffLabel(col.Staff)
			return app.Div().Class("cal-wrow").Attr("role", "row").Body(
				app.Div().Class("cal-wstaff").Attr("role", "rowheader").Text(who),
				app.Range(days).Slice(func(j int) app.UI {
					d := record.DateOf(days[j])
					var in []schedule.Booking
					for _, b := range col.Bookings {
						if record.DateOf(b.Start.Time().In(days[j].Location())) == d {
							in = append(in, b)
						}
					}
					return app.Div().Class("cal-wcell").Attr("role", "cell").Body(
						app.Range(in).Slice(func(k int) app.UI { return bookingBlock(in[k], clashed[in[k].ID]) }),
						app.A().Class("cal-add").Href("/projects/new?date="+string(d)+"&time=09:00&staff="+col.Staff).
							Aria("label", "New booking on "+days[j].Format("Monday 2 January")+" for "+who).Text("+"),
					)
				}),
			)
		}),
	))
}
