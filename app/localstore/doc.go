// Package localstore is the device's IndexedDB store: the records,
// outbox, settings and file blobs of a local-first device, kept in the
// browser across reloads.
//
// It stores only the bytes it is given. Callers seal (encrypt) records,
// outbox items and blobs before handing them over, so nothing in
// IndexedDB is readable without the keys, which this package never sees.
//
// The database holds five object stores:
//
//   - "meta": small named values (string keys), such as sync cursors.
//   - "records": the records, packed: a log of segments (string keys, the
//     segment number in hex), each holding the rows one Commit put or
//     deleted. Records replays them; it also compacts the log now and
//     then. Reading 100,000 rows as 100,000 IndexedDB values takes
//     seconds in Chrome, a few large values a fraction of that.
//   - "later": a second store of records, the same log of segments,
//     which LaterRecords reads apart. A caller keeps there the rows its
//     first screen does not need (Pawfile: the years of bookings), so
//     that the read before that screen is megabytes, not the whole book.
//   - "outbox": items waiting to be sent, keyed by their uint64 id as 16
//     hex digits, so that key order is id order.
//   - "blobs": content-addressed file data (string keys, the hash).
//
// Every value is stored as a Uint8Array. Writes go through Commit, which
// applies a whole Change in one read-write transaction with strict
// durability: either all of it is written or none of it.
//
// The database only works in a browser (GOOS=js, GOARCH=wasm); built for
// any other target the package declares only Change and Item, so that
// code using them can be built and tested natively.
package localstore
