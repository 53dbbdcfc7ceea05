//go:build js && wasm

package session

import "syscall/js"

// longTasks watches the page's long tasks (PerformanceObserver
// "longtask": over 50 ms without the page painting or taking a tap) from
// now; the function it returns stops watching and tells how many there
// were and the longest, in ms.
func longTasks() func() (n int, longest float64) {
	var count int
	var most float64
	take := func(entries js.Value) {
		for i := range entries.Length() {
			count++
			most = max(most, entries.Index(i).Get("duration").Float())
		}
	}
	cb := js.FuncOf(func(_ js.Value, args []js.Value) any {
		take(args[0].Call("getEntries"))
		return nil
	})
	obs := js.Global().Get("PerformanceObserver").New(cb)
	opts := js.Global().Get("Object").New()
	opts.Set("type", "longtask")
	obs.Call("observe", opts)
	return func() (int, float64) {
		take(obs.Call("takeRecords"))
		obs.Call("disconnect")
		cb.Release()
		return count, most
	}
}
