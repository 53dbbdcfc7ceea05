package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
	"pawfile/shared/csvimport"
	"pawfile/shared/record"
)

// importer brings a client list from a CSV file into the book, one step
// at a time: the file, what its columns hold (and how its dates are
// written, when the file cannot tell), what did not fit, then every row in
// one transaction. A value that does not fit its field is kept in the
// notes, so every row is imported; fixing the file first stays possible.
// The file is read and converted on the device; only the sealed records
// leave it, by sync.
type importer struct {
	app.Compo
	ui        app.Context // for updates from the file reader and the import
	step      importStep
	err       string
	name      string // the file's name
	table     *csvimport.Table
	mapping   csvimport.Mapping
	dates     csvimport.DateFacts // what the mapped date columns show
	dateOrder csvimport.DateOrder // the person's answer, when the file cannot tell
	preview   csvimport.Result    // the first rows, converted as mapped
	mapErr    string              // why the mapping cannot import anything
	result    csvimport.Result    // every row, once the columns are confirmed
	done      int                 // clients sealed so far
	totals    session.ImportTotals
}

type importStep int

const (
	stepFile importStep = iota
	stepReading
	stepColumns
	stepRows
	stepImporting
	stepDone
)

// previewRows is how many rows the column step converts to show.
const previewRows = 5

// rowsShown is how many row numbers a kind of problem lists: enough to
// find them in the file.
const rowsShown = 12

// OnMount keeps the component's context: an event's context dies with
// the element it came from, and the button that starts the import is gone
// as soon as the import shows its progress.
func (i *importer) OnMount(ctx app.Context) { i.ui = ctx }

func (i *importer) OnNav(ctx app.Context) {
	if current.Phase() != session.Open {
		toUnlock(ctx)
		return
	}
	if i.step != stepImporting {
		i.reset()
	}
}

// reset goes back to choosing a file.
func (i *importer) reset() { *i = importer{Compo: i.Compo, ui: i.ui} }

func (i *importer) Render() app.UI {
	var body app.UI
	switch i.step {
	case stepFile, stepReading:
		body = i.renderFile()
	case stepColumns:
		body = i.renderColumns()
	case stepRows:
		body = i.renderRows()
	case stepImporting:
		body = i.renderProgress()
	default:
		body = i.renderDone()
	}
	return &frame{Content: []app.UI{app.H1().Text("Import clients from CSV"), body}}
}

func (i *importer) alert() app.UI {
	return app.If(i.err != "", func() app.UI { return app.Div().Class("alert").Attr("role", "alert").Text(i.err) })
}

func (i *importer) renderFile() app.UI {
	const hint = "Export the client list from your spreadsheet or old booking system as CSV (comma, semicolon or tab separated), up to 20 MB. It is read on this device: nothing is saved until you confirm the import."
	return app.Section().Class("card").Body(
		field("csv-file", "CSV file", "", hint, app.Input().ID("csv-file").Type("file").Accept(".csv,text/csv,text/plain").
			Aria("describedby", "csv-file-hint").Disabled(i.step == stepReading).OnChange(i.pick)),
		app.If(i.step == stepReading, func() app.UI {
			return app.P().Attr("role", "status").Body(app.Span().Class("busy").Aria("hidden", "true"), app.Text(" Reading “"+i.name+"”…"))
		}),
		i.alert(),
		app.Div().Class("actions").Body(app.A().Class("button").Href("/clients").Text("Back to clients")),
	)
}

// pick reads the chosen file's bytes in the browser, after checking its
// size: a file too large is refused before it is read into memory.
func (i *importer) pick(ctx app.Context, e app.Event) {
	input := ctx.JSSrc()
	files := input.Get("files")
	if !files.Truthy() || files.Length() == 0 {
		return
	}
	f := files.Index(0)
	name, size := f.Get("name").String(), int64(f.Get("size").Float())
	input.Set("value", "") // choosing the same file again, fixed, is a change
	if size > csvimport.DefaultMaxBytes {
		i.err = fmt.Sprintf("“%s” is %s, and Pawfile imports at most %s at once: split the list into smaller files and import them one after the other.",
			name, bytesText(size), bytesText(csvimport.DefaultMaxBytes))
		return
	}
	i.step, i.name, i.err = stepReading, name, ""
	readFile(f, func(data []byte, err error) {
		i.ui.Dispatch(func(app.Context) { i.load(data, err) })
	})
}

