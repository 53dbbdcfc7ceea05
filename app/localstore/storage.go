//go:build js && wasm

package localstore

import (
	"context"
	"errors"
	"fmt"
	"syscall/js"

	"pawfile/app/browser"
)

// storageManager returns navigator.storage, or an undefined value if the
// browser has none (or denies access to it).
func storageManager() js.Value {
	nav, err := getGlobal("navigator")
	if err != nil || !nav.Truthy() {
		return js.Undefined()
	}
	var sm js.Value
	if err := browser.Try(func() { sm = jsReflect.Call("get", nav, "storage") }); err != nil {
		return js.Undefined()
	}
	return sm
}

// Persist asks the browser (navigator.storage.persist()) to keep this
// site's data when it runs short of space instead of evicting it, and
// reports whether the data is now persistent. It returns false, with no
// error, if the browser does not support the request. The browser may
// decide by itself or ask the person, so call it after a user action.
func Persist(ctx context.Context) (bool, error) {
	sm := storageManager()
	if !sm.Truthy() || sm.Get("persist").Type() != js.TypeFunction {
		return false, nil
	}
	var p js.Value
	if err := browser.Try(func() { p = sm.Call("persist") }); err != nil {
		return false, fmt.Errorf("localstore: persist: %w", err)
	}
	v, err := browser.Await(ctx, p)
	if err != nil {
		return false, fmt.Errorf("localstore: persist: %w", err)
	}
	return v.Truthy(), nil
}

// Usage returns how many bytes this site stores and how many it may store
// at most (navigator.storage.estimate()). Both are the browser's estimates.
func Usage(ctx context.Context) (used, quota int64, err error) {
	sm := storageManager()
	if !sm.Truthy() || sm.Get("estimate").Type() != js.TypeFunction {
		return 0, 0, errors.New("localstore: usage: this browser does not report storage use")
	}
	var p js.Value
	if err := browser.Try(func() { p = sm.Call("estimate") }); err != nil {
		return 0, 0, fmt.Errorf("localstore: usage: %w", err)
	}
	est, err := browser.Await(ctx, p)
	if err != nil {
		return 0, 0, fmt.Errorf("localstore: usage: %w", err)
	}
	if est.Type() != js.TypeObject {
		return 0, 0, fmt.Errorf("localstore: usage: estimate() gave %s", est.Type())
	}
	u, q := est.Get("usage"), est.Get("quota")
	if u.Type() != js.TypeNumber || q.Type() != js.TypeNumber {
		return 0, 0, errors.New("localstore: usage: estimate() gave no usage or quota")
	}
	return int64(u.Float()), int64(q.Float()), nil
}
