package ui

import (
	"context"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
	"pawfile/shared/access"
	"pawfile/shared/record"
	"pawfile/shared/retention"
)

// retentionScreen is the owner's retention policy: the periods and
// automatic runs, the preview of what is due for erasure, the confirmed
// run, and the log of past runs. Reading every record for the preview
// is slow on a big book, so it is done away from the UI goroutine, when
// the screen opens and after a change; a run works out what is due again
// when it starts. The screen is plain lines of text, built with few
// elements: each go-app element chain costs the download.
type retentionScreen struct {
	app.Compo
	ui                   app.Context
	clientYears, archive string // the form's periods, as typed
	automatic            bool
	base                 session.RetentionSettings // as the form opened on them or last saved them
	preview              session.RetentionPreview
	loading              bool // the preview is being worked out
	confirming           bool // the confirm step is shown
	running              bool // a run is erasing
	log                  []session.Deletion
	err, saved, done     string
	loaded               bool       // OnNav has filled the form
	clashes              []conflict // periods changed here and on another device since base
	stop                 func()
}

func (r *retentionScreen) OnMount(ctx app.Context) {
	r.ui = ctx
	r.stop = live(ctx, func(app.Context) {
		if r.loaded {
			r.follow()
		}
	})
}

func (r *retentionScreen) OnDismount() {
	if r.stop != nil {
		r.stop()
	}
}

// settingsOf is the policy as the settings record holds it, to follow the
// owner's other devices with follow.
func settingsOf(rs session.RetentionSettings) record.Settings {
	return record.Settings{ClientYears: int64(rs.Policy.ClientYears), ArchiveYears: int64(rs.Policy.ArchiveYears), Automatic: rs.Automatic}
}

// typedSettings is the form as typed; false while a period does not read.
func (r *retentionScreen) typedSettings() (session.RetentionSettings, bool) {
	cy, err1 := strconv.Atoi(strings.TrimSpace(r.clientYears))
	ay, err2 := strconv.Atoi(strings.TrimSpace(r.archive))
	return session.RetentionSettings{Policy: retention.Policy{ClientYears: cy, ArchiveYears: ay}, Automatic: r.automatic}, err1 == nil && err2 == nil
}

// show puts st in the form and base in r.base.
func (r *retentionScreen) show(base, st record.Settings) {
	r.base = session.RetentionSettings{Policy: retention.Policy{ClientYears: int(base.ClientYears), ArchiveYears: int(base.ArchiveYears)}, Automatic: base.Automatic}
	r.clientYears, r.archive, r.automatic = strconv.FormatInt(st.ClientYears, 10), strconv.FormatInt(st.ArchiveYears, 10), st.Automatic
}

// follow brings the open policy up to date with the owner's other
// devices, as the client form does: what is not touched here takes their
// change, and the preview is worked out again; what was changed on both
// is held for the owner to choose. While a period does not read (half
// typed), it waits: the next change or the save brings it up to date.
func (r *retentionScreen) follow() {
	r.clashes = nil
	typed, ok := r.typedSettings()
	if !ok || current.Role() != access.Owner {
		return
	}
	base, form, now := settingsOf(r.base), settingsOf(typed), settingsOf(current.RetentionSettings())
	updated, clashes := follow(&base, &form, &now)
	for i := range clashes {
		clashes[i].by = current.WrittenBy(record.TypeSettings, record.SettingsID, clashes[i].field.Name)
	}
	r.clashes = clashes
	r.show(base, form)
	if len(updated) > 0 {
		r.refresh()
	}
}

// resolve keeps this form's value of the field named by the button's
// value (mine) or takes the other device's (theirs).
func (r *retentionScreen) resolve(mine bool) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		typed, ok := r.typedSettings()
		if !ok {
			r.err = "Enter each period as a whole number of years, e.g. 7."
			return
		}
		base, form := settingsOf(r.base), settingsOf(typed)
		resolveClash(r.clashes, ctx.JSSrc().Get("value").String(), mine, &base, &form)
		r.show(base, form)
		r.follow()
		if len(r.clashes) == 0 && r.err == clashMessage {
			r.err = "" // all settled: Save goes through now
		}
	}
}

func (r *retentionScreen) OnNav(ctx app.Context) {
	if current.Phase() != session.Open {
		toUnlock(ctx)
		return
	}
	loadStaffNames(ctx)
	st := current.RetentionSettings()
	r.base = st
	r.clientYears, r.archive, r.automatic = strconv.Itoa(st.Policy.ClientYears), strconv.Itoa(st.Policy.ArchiveYears), st.Automatic
	r.err, r.saved, r.done, r.confirming, r.clashes = "", "", "", false, nil
	r.loaded = true
	r.refresh()
}

// typed keeps what is typed in either period's field.
func (r *retentionScreen) typed(ctx app.Context, e app.Event) {
	v := ctx.JSSrc().Get("value").String()
	if ctx.JSSrc().Get("id").String() == "client-years" {
		r.clientYears = v
	} else {
		r.archive = v
	}
}

// refresh works out the preview and reads the log away from the UI.
func (r *retentionScreen) refresh() {
	if current.Role() != access.Owner || current.Phase() != session.Open {
		return
	}
	r.loading = true
	on := today()
	r.ui.Async(func() {
		p, err := current.RetentionPreview(on)
		log := current.Deletions()
		r.ui.Dispatch(func(ctx app.Context) {
			r.loading, r.preview, r.log = false, p, log
			if err != nil {
				r.err = err.Error()
			}
		})
	})
}

func (r *retentionScreen) save(ctx app.Context, e app.Event) {
	e.PreventDefault()
	r.err, r.saved = "", ""
	if r.follow(); len(r.clashes) > 0 {
		r.err = clashMessage
		return
	}
	rs, ok := r.typedSettings()
	if !ok {
		r.err = "Enter each period as a whole number of years, e.g. 7."
		return
	}
	if err := current.SaveRetentionSettings(context.Background(), &r.base, rs); err != nil {
		r.err = err.Error() + "."
		return
	}
	r.base = rs
	r.saved = "Settings saved; every device follows them once synced."
	r.refresh()
}

func (r *retentionScreen) run(ctx app.Context, e app.Event) {
	r.running, r.err, r.done = true, "", ""
	on := today()
	ctx.Async(func() {
		d, err := current.RetentionRun(context.Background(), on, false)
		r.ui.Dispatch(func(ctx app.Context) {
			r.running, r.confirming = false, false
			if err != nil {
				r.err = "The run stopped: " + err.Error() + ". Try again; what was erased stays erased."
			} else {
				r.done = "Erased " + deletionText(d) + ". They are gone from this device, and from the others and the server as they sync."
			}
			r.refresh()
		})
	})
}

