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
	"pawfile/shared/order"
)

// importer brings a client list from a CSV file into the book, one step
// at a time: the file, what its columns hold, the rows with problems,
// then every good row in one transaction. The file is read and converted
// on the device; only the sealed records leave it, by sync.
type importer struct {
	app.Compo
	ui      app.Context // for updates from the file reader and the import
	step    importStep
	err     string
	name    string // the file's name
	table   *csvimport.Table
	mapping csvimport.Mapping
	preview csvimport.Result // the first rows, converted as mapped
	mapErr  string           // why the mapping cannot import anything
	result  csvimport.Result // every row, once the columns are confirmed
	done    int              // clients sealed so far
	totals  session.ImportTotals
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

// maxProblemsShown bounds the problems listed: a wrong delimiter can make
// every row of a big file a problem, and the first hundred say enough.
const maxProblemsShown = 100

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

// convertPreview converts the first rows as the columns are mapped now.
func (i *importer) convertPreview() {
	first := *i.table
	first.Rows = first.Rows[:min(previewRows, len(first.Rows))]
	res, err := csvimport.Convert(&first, i.mapping, nil)
	i.preview, i.mapErr = res, ""
	if err != nil {
		i.mapErr = "Nothing can be imported yet: " + strings.TrimPrefix(err.Error(), "csvimport: ") + "."
	}
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
							i.mapping[col] = csvimport.Field(ctx.JSSrc().Get("value").String())
							i.convertPreview()
						}).Body(app.Range(fields).Slice(func(k int) app.UI {
							f := fields[k]
							return app.Option().Value(string(f)).Selected(f == i.mapping[col]).Text(f.Label())
						}))),
					)
				})),
			)),
		),
		app.Section().Class("card").Aria("labelledby", "preview-title").Body(
			app.H2().ID("preview-title").Text(fmt.Sprintf("The first %d rows, as they will be imported", min(previewRows, len(t.Rows)))),
			app.If(i.mapErr != "", func() app.UI {
				return app.Div().Class("alert").Attr("role", "alert").Text(i.mapErr)
			}).Else(func() app.UI { return i.renderPreview() }),
		),
		i.alert(),
		app.Div().Class("actions").Body(
			app.Button().Class("primary").Disabled(i.mapErr != "").Text("Continue").OnClick(i.convertAll),
			app.Button().Text("Choose another file").OnClick(func(ctx app.Context, e app.Event) { i.reset() }),
			app.A().Class("button").Href("/clients").Text("Cancel"),
		),
	)
}

// renderPreview shows each previewed row as the client it becomes, or as
// its problems.
func (i *importer) renderPreview() app.UI {
	type line struct {
		row      int
		client   *csvimport.Imported
		problems []string
	}
	var lines []line
	byRow := map[int]int{}
	for k := range i.preview.Clients {
		c := &i.preview.Clients[k]
		byRow[c.Row] = len(lines)
		lines = append(lines, line{row: c.Row, client: c})
	}
	for _, p := range i.preview.Problems {
		k, ok := byRow[p.Row]
		if !ok {
			k, byRow[p.Row] = len(lines), len(lines)
			lines = append(lines, line{row: p.Row})
		}
		lines[k].problems = append(lines[k].problems, p.Message)
	}
	order.Sort(lines, func(a, b line) int { return a.row - b.row }) // in file order
	return app.Ol().Class("preview").Body(app.Range(lines).Slice(func(k int) app.UI {
		l := lines[k]
		head := app.Span().Class("row-no").Text("Row " + strconv.Itoa(l.row))
		if l.client == nil {
			return app.Li().Class("bad").Body(head, app.Ul().Class("problems").Body(app.Range(l.problems).Slice(func(j int) app.UI {
				return app.Li().Text(l.problems[j])
			})))
		}
		c := l.client.Client
		var facts []string
		for _, s := range [][]string{c.Phones, c.Emails, {c.Address}, c.Tags} {
			if joined := strings.Join(s, ", "); joined != "" {
				facts = append(facts, joined)
			}
		}
		if c.MarketingConsent {
			facts = append(facts, "agrees to marketing")
		}
		var pets []string
		for _, p := range l.client.Pets {
			s := p.Pet.Name + speciesSuffix(p.Pet.Species)
			if p.Pet.Breed != "" {
				s += ", " + p.Pet.Breed
			}
			pets = append(pets, s)
		}
		return app.Li().Body(
			head,
			app.Span().Class("client-name").Text(c.Name),
			app.If(len(facts) > 0, func() app.UI { return app.Span().Class("sub").Text(strings.Join(facts, " · ")) }),
			app.If(len(pets) > 0, func() app.UI { return app.Span().Class("sub").Text("Pets: " + strings.Join(pets, "; ")) }),
			app.If(c.Notes != "", func() app.UI { return app.Span().Class("sub notes").Text("Notes: " + c.Notes) }),
		)
	}))
}

