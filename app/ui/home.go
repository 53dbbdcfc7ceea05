package ui

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
	"pawfile/shared/record"
)

// home sends a person where they stand: setting up this device, unlocking
// it, or their clients.
type home struct {
	app.Compo
	mode    string // "create", "join" or "signin" while setting up
	code    string // invite code
	signup  string // sign-up code, for a server that asks for one
	login   string
	pass    string
	pass2   string
	busy    bool
	err     string
	fieldOf string // which field err is about
	stop    func()
	// ui is the component's own context: a context from an event dies
	// with its element, and the element here is replaced as the screen
	// changes, which would drop what is dispatched through it.
	ui app.Context
}

func (h *home) OnDismount() {
	if h.stop != nil {
		h.stop()
	}
}

func (h *home) OnMount(ctx app.Context) {
	h.ui = ctx
	h.watch(ctx)
}

func (h *home) OnNav(ctx app.Context) {
	if current.Phase() == session.Open {
		resume(ctx)
		return
	}
	if h.mode == "" {
		h.mode = "create"
	}
	if current.Phase() == session.Setup {
		h.readLink(ctx)
	}
}

// readLink fills the form from the link that opened the app. Links carry
// codes in the fragment, which a browser never sends to a server or a
// proxy's log: #invite=CODE (see team) opens the join form, #signup=CODE
// (the server's setup link, or pawfile signup-code) the new workspace
// form. Older invite links carry ?invite=CODE. The code then leaves the
// address bar, so it stays out of the history and of shared screens.
func (h *home) readLink(ctx app.Context) {
	u := *ctx.Page().URL()
	frag, err := url.ParseQuery(u.Fragment)
	if err != nil {
		return // a fragment that is no link of ours
	}
	switch {
	case frag.Get("invite") != "":
		h.mode, h.code = "join", frag.Get("invite")
	case u.Query().Get("invite") != "":
		h.mode, h.code = "join", u.Query().Get("invite")
	case frag.Get("signup") != "":
		h.mode, h.signup = "create", frag.Get("signup")
	default:
		return
	}
	u.Fragment, u.RawQuery = "", ""
	ctx.Page().ReplaceURL(&u)
}

// watch re-renders on session changes and, while a new member waits for
// access, asks the server every few seconds.
func (h *home) watch(ctx app.Context) {
	h.stop = current.OnChange(func() {
		ctx.Dispatch(func(ctx app.Context) {
			if current.Phase() == session.Open {
				resume(ctx)
			}
		})
	})
	var poll func(ctx app.Context)
	poll = func(ctx app.Context) {
		if !h.Mounted() {
			return
		}
		if current.Phase() == session.Waiting && !h.busy {
			ctx.Async(func() {
				_, err := current.CheckKeys(context.Background())
				ctx.Dispatch(func(ctx app.Context) {
					h.err, h.fieldOf = "", ""
					if err != nil {
						h.err = err.Error()
					}
				})
			})
		}
		ctx.After(5*time.Second, poll)
	}
	ctx.After(5*time.Second, poll)
}

func (h *home) Render() app.UI {
	switch current.Phase() {
	case session.Locked:
		return h.unlock()
	case session.Setup:
		return h.setup()
	case session.Waiting:
		return h.waiting()
	}
	return app.Main().Class("shell").Body(app.P().Text("Opening your records…"))
}

func (h *home) unlock() app.UI {
	return app.Main().Class("shell").Body(
		app.H1().Text("Unlock Pawfile"),
		app.P().Class("hint").Text("Your records are encrypted on this tablet. Your passphrase opens them, with or without a signal."),
		app.Form().OnSubmit(h.submitUnlock).Body(
			field("pass", "Passphrase", h.errFor("pass"), "", app.Input().ID("pass").Type("password").Attr("autocomplete", "current-password").AutoFocus(true).
				Aria("invalid", h.errFor("pass") != "").Aria("describedby", described("pass", h.errFor("pass"), "")).
				Value(h.pass).OnInput(h.typePass)),
			h.alert(),
			app.If(current.LockReason() != "" && h.err == "", func() app.UI {
				return app.Div().Class("alert").ID("lock-reason").Attr("role", "alert").Text(current.LockReason())
			}),
			app.Div().Class("actions").Body(h.submit("Unlock", "Unlocking…")),
		),
	)
}

// typePass keeps the passphrase as it is typed, and has its key's
// derivation made ready meanwhile (session's PrepareKey), so that less of
// it is left for after the tap.
func (h *home) typePass(ctx app.Context, e app.Event) {
	h.pass = ctx.JSSrc().Get("value").String()
	current.PrepareKey()
}

