package ui

import (
	"context"
	"reflect"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
	"pawfile/shared/record"
)

// draftDelay is how long a form waits after a keystroke before keeping
// its draft: often enough that a reload loses at most a word, rarely
// enough that typing is not one storage write per key.
const draftDelay = 400 * time.Millisecond

// draftKeeper keeps a form's unsaved state on the device (sealed, by the
// session) while the person types, and brings it back when the form is
// opened again: after a reload, a crash or the idle lock.
type draftKeeper struct {
	typ      record.Type
	key      string    // the record's id, or session.NewDraftID
	gen      int       // bumped by every change; a pending keep runs only if still latest
	restored time.Time // when the restored draft was kept; zero if none
	err      string
}

// open starts keeping drafts for record id (session.NewDraftID for a new
// one) and fills form with its draft if there is one, returning the
// record's id the draft holds.
func (d *draftKeeper) open(typ record.Type, key string, form any) (string, bool) {
	*d = draftKeeper{typ: typ, key: key}
	id, at, ok, err := current.Draft(context.Background(), typ, key, form)
	if err != nil {
		d.err = "Unsaved changes kept earlier could not be read: " + err.Error()
		return "", false
	}
	if ok {
		d.restored = at
	}
	return id, ok
}

// openNew is open for the form of a new record of typ below parent (a
// project's new task), whose draft is kept per parent: it fills form with
// the draft if there is one, and returns the new record's id: the
// draft's, or a fresh one.
func (d *draftKeeper) openNew(typ record.Type, parent string, form any) string {
	id, ok := d.open(typ, session.NewDraftOf(parent), form)
	if ok && record.ValidID(id) {
		return id
	}
	d.restored = time.Time{}
	return record.NewID()
}

// openLater is open for the add form of a card (see addForm): it reads
// the draft into into in the background and then, on the UI goroutine,
// calls fill with the record's id the draft holds, unless the person has
// typed meanwhile. A card opens as its screen does, and the UI goroutine
// must not wait on storage then: a link tapped meanwhile would load the
// whole page again, locked.
func (d *draftKeeper) openLater(ctx app.Context, typ record.Type, key string, into any, fill func(id string)) {
	*d = draftKeeper{typ: typ, key: key}
	ctx.Async(func() {
		id, at, ok, err := current.Draft(context.Background(), typ, key, into)
		ctx.Dispatch(func(ctx app.Context) {
			if d.typ != typ || d.key != key || d.gen != 0 {
				return // opened for another record, or typed into
			}
			switch {
			case err != nil:
				d.err = "Unsaved changes kept earlier could not be read: " + err.Error()
			case ok:
				d.restored = at
				fill(id)
			}
		})
	})
}

// changed keeps the draft a moment after the last change; state returns
// the form's state then, and newID the new record's id.
func (d *draftKeeper) changed(ctx app.Context, newID string, state func() any) {
	if d.typ == "" {
		return
	}
	d.gen++
	gen := d.gen
	ctx.After(draftDelay, func(ctx app.Context) {
		if gen != d.gen {
			return
		}
		if err := current.KeepDraft(context.Background(), d.typ, d.key, newID, state()); err != nil {
			d.err = "Your changes are not being kept on this device: " + err.Error() + ". Save the form to keep them."
		} else {
			d.err = ""
		}
	})
}

// drop forgets the draft: the form's changes were thrown away.
func (d *draftKeeper) drop() {
	d.gen++
	if d.typ != "" {
		current.DropDraft(context.Background(), d.typ, d.key)
	}
	d.restored, d.err = time.Time{}, ""
}

// saved forgets the draft of a form just saved as record id; a new
// record's next draft is kept under its id.
func (d *draftKeeper) saved(id string) {
	d.drop()
	d.key = id
}

// addForm is the short form of a card that adds a record below the one
// on screen (a vaccination, a weighing, a call): the notice of its draft,
// its fields, what went wrong and its button. keep runs at every change.
func (d *draftKeeper) addForm(discard, keep, submit app.EventHandler, errMsg, button string, fields ...app.UI) app.UI {
	return app.Div().Body(
		d.notice(discard),
		app.Form().OnSubmit(submit).OnInput(keep).OnChange(keep).Body(append(fields,
			app.If(errMsg != "", func() app.UI { return app.Div().Class("alert").Attr("role", "alert").Text(errMsg) }),
			app.Div().Class("actions").Body(app.Button().Type("submit").Text(button)),
		)...),
	)
}

// showValues puts each value into the input or textarea with the id
// before it, as in showValues("vacc-name", "", "vacc-given", ""): how an
// add form shows that it was emptied or filled from a draft. go-app
// renders an empty value by removing the value attribute, which leaves
// what was typed on screen.
func showValues(idValues ...string) {
	for i := 0; i+1 < len(idValues); i += 2 {
		if e := app.Window().GetElementByID(idValues[i]); e.Truthy() {
			e.Set("value", idValues[i+1])
		}
	}
}

// notice tells the person a draft was brought back, with a way to throw
// it away, or that drafts cannot be kept.
func (d *draftKeeper) notice(discard app.EventHandler) app.UI {
	switch {
	case d.err != "":
		return app.Div().Class("alert").Attr("role", "alert").Text(d.err)
	case !d.restored.IsZero():
		return app.Div().Class("note", "row").Attr("role", "status").Body(
			app.Span().Text("Unsaved changes from "+d.restored.Format("Mon 2 Jan 15:04")+" were brought back. Save to keep them."),
			app.Button().Type("button").Text("Discard changes").OnClick(discard),
		)
	}
	return nil
}

// baseOf copies record v as the screen shows it now: the base its save is
// measured against (see session.Session.SaveClient), kept with the form and
// its draft. Lists are copied too, so typing into the form leaves it alone.
func baseOf[T any](v *T) *T {
	c := *v
	rv := reflect.ValueOf(&c).Elem()
	for i := range rv.NumField() {
		if f := rv.Field(i); f.Kind() == reflect.Slice && !f.IsNil() && f.CanSet() {
			f.Set(reflect.AppendSlice(reflect.MakeSlice(f.Type(), 0, f.Len()), f))
		}
	}
	return &c
}
