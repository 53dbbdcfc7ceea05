// Package store keeps a workspace's sealed record versions on the server: the
// append-only log by sequence number, the heads of every record, its history,
// erased record keys, and content-addressed blobs. The server cannot read
// what it stores; it sees only record keys, classes, timestamps, outbox ids
// and which versions supersede which. A record key belongs to the class of
// its first version for good: Append and Erase refuse any other.
//
// Store and Blobs are the storage boundary of DESIGN.md: every call names one
// workspace and takes a bounded batch (a history too is read a page at a
// time), and nothing above them may assume one process or one file. Each
// workspace's versions and blobs count against its quota; Pruner removes
// what is kept only for a while. Bolt implements all three on one bbolt
// database; the contract tests in package storetest run against any
// implementation.
package store

import (
	"context"
	"errors"
	"time"

	"pawfile/shared/record"
	"pawfile/shared/wire"
)

// Store holds the versions of every record of every workspace.
type Store interface {
	// Append stores a batch pushed by one device, durably (one bbolt tx,
	// fsync'd) before it returns. Idempotent on (device, OutboxID): a retried
	// version returns the seq it got the first time. Per version: refuse
	// (Result.Code, no storage) if the record key holds versions of another
	// class (wire CodeForbidden) or is erased (wire CodeErased).
	// Assigns increasing per-workspace seqs in commit order. Heads: the new
	// version removes from the heads of its record key every head listed in
	// Supersedes AND every head authored by the same device (TS.Device) with a
	// lower OutboxID (a device's later version of a record always includes its
	// earlier ones). Superseded versions stay in the log (history) until
	// Erase/retention. The error reports only a storage failure (or a batch
	// over wire's maximum); refusals of single versions are Results.
	Append(ctx context.Context, ws string, device uint64, batch []wire.Envelope) ([]wire.Result, error)
	// Enqueue is Append without the wait: it queues batch for a commit and
	// returns without waiting for it; calling the Pending waits until the
	// batch is durable (or failed) and returns what Append would have. The
	// batch is committed whether or not its Pending is ever called; batch
	// must not be modified until the Pending returns. Order: batches
	// enqueued one after another (one Enqueue or Append returning before the
	// next starts, as from one goroutine) are committed in that order, so a
	// later batch's new versions get higher seqs and see the earlier batch's
	// versions (its heads, and its outbox ids: a retry of one gets the seq it
	// was stored under); and once a batch's Pending returns, so would the
	// Pending of every batch enqueued before it. This lets a connection read
	// its next push while the last is committed, and its pushes share
	// commits, without reordering them.
	Enqueue(ctx context.Context, ws string, device uint64, batch []wire.Envelope) Pending
	// Since returns versions with seq > after, in seq order, at most limit,
	// only of the given classes; next is the cursor to continue from (the last
	// seq scanned, even if filtered out); more tells if there is more.
	Since(ctx context.Context, ws string, after uint64, limit int, classes []record.Class) (vs []wire.Envelope, next uint64, more bool, err error)
	// Heads is Since over current heads only (bootstrap of a new device),
	// same cursor semantics.
	Heads(ctx context.Context, ws string, after uint64, limit int, classes []record.Class) (vs []wire.Envelope, next uint64, more bool, err error)
	// History returns a page of a record's stored versions, superseded
	// ones included: the latest with a seq below before (0: from the
	// latest), oldest first, at most wire.MaxBatch of them and
	// wire.MaxBatchBytes of sealed bytes (always at least one). more tells
	// that older ones remain: ask again with before set to the first
	// seq of the page. It reads only the page, so a record edited
	// thousands of times costs no more memory than one message.
	History(ctx context.Context, ws string, key [32]byte, before uint64) (vs []wire.Envelope, more bool, err error)
	// Erase stores marker (an Envelope with Erased=true for key) as the
	// record's only version, purges the rest of its history, and remembers the
	// key so later versions of it are refused.
	Erase(ctx context.Context, ws string, device uint64, marker wire.Envelope) (wire.Result, error)
	// Head returns the latest seq of the workspace (0 if none).
	Head(ctx context.Context, ws string) (uint64, error)
	// DeleteWorkspace removes everything the workspace holds.
	DeleteWorkspace(ctx context.Context, ws string) error
	// Usage returns the bytes the workspace holds against its quota: its
	// stored versions (history included) and blobs, finished or not.
	// A version or blob chunk that would take it past the quota is
	// refused: Append's Result has wire.CodeFull, PutChunk's error wraps
	// ErrFull. An erasure is never refused: it makes room.
	Usage(ctx context.Context, ws string) (uint64, error)
}

// Pruner removes what a store keeps only for a while: blob uploads left
// unfinished for UploadTTL, and the outbox ids Append keeps for
// idempotent retries once no retry can need them (beyond the latest
// KeepOutbox of a device, or of a version since erased). A server calls
// it now and then; it works in bounded transactions.
type Pruner interface {
	Prune(ctx context.Context, now time.Time) (Pruned, error)
}

// Pruned counts what one Prune removed.
type Pruned struct {
	Uploads int // unfinished blob uploads
	Outbox  int // outbox ids
}

// Pending is an enqueued Append: it waits for the batch's commit and
// returns its results (or the storage failure). It may be called from any
// goroutine, more than once.
type Pending func() ([]wire.Result, error)

// Blobs holds sealed blobs (photos, signed forms), content-addressed by the
// SHA-256 of the whole sealed blob, put and read in chunks so an upload can
// resume where it stopped.
type Blobs interface {
	// PutChunk stores data at offset of the blob hash of total bytes and
	// returns how many bytes of it the store now holds. Chunks must arrive in
	// order: a chunk whose offset is not what the store holds is ignored and
	// received tells the client where to resume. When the last byte arrives
	// the hash is verified; on a mismatch the upload is discarded and the
	// error wraps ErrHashMismatch.
	PutChunk(ctx context.Context, ws string, hash [32]byte, offset, total uint64, data []byte) (received uint64, err error)
	// GetChunk returns at most limit bytes of a complete blob from offset, and
	// its total size.
	GetChunk(ctx context.Context, ws string, hash [32]byte, offset uint64, limit int) (data []byte, total uint64, err error)
	// DropBlobs deletes the blobs hashes, whole or partly uploaded; a blob
	// the store does not hold is no error.
	DropBlobs(ctx context.Context, ws string, hashes [][32]byte) error
}

// Limits of the store.
const (
	// MaxPage bounds the versions Since and Heads return in one call; a
	// larger or non-positive limit is clamped to it.
	MaxPage = 1000
	// MaxScan bounds how many log entries one Since or Heads call looks at,
	// so a role that may read few classes cannot make a call walk the whole
	// log; the cursor continues where the scan stopped.
	MaxScan = 20 * MaxPage
	// DefaultMaxBlob is the default size limit of a blob.
	DefaultMaxBlob = 10 << 20
	// MaxChunk bounds one PutChunk's data and one GetChunk's answer.
	MaxChunk = wire.MaxChunk
	// MaxWorkspace bounds the length of a workspace id.
	MaxWorkspace = 128
	// DefaultQuota is the default storage quota of a workspace.
	DefaultQuota = 4 << 30
	// UploadTTL is how long a blob upload may rest unfinished before
	// Prune removes it; the device that sent it starts it again.
	UploadTTL = 24 * time.Hour
	// KeepOutbox is how many of a device's latest outbox ids are kept
	// for idempotent retries. A device resends its unacknowledged
	// versions first, oldest first, and has at most a few pushes
	// (wire.MaxBatch versions each) unacknowledged at a time, so an
	// older one can never come back as a retry.
	KeepOutbox = 10 * wire.MaxBatch
)

// Errors a caller can tell apart with errors.Is.
var (
	// ErrBadRequest: the call itself is malformed (workspace id, batch size,
	// chunk bounds); nothing was stored.
	ErrBadRequest = errors.New("bad request")
	// ErrNotFound: no such (complete) blob.
	ErrNotFound = errors.New("not found")
	// ErrTooLarge: a blob larger than the store's limit.
	ErrTooLarge = errors.New("too large")
	// ErrHashMismatch: an uploaded blob's content does not match its hash;
	// the upload was discarded.
	ErrHashMismatch = errors.New("blob content does not match its hash")
	// ErrFull: the workspace's storage is at its quota; nothing was
	// stored.
	ErrFull = errors.New("the workspace's storage is full")
)
