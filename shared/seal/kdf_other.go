//go:build !(js && wasm)

package seal

import "golang.org/x/crypto/argon2"

// Prepare does nothing outside a browser: the derivation's memory costs a
// native program little (see the browser's Prepare).
func Prepare(Params) {}

// idKey is Argon2id's 32-byte output for p.
func idKey(passphrase, salt []byte, p Params) []byte {
	return argon2.IDKey(passphrase, salt, p.Passes, p.Memory, p.Lanes, 32)
}
