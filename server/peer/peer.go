// Package peer names the network peer behind a request for the limits the
// server keeps per address (sign-ups, sign-in guesses, sockets that have
// not signed in). One person holds one IPv4 address but usually a whole
// IPv6 /64, so an IPv6 peer is counted by its /64.
package peer

import (
	"net"
	"net/netip"
)

// Key returns the key per-address limits count remoteAddr (host:port, as in
// http.Request.RemoteAddr) under: the IPv4 address, or the IPv6 /64 as a
// prefix. An address it cannot parse is its own key.
func Key(remoteAddr string) string {
	host := remoteAddr
	if h, _, err := net.SplitHostPort(remoteAddr); err == nil {
		host = h
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.String()
	}
	p, err := ip.WithZone("").Prefix(64)
	if err != nil {
		return host
	}
	return p.String()
}
