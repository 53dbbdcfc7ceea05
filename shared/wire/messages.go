package wire

import (
	"fmt"
	"time"
	"unicode/utf8"

	"pawfile/shared/access"
	"pawfile/shared/clock"
	"pawfile/shared/record"
)

// Type says which message a frame holds.
type Type uint8

// Message types. Their numbers travel on the wire: never renumber, only add.
const (
	TypeHello      Type = 1
	TypeWelcome    Type = 2
	TypePush       Type = 3
	TypeAck        Type = 4
	TypePull       Type = 5
	TypeBatch      Type = 6
	TypeLive       Type = 7
	TypePoke       Type = 8
	TypeBlobPut    Type = 9
	TypeBlobAck    Type = 10
	TypeBlobGet    Type = 11
	TypeBlobData   Type = 12
	TypeError      Type = 13
	TypeHistoryGet Type = 14
	TypeHistory    Type = 15
	TypeBlobDrop   Type = 16
	TypeBlobGone   Type = 17
)

var typeNames = [...]string{
	TypeHello: "hello", TypeWelcome: "welcome", TypePush: "push", TypeAck: "ack",
	TypePull: "pull", TypeBatch: "batch", TypeLive: "live", TypePoke: "poke",
	TypeBlobPut: "blob-put", TypeBlobAck: "blob-ack", TypeBlobGet: "blob-get",
	TypeBlobData: "blob-data", TypeError: "error", TypeHistoryGet: "history-get", TypeHistory: "history",
	TypeBlobDrop: "blob-drop", TypeBlobGone: "blob-gone",
}

func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}

// new returns a pointer to a zero message of type t, or nil if t is unknown.
func (t Type) new() Message {
	switch t {
	case TypeHello:
		return new(Hello)
	case TypeWelcome:
		return new(Welcome)
	case TypePush:
		return new(Push)
	case TypeAck:
		return new(Ack)
	case TypePull:
		return new(Pull)
	case TypeBatch:
		return new(Batch)
	case TypeLive:
		return new(Live)
	case TypePoke:
		return new(Poke)
	case TypeBlobPut:
		return new(BlobPut)
	case TypeBlobAck:
		return new(BlobAck)
	case TypeBlobGet:
		return new(BlobGet)
	case TypeBlobData:
		return new(BlobData)
	case TypeError:
		return new(Error)
	case TypeHistoryGet:
		return new(HistoryGet)
	case TypeHistory:
		return new(History)
	case TypeBlobDrop:
		return new(BlobDrop)
	case TypeBlobGone:
		return new(BlobGone)
	}
	return nil
}

// Message is one of this package's message types. Decode returns a pointer
// (*Push, *Batch, ...); Encode takes a pointer or a value.
type Message interface {
	Type() Type
	validate() error // also keeps other packages from adding message types
}

// Hello is the first message a device sends on a new socket.
type Hello struct {
	_         struct{} `cbor:",toarray"`
	Proto     uint16   // the protocol version the app speaks: Version
	Workspace string   // at most MaxWorkspace bytes
	Device    uint64   // the device id the server registered
	Token     []byte   // the device token, at most MaxToken bytes
	Cursor    uint64   // the highest seq the device holds
	App       string   // the app's build version, for logs; at most MaxApp bytes
}

// Welcome is the server's answer to a valid Hello.
type Welcome struct {
	_          struct{} `cbor:",toarray"`
	ServerTime int64    // Unix milliseconds: the device corrects its clock by it
	Role       uint8    // the member's access.Role in the workspace
	Classes    []uint8  // the record.Class values the role may read (access.Role.Classes)
	Head       uint64   // the workspace's latest seq
	MaxSkewMs  int64    // how far ahead of ServerTime a timestamp may be
}

// Time returns the server's time when it sent w.
func (w Welcome) Time() time.Time { return time.UnixMilli(w.ServerTime) }

// MaxSkew returns how far ahead of the server's time a timestamp may be.
func (w Welcome) MaxSkew() time.Duration { return time.Duration(w.MaxSkewMs) * time.Millisecond }

// Push sends record versions from a device's outbox.
type Push struct {
	_        struct{} `cbor:",toarray"`
	ID       uint32
	Versions []Envelope // at most MaxBatch, MaxBatchBytes of Sealed
}

// Ack answers a Push, once every accepted version is durable: one Result per
// pushed version, in the same order.
type Ack struct {
	_       struct{} `cbor:",toarray"`
	ID      uint32
	Results []Result
}

