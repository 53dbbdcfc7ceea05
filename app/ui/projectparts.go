package ui

import (
	"context"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
	"pawfile/shared/record"
)

// taskList is a project's checklist: tick a task off, or add one with a
// due date.
type taskList struct {
	app.Compo
	Project string
	of, id  string // the project the new task's form is of, and the new task's id
	t       record.Task
	errs    record.Errors
	err     string
	draft   draftKeeper
}

func (l *taskList) OnInit()                  { l.open() }
func (l *taskList) OnUpdate(ctx app.Context) { l.open() }

// open starts the new task's form of the project shown, from its draft
// if there is one.
func (l *taskList) open() {
	if l.of == l.Project {
		return
	}
	var d record.Task
	l.of, l.t, l.errs, l.err = l.Project, record.Task{}, nil, ""
	if l.id = l.draft.openNew(record.TypeTask, l.Project, &d); !l.draft.restored.IsZero() {
		l.t = d
	}
}

func (l *taskList) keep(ctx app.Context, e app.Event) {
	l.draft.changed(ctx, l.id, func() any {
		t := l.t
		t.Project = l.Project
		return t
	})
}

func (l *taskList) discard(ctx app.Context, e app.Event) {
	l.draft.drop()
	l.t, l.id = record.Task{}, record.NewID()
}

func (l *taskList) Render() app.UI {
	tasks := current.TasksOf(l.Project)
	return app.Section().Class("card").Aria("labelledby", "tasks-title").Body(
		app.H2().ID("tasks-title").Text("Tasks"),
		app.If(len(tasks) == 0, func() app.UI { return app.P().Class("hint").Text("No tasks yet.") }),
		app.Ul().Class("list plain").Body(
			app.Range(tasks).Slice(func(i int) app.UI {
				t := tasks[i]
				label := t.Record.Title
				if t.Record.Due != "" {
					label += " · due " + string(t.Record.Due)
				}
				return app.Li().Body(checkbox("task-"+t.ID, label, t.Record.Done, func(on bool) {
					base := t.Record // as the list shows it: only Done changes
					t.Record.Done = on
					_, l.err = saveFailure(current.SaveTask(context.Background(), t.ID, &base, &t.Record))
				}))
			}),
		),
		l.draft.notice(l.discard),
		app.Form().OnInput(l.keep).OnChange(l.keep).OnSubmit(func(ctx app.Context, e app.Event) {
			e.PreventDefault()
			l.t.Project, l.t.Title, l.t.Position = l.Project, strings.TrimSpace(l.t.Title), int64(len(tasks))
			err := current.SaveTask(context.Background(), l.id, nil, &l.t)
			if l.errs, l.err = saveFailure(err); err == nil {
				l.draft.drop()
				l.t, l.id = record.Task{}, record.NewID()
			}
		}).Body(
			app.Div().Class("grid3").Body(
				textField("task-title", "New task", l.errs.On("title"), "", l.t.Title, l.ValueTo(&l.t.Title)),
				dateField("task-due", "Due", l.errs.On("due"), string(l.t.Due), func(ctx app.Context, e app.Event) {
					l.t.Due = record.Date(ctx.JSSrc().Get("value").String())
				}),
			),
			app.If(l.err != "", func() app.UI { return app.Div().Class("alert").Attr("role", "alert").Text(l.err) }),
			app.Div().Class("actions").Body(app.Button().Type("submit").Text("Add task")),
		),
	)
}

// milestoneList is a project's dated goals, each marked reached.
type milestoneList struct {
	app.Compo
	Project string
	of, id  string // the project the new milestone's form is of, and the new milestone's id
	m       record.Milestone
	errs    record.Errors
	err     string
	draft   draftKeeper
}

func (l *milestoneList) OnInit()                  { l.open() }
func (l *milestoneList) OnUpdate(ctx app.Context) { l.open() }

// open starts the new milestone's form of the project shown, from its
// draft if there is one.
func (l *milestoneList) open() {
	if l.of == l.Project {
		return
	}
	var d record.Milestone
	l.of, l.m, l.errs, l.err = l.Project, record.Milestone{}, nil, ""
	if l.id = l.draft.openNew(record.TypeMilestone, l.Project, &d); !l.draft.restored.IsZero() {
		l.m = d
	}
}

func (l *milestoneList) keep(ctx app.Context, e app.Event) {
	l.draft.changed(ctx, l.id, func() any {
		m := l.m
		m.Project = l.Project
		return m
	})
}

func (l *milestoneList) discard(ctx app.Context, e app.Event) {
	l.draft.drop()
	l.m, l.id = record.Milestone{}, record.NewID()
}

