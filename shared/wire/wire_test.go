package wire

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"pawfile/shared/access"
	"pawfile/shared/clock"
	"pawfile/shared/merge"
	"pawfile/shared/record"
)

// envelopes returns n realistic versions: increasing seqs, one device, one
// superseded version each, random keys and sealed payloads of size bytes.
func envelopes(n, size int, seed uint64) []Envelope {
	r := rand.New(rand.NewPCG(seed, 1))
	device := r.Uint64()
	wall := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC).UnixMilli()
	vs := make([]Envelope, n)
	for i := range vs {
		v := &vs[i]
		v.Seq = 1_200_000 + uint64(i)
		v.Class = record.Classes[i%len(record.Classes)]
		for j := range v.Key {
			v.Key[j] = byte(r.Uint32())
		}
		v.TS = clock.Timestamp{Wall: wall + int64(i)*37, Counter: uint32(i % 3), Device: device}
		v.KeyID = 1
		v.Format = 1
		v.OutboxID = 40_000 + uint64(i)
		v.Supersedes = []uint64{v.Seq - 1 - uint64(r.IntN(5000))}
		v.Sealed = make([]byte, size)
		for j := range v.Sealed {
			v.Sealed[j] = byte(r.Uint32())
		}
	}
	return vs
}

// samples holds one message of every type, with every field set.
func samples() []Message {
	hash := Hash(sha256.Sum256([]byte("photo")))
	vs := envelopes(3, 440, 7)
	vs[2].Erased, vs[2].Sealed, vs[2].Supersedes = true, nil, nil
	return []Message{
		&Hello{Proto: Version, Workspace: "ws-7f3a", Device: 0xfeedface, Token: []byte("0123456789abcdef"), Cursor: 1_200_000, App: "v0.3.1"},
		&Welcome{ServerTime: 1_795_000_000_000, Role: uint8(access.Groomer), Classes: []uint8{2, 3}, Head: 1_200_999, MaxSkewMs: clock.MaxSkew.Milliseconds()},
		&Push{ID: 1, Versions: vs},
		&Ack{ID: 1, Results: []Result{
			{OutboxID: 40_000, Seq: 1_201_000},
			{OutboxID: 40_001, Code: CodeSkew, Message: "this tablet's clock is 3 h 12 min ahead"},
		}},
		&Pull{ID: 2, After: 1_200_000, Limit: 500, Heads: true},
		&Pull{ID: 2, Heads: true, Classes: []record.Class{record.ClassClient, record.ClassCare}},
		&Batch{ID: 2, Versions: vs[:2], Next: 1_200_001, More: true},
		&Live{Versions: vs[:1]},
		&Poke{Head: 1_201_000},
		&BlobPut{ID: 3, Hash: hash, Offset: 1 << 20, Total: 3 << 20, Data: bytes.Repeat([]byte{0xa5}, 100)},
		&BlobAck{ID: 3, Hash: hash, Received: 1<<20 + 100},
		&BlobGet{ID: 4, Hash: hash, Offset: 0, Limit: 1 << 20},
		&BlobData{ID: 4, Hash: hash, Offset: 0, Total: 3, Data: []byte{1, 2, 3}},
		&Error{ID: 5, Code: CodeRateLimited, Message: "slow down", RetryMs: 1500},
		&HistoryGet{ID: 6, Key: vs[0].Key, Before: 1_200_500},
		&History{ID: 6, Versions: vs, More: true},
		&BlobDrop{ID: 7, Hashes: []Hash{hash, Hash(sha256.Sum256([]byte("another photo")))}},
		&BlobGone{ID: 7},
	}
}

func TestRoundTrip(t *testing.T) {
	for _, m := range samples() {
		for _, force := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/compressed=%v", m.Type(), force), func(t *testing.T) {
				frame, err := encode(m, force)
				if err != nil {
					t.Fatal(err)
				}
				if frame[0] != Version || Type(frame[1]) != m.Type() {
					t.Fatalf("header % x, want version %d type %d", frame[:3], Version, m.Type())
				}
				if force && frame[2] != flagZstd {
					t.Fatal("not compressed")
				}
				got, err := Decode(frame)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, m) {
					t.Fatalf("decoded\n%+v\nwant\n%+v", got, m)
				}
			})
		}
	}
}

