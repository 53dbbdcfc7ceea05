package session

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"pawfile/app/localstore"
	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

// Photos (a pet's picture, a vaccination's proof, a visit's before and
// after) are blobs: sealed on this device under the key of the class of
// the record that names them, kept in the local store with that record,
// sent to the server by sync, and fetched by every device whose records
// name them, so that they are there offline. A record names a photo by the
// SHA-256 of its sealed bytes, which the server checks on upload.

const (
	photoFormat = 0xb1    // sealLocal format of a photo
	metaBlobs   = "blobs" // the blobQueue, JSON: hashes only, which the server sees too
	MaxPhoto    = 500_000 // bytes of a sealed photo, as the photo issue asks
	// PhotoOverhead is what sealing adds to a photo's image: class, key
	// id, nonce and tag.
	PhotoOverhead = 5 + seal.Overhead
)

// blobQueue is what this device still has to move of its photos.
type blobQueue struct {
	Send []string `json:"send,omitempty"` // sealed here, not on the server yet, oldest first
	Want []string `json:"want,omitempty"` // named by records, not on this device yet
	Drop []string `json:"drop,omitempty"` // of records erased here: the server is to delete them
}

// PhotoState is where a photo stands.
type PhotoState int

// The states.
const (
	PhotoMissing PhotoState = iota // named by a record, not on this device yet: sync fetches it
	PhotoWaiting                   // on this device, waiting to be sent to the server
	PhotoSent                      // on this device and on the server
)

// photoKey is what photos of class c are sealed to: any device holding
// c's key opens them; their hash in a sealed record binds each to it.
func photoKey(mac seal.Key, c record.Class) wire.Key {
	return seal.RecordKey(mac, c, "photo", "")
}