// readFile reads a File's bytes with File.arrayBuffer and hands them to
// done, on the browser's event loop.
func readFile(f app.Value, done func([]byte, error)) {
	var ok, fail app.Func
	ok = app.FuncOf(func(_ app.Value, args []app.Value) any {
		ok.Release()
		fail.Release()
		arr := app.Window().Get("Uint8Array").New(args[0])
		b := make([]byte, arr.Length())
		app.CopyBytesToGo(b, arr)
		done(b, nil)
		return nil
	})
	fail = app.FuncOf(func(_ app.Value, args []app.Value) any {
		ok.Release()
		fail.Release()
		msg := "the browser could not read it"
		if len(args) > 0 && args[0].Truthy() && args[0].Get("message").Truthy() {
			msg = args[0].Get("message").String()
		}
		done(nil, errors.New(msg))
		return nil
	})
	f.Call("arrayBuffer").Call("then", ok, fail)
}

// load reads the file as CSV and guesses what its columns hold.
func (i *importer) load(data []byte, err error) {
	if err != nil {
		i.step, i.err = stepFile, "“"+i.name+"” could not be read ("+err.Error()+"): choose it again, or copy it to this device first."
		return
	}
	t, err := csvimport.Read(bytes.NewReader(data), csvimport.Options{})
	switch {
	case err != nil:
		i.step, i.err = stepFile, "“"+i.name+"” cannot be imported: "+strings.TrimPrefix(err.Error(), "csvimport: ")+"."
		return
	case len(t.Rows) == 0:
		i.step, i.err = stepFile, "“"+i.name+"” has a header row but no clients under it: export the list again with its rows."
		return
	}
	i.table, i.mapping, i.step = t, csvimport.Guess(t.Headers), stepColumns
	i.convertPreview()
}

// choices are what Convert needs beyond the mapping: the date order (the
// person's answer, else what the file shows), today, and this device's
// zone for past visits.
func (i *importer) choices() csvimport.Choices {
	c := csvimport.Choices{DateOrder: i.dateOrder, Today: today()}
	if c.DateOrder == csvimport.UnknownOrder {
		c.DateOrder = i.dates.Order
	}
	if z, err := record.LoadZone(current.Zone()); err == nil {
		c.Zone = z
	}
	return c
}

// convertPreview converts the first rows as the columns are mapped now.
func (i *importer) convertPreview() {
	i.dates = csvimport.DatesOf(i.table, i.mapping)
	first := *i.table
	first.Rows = first.Rows[:min(previewRows, len(first.Rows))]
	ch := i.choices()
	if ch.DateOrder == csvimport.UnknownOrder {
		// Read the preview day first until the person says: its rows may
		// not need the answer, and the Continue button waits for it.
		ch.DateOrder = csvimport.DayFirst
	}
	res, err := csvimport.Convert(&first, i.mapping, ch)
	i.preview, i.mapErr = res, ""
	if err != nil {
		i.mapErr = "Nothing can be imported yet: " + strings.TrimPrefix(err.Error(), "csvimport: ") + "."
	}
}

// needOrder says whether the person must still say how dates are written.
func (i *importer) needOrder() bool {
	return i.dates.Ask && i.dateOrder == csvimport.UnknownOrder
}

func (i *importer) renderColumns() app.UI {
	t, fields := i.table, csvimport.Fields()
	return app.Div().Body(
		app.Section().Class("card").Aria("labelledby", "columns-title").Body(
			app.H2().ID("columns-title").Text("What each column holds"),
			app.P().Class("file-facts").Text(fmt.Sprintf("“%s”: %s %s, %s, %s.", i.name, thousands(len(t.Rows)), plural(len(t.Rows), "row", "rows"), t.Encoding, delimiterName(t.Delimiter))),
			app.P().Class("hint").Text("Pawfile guessed each column from its heading. Check the guesses, change what is wrong, and choose “don't import” for columns to leave out."),
			app.Div().Class("table-wrap").Body(app.Table().Class("mapping").Body(
				app.THead().Body(app.Tr().Body(
					app.Th().Scope("col").Text("Column"),
					app.Th().Scope("col").Text("Example"),
					app.Th().Scope("col").Text("Import as"),
				)),
				app.TBody().Body(app.Range(t.Headers).Slice(func(col int) app.UI {
					id := "col-" + strconv.Itoa(col)
					return app.Tr().Body(
						app.Th().Scope("row").Body(app.Label().For(id).Text(csvimport.ColumnName(col, t.Headers[col]))),
						app.Td().Class("sample").Text(sample(t, col)),
						app.Td().Body(app.Select().ID(id).OnChange(func(ctx app.Context, e app.Event) {
							i.mapping[col] = fieldOf(ctx.JSSrc().Get("value").String())
							i.convertPreview()
						}).Body(app.Range(fields).Slice(func(k int) app.UI {
							f := fields[k]
							return app.Option().Value(optionValue(f)).Selected(f == i.mapping[col]).Text(f.Label())
						}))),
					)
				})),
			)),
		),
		i.renderDateOrder(),
		app.Section().Class("card").Aria("labelledby", "preview-title").Body(
			app.H2().ID("preview-title").Text(fmt.Sprintf("The first %d rows, as they will be imported", min(previewRows, len(t.Rows)))),
			app.If(i.mapErr != "", func() app.UI {
				return app.Div().Class("alert").Attr("role", "alert").Text(i.mapErr)
			}).Else(func() app.UI {
				return app.Div().Body(
					app.If(i.needOrder(), func() app.UI {
						return app.P().Class("hint").Text("Until you say how the dates are written, they are shown with the day first.")
					}),
					i.renderPreview(),
				)
			}),
		),
		i.alert(),
		app.Div().Class("actions").Body(
			app.Button().Class("primary").Disabled(i.mapErr != "" || i.needOrder()).Text("Continue").OnClick(i.convertAll),
			app.Button().Text("Choose another file").OnClick(func(ctx app.Context, e app.Event) { i.reset() }),
			app.A().Class("button").Href("/clients").Text("Cancel"),
		),
	)
}

