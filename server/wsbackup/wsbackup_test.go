package wsbackup

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"

	"pawfile/server/db"
	"pawfile/server/directory"
	"pawfile/server/store"
	"pawfile/shared/clock"
	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

// server is one test server's database, store and directory.
type server struct {
	db  *bolt.DB
	st  *store.Bolt
	dir *directory.Directory
}

func openServer(t testing.TB) *server {
	t.Helper()
	d, err := db.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	st, err := store.Open(d)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := directory.Open(d)
	if err != nil {
		t.Fatal(err)
	}
	return &server{d, st, dir}
}

func rnd(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func version(dev, ob uint64, key byte, sealed string) wire.Envelope {
	return wire.Envelope{
		Key: [32]byte{key, 1}, Class: record.ClassClient, OutboxID: ob,
		TS: clock.Timestamp{Wall: 1_800_000_000_000 + int64(ob), Device: dev}, Sealed: []byte(sealed),
	}
}

// workspace fills s with a workspace: an owner and a groomer, three
// records (one edited twice, one erased), and a blob of two chunks.
type workspace struct {
	grant   directory.Grant
	auth    []byte
	salt    []byte
	blob    []byte
	blobSum [32]byte
}

func fill(t *testing.T, s *server) workspace {
	t.Helper()
	ctx := context.Background()
	w := workspace{auth: rnd(32), salt: rnd(directory.SaltLen)}
	var err error
	w.grant, err = s.dir.CreateWorkspace(ctx, directory.Registration{
		Login: "owner@example.com", Salt: w.salt, Params: seal.DefaultParams, Auth: w.auth,
		PublicKey: rnd(32), Keys: []byte("wrapped keyring"), Device: directory.DeviceInfo{ID: 7, Name: "tablet"},
	})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := s.dir.CreateInvite(ctx, w.grant.Session, 3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.dir.Join(ctx, inv.Code, directory.Registration{
		Login: "groomer@example.com", Salt: rnd(directory.SaltLen), Params: seal.DefaultParams, Auth: rnd(32),
		PublicKey: rnd(32), Device: directory.DeviceInfo{ID: 8, Name: "phone"},
	}); err != nil {
		t.Fatal(err)
	}
	ws := w.grant.Workspace
	for _, v := range []wire.Envelope{version(7, 1, 1, "client A v1"), version(7, 2, 2, "client B"), version(7, 3, 3, "client C")} {
		if res, err := s.st.Append(ctx, ws, 7, []wire.Envelope{v}); err != nil || res[0].Code != 0 {
			t.Fatalf("append: %v %+v", err, res)
		}
	}
	edit := version(7, 4, 1, "client A v2")
	edit.Supersedes = []uint64{1}
	if _, err := s.st.Append(ctx, ws, 7, []wire.Envelope{edit}); err != nil {
		t.Fatal(err)
	}
	w.blob = rnd(store.MaxChunk + 1000)
	w.blobSum = sha256.Sum256(w.blob)
	for off := 0; off < len(w.blob); off += store.MaxChunk {
		end := min(off+store.MaxChunk, len(w.blob))
		if _, err := s.st.PutChunk(ctx, ws, w.blobSum, uint64(off), uint64(len(w.blob)), w.blob[off:end]); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func erase(t *testing.T, s *server, ws string, key byte, wall int64) {
	t.Helper()
	m := wire.Envelope{Key: [32]byte{key, 1}, Class: record.ClassClient, OutboxID: 100 + uint64(key), Erased: true,
		TS: clock.Timestamp{Wall: wall, Device: 7}}
	if res, err := s.st.Erase(context.Background(), ws, 7, m); err != nil || res.Code != 0 {
		t.Fatalf("erase: %v %+v", err, res)
	}
}

func backup(t *testing.T, s *server, ws string) []byte {
	t.Helper()
	var b bytes.Buffer
	svc := &Service{DB: s.db, Server: "test", TempDir: t.TempDir()}
	var size int64
	if err := svc.Send(context.Background(), &b, ws, "owner@example.com", func(n int64) { size = n }); err != nil {
		t.Fatal(err)
	}
	if size != int64(b.Len()) {
		t.Errorf("Send announced %d bytes, wrote %d", size, b.Len())
	}
	return b.Bytes()
}

func heads(t *testing.T, st *store.Bolt, ws string) []wire.Envelope {
	t.Helper()
	vs, _, more, err := st.Heads(context.Background(), ws, 0, 0, record.Classes)
	if err != nil || more {
		t.Fatalf("heads: %v (more %v)", err, more)
	}
	return vs
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := openServer(t)
	w := fill(t, src)
	ws := w.grant.Workspace
	erase(t, src, ws, 3, 1_800_000_100_000)
	file := backup(t, src, ws)

	dst := openServer(t)
	h, err := Restore(ctx, dst.db, bytes.NewReader(file), int64(len(file)), 0)
	if err != nil {
		t.Fatal(err)
	}
	if h.Workspace != ws || h.Server != "test" || h.TakenAt.IsZero() {
		t.Errorf("header = %+v", h)
	}

	// The same heads, byte for byte, and the same history.
	want, got := heads(t, src.st, ws), heads(t, dst.st, ws)
	if len(got) != 3 || len(got) != len(want) {
		t.Fatalf("restored %d heads, want %d (3)", len(got), len(want))
	}
	for i := range want {
		a, _ := wire.MarshalEnvelope(&want[i])
		b, _ := wire.MarshalEnvelope(&got[i])
		if !bytes.Equal(a, b) {
			t.Errorf("head %d differs:\n%+v\n%+v", i, want[i], got[i])
		}
	}
	hist, _, err := dst.st.History(ctx, ws, [32]byte{1, 1}, 0)
	if err != nil || len(hist) != 2 || string(hist[0].Sealed) != "client A v1" || string(hist[1].Sealed) != "client A v2" {
		t.Errorf("history of the edited record = %v, %v", hist, err)
	}
	// The erased record stays erased: its marker is there, and a device
	// coming back with it is refused.
	hist, _, err = dst.st.History(ctx, ws, [32]byte{3, 1}, 0)
	if err != nil || len(hist) != 1 || !hist[0].Erased {
		t.Errorf("history of the erased record = %v, %v", hist, err)
	}
	res, err := dst.st.Append(ctx, ws, 7, []wire.Envelope{version(7, 50, 3, "client C again")})
	if err != nil || res[0].Code != wire.CodeErased {
		t.Errorf("re-upload of an erased record: %+v, %v", res, err)
	}
	// New versions get seqs above every restored one.
	srcHead, _ := src.st.Head(ctx, ws)
	res, err = dst.st.Append(ctx, ws, 7, []wire.Envelope{version(7, 51, 9, "client D")})
	if err != nil || res[0].Seq <= srcHead {
		t.Errorf("new version after restore got seq %+v (source head %d), %v", res, srcHead, err)
	}
	// A retry of a version the source had acknowledged gets its old seq.
	res, err = dst.st.Append(ctx, ws, 7, []wire.Envelope{version(7, 2, 2, "client B")})
	if err != nil || res[0].Seq != 2 {
		t.Errorf("retried version: %+v, %v", res, err)
	}
	// The blob, whole.
	var blob []byte
	for off := uint64(0); off < uint64(len(w.blob)); {
		data, total, err := dst.st.GetChunk(ctx, ws, w.blobSum, off, 0)
		if err != nil || total != uint64(len(w.blob)) {
			t.Fatalf("blob: %v (total %d)", err, total)
		}
		blob, off = append(blob, data...), off+uint64(len(data))
	}
	if !bytes.Equal(blob, w.blob) {
		t.Error("the restored blob differs")
	}
	// Members sign in again with their own secret, and find their keys.
	salt, _, err := dst.dir.LoginParams(ctx, "owner@example.com")
	if err != nil || !bytes.Equal(salt, w.salt) {
		t.Errorf("login params after restore: %x, %v", salt, err)
	}
	g, err := dst.dir.Login(ctx, "owner@example.com", w.auth, directory.DeviceInfo{ID: 99, Name: "new browser"})
	if err != nil {
		t.Fatalf("owner login after restore: %v", err)
	}
	if g.Workspace != ws || g.Member != w.grant.Member {
		t.Errorf("login after restore: %+v", g.Session)
	}
	me, err := dst.dir.Me(ctx, g.Session)
	if err != nil || string(me.Keys) != "wrapped keyring" {
		t.Errorf("keys after restore: %q, %v", me.Keys, err)
	}
	ms, err := dst.dir.Members(ctx, g.Session)
	if err != nil || len(ms) != 2 {
		t.Errorf("members after restore: %d, %v", len(ms), err)
	}
	if _, err := dst.dir.Login(ctx, "owner@example.com", rnd(32), directory.DeviceInfo{ID: 98}); !errors.Is(err, directory.ErrBadLogin) {
		t.Errorf("a wrong secret after restore: %v", err)
	}
}

func TestRestoreRefusesExisting(t *testing.T) {
	ctx := context.Background()
	s := openServer(t)
	w := fill(t, s)
	file := backup(t, s, w.grant.Workspace)
	before := heads(t, s.st, w.grant.Workspace)
	_, err := Restore(ctx, s.db, bytes.NewReader(file), int64(len(file)), 0)
	if err == nil || !strings.Contains(err.Error(), "empty server") {
		t.Fatalf("restore over the same workspace: %v", err)
	}
	if after := heads(t, s.st, w.grant.Workspace); len(after) != len(before) {
		t.Errorf("a refused restore changed the workspace: %d heads, had %d", len(after), len(before))
	}

	// Another workspace whose owner's login this server already has.
	other := openServer(t)
	fill(t, other)
	_, err = Restore(ctx, other.db, bytes.NewReader(file), int64(len(file)), 0)
	if !errors.Is(err, directory.ErrWorkspaceExists) || !strings.Contains(err.Error(), "@example.com already exists") {
		t.Errorf("restore onto a server where the login is taken: %v", err)
	}
	if ok := exists(t, other, w.grant.Workspace); ok {
		t.Error("a refused restore left the workspace behind")
	}
}

func exists(t *testing.T, s *server, ws string) bool {
	t.Helper()
	var ok bool
	if err := s.db.View(func(tx *bolt.Tx) (err error) { ok, err = store.WorkspaceExists(tx, ws); return err }); err != nil {
		t.Fatal(err)
	}
	return ok
}

func decompress(t *testing.T, file []byte) []byte {
	t.Helper()
	zr, err := zstd.NewReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func compress(t testing.TB, raw []byte) []byte {
	t.Helper()
	zw, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	return zw.EncodeAll(raw, nil)
}

// A damaged, truncated or hostile file is refused with an error that says
// so, and leaves nothing behind.
func TestRestoreRefusesDamaged(t *testing.T) {
	ctx := context.Background()
	src := openServer(t)
	w := fill(t, src)
	ws := w.grant.Workspace
	file := backup(t, src, ws)
	raw := decompress(t, file)

	flip := func(i int) []byte {
		b := bytes.Clone(raw)
		b[i] ^= 0x40
		return b
	}
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "the file is empty"},
		{"not zstd", []byte("PAWFILE WORKSPACE BACKUP\n\x01"), "unreadable"},
		{"whole-server backup", compress(t, append([]byte("\x00\x00\x00\x00bbolt page"), make([]byte, 4096)...)), "does not start as one"},
		{"future version", compress(t, append([]byte(Magic), 2)), "format version 2"},
		{"truncated compressed", file[:len(file)*2/3], "ends early"},
		{"cut before the end frame", compress(t, raw[:len(raw)-60]), "ends early"},
		{"cut in the header", compress(t, raw[:len(Magic)+5]), "ends early"},
		{"a byte changed in a blob", compress(t, flip(len(raw)-2000)), "checksum mismatch"},
		{"bytes after the end", compress(t, append(bytes.Clone(raw), 0)), "after the end frame"},
		{"huge frame", compress(t, append([]byte(Magic), 1, kindHeader, 0xff, 0xff, 0xff, 0xff, 0x0f)), "at most"},
		{"unknown frame", compress(t, append([]byte(Magic), 1, 9, 0)), "unknown frame kind 9"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dst := openServer(t)
			_, err := Restore(ctx, dst.db, bytes.NewReader(c.file), int64(len(c.file)), 0)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("restore: %v; want an error saying %q", err, c.want)
			}
			if exists(t, dst, ws) {
				t.Error("a refused restore left the workspace's store behind")
			}
			if _, err := dst.dir.Login(ctx, "owner@example.com", w.auth, directory.DeviceInfo{ID: 5}); !errors.Is(err, directory.ErrBadLogin) {
				t.Errorf("a refused restore left a login behind: %v", err)
			}
		})
	}
}

// A hostile file that is well formed, checksum and all, but holds an
// item the store would never write, is refused by the item's check.
func TestRestoreRefusesHostileItem(t *testing.T) {
	src := openServer(t)
	w := fill(t, src)
	var b bytes.Buffer
	enc, err := newEncoder(&b)
	if err != nil {
		t.Fatal(err)
	}
	var entries directory.WorkspaceEntries
	src.db.View(func(tx *bolt.Tx) error { entries, err = directory.ExportWorkspace(tx, w.grant.Workspace); return err })
	if err != nil {
		t.Fatal(err)
	}
	enc.json(kindHeader, Header{Format: Version, Workspace: w.grant.Workspace, TakenAt: time.Now()})
	enc.json(kindDirectory, entries)
	enc.item(store.Item{Bucket: store.ItemRecords, Key: make([]byte, 32), Value: []byte{1, 2, 3}})
	enc.end(5)
	file := compress(t, b.Bytes())
	_, err = Restore(context.Background(), openServer(t).db, bytes.NewReader(file), int64(len(file)), 0)
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "index entry of 3 bytes") {
		t.Errorf("restore of a hostile item: %v", err)
	}
}

