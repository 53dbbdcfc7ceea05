package session

import (
	"strings"
	"testing"

	"pawfile/shared/wire"
)

// parseRowKey reads back what rowKey writes, and nothing else: a row whose
// key does not parse is refetched from the server.
func TestParseRowKey(t *testing.T) {
	var k wire.Key
	for i := range k {
		k[i] = byte(i*37 + 5)
	}
	for _, s := range []string{rowKey(k), strings.ToUpper(rowKey(k))} {
		got, err := parseRowKey(s)
		if err != nil || got != k {
			t.Errorf("parseRowKey(%q) = %x, %v; want %x", s, got, err, k)
		}
	}
	for _, bad := range []string{"", rowKey(k)[:62], rowKey(k) + "00", "g" + rowKey(k)[1:], rowKey(k)[:63] + " ", docPrefix + rowKey(k)} {
		if _, err := parseRowKey(bad); err == nil {
			t.Errorf("parseRowKey(%q) succeeded", bad)
		}
	}
}
