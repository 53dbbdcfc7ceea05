// Package wire is the protocol between a Pawfile device and the sync server:
// the messages they exchange over the websocket and their binary encoding.
//
// A frame is three header bytes and a CBOR body:
//
//	[0] Version    the protocol version; a frame of another version is refused
//	               with CodeUnsupportedProto (except an Error, see below)
//	[1] Type       which message the body holds
//	[2] flags      bit 0: the body is zstd-compressed; other bits must be 0
//	[3:]           the message as a CBOR array (structs are encoded "toarray")
//
// Encode compresses a body larger than about 1 KiB when zstd makes it
// smaller, which in practice means batches of record versions. Every
// length is bounded before anything is allocated for it: the frame and the
// decompressed body by MaxFrame, arrays by MaxBatch, and every field by the
// Max constants, checked after decoding (and before encoding, so a peer never
// sends what the other side would refuse).
//
// Requests carry an ID that the answer repeats (Push → Ack, Pull → Batch,
// BlobPut → BlobAck, BlobGet → BlobData, HistoryGet → History, any of
// them → Error), so a device
// can have several in flight. The sender picks it; 0 is fine when only one
// is ever outstanding. Hello, Welcome, Live and Poke have none; an Error
// with ID 0 is about the connection.
//
// A compressed body is a single zstd frame that declares its size (Encode
// writes it so); Decode refuses any other.
//
// Compatibility: message type numbers, Code numbers and the layout of Error
// never change. An Error frame is decoded whatever its version byte, so an
// old app can still read "update the app" from a newer server. Any other
// change of a message's fields is a new Version.
package wire

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/fxamacker/cbor/v2"
	"github.com/klauspost/compress/zstd"
)

// Version is the protocol version this package speaks; it is the first byte
// of every frame and what a device sends in Hello.Proto. Version 2 added
// the owner record class, version 3 the classes of a Pull.
const Version = 3

// Limits of the protocol. A frame or message beyond them is refused with
// CodeTooLarge (counts and sizes) or CodeInvalid (values out of bounds).
const (
	// MaxFrame bounds an encoded frame and also its body after
	// decompression, so a small compressed frame cannot expand past it.
	MaxFrame = 8 << 20
	// MaxHelloFrame bounds the frame of a Hello, which is sent plain: the
	// server reads no more from a socket until its hello is authenticated.
	// A Hello at every field's limit is about 500 bytes.
	MaxHelloFrame = 1 << 10
	// MaxBatch bounds the versions of a Push, Batch or Live and the results
	// of an Ack. It matches store.MaxPage.
	MaxBatch = 1000
	// MaxBatchBytes bounds the sum of the sealed payloads of one Push, Batch
	// or Live. With MaxBatch it keeps every batch well inside MaxFrame:
	// senders fill a batch until either limit is reached.
	MaxBatchBytes = 4 << 20
	// MaxSealed bounds one sealed version: merge.MaxEncoded (64 KiB) plus
	// the nonce, the tag and some room for the seal format to grow.
	MaxSealed = 65 << 10
	// MaxSupersedes bounds the seqs one version says it has merged: a record
	// almost always has one head, a few after concurrent offline edits.
	MaxSupersedes = 64
	// MaxChunk bounds the data of one BlobPut or BlobData (store.MaxChunk).
	MaxChunk = 1 << 20
	// MaxBlob bounds a whole blob (a sealed photo or signed form); a server
	// may accept less (store.DefaultMaxBlob).
	MaxBlob = 10 << 20
	// MaxDrop bounds the blobs one BlobDrop names.
	MaxDrop = 256
	// MaxWorkspace bounds a workspace id (store.MaxWorkspace).
	MaxWorkspace = 128
	// MaxToken bounds a device token.
	MaxToken = 256
	// MaxApp bounds the app's build version string in Hello.
	MaxApp = 64
	// MaxText bounds the human-readable message of an Error or Result.
	MaxText = 1024
	// MaxClasses bounds Welcome.Classes.
	MaxClasses = 16
)