// ignoreValue is the picker's value for csvimport.Ignore, whose own is "":
// go-app leaves an empty value attribute out, and the option's value
// would then be its text.
const ignoreValue = "ignore"

func optionValue(f csvimport.Field) string {
	if f == csvimport.Ignore {
		return ignoreValue
	}
	return string(f)
}

func fieldOf(value string) csvimport.Field {
	if value == ignoreValue {
		return csvimport.Ignore
	}
	return csvimport.Field(value)
}

// renderDateOrder asks how the file writes dates when it cannot tell, and
// says what it found otherwise.
func (i *importer) renderDateOrder() app.UI {
	d := i.dates
	if !d.Ask {
		switch d.Order {
		case csvimport.DayFirst:
			return app.P().Class("hint").Text("Dates are read with the day first, as the file writes them (25/03/2024 is 25 March 2024).")
		case csvimport.MonthFirst:
			return app.P().Class("hint").Text("Dates are read with the month first, as the file writes them (03/25/2024 is March 25, 2024).")
		}
		return app.Text("")
	}
	day, month := "the day first", "the month first"
	if t, ok := csvimport.ParseDate(d.Example, csvimport.DayFirst, today()); ok {
		day = t.Time().Format("2 January 2006") + ", the day first"
	}
	if t, ok := csvimport.ParseDate(d.Example, csvimport.MonthFirst, today()); ok {
		month = t.Time().Format("January 2, 2006") + ", the month first"
	}
	hint := "Every date in the file could be read either way."
	if d.Mixed {
		hint = "Some dates in the file have the day first and others the month first: choose the usual one. Dates that do not fit it are kept in the notes."
	}
	option := func(o csvimport.DateOrder, id, label string) app.UI {
		return app.Label().Class("check").For(id).Body(
			app.Input().Type("radio").ID(id).Name("date-order").Checked(i.dateOrder == o).OnChange(func(ctx app.Context, e app.Event) {
				i.dateOrder = o
				i.convertPreview()
			}),
			app.Text(label),
		)
	}
	return app.Section().Class("card").Aria("labelledby", "date-order-title").Body(
		app.H2().ID("date-order-title").Text("How are the dates written?"),
		app.P().Class("hint").Text(hint),
		app.FieldSet().Class("checks").Body(
			app.Legend().Text("“"+d.Example+"” is"),
			option(csvimport.DayFirst, "order-day", day),
			option(csvimport.MonthFirst, "order-month", month),
		),
	)
}

// renderPreview shows each previewed row as the records it becomes.
func (i *importer) renderPreview() app.UI {
	clients := i.preview.Clients
	return app.Ol().Class("preview").Body(app.Range(clients).Slice(func(k int) app.UI {
		imp := clients[k]
		c := imp.Client
		var facts []string
		for _, s := range [][]string{c.Phones, c.Emails, {c.Address}, c.Tags} {
			if joined := strings.Join(s, ", "); joined != "" {
				facts = append(facts, joined)
			}
		}
		if c.MarketingConsent {
			facts = append(facts, "agrees to marketing")
		}
		for _, v := range imp.Visits {
			facts = append(facts, "last visit "+v.Project.Start.Time().Format("2 Jan 2006"))
		}
		var pets []string
		for _, p := range imp.Pets {
			pets = append(pets, petPreview(p))
		}
		return app.Li().Body(
			app.Span().Class("row-no").Text("Row "+strconv.Itoa(imp.Row)),
			app.Span().Class("client-name").Text(c.Name),
			app.If(len(facts) > 0, func() app.UI { return app.Span().Class("sub").Text(strings.Join(facts, " · ")) }),
			app.If(len(pets) > 0, func() app.UI { return app.Span().Class("sub").Text("Pets: " + strings.Join(pets, "; ")) }),
			app.If(c.Notes != "", func() app.UI { return app.Span().Class("sub notes").Text("Notes: " + c.Notes) }),
		)
	}))
}

