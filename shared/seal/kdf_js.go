//go:build js && wasm

package seal

import (
	"sync/atomic"
	"time"

	"pawfile/shared/seal/internal/argon2id"
)

// yieldEvery is how long the derivation runs before it lets the page have
// a turn: in a browser, a Go program holds the page's only thread until it
// waits, and Argon2id takes about half a second (a freeze of the page, and
// the unlock's read of IndexedDB waiting for the thread meanwhile).
const yieldEvery = 30 * time.Millisecond

// idKey is Argon2id's 32-byte output for p, as x/crypto computes it, with
// a short wait every yieldEvery.
func idKey(passphrase, salt []byte, p Params) []byte {
	var last atomic.Int64 // time.Now().UnixNano() of the last turn
	last.Store(time.Now().UnixNano())
	return argon2id.Key(passphrase, salt, p.Passes, p.Memory, p.Lanes, 32, func() {
		if time.Since(time.Unix(0, last.Load())) < yieldEvery {
			return
		}
		// A timer: the program waits, so the browser runs its tasks.
		time.Sleep(time.Millisecond)
		last.Store(time.Now().UnixNano())
	})
}
