// Package peer names the network peer behind a request for the limits the
// server keeps per address (sign-ups, sign-in guesses, sockets that have
// not signed in). One person holds one IPv4 address but usually a whole
// IPv6 /64, so an IPv6 peer is counted by its /64. Behind a reverse proxy
// the peer is the client the proxy forwarded for (Behind).
package peer

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
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

// Behind returns h seeing, as each request's RemoteAddr, the client a
// trusted reverse proxy forwarded it for: the rightmost address in
// X-Forwarded-For that is not itself a trusted proxy. A request from
// anywhere else keeps its RemoteAddr, whatever headers it sends, so a
// client cannot choose the address its limits are counted under. With no
// trusted proxies it returns h.
func Behind(trusted []netip.Prefix, h http.Handler) http.Handler {
	if len(trusted) == 0 {
		return h
	}
	isTrusted := func(s string) bool {
		ip, err := netip.ParseAddr(strings.TrimSpace(s))
		if err != nil {
			return false
		}
		ip = ip.Unmap()
		for _, p := range trusted {
			if p.Contains(ip) {
				return true
			}
		}
		return false
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil || !isTrusted(host) {
			h.ServeHTTP(w, r)
			return
		}
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			hop := strings.TrimSpace(hops[i])
			if hop == "" || isTrusted(hop) {
				continue
			}
			if ip, err := netip.ParseAddr(hop); err == nil {
				r2 := r.Clone(r.Context())
				r2.RemoteAddr = netip.AddrPortFrom(ip.Unmap(), 0).String()
				h.ServeHTTP(w, r2)
				return
			}
			break // a hop that is no address: keep the proxy's
		}
		h.ServeHTTP(w, r)
	})
}

// ParsePrefixes reads a comma-separated list of addresses and CIDR
// prefixes, such as "127.0.0.1,10.0.0.0/8".
func ParsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		ip, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address nor a prefix such as 10.0.0.0/8", s)
		}
		ip = ip.Unmap()
		out = append(out, netip.PrefixFrom(ip, ip.BitLen()))
	}
	return out, nil
}