// petPreview is one pet as the preview lists it: "Rex (dog), Poodle, born
// 3 Apr 2019, allergy: chicken, bites, every 6 weeks, Rabies until 1 Jun
// 2027".
func petPreview(p csvimport.ImportedPet) string {
	pet := p.Pet
	parts := []string{pet.Name + speciesSuffix(pet.Species)}
	if pet.Breed != "" {
		parts = append(parts, pet.Breed)
	}
	if pet.BirthDate != "" {
		parts = append(parts, "born "+pet.BirthDate.Time().Format("2 Jan 2006"))
	}
	for _, a := range record.Alerts(&pet) {
		parts = append(parts, a.Text)
	}
	if pet.GroomingIntervalWeeks > 0 {
		parts = append(parts, fmt.Sprintf("every %d weeks", pet.GroomingIntervalWeeks))
	}
	for _, v := range p.Vaccinations {
		s := v.Vaccination.Name
		if g := v.Vaccination.Given; g != "" {
			s += " given " + g.Time().Format("2 Jan 2006")
		}
		if e := v.Vaccination.Expires; e != "" {
			s += " until " + e.Time().Format("2 Jan 2006")
		}
		parts = append(parts, s)
	}
	for _, n := range []string{pet.BehaviourNotes, pet.Notes} {
		if n != "" {
			parts = append(parts, strings.ReplaceAll(n, "\n", "; "))
		}
	}
	return strings.Join(parts, ", ")
}

// convertAll converts every row as mapped, for the check step.
func (i *importer) convertAll(ctx app.Context, e app.Event) {
	res, err := csvimport.Convert(i.table, i.mapping, i.choices())
	if err != nil {
		i.mapErr = "Nothing can be imported yet: " + strings.TrimPrefix(err.Error(), "csvimport: ") + "."
		return
	}
	i.result, i.err, i.step = res, "", stepRows
}

func (i *importer) renderRows() app.UI {
	r := i.result
	n := r.Counts()
	problems := r.Problems()
	summary := fmt.Sprintf("All %s %s will be imported: %s.", thousands(len(i.table.Rows)-r.BlankRows), plural(len(i.table.Rows)-r.BlankRows, "row", "rows"), countsText(n))
	action := fmt.Sprintf("Import all %s %s", thousands(n.Clients), plural(n.Clients, "client", "clients"))
	return app.Div().Body(
		app.Section().Class("card").Aria("labelledby", "rows-title").Body(
			app.H2().ID("rows-title").Text("Check the rows"),
			app.P().Class("file-facts").Text(summary),
			app.If(r.BlankRows > 0, func() app.UI {
				return app.P().Class("hint").Text(fmt.Sprintf("%s blank %s left out.", thousands(r.BlankRows), plural(r.BlankRows, "row is", "rows are")))
			}),
			app.If(len(problems) > 0, func() app.UI {
				return app.Div().Body(
					app.P().Text("Some values did not fit their field. Nothing is lost: each is imported in the notes, marked “Imported …”, where you can find and correct it."),
					app.Ul().Class("kept").Aria("label", "Values kept in the notes").Body(app.Range(problems).Slice(func(k int) app.UI {
						p := problems[k]
						return app.Li().Body(app.Text(p.String()+"."), app.Span().Class("sub").Text(" "+rowsText(p.Rows)))
					})),
					app.P().Class("hint").Text("To correct them in the file instead, fix those rows, then choose the file again."),
				)
			}),
		),
		i.alert(),
		app.Div().Class("actions").Body(
			app.Button().Class("primary").Text(action).OnClick(i.start),
			app.If(len(problems) > 0, func() app.UI {
				return app.Button().Text("Fix the file first").OnClick(func(ctx app.Context, e app.Event) { i.reset() })
			}),
			app.Button().Text("Back to the columns").OnClick(func(ctx app.Context, e app.Event) { i.step, i.err = stepColumns, "" }),
			app.A().Class("button").Href("/clients").Text("Cancel"),
		),
	)
}

