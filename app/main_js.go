//go:build js && wasm

package main

import (
	"context"
	"log"
	"strings"
	"syscall/js"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"pawfile/app/localstore"
	"pawfile/app/session"
	"pawfile/app/ui"
	"pawfile/app/zone"
	"pawfile/shared/record"
)

// dbName is the IndexedDB database holding this origin's workspace.
const dbName = "pawfile"

func run() {
	setLocalZone()
	ctx := context.Background()
	db, err := localstore.Open(ctx, dbName)
	if err != nil {
		ui.RegisterUnavailable(err)
		app.RunWhenOnBrowser()
		return
	}
	s, err := session.New(ctx, session.Config{
		Server:     js.Global().Get("location").Get("origin").String(),
		DeviceName: deviceName(),
		App:        app.Getenv("GOAPP_VERSION"),
		Store:      db,
		Log:        log.Default(),
		OnConnect:  checkForUpdate,
		Storage: func(ctx context.Context) (session.Storage, error) {
			used, quota, err := localstore.Usage(ctx)
			if err != nil {
				return session.Storage{}, err
			}
			persistent, _ := localstore.Persist(ctx)
			return session.Storage{Used: used, Quota: quota, Persistent: persistent}, nil
		},
	})
	if err != nil {
		ui.RegisterUnavailable(err)
		app.RunWhenOnBrowser()
		return
	}
	go localstore.Persist(ctx)
	watchIdle(s)
	ui.Register(s)
	app.RunWhenOnBrowser()
}

// deviceName is how the owner's team screen names this device.
func deviceName() string {
	ua := js.Global().Get("navigator").Get("userAgent").String()
	for _, n := range []struct{ in, name string }{
		{"iPad", "iPad"}, {"iPhone", "iPhone"}, {"Android", "Android"}, {"Windows", "Windows"}, {"Mac OS", "Mac"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, n.in) {
			return "Browser on " + n.name
		}
	}
	return "Browser"
}

// watchIdle postpones the idle lock on every touch or key, and locks when
// the tablet is left alone.
func watchIdle(s *session.Session) {
	touch := js.FuncOf(func(js.Value, []js.Value) any { s.Touch(); return nil })
	for _, ev := range []string{"pointerdown", "keydown"} {
		js.Global().Get("document").Call("addEventListener", ev, touch, map[string]any{"passive": true, "capture": true})
	}
	go func() {
		for range time.Tick(10 * time.Second) {
			s.LockIfIdle()
		}
	}()
}

// checkForUpdate asks the service worker to look for a new version; go-app
// then calls OnAppUpdate on the screens.
func checkForUpdate() {
	sw := js.Global().Get("navigator").Get("serviceWorker")
	if sw.IsUndefined() {
		return
	}
	sw.Call("getRegistration").Call("then", updateRegistration)
}

var updateRegistration = js.FuncOf(func(_ js.Value, args []js.Value) any {
	if len(args) > 0 && args[0].Truthy() {
		args[0].Call("update")
	}
	return nil
})

// setLocalZone makes records read zones from the browser, and time.Local
// the browser's zone (Go under wasm starts in UTC), so times are shown and
// recorded as the groomer lives them.
func setLocalZone() {
	record.SetZoneLoader(zone.Load)
	if loc, err := record.LoadZone(zone.Local()); err == nil {
		time.Local = loc
	}
}
