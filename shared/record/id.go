package record

import (
	"crypto/rand"
	"encoding/base32"
)

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewID returns a new random record id: 128 bits from crypto/rand as 26
// lowercase base32 characters, so ids made offline on different tablets
// never collide.
func NewID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails: the runtime aborts if the system source does
	return idEncoding.EncodeToString(b[:])
}

// ValidID reports whether s has the shape of a record id: 1 to 64 of
// a-z, 0-9, _ and -. NewID's ids have it; so may ids an import brings along.
func ValidID(s string) bool {
	if len(s) == 0 || len(s) > IDMax {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
