package ui

import (
	"sync/atomic"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// live keeps an open screen up to date: whenever the records change,
// here or arriving from another device, reread runs on the UI goroutine
// and the screen renders again. A screen that reads its data in Render
// passes nil. A burst of changes, as a sync bringing many records, is one
// re-read: the next is queued only once the last has run, and it sees
// every change made before it. Call it in OnMount; call the returned func
// in OnDismount.
func live(ctx app.Context, reread func(ctx app.Context)) (stop func()) {
	var queued atomic.Bool
	return current.OnChange(func() {
		if queued.Swap(true) {
			return
		}
		ctx.Dispatch(func(ctx app.Context) {
			queued.Store(false)
			if reread != nil {
				reread(ctx)
			}
		})
	})
}
