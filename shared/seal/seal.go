// Package seal is Pawfile's cryptography: workspace keys, passphrase
// derivation, record keys, and sealing of record versions so that only
// devices holding a class's key can read them.
//
// Record versions are sealed with XChaCha20-Poly1305 under the key of their
// class. The workspace, the record key, the timestamp (and so the author),
// the key id, the format and whether the version is an erasure marker are
// bound in as associated data: a server that moves a version to another
// record or workspace, replays it under another timestamp, or turns it into
// an erasure, produces something that does not open.
package seal

import (
	"bufio"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"golang.org/x/crypto/chacha20poly1305"

	"pawfile/shared/clock"
	"pawfile/shared/record"
)

// Key is a 256-bit symmetric key.
type Key [32]byte

// NewKey returns a random key.
func NewKey() Key {
	var k Key
	if _, err := io.ReadFull(rand.Reader, k[:]); err != nil {
		// crypto/rand does not fail on supported platforms.
		panic(fmt.Sprintf("seal: read random: %v", err))
	}
	return k
}

// RecordKey is the name the server knows a record by: a keyed hash of its
// class, type and id, so the server never sees ids or types.
func RecordKey(mac Key, class record.Class, typ record.Type, id string) [32]byte {
	h := hmac.New(sha256.New, mac[:])
	b := make([]byte, 0, 2+len(typ)+len(id)+binary.MaxVarintLen64)
	b = append(b, byte(class))
	b = binary.AppendUvarint(b, uint64(len(typ)))
	b = append(append(b, typ...), id...)
	h.Write(b)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Header is what a sealed version is bound to. The author is TS.Device.
type Header struct {
	Workspace string
	RecordKey [32]byte
	TS        clock.Timestamp
	KeyID     uint32
	Format    uint8
	// Erased marks an erasure marker: a server that sets the flag on a
	// version, or clears it on a marker, makes it fail to open.
	Erased bool
}

const adLabel = "pawfile version v1"

func (h *Header) ad() []byte {
	b := make([]byte, 0, len(adLabel)+1+binary.MaxVarintLen64+len(h.Workspace)+32+clock.Size+4)
	b = append(b, adLabel...)
	b = append(b, h.Format)
	b = binary.AppendUvarint(b, uint64(len(h.Workspace)))
	b = append(b, h.Workspace...)
	b = append(b, h.RecordKey[:]...)
	b, _ = h.TS.AppendBinary(b)
	b = binary.BigEndian.AppendUint32(b, h.KeyID)
	if h.Erased {
		// Only then, so that versions sealed before the flag was bound
		// still open; what comes before has a fixed length, so the
		// extra byte cannot be confused with another header's.
		b = append(b, 'E')
	}
	return b
}

// Overhead is how many bytes sealing adds: nonce and tag.
const Overhead = chacha20poly1305.NonceSizeX + chacha20poly1305.Overhead

// ErrOpen is returned when a sealed version does not open: wrong key,
// damaged bytes, or bound to another record, workspace, time or key.
var ErrOpen = errors.New("sealed data does not open: wrong key, or damaged or moved data")

// Seal encrypts plaintext under key, bound to h, with a random nonce. The
// result is nonce, ciphertext and tag.
func Seal(key Key, h Header, plaintext []byte) []byte {
	var nonce [chacha20poly1305.NonceSizeX]byte
	nonces.read(nonce[:])
	return sealWith(key, nonce, h.ad(), plaintext)
}

// nonces hands out random nonces from a buffer that crypto/rand fills
// 4 KB at a time: in the browser each read of crypto/rand is a call out
// to crypto.getRandomValues, which cost more than the sealing itself when
// a new device sealed thousands of index docs. Each byte is handed out
// once.
var nonces = &nonceSource{r: bufio.NewReaderSize(rand.Reader, 4096)}

type nonceSource struct {
	mu sync.Mutex
	r  *bufio.Reader
}

func (n *nonceSource) read(b []byte) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, err := io.ReadFull(n.r, b); err != nil {
		// crypto/rand does not fail on supported platforms.
		panic(fmt.Sprintf("seal: read random: %v", err))
	}
}

func sealWith(key Key, nonce [chacha20poly1305.NonceSizeX]byte, ad, plaintext []byte) []byte {
	aead, err := chacha20poly1305.NewX(key[:])
	if err != nil {
		panic(err) // the key size is fixed by the type
	}
	out := make([]byte, len(nonce), len(nonce)+len(plaintext)+aead.Overhead())
	copy(out, nonce[:])
	return aead.Seal(out, nonce[:], plaintext, ad)
}

// Open decrypts what Seal wrote for the same key and header.
func Open(key Key, h Header, sealed []byte) ([]byte, error) {
	return open(key, h.ad(), sealed)
}

func open(key Key, ad, sealed []byte) ([]byte, error) {
	if len(sealed) < Overhead {
		return nil, ErrOpen
	}
	aead, err := chacha20poly1305.NewX(key[:])
	if err != nil {
		return nil, err
	}
	nonce, ct := sealed[:chacha20poly1305.NonceSizeX], sealed[chacha20poly1305.NonceSizeX:]
	pt, err := aead.Open(nil, nonce, ct, ad)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}
