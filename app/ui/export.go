package ui

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
	"pawfile/shared/record"
)

// exportPage answers a client's access request: everything held about
// them, their pets and their projects, as a page to print and as JSON to
// download and hand over.
type exportPage struct {
	app.Compo
	id   string
	ex   session.Export
	refs map[string]string // record id → how a reference to it reads
	err  string
}

func (p *exportPage) OnNav(ctx app.Context) {
	if current.Phase() != session.Open {
		toUnlock(ctx)
		return
	}
	p.id = strings.TrimSuffix(strings.TrimPrefix(ctx.Page().URL().Path, "/clients/"), "/export")
	p.ex, p.refs, p.err = session.Export{}, nil, ""
	// Collecting opens every record on the device (a few seconds in a
	// big book): show the page first.
	id := p.id
	ctx.Async(func() {
		ex, err := current.ExportClient(id)
		ctx.Dispatch(func(ctx app.Context) {
			if id != p.id {
				return // the person went on to another client
			}
			if err != nil {
				p.err = "Cannot export: " + err.Error() + "."
				return
			}
			p.ex, p.refs = ex, map[string]string{}
			for _, g := range ex.Groups {
				for i, r := range g.Records {
					if p.refs[r.ID] = r.Title(); p.refs[r.ID] == "" {
						p.refs[r.ID] = p.heading(g, i)
					}
				}
			}
		})
	})
}

func (p *exportPage) Render() app.UI {
	if p.err != "" {
		return &frame{Content: []app.UI{
			app.H1().Text("Export a client's data"),
			app.Div().Class("alert").Attr("role", "alert").Text(p.err),
			app.A().Class("button").Href("/clients").Text("Back to clients"),
		}}
	}
	if p.ex.Groups == nil {
		return &frame{Content: []app.UI{
			app.H1().Text("Export a client's data"),
			app.P().Attr("role", "status").Text("Collecting everything held about this client…"),
		}}
	}
	name := p.ex.Client().Title()
	var held []session.Group
	var none []string
	for _, g := range p.ex.Groups {
		if len(g.Records) == 0 {
			none = append(none, strings.ToLower(groupLabel(g)))
			continue
		}
		held = append(held, g)
	}
	return &frame{Content: []app.UI{
		app.Div().Class("export").Body(
			app.H1().Text("Data held about "+name),
			app.P().Class("export-meta").Text("Everything Pawfile holds about this client, their pets and their projects: "+
				strconv.Itoa(p.ex.Count())+" records. Exported "+p.ex.ExportedAt.Format("2 January 2006 at 15:04")+
				" by "+p.ex.ExportedBy+" (workspace "+p.ex.Workspace+")."),
			app.Div().Class("actions").Body(
				app.Button().Class("primary").Text("Download JSON").OnClick(p.download),
				app.Button().Text("Print").OnClick(func(ctx app.Context, e app.Event) { app.Window().Call("print") }),
				app.A().Class("button").Href("/clients/"+p.id).Text("Back to the client"),
			),
			app.Range(held).Slice(func(i int) app.UI { return p.group(held[i]) }),
			app.If(len(none) > 0, func() app.UI {
				return app.P().Class("export-meta").Text("Nothing held of: " + strings.Join(none, ", ") + ".")
			}),
		),
	}}
}

// group is one record type's section.
func (p *exportPage) group(g session.Group) app.UI {
	id := "export-" + g.Name
	return app.Section().Class("card", "export-group").Aria("labelledby", id).Body(
		app.H2().ID(id).Text(groupLabel(g)),
		app.Range(g.Records).Slice(func(i int) app.UI {
			r := g.Records[i]
			return app.Article().Class("export-record").Body(
				app.If(g.Schema.Type != record.TypeClient, func() app.UI { return app.H3().Text(p.heading(g, i)) }),
				app.Dl().Class("export-fields").Body(p.fields(r)...),
			)
		}),
	)
}

// fields lists a record's fields that hold something, labelled as the
// schema names them.
func (p *exportPage) fields(r session.Record) []app.UI {
	var out []app.UI
	for i := range r.Schema.Fields {
		f := &r.Schema.Fields[i]
		if ref, ok := r.Values[i].(string); ok && ref != "" && f.Kind == record.KindBlob {
			out = append(out, app.Dt().Text(capital(f.Label)), app.Dd().Body(&photoView{Ref: ref, Alt: capital(f.Label)}))
			continue
		}
		v := p.show(f, r.Values[i])
		if v == "" {
			continue
		}
		out = append(out, app.Dt().Text(capital(f.Label)), app.Dd().Text(v))
	}
	return out
}

