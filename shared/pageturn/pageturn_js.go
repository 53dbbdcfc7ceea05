//go:build js && wasm

package pageturn

import (
	"sync"
	"syscall/js"
)

var (
	mu      sync.Mutex
	port    js.Value
	waiting []chan struct{} // one per message posted, in order
)

// Turn returns once the page has had the thread: it posts a message to
// itself (a MessageChannel, which unlike a timer is not slowed to 4 ms
// when timers nest) and waits for it to arrive. The page runs its input
// first, and paints if a frame is due; a timer may wait for a later turn.
func Turn() {
	done := make(chan struct{})
	mu.Lock()
	if port.IsUndefined() {
		ch := js.Global().Get("MessageChannel").New()
		ch.Get("port1").Set("onmessage", js.FuncOf(arrived))
		port = ch.Get("port2")
	}
	waiting = append(waiting, done)
	port.Call("postMessage", nil)
	mu.Unlock()
	<-done
}

// arrived releases the oldest waiter. It must not block: the page waits
// for it.
func arrived(js.Value, []js.Value) any {
	mu.Lock()
	done := waiting[0]
	waiting = waiting[1:]
	mu.Unlock()
	close(done)
	return nil
}