// Result is the outcome of one pushed version. A refused version (Code not
// CodeOK: CodeSkew, CodeErased, CodeForbidden, ...) is refused alone; the
// rest of its batch goes through.
type Result struct {
	_        struct{} `cbor:",toarray"`
	OutboxID uint64   // the pushed version's OutboxID
	Seq      uint64   // the seq it was stored under (the first one, for a retry); 0 if refused
	Code     Code
	Message  string // for a person, at most MaxText bytes; empty means Code.Text()
}

// Pull asks for the versions after a cursor.
type Pull struct {
	_     struct{} `cbor:",toarray"`
	ID    uint32
	After uint64 // the device's cursor
	Limit uint32 // the most versions wanted; 0 or more than MaxBatch means MaxBatch
	Heads bool   // only the current heads (a new device's bootstrap)
	// Classes narrows the answer to these record classes; empty means
	// every class the member's role reads (a class it may not read is
	// never sent). A new device pulls the heads of the client and care
	// classes first, so its client list is whole and searchable within
	// seconds, before the years of bookings and their notes.
	Classes []record.Class // at most one of each class
}

// Batch answers a Pull.
type Batch struct {
	_        struct{} `cbor:",toarray"`
	ID       uint32
	Versions []Envelope // in seq order; at most MaxBatch, MaxBatchBytes of Sealed
	Next     uint64     // the cursor to pull after next
	More     bool       // whether more versions follow Next
}

// Live carries versions the server just stored to the other connected
// devices of the workspace.
type Live struct {
	_        struct{} `cbor:",toarray"`
	Versions []Envelope
}

// Poke tells a device there is something after its cursor when sending the
// versions themselves is not worth it: the device answers with a Pull.
type Poke struct {
	_    struct{} `cbor:",toarray"`
	Head uint64   // the workspace's latest seq
}

// BlobPut uploads one chunk of a sealed blob. Chunks go in order; a resumed
// upload starts at the Received of the last BlobAck.
type BlobPut struct {
	_      struct{} `cbor:",toarray"`
	ID     uint32
	Hash   Hash   // SHA-256 of the whole sealed blob
	Offset uint64 // where Data starts in the blob
	Total  uint64 // the blob's size
	Data   []byte // at most MaxChunk bytes, ending at most at Total
}

// BlobAck answers a BlobPut.
type BlobAck struct {
	_        struct{} `cbor:",toarray"`
	ID       uint32
	Hash     Hash
	Received uint64 // how many bytes of the blob the server holds: resume here
}

// BlobGet asks for one chunk of a stored blob.
type BlobGet struct {
	_      struct{} `cbor:",toarray"`
	ID     uint32
	Hash   Hash
	Offset uint64
	Limit  uint32 // the most bytes wanted; 0 or more than MaxChunk means MaxChunk
}

// BlobData answers a BlobGet.
type BlobData struct {
	_      struct{} `cbor:",toarray"`
	ID     uint32
	Hash   Hash
	Offset uint64
	Total  uint64 // the blob's size
	Data   []byte // at most MaxChunk bytes, ending at most at Total
}

// HistoryGet asks for the stored versions of one record, superseded ones
// included: what the record's history screen reads "who changed what,
// when" from. A role gets only records of classes it may read.
type HistoryGet struct {
	_      struct{} `cbor:",toarray"`
	ID     uint32
	Key    Key    // the record key
	Before uint64 // only versions with a seq below it; 0: from the latest
}

// History answers a HistoryGet: the record's latest versions below
// Before, oldest first, as many as a batch holds. More says older ones
// remain: ask again with Before set to the first seq of Versions.
type History struct {
	_        struct{} `cbor:",toarray"`
	ID       uint32
	Versions []Envelope // at most MaxBatch, MaxBatchBytes of Sealed
	More     bool
}

// BlobDrop asks the server to delete blobs: the photos of records this
// device erased, which no record names any more.
type BlobDrop struct {
	_      struct{} `cbor:",toarray"`
	ID     uint32
	Hashes []Hash // 1 to MaxDrop
}

// BlobGone answers a BlobDrop: the server holds none of its blobs now.
type BlobGone struct {
	_  struct{} `cbor:",toarray"`
	ID uint32
}