// Backups taken before an erasure are listed as holding erased data;
// those taken after are not.
func TestListMarksErased(t *testing.T) {
	ctx := context.Background()
	s := openServer(t)
	w := fill(t, s)
	ws := w.grant.Workspace
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	svc := &Service{DB: s.db, Server: "test", Now: func() time.Time { return now }}
	take := func() {
		if err := svc.Send(ctx, io.Discard, ws, "owner@example.com", func(int64) {}); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
	}
	take()
	list, err := svc.List(ctx, ws)
	if err != nil || len(list) != 1 || !list[0].ErasedSince.IsZero() || list[0].By != "owner@example.com" || list[0].Bytes == 0 {
		t.Fatalf("list before any erasure = %+v, %v", list, err)
	}
	erasedAt := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	erase(t, s, ws, 2, erasedAt.UnixMilli())
	take()
	list, err = svc.List(ctx, ws)
	if err != nil || len(list) != 2 {
		t.Fatalf("list = %+v, %v", list, err)
	}
	if !list[0].ErasedSince.IsZero() {
		t.Errorf("the backup taken after the erasure is marked: %+v", list[0])
	}
	if !list[1].ErasedSince.Equal(erasedAt) {
		t.Errorf("the backup taken before the erasure: erased since %v, want %v", list[1].ErasedSince, erasedAt)
	}
	other, err := svc.List(ctx, strings.Repeat("0", 32))
	if err != nil || len(other) != 0 {
		t.Errorf("another workspace's list = %+v, %v", other, err)
	}
}