// headerSize is the length of the frame header before the CBOR body;
// maxBody is what is left of MaxFrame for the body, before and after
// decompression.
const (
	headerSize = 3
	maxBody    = MaxFrame - headerSize
)

// flagZstd marks a zstd-compressed body; flagsKnown is every flag this
// version understands.
const (
	flagZstd   = 1 << 0
	flagsKnown = flagZstd
)

// compressMin is the body size from which Encode tries zstd: below it the
// zstd frame header and the CPU cost outweigh what a small message saves.
const compressMin = 1 << 10

var (
	encMode cbor.UserBufferEncMode
	decMode cbor.DecMode
)

func init() {
	var err error
	// The default options encode [32]byte as a 32-byte byte string, which
	// is what Key and Hash expect when decoding.
	encMode, err = cbor.EncOptions{}.UserBufferEncMode()
	if err != nil {
		panic(err) // constant options: a programming error, not input
	}
	decMode, err = cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsForbidden,
		MaxNestedLevels:   4, // Batch > Versions > Envelope > Timestamp
		MaxArrayElements:  MaxBatch,
		MaxMapPairs:       16, // the minimum allowed; no message holds a map
		UTF8:              cbor.UTF8RejectInvalid,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
	}.DecMode()
	if err != nil {
		panic(err)
	}
}

// The zstd coders are created on first use, so an app that never sees a
// large message does not pay for their tables. With concurrency 1 there is
// one coder state: EncodeAll and DecodeAll are safe for concurrent use but
// take turns, which keeps memory small in the browser. They are made by
// functions, not by package variables' initializers, so that a program
// that never compresses (the app: see EncodePlain) links no encoder.
var zstdCoders struct {
	encOnce, decOnce sync.Once
	enc              *zstd.Encoder
	dec              *zstd.Decoder
	encErr, decErr   error
}

func zstdEncoder() (*zstd.Encoder, error) {
	zstdCoders.encOnce.Do(func() {
		zstdCoders.enc, zstdCoders.encErr = zstd.NewWriter(nil,
			zstd.WithEncoderConcurrency(1),
			// Sealed payloads are random: zstd only wins on the headers
			// around them. On BenchmarkEncodeBatch the fastest level costs
			// 57 bytes per version beyond the sealed payload, the default
			// one 50, for three times the CPU (1.7 vs 5 ms per 1,000).
			zstd.WithEncoderLevel(zstd.SpeedFastest),
			// A 1 MiB match window rather than 8: same ratio on batches,
			// and 3 MB of tables on first use instead of 17 MB.
			zstd.WithWindowSize(1<<20),
			// One segment whose size the header declares, even for a small
			// body: Decode requires it, and it saves the window byte.
			zstd.WithSingleSegment(true),
		)
	})
	return zstdCoders.enc, zstdCoders.encErr
}

func zstdDecoder() (*zstd.Decoder, error) {
	zstdCoders.decOnce.Do(func() {
		zstdCoders.dec, zstdCoders.decErr = zstd.NewReader(nil,
			zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderMaxMemory(maxBody),
			zstd.WithDecoderMaxWindow(MaxFrame),
			// DecodeAll may not grow dst past the capacity decompress gives
			// it, which is the size the frame declares (at most maxBody).
			zstd.WithDecodeAllCapLimit(true),
		)
	})
	return zstdCoders.dec, zstdCoders.decErr
}

// Encode validates m and returns its frame, compressed when that makes it
// smaller. A message that breaks the protocol's limits returns a
// *ProtocolError (CodeTooLarge for a batch that does not fit: split it),
// never a frame the other side would refuse.
func Encode(m Message) ([]byte, error) {
	return encode(m, false)
}

// EncodePlain is Encode without compression. The server and the browser
// send each other plain frames: what they carry is sealed, so zstd saves
// only the few header bytes around each payload (about 4% of a batch),
// while the app without zstd's coders is about 150 KB (Brotli) smaller to
// download. Every frame it makes is one Decode and DecodePlain read.
func EncodePlain(m Message) ([]byte, error) {
	frame, _, err := encodeBody(m)
	return frame, err
}