// Error refuses a request (ID) or, with ID 0, the connection. Its layout
// never changes, whatever the Version (see the package comment).
type Error struct {
	_       struct{} `cbor:",toarray"`
	ID      uint32
	Code    Code
	Message string // for a person, at most MaxText bytes; empty means Code.Text()
	RetryMs int64  // if > 0, retry after this many milliseconds
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.Code.Text()
	}
	return fmt.Sprintf("%s (%s)", msg, e.Code)
}

// RetryAfter returns when the request may be retried; 0 means use your own
// back-off.
func (e *Error) RetryAfter() time.Duration { return time.Duration(e.RetryMs) * time.Millisecond }

func (Hello) Type() Type      { return TypeHello }
func (Welcome) Type() Type    { return TypeWelcome }
func (Push) Type() Type       { return TypePush }
func (Ack) Type() Type        { return TypeAck }
func (Pull) Type() Type       { return TypePull }
func (Batch) Type() Type      { return TypeBatch }
func (Live) Type() Type       { return TypeLive }
func (Poke) Type() Type       { return TypePoke }
func (BlobPut) Type() Type    { return TypeBlobPut }
func (BlobAck) Type() Type    { return TypeBlobAck }
func (BlobGet) Type() Type    { return TypeBlobGet }
func (BlobData) Type() Type   { return TypeBlobData }
func (Error) Type() Type      { return TypeError }
func (HistoryGet) Type() Type { return TypeHistoryGet }
func (History) Type() Type    { return TypeHistory }
func (BlobDrop) Type() Type   { return TypeBlobDrop }
func (BlobGone) Type() Type   { return TypeBlobGone }

// Envelope is one sealed record version as the server sees it: everything
// it needs to store, order, authorize and erase the version, and the sealed
// bytes it cannot open.
type Envelope struct {
	_          struct{}        `cbor:",toarray"`
	Seq        uint64          // the server's sequence number; 0 in a Push (the server assigns it)
	Class      record.Class    // decides the key and which roles may see it
	Key        Key             // the record key: HMAC of class, type and id
	TS         clock.Timestamp // when and on which device (TS.Device) it was written
	KeyID      uint32          // which generation of the class key sealed it
	Format     uint8           // the sealed content's format (merge.Format)
	OutboxID   uint64          // the author device's outbox id: pushes are idempotent on (device, OutboxID)
	Supersedes []uint64        // seqs of this record's versions it has merged; at most MaxSupersedes
	Erased     bool            // an erasure marker: the record is gone
	Sealed     []byte          // nonce || ciphertext || tag; at most MaxSealed, empty only if Erased
}

// Validate checks e against the protocol's limits; Encode and Decode do it
// for every version of a batch.
func (e *Envelope) Validate() error {
	switch {
	case !e.Class.Valid():
		return protocolError(CodeInvalid, "unknown record class %d", uint8(e.Class))
	case len(e.Supersedes) > MaxSupersedes:
		return protocolError(CodeTooLarge, "supersedes %d versions, at most %d allowed", len(e.Supersedes), MaxSupersedes)
	case len(e.Sealed) > MaxSealed:
		return protocolError(CodeTooLarge, "sealed version of %d bytes, at most %d allowed", len(e.Sealed), MaxSealed)
	case len(e.Sealed) == 0 && !e.Erased:
		return protocolError(CodeInvalid, "empty sealed version (only an erasure marker may be empty)")
	}
	return nil
}

// Key is a record key: 32 bytes, the HMAC of a record's class, type and id.
// It converts to and from [32]byte without a cast. Decoding accepts exactly
// a 32-byte CBOR byte string, never a shorter or longer one.
type Key [32]byte

// UnmarshalCBOR reads a 32-byte byte string.
func (k *Key) UnmarshalCBOR(data []byte) error {
	return unmarshal32((*[32]byte)(k), data, "record key")
}

// Hash is a blob's SHA-256, decoded as strictly as Key.
type Hash [32]byte

// UnmarshalCBOR reads a 32-byte byte string.
func (h *Hash) UnmarshalCBOR(data []byte) error {
	return unmarshal32((*[32]byte)(h), data, "blob hash")
}

// unmarshal32 accepts only the encoding of a 32-byte byte string (0x58 0x20
// then the bytes): the default decoder would silently pad or cut a byte
// string of another length into a [32]byte.
func unmarshal32(dst *[32]byte, data []byte, what string) error {
	if len(data) != 34 || data[0] != 0x58 || data[1] != 32 {
		return protocolError(CodeBadMessage, "%s must be a 32-byte byte string, got %d encoded bytes", what, len(data))
	}
	copy(dst[:], data[2:])
	return nil
}

