package store_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"pawfile/server/db"
	"pawfile/server/store"
	"pawfile/server/store/storetest"
	"pawfile/shared/clock"
	"pawfile/shared/record"
	"pawfile/shared/wire"
)

func openBolt(t testing.TB, dir string) (*bolt.DB, *store.Bolt) {
	t.Helper()
	d, err := db.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(d)
	if err != nil {
		d.Close()
		t.Fatal(err)
	}
	return d, s
}

func TestBolt(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		d, s := openBolt(t, t.TempDir())
		t.Cleanup(func() { d.Close() })
		return s
	})
}

func TestBoltBlobs(t *testing.T) {
	const max = 200_000
	storetest.RunBlobs(t, max, func(t *testing.T) store.Blobs {
		d, s := openBolt(t, t.TempDir())
		t.Cleanup(func() { d.Close() })
		s.MaxBlob = max
		return s
	})
}

func TestBoltLimits(t *testing.T) {
	storetest.RunLimits(t, func(t *testing.T, quota uint64) storetest.Full {
		d, s := openBolt(t, t.TempDir())
		t.Cleanup(func() { d.Close() })
		s.Quota = quota
		return s
	})
}

// TestReopen checks that what one process stored is what the next one reads,
// and that reopening keeps seqs rising.
func TestReopen(t *testing.T) {
	dir := t.TempDir()
	d, s := openBolt(t, dir)
	ctx := context.Background()
	res, err := s.Append(ctx, "ws", 1, batch(1, 0, 10))
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	d, s = openBolt(t, dir)
	defer d.Close()
	if h, err := s.Head(ctx, "ws"); err != nil || h != res[9].Seq {
		t.Fatalf("Head after reopen = %d, %v; want %d", h, err, res[9].Seq)
	}
	more, err := s.Append(ctx, "ws", 1, batch(1, 10, 1))
	if err != nil || more[0].Seq <= res[9].Seq {
		t.Fatalf("Append after reopen: %+v, %v", more, err)
	}
}

// batch returns n new versions of n records, authored by device, with outbox
// ids from first+1.
func batch(device uint64, first, n int) []wire.Envelope {
	vs := make([]wire.Envelope, n)
	sealed := make([]byte, 440)
	for i := range vs {
		ob := uint64(first + i + 1)
		var k [32]byte
		binary.BigEndian.PutUint64(k[:], device)
		binary.BigEndian.PutUint64(k[8:], ob)
		k = sha256.Sum256(k[:]) // record keys are HMACs: spread like random
		vs[i] = wire.Envelope{
			Key:      k,
			Class:    record.Classes[i%3],
			TS:       clock.Timestamp{Wall: 1_800_000_000_000 + int64(ob), Device: device},
			OutboxID: ob,
			Sealed:   sealed,
		}
	}
	return vs
}

const crashEnv = "PAWFILE_STORE_CRASH_DIR"

// TestCrash runs a writer in a subprocess, kills it with SIGKILL while it
// appends, and checks that every acknowledged version survived and the file
// is sound.
func TestCrash(t *testing.T) {
	if dir := os.Getenv(crashEnv); dir != "" {
		crashWriter(dir)
		return
	}
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrash$")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[uint64]bool{}
	lines := make(chan uint64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if seq, err := strconv.ParseUint(sc.Text(), 10, 64); err == nil {
				lines <- seq
			}
		}
	}()
	deadline := time.After(time.Second)
read:
	for {
		select {
		case seq, ok := <-lines:
			if !ok {
				break read // the writer ended (its batch bound) before the kill
			}
			acked[seq] = true
		case <-deadline:
			break read
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	for range lines { // drain: what it printed before dying was acknowledged too
	}
	_ = cmd.Wait()
	if len(acked) == 0 {
		t.Fatal("the writer acknowledged nothing before it was killed")
	}

	d, s := openBolt(t, dir)
	defer d.Close()
	if err := d.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	}); err != nil {
		t.Fatalf("integrity check after the crash: %v", err)
	}
	stored := map[uint64]bool{}
	var after uint64
	for {
		vs, next, more, err := s.Since(context.Background(), "ws", after, store.MaxPage, record.Classes)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			stored[v.Seq] = true
		}
		if after = next; !more {
			break
		}
	}
	for seq := range acked {
		if !stored[seq] {
			t.Fatalf("acknowledged seq %d lost in the crash", seq)
		}
	}
	t.Logf("%d versions acknowledged before SIGKILL, %d stored", len(acked), len(stored))
}

