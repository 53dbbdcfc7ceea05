package directory

import (
	"sync"
	"time"

	"pawfile/server/peer"
)

// Failed sign-ins slow down whoever makes them, and never lock anyone out.
// Each failure is counted under three keys, and an attempt waits for the
// longest of their delays; each delay doubles with every failure beyond
// its free ones, up to its cap:
//
//   - the login from this address (5 free, then 1 s, 2 s, … up to 15 min):
//     one person's typos, or one stranger's guesses at one login;
//   - the address, whatever the login (20 free, up to 15 min): guessing
//     across many logins from one place;
//   - the login, whatever the address (20 free, up to 1 min), but only for
//     addresses that have failed at this login themselves: guessing from
//     many places. The owner, at an address that has not failed, is never
//     slowed down by it.
//
// A key's failures are forgotten after an hour without one, and a success
// forgets the login's. A device's token is never throttled: signed-in
// devices keep working whatever strangers do. The counts are in memory: a
// restart forgets them, which costs an attacker a restart of ours; the
// Argon2id cost of every attempt stays either way.
var (
	perLoginAddr = limit{free: 5, max: 15 * time.Minute}
	perAddr      = limit{free: 20, max: 15 * time.Minute}
	perLogin     = limit{free: 20, max: time.Minute}
)

const (
	forgetAfter = time.Hour
	maxTracked  = 100000 // keys held at most; beyond, stale ones go first
)

// limit is how a key's failures turn into a delay.
type limit struct {
	free int
	max  time.Duration
}

// delay is how long after its last failure a key with n failures waits.
func (l limit) delay(n int) time.Duration {
	if n < l.free {
		return 0
	}
	d := time.Second << min(n-l.free, 30)
	return min(d, l.max)
}

type strikes struct {
	n    int
	last time.Time
}

type throttle struct {
	mu   sync.Mutex
	keys map[string]strikes
}

func newThrottle() *throttle { return &throttle{keys: map[string]strikes{}} }

// keysOf returns the keys a sign-in of login from remote counts under, in
// the order of perLoginAddr, perAddr, perLogin.
func keysOf(login, remote string) [3]string {
	addr := peer.Key(remote)
	return [3]string{"la\x00" + login + "\x00" + addr, "a\x00" + addr, "l\x00" + login}
}

// get returns key's strikes at now, forgetting stale ones.
func (t *throttle) get(key string, now time.Time) strikes {
	s := t.keys[key]
	if s.n > 0 && now.Sub(s.last) >= forgetAfter {
		delete(t.keys, key)
		return strikes{}
	}
	return s
}

// check returns a *ThrottledError if a sign-in of login from remote must
// wait at now.
func (t *throttle) check(login, remote string, now time.Time) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	k := keysOf(login, remote)
	mine := t.get(k[0], now)
	until := mine.last.Add(perLoginAddr.delay(mine.n))
	if s := t.get(k[1], now); s.last.Add(perAddr.delay(s.n)).After(until) {
		until = s.last.Add(perAddr.delay(s.n))
	}
	if mine.n > 0 {
		if s := t.get(k[2], now); s.last.Add(perLogin.delay(s.n)).After(until) {
			until = s.last.Add(perLogin.delay(s.n))
		}
	}
	if !until.After(now) {
		return nil
	}
	return &ThrottledError{Until: until, Wait: until.Sub(now)}
}

// fail counts a failed sign-in of login from remote at now.
func (t *throttle) fail(login, remote string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.keys) >= maxTracked {
		t.prune(now)
	}
	for _, k := range keysOf(login, remote) {
		s := t.get(k, now)
		t.keys[k] = strikes{n: s.n + 1, last: now}
	}
}

// prune forgets stale keys and, if that is not enough, any tenth of them:
// memory stays bounded whatever an attacker sends.
func (t *throttle) prune(now time.Time) {
	for k := range t.keys {
		t.get(k, now)
	}
	drop := len(t.keys) - maxTracked*9/10
	for k := range t.keys {
		if drop <= 0 {
			break
		}
		delete(t.keys, k)
		drop--
	}
}

// succeed forgets the failures of login (from anywhere: the right
// passphrase was given), but not the address's.
func (t *throttle) succeed(login, remote string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	k := keysOf(login, remote)
	delete(t.keys, k[0])
	delete(t.keys, k[2])
}
