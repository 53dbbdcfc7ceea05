package argon2id

import (
	"bytes"
	"fmt"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/argon2"
)

// Key must derive exactly what x/crypto's IDKey does, whatever the
// parameters and wherever its memory comes from, or devices set up with
// one would not unlock with the other.
func TestSameAsXCrypto(t *testing.T) {
	for _, c := range []struct {
		time, memory uint32
		threads      uint8
		keyLen       uint32
	}{
		{1, 8, 1, 32},
		{1, 1024, 1, 32},
		{3, 1024, 1, 16},
		{2, 2048, 4, 32},
		{1, 4096, 2, 100},
		{1, 1000, 3, 64}, // memory not a multiple of 4*threads
	} {
		name := fmt.Sprintf("t=%d,m=%d,p=%d,len=%d", c.time, c.memory, c.threads, c.keyLen)
		t.Run(name, func(t *testing.T) {
			pass, salt := []byte("correct horse battery staple"), []byte("pawfile-salt-016")
			want := argon2.IDKey(pass, salt, c.time, c.memory, c.threads, c.keyLen)
			var yields atomic.Int64
			got := Key(pass, salt, c.time, c.memory, c.threads, c.keyLen, nil, func() { yields.Add(1) })
			if !bytes.Equal(got, want) {
				t.Fatalf("key %x, x/crypto's %x", got, want)
			}
			if got := Key(pass, salt, c.time, c.memory, c.threads, c.keyLen, nil, nil); !bytes.Equal(got, want) {
				t.Fatalf("key without yield %x, x/crypto's %x", got, want)
			}
			// In memory made ahead; and again with the same, which the
			// first used up: a dirty memory would give another key.
			var made atomic.Int64
			mem := NewMemory(c.memory, c.threads, func() { made.Add(1) })
			for i := range 2 {
				if got := Key(pass, salt, c.time, c.memory, c.threads, c.keyLen, mem, nil); !bytes.Equal(got, want) {
					t.Fatalf("key %d in memory made ahead %x, x/crypto's %x", i, got, want)
				}
			}
			if n, least := made.Load(), int64(blocks(c.memory, c.threads)/YieldBlocks); n < least {
				t.Errorf("making the memory yielded %d times, want %d", n, least)
			}
			// Every lane yields after each YieldBlocks blocks of every
			// segment (a quarter of its memory) of every pass.
			segment := c.memory / 4 / uint32(c.threads)
			if segment < 2 {
				segment = 2
			}
			least := int64(c.time) * 4 * int64(c.threads) * int64(segment/YieldBlocks)
			if n := yields.Load(); n < least {
				t.Errorf("%d yields, want at least %d", n, least)
			}
		})
	}
}

// Memory made for other parameters is left as it is, and the key is
// still x/crypto's.
func TestMemoryOfOtherSize(t *testing.T) {
	pass, salt := []byte("correct horse battery staple"), []byte("pawfile-salt-016")
	want := argon2.IDKey(pass, salt, 1, 1024, 1, 32)
	mem := NewMemory(2048, 1, nil)
	if got := Key(pass, salt, 1, 1024, 1, 32, mem, nil); !bytes.Equal(got, want) {
		t.Fatalf("key %x, x/crypto's %x", got, want)
	}
	if len(mem.b) != 2048 {
		t.Errorf("memory of 2048 blocks was taken for a derivation of 1024 (%d left)", len(mem.b))
	}
	if got := Key(pass, salt, 1, 2048, 1, 32, mem, nil); !bytes.Equal(got, argon2.IDKey(pass, salt, 1, 2048, 1, 32)) {
		t.Fatalf("key in the memory kept %x differs from x/crypto's", got)
	}
}