func (h *home) waiting() app.UI {
	return app.Main().Class("shell").Body(
		app.H1().Text("Waiting for access"),
		app.P().Text("You have joined as "+current.Login()+". The owner now gives this device the keys to your records."),
		app.If(current.Fingerprint() != "", func() app.UI {
			return app.Div().Class("card").Body(
				app.P().Text("Read this key fingerprint to the owner. Their screen must show the same before they give access:"),
				app.P().Class("fingerprint").ID("fingerprint").Text(current.Fingerprint()),
			)
		}),
		h.alert(),
		app.If(current.TrustProblem() != "" && h.err == "", func() app.UI {
			return app.Div().Class("alert").ID("trust-problem").Attr("role", "alert").Text(current.TrustProblem())
		}),
		app.P().Class("hint").Text("This screen opens your records by itself once access is given."),
		app.Div().Class("actions").Body(
			app.Button().Class("primary").Text("Check now").OnClick(func(ctx app.Context, e app.Event) {
				h.run(ctx, func(c context.Context) error {
					ok, err := current.CheckKeys(c)
					if err == nil && !ok {
						err = errors.New("no access yet: ask the owner to open Team and give it")
					}
					return err
				})
			}),
		),
	)
}

func (h *home) setup() app.UI {
	create, join := h.mode == "create", h.mode == "join"
	passHint, passAuto, label := "", "current-password", "Sign in"
	switch {
	case create:
		passHint = "At least 10 characters. Nobody, not even the server, can recover it: write it down somewhere safe."
		passAuto, label = "new-password", "Create workspace"
	case join:
		passHint = "Choose your own: at least 10 characters. Nobody can recover it: write it down somewhere safe."
		passAuto, label = "new-password", "Join"
	}
	return app.Main().Class("shell").Body(
		app.H1().Text("Welcome to Pawfile"),
		app.Div().Class("tabs").Attr("role", "group").Aria("label", "How to start").Body(
			app.Button().Text("New workspace").Aria("pressed", create).OnClick(func(ctx app.Context, e app.Event) { h.mode, h.err = "create", "" }),
			app.Button().Text("Join with an invite").Aria("pressed", join).OnClick(func(ctx app.Context, e app.Event) { h.mode, h.err = "join", "" }),
			app.Button().Text("I have an account").Aria("pressed", !create && !join).OnClick(func(ctx app.Context, e app.Event) { h.mode, h.err = "signin", "" }),
		),
		app.If(create, func() app.UI {
			return app.P().Class("hint").Text("Create your business's workspace. You will be its owner and can invite your team later.")
		}).ElseIf(join, func() app.UI {
			return app.P().Class("hint").Text("Enter the invite code the owner gave you, and choose how you sign in.")
		}).Else(func() app.UI {
			return app.P().Class("hint").Text("Sign in to set up this device with your records.")
		}),
		app.Form().OnSubmit(h.submitSetup).Body(
			app.If(create, func() app.UI {
				return field("signup", "Sign-up code", h.errFor("signup"), signupHint, app.Input().ID("signup").Type("text").Attr("autocomplete", "off").
					Aria("invalid", h.errFor("signup") != "").Aria("describedby", described("signup", h.errFor("signup"), signupHint)).
					Value(h.signup).OnInput(h.ValueTo(&h.signup)))
			}),
			app.If(join, func() app.UI {
				return field("code", "Invite code", h.errFor("code"), "", app.Input().ID("code").Type("text").Attr("autocomplete", "off").
					Aria("invalid", h.errFor("code") != "").Aria("describedby", described("code", h.errFor("code"), "")).
					Value(h.code).OnInput(h.ValueTo(&h.code)))
			}),
			field("login", "Email or user name", h.errFor("login"), "", app.Input().ID("login").Type("text").Attr("autocomplete", "username").
				Aria("invalid", h.errFor("login") != "").Aria("describedby", described("login", h.errFor("login"), "")).
				Value(h.login).OnInput(h.ValueTo(&h.login))),
			field("pass", "Passphrase", h.errFor("pass"), passHint, app.Input().ID("pass").Type("password").Attr("autocomplete", passAuto).
				Aria("invalid", h.errFor("pass") != "").Aria("describedby", described("pass", h.errFor("pass"), passHint)).
				Value(h.pass).OnInput(h.typePass)),
			app.If(create || join, func() app.UI {
				return field("pass2", "Passphrase again", h.errFor("pass2"), "", app.Input().ID("pass2").Type("password").Attr("autocomplete", "new-password").
					Aria("invalid", h.errFor("pass2") != "").Aria("describedby", described("pass2", h.errFor("pass2"), "")).
					Value(h.pass2).OnInput(h.ValueTo(&h.pass2)))
			}),
			h.alert(),
			app.Div().Class("actions").Body(h.submit(label, "Securing your keys…")),
		),
	)
}