// rowsText names the rows of a kind of problem: "Rows 18, 21 and 634 more."
func rowsText(rows []int) string {
	shown := rows[:min(rowsShown, len(rows))]
	var s []string
	for _, r := range shown {
		s = append(s, strconv.Itoa(r))
	}
	text := plural(len(rows), "Row ", "Rows ") + strings.Join(s, ", ")
	if more := len(rows) - len(shown); more > 0 {
		text += fmt.Sprintf(" and %s more", thousands(more))
	}
	return text + "."
}

// countsText reads "2,000 clients, 2,500 pets, 1,800 past visits and 300 vaccinations".
func countsText(n csvimport.Counts) string {
	parts := []string{thousands(n.Clients) + plural(n.Clients, " client", " clients"), thousands(n.Pets) + plural(n.Pets, " pet", " pets")}
	if n.Visits > 0 {
		parts = append(parts, thousands(n.Visits)+plural(n.Visits, " past visit", " past visits"))
	}
	if n.Vaccinations > 0 {
		parts = append(parts, thousands(n.Vaccinations)+plural(n.Vaccinations, " vaccination", " vaccinations"))
	}
	last := len(parts) - 1
	return strings.Join(parts[:last], ", ") + " and " + parts[last]
}

// frameTime is how long the import stops between chunks: a frame, so the
// browser paints the progress bar (the wasm thread is the page's only
// thread).
const frameTime = 16 * time.Millisecond

// start imports every row. The session seals them in chunks, and
// sleeping between chunks hands the thread back to the browser to paint.
func (i *importer) start(ctx app.Context, e app.Event) {
	clients := i.result.Clients
	i.step, i.done, i.err = stepImporting, 0, ""
	ui := i.ui
	ui.Async(func() {
		tot, err := current.ImportClients(context.Background(), clients, func(done, total int) {
			ui.Dispatch(func(app.Context) { i.done = done })
			time.Sleep(frameTime)
		})
		ui.Dispatch(func(app.Context) {
			if err != nil {
				i.step, i.err = stepRows, "The import failed: "+err.Error()+". Try again; if it fails again, free some space on this device (Device shows what is used)."
				return
			}
			i.step, i.totals = stepDone, tot
		})
	})
}

func (i *importer) renderProgress() app.UI {
	total := len(i.result.Clients)
	label := fmt.Sprintf("Preparing clients: %s of %s", thousands(i.done), thousands(total))
	if i.done == total {
		label = "Saving on this device…"
	}
	return app.Section().Class("card").Aria("labelledby", "progress-title").Body(
		app.H2().ID("progress-title").Text("Importing"),
		app.Label().For("import-progress").Text(label),
		app.Progress().ID("import-progress").Max(total).Value(i.done),
		app.P().Class("hint").Text("Keep this page open. The clients are saved all together at the end, so if anything goes wrong nothing is half-imported."),
	)
}

func (i *importer) renderDone() app.UI {
	t := i.totals
	return app.Section().Class("card").Aria("labelledby", "done-title").Body(
		app.H2().ID("done-title").Text("Import finished"),
		app.Div().Class("note").Attr("role", "status").Text("Imported "+countsText(t)+"."),
		app.P().Text("They are on this device now, and sync sends them to the server and your team's devices."),
		app.If(len(i.result.Kept) > 0, func() app.UI {
			return app.P().Text("Values that did not fit their field are in the client's or the pet's notes, each on a line starting “Imported”: open the card to correct them.")
		}),
		app.Div().Class("actions").Body(
			app.A().Class("button", "primary").Href("/clients").Text("Go to clients"),
			app.Button().Text("Import another file").OnClick(func(ctx app.Context, e app.Event) { i.reset() }),
		),
	)
}

// sample is the first value in a column, to show what it holds.
func sample(t *csvimport.Table, col int) string {
	for _, r := range t.Rows[:min(50, len(t.Rows))] {
		if s := strings.TrimSpace(r.Cell(col)); s != "" {
			if rs := []rune(s); len(rs) > 60 {
				s = string(rs[:60]) + "…"
			}
			return s
		}
	}
	return "—"
}

func delimiterName(d rune) string {
	switch d {
	case ';':
		return "semicolon-separated"
	case '\t':
		return "tab-separated"
	}
	return "comma-separated"
}

// thousands writes n with thousands separators: 2,000.
func thousands(n int) string {
	if n < 0 {
		return "-" + thousands(-n)
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
