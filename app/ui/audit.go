package ui

import (
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
	"pawfile/shared/access"
	"pawfile/shared/record"
)

// auditScreen is the owner's audit trail: who opened, exported or printed
// which client's records, from every device, newest first, and whether
// each device's chain of entries is whole.
type auditScreen struct {
	app.Compo
	trail  session.Trail
	loaded bool
	err    string
	ui     app.Context
}

// auditShown bounds the entries listed: the latest are what an owner
// checks; the chains cover them all.
const auditShown = 200

func (a *auditScreen) OnMount(ctx app.Context) { a.ui = ctx }

func (a *auditScreen) OnNav(ctx app.Context) {
	if current.Phase() != session.Open {
		toUnlock(ctx)
		return
	}
	if current.Role() != access.Owner {
		a.loaded, a.err = true, "Only the owner sees the audit trail."
		return
	}
	// Reading the trail opens every record on the device once.
	ctx.Async(func() {
		t, err := current.AuditTrail()
		a.ui.Dispatch(func(ctx app.Context) {
			a.trail, a.loaded, a.err = t, true, ""
			if err != nil {
				a.err = "The audit trail could not be read: " + err.Error() + "."
			}
		})
	})
}

func (a *auditScreen) Render() app.UI {
	status, alert := "Reading the audit trail…", a.err
	if a.loaded {
		status = ""
	}
	var chains, entries []app.UI
	latest := map[string]*record.AuditEntry{} // each device's latest entry, for its name
	for _, e := range a.trail.Entries {
		if _, ok := latest[e.Entry.Device]; !ok {
			latest[e.Entry.Device] = e.Entry
		}
		if len(entries) < auditShown {
			entries = append(entries, app.Li().Text(entryText(e)))
		}
	}
	broken := 0
	for _, c := range a.trail.Chains {
		name, state, text := "device "+c.Device[:min(8, len(c.Device))], "chain-ok", "chain intact"
		if e, ok := latest[c.Device]; ok {
			name = e.Login + " · " + e.DeviceName + ", " + name
		}
		if !c.Intact() {
			state, text, broken = "chain-broken", "chain broken: "+strings.Join(c.Problems, "; "), broken+1
		}
		chains = append(chains, app.Li().Class(state).Text(name+": "+thousands(c.Entries)+" "+plural(c.Entries, "entry", "entries")+
			" up to number "+strconv.FormatInt(c.Last, 10)+", "+text+"."))
	}
	if broken > 0 {
		alert = "The audit trail of " + strconv.Itoa(broken) + " " + plural(broken, "device", "devices") + " is broken: entries are missing or were altered after they were written. Find out who had that device and when; the server keeps the earlier versions of each entry."
	}
	if a.loaded && len(a.trail.Entries) > len(entries) {
		status = "The latest " + strconv.Itoa(len(entries)) + " of " + thousands(len(a.trail.Entries)) + " entries."
	}
	return &frame{Content: []app.UI{
		app.H1().Text("Audit trail"),
		app.P().Class("hint").Text("Every device records who opened a client's card, exported their data or printed an invoice, and chains its entries so that one removed or altered later shows here."),
		app.P().Attr("role", "status").Text(status),
		app.If(alert != "", func() app.UI { return app.Div().Class("alert").Attr("role", "alert").Text(alert) }),
		listCard("chains", "Devices", chains),
		listCard("entries", "Recent entries", entries),
	}}
}

// listCard is a card titled title holding a list of items, of class
// name.
func listCard(name, title string, items []app.UI) app.UI {
	return app.Section().Class("card").Aria("labelledby", name+"-title").Body(
		app.H2().ID(name+"-title").Text(title),
		app.Ul().Class("list", "plain", name).Body(items...),
	)
}

// entryText is one entry: when, who did what to which client, on which
// device, and its number in the device's chain.
func entryText(e session.AuditEntry) string {
	what := map[string]string{session.ViewOpen: "opened the card of", session.ViewExport: "exported the data of", session.ViewPrint: "printed an invoice for"}[e.Entry.Action]
	if what == "" {
		what = e.Entry.Action + ":" // written by a newer app
	}
	client := e.ClientName
	if client == "" {
		client = "a client no longer on this device"
	}
	return e.Entry.At.Time().In(time.Local).Format("2 Jan 2006, 15:04:05") + " · " + e.Entry.Login + " " + what + " " + client +
		" · " + e.Entry.DeviceName + ", device " + e.Entry.Device[:min(8, len(e.Entry.Device))] + ", entry " + strconv.FormatInt(e.Entry.Seq, 10)
}