// StagePhoto seals image, a JPEG, under the key of class c (the class of
// the record that will name it) and holds it until that record is saved:
// the photo and the record reach storage in one transaction. It returns
// the reference to put in the record's blob field.
func (s *Session) StagePhoto(c record.Class, image []byte) (string, error) {
	if len(image) == 0 {
		return "", errors.New("the photo is empty: take it again")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys == nil {
		return "", ErrLocked
	}
	sealed, err := s.sealLocal(image, c, photoKey(s.keys.MAC, c), photoFormat)
	if err != nil {
		return "", fmt.Errorf("seal the photo: %w", err)
	}
	if len(sealed) > MaxPhoto {
		return "", fmt.Errorf("the photo is %d KB, and a photo may be at most %d KB: take it again", len(sealed)/1000, MaxPhoto/1000)
	}
	sum := sha256.Sum256(sealed)
	ref := hex.EncodeToString(sum[:])
	if s.staged == nil {
		s.staged = map[string][]byte{}
	}
	s.staged[ref] = sealed
	return ref, nil
}

// Photo returns the image a record's blob field names, and where it
// stands; a photo not on this device yet returns PhotoMissing and no
// image.
func (s *Session) Photo(ctx context.Context, ref string) ([]byte, PhotoState, error) {
	s.mu.RLock()
	sealed, ok := s.staged[ref]
	state := s.photoStateLocked(ref)
	s.mu.RUnlock()
	if !ok {
		var err error
		if sealed, ok, err = s.cfg.Store.Blob(ctx, ref); err != nil {
			return nil, 0, fmt.Errorf("read the photo on this device: %w", err)
		}
		if !ok {
			return nil, PhotoMissing, nil
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.keys == nil {
		return nil, 0, ErrLocked
	}
	if len(sealed) == 0 {
		return nil, 0, errors.New("the photo on this device is damaged")
	}
	image, err := s.openLocal(sealed, photoKey(s.keys.MAC, record.Class(sealed[0])), photoFormat)
	if errors.Is(err, errNoDocKey) {
		return nil, 0, errors.New("your role cannot see this photo")
	}
	if err != nil {
		return nil, 0, fmt.Errorf("the photo on this device does not open: %w", err)
	}
	return image, state, nil
}

// PhotoState says where a photo stands without reading it.
func (s *Session) PhotoState(ref string) PhotoState {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.photoStateLocked(ref)
}

// photoStateLocked is PhotoState for a photo on this device.
func (s *Session) photoStateLocked(ref string) PhotoState {
	if s.staged[ref] != nil || slices.Contains(s.blobq.Send, ref) {
		return PhotoWaiting
	}
	return PhotoSent
}

// PhotosWaiting is how many photos wait on this device to be sent.
func (s *Session) PhotosWaiting() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.blobq.Send)
}

// stagedLocked moves into b the staged photos record v names.
func (s *Session) stagedLocked(tx *writeTx, v any) {
	for _, ref := range record.BlobRefs(v) {
		if sealed, ok := s.staged[ref]; ok {
			tx.change.Blobs[ref] = sealed
		}
	}
}

// queueLocked returns the blob queue as it stands once c is written,
// adding c's new photos to those to send and dropping those c deletes.
func (s *Session) queueLocked(c localstore.Change) blobQueue {
	q := s.blobq.clone()
	for ref, data := range c.Blobs {
		q.Want = without(q.Want, ref)
		switch {
		case data == nil:
			q.Send = without(q.Send, ref)
		case s.staged[ref] != nil && !slices.Contains(q.Send, ref):
			q.Send = append(q.Send, ref)
		}
	}
	return q
}

func (q blobQueue) clone() blobQueue {
	return blobQueue{Send: slices.Clone(q.Send), Want: slices.Clone(q.Want), Drop: slices.Clone(q.Drop)}
}

// putQueueLocked puts q into c's meta if it differs from the queue kept.
func (s *Session) putQueueLocked(c *localstore.Change, q blobQueue) error {
	if slices.Equal(q.Send, s.blobq.Send) && slices.Equal(q.Want, s.blobq.Want) && slices.Equal(q.Drop, s.blobq.Drop) {
		return nil
	}
	b, err := json.Marshal(q)
	if err != nil {
		return err
	}
	if c.Meta == nil {
		c.Meta = map[string][]byte{}
	}
	c.Meta[metaBlobs] = b
	return nil
}

// committedLocked notes that c, with the queue q, is in the store.
func (s *Session) committedLocked(c localstore.Change, q blobQueue) {
	s.blobq = q
	for ref := range c.Blobs {
		delete(s.staged, ref)
	}
}

// wantLocked adds to q the photos of the record filed under rk that it
// did not name before (had) and that are neither made here nor wanted
// already: a photo it named before is on this device or wanted, so an
// edit of a pet's name does not fetch its photo again. Whether a new one
// is on this device is checked when sync asks (BlobsWanted): reading the
// store here would hold up the lock.
func (s *Session) wantLocked(q *blobQueue, rk wire.Key, had []string) {
	for _, ref := range s.book.BlobRefs(rk) {
		if !slices.Contains(had, ref) && s.staged[ref] == nil && !slices.Contains(q.Send, ref) && !slices.Contains(q.Want, ref) {
			q.Want = append(q.Want, ref)
		}
	}
}

// loadQueue reads the blob queue kept on this device.
func (s *Session) loadQueue(ctx context.Context) error {
	b, ok, err := s.cfg.Store.Meta(ctx, metaBlobs)
	if err != nil || !ok {
		return err
	}
	var q blobQueue
	if err := json.Unmarshal(b, &q); err != nil {
		return fmt.Errorf("the list of photos to send is damaged: %w", err)
	}
	s.mu.Lock()
	s.blobq = q
	s.mu.Unlock()
	return nil
}

// setQueue writes the blob queue as f changes it, with blobs.
func (s *Session) setQueue(ctx context.Context, blobs map[string][]byte, f func(*blobQueue)) error {
	// The write lock: a commit under way sets the queue it computed.
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.Lock()
	q := s.blobq.clone()
	f(&q)
	c := localstore.Change{Blobs: blobs}
	err := s.putQueueLocked(&c, q)
	if err == nil {
		err = s.cfg.Store.Commit(ctx, c)
	}
	if err == nil {
		s.blobq = q
	}
	s.mu.Unlock()
	if err == nil {
		s.changed()
	}
	return err
}

func hashes(refs []string) []wire.Hash {
	out := make([]wire.Hash, 0, len(refs))
	for _, ref := range refs {
		var h wire.Hash
		if b, err := hex.DecodeString(ref); err == nil && len(b) == len(h) {
			copy(h[:], b)
			out = append(out, h)
		}
	}
	return out
}

func without(refs []string, ref string) []string {
	return slices.DeleteFunc(refs, func(h string) bool { return h == ref })
}

// BlobsToSend implements syncclient.Local.
func (l *local) BlobsToSend(context.Context) ([]wire.Hash, error) {
	s := l.s()
	s.mu.RLock()
	defer s.mu.RUnlock()
	return hashes(s.blobq.Send), nil
}

// Blob implements syncclient.Local.
func (l *local) Blob(ctx context.Context, h wire.Hash) ([]byte, bool, error) {
	return l.s().cfg.Store.Blob(ctx, hex.EncodeToString(h[:]))
}

// BlobSent implements syncclient.Local.
func (l *local) BlobSent(ctx context.Context, h wire.Hash, refused string) error {
	s, ref := l.s(), hex.EncodeToString(h[:])
	if refused != "" {
		s.log.Printf("the server refused a photo; it stays on this device only: photo=%s err=%s", ref[:8], refused)
	}
	return s.setQueue(ctx, nil, func(q *blobQueue) { q.Send = without(q.Send, ref) })
}

// BlobsToDrop implements syncclient.Local.
func (l *local) BlobsToDrop(context.Context) ([]wire.Hash, error) {
	s := l.s()
	s.mu.RLock()
	defer s.mu.RUnlock()
	return hashes(s.blobq.Drop), nil
}

// BlobsDropped implements syncclient.Local.
func (l *local) BlobsDropped(ctx context.Context, hs []wire.Hash) error {
	gone := map[string]bool{}
	for _, h := range hs {
		gone[hex.EncodeToString(h[:])] = true
	}
	return l.s().setQueue(ctx, nil, func(q *blobQueue) {
		q.Drop = slices.DeleteFunc(q.Drop, func(ref string) bool { return gone[ref] })
	})
}

// BlobsWanted implements syncclient.Local. Photos the device holds after
// all (its own, come back in a record) leave the list.
func (l *local) BlobsWanted(ctx context.Context) ([]wire.Hash, error) {
	s := l.s()
	s.mu.RLock()
	want := slices.Clone(s.blobq.Want)
	s.mu.RUnlock()
	var held []string
	for _, ref := range want {
		if _, ok, err := s.cfg.Store.Blob(ctx, ref); err != nil {
			return nil, err
		} else if ok {
			held = append(held, ref)
		}
	}
	if len(held) > 0 {
		if err := s.setQueue(ctx, nil, func(q *blobQueue) {
			q.Want = slices.DeleteFunc(q.Want, func(h string) bool { return slices.Contains(held, h) })
		}); err != nil {
			return nil, err
		}
		want = slices.DeleteFunc(want, func(h string) bool { return slices.Contains(held, h) })
	}
	return hashes(want), nil
}

// BlobFetched implements syncclient.Local.
func (l *local) BlobFetched(ctx context.Context, h wire.Hash, data []byte) error {
	ref := hex.EncodeToString(h[:])
	return l.s().setQueue(ctx, map[string][]byte{ref: data}, func(q *blobQueue) { q.Want = without(q.Want, ref) })
}

// SavePhoto saves a before, after or other photo whose image StagePhoto
// sealed (under record.ClassProject); the image lands with it.
func (s *Session) SavePhoto(ctx context.Context, id string, p *record.Photo) error {
	if p.Taken.IsZero() {
		p.Taken = record.InstantOf(time.Now().In(localZone()))
	}
	_, err := s.save(ctx, id, p)
	return err
}

// DeletePhoto deletes a photo taken by mistake. Its image stays where it
// is until the record's client is erased.
func (s *Session) DeletePhoto(ctx context.Context, id string) error {
	_, err := s.saveAll(ctx, []write{{id: id, del: record.TypePhoto}})
	return err
}

// PhotosOf lists a project's photos in the order they were taken.
func (s *Session) PhotosOf(project string) []Item[record.Photo] {
	return sorted(partsOf[record.Photo](s, record.TypePhoto, project), func(a, b *Item[record.Photo]) int {
		return cmp.Or(cmp.Compare(a.Record.Taken.UnixMilli, b.Record.Taken.UnixMilli), strings.Compare(a.ID, b.ID))
	})
}

// PhotoConsent reports whether a client agreed to photos of their pets
// being kept and shown; known is false for a role that cannot read
// clients (a groomer), which the screens must then say.
func (s *Session) PhotoConsent(client string) (consent, known bool) {
	var c record.Client
	ok, err := s.LoadClient(client, &c)
	if err != nil || !ok {
		return false, false
	}
	return c.PhotoConsent, true
}
