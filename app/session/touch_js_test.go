//go:build js && wasm

package session

import (
	"syscall/js"
	"testing"
	"time"
)

// TestTouchDuringStorageWait touches the session from a browser event
// while another goroutine holds the session's lock across a wait on the
// browser (as a sync commit does across an IndexedDB transaction). If
// Touch took that lock, the event callback would block, the browser could
// not deliver the event the holder waits for, and Go would die with "all
// goroutines are asleep".
func TestTouchDuringStorageWait(t *testing.T) {
	s := &Session{}
	touch := js.FuncOf(func(js.Value, []js.Value) any { s.Touch(); return nil })
	defer touch.Release()
	doc := js.Global().Get("document")
	doc.Call("addEventListener", "pointerdown", touch)
	defer doc.Call("removeEventListener", "pointerdown", touch)

	waited := make(chan struct{})
	wake := js.FuncOf(func(js.Value, []js.Value) any { close(waited); return nil })
	defer wake.Release()
	press := js.FuncOf(func(js.Value, []js.Value) any {
		doc.Call("dispatchEvent", js.Global().Get("Event").New("pointerdown"))
		return nil
	})
	defer press.Release()

	s.mu.Lock()
	js.Global().Call("setTimeout", press, 10)
	js.Global().Call("setTimeout", wake, 100)
	select {
	case <-waited:
	case <-time.After(5 * time.Second):
		t.Fatal("the browser's timer never fired")
	}
	s.mu.Unlock()
	if s.lastTouch.Load() == 0 {
		t.Error("the touch was not noted")
	}
}