func TestEncodeTakesValues(t *testing.T) {
	a, err := Encode(Poke{Head: 9})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Encode(&Poke{Head: 9})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("value and pointer encode differently: % x vs % x", a, b)
	}
}

func TestBatchesAreCompressed(t *testing.T) {
	frame, err := Encode(&Batch{Versions: envelopes(100, 440, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if frame[2] != flagZstd {
		t.Fatal("a batch of 100 versions was sent uncompressed")
	}
	// Random sealed bytes do not compress: Encode must then send them as
	// they are rather than pay zstd's framing.
	frame, err = Encode(&BlobData{Total: 4000, Data: envelopes(1, 4000, 2)[0].Sealed})
	if err != nil {
		t.Fatal(err)
	}
	if frame[2] != 0 {
		t.Fatal("incompressible data was sent compressed")
	}
}

// EncodePlain never compresses, and what it makes decodes to what Encode's
// frame decodes to; it refuses what Encode refuses.
func TestEncodePlain(t *testing.T) {
	m := &Push{ID: 7, Versions: envelopes(100, 440, 1)}
	plain, err := EncodePlain(m)
	if err != nil {
		t.Fatal(err)
	}
	packed, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if plain[2] != 0 || packed[2] != flagZstd || len(plain) <= len(packed) {
		t.Fatalf("flags %d/%d, sizes %d/%d", plain[2], packed[2], len(plain), len(packed))
	}
	a, err := Decode(plain)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Decode(packed)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("plain and compressed frames decode differently")
	}
	if _, err := EncodePlain(&Push{ID: 1, Versions: envelopes(MaxBatch+1, 10, 1)}); err == nil {
		t.Error("EncodePlain took a batch over the limit")
	}
	if _, err := EncodePlain(nil); err == nil {
		t.Error("EncodePlain took nil")
	}
	// DecodePlain reads plain frames and refuses compressed ones.
	if got, err := DecodePlain(plain); err != nil || !reflect.DeepEqual(got, a) {
		t.Errorf("DecodePlain of a plain frame: %v", err)
	}
	if _, err := DecodePlain(packed); CodeOf(err) != CodeBadMessage {
		t.Errorf("DecodePlain of a compressed frame: %v", err)
	}
}

// The worst batch the limits allow must still fit in a frame: senders rely
// on MaxBatch and MaxBatchBytes alone.
func TestLimitsFitInAFrame(t *testing.T) {
	vs := envelopes(MaxBatch, MaxBatchBytes/MaxBatch, 3)
	for i := range vs {
		vs[i].Supersedes = make([]uint64, MaxSupersedes)
		for j := range vs[i].Supersedes {
			vs[i].Supersedes[j] = 1<<64 - 1
		}
		vs[i].Seq, vs[i].OutboxID, vs[i].KeyID = 1<<64-1, 1<<64-1, 1<<32-1
	}
	frame, err := Encode(&Batch{ID: 1<<32 - 1, Versions: vs, Next: 1<<64 - 1, More: true})
	if err != nil {
		t.Fatalf("worst-case batch: %v", err)
	}
	if _, err := Decode(frame); err != nil {
		t.Fatalf("worst-case batch: %v", err)
	}
	if MaxSealed < merge.MaxEncoded+24+16 {
		t.Fatalf("MaxSealed %d cannot hold a sealed merge.MaxEncoded record (%d + nonce + tag)", MaxSealed, merge.MaxEncoded)
	}
}

// mutate returns a copy of frame with old replaced by new once.
func mutate(t *testing.T, frame, old, new []byte) []byte {
	t.Helper()
	if bytes.Count(frame, old) != 1 {
		t.Fatalf("pattern % x found %d times", old, bytes.Count(frame, old))
	}
	return bytes.Replace(frame, old, new, 1)
}

// raw frames a CBOR body without Encode's validation.
func raw(t testing.TB, typ Type, v any) []byte {
	t.Helper()
	body, err := encMode.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte{Version, byte(typ), 0}, body...)
}

func zstdFrame(t *testing.T, typ Type, body []byte) []byte {
	t.Helper()
	enc, err := zstdEncoder()
	if err != nil {
		t.Fatal(err)
	}
	return enc.EncodeAll(body, []byte{Version, byte(typ), flagZstd})
}

func TestDecodeRefusesHostileInput(t *testing.T) {
	push := &Push{ID: 1, Versions: envelopes(2, 440, 9)}
	key := push.Versions[0].Key
	pushFrame, err := Encode(push)
	if err != nil {
		t.Fatal(err)
	}
	keyBytes := append([]byte{0x58, 0x20}, key[:]...)
	one := envelopes(1, 440, 10)

	// A 9 MiB body of zeros compresses to a few hundred bytes.
	bomb := zstdFrame(t, TypeBatch, make([]byte, 9<<20))
	// The same, as a stream that does not declare its size.
	var stream bytes.Buffer
	sw, _ := zstd.NewWriter(&stream)
	_, _ = sw.Write(make([]byte, 9<<20))
	_ = sw.Close()
	// A frame that declares 100 bytes but holds 1 MiB.
	liar := zstdFrame(t, TypeBatch, make([]byte, 1<<20))
	setFCS(t, liar[headerSize:], 100)

	bigArray := []byte{Version, byte(TypePush), 0, 0x82, 0x01, 0x9a, 0xff, 0xff, 0xff, 0xff}
	bigBytes := []byte{Version, byte(TypeBlobPut), 0, 0x85, 0x01, 0x5a, 0xff, 0xff, 0xff, 0xff}
	deep := []byte{Version, byte(TypePush), 0}
	for range 10 {
		deep = append(deep, 0x81)
	}
	deep = append(deep, 0x01)

	blob := func(offset, total uint64, n int) []byte {
		return raw(t, TypeBlobPut, BlobPut{Offset: offset, Total: total, Data: make([]byte, n)})
	}
	versions := func(f func(*Envelope)) []byte {
		vs := envelopes(2, 440, 11)
		f(&vs[1])
		return raw(t, TypePush, Push{Versions: vs})
	}

	cases := []struct {
		name  string
		frame []byte
		code  Code
	}{
		{"empty", nil, CodeBadMessage},
		{"header only part", []byte{Version, byte(TypePoke)}, CodeBadMessage},
		{"header without body", []byte{Version, byte(TypePoke), 0}, CodeBadMessage},
		{"future version", append([]byte{Version + 1}, pushFrame[1:]...), CodeUnsupportedProto},
		{"version 0", append([]byte{0}, pushFrame[1:]...), CodeUnsupportedProto},
		{"unknown type", []byte{Version, 0xee, 0, 0x81, 0x01}, CodeBadMessage},
		{"type 0", []byte{Version, 0, 0, 0x81, 0x01}, CodeBadMessage},
		{"unknown flag", []byte{Version, byte(TypePoke), 0x02, 0x81, 0x01}, CodeBadMessage},
		{"trailing bytes", append(bytes.Clone(pushFrame), 0x00), CodeBadMessage},
		{"truncated", pushFrame[:len(pushFrame)-1], CodeBadMessage},
		{"frame over MaxFrame", append([]byte{Version, byte(TypePush), 0}, make([]byte, MaxFrame)...), CodeTooLarge},
		{"array claims 4G elements", bigArray, CodeTooLarge},
		{"byte string claims 4 GiB", bigBytes, CodeBadMessage},
		{"nested too deep", deep, CodeBadMessage},
		{"map instead of array", []byte{Version, byte(TypePoke), 0, 0xa1, 0x01, 0x01}, CodeBadMessage},
		{"indefinite length", []byte{Version, byte(TypePoke), 0, 0x9f, 0x01, 0xff}, CodeBadMessage},
		{"tag", []byte{Version, byte(TypePoke), 0, 0xc1, 0x81, 0x01}, CodeBadMessage},
		{"too few fields", []byte{Version, byte(TypePull), 0, 0x82, 0x01, 0x01}, CodeBadMessage},
		{"negative for unsigned", []byte{Version, byte(TypePoke), 0, 0x81, 0x20}, CodeBadMessage},
		{"zip bomb", bomb, CodeTooLarge},
		{"zstd without size", append([]byte{Version, byte(TypeBatch), flagZstd}, stream.Bytes()...), CodeBadMessage},
		{"zstd larger than declared", liar, CodeBadMessage},
		{"zstd garbage", []byte{Version, byte(TypePoke), flagZstd, 1, 2, 3, 4, 5, 6, 7, 8}, CodeBadMessage},
		{"key of 16 bytes", mutate(t, pushFrame, keyBytes, append([]byte{0x50}, key[:16]...)), CodeBadMessage},
		{"key of 33 bytes", mutate(t, pushFrame, keyBytes, append([]byte{0x58, 0x21, 0}, key[:]...)), CodeBadMessage},
		{"key null", mutate(t, pushFrame, keyBytes, []byte{0xf6}), CodeBadMessage},
		{"key as text", mutate(t, pushFrame, keyBytes, append([]byte{0x78, 0x20}, bytes.Repeat([]byte("k"), 32)...)), CodeBadMessage},
		{"1001 versions", raw(t, TypePush, Push{Versions: make([]Envelope, MaxBatch+1)}), CodeTooLarge},
		{"1001 results", raw(t, TypeAck, Ack{Results: make([]Result, MaxBatch+1)}), CodeTooLarge},
		{"history of 1001 versions", raw(t, TypeHistory, History{Versions: make([]Envelope, MaxBatch+1)}), CodeTooLarge},
		{"history with a bad version", raw(t, TypeHistory, History{Versions: []Envelope{{Class: 9, Sealed: []byte{1}}}}), CodeInvalid},
		{"history of a key of 16 bytes", raw(t, TypeHistoryGet, []any{1, key[:16], 0}), CodeBadMessage},
		{"class 0", versions(func(e *Envelope) { e.Class = 0 }), CodeInvalid},
		{"class 5", versions(func(e *Envelope) { e.Class = 5 }), CodeInvalid},
		{"empty sealed", versions(func(e *Envelope) { e.Sealed = nil }), CodeInvalid},
		{"sealed over MaxSealed", versions(func(e *Envelope) { e.Sealed = make([]byte, MaxSealed+1) }), CodeTooLarge},
		{"supersedes too many", versions(func(e *Envelope) { e.Supersedes = make([]uint64, MaxSupersedes+1) }), CodeTooLarge},
		{"batch over MaxBatchBytes", raw(t, TypeBatch, Batch{Versions: envelopes(MaxBatchBytes/MaxSealed+1, MaxSealed, 12)}), CodeTooLarge},
		{"chunk over MaxChunk", blob(0, 2<<20, MaxChunk+1), CodeTooLarge},
		{"chunk past total", blob(10, 15, 10), CodeInvalid},
		{"offset past total", blob(1<<63, 1, 0), CodeInvalid},
		{"blob over MaxBlob", blob(0, MaxBlob+1, 1), CodeTooLarge},
		{"error without code", raw(t, TypeError, Error{Message: "?"}), CodeInvalid},
		{"workspace too long", raw(t, TypeHello, Hello{Workspace: strings.Repeat("w", MaxWorkspace+1)}), CodeTooLarge},
		{"token too long", raw(t, TypeHello, Hello{Token: make([]byte, MaxToken+1)}), CodeTooLarge},
		{"invalid UTF-8", raw(t, TypeHello, Hello{App: "\xff"}), CodeBadMessage},
		{"unknown role", raw(t, TypeWelcome, Welcome{Role: 9}), CodeInvalid},
		{"pull of an unknown class", raw(t, TypePull, Pull{Classes: []record.Class{record.ClassClient, 9}}), CodeInvalid},
		{"pull of class 0", raw(t, TypePull, Pull{Classes: []record.Class{0}}), CodeInvalid},
		{"pull of five classes", raw(t, TypePull, Pull{Classes: []record.Class{1, 2, 3, 4, 1}}), CodeInvalid},
		{"unknown class in welcome", raw(t, TypeWelcome, Welcome{Role: 1, Classes: []uint8{1, 7}}), CodeInvalid},
		{"result message too long", raw(t, TypeAck, Ack{Results: []Result{{Message: strings.Repeat("x", MaxText+1)}}}), CodeTooLarge},
		{"live too many", raw(t, TypeLive, Live{Versions: append(one, make([]Envelope, MaxBatch)...)}), CodeTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Decode(c.frame)
			if err == nil {
				t.Fatalf("accepted %+v", m)
			}
			var pe *ProtocolError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %q is not a *ProtocolError", err, err)
			}
			if got := CodeOf(err); got != c.code {
				t.Fatalf("code %s, want %s (%v)", got, c.code, err)
			}
			if m != nil {
				t.Fatalf("returned a message with the error: %+v", m)
			}
		})
	}
}