// FuzzReader feeds the backup decoder arbitrary bytes: it must return an
// error or a well-formed result, never panic, and never accept a file
// without its intact end frame.
func FuzzReader(f *testing.F) {
	s := openServer(f)
	ctx := context.Background()
	g, err := s.dir.CreateWorkspace(ctx, directory.Registration{
		Login: "owner@example.com", Salt: rnd(directory.SaltLen), Params: seal.DefaultParams, Auth: rnd(32),
		PublicKey: rnd(32), Keys: []byte("k"), Device: directory.DeviceInfo{ID: 7},
	})
	if err != nil {
		f.Fatal(err)
	}
	s.st.Append(ctx, g.Workspace, 7, []wire.Envelope{version(7, 1, 1, "v")})
	var b bytes.Buffer
	if _, err := (&Service{DB: s.db}).Write(ctx, &b, g.Workspace, "owner@example.com"); err != nil {
		f.Fatal(err)
	}
	if list, err := (&Service{DB: s.db}).List(ctx, g.Workspace); err != nil || len(list) != 0 {
		f.Fatalf("a backup written but never recorded is listed: %v, %v", list, err)
	}
	zr, _ := zstd.NewReader(&b)
	raw, _ := io.ReadAll(zr)
	zr.Close()
	f.Add(raw)
	f.Add(raw[:len(raw)/2])
	f.Add([]byte(Magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error not wrapping ErrFormat: %v", err)
			}
			return
		}
		for range 10_000 {
			it, err := r.Next()
			if errors.Is(err, io.EOF) {
				if !r.done {
					t.Fatal("EOF before the end frame")
				}
				return
			}
			if err != nil {
				return
			}
			if store.CheckItem(it) != nil {
				t.Fatal("an item that fails its check was returned")
			}
		}
	})
}
