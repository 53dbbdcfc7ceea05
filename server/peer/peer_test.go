package peer

import "testing"

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