func (m Hello) validate() error {
	if err := checkString("workspace", m.Workspace, MaxWorkspace); err != nil {
		return err
	}
	if len(m.Token) > MaxToken {
		return protocolError(CodeTooLarge, "token of %d bytes, at most %d allowed", len(m.Token), MaxToken)
	}
	return checkString("app version", m.App, MaxApp)
}

func (m Welcome) validate() error {
	if !access.Role(m.Role).Valid() {
		return protocolError(CodeInvalid, "unknown role %d", m.Role)
	}
	if len(m.Classes) > MaxClasses {
		return protocolError(CodeTooLarge, "%d classes, at most %d allowed", len(m.Classes), MaxClasses)
	}
	for _, c := range m.Classes {
		if !record.Class(c).Valid() {
			return protocolError(CodeInvalid, "unknown record class %d", c)
		}
	}
	return nil
}

func (m Push) validate() error    { return checkVersions(m.Versions) }
func (m Batch) validate() error   { return checkVersions(m.Versions) }
func (m Live) validate() error    { return checkVersions(m.Versions) }
func (m History) validate() error { return checkVersions(m.Versions) }

func (m Ack) validate() error {
	if len(m.Results) > MaxBatch {
		return protocolError(CodeTooLarge, "%d results, at most %d allowed", len(m.Results), MaxBatch)
	}
	for i, r := range m.Results {
		if err := checkString("message", r.Message, MaxText); err != nil {
			return wrap(err, "result %d", i)
		}
	}
	return nil
}

func (m Pull) validate() error {
	if len(m.Classes) > len(record.Classes) {
		return protocolError(CodeInvalid, "%d classes asked for, at most %d", len(m.Classes), len(record.Classes))
	}
	for _, c := range m.Classes {
		if !c.Valid() {
			return protocolError(CodeInvalid, "unknown record class %d", uint8(c))
		}
	}
	return nil
}

func (Poke) validate() error       { return nil }
func (BlobAck) validate() error    { return nil }
func (BlobGet) validate() error    { return nil }
func (HistoryGet) validate() error { return nil }
func (BlobGone) validate() error   { return nil }

func (m BlobDrop) validate() error {
	if len(m.Hashes) == 0 || len(m.Hashes) > MaxDrop {
		return protocolError(CodeInvalid, "%d blobs to drop, 1 to %d allowed", len(m.Hashes), MaxDrop)
	}
	return nil
}

func (m BlobPut) validate() error  { return checkChunk(m.Offset, m.Total, m.Data) }
func (m BlobData) validate() error { return checkChunk(m.Offset, m.Total, m.Data) }

func (m Error) validate() error {
	if m.Code == CodeOK {
		return protocolError(CodeInvalid, "error without a code")
	}
	return checkString("message", m.Message, MaxText)
}

func checkVersions(vs []Envelope) error {
	if len(vs) > MaxBatch {
		return protocolError(CodeTooLarge, "%d versions, at most %d allowed in one message", len(vs), MaxBatch)
	}
	total := 0
	for i := range vs {
		if err := vs[i].Validate(); err != nil {
			return wrap(err, "version %d", i)
		}
		total += len(vs[i].Sealed)
	}
	if total > MaxBatchBytes {
		return protocolError(CodeTooLarge, "%d bytes of sealed versions, at most %d allowed in one message", total, MaxBatchBytes)
	}
	return nil
}

func checkChunk(offset, total uint64, data []byte) error {
	switch {
	case len(data) > MaxChunk:
		return protocolError(CodeTooLarge, "chunk of %d bytes, at most %d allowed", len(data), MaxChunk)
	case total > MaxBlob:
		return protocolError(CodeTooLarge, "blob of %d bytes, at most %d allowed", total, MaxBlob)
	case offset > total || uint64(len(data)) > total-offset:
		return protocolError(CodeInvalid, "chunk of %d bytes at offset %d runs past the blob's %d bytes", len(data), offset, total)
	}
	return nil
}

func checkString(what, s string, max int) error {
	if len(s) > max {
		return protocolError(CodeTooLarge, "%s of %d bytes, at most %d allowed", what, len(s), max)
	}
	if !utf8.ValidString(s) {
		return protocolError(CodeInvalid, "%s is not valid UTF-8", what)
	}
	return nil
}
