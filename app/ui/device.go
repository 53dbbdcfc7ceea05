package ui

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
)

// deviceScreen shows what this tablet holds and how it locks.
type deviceScreen struct {
	app.Compo
	storage session.Storage
	err     string
	saved   bool
	ui      app.Context
}

func (d *deviceScreen) OnMount(ctx app.Context) { d.ui = ctx }

func (d *deviceScreen) OnNav(ctx app.Context) {
	if current.Phase() != session.Open {
		toUnlock(ctx)
		return
	}
	ctx.Async(func() {
		st, err := current.StorageUse(context.Background())
		d.ui.Dispatch(func(ctx app.Context) {
			d.storage = st
			if err != nil {
				d.err = err.Error()
			}
		})
	})
}

var idleChoices = []time.Duration{5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 4 * time.Hour}

func (d *deviceScreen) Render() app.UI {
	idle := current.IdleLock()
	unopened := unopenedText(current.Unopened())
	return &frame{Content: []app.UI{
		app.H1().Text("This device"),
		app.Section().Class("card").Aria("labelledby", "storage-title").Body(
			app.H2().ID("storage-title").Text("Storage"),
			app.P().ID("storage").Text(storageText(d.storage)),
			app.If(!d.storage.Persistent, func() app.UI {
				return app.P().Class("hint").Text("The browser may clear this site's data when space runs low or after a week unused (Safari). Nothing is lost: your records are on the server and come back after you unlock. Installing Pawfile to the home screen makes the storage lasting.")
			}),
			app.P().Class("hint").Text(fmt.Sprintf("%d clients on this device, all encrypted.", current.ClientCount())),
		),
		app.Section().Class("card").Aria("labelledby", "unopened-title").Body(
			app.H2().ID("unopened-title").Text("Records that do not open"),
			app.Range(unopened).Slice(func(i int) app.UI {
				return app.P().ID("unopened-" + strconv.Itoa(i)).Text(unopened[i])
			}),
		),
		app.Section().Class("card").Aria("labelledby", "trust-title").Body(
			app.H2().ID("trust-title").Text("Team keys"),
			app.If(current.TrustProblem() != "", func() app.UI {
				return app.Div().Class("alert").ID("trust-problem").Attr("role", "alert").Text(current.TrustProblem())
			}).Else(func() app.UI {
				return app.P().Class("hint").Text("This device takes keys and team changes only when an owner of the workspace signed them, and checks each itself: the server cannot hand it keys of its own.")
			}),
		),
		app.Section().Class("card").Aria("labelledby", "lock-title").Body(
			app.H2().ID("lock-title").Text("Locking"),
			app.Label().For("idle").Text("Lock when not used for"),
			app.Select().ID("idle").OnChange(d.setIdle).Body(
				app.Range(idleChoices).Slice(func(i int) app.UI {
					c := idleChoices[i]
					return app.Option().Value(strconv.Itoa(int(c / time.Minute))).Selected(c == idle).Text(human(c))
				}),
			),
			app.If(d.saved, func() app.UI { return app.P().Class("note").Attr("role", "status").Text("Saved.") }),
			app.If(d.err != "", func() app.UI { return app.Div().Class("alert").Attr("role", "alert").Text(d.err) }),
		),
	}}
}

func (d *deviceScreen) setIdle(ctx app.Context, e app.Event) {
	mins, err := strconv.Atoi(ctx.JSSrc().Get("value").String())
	if err != nil {
		return
	}
	d.err, d.saved = "", false
	if err := current.SetIdleLock(context.Background(), time.Duration(mins)*time.Minute); err != nil {
		d.err = err.Error()
		return
	}
	d.saved = true
}

func storageText(s session.Storage) string {
	if s.Quota == 0 {
		return "Checking storage…"
	}
	state := "may be cleared by the browser"
	if s.Persistent {
		state = "kept by the browser"
	}
	return fmt.Sprintf("%s used of %s available; %s.", bytesText(s.Used), bytesText(s.Quota), state)
}

func bytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KB", n>>10)
}

func human(d time.Duration) string {
	if d >= time.Hour {
		if d == time.Hour {
			return "1 hour"
		}
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	}
	return fmt.Sprintf("%d minutes", int(d/time.Minute))
}

// unopenedText says what this device holds but cannot open, and what to
// do about it: nothing is dropped quietly.
func unopenedText(u session.Unopened) []string {
	if u.Records == 0 && u.Versions == 0 {
		return []string{"Every record on this device opens."}
	}
	var out []string
	if u.Records > 0 {
		out = append(out, fmt.Sprintf("%d %s on this device cannot be opened: kept as stored, not deleted, and shown in the lists as they were. "+
			"Reload Pawfile to get its latest version (another tablet may run a newer one); if the number stays, tell the workspace owner.",
			u.Records, plural(u.Records, "record", "records")))
	}
	if u.Versions > 0 {
		out = append(out, fmt.Sprintf("%d %s from other devices could not be opened: set aside, sealed, while syncing goes on. "+
			"They open by themselves once this device has the keys they need; if the number stays, ask the owner to use “Give access” for you on the Team screen.",
			u.Versions, plural(u.Versions, "change", "changes")))
	}
	return out
}