func (l *milestoneList) Render() app.UI {
	ms := current.MilestonesOf(l.Project)
	return app.Section().Class("card").Aria("labelledby", "ms-title").Body(
		app.H2().ID("ms-title").Text("Milestones"),
		app.If(len(ms) == 0, func() app.UI { return app.P().Class("hint").Text("No milestones yet.") }),
		app.Ul().Class("list plain").Body(
			app.Range(ms).Slice(func(i int) app.UI {
				m := ms[i]
				label := m.Record.Title
				if m.Record.Date != "" {
					label += " · " + string(m.Record.Date)
				}
				return app.Li().Body(checkbox("ms-"+m.ID, label+" (reached)", m.Record.Reached, func(on bool) {
					base := m.Record // as the list shows it: only Reached changes
					m.Record.Reached = on
					_, l.err = saveFailure(current.SaveMilestone(context.Background(), m.ID, &base, &m.Record))
				}))
			}),
		),
		l.draft.notice(l.discard),
		app.Form().OnInput(l.keep).OnChange(l.keep).OnSubmit(func(ctx app.Context, e app.Event) {
			e.PreventDefault()
			l.m.Project, l.m.Title = l.Project, strings.TrimSpace(l.m.Title)
			err := current.SaveMilestone(context.Background(), l.id, nil, &l.m)
			if l.errs, l.err = saveFailure(err); err == nil {
				l.draft.drop()
				l.m, l.id = record.Milestone{}, record.NewID()
			}
		}).Body(
			app.Div().Class("grid3").Body(
				textField("ms-title-new", "New milestone", l.errs.On("title"), "", l.m.Title, l.ValueTo(&l.m.Title)),
				dateField("ms-date", "Date", l.errs.On("date"), string(l.m.Date), func(ctx app.Context, e app.Event) {
					l.m.Date = record.Date(ctx.JSSrc().Get("value").String())
				}),
			),
			app.If(l.err != "", func() app.UI { return app.Div().Class("alert").Attr("role", "alert").Text(l.err) }),
			app.Div().Class("actions").Body(app.Button().Type("submit").Text("Add milestone")),
		),
	)
}

// visitNotes records what happened at a visit or session (the groomer's
// card: coat on arrival, blades, combs, style, products, time, behaviour,
// incidents) and lists earlier notes, newest first.
type visitNotes struct {
	app.Compo
	Project string
	Pets    []session.PetSummary
	of, id  string // the project the new note's form is of, and the new note's id
	n       record.ProgressNote
	minutes string
	errs    record.Errors
	err     string
	draft   draftKeeper
}

// noteDraft is the visit-note form's state as its draft keeps it.
type noteDraft struct {
	Note    record.ProgressNote
	Minutes string
}

func (v *visitNotes) OnInit()                  { v.open() }
func (v *visitNotes) OnUpdate(ctx app.Context) { v.open() }

// open starts the new note's form of the project shown, from its draft
// if there is one.
func (v *visitNotes) open() {
	if v.of == v.Project {
		return
	}
	var d noteDraft
	v.of, v.n, v.minutes, v.errs, v.err = v.Project, record.ProgressNote{}, "", nil, ""
	if v.id = v.draft.openNew(record.TypeProgressNote, v.Project, &d); !v.draft.restored.IsZero() {
		v.n, v.minutes = d.Note, d.Minutes
	}
}

func (v *visitNotes) keep(ctx app.Context, e app.Event) {
	v.draft.changed(ctx, v.id, func() any {
		n := v.n
		n.Project = v.Project
		return noteDraft{Note: n, Minutes: v.minutes}
	})
}

func (v *visitNotes) discard(ctx app.Context, e app.Event) {
	v.draft.drop()
	v.clear()
}

// clear empties the form for the next note.
func (v *visitNotes) clear() {
	v.n, v.minutes, v.id = record.ProgressNote{}, "", record.NewID()
	// Inputs keep what was typed whatever the render says.
	ids := []string{"note-incidents", "note-text", "note-minutes"}
	for _, nf := range noteFields {
		ids = append(ids, nf.id)
	}
	for _, id := range ids {
		if el := app.Window().GetElementByID(id); el.Truthy() {
			el.Set("value", "")
		}
	}
}

// noteFields are the short text fields of a note, in the form's order.
var noteFields = []struct{ id, label, field string }{
	{"note-condition", "Condition on arrival", "condition"},
	{"note-blades", "Blades", "blades"},
	{"note-combs", "Combs", "combs"},
	{"note-style", "Style", "style"},
	{"note-products", "Products", "products"},
	{"note-behaviour", "Behaviour", "behaviour"},
}

