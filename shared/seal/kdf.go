package seal

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/hkdf"
)

// Params are Argon2id's costs.
type Params struct {
	Memory uint32 // KiB
	Passes uint32
	Lanes  uint8
}

// DefaultParams is OWASP's first recommended Argon2id setting (46 MiB, one
// pass, one lane): about half a second in Chromium's wasm on a 2-core
// machine, which a person waits once per unlock.
var DefaultParams = Params{Memory: 47104, Passes: 1, Lanes: 1}

// The floor below which Check refuses parameters: OWASP's minimum.
const (
	minMemory       = 19 * 1024 // KiB
	minMemoryPasses = 46 * 1024 // KiB × passes
	maxMemory       = 1 << 20   // 1 GiB: more would stall a tablet
	maxPasses       = 10
	maxLanes        = 8
)

// Check refuses parameters weaker than OWASP's minimum (or absurdly
// costly), whoever supplied them: a server must not be able to weaken a
// passphrase's protection by handing a device cheap parameters.
func (p Params) Check() error {
	switch {
	case p.Memory < minMemory:
		return fmt.Errorf("key derivation memory of %d KiB is below the minimum of %d KiB", p.Memory, minMemory)
	case uint64(p.Memory)*uint64(p.Passes) < minMemoryPasses:
		return fmt.Errorf("key derivation cost of %d KiB × %d passes is below the minimum of %d KiB", p.Memory, p.Passes, minMemoryPasses)
	case p.Memory > maxMemory:
		return fmt.Errorf("key derivation memory of %d KiB is above the maximum of %d KiB", p.Memory, maxMemory)
	case p.Passes > maxPasses:
		return fmt.Errorf("key derivation passes %d, at most %d", p.Passes, maxPasses)
	case p.Lanes == 0 || p.Lanes > maxLanes:
		return fmt.Errorf("key derivation lanes %d, want 1 to %d", p.Lanes, maxLanes)
	}
	return nil
}

// SaltSize is the length of a passphrase salt.
const SaltSize = 16

// NewSalt returns a random salt.
func NewSalt() []byte {
	s := make([]byte, SaltSize)
	if _, err := io.ReadFull(rand.Reader, s); err != nil {
		panic(fmt.Sprintf("seal: read random: %v", err))
	}
	return s
}

// Secrets are what a passphrase yields. Auth logs in: the server sees it
// and stores only a hash of it. KEK unwraps the workspace keys and never
// leaves the device.
type Secrets struct {
	Auth [32]byte
	KEK  Key
}

// ErrEmptyPassphrase is returned for an empty passphrase.
var ErrEmptyPassphrase = errors.New("choose a passphrase")

// Derive runs Argon2id over the passphrase and splits the result into the
// login secret and the key-encryption key. It takes about as long as the
// parameters say: show a wait state before calling it on a device.
func Derive(passphrase, salt []byte, p Params) (Secrets, error) {
	if len(passphrase) == 0 {
		return Secrets{}, ErrEmptyPassphrase
	}
	if len(salt) != SaltSize {
		return Secrets{}, fmt.Errorf("salt of %d bytes, want %d", len(salt), SaltSize)
	}
	if err := p.Check(); err != nil {
		return Secrets{}, err
	}
	master := idKey(passphrase, salt, p)
	var s Secrets
	if err := expand(master, "pawfile auth v1", s.Auth[:]); err != nil {
		return Secrets{}, err
	}
	if err := expand(master, "pawfile kek v1", s.KEK[:]); err != nil {
		return Secrets{}, err
	}
	return s, nil
}

func expand(secret []byte, info string, out []byte) error {
	_, err := io.ReadFull(hkdf.New(sha256.New, secret, nil, []byte(info)), out)
	return err
}
