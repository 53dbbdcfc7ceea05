package ui

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
	"pawfile/shared/access"
	"pawfile/shared/account"
)

// team is the owner's screen for inviting staff, revoking invites not
// used yet, giving staff access, changing their roles, removing them and
// revoking a lost device.
//
// Every action button carries what it acts on in its value, one letter
// for the action then an id (see click): one handler and few closures,
// each of which costs download.
type team struct {
	app.Compo
	role    string
	invite  string
	expires time.Time
	members []session.Member
	invites []session.PendingInvite
	picked  map[string]string // member id → role chosen in its select
	confirm string            // the value of the action confirmation asks about
	done    string            // what the last change did, for a person
	err     string
	busy    bool
	asked   int         // counts the asks for the team that an older answer must not undo (see ask)
	ui      app.Context // the component's own context (see home.ui)
}

// roles lists the roles in the order the selects offer them.
var roles = []access.Role{access.FrontDesk, access.Groomer, access.Viewer, access.Owner}

// teamPoll is how often an open, visible Team screen asks the server for
// the team again: members and their devices are the server's, not
// records that sync, so a new member waiting for access shows up only
// when asked for.
const teamPoll = 5 * time.Second

func (t *team) OnMount(ctx app.Context) {
	t.ui = ctx
	var poll func(ctx app.Context)
	poll = func(ctx app.Context) {
		if !t.Mounted() {
			return // the screen was left: the polling stops
		}
		visible := app.Window().Get("document").Get("visibilityState").String() == "visible"
		if visible && !t.busy && current.Phase() == session.Open {
			t.follow(ctx)
		}
		ctx.After(teamPoll, poll)
	}
	ctx.After(teamPoll, poll)
}

func (t *team) OnNav(ctx app.Context) {
	if current.Phase() != session.Open {
		toUnlock(ctx)
		return
	}
	if t.role == "" {
		t.role = access.Groomer.String()
	}
	t.load(ctx)
}

func (t *team) load(ctx app.Context) {
	t.ask(ctx, true, func(ctx app.Context, err error) {
		t.picked, t.err = map[string]string{}, ""
		if err != nil {
			t.err = err.Error()
		}
	})
}

// follow brings the lists up to date with the server's without touching
// what the person is doing: the roles picked in the selects and the
// message shown stay; a failed ask (offline) leaves the lists as they were.
func (t *team) follow(ctx app.Context) { t.ask(ctx, false, nil) }

// ask asks the server for the members and invites and shows them, then
// calls then, if not nil, with the ask's error. A fresh ask (after an
// action, or on opening) drops the answers of the asks made before it:
// a poll that was on its way when an invite was revoked would otherwise
// list the invite again. A failed ask leaves the lists as they were.
func (t *team) ask(ctx app.Context, fresh bool, then func(ctx app.Context, err error)) {
	if fresh {
		t.asked++
	}
	asked := t.asked
	ctx.Async(func() {
		ms, err := current.Members(context.Background())
		var invs []session.PendingInvite
		if err == nil {
			invs, err = current.Invites(context.Background())
		}
		ctx.Dispatch(func(ctx app.Context) {
			if asked != t.asked {
				return // a later ask answers
			}
			if err == nil {
				t.members, t.invites = ms, invs
			}
			if then != nil {
				then(ctx, err)
			}
		})
	})
}

func roleOptions(selected string) app.UI {
	return app.Range(roles).Slice(func(i int) app.UI {
		return app.Option().Value(roles[i].String()).Selected(roles[i].String() == selected).Text(roles[i].Label())
	})
}