// crashWriter appends from several goroutines as fast as it can, printing
// every acknowledged seq, until it is killed (or has written a bounded
// amount, so a stray run ends).
func crashWriter(dir string) {
	d, err := db.Open(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	s, err := store.Open(d)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for dev := uint64(1); dev <= 4; dev++ {
		wg.Go(func() {
			for b := range 1000 {
				res, err := s.Append(context.Background(), "ws", dev, batch(dev, b*50, 50))
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				mu.Lock()
				for _, r := range res {
					fmt.Fprintln(w, r.Seq)
				}
				w.Flush()
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	os.Exit(0)
}

// BenchmarkAppend measures ingest: batches of 500 new versions with 440-byte
// sealed payloads, each batch one durable commit.
func BenchmarkAppend(b *testing.B) {
	d, s := openBolt(b, filepath.Join(b.TempDir(), "data"))
	defer d.Close()
	const size = 500
	batches := make([][]wire.Envelope, b.N)
	for i := range batches {
		batches[i] = batch(1, i*size, size)
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		res, err := s.Append(ctx, "ws", 1, batches[i])
		if err != nil {
			b.Fatal(err)
		}
		if res[0].Code != 0 {
			b.Fatalf("refused: %+v", res[0])
		}
	}
	b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "versions/s")
}

// BenchmarkAppendConcurrent measures many devices pushing small batches at
// once, which group commit folds into shared transactions.
func BenchmarkAppendConcurrent(b *testing.B) {
	d, s := openBolt(b, filepath.Join(b.TempDir(), "data"))
	defer d.Close()
	const size = 50
	var next atomic.Uint64
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		dev := next.Add(1)
		for i := 0; pb.Next(); i++ {
			if _, err := s.Append(context.Background(), "ws", dev, batch(dev, i*size, size)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "versions/s")
}

// BenchmarkEnqueue measures ingest as the hub drives it for a device that
// keeps several pushes in flight: batches of 1,000 versions enqueued with
// up to 4 awaiting their commit, so they share transactions.
func BenchmarkEnqueue(b *testing.B) {
	d, s := openBolt(b, filepath.Join(b.TempDir(), "data"))
	defer d.Close()
	const size, window = 1000, 4
	batches := make([][]wire.Envelope, b.N)
	for i := range batches {
		batches[i] = batch(1, i*size, size)
	}
	ctx := context.Background()
	slots := make(chan struct{}, window)
	pending := make(chan store.Pending, window)
	done := make(chan error)
	go func() {
		var failed error
		for wait := range pending {
			if _, err := wait(); err != nil && failed == nil {
				failed = err
			}
			<-slots
		}
		done <- failed
	}()
	b.ResetTimer()
	for i := range b.N {
		slots <- struct{}{}
		pending <- s.Enqueue(ctx, "ws", 1, batches[i])
	}
	close(pending)
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "versions/s")
}

// BlobBytes counts the photos of every workspace, uploads in progress by
// what has arrived, and forgets dropped ones.
func TestBlobBytes(t *testing.T) {
	_, s := openBolt(t, t.TempDir())
	ctx := context.Background()
	whole, part := []byte(strings.Repeat("a", 3000)), []byte(strings.Repeat("b", 5000))
	if _, err := s.PutChunk(ctx, "ws1", sha256.Sum256(whole), 0, uint64(len(whole)), whole); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutChunk(ctx, "ws2", sha256.Sum256(part), 0, uint64(len(part)), part[:1200]); err != nil {
		t.Fatal(err)
	}
	if n, err := s.BlobBytes(ctx); err != nil || n != 4200 {
		t.Fatalf("BlobBytes = %d, %v; want 3000 + 1200", n, err)
	}
	if err := s.DropBlobs(ctx, "ws1", [][32]byte{sha256.Sum256(whole)}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.BlobBytes(ctx); err != nil || n != 1200 {
		t.Fatalf("BlobBytes after a drop = %d, %v; want 1200", n, err)
	}
}