// convertAll converts every row as mapped, for the problems step.
func (i *importer) convertAll(ctx app.Context, e app.Event) {
	res, err := csvimport.Convert(i.table, i.mapping, nil)
	if err != nil {
		i.mapErr = "Nothing can be imported yet: " + strings.TrimPrefix(err.Error(), "csvimport: ") + "."
		return
	}
	i.result, i.err, i.step = res, "", stepRows
}

func (i *importer) renderRows() app.UI {
	r := i.result
	good, bad := len(r.Clients), r.BadRows
	var summary, action string
	switch {
	case good == 0:
		summary = "No row can be imported: every row has a problem. Fix them in the file (or the columns), then choose it again."
	case bad == 0:
		summary = fmt.Sprintf("All %s %s are ready to import.", thousands(good), plural(good, "row", "rows"))
		action = fmt.Sprintf("Import %s %s", thousands(good), plural(good, "client", "clients"))
	default:
		summary = fmt.Sprintf("%s %s ready to import. %s %s problems and will be skipped unless you fix them in the file and choose it again.",
			thousands(good), plural(good, "row is", "rows are"), thousands(bad), plural(bad, "row has", "rows have"))
		action = fmt.Sprintf("Import the %s good %s and skip %s", thousands(good), plural(good, "row", "rows"), thousands(bad))
	}
	shown := r.Problems[:min(maxProblemsShown, len(r.Problems))]
	return app.Div().Body(
		app.Section().Class("card").Aria("labelledby", "rows-title").Body(
			app.H2().ID("rows-title").Text("Check the rows"),
			app.P().Class("file-facts").Text(summary),
			app.If(r.BlankRows > 0, func() app.UI {
				return app.P().Class("hint").Text(fmt.Sprintf("%s blank %s left out.", thousands(r.BlankRows), plural(r.BlankRows, "row is", "rows are")))
			}),
			app.If(len(shown) > 0, func() app.UI {
				return app.Ul().Class("problems").Aria("label", "Problems").Body(app.Range(shown).Slice(func(k int) app.UI {
					p := shown[k]
					return app.Li().Body(app.Span().Class("row-no").Text("Row "+strconv.Itoa(p.Row)), app.Text(p.Message))
				}))
			}),
			app.If(len(r.Problems) > len(shown), func() app.UI {
				return app.P().Class("hint").Text(fmt.Sprintf("…and %s more problems. If every row has one, check the columns or the file's delimiter.", thousands(len(r.Problems)-len(shown))))
			}),
		),
		i.alert(),
		app.Div().Class("actions").Body(
			app.If(action != "", func() app.UI { return app.Button().Class("primary").Text(action).OnClick(i.start) }),
			app.Button().Text("Back to the columns").OnClick(func(ctx app.Context, e app.Event) { i.step, i.err = stepColumns, "" }),
			app.A().Class("button").Href("/clients").Text("Cancel"),
		),
	)
}

// frameTime is how long the import stops between chunks: a frame, so the
// browser paints the progress bar (the wasm thread is the page's only
// thread).
const frameTime = 16 * time.Millisecond

// start imports the good rows. The session seals them in chunks, and
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
		app.Div().Class("note").Attr("role", "status").Text(fmt.Sprintf("Imported %s %s and %s %s.",
			thousands(t.Clients), plural(t.Clients, "client", "clients"), thousands(t.Pets), plural(t.Pets, "pet", "pets"))),
		app.P().Text("They are on this device now, and sync sends them to the server and your team's devices."),
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
