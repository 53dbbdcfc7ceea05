package ui

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/session"
	"pawfile/shared/access"
	"pawfile/shared/account"
)

// backupScreen is the owner's screen for taking the workspace away: the
// encrypted backup the server holds (to restore onto a new server), and
// everything as plain files to open without Pawfile.
type backupScreen struct {
	app.Compo
	backups []account.BackupReply
	listed  bool // the server has answered with its list
	listErr string
	status  string // what the encrypted backup's download is doing
	err     string

	exporting   bool
	done, total int
	exported    string // what the last full export held
	exportErr   string
}

func (b *backupScreen) OnNav(ctx app.Context) {
	if current.Phase() != session.Open {
		toUnlock(ctx)
		return
	}
	if current.Role() == access.Owner {
		b.load(ctx)
	}
}

// load reads the list of backups taken from the server.
func (b *backupScreen) load(ctx app.Context) {
	ctx.Async(func() {
		bs, err := current.Backups(context.Background())
		ctx.Dispatch(func(ctx app.Context) {
			b.backups, b.listErr, b.listed = bs, "", true
			if err != nil {
				b.listErr = "Cannot list the backups taken: " + err.Error()
			}
		})
	})
}

func (b *backupScreen) Render() app.UI {
	if current.Role() != access.Owner {
		return &frame{Content: []app.UI{
			app.H1().Text("Backups and export"),
			notice("Only the workspace owner can download backups and exports: ask the owner.", false),
		}}
	}
	taken := []app.UI{app.H2().ID("taken-title").Text("Backups taken"), notice(b.listErr, true)}
	switch {
	case !b.listed && b.listErr == "":
		taken = append(taken, app.P().Class("hint").Attr("role", "status").Text("Asking the server…"))
	case len(b.backups) == 0 && b.listErr == "":
		taken = append(taken, app.P().Class("hint").Text("None yet."))
	}
	for _, t := range b.backups {
		taken = append(taken, takenItem(t))
	}
	var progress app.UI
	if b.exporting {
		progress = app.Div().Body(
			app.Label().For("export-progress").Text(fmt.Sprintf("Preparing the zip: step %d of %d", b.done, max(b.total, 1))),
			app.Progress().ID("export-progress").Max(max(b.total, 1)).Value(b.done),
		)
	}
	return &frame{Content: []app.UI{
		app.H1().Text("Backups and export"),
		card("backup-title", "Encrypted backup", "Everything the server holds for this workspace, still encrypted: records and their history, "+
			"photos, and the team's sign-in details. It can be restored onto a new, empty Pawfile server "+
			"(pawfile restore-workspace); then each person signs in with their own login and passphrase.",
			app.Button().Class("primary").ID("download-backup").Text("Download encrypted backup").OnClick(b.downloadBackup),
			notice(b.status, false), notice(b.err, true), app.Div().Body(taken...)),
		card("export-title", "Everything, readable without Pawfile", "Every record this device holds, as JSON and as CSV for a spreadsheet "+
			"(one file per kind of record), with the photos as JPEG files, in one zip. It is not encrypted: keep it safe.",
			app.Button().Class("primary").ID("download-all").Disabled(b.exporting).Text("Download everything (zip)").OnClick(b.exportAll),
			progress, notice(b.exported, false), notice(b.exportErr, true)),
	}}
}

// card is a section of the screen: a title, what it is for, its button,
// and what follows.
func card(id, title, about string, button app.UI, rest ...app.UI) app.UI {
	return app.Section().Class("card").Aria("labelledby", id).Body(
		append([]app.UI{app.H2().ID(id).Text(title), app.P().Text(about), app.Div().Class("actions").Body(button)}, rest...)...,
	)
}

// notice is a message for a person: a status note, or an alert; nothing
// if text is empty.
func notice(text string, alert bool) app.UI {
	switch {
	case text == "":
		return nil
	case alert:
		return app.Div().Class("alert").Attr("role", "alert").Text(text)
	}
	return app.P().Class("note").Attr("role", "status").Text(text)
}

