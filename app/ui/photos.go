package ui

import (
	"context"
	"fmt"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/photo"
	"pawfile/app/session"
	"pawfile/app/syncclient"
	"pawfile/shared/record"
)

// maxImage is what a photo's JPEG may weigh so that, sealed, it fits
// session.MaxPhoto.
const maxImage = session.MaxPhoto - session.PhotoOverhead

// photoView shows a photo a record names, and where it stands: on this
// device only, on the server too, or still on its way from another.
type photoView struct {
	app.Compo
	Ref, Alt string
	ref      string // the photo url shows
	url      string // an object URL of the image
	state    session.PhotoState
	err      string
	stop     func()
}

func (v *photoView) OnMount(ctx app.Context) {
	v.load(ctx)
	v.stop = current.OnChange(func() {
		ctx.Dispatch(func(ctx app.Context) {
			// A missing photo may have arrived; a waiting one been sent.
			if v.url == "" || v.state == session.PhotoWaiting {
				v.load(ctx)
			}
		})
	})
}

func (v *photoView) OnUpdate(ctx app.Context) {
	if v.Ref != v.ref {
		v.load(ctx)
	}
}

func (v *photoView) OnDismount() {
	if v.stop != nil {
		v.stop()
	}
	v.revoke()
}

func (v *photoView) revoke() {
	if v.url != "" {
		app.Window().Get("URL").Call("revokeObjectURL", v.url)
		v.url = ""
	}
}

// load reads and opens the photo away from the event loop's handler.
func (v *photoView) load(ctx app.Context) {
	ref := v.Ref
	if ref != v.ref {
		v.revoke()
		v.ref = ref
	}
	if ref == "" {
		return
	}
	need := v.url == ""
	ctx.Async(func() {
		var img []byte
		var state session.PhotoState
		var err error
		if need {
			img, state, err = current.Photo(context.Background(), ref)
		} else {
			state = current.PhotoState(ref)
		}
		ctx.Dispatch(func(ctx app.Context) {
			if ref != v.ref {
				return
			}
			v.state, v.err = state, ""
			if err != nil {
				v.err = err.Error()
				return
			}
			if img != nil && v.url == "" {
				arr := app.Window().Get("Uint8Array").New(len(img))
				app.CopyBytesToJS(arr, img)
				blob := app.Window().Get("Blob").New([]any{arr}, map[string]any{"type": "image/jpeg"})
				v.url = app.Window().Get("URL").Call("createObjectURL", blob).String()
			}
		})
	})
}

func (v *photoView) Render() app.UI {
	caption := ""
	switch {
	case v.err != "":
		caption = v.err
	case v.url == "" && v.state == session.PhotoMissing:
		caption = "On its way from the device that took it"
	case v.state == session.PhotoWaiting:
		caption = "On this device only: sent when online"
	case v.url != "":
		caption = "Saved on the server"
	}
	return app.Div().Class("photo").Body(
		app.If(v.url != "", func() app.UI { return app.Img().Src(v.url).Alt(v.Alt) }).
			Else(func() app.UI { return app.Div().Class("photo-empty").Aria("hidden", "true") }),
		app.P().Body(app.Strong().Text(v.Alt), app.Span().Text(caption)),
	)
}

// cameraButton is a button that opens the tablet's camera (or, on a
// computer, a file picker): a label for a visually hidden file input, so
// that it reads and works as a button. pick gets the chosen file.
func cameraButton(id, label string, disabled bool, pick func(ctx app.Context, file app.Value)) app.UI {
	return app.Span().Class("camera").Body(
		app.Input().ID(id).Type("file").Accept("image/*").Attr("capture", "environment").Class("sr-only").
			Disabled(disabled).OnChange(func(ctx app.Context, e app.Event) {
			files := ctx.JSSrc().Get("files")
			if !files.Truthy() || files.Length() == 0 {
				return
			}
			f := files.Index(0)
			ctx.JSSrc().Set("value", "") // the same photo again is a change
			pick(ctx, f)
		}, app.EventScope(id)), // see checkbox
		app.Label().For(id).Class("button").Text(label),
	)
}

// shrink prepares a chosen photo for sealing in the background and hands
// the result, or what went wrong for a person, to done on the UI loop.
func shrink(ctx app.Context, file app.Value, done func(ctx app.Context, r photo.Result, err error)) {
	ctx.Async(func() {
		r, err := photo.Shrink(context.Background(), file, maxImage)
		ctx.Dispatch(func(ctx app.Context) { done(ctx, r, err) })
	})
}

// projectPhotos is a project's before and after photos, side by side,
// with the camera buttons to take them, and its other photos below. A
// client who has not agreed to photos gets none taken or shown.
type projectPhotos struct {
	app.Compo
	Project, Client string
	Pets            []session.PetSummary
	busy            string // what is being done, for the status line
	err             string
}