func (t *team) Render() app.UI {
	return &frame{Content: []app.UI{
		app.H1().Text("Team"),
		// The owner's other screens: one nav entry keeps the bar on one row.
		app.Nav().Class("actions").Aria("label", "Records governance").Body(
			app.A().Class("button").Href("/audit").Text("Audit trail"),
			app.A().Class("button").Href("/retention").Text("Retention"),
			app.A().Class("button").Href("/backup").Text("Backups and export"),
			app.A().Class("button").Href("/settings").Text("Business settings"),
		),
		app.Section().Class("card").Aria("labelledby", "invite-title").Body(
			app.H2().ID("invite-title").Text("Invite someone"),
			app.Label().For("role").Text("Role"),
			app.Select().ID("role").OnChange(t.ValueTo(&t.role)).Body(roleOptions(t.role)),
			app.Div().Class("actions").Body(
				app.Button().Class("primary").ID("make-invite").Disabled(t.busy).Text("Make an invite code").OnClick(t.makeInvite),
			),
			app.If(t.invite != "", func() app.UI {
				return app.Div().Class("note").Attr("role", "status").Body(
					app.P().Text("Give this code to the new member. They choose “Join with an invite” on their device:"),
					app.P().Class("fingerprint").ID("invite-code").Text(t.invite),
					app.P().Text("Or send them this link, which opens Pawfile with the code filled in:"),
					app.P().Class("fingerprint").ID("invite-link").Text(inviteLink(t.invite)),
					app.P().Class("hint").Text("Valid until "+t.expires.Local().Format("2 Jan 15:04")+", once."),
				)
			}),
		),
		app.If(len(t.invites) > 0, func() app.UI {
			return app.Section().Class("card").Aria("labelledby", "invites-title").Body(
				app.H2().ID("invites-title").Text("Invites not used yet"),
				app.P().Class("hint").Text("Anyone holding one of these codes can join with its role until it expires. Revoke a code you no longer mean to give."),
				app.Ul().Class("list").Body(
					app.Range(t.invites).Slice(func(i int) app.UI { return t.pending(t.invites[i]) }),
				),
			)
		}),
		app.Section().Class("card").Aria("labelledby", "members-title").Body(
			app.H2().ID("members-title").Text("Members"),
			app.If(t.err != "", func() app.UI { return app.Div().Class("alert").Attr("role", "alert").Text(t.err) }),
			app.If(current.TrustProblem() != "", func() app.UI {
				return app.Div().Class("alert").ID("trust-problem").Attr("role", "alert").Text(current.TrustProblem())
			}),
			app.If(t.done != "", func() app.UI { return app.P().Class("note").Attr("role", "status").Text(t.done) }),
			app.Ul().Class("list").Body(
				app.Range(t.members).Slice(func(i int) app.UI { return t.member(t.members[i]) }),
			),
		),
	}}
}

// button is an action button: value says what it does (see click).
func (t *team) button(class, value, label, text string) app.UI {
	return app.Button().Class(class).Value(value).Disabled(t.busy).Aria("label", label).Text(text).OnClick(t.click)
}

// pending is one unused invite's entry: its role, who made it, until
// when it is valid, and its revoke button.
func (t *team) pending(inv session.PendingInvite) app.UI {
	text := access.Role(inv.Role).Label() + " · valid until " + inv.Expires.Local().Format("2 Jan 15:04")
	if inv.By != "" {
		text += " · made by " + inv.By
	}
	return app.Li().Class("member").Body(
		app.Span().Text(text+" "),
		t.button("danger", "i"+inv.ID, "Revoke invite: "+text, "Revoke invite"),
	)
}

// member is one member's entry: who, their role and devices, the
// owner's actions on them, and the confirmation of one.
func (t *team) member(m session.Member) app.UI {
	self := m.Member == current.MemberID()
	status := " · " + access.Role(m.Role).Label()
	if self {
		status += " · you"
	}
	if !m.Active() {
		status = " · removed"
	}
	body := []app.UI{app.Strong().Text(m.Login), app.Span().Class("hint").Text(status)}
	if !m.Active() {
		return app.Li().Class("member").Body(body...)
	}
	if !m.HasKeys && m.Fingerprint != "" && !self {
		body = append(body, app.P().Text("Waiting for access. Their screen must show this fingerprint:"),
			app.P().Class("fingerprint").Text(m.Fingerprint),
			t.button("primary", "g"+m.Member, "Give access to "+m.Login, "Give access to "+m.Login))
	}
	var devs []app.UI
	for _, d := range m.Devices {
		text := d.Name + " · never synced"
		if !d.LastSeen.IsZero() {
			text = d.Name + " · last seen " + since(d.LastSeen)
		}
		if d.Revoked {
			text += " · revoked"
		}
		li := []app.UI{app.Span().Text(text + " ")}
		if !d.Revoked && d.ID != account.DeviceID(current.DeviceID()) {
			li = append(li, t.button("danger", "d"+d.ID.String()+m.Member, "Revoke this device: "+d.Name+" of "+m.Login, "Revoke this device…"))
		}
		devs = append(devs, app.Li().Body(li...))
	}
	body = append(body, app.Ul().Class("list", "plain").Aria("label", "Devices of "+m.Login).Body(devs...))
	if !self {
		picked := t.picked[m.Member]
		if picked == "" {
			picked = access.Role(m.Role).String()
		}
		tools := []app.UI{
			app.Label().For("role-" + m.Member).Text("Role of " + m.Login),
			app.Select().ID("role-" + m.Member).OnChange(t.pick).Body(roleOptions(picked)),
			t.button("", "c"+m.Member, "Change role of "+m.Login, "Change role"),
			t.button("danger", "m"+m.Member, "Remove from team: "+m.Login, "Remove from team…"),
		}
		if m.HasKeys {
			// For when renewed keys did not reach m.
			tools = append(tools, t.button("", "g"+m.Member, "Give access again to "+m.Login, "Give access again"))
		}
		body = append(body, app.Div().Class("member-tools").Body(tools...))
	}
	if len(t.confirm) > 1 && strings.HasSuffix(t.confirm, m.Member) {
		what := "Remove " + m.Login + " from the team? Their devices stop syncing at once. Records written from now on are sealed with new keys they never get; what they already had on their devices stays there."
		if t.confirm[0] == 'd' {
			what = "Revoke this device of " + m.Login + "? It stops syncing at once and cannot sign in again as this device."
		}
		body = append(body, app.Div().Class("card", "danger-zone").Attr("role", "alertdialog").Aria("label", "Confirm").Body(
			app.P().Text(what),
			app.Div().Class("actions").Body(
				t.button("danger", "y", "Yes, go ahead", "Yes, go ahead"),
				t.button("", "n", "Cancel", "Cancel"),
			),
		))
	}
	return app.Li().Class("member").Body(body...)
}