// takenItem is one backup taken: when, by whom, how big, and a warning
// when it holds data erased since.
func takenItem(t account.BackupReply) app.UI {
	var erased app.UI
	if !t.ErasedSince.IsZero() {
		erased = app.P().Class("warn").Text("Holds data erased since " + t.ErasedSince.Local().Format("2 Jan 2006 15:04") +
			": delete this backup file wherever it is kept.")
	}
	return app.Div().Class("member").Body(
		app.P().Text(t.TakenAt.Local().Format("2 Jan 2006 15:04")+" · "+byteSize(t.Bytes)+" · by "+t.By),
		erased,
	)
}

// byteSize is n bytes in kilobytes, rounded up.
func byteSize(n int64) string { return strconv.FormatInt((n+1023)>>10, 10) + " KB" }

// downloadBackup asks the server for a one-use link and lets the browser
// download the file, with its own progress.
func (b *backupScreen) downloadBackup(ctx app.Context, e app.Event) {
	b.status, b.err = "Asking the server for the backup…", ""
	ctx.Async(func() {
		link, err := current.BackupLink(context.Background())
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				b.status, b.err = "", "Cannot download the backup: "+err.Error()
				return
			}
			b.status = "Your browser is downloading the backup: its downloads show the progress."
			followDownload(link, "")
			// The server lists a backup once it has sent all of it.
			for _, d := range []time.Duration{3 * time.Second, 15 * time.Second} {
				ctx.After(d, b.load)
			}
		})
	})
}

// exportAll builds the zip away from the UI, showing its progress, and
// hands it to the browser as a file.
func (b *backupScreen) exportAll(ctx app.Context, e app.Event) {
	b.exporting, b.done, b.total, b.exported, b.exportErr = true, 0, 0, "", ""
	ctx.Async(func() {
		var shown time.Time
		ex, err := current.ExportAll(context.Background(), func(done, total int) {
			if time.Since(shown) < 100*time.Millisecond && done < total {
				return
			}
			shown = time.Now()
			ctx.Dispatch(func(ctx app.Context) { b.done, b.total = done, total })
		})
		var url app.Value
		if err == nil {
			url = blobURL(ex.Parts, "application/zip")
			ex.Parts = nil // the browser holds the bytes now
		}
		ctx.Dispatch(func(ctx app.Context) {
			b.exporting = false
			if err != nil {
				b.exportErr = "The export could not be made (" + err.Error() + "): try again."
				return
			}
			b.exported = fmt.Sprintf("Downloaded %s: %d records and %d photos (%s).", ex.Name, ex.Records, ex.Photos, byteSize(ex.Size))
			if ex.Missing > 0 {
				b.exported += fmt.Sprintf(" %d photos are not on this device yet: let it sync, then export again.", ex.Missing)
			}
			followDownload(url.String(), ex.Name)
			// The browser reads the blob after the click returns.
			time.AfterFunc(time.Minute, func() { app.Window().Get("URL").Call("revokeObjectURL", url) })
		})
	})
}

// blobURL makes a browser Blob of parts, copied part by part, and returns
// its object URL.
func blobURL(parts [][]byte, mime string) app.Value {
	w := app.Window()
	arr := w.Get("Array").New()
	for _, p := range parts {
		u := w.Get("Uint8Array").New(len(p))
		app.CopyBytesToJS(u, p)
		arr.Call("push", u)
	}
	blob := w.Get("Blob").New(arr, map[string]any{"type": mime})
	return w.Get("URL").Call("createObjectURL", blob)
}

// followDownload follows href as a download (named name, if not "").
func followDownload(href, name string) {
	doc := app.Window().Get("document")
	a := doc.Call("createElement", "a")
	a.Set("href", href)
	a.Set("download", name)
	doc.Get("body").Call("appendChild", a)
	a.Call("click")
	a.Call("remove")
}