func (p *projectPhotos) Render() app.UI {
	consent, known := current.PhotoConsent(p.Client)
	photos := current.PhotosOf(p.Project)
	latest := map[string]session.Item[record.Photo]{}
	var others []session.Item[record.Photo]
	for _, ph := range photos {
		if ph.Record.Kind == "other" {
			others = append(others, ph)
		}
		latest[ph.Record.Kind] = ph
	}
	for _, kind := range []string{"before", "after"} {
		for _, ph := range photos {
			if ph.Record.Kind == kind && ph.ID != latest[kind].ID {
				others = append(others, ph) // an earlier one, taken again
			}
		}
	}
	blocked := known && !consent
	return app.Section().Class("card").Aria("labelledby", "photos-title").Body(
		app.H2().ID("photos-title").Text("Before and after photos"),
		app.If(blocked, func() app.UI {
			return app.P().Class("note").Body(
				app.Text("This client has not agreed to photos: none are taken or shown. "),
				app.A().Class("inline-target").Href("/clients/"+p.Client).Text("Record their consent on the client's page"),
			)
		}).Else(func() app.UI {
			return app.Div().Body(
				app.If(!known, func() app.UI {
					return app.P().Class("hint").Text("Take photos only if the client agreed to them: the front desk can check.")
				}),
				app.Div().Class("photo-pair").Body(
					p.slot("before", "Before", latest),
					p.slot("after", "After", latest),
				),
				app.If(p.busy != "", func() app.UI {
					return app.P().Attr("role", "status").Body(app.Span().Class("busy").Aria("hidden", "true"), app.Text(" "+p.busy))
				}),
				app.If(p.err != "", func() app.UI { return app.Div().Class("alert").Attr("role", "alert").Text(p.err) }),
				app.Div().Class("actions").Body(cameraButton("photo-other", "Take another photo", p.busy != "", p.taker("other"))),
				app.If(len(others) > 0, func() app.UI {
					return app.Div().Class("photo-grid").Aria("label", "Other photos").Body(
						app.Range(others).Slice(func(i int) app.UI {
							return &photoView{Ref: others[i].Record.Blob, Alt: kindLabel(others[i].Record) + " photo, " + others[i].Record.Taken.Time().Format("2 Jan 15:04")}
						}),
					)
				}),
			)
		}),
	)
}

func kindLabel(p record.Photo) string {
	if p.Kind == "" {
		return "A"
	}
	return strings.ToUpper(p.Kind[:1]) + p.Kind[1:]
}

// slot is the latest photo of a kind, or a place for it, with its button.
func (p *projectPhotos) slot(kind, label string, latest map[string]session.Item[record.Photo]) app.UI {
	ph, ok := latest[kind]
	verb := "Take " + kind + " photo"
	if ok {
		verb = "Retake " + kind + " photo"
	}
	return app.Div().Class("photo-slot").Body(
		app.If(ok, func() app.UI { return &photoView{Ref: ph.Record.Blob, Alt: label} }).
			Else(func() app.UI {
				return app.Div().Class("photo").Body(
					app.Div().Class("photo-empty").Aria("hidden", "true"),
					app.P().Body(app.Strong().Text(label), app.Span().Text("No photo yet")),
				)
			}),
		cameraButton("photo-"+kind, verb, p.busy != "", p.taker(kind)),
	)
}

// taker returns what a camera button of kind does with a chosen photo:
// shrink it, seal it and save it as the project's photo.
func (p *projectPhotos) taker(kind string) func(ctx app.Context, file app.Value) {
	return func(ctx app.Context, file app.Value) {
		p.busy, p.err = "Preparing the photo…", ""
		shrink(ctx, file, func(ctx app.Context, r photo.Result, err error) {
			p.busy = ""
			if err != nil {
				p.err = "That photo could not be used: " + err.Error() + "."
				return
			}
			ref, err := current.StagePhoto(record.ClassProject, r.JPEG)
			if err == nil {
				ph := record.Photo{Project: p.Project, Kind: kind, Blob: ref}
				if len(p.Pets) == 1 {
					ph.Pet = p.Pets[0].ID
				}
				err = current.SavePhoto(context.Background(), record.NewID(), nil, &ph)
			}
			if err != nil {
				p.err = "The photo was not saved: " + err.Error() + "."
			}
		})
	}
}

// photoProgress is the bar's word on photos waiting to be sent.
func photoProgress(s syncclient.Status, waiting int) string {
	switch {
	case s.Photos > 0 && s.PhotoBytes > 0:
		return fmt.Sprintf(" · sending photos %d%%", s.PhotoSent*100/s.PhotoBytes)
	case waiting == 1:
		return " · 1 photo to send"
	case waiting > 1:
		return fmt.Sprintf(" · %d photos to send", waiting)
	}
	return ""
}

// photoField is a form's photo (a pet's picture, a vaccination's proof):
// the photo if there is one and a camera button; a new photo is sealed
// under class and its reference handed to Set, to be saved with the form.
type photoField struct {
	app.Compo
	ID, Label, Button string
	Class             record.Class
	Ref               string
	Set               func(ref string)
	busy, err         string
}

func (p *photoField) Render() app.UI {
	verb := p.Button
	if p.Ref != "" {
		verb = "Retake"
	}
	return app.Div().Class("photo-field").Body(
		app.If(p.Ref != "", func() app.UI { return &photoView{Ref: p.Ref, Alt: p.Label} }),
		cameraButton(p.ID, verb+": "+strings.ToLower(p.Label), p.busy != "", func(ctx app.Context, file app.Value) {
			p.busy, p.err = "Preparing the photo…", ""
			shrink(ctx, file, func(ctx app.Context, r photo.Result, err error) {
				p.busy = ""
				var ref string
				if err == nil {
					ref, err = current.StagePhoto(p.Class, r.JPEG)
				}
				if err != nil {
					p.err = "That photo could not be used: " + err.Error() + "."
					return
				}
				p.Set(ref)
			})
		}),
		app.If(p.busy != "", func() app.UI { return app.P().Attr("role", "status").Text(p.busy) }),
		app.If(p.err != "", func() app.UI { return app.P().Class("error").Text(p.err) }),
	)
}
