package localstore

// Change is everything one user action or one received batch writes.
// Commit writes all of it in one read-write transaction across the stores
// it touches, with strict durability, or writes none of it.
//
// Within the transaction the parts are applied in this order: ClearRecords,
// Records, Later, Meta, Blobs, Acked, Enqueue.
type Change struct {
	// Meta values are put under their names; a nil value deletes the name.
	Meta map[string][]byte
	// Records rows are put under their keys; a nil value deletes the row.
	Records map[string][]byte
	// Later rows are put under their keys in a second records store,
	// which LaterRecords reads apart from Records: a caller keeps there
	// the rows it needs only after its first screen, so that the read
	// before that screen is of the rest alone. A key belongs to one of
	// the two; keeping it so is the caller's part.
	Later map[string][]byte
	// ClearRecords empties both records stores before Records and Later
	// are applied, for when a snapshot replaces every row.
	ClearRecords bool
	// Blobs are put under their hashes in the blobs store; a nil value
	// deletes the blob. A photo lands with the record naming it.
	Blobs map[string][]byte
	// Enqueue adds items to the outbox. Their IDs must not already be in the outbox (after Acked is applied); a
	// clash fails the whole Change.
	Enqueue []Item
	// Acked removes these IDs from the outbox; IDs not there are ignored.
	Acked []uint64
}

// Item is one entry of the outbox.
type Item struct {
	// ID orders the outbox.
	ID uint64
	// Data is the sealed item; nil is stored as empty.
	Data []byte
}
