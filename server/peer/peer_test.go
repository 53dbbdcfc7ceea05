package peer

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestKey(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"192.0.2.7:5123", "192.0.2.7"},
		{"[::ffff:192.0.2.7]:80", "192.0.2.7"},
		{"[2001:db8:1:2:aaaa::1]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:bbbb::9%eth0]:443", "2001:db8:1:2::/64"},
		{"@", "@"}, // a unix socket peer
	} {
		if got := Key(c.in); got != c.want {
			t.Errorf("Key(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestBehind(t *testing.T) {
	trusted, err := ParsePrefixes("127.0.0.1, 10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	var seen string
	h := Behind(trusted, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = r.RemoteAddr }))
	for _, c := range []struct{ remote, xff, want string }{
		{"127.0.0.1:5000", "198.51.100.7", "198.51.100.7:0"},
		{"127.0.0.1:5000", "203.0.113.1, 198.51.100.7, 10.1.2.3", "198.51.100.7:0"}, // the client may write the leftmost
		{"127.0.0.1:5000", "", "127.0.0.1:5000"},
		{"127.0.0.1:5000", "not an address", "127.0.0.1:5000"},
		{"192.0.2.9:5000", "198.51.100.7", "192.0.2.9:5000"}, // not through a trusted proxy
		{"127.0.0.1:5000", "2001:db8::1", "[2001:db8::1]:0"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		if seen != c.want {
			t.Errorf("from %s for %q: %s, want %s", c.remote, c.xff, seen, c.want)
		}
	}
	if _, err := ParsePrefixes("10.0.0.0/8,nonsense"); err == nil {
		t.Error("nonsense parsed as a prefix")
	}
}