// setFCS rewrites the frame content size a zstd frame declares.
func setFCS(t *testing.T, z []byte, size uint64) {
	t.Helper()
	desc := z[4]
	at := 5
	if desc&0x20 == 0 { // not single segment: a window descriptor follows
		at++
	}
	at += [4]int{0, 1, 2, 4}[desc&3] // dictionary id
	switch desc >> 6 {
	case 1:
		binary.LittleEndian.PutUint16(z[at:], uint16(size-256))
	case 2:
		binary.LittleEndian.PutUint32(z[at:], uint32(size))
	case 3:
		binary.LittleEndian.PutUint64(z[at:], size)
	default:
		t.Fatalf("frame descriptor %#x has a 1-byte size field", desc)
	}
	var h zstd.Header
	if err := h.Decode(z); err != nil || h.FrameContentSize != size {
		t.Fatalf("patched size: %d, %v", h.FrameContentSize, err)
	}
}

// An old app must still read the Error a newer server sends it.
func TestErrorOfAnyVersionDecodes(t *testing.T) {
	frame, err := Encode(&Error{Code: CodeUnsupportedProto, Message: "update the app"})
	if err != nil {
		t.Fatal(err)
	}
	frame[0] = Version + 5
	m, err := Decode(frame)
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := m.(*Error); !ok || e.Code != CodeUnsupportedProto {
		t.Fatalf("got %+v", m)
	}
}

