package ui

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/shared/record"
)

// An open form follows the record as other devices change it: a field the
// person has not touched takes the new value in place; a field they
// changed that another device changed too is held as a conflict, shown
// beside the field until they keep theirs or take the other.

// conflict is a field changed both on this form and elsewhere since the
// form's base.
type conflict struct {
	field  *record.Field
	theirs []byte // the value the book holds now
	by     string // who changed it there
	part   string // the id of the part the field is of, as an invoice's line; "" for the record's own
	where  string // that part as the person names it, as "line 2"
}

// key names the clash to its buttons and to resolveClash: the field's
// name, after its part's id.
func (c conflict) key() string {
	if c.part == "" {
		return c.field.Name
	}
	return c.part + "/" + c.field.Name
}

// label is the field as the person reads it, with its part.
func (c conflict) label() string {
	if c.where == "" {
		return c.field.Label
	}
	return c.where + " " + c.field.Label
}

// follow brings form (being edited from base) up to date with now, the
// record as the book holds it: each field the person has not changed from
// base takes now's value, in form and base alike; a field they changed to
// what now holds is theirs already. It returns the fields that took a new
// value, and the fields they changed that now holds otherwise, which
// neither gains. A record that does not encode is left alone.
func follow(base, form, now any) (updated []*record.Field, clashes []conflict) {
	sc, ok := record.SchemaOf(record.TypeOf(form))
	eb, err1 := record.Encode(base)
	ef, err2 := record.Encode(form)
	en, err3 := record.Encode(now)
	if !ok || err1 != nil || err2 != nil || err3 != nil {
		return nil, nil
	}
	for i := range sc.Fields {
		f := &sc.Fields[i]
		b, mine, theirs := eb[f.Name], ef[f.Name], en[f.Name]
		switch {
		case bytes.Equal(theirs, b):
			// Not changed elsewhere.
		case bytes.Equal(mine, b):
			take(f, theirs, form, base)
			updated = append(updated, f)
		case bytes.Equal(mine, theirs):
			take(f, theirs, base)
		default:
			clashes = append(clashes, conflict{field: f, theirs: theirs})
		}
	}
	return updated, clashes
}

// take sets field f of each record to the encoded value v.
func take(f *record.Field, v []byte, records ...any) {
	for _, r := range records {
		// v came from the book's own record of this type: it decodes.
		record.Decode(map[string][]byte{f.Name: v}, r)
	}
}

// text is a conflicting value as the person reads it.
func (c conflict) text() string {
	var s string
	var l []string
	var m record.Money
	var t record.Instant
	var n int64
	switch {
	case c.field.Kind == record.KindMoney && record.DecodeValue(c.theirs, &m) == nil:
		if m.IsZero() {
			return "nothing"
		}
		return plainAmount(m.Minor, m.Currency)
	case c.field.Kind == record.KindInstant && record.DecodeValue(c.theirs, &t) == nil:
		if t.IsZero() {
			return "nothing"
		}
		return t.Time().Format("2 Jan 2006 15:04")
	case c.field.Kind == record.KindInt && record.DecodeValue(c.theirs, &n) == nil:
		return strconv.FormatInt(n, 10)
	case c.field.Kind.IsList() && record.DecodeValue(c.theirs, &l) == nil:
		if len(l) == 0 {
			return "nothing"
		}
		return strings.Join(l, ", ")
	case record.DecodeValue(c.theirs, &s) == nil:
		if s == "" {
			return "nothing"
		}
		return c.field.EnumLabel(s)
	}
	return "another value"
}

// resolveClash settles the clash its key names (see conflict.key): mine keeps the form's
// value, now seen (base takes theirs, so the save writes mine over it);
// otherwise form goes back to base's value, for follow to bring theirs in
// as into a field not touched.
func resolveClash(clashes []conflict, key string, mine bool, base, form any) {
	for _, c := range clashes {
		if c.key() != key {
			continue
		}
		if mine {
			take(c.field, c.theirs, base)
		} else if was, err := record.Encode(base); err == nil {
			take(c.field, was[c.field.Name], form)
		}
	}
}

// clashNotes shows each field changed here and on another device, with
// the choice; resolve(mine) handles the buttons, which name their field in
// their value, its key (go-app keeps a list item's first handler at its place).
func clashNotes(clashes []conflict, resolve func(mine bool) app.EventHandler) app.UI {
	return app.Range(clashes).Slice(func(i int) app.UI {
		c := clashes[i]
		l := c.label()
		label := strings.ToUpper(l[:1]) + l[1:]
		return app.Div().Class("alert").Attr("role", "alert").Body(
			app.P().Text(label+": changed on "+c.by+" to "+c.text()+" — keep yours or take theirs."),
			app.Div().Class("actions").Body(
				app.Button().Type("button").Value(c.key()).Text("Keep yours: "+l).OnClick(resolve(true)),
				app.Button().Type("button").Value(c.key()).Text("Take theirs: "+l).OnClick(resolve(false)),
			),
		)
	})
}

// clashMessage is what a save refused for clashes says.
const clashMessage = "Another device changed what you changed here: keep yours or take theirs for each, just above, then save."
