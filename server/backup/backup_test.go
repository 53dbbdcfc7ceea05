package backup

import (
	"bytes"
	"encoding/binary"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	bolt "go.etcd.io/bbolt"

	"pawfile/server/db"
)

// TestBackupUnderLoad takes a backup while a writer commits, restores it,
// and finds every write committed before the backup began.
func TestBackupUnderLoad(t *testing.T) {
	d, err := db.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	bucket := []byte("log")
	var committed atomic.Uint64
	put := func(i uint64) error {
		return d.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(bucket)
			if err != nil {
				return err
			}
			return b.Put(binary.BigEndian.AppendUint64(nil, i), bytes.Repeat([]byte{byte(i)}, 500))
		})
	}
	for i := uint64(1); i <= 200; i++ {
		if err := put(i); err != nil {
			t.Fatal(err)
		}
		committed.Store(i)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := uint64(201); i < 5000; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := put(i); err != nil {
				t.Error(err)
				return
			}
			committed.Store(i)
		}
	})
	before := committed.Load()
	var buf bytes.Buffer
	var calls int
	if _, err := Write(&buf, d, func(done, total int64) { calls++ }); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	if calls == 0 {
		t.Error("no progress reported")
	}

	dir := t.TempDir()
	if err := Restore(&buf, dir, Options{Size: int64(buf.Len())}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, db.File)
	if err := Check(path); err != nil {
		t.Fatal(err)
	}
	r, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		for i := uint64(1); i <= before; i++ {
			if b.Get(binary.BigEndian.AppendUint64(nil, i)) == nil {
				t.Fatalf("write %d, committed before the backup began, is missing", i)
			}
		}
		return nil
	})
	if err := Restore(bytes.NewReader(nil), dir, Options{}); err == nil {
		t.Fatal("restore overwrote an existing database")
	}
}

func TestRestoreRefusesGarbage(t *testing.T) {
	dir := t.TempDir()
	if err := Restore(bytes.NewReader([]byte("definitely not zstd")), dir, Options{Size: 19}); err == nil {
		t.Fatal("restored garbage")
	}
	if _, err := os.Stat(filepath.Join(dir, db.File)); !os.IsNotExist(err) {
		t.Fatal("a failed restore left a database behind")
	}
}

func TestCheckFindsDamage(t *testing.T) {
	dir := t.TempDir()
	d, err := db.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		d.Update(func(tx *bolt.Tx) error {
			b, _ := tx.CreateBucketIfNotExists([]byte("x"))
			return b.Put([]byte{byte(i)}, bytes.Repeat([]byte{1}, 3000))
		})
	}
	d.Close()
	path := filepath.Join(dir, db.File)
	if err := Check(path); err != nil {
		t.Fatalf("a sound database failed the check: %v", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := f.Stat()
	// Scribble over the pages after the meta pages.
	f.WriteAt(bytes.Repeat([]byte{0xff}, int(info.Size())-8192), 8192)
	f.Close()
	if err := Check(path); err == nil {
		t.Fatal("a damaged database passed the check")
	}
}

func TestHandlerGuards(t *testing.T) {
	d, err := db.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	h := Handler(d, "secret")
	for _, tc := range []struct {
		remote, auth string
		want         int
	}{
		{"127.0.0.1:5000", "Bearer secret", http.StatusOK},
		{"127.0.0.1:5000", "Bearer wrong", http.StatusUnauthorized},
		{"192.0.2.1:5000", "Bearer secret", http.StatusForbidden},
	} {
		req := httptest.NewRequest("GET", "/admin/backup", nil)
		req.RemoteAddr = tc.remote
		req.Header.Set("Authorization", tc.auth)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("%s %s: status %d, want %d", tc.remote, tc.auth, rec.Code, tc.want)
		}
	}
}