func TestEncodeRefusesWhatDecodeWould(t *testing.T) {
	vs := envelopes(MaxBatch+1, 10, 4)
	short := envelopes(1, 10, 5)
	short[0].Class = 0
	cases := []struct {
		m    Message
		code Code
	}{
		{&Push{Versions: vs}, CodeTooLarge},
		{&Batch{Versions: short}, CodeInvalid},
		{&Error{}, CodeInvalid},
		{&BlobPut{Total: 1, Data: []byte{1, 2}}, CodeInvalid},
		{&Hello{Workspace: "\xff"}, CodeInvalid},
		{&BlobDrop{}, CodeInvalid},
		{&BlobDrop{Hashes: make([]Hash, MaxDrop+1)}, CodeInvalid},
		{nil, CodeBadMessage},
	}
	for _, c := range cases {
		frame, err := Encode(c.m)
		if err == nil {
			t.Errorf("%T: encoded % x", c.m, frame)
			continue
		}
		if got := CodeOf(err); got != c.code {
			t.Errorf("%T: code %s, want %s (%v)", c.m, got, c.code, err)
		}
	}
}

func TestEnvelopeMarshal(t *testing.T) {
	e := envelopes(1, 440, 6)[0]
	b, err := MarshalEnvelope(&e)
	if err != nil {
		t.Fatal(err)
	}
	got, err := UnmarshalEnvelope(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, e) {
		t.Fatalf("got %+v, want %+v", got, e)
	}
	if _, err := UnmarshalEnvelope(b[:len(b)-1]); CodeOf(err) != CodeBadMessage {
		t.Fatalf("truncated envelope: %v", err)
	}
	e.Class = 9
	if _, err := MarshalEnvelope(&e); CodeOf(err) != CodeInvalid {
		t.Fatalf("class 9: %v", err)
	}
	// A [32]byte and a Key convert without a cast, as store code expects.
	var k [32]byte = e.Key
	if e.Key != k {
		t.Fatal("unreachable")
	}
}