func (h *home) submit(label, working string) app.UI {
	if h.busy {
		return app.Button().Class("primary").Type("submit").Disabled(true).Body(app.Span().Class("busy").Aria("hidden", "true"), app.Text(working))
	}
	return app.Button().Class("primary").Type("submit").Text(label)
}

func (h *home) alert() app.UI {
	return app.If(h.err != "" && h.fieldOf == "", func() app.UI { return app.Div().Class("alert").Attr("role", "alert").Text(h.err) })
}

func (h *home) errFor(f string) string {
	if h.fieldOf == f {
		return h.err
	}
	return ""
}

func (h *home) fail(fieldOf string, err error) {
	h.busy, h.err, h.fieldOf = false, err.Error(), fieldOf
}

func (h *home) submitUnlock(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if h.pass == "" {
		h.fail("pass", errors.New("enter your passphrase"))
		return
	}
	h.run(ctx, func(c context.Context) error { return current.Unlock(c, h.pass) })
}

func (h *home) submitSetup(ctx app.Context, e app.Event) {
	e.PreventDefault()
	fresh := h.mode == "create" || h.mode == "join"
	switch {
	case h.mode == "join" && strings.TrimSpace(h.code) == "":
		h.fail("code", errors.New("enter the invite code the owner gave you"))
		return
	case session.CheckLogin(h.login) != nil:
		h.fail("login", session.CheckLogin(h.login))
		return
	case fresh && session.CheckNewPassphrase(h.pass) != nil:
		h.fail("pass", session.CheckNewPassphrase(h.pass))
		return
	case fresh && h.pass != h.pass2:
		h.fail("pass2", errors.New("the two passphrases differ: type it again"))
		return
	case h.pass == "":
		h.fail("pass", errors.New("enter your passphrase"))
		return
	}
	login, pass, code, signup, mode := h.login, h.pass, h.code, h.signup, h.mode
	h.run(ctx, func(c context.Context) error {
		switch mode {
		case "create":
			return current.CreateWorkspace(c, signup, login, pass)
		case "join":
			return current.Join(c, code, login, pass)
		}
		return current.SignIn(c, login, pass)
	})
}

// run shows the busy state first, then does the slow work: key derivation
// holds the only wasm thread, so the browser must paint before it starts.
func (h *home) run(_ app.Context, work func(context.Context) error) {
	ctx := h.ui
	h.busy, h.err, h.fieldOf = true, "", ""
	ctx.After(60*time.Millisecond, func(ctx app.Context) {
		ctx.Async(func() {
			err := work(context.Background())
			ctx.Dispatch(func(ctx app.Context) {
				if err != nil {
					h.fail(fieldOfFailure(err), err)
					return
				}
				h.busy, h.pass, h.pass2 = false, "", ""
				if current.Phase() == session.Open {
					ctx.Navigate("/clients")
				}
			})
		})
	})
}

// signupHint tells where a sign-up code comes from.
const signupHint = "From the setup link or from whoever runs this Pawfile server. Leave it empty if the server is open to everyone."

// fieldOfFailure is the form field a refusal from the server is about: a
// sign-up code the server wants or refuses is shown under its field.
func fieldOfFailure(err error) string {
	var refused *session.APIError
	if errors.As(err, &refused) && strings.HasPrefix(refused.Code, "signup_code_") {
		return "signup"
	}
	return ""
}

// saveFailure splits what a save returned into the messages shown beside
// each field and the one shown for the whole form.
func saveFailure(err error) (record.Errors, string) {
	var errs record.Errors
	switch {
	case errors.As(err, &errs):
		return errs, ""
	case err != nil:
		return nil, err.Error()
	}
	return nil, ""
}

// field is a labelled control with its hint and its error. The control
// names them with aria-describedby (see described) so screen readers read
// them with it.
func field(id, label, errMsg, hint string, control app.UI) app.UI {
	return app.Div().Body(
		app.Label().For(id).Text(label),
		control,
		app.If(hint != "", func() app.UI { return app.P().Class("hint").ID(id + "-hint").Text(hint) }),
		app.If(errMsg != "", func() app.UI { return app.P().Class("error").ID(id + "-error").Text(errMsg) }),
	)
}

// described is the aria-describedby of a field's control.
func described(id, errMsg, hint string) string {
	var ids []string
	if hint != "" {
		ids = append(ids, id+"-hint")
	}
	if errMsg != "" {
		ids = append(ids, id+"-error")
	}
	return strings.Join(ids, " ")
}