// encode is Encode; force compresses the body whatever its size (tests use
// it to make compressed frames of every message type).
func encode(m Message, force bool) ([]byte, error) {
	frame, t, err := encodeBody(m)
	if err != nil {
		return nil, err
	}
	body := frame[headerSize:]
	if len(body) >= compressMin || force {
		enc, err := zstdEncoder()
		if err != nil {
			return nil, fmt.Errorf("wire: zstd encoder: %w", err)
		}
		z := enc.EncodeAll(body, make([]byte, headerSize, headerSize+len(body)))
		if len(z) < len(frame) || force {
			z[0], z[1], z[2] = Version, byte(t), flagZstd
			return z, nil
		}
	}
	return frame, nil
}

// encodeBody validates m and returns its uncompressed frame.
func encodeBody(m Message) ([]byte, Type, error) {
	if m == nil {
		return nil, 0, protocolError(CodeBadMessage, "wire: encode: nil message")
	}
	t := m.Type()
	if err := m.validate(); err != nil {
		return nil, t, wrap(err, "wire: encode %s", t)
	}
	var buf bytes.Buffer
	buf.Grow(sizeHint(m))
	buf.Write([]byte{Version, byte(t), 0})
	if err := encMode.MarshalToBuffer(m, &buf); err != nil {
		return nil, t, fmt.Errorf("wire: encode %s: %w", t, err)
	}
	frame := buf.Bytes()
	if body := frame[headerSize:]; len(body) > maxBody {
		return nil, t, protocolError(CodeTooLarge, "wire: encode %s: %d bytes, more than the %d a frame may hold; split it", t, len(body), maxBody)
	}
	return frame, t, nil
}

// sizeHint estimates the size of m's frame, so Encode allocates its buffer
// once.
func sizeHint(m Message) int {
	var vs []Envelope
	switch m := m.(type) {
	case *Push:
		vs = m.Versions
	case *Batch:
		vs = m.Versions
	case *Live:
		vs = m.Versions
	case *History:
		vs = m.Versions
	case *BlobPut:
		return 128 + len(m.Data)
	case *BlobData:
		return 128 + len(m.Data)
	}
	n := 128
	for i := range vs {
		n += 96 + 9*len(vs[i].Supersedes) + len(vs[i].Sealed)
	}
	return n
}

// Decode reads one frame. Every failure is a *ProtocolError whose Code the
// server can send back in an Error (see CodeOf and ErrorFor). Decode never
// panics, and allocates at most a small multiple of MaxFrame whatever b
// holds.
func Decode(b []byte) (Message, error) {
	return decode(b, decompress)
}

// DecodePlain is Decode for a side that is never sent compressed frames
// (the browser: the server sends plain ones, see EncodePlain), so that it
// links no zstd decoder. A compressed frame is refused as malformed.
func DecodePlain(b []byte) (Message, error) {
	return decode(b, nil)
}

