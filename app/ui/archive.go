package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
)

// archive lists the archived projects: completed longer ago than the
// workspace's archive period, gone from Today, the calendar and the
// clients' lists, and readable here until their client's records are
// erased.
type archive struct {
	app.Compo
	list   []session.ProjectSummary
	loaded bool // OnNav has filled the list
	stop   func()
}

func (a *archive) OnMount(ctx app.Context) {
	a.stop = live(ctx, func(app.Context) {
		if a.loaded {
			a.load()
		}
	})
}

func (a *archive) OnDismount() {
	if a.stop != nil {
		a.stop()
	}
}

func (a *archive) OnNav(ctx app.Context) {
	if current.Phase() != session.Open {
		toUnlock(ctx)
		return
	}
	a.load()
	a.loaded = true
}

// load reads the archived projects, each titled with its client.
func (a *archive) load() {
	if current.Phase() != session.Open {
		return
	}
	a.list = current.ArchivedProjects(today())
	for i := range a.list {
		if c := a.list[i].ClientName; c != "" {
			a.list[i].Title = c + " · " + a.list[i].Title
		}
	}
}

func (a *archive) Render() app.UI {
	if !a.loaded {
		return opening()
	}
	var empty []string // what the list says when it is empty
	switch {
	case current.ProjectsLoading():
		empty = []string{"Still opening the bookings: open the archive again in a moment."}
	case len(a.list) == 0:
		empty = []string{"No archived projects."}
	}
	return &frame{Content: []app.UI{
		app.H1().Text("Archive"),
		app.P().Class("hint").Text("Projects completed more than " + count(current.RetentionSettings().Policy.ArchiveYears, "year") +
			" ago, latest first. They stay readable here until their client's records are erased; a client on legal hold keeps theirs on the usual screens."),
		lines("Archive", empty),
		projectLines(a.list, "archived"),
	}}
}