func (t *team) pick(ctx app.Context, e app.Event) {
	t.picked[ctx.JSSrc().Get("id").String()[len("role-"):]] = ctx.JSSrc().Get("value").String()
}

// click runs the action a button's value names: g (give access), c
// (change role) or m (remove) and a member id; d, a device id in 16 hex
// digits and its member's id (revoke); i and an invite's id (revoke the
// invite); y and n (yes and no to the confirmation). Removing a member
// and revoking a device ask first.
func (t *team) click(ctx app.Context, e app.Event) {
	v := ctx.JSSrc().Get("value").String()
	yes := v == "y"
	if yes {
		v = t.confirm
	}
	t.done, t.err = "", ""
	switch {
	case v == "" || v[0] == 'n':
		t.confirm = ""
		return
	case !yes && (v[0] == 'm' || v[0] == 'd'):
		t.confirm = v
		return
	}
	var m session.Member
	for _, o := range t.members {
		if len(v) > 1 && strings.HasSuffix(v, o.Member) {
			m = o
		}
	}
	role, err := access.Parse(t.picked[m.Member])
	if v[0] == 'c' && (err != nil || role == access.Role(m.Role)) {
		t.err = "Choose another role for " + m.Login + " first."
		return
	}
	dev, _ := account.ParseDeviceID(v[1:min(17, len(v))])
	t.busy = true
	t.asked++ // a poll on its way answers for the team before this action
	t.ui.Async(func() {
		ctx, done := context.Background(), ""
		var err error
		switch v[0] {
		case 'g':
			err, done = current.GiveAccess(ctx, m), m.Login+" has access now."
		case 'c':
			err, done = current.ChangeMember(ctx, m, role), m.Login+" is now "+role.Label()+"."
		case 'm':
			err, done = current.ChangeMember(ctx, m, 0), m.Login+" was removed from the team, and the keys they held were renewed."
		case 'd':
			err, done = current.RevokeDevice(ctx, dev), "The device was revoked: it no longer syncs."
		case 'i':
			err, done = current.RevokeInvite(ctx, v[1:]), "The invite was revoked: its code no longer joins."
		}
		t.ui.Dispatch(func(ctx app.Context) {
			t.busy, t.confirm = false, ""
			if err != nil {
				t.err, done = err.Error(), ""
			}
			// What was done shows with the lists it changed.
			t.ask(ctx, true, func(ctx app.Context, err error) {
				t.picked, t.done = map[string]string{}, done
				if err != nil && t.err == "" {
					t.err = "The team's lists could not be brought up to date: " + err.Error()
				}
			})
		})
	})
}

func (t *team) makeInvite(ctx app.Context, e app.Event) {
	role, err := access.Parse(t.role)
	if err != nil {
		t.err = err.Error()
		return
	}
	t.busy = true
	t.ui.Async(func() {
		inv, err := current.Invite(context.Background(), role)
		t.ui.Dispatch(func(ctx app.Context) {
			t.busy = false
			if err != nil {
				t.err = err.Error()
				return
			}
			t.invite, t.expires, t.err = inv.Code, inv.Expires, ""
			t.load(ctx)
		})
	})
}

// inviteLink is the address that opens this app's join form with code
// filled in (see home.readLink). The code is in the fragment, which a
// browser never sends to the server, so no proxy logs it.
func inviteLink(code string) string {
	return app.Window().Get("location").Get("origin").String() + "/#invite=" + url.QueryEscape(code)
}