// decode is Decode with unzip, or nil to refuse compressed frames.
func decode(b []byte, unzip func([]byte) ([]byte, error)) (Message, error) {
	if len(b) < headerSize {
		return nil, protocolError(CodeBadMessage, "wire: truncated frame: %d bytes, the header alone is %d", len(b), headerSize)
	}
	if len(b) > MaxFrame {
		return nil, protocolError(CodeTooLarge, "wire: frame of %d bytes, more than the %d allowed", len(b), MaxFrame)
	}
	version, t, flags := b[0], Type(b[1]), b[2]
	if version != Version && (t != TypeError || version == 0) {
		return nil, protocolError(CodeUnsupportedProto, "wire: protocol version %d, this side speaks %d", version, Version)
	}
	m := t.new()
	if m == nil {
		return nil, protocolError(CodeBadMessage, "wire: unknown message type %d", byte(t))
	}
	if flags&^flagsKnown != 0 {
		return nil, protocolError(CodeBadMessage, "wire: %s: unknown flags %#02x", t, flags&^flagsKnown)
	}
	body := b[headerSize:]
	if flags&flagZstd != 0 {
		if unzip == nil {
			return nil, protocolError(CodeBadMessage, "wire: %s: a compressed frame where only plain ones are expected", t)
		}
		var err error
		if body, err = unzip(body); err != nil {
			return nil, wrap(err, "wire: %s", t)
		}
	}
	if err := decMode.Unmarshal(body, m); err != nil {
		code := CodeBadMessage
		var tooMany *cbor.MaxArrayElementsError
		if errors.As(err, &tooMany) {
			code = CodeTooLarge
		} else if c := CodeOf(err); c != CodeInternal {
			code = c // a Key or Hash of the wrong length
		}
		return nil, &ProtocolError{Code: code, Err: fmt.Errorf("wire: %s: %w", t, err)}
	}
	if err := m.validate(); err != nil {
		return nil, wrap(err, "wire: %s", t)
	}
	return m, nil
}

// decompress returns the content of the zstd frame z. It refuses a frame
// that does not declare a size of at most maxBody before allocating
// anything, and decodes into exactly that capacity, so a lying frame fails
// instead of growing the buffer.
func decompress(z []byte) ([]byte, error) {
	var h zstd.Header
	if err := h.Decode(z); err != nil {
		return nil, protocolError(CodeBadMessage, "zstd header: %v", err)
	}
	switch {
	case h.Skippable:
		return nil, protocolError(CodeBadMessage, "zstd: skippable frame")
	case h.DictionaryID != 0:
		return nil, protocolError(CodeBadMessage, "zstd: frame needs dictionary %d", h.DictionaryID)
	case !h.HasFCS:
		return nil, protocolError(CodeBadMessage, "zstd: frame does not declare its size")
	case h.FrameContentSize > maxBody:
		return nil, protocolError(CodeTooLarge, "zstd: body of %d bytes, more than the %d allowed", h.FrameContentSize, maxBody)
	}
	dec, err := zstdDecoder()
	if err != nil {
		return nil, fmt.Errorf("zstd decoder: %w", err)
	}
	out, err := dec.DecodeAll(z, make([]byte, 0, h.FrameContentSize))
	if err != nil {
		if errors.Is(err, zstd.ErrDecoderSizeExceeded) {
			return nil, protocolError(CodeTooLarge, "zstd: body larger than the %d bytes it declares", h.FrameContentSize)
		}
		return nil, &ProtocolError{Code: CodeBadMessage, Err: fmt.Errorf("zstd: %w", err)}
	}
	if uint64(len(out)) != h.FrameContentSize {
		return nil, protocolError(CodeBadMessage, "zstd: body of %d bytes, the frame declares %d", len(out), h.FrameContentSize)
	}
	return out, nil
}

// MarshalEnvelope returns the CBOR encoding of one validated version, as it
// travels inside a batch: for a store that keeps versions as they arrived.
func MarshalEnvelope(e *Envelope) ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, wrap(err, "wire: encode version")
	}
	b, err := encMode.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("wire: encode version: %w", err)
	}
	return b, nil
}

// UnmarshalEnvelope reads what MarshalEnvelope wrote, as strictly as Decode
// reads a version of a batch.
func UnmarshalEnvelope(b []byte) (Envelope, error) {
	var e Envelope
	if len(b) > maxBody {
		return Envelope{}, protocolError(CodeTooLarge, "wire: version of %d bytes, more than the %d allowed", len(b), maxBody)
	}
	if err := decMode.Unmarshal(b, &e); err != nil {
		return Envelope{}, &ProtocolError{Code: CodeBadMessage, Err: fmt.Errorf("wire: version: %w", err)}
	}
	if err := e.Validate(); err != nil {
		return Envelope{}, wrap(err, "wire: version")
	}
	return e, nil
}
