package session

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"pawfile/shared/record"
	"pawfile/shared/seal"
	"pawfile/shared/wire"
)

func refHash(t *testing.T, ref string) wire.Hash {
	t.Helper()
	b, err := hex.DecodeString(ref)
	if err != nil || len(b) != 32 {
		t.Fatalf("photo reference %q is not a hash", ref)
	}
	return wire.Hash(b)
}

// A photo is sealed on the device that takes it, lands in the store with
// the record naming it, waits to be sent, reaches a second device that
// fetches it because its records name it, and is gone from both stores
// when its client is erased.
func TestPhotoJourney(t *testing.T) {
	ctx := context.Background()
	keys := seal.NewKeyring()
	a, ast := setUp(t, "ws1", keys, 1)
	b, bst := setUp(t, "ws1", keys, 2)
	unlocked(t, a)
	unlocked(t, b)
	ann, bella, visit, shot := record.NewID(), record.NewID(), record.NewID(), record.NewID()
	a.SaveClient(ctx, ann, nil, &record.Client{Name: "Ann", PhotoConsent: true})
	image := bytes.Repeat([]byte("jpeg bytes "), 3000)

	ref, err := a.StagePhoto(record.ClassCare, image)
	if err != nil {
		t.Fatal(err)
	}
	if got, state, err := a.Photo(ctx, ref); err != nil || state != PhotoWaiting || !bytes.Equal(got, image) {
		t.Fatalf("a staged photo = %d bytes, %v, %v", len(got), state, err)
	}
	if len(ast.blobs) != 0 {
		t.Fatal("a photo reached the store before the record naming it")
	}
	if err := a.SavePet(ctx, bella, nil, &record.Pet{Client: ann, Name: "Bella", Photo: ref}); err != nil {
		t.Fatal(err)
	}
	sealed, ok := ast.blobs[ref]
	if !ok {
		t.Fatal("the pet's photo is not in the store with the pet")
	}
	if bytes.Contains(sealed, []byte("jpeg bytes")) {
		t.Fatal("the stored photo is not sealed")
	}
	if sum := sha256.Sum256(sealed); hex.EncodeToString(sum[:]) != ref {
		t.Fatal("a photo's reference is not the hash of its sealed bytes")
	}
	if hs, _ := (*local)(a).BlobsToSend(ctx); len(hs) != 1 || hs[0] != refHash(t, ref) {
		t.Fatalf("a's photos to send = %x", hs)
	}

	// A visit's photo, of the project class.
	a.save(ctx, visit, nil, &record.Project{Client: ann, Kind: "grooming", Title: "Bath", Status: "done"})
	after, err := a.StagePhoto(record.ClassProject, []byte("after photo"))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SavePhoto(ctx, shot, nil, &record.Photo{Project: visit, Pet: bella, Kind: "after", Blob: after}); err != nil {
		t.Fatal(err)
	}

	// Sent: the server holds them.
	for _, r := range []string{ref, after} {
		if err := (*local)(a).BlobSent(ctx, refHash(t, r), ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, state, _ := a.Photo(ctx, ref); state != PhotoSent {
		t.Errorf("state once sent = %v", state)
	}
	if again := reopen(t, ast); len(again.blobq.Send) != 0 {
		t.Errorf("a reloaded still has photos to send: %v", again.blobq.Send)
	}

	// b gets the records, wants the photos, fetches them.
	send(t, a, b, 1)
	if _, state, err := b.Photo(ctx, ref); err != nil || state != PhotoMissing {
		t.Fatalf("b before fetching: %v, %v", state, err)
	}
	want, err := (*local)(b).BlobsWanted(ctx)
	if err != nil || len(want) != 2 {
		t.Fatalf("b wants %x, %v", want, err)
	}
	for _, r := range []string{ref, after} {
		if err := (*local)(b).BlobFetched(ctx, refHash(t, r), ast.blobs[r]); err != nil {
			t.Fatal(err)
		}
	}
	if got, state, err := b.Photo(ctx, ref); err != nil || state != PhotoSent || !bytes.Equal(got, image) {
		t.Fatalf("b's photo = %d bytes, %v, %v", len(got), state, err)
	}
	if got, _, err := b.Photo(ctx, after); err != nil || string(got) != "after photo" {
		t.Fatalf("b's after photo = %q, %v", got, err)
	}
	for name, s := range map[string]*Session{"a": a, "b": b, "b reloaded": reopen(t, bst)} {
		if ps := s.PhotosOf(visit); len(ps) != 1 || ps[0].Record.Blob != after || ps[0].Record.Taken.IsZero() {
			t.Errorf("%s: the visit's photos = %+v", name, ps)
		}
		if h := s.ProjectsOf(ann); len(h) != 1 || h[0].Photos != 1 {
			t.Errorf("%s: Ann's history = %+v, want the visit with its photo", name, h)
		}
	}
	if want, _ := (*local)(b).BlobsWanted(ctx); len(want) != 0 {
		t.Errorf("b still wants %x", want)
	}

	// An edit of the pet that leaves its photo does not ask for it again.
	if err := a.SavePet(ctx, bella, nil, &record.Pet{Client: ann, Name: "Bella May", Photo: ref}); err != nil {
		t.Fatal(err)
	}
	send(t, a, b, 2)
	if len(b.blobq.Want) != 0 {
		t.Errorf("b wants %q again after an edit that kept the photo", b.blobq.Want)
	}

	// Erasure takes the photos from both stores.
	if _, err := a.EraseClient(ctx, ann); err != nil {
		t.Fatal(err)
	}
	send(t, a, b, 3)
	for name, st := range map[string]*memStore{"a": ast, "b": bst} {
		if len(st.blobs) != 0 {
			t.Errorf("%s's store keeps %d photos of an erased client", name, len(st.blobs))
		}
	}
	// The server is asked to delete them: the device that erased keeps
	// asking, across a reload, until it answers.
	drop, _ := (*local)(a).BlobsToDrop(ctx)
	if !slices.Contains(drop, refHash(t, ref)) || !slices.Contains(drop, refHash(t, after)) {
		t.Fatalf("after erasure, the photos to delete from the server are %x", drop)
	}
	if d, _ := (*local)(b).BlobsToDrop(ctx); len(d) != 0 {
		t.Errorf("the device that only received the erasure asks to delete %d photos", len(d))
	}
	again := reopen(t, ast)
	if d, _ := (*local)(again).BlobsToDrop(ctx); len(d) != len(drop) {
		t.Fatalf("after a reload, %d photos to delete, want %d", len(d), len(drop))
	}
	if err := (*local)(again).BlobsDropped(ctx, drop); err != nil {
		t.Fatal(err)
	}
	if d, _ := (*local)(again).BlobsToDrop(ctx); len(d) != 0 {
		t.Errorf("%d photos still to delete after the server's answer", len(d))
	}
}

// A staged photo no record names is not stored, and locking drops it; a
// photo too large is refused with what to do.
func TestPhotoStagingLimits(t *testing.T) {
	ctx := context.Background()
	s, st := setUp(t, "ws1", seal.NewKeyring(), 1)
	unlocked(t, s)
	ref, err := s.StagePhoto(record.ClassCare, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	s.Lock()
	unlocked(t, s)
	if _, state, _ := s.Photo(ctx, ref); state != PhotoMissing || len(st.blobs) != 0 {
		t.Errorf("a staged photo outlived the lock: %v, %d stored", state, len(st.blobs))
	}
	if _, err := s.StagePhoto(record.ClassCare, make([]byte, MaxPhoto)); err == nil || !strings.Contains(err.Error(), "take it again") {
		t.Errorf("a photo over the limit: %v", err)
	}
	if _, err := s.StagePhoto(record.ClassCare, nil); err == nil {
		t.Error("an empty photo was staged")
	}
}
