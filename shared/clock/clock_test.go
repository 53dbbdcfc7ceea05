package clock

import (
	"errors"
	"testing"
	"time"
)

func TestCompare(t *testing.T) {
	tests := []struct {
		a, b Timestamp
		want int
	}{
		{Timestamp{Wall: 1}, Timestamp{Wall: 2}, -1},
		{Timestamp{Wall: 2, Counter: 0}, Timestamp{Wall: 1, Counter: 9}, 1},
		{Timestamp{Wall: 1, Counter: 1}, Timestamp{Wall: 1, Counter: 2}, -1},
		{Timestamp{Wall: 1, Counter: 1, Device: 2}, Timestamp{Wall: 1, Counter: 1, Device: 1}, 1},
		{Timestamp{Wall: 1, Counter: 1, Device: 1}, Timestamp{Wall: 1, Counter: 1, Device: 1}, 0},
		{Timestamp{}, Timestamp{Wall: 0, Counter: 0, Device: 1}, -1},
	}
	for _, tt := range tests {
		if got := tt.a.Compare(tt.b); got != tt.want {
			t.Errorf("%v.Compare(%v) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := tt.b.Compare(tt.a); got != -tt.want {
			t.Errorf("%v.Compare(%v) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
	}
}

// physical is a settable wall clock.
type physical struct{ t time.Time }

func (p *physical) now() time.Time { return p.t }

func TestNowNeverGoesBackwards(t *testing.T) {
	p := &physical{t: time.UnixMilli(1_000_000)}
	c := New(7, p.now)
	prev := c.Now()
	steps := []time.Duration{0, time.Millisecond, -time.Hour, 0, 2 * time.Hour, -time.Millisecond}
	for i, d := range steps {
		p.t = p.t.Add(d)
		got := c.Now()
		if !got.After(prev) {
			t.Fatalf("step %d: Now() = %v, not after %v", i, got, prev)
		}
		if got.Device != 7 {
			t.Fatalf("device = %d, want 7", got.Device)
		}
		prev = got
	}
}

func TestObserve(t *testing.T) {
	p := &physical{t: time.UnixMilli(1_000)}
	c := New(1, p.now)
	remote := Timestamp{Wall: 5_000, Counter: 3, Device: 9}
	c.Observe(remote)
	if got := c.Now(); !got.After(remote) || got.Wall != 5_000 || got.Counter != 4 {
		t.Fatalf("after observing %v, Now() = %v", remote, got)
	}
	c.Observe(Timestamp{Wall: 10, Device: 3}) // older: no effect
	if got := c.Now(); got.Wall != 5_000 || got.Counter != 5 {
		t.Fatalf("observing an old timestamp moved the clock: %v", got)
	}
}

func TestSyncCorrectsAWrongClock(t *testing.T) {
	server := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	p := &physical{t: server.Add(3*time.Hour + 12*time.Minute)} // the tablet runs ahead
	c := New(1, p.now)
	if err := Check(c.Now(), server, MaxSkew); err == nil {
		t.Fatal("a timestamp 3 h 12 min ahead passed the check")
	} else if !errors.Is(err, ErrSkew) || err.Error() != "this tablet's clock is 3 h 12 min ahead of the server's: set the date and time on the tablet, then sync again" {
		t.Fatalf("unexpected error: %v", err)
	}
	c2 := New(2, p.now)
	c2.Sync(server)
	if got := c2.Now().Time(); got.Sub(server).Abs() > time.Second {
		t.Fatalf("after Sync the clock reads %v, server %v", got, server)
	}
	if err := Check(c2.Now(), server, MaxSkew); err != nil {
		t.Fatal(err)
	}
	if c2.Offset() > -3*time.Hour {
		t.Fatalf("offset %v", c2.Offset())
	}
	c3 := New(3, p.now)
	c3.SetOffset(c2.Offset())
	if err := Check(c3.Now(), server, MaxSkew); err != nil {
		t.Fatalf("a restored offset did not apply: %v", err)
	}
}

func TestCounterOverflowKeepsOrder(t *testing.T) {
	p := &physical{t: time.UnixMilli(100)}
	c := New(1, p.now)
	c.Observe(Timestamp{Wall: 100, Counter: ^uint32(0) - 1})
	a := c.Now()
	b := c.Now()
	if !b.After(a) || b.Wall != 101 {
		t.Fatalf("overflow: %v then %v", a, b)
	}
}

func TestHuman(t *testing.T) {
	tests := map[time.Duration]string{
		45 * time.Second:                "45 s",
		5 * time.Minute:                 "5 min",
		3*time.Hour + 12*time.Minute:    "3 h 12 min",
		2 * time.Hour:                   "2 h",
		24 * time.Hour:                  "1 day",
		50 * time.Hour:                  "2 days 2 h",
		-(3*time.Hour + 12*time.Minute): "3 h 12 min",
	}
	for d, want := range tests {
		if got := Human(d); got != want {
			t.Errorf("Human(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestBinaryRoundTrip(t *testing.T) {
	ts := Timestamp{Wall: 1_732_000_000_123, Counter: 42, Device: 0xdeadbeefcafe}
	b, _ := ts.AppendBinary(nil)
	if len(b) != Size {
		t.Fatalf("len = %d", len(b))
	}
	got, err := Parse(b)
	if err != nil || got != ts {
		t.Fatalf("Parse = %v, %v; want %v", got, err, ts)
	}
	if _, err := Parse(b[:5]); err == nil {
		t.Fatal("Parse accepted 5 bytes")
	}
}

func FuzzParse(f *testing.F) {
	b, _ := Timestamp{Wall: 1, Counter: 2, Device: 3}.AppendBinary(nil)
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, err := Parse(b)
		if err != nil {
			return
		}
		again, _ := ts.AppendBinary(nil)
		if string(again) != string(b) {
			t.Fatalf("round trip: %x -> %x", b, again)
		}
	})
}

// A tablet that wrote ahead before its first connect keeps issuing future
// timestamps after Sync (Now never goes back), until Rewind.
func TestRewindAfterWritingAhead(t *testing.T) {
	server := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	p := &physical{t: server.Add(3 * time.Hour)}
	c := New(1, p.now)
	ahead := c.Now()
	c.Sync(server)
	if got := c.Now(); !got.After(ahead) || Check(got, server, MaxSkew) == nil {
		t.Fatalf("after Sync alone Now = %v: want still after %v, and refused", got, ahead)
	}
	if !c.Rewind() {
		t.Fatal("Rewind found nothing to do")
	}
	if err := Check(c.Now(), server, MaxSkew); err != nil {
		t.Fatalf("after Rewind: %v", err)
	}
	if c.Rewind() {
		t.Error("a second Rewind reported the clock ahead")
	}
}
