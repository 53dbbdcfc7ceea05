//go:build js && wasm

package seal

import (
	"sync"
	"sync/atomic"
	"time"

	"pawfile/shared/pageturn"
	"pawfile/shared/seal/internal/argon2id"
)

// yieldEvery is how long the derivation runs before it lets the page have
// a turn: in a browser, a Go program holds the page's only thread until it
// waits, and Argon2id takes about half a second (a freeze of the page, and
// the unlock's read of IndexedDB waiting for the thread meanwhile).
const yieldEvery = 30 * time.Millisecond

// prepared is the memory Prepare made ready, and for which parameters.
var prepared struct {
	sync.Mutex
	memory uint32
	lanes  uint8
	ready  chan struct{} // closed once mem is made; nil if nothing is prepared
	mem    *argon2id.Memory
}

// Prepare makes ready, in the background, the memory the next derivation
// with p fills. In Chromium, a page's first derivation spent most of its
// time writing its 46 MB of fresh memory for the first time: 468–975 ms,
// against 136–239 ms in memory written before (measured in a wasm test
// on a 2-core VM). Made while the person types their passphrase, that
// time is not spent after their tap. The memory goes with the derivation
// that uses it.
func Prepare(p Params) {
	if p.Check() != nil {
		return
	}
	prepared.Lock()
	defer prepared.Unlock()
	if prepared.ready != nil && prepared.memory == p.Memory && prepared.lanes == p.Lanes {
		return // made, or being made
	}
	ready := make(chan struct{})
	prepared.memory, prepared.lanes, prepared.ready, prepared.mem = p.Memory, p.Lanes, ready, nil
	go func() {
		mem := argon2id.NewMemory(p.Memory, p.Lanes, turns())
		prepared.Lock()
		if prepared.ready == ready {
			prepared.mem = mem
		}
		prepared.Unlock()
		close(ready)
	}()
}

// takePrepared returns the memory prepared for p, once it is made, and
// forgets it; nil if none was prepared for p.
func takePrepared(p Params) *argon2id.Memory {
	prepared.Lock()
	ready := prepared.ready
	if ready == nil || prepared.memory != p.Memory || prepared.lanes != p.Lanes {
		prepared.Unlock()
		return nil
	}
	prepared.Unlock()
	<-ready // what is left of it is what the derivation would do anyway
	prepared.Lock()
	defer prepared.Unlock()
	mem := prepared.mem
	if prepared.ready == ready {
		prepared.ready, prepared.mem = nil, nil
	}
	return mem
}

// turns returns a function that gives the page a turn once yieldEvery has
// passed since it last did.
func turns() func() {
	var last atomic.Int64 // time.Now().UnixNano() of the last turn
	last.Store(time.Now().UnixNano())
	return func() {
		if time.Since(time.Unix(0, last.Load())) < yieldEvery {
			return
		}
		pageturn.Turn()
		last.Store(time.Now().UnixNano())
	}
}

// idKey is Argon2id's 32-byte output for p, as x/crypto computes it, in
// the memory prepared for it if there is, with a turn of the page every
// yieldEvery. The first turn comes before the memory is taken, so that
// the work of the tap that asked for the key and the derivation are not
// one task.
func idKey(passphrase, salt []byte, p Params) []byte {
	pageturn.Turn()
	mem := takePrepared(p)
	return argon2id.Key(passphrase, salt, p.Passes, p.Memory, p.Lanes, 32, mem, turns())
}
