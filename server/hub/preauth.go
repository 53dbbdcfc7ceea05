package hub

import (
	"fmt"
	"net/http"
	"sync"
)

// preAuth counts the sockets that have not yet authenticated their hello,
// overall and per address, so that strangers cannot hold the server's
// memory with sockets that never sign in.
type preAuth struct {
	mu           sync.Mutex
	max, perAddr int
	total        int
	byAddr       map[string]int
}

// enter takes a place for a new socket from addr, or says why there is
// none with the HTTP status to refuse the upgrade with.
func (p *preAuth) enter(addr string) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.byAddr[addr] >= p.perAddr {
		return http.StatusTooManyRequests, fmt.Errorf("%d connections from this address have not signed in yet: wait a few seconds and try again", p.perAddr)
	}
	if p.total >= p.max {
		return http.StatusServiceUnavailable, fmt.Errorf("the server has %d connections waiting to sign in: wait a few seconds and try again", p.max)
	}
	p.total++
	p.byAddr[addr]++
	return 0, nil
}

func (p *preAuth) leave(addr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total--
	if p.byAddr[addr]--; p.byAddr[addr] <= 0 {
		delete(p.byAddr, addr)
	}
}