// The numbers travel on the wire and are stored by apps.
func TestCodesAreStable(t *testing.T) {
	want := map[Code]uint16{
		CodeOK: 0, CodeBadMessage: 1, CodeUnsupportedProto: 2, CodeUnauthorized: 3,
		CodeForbidden: 4, CodeSkew: 5, CodeErased: 6, CodeTooLarge: 7,
		CodeRateLimited: 8, CodeNotFound: 9, CodeInternal: 10, CodeRevoked: 11,
		CodeInvalid: 12,
	}
	for c, n := range want {
		if uint16(c) != n {
			t.Errorf("%s = %d, want %d", c, uint16(c), n)
		}
		if strings.HasPrefix(c.String(), "code(") || c.Text() == "" {
			t.Errorf("code %d has no name or text", n)
		}
	}
	if got := Code(999).String(); got != "code(999)" {
		t.Errorf("unknown code: %q", got)
	}
	if Code(999).Text() != CodeInternal.Text() {
		t.Error("an unknown code should read as internal")
	}
	types := map[Type]uint8{
		TypeHello: 1, TypeWelcome: 2, TypePush: 3, TypeAck: 4, TypePull: 5, TypeBatch: 6,
		TypeLive: 7, TypePoke: 8, TypeBlobPut: 9, TypeBlobAck: 10, TypeBlobGet: 11,
		TypeBlobData: 12, TypeError: 13, TypeHistoryGet: 14, TypeHistory: 15,
		TypeBlobDrop: 16, TypeBlobGone: 17,
	}
	for ty, n := range types {
		if uint8(ty) != n || ty.new() == nil || ty.new().Type() != ty {
			t.Errorf("type %s: number %d, want %d", ty, uint8(ty), n)
		}
	}
}

