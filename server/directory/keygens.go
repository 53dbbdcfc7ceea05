package directory

import (
	"context"
	"fmt"
	"slices"

	"pawfile/shared/record"
)

// KeyGen names one generation of a class's key: what a version's KeyID
// says sealed it. The server never holds the key itself.
type KeyGen struct {
	Class record.Class `json:"c"`
	ID    uint32       `json:"i"`
}

// KeyGens is the set of key generations an owner registered for a
// workspace. A workspace created before registration existed has none
// recorded and takes any generation until an owner's device registers
// the ones it holds (it does at each connect).
type KeyGens struct {
	legacy bool
	set    map[KeyGen]bool
}

// Has reports whether a version sealed under generation id of class c's
// key may be stored.
func (k KeyGens) Has(c record.Class, id uint32) bool {
	return k.legacy || k.set[KeyGen{c, id}]
}

// MaxKeyGens bounds the generations a workspace registers.
const MaxKeyGens = 1024

// maxKeysHeld is the most keys a keyring holds (seal), so the most
// generations one call registers.
const maxKeysHeld = 255

// firstKeyGens are the generations a new workspace starts with: its
// owner's device makes generation 1 of every class.
func firstKeyGens() []KeyGen {
	var gs []KeyGen
	for _, c := range record.Classes {
		gs = append(gs, KeyGen{c, 1})
	}
	return gs
}

// KeyGenerations returns the key generations registered for ws; the hub
// refuses versions sealed under any other.
func (d *Directory) KeyGenerations(ctx context.Context, ws string) (KeyGens, error) {
	var out KeyGens
	err := d.view(ctx, func(b *buckets) error {
		var w workspaceRec
		ok, err := getJSON(b.workspaces, []byte(ws), &w)
		if err != nil || !ok {
			return err
		}
		out.legacy = w.KeyGens == nil
		out.set = make(map[KeyGen]bool, len(w.KeyGens))
		for _, g := range w.KeyGens {
			out.set[g] = true
		}
		return nil
	})
	if err != nil {
		return KeyGens{}, fmt.Errorf("read the workspace's key generations: %w", err)
	}
	return out, nil
}

// RegisterKeyGens records key generations of s's workspace, so versions
// sealed under them are stored: an owner's device registers a generation
// before it seals anything with it. Registering one again is no error.
// Only an owner may; the server learns ids, never keys.
func (d *Directory) RegisterKeyGens(ctx context.Context, s Session, gens []KeyGen) error {
	if err := d.requireOwner(ctx, s, "register key generations"); err != nil {
		return err
	}
	if len(gens) > maxKeysHeld {
		return &InputError{Field: "generations", Problem: fmt.Sprintf("at most %d at once: a keyring holds no more", maxKeysHeld)}
	}
	for _, g := range gens {
		if !g.Class.Valid() || g.ID == 0 {
			return &InputError{Field: "generations", Problem: fmt.Sprintf("class %d generation %d is not a key generation", g.Class, g.ID)}
		}
	}
	err := d.update(ctx, func(b *buckets) error {
		var w workspaceRec
		ok, err := getJSON(b.workspaces, []byte(s.Workspace), &w)
		if err != nil {
			return err
		}
		if !ok {
			return ErrNotFound
		}
		before := len(w.KeyGens)
		for _, g := range append(firstKeyGens(), gens...) {
			if !slices.Contains(w.KeyGens, g) {
				w.KeyGens = append(w.KeyGens, g)
			}
		}
		if len(w.KeyGens) > MaxKeyGens {
			return &InputError{Field: "generations", Problem: fmt.Sprintf("at most %d key generations per workspace", MaxKeyGens)}
		}
		if len(w.KeyGens) == before && before > 0 {
			return nil
		}
		return putJSON(b.workspaces, []byte(s.Workspace), w)
	})
	if err != nil {
		return fmt.Errorf("register key generations: %w", err)
	}
	return nil
}

// LegacyKeyGens is the KeyGens of a workspace from before registration:
// every generation goes.
func LegacyKeyGens() KeyGens { return KeyGens{legacy: true} }