func (r *retentionScreen) Render() app.UI {
	if !r.loaded {
		return opening()
	}
	if current.Role() != access.Owner {
		return &frame{Here: "/retention", Content: []app.UI{
			app.H1().Text("Retention"),
			app.P().Class("empty").Text("Only the owner sets how long records are kept. Archived projects are on the Archive screen, from Due."),
		}}
	}
	p := r.preview
	n, total := len(p.Clients), p.Total()
	what := "Erase " + count(n, "client") + " and " + count(total, "record")
	var act app.UI // the run's progress, its confirm step, or the button that asks for it
	switch {
	case r.running:
		act = note("Erasing " + count(total, "record") + "…")
	case r.confirming && n > 0:
		act = app.Div().Class("card", "danger-zone").Attr("role", "alertdialog").Aria("label", what+" for good?").Body(
			app.P().Text(what+" for good? They are erased here, then on every other device and on the server, with their history; it cannot be undone. The deletion log keeps how many, when and by whom: no names."),
			app.Div().Class("actions").Body(
				app.Button().Class("danger").Text(what).OnClick(r.run),
				app.Button().Text("Keep them for now").OnClick(func(ctx app.Context, e app.Event) { r.confirming = false }),
			),
		)
	case n > 0:
		act = app.Div().Class("actions").Body(
			app.Button().Class("danger").Text(what + "…").OnClick(func(ctx app.Context, e app.Event) { r.confirming, r.done = true, "" }),
		)
	}
	due := make([]string, n)
	for i, c := range p.Clients {
		due[i] = c.Name + " · last entry " + string(c.LastEntry)
	}
	log := make([]string, len(r.log))
	for i, d := range r.log {
		how := " · by " + staffLabel(d.By)
		if d.Automatic {
			how = " · automatic, on the device of " + staffLabel(d.By)
		}
		log[i] = d.When.Time().Format("2 Jan 2006 15:04") + how + ": " + deletionText(d.Deletion)
	}
	if len(log) == 0 {
		log = []string{"No retention run yet."}
	}
	var failed app.UI
	if r.err != "" {
		failed = app.Div().Class("alert").Attr("role", "alert").Text(r.err)
	}
	return &frame{Here: "/retention", Content: []app.UI{
		app.H1().Text("Retention"),
		app.P().Class("hint").Text("Client records are erased some years after the client's last entry (a visit, call, invoice, payment, vaccination or weighing). Projects leave the day-to-day screens for the archive some years after they were completed, and are erased with their client's records. A client on legal hold keeps everything."),
		app.Form().Class("card").OnSubmit(r.save).Body(
			app.H2().ID("policy-title").Text("Policy"),
			app.Div().Class("grid3").Body(
				textField("client-years", "Erase client records after (years)", "", "After the client's last entry. Default 7.", r.clientYears, r.typed),
				textField("archive-years", "Archive projects after (years)", "", "After the project was completed. Default 3.", r.archive, r.typed),
			),
			checkbox("automatic", "Erase automatically when due: on the owner's device, once synced after unlocking", r.automatic, func(on bool) { r.automatic = on }),
			note(r.saved),
			clashNotes(r.clashes, r.resolve), // beside Save, where the person goes next
			app.Div().Class("actions").Body(app.Button().Class("primary").Type("submit").Text("Save settings")),
		),
		app.Section().Class("card").Aria("labelledby", "preview-title").Body(
			app.H2().ID("preview-title").Text("Due for erasure"),
			app.P().Attr("role", "status").Text(previewText(p, r.loading)),
			lines("Clients due for erasure", due),
			app.P().Class("hint").Body(
				app.Text(counted(p.Archived, "project is", "projects are")+" archived. "),
				app.A().Class("inline-target").Href("/archive").Text("Open the archive"),
			),
			note(r.done),
			act,
		),
		failed,
		app.Section().Class("card").Aria("labelledby", "log-title").Body(
			app.H2().ID("log-title").Text("Deletion log"),
			lines("Deletion records", log),
		),
	}}
}

// previewText sums up what a run would erase.
func previewText(p session.RetentionPreview, loading bool) string {
	if p.Today == "" {
		if loading {
			return "Reading the records…"
		}
		return ""
	}
	period := count(p.Settings.Policy.ClientYears, "year")
	s := "Nothing is due: no client's last entry is more than " + period + " ago."
	if n := len(p.Clients); n > 0 {
		s = counted(n, "client's", "clients'") + " last entry is more than " + period + " ago; with them go " +
			count(p.Records[record.ClassClient], "client record") + ", " +
			count(p.Records[record.ClassCare], "care record") + " and " +
			count(p.Records[record.ClassProject], "project record") + "."
	}
	if p.Held > 0 {
		s += " " + counted(p.Held, "client is", "clients are") + " past the period but on legal hold: kept."
	}
	return s
}

// deletionText says what a run erased, by class.
func deletionText(d record.Deletion) string {
	return count(int(d.Clients), "client") + ": " + strconv.FormatInt(d.ClientRecords, 10) + " client, " +
		strconv.FormatInt(d.CareRecords, 10) + " care and " + strconv.FormatInt(d.ProjectRecords, 10) + " project records"
}

func counted(n int, one, many string) string { return strconv.Itoa(n) + " " + plural(n, one, many) }

// lines is a list of lines of text, or nothing for none.
func lines(label string, ls []string) app.UI {
	if len(ls) == 0 {
		return nil
	}
	return app.Ul().Class("list", "plain").Aria("label", label).Body(
		app.Range(ls).Slice(func(i int) app.UI { return app.Li().Text(ls[i]) }),
	)
}

// note is a message that a change went through (or why not), or nothing.
func note(text string) app.UI {
	if text == "" {
		return nil
	}
	return app.P().Class("note").Attr("role", "status").Text(text)
}
