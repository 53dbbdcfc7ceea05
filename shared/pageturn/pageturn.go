// Package pageturn lets a browser page have a turn in the middle of long
// Go work.
//
// In a browser, a Go program holds the page's only thread until every
// goroutine waits. A short time.Sleep is not enough to hand the thread
// back: while it sleeps, Go runs whatever else is runnable (another
// goroutine's work, the garbage collector's marking), and if that lasts
// past the sleep, the sleeper is runnable again before the page ever had
// the thread. Measured in Chromium, the first key derivation of a page
// slept three times (1 ms each, about 30 ms apart) while something else
// ran, most likely the collector, and the page had its first turn 111 ms
// after the derivation started; two goroutines working in slices held
// the page for 424 ms (TestTurnWhileOthersWork, with a sleep for a turn).
// Turn waits for the page itself to answer, so it always gets its turn.
//
// Outside a browser Turn returns at once: nothing waits for the thread.
package pageturn