func (v *visitNotes) text(field string) *string {
	switch field {
	case "condition":
		return &v.n.Condition
	case "blades":
		return &v.n.Blades
	case "combs":
		return &v.n.Combs
	case "style":
		return &v.n.Style
	case "products":
		return &v.n.Products
	}
	return &v.n.Behaviour
}

func (v *visitNotes) Render() app.UI {
	notes := current.NotesOf(v.Project)
	return app.Section().Class("card").Aria("labelledby", "notes-title").Body(
		app.H2().ID("notes-title").Text("Visit notes"),
		v.draft.notice(v.discard),
		app.Form().OnSubmit(v.add).OnInput(v.keep).OnChange(v.keep).Body(
			app.If(len(v.Pets) > 1, func() app.UI {
				return app.Div().Body(
					app.Label().For("note-pet").Text("Pet"),
					app.Select().ID("note-pet").OnChange(v.ValueTo(&v.n.Pet)).Body(
						app.Option().Value("").Selected(v.n.Pet == "").Text("All of them"),
						app.Range(v.Pets).Slice(func(i int) app.UI {
							return app.Option().Value(v.Pets[i].ID).Selected(v.Pets[i].ID == v.n.Pet).Text(v.Pets[i].Name)
						}),
					),
				)
			}),
			app.Div().Class("grid3").Body(
				app.Range(noteFields).Slice(func(i int) app.UI {
					nf := noteFields[i]
					return textField(nf.id, nf.label, v.errs.On(nf.field), "", *v.text(nf.field), v.ValueTo(v.text(nf.field)))
				}),
				field("note-minutes", "Time taken (minutes)", v.errs.On("minutes_taken"), "", app.Input().ID("note-minutes").Type("number").
					Attr("min", "0").Attr("max", "1440").Attr("inputmode", "numeric").Value(v.minutes).OnInput(v.ValueTo(&v.minutes))),
			),
			field("note-incidents", "Incidents", v.errs.On("incidents"), "", app.Textarea().ID("note-incidents").Class("short").Text(v.n.Incidents).
				OnInput(v.ValueTo(&v.n.Incidents))),
			field("note-text", "Notes", v.errs.On("text"), "", app.Textarea().ID("note-text").Class("short").Text(v.n.Text).
				OnInput(v.ValueTo(&v.n.Text))),
			app.If(v.err != "", func() app.UI { return app.Div().Class("alert").Attr("role", "alert").Text(v.err) }),
			app.Div().Class("actions").Body(app.Button().Type("submit").Text("Add visit note")),
		),
		app.Ul().Class("list plain", "notes").Aria("label", "Earlier notes").Body(
			app.Range(notes).Slice(func(i int) app.UI { return noteItem(notes[i], v.Pets) }),
		),
	)
}

func noteItem(it session.Item[record.ProgressNote], pets []session.PetSummary) app.UI {
	n := it.Record
	head := n.When.Time().Format("2 Jan 2006 15:04")
	for _, p := range pets {
		if p.ID == n.Pet {
			head += " · " + p.Name
		}
	}
	if n.Author == current.Me() {
		head += " · by you"
	}
	var parts []string
	for _, x := range []struct{ label, v string }{
		{"Condition", n.Condition}, {"Blades", n.Blades}, {"Combs", n.Combs}, {"Style", n.Style},
		{"Products", n.Products}, {"Behaviour", n.Behaviour}, {"Incidents", n.Incidents},
	} {
		if x.v != "" {
			parts = append(parts, x.label+": "+x.v)
		}
	}
	if n.MinutesTaken > 0 {
		parts = append(parts, "Time taken: "+strconv.FormatInt(n.MinutesTaken, 10)+" min")
	}
	return app.Li().Body(app.Div().Body(
		app.Strong().Text(head),
		app.If(len(parts) > 0, func() app.UI { return app.P().Class("note-facts").Text(strings.Join(parts, " · ")) }),
		app.If(n.Text != "", func() app.UI { return app.P().Class("note-text").Text(n.Text) }),
	))
}

func (v *visitNotes) add(ctx app.Context, e app.Event) {
	e.PreventDefault()
	v.n.Project = v.Project
	v.n.MinutesTaken = 0
	if s := strings.TrimSpace(v.minutes); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			v.errs = record.Errors{{Field: "minutes_taken", Message: "time taken: a number of minutes, such as 75"}}
			return
		}
		v.n.MinutesTaken = n
	}
	if v.n == (record.ProgressNote{Project: v.Project}) {
		v.errs, v.err = nil, "The note is empty: write what happened first."
		return
	}
	err := current.SaveNote(context.Background(), v.id, nil, &v.n) // a new note
	if v.errs, v.err = saveFailure(err); err == nil {
		v.draft.drop()
		v.clear()
	}
}
