package directory

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"

	"golang.org/x/crypto/argon2"
)

// The server-side hash of a device's auth secret. The device already ran
// Argon2id over the passphrase; this second, cheaper run means a stolen
// database does not hand out secrets that log in directly.
const (
	authMemory  = 19 * 1024 // KiB
	authPasses  = 2
	authLanes   = 1
	authSaltLen = 16
	authHashLen = 32
	tokenLen    = 32
)

// hashAuth runs Argon2id over secret, at most cap(d.hashing) at a time so a
// burst of logins cannot take the server's memory.
func (d *Directory) hashAuth(ctx context.Context, secret, salt []byte) ([]byte, error) {
	select {
	case d.hashing <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-d.hashing }()
	return argon2.IDKey(secret, salt, authPasses, authMemory, authLanes, authHashLen), nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// newToken returns a device token and the hash it is stored under.
func newToken() (string, []byte) {
	raw := randomBytes(tokenLen)
	h := sha256.Sum256(raw)
	return base64.RawURLEncoding.EncodeToString(raw), h[:]
}

// tokenHash returns the lookup hash of a presented token, or false if it
// cannot be one of ours.
func tokenHash(token string) ([]byte, bool) {
	if len(token) != base64.RawURLEncoding.EncodedLen(tokenLen) {
		return nil, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != tokenLen {
		return nil, false
	}
	h := sha256.Sum256(raw)
	return h[:], true
}

// normalizeCode accepts an invite code as people type it: any case, with
// spaces or dashes.
func normalizeCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, code)
}

func codeHash(code string) []byte {
	h := sha256.Sum256([]byte("pawfile invite\x00" + normalizeCode(code)))
	return h[:]
}

// fakeSalt is the salt shown for a login that does not exist: stable for
// the login and unguessable without the server's secret, so the answer
// looks like a real member's.
func (d *Directory) fakeSalt(login string) []byte {
	m := hmac.New(sha256.New, d.secret)
	m.Write([]byte("pawfile fake login salt\x00"))
	m.Write([]byte(login))
	return m.Sum(nil)[:SaltLen]
}

func equalHash(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }
