package wsbackup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"

	"pawfile/server/directory"
	"pawfile/server/store"
	"pawfile/shared/seal"
)

// crafted returns a well-formed backup of ws, checksum and all, whose
// directory is entries and whose items are chunks blob chunks of chunk
// (a blob's bytes as stored), compressed as small as zstd makes it.
func crafted(t *testing.T, entries directory.WorkspaceEntries, chunks int, chunk []byte, damage bool) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, err := zstd.NewWriter(&b, zstd.WithEncoderLevel(zstd.SpeedBestCompression))
	if err != nil {
		t.Fatal(err)
	}
	enc, err := newEncoder(zw)
	if err != nil {
		t.Fatal(err)
	}
	enc.json(kindHeader, Header{Format: Version, Workspace: entries.ID(), TakenAt: time.Now()})
	enc.json(kindDirectory, entries)
	hash := sha256.Sum256([]byte("a blob"))
	for i := range chunks {
		key := binary.BigEndian.AppendUint64(bytes.Clone(hash[:]), uint64(i*len(chunk)))
		if err := enc.item(store.Item{Bucket: store.ItemBlobData, Key: key, Value: chunk}); err != nil {
			t.Fatal(err)
		}
	}
	if damage {
		enc.sum.Write([]byte("not what the file holds"))
	}
	if err := enc.end(0); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// entriesOf returns the directory entries of a workspace filled on a
// server of its own.
func entriesOf(t *testing.T) directory.WorkspaceEntries {
	t.Helper()
	src := openServer(t)
	w := fill(t, src)
	var entries directory.WorkspaceEntries
	err := src.db.View(func(tx *bolt.Tx) (err error) {
		entries, err = directory.ExportWorkspace(tx, w.grant.Workspace)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

func dbSize(t *testing.T, s *server) int64 {
	t.Helper()
	fi, err := os.Stat(s.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// TestRestoreBoundsCraftedFiles: a small file with a valid checksum that
// decompresses to far more than its size is refused, and a file whose
// checksum fails is refused, both before anything is written: the
// database does not grow.
func TestRestoreBoundsCraftedFiles(t *testing.T) {
	entries := entriesOf(t)
	noise := make([]byte, store.MaxChunk)
	for i := range noise {
		noise[i] = byte(i*131 ^ i>>7) // hardly compresses at zstd's fastest
	}
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"zeros with a valid checksum", crafted(t, entries, 100, make([]byte, store.MaxChunk), false), "decompresses to more than"},
		{"a damaged end after 10 MiB", crafted(t, entries, 10, noise, true), "checksum mismatch"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dst := openServer(t)
			before := dbSize(t, dst)
			_, err := Restore(context.Background(), dst.db, bytes.NewReader(c.file), int64(len(c.file)), 0)
			if after := dbSize(t, dst); after > before {
				t.Errorf("restore of a %d-byte crafted file grew the database from %d to %d bytes before refusing it", len(c.file), before, after)
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("restore of a %d-byte crafted file: %v; want an error saying %q", len(c.file), err, c.want)
			}
			if exists(t, dst, entries.ID()) {
				t.Error("a refused restore left the workspace behind")
			}
		})
	}
}

// TestRestoreRefusesLoginsThatExist: a crafted file naming a login this
// server already has is refused before anything is written, whatever
// else it holds.
func TestRestoreRefusesLoginsThatExist(t *testing.T) {
	entries := entriesOf(t) // its owner is owner@example.com
	dst := openServer(t)
	if _, err := dst.dir.CreateWorkspace(context.Background(), directory.Registration{
		Login: "Owner@Example.com", Salt: rnd(directory.SaltLen), Params: seal.DefaultParams, Auth: rnd(32),
		PublicKey: rnd(32), Keys: []byte("keys"), Device: directory.DeviceInfo{ID: 70, Name: "tablet"},
	}); err != nil {
		t.Fatal(err)
	}
	file := crafted(t, entries, 10, rnd(store.MaxChunk), false)
	before := dbSize(t, dst)
	_, err := Restore(context.Background(), dst.db, bytes.NewReader(file), int64(len(file)), 0)
	if !errors.Is(err, directory.ErrWorkspaceExists) || !strings.Contains(err.Error(), "login owner@example.com") {
		t.Errorf("restore of a file naming a login the server has: %v", err)
	}
	if after := dbSize(t, dst); after > before || exists(t, dst, entries.ID()) {
		t.Errorf("a refused restore wrote: database %d -> %d bytes, workspace left %v", before, after, exists(t, dst, entries.ID()))
	}
}