func TestCodeOfAndErrorFor(t *testing.T) {
	skew := clock.Check(clock.Timestamp{Wall: time.Now().Add(3 * time.Hour).UnixMilli()}, time.Now(), clock.MaxSkew)
	cases := []struct {
		err  error
		code Code
		text string // expected in ErrorFor's message
	}{
		{nil, CodeOK, CodeInternal.Text()},
		{errors.New("disk on fire at /var/lib/pawfile"), CodeInternal, CodeInternal.Text()},
		{fmt.Errorf("push: %w", skew), CodeSkew, "ahead"},
		{fmt.Errorf("hub: %w", &Error{Code: CodeRateLimited, Message: "slow", RetryMs: 200}), CodeRateLimited, "slow"},
	}
	for _, c := range cases {
		if got := CodeOf(c.err); got != c.code {
			t.Errorf("CodeOf(%v) = %s, want %s", c.err, got, c.code)
		}
		e := ErrorFor(7, c.err)
		if e.ID != 7 || !strings.Contains(e.Message, c.text) {
			t.Errorf("ErrorFor(%v) = %+v, want a message with %q", c.err, e, c.text)
		}
		if _, err := Encode(e); err != nil {
			t.Errorf("ErrorFor(%v) does not encode: %v", c.err, err)
		}
	}
	_, err := Decode([]byte{Version, 0xee, 0, 0})
	e := ErrorFor(0, err)
	if e.Code != CodeBadMessage || !strings.Contains(e.Message, "unknown message type") {
		t.Errorf("ErrorFor(decode error) = %+v", e)
	}
	if e := ErrorFor(0, &Error{Code: CodeRateLimited, RetryMs: 200}); e.RetryAfter() != 200*time.Millisecond {
		t.Errorf("retry lost: %+v", e)
	}
	long := ErrorFor(0, &ProtocolError{Code: CodeInvalid, Err: errors.New(strings.Repeat("é", MaxText))})
	if len(long.Message) > MaxText {
		t.Errorf("message of %d bytes", len(long.Message))
	}
	if _, err := Encode(long); err != nil {
		t.Error(err)
	}
}

func TestWelcomeHelpers(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	w := Welcome{ServerTime: now.UnixMilli(), MaxSkewMs: time.Hour.Milliseconds()}
	if !w.Time().Equal(now) || w.MaxSkew() != time.Hour {
		t.Fatalf("%v %v", w.Time(), w.MaxSkew())
	}
	e := &Error{Code: CodeErased}
	if !strings.Contains(e.Error(), "erased") {
		t.Fatalf("%q", e.Error())
	}
}

// Encode and Decode share one zstd coder: run under -race.
func TestConcurrentUse(t *testing.T) {
	batch := &Batch{Versions: envelopes(50, 440, 8)}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				frame, err := Encode(batch)
				if err != nil {
					t.Error(err)
					return
				}
				m, err := Decode(frame)
				if err != nil {
					t.Error(err)
					return
				}
				if !reflect.DeepEqual(m, batch) {
					t.Error("round trip changed the batch")
					return
				}
			}
		})
	}
	wg.Wait()
}
