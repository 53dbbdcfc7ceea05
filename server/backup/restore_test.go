package backup

import (
	"bytes"
	"encoding/binary"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"pawfile/server/db"
)

// metaPages returns the two meta pages of pageSize bytes that start a
// bbolt database of pages pages, checksums right.
func metaPages(pageSize int, pages uint64) []byte {
	return append(metaPage(pageSize, pages, 7), metaPage(pageSize, pages, 6)...)
}

func metaPage(pageSize int, pages, txid uint64) []byte {
	p := make([]byte, pageSize)
	p[8] = 0x04 // meta page flag
	m := p[16:]
	binary.LittleEndian.PutUint32(m[0:], 0xED0CDAED)
	binary.LittleEndian.PutUint32(m[4:], 2)
	binary.LittleEndian.PutUint32(m[8:], uint32(pageSize))
	binary.LittleEndian.PutUint64(m[16:], 3) // root
	binary.LittleEndian.PutUint64(m[32:], 2) // freelist
	binary.LittleEndian.PutUint64(m[40:], pages)
	binary.LittleEndian.PutUint64(m[48:], txid)
	h := fnv.New64a()
	h.Write(m[:56])
	binary.LittleEndian.PutUint64(m[56:], h.Sum64())
	return p
}

// zeros returns a zstd stream of head then n zero bytes, as small as
// zstd makes it.
func zeros(t *testing.T, head []byte, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, err := zstd.NewWriter(&b, zstd.WithEncoderLevel(zstd.SpeedBestCompression))
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(head)
	chunk := make([]byte, 1<<20)
	for n > 0 {
		k := min(n, len(chunk))
		zw.Write(chunk[:k])
		n -= k
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestRestoreBoundsCraftedFiles: a small crafted backup cannot make
// restore write much: what it says of itself is checked before anything
// is written, the database it declares must fit the limits (and be at
// most a ratio of the file's size), and no more than that is written.
func TestRestoreBoundsCraftedFiles(t *testing.T) {
	cases := []struct {
		name     string
		file     []byte
		want     string
		maxWrite int64
	}{
		{"no database in it", zeros(t, nil, 128<<20), "not a Pawfile backup", 0},
		{"a 2 GiB database in a small file", zeros(t, metaPages(4096, 1<<19), 1<<20), "2048.0 MiB", 0},
		{"more than it declares", zeros(t, metaPages(4096, 8), 1<<20), "more than the database it declares", 8 * 4096},
		{"a second meta page of its own", zeros(t, append(metaPage(4096, 8, 7), metaPage(4096, 1<<30, 9)...), 1<<20), "does not match", 0},
		{"less than it declares", zeros(t, metaPages(4096, 64), 4096), "ends early", 64 * 4096},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			var wrote int64
			err := Restore(bytes.NewReader(c.file), dir, Options{Size: int64(len(c.file)), Progress: func(done, _ int64) { wrote = max(wrote, done) }})
			if wrote > c.maxWrite {
				t.Errorf("restore of a %d-byte crafted file wrote %d bytes, want at most %d", len(c.file), wrote, c.maxWrite)
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("restore of a %d-byte crafted file: %v; want an error saying %q", len(c.file), err, c.want)
			}
			if _, err := os.Stat(filepath.Join(dir, db.File)); !os.IsNotExist(err) {
				t.Error("a refused restore left a database behind")
			}
			if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
				t.Errorf("a refused restore left %v behind", left)
			}
		})
	}
}

// TestRestoreMaxBytes: the operator's bound on a database's size holds
// even for a file whose ratio is plausible.
func TestRestoreMaxBytes(t *testing.T) {
	file := zeros(t, metaPages(4096, 256), 255*4096)
	err := Restore(bytes.NewReader(file), t.TempDir(), Options{Size: 1 << 30, MaxBytes: 512 << 10})
	if err == nil || !strings.Contains(err.Error(), "-max-gib") {
		t.Fatalf("restore of a 1 MiB database with a bound of 512 KiB: %v", err)
	}
}