// show is a value as a person reads it; "" for a field that holds
// nothing.
func (p *exportPage) show(f *record.Field, v any) string { return showValue(f, v, p.ref) }

// showValue is a field's value as the screens show it, with ref naming
// the records it refers to; "" for a field that holds nothing.
func showValue(f *record.Field, v any, ref func(t record.Type, id string) string) string {
	switch x := v.(type) {
	case nil:
		return "(stored value unreadable)"
	case string:
		switch {
		case x == "":
			return ""
		case f.Kind == record.KindEnum:
			return f.EnumLabel(x)
		case f.Kind == record.KindRef:
			return ref(f.Ref, x)
		case f.Kind == record.KindBlob:
			return "file held (SHA-256 " + x[:min(len(x), 12)] + "…)"
		}
		return x
	case int64:
		switch {
		case x == 0:
			return ""
		case f.Unit == "hundredths of a percent":
			return record.Money{Minor: x}.Decimal() + "%" // exact, two places
		case f.Unit != "":
			return strconv.FormatInt(x, 10) + " " + f.Unit
		}
		return strconv.FormatInt(x, 10)
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case record.Date:
		return dateText(x)
	case record.Instant:
		if x.IsZero() {
			return ""
		}
		return x.Time().Format("2 January 2006 at 15:04 MST")
	case record.Money:
		if x.IsZero() {
			return ""
		}
		return x.Decimal() + " " + x.Currency
	case []string:
		items := make([]string, len(x))
		for i, s := range x {
			switch f.Kind {
			case record.KindEnumList:
				items[i] = f.EnumLabel(s)
			case record.KindRefList:
				items[i] = ref(f.Ref, s)
			default:
				items[i] = s
			}
		}
		return strings.Join(items, ", ")
	}
	return ""
}

// ref is how a reference to another record reads: its name or heading if
// the export holds it. A reference to the client themselves says nothing
// new on their own export.
func (p *exportPage) ref(t record.Type, id string) string {
	switch {
	case id == p.ex.Client().ID:
		return ""
	case t == record.RefStaff:
		return current.StaffName(id)
	}
	if n, ok := p.refs[id]; ok {
		return n
	}
	return "a record no longer held"
}

// heading names record i of group g: its type and its name, or its first
// date or time, or its number in the list.
func (p *exportPage) heading(g session.Group, i int) string {
	r := g.Records[i]
	what := capital(strings.ReplaceAll(string(g.Schema.Type), "_", " "))
	if t := r.Title(); t != "" {
		return what + ": " + t
	}
	for j, f := range r.Schema.Fields {
		if f.Kind == record.KindInstant || f.Kind == record.KindDate {
			if s := p.show(&r.Schema.Fields[j], r.Values[j]); s != "" {
				return what + ": " + s
			}
		}
	}
	return what + " " + strconv.Itoa(i+1)
}

// groupLabel is a group's section title: "Pets", "Contact log".
func groupLabel(g session.Group) string { return capital(strings.ReplaceAll(g.Name, "_", " ")) }

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// dateText is a date as people write it, or as typed if it is not one.
func dateText(d record.Date) string {
	if t := d.Time(); !t.IsZero() {
		return t.Format("2 January 2006")
	}
	if d.IsZero() {
		return "no date"
	}
	return string(d)
}

// download hands the browser the export's JSON as a file.
func (p *exportPage) download(ctx app.Context, e app.Event) {
	ex := p.ex
	ctx.Async(func() {
		// With the photos' images, read from storage away from the UI.
		err := current.ExportPhotos(context.Background(), &ex)
		var b []byte
		if err == nil {
			b, err = json.MarshalIndent(ex, "", "  ")
		}
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				p.err = "The export could not be written (" + err.Error() + "): reload the page and try again."
				return
			}
			p.save(ex.FileName(), b)
		})
	})
}

// save hands the browser b as a file called name.
func (p *exportPage) save(name string, b []byte) {
	w := app.Window()
	blob := w.Get("Blob").New([]any{string(b)}, map[string]any{"type": "application/json"})
	url := w.Get("URL").Call("createObjectURL", blob)
	a := w.Get("document").Call("createElement", "a")
	a.Set("href", url)
	a.Set("download", name)
	w.Get("document").Get("body").Call("appendChild", a)
	a.Call("click")
	a.Call("remove")
	// The browser reads the blob after the click returns: let it go later,
	// whether or not this page is still shown.
	time.AfterFunc(time.Minute, func() { w.Get("URL").Call("revokeObjectURL", url) })
}
