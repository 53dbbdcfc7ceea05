// Package clock is Pawfile's hybrid logical clock: wall milliseconds, a
// counter and a device id, giving every change a timestamp in one total order
// that never runs backwards on a device and respects what it has seen from
// others.
package clock

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
)

// MaxSkew is how far ahead of the server's time a timestamp may be before
// the server refuses it.
const MaxSkew = time.Hour

// Timestamp is one point of the hybrid logical clock. The zero value is
// earlier than every timestamp a clock issues.
type Timestamp struct {
	_       struct{} `cbor:",toarray"`
	Wall    int64    // Unix milliseconds, corrected by the server offset
	Counter uint32   // orders events within one millisecond
	Device  uint64   // breaks ties between devices
}

// Size is the length of a timestamp's binary form.
const Size = 20

// Compare returns -1, 0 or +1 as t is before, equal to or after u.
func (t Timestamp) Compare(u Timestamp) int {
	switch {
	case t.Wall != u.Wall:
		return cmp(t.Wall < u.Wall)
	case t.Counter != u.Counter:
		return cmp(t.Counter < u.Counter)
	case t.Device != u.Device:
		return cmp(t.Device < u.Device)
	}
	return 0
}

func cmp(less bool) int {
	if less {
		return -1
	}
	return 1
}

// After reports whether t is after u.
func (t Timestamp) After(u Timestamp) bool { return t.Compare(u) > 0 }

// IsZero reports whether t is the zero timestamp.
func (t Timestamp) IsZero() bool { return t == Timestamp{} }

// Time returns the wall-clock part of t.
func (t Timestamp) Time() time.Time { return time.UnixMilli(t.Wall).UTC() }

// Max returns the later of t and u.
func Max(t, u Timestamp) Timestamp {
	if t.After(u) {
		return t
	}
	return u
}

func (t Timestamp) String() string {
	return fmt.Sprintf("%s/%d/%016x", t.Time().Format("2006-01-02T15:04:05.000Z"), t.Counter, t.Device)
}

// AppendBinary appends the fixed 20-byte big-endian form of t, which sorts
// bytewise in timestamp order (for walls after 1970).
func (t Timestamp) AppendBinary(b []byte) ([]byte, error) {
	b = binary.BigEndian.AppendUint64(b, uint64(t.Wall))
	b = binary.BigEndian.AppendUint32(b, t.Counter)
	return binary.BigEndian.AppendUint64(b, t.Device), nil
}

// Parse reads the binary form written by AppendBinary.
func Parse(b []byte) (Timestamp, error) {
	if len(b) != Size {
		return Timestamp{}, fmt.Errorf("timestamp: want %d bytes, got %d", Size, len(b))
	}
	return Timestamp{
		Wall:    int64(binary.BigEndian.Uint64(b)),
		Counter: binary.BigEndian.Uint32(b[8:]),
		Device:  binary.BigEndian.Uint64(b[12:]),
	}, nil
}

// Clock issues timestamps for one device. It is safe for concurrent use.
type Clock struct {
	device   uint64
	physical func() time.Time

	mu     sync.Mutex
	offset time.Duration
	last   Timestamp
}

// New returns a clock for device that reads physical time from physical
// (time.Now when nil).
func New(device uint64, physical func() time.Time) *Clock {
	if physical == nil {
		physical = time.Now
	}
	return &Clock{device: device, physical: physical}
}

// Device returns the device id the clock stamps.
func (c *Clock) Device() uint64 { return c.device }

// Now returns a timestamp after every one the clock has issued or observed.
func (c *Clock) Now() Timestamp {
	c.mu.Lock()
	defer c.mu.Unlock()
	wall := c.physical().Add(c.offset).UnixMilli()
	if wall > c.last.Wall {
		c.last = Timestamp{Wall: wall, Device: c.device}
		return c.last
	}
	c.last.Device = c.device
	if c.last.Counter == math.MaxUint32 {
		// A counter this high means thousands of millions of events in one
		// millisecond; moving the wall on keeps the order total.
		c.last.Wall++
		c.last.Counter = 0
		return c.last
	}
	c.last.Counter++
	return c.last
}

// Observe advances the clock past a timestamp received from elsewhere, so
// the next local change orders after it.
func (c *Clock) Observe(t Timestamp) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.Wall > c.last.Wall || (t.Wall == c.last.Wall && t.Counter > c.last.Counter) {
		c.last = Timestamp{Wall: t.Wall, Counter: t.Counter, Device: c.device}
	}
}

// Sync corrects the physical clock by the server's time, learned at
// connect: from now on the clock reads the server's time, give or take the
// network delay.
func (c *Clock) Sync(server time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = server.Sub(c.physical())
}

// Rewind brings a clock that ran ahead back to the corrected physical
// time: after the server refused its timestamps as too far ahead, the
// device stops issuing them. This is the one way Now goes backwards; the
// device must restamp what it wrote ahead (merge.Record.Restamp). It
// reports whether the clock was ahead.
func (c *Clock) Rewind() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	wall := c.physical().Add(c.offset).UnixMilli()
	if c.last.Wall <= wall {
		return false
	}
	c.last = Timestamp{Wall: wall, Device: c.device}
	return true
}

// Offset returns the correction applied to the physical clock.
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// SetOffset restores a correction saved from an earlier connect, so a
// device that starts offline keeps writing sane timestamps.
func (c *Clock) SetOffset(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = d
}

// SkewError reports a timestamp too far ahead of the server's time.
type SkewError struct {
	Ahead time.Duration
}

func (e *SkewError) Error() string {
	return fmt.Sprintf("this tablet's clock is %s ahead of the server's: set the date and time on the tablet, then sync again", Human(e.Ahead))
}

// ErrSkew matches every *SkewError with errors.Is.
var ErrSkew = errors.New("clock skew")

// Is makes errors.Is(err, ErrSkew) true for skew errors.
func (e *SkewError) Is(target error) bool { return target == ErrSkew }

// Check refuses t when it is more than max ahead of the server's time now.
func Check(t Timestamp, now time.Time, max time.Duration) error {
	ahead := time.Duration(t.Wall-now.UnixMilli()) * time.Millisecond
	if ahead > max {
		return &SkewError{Ahead: ahead}
	}
	return nil
}

// Human writes a duration the way a person says it: "3 h 12 min",
// "2 days 4 h", "45 s".
func Human(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	days := int64(d / (24 * time.Hour))
	h := int64(d/time.Hour) % 24
	m := int64(d/time.Minute) % 60
	s := int64(d/time.Second) % 60
	switch {
	case days > 0:
		unit := "days"
		if days == 1 {
			unit = "day"
		}
		if h == 0 {
			return fmt.Sprintf("%d %s", days, unit)
		}
		return fmt.Sprintf("%d %s %d h", days, unit, h)
	case h > 0:
		if m == 0 {
			return fmt.Sprintf("%d h", h)
		}
		return fmt.Sprintf("%d h %d min", h, m)
	case m > 0:
		return fmt.Sprintf("%d min", m)
	}
	return fmt.Sprintf("%d s", s)
}
