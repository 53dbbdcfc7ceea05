//go:build js && wasm

package pageturn

import (
	"sync"
	"syscall/js"
	"testing"
	"time"
)

// Two goroutines working in slices of 5 ms, each taking a turn after each
// slice, leave the page tasks of a few slices at most. Each one's turn is
// another's time to work, so with a short sleep for a turn, the page had
// the thread only once both were done: one task of 400 ms.
func TestTurnWhileOthersWork(t *testing.T) {
	js.Global().Call("eval", `window.__long = 0; new PerformanceObserver((l) => {
		for (const e of l.getEntries()) window.__long = Math.max(window.__long, e.duration);
	}).observe({type: "longtask"});`)
	Turn()
	<-together(2, func() {
		for range 40 {
			for start := time.Now(); time.Since(start) < 5*time.Millisecond; {
			}
			Turn()
		}
	})
	// The observer hears of a task after it ends: a few more turns.
	for range 5 {
		time.Sleep(10 * time.Millisecond)
	}
	if long := js.Global().Get("__long").Float(); long > 100 {
		t.Errorf("the page waited %.0f ms for a turn", long)
	}
}

// Turns taken at once from many goroutines each end.
func TestManyTurns(t *testing.T) {
	select {
	case <-together(50, func() {
		for range 3 {
			Turn()
		}
	}):
	case <-time.After(20 * time.Second):
		t.Fatal("turns never ended")
	}
}

// together runs f in n goroutines, and closes the channel it returns once
// every one has returned.
func together(n int, f func()) <-chan struct{} {
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f()
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	return done
}
