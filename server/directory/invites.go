package directory

import (
	"bytes"
	"cmp"
	"context"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"pawfile/shared/access"
)

// PendingInvite is an invite not used yet and not expired, as the owner's
// Team screen lists it. ID names it for RevokeInvite: the hex of the
// code's hash, which does not give the code away.
type PendingInvite struct {
	ID        string
	Role      access.Role
	CreatedBy string // the member who made it
	Created   time.Time
	Expires   time.Time
}

// Invites lists the pending invites of s's workspace, oldest first (most
// powerful role first among invites made at once). Only
// an owner may.
func (d *Directory) Invites(ctx context.Context, s Session) ([]PendingInvite, error) {
	if err := d.requireOwner(ctx, s, "list invites"); err != nil {
		return nil, err
	}
	now := d.now()
	var out []PendingInvite
	err := d.view(ctx, func(b *buckets) error {
		return b.eachInvite(s.Workspace, func(key []byte, inv *inviteRec) error {
			if inv.UsedBy == "" && now.Before(inv.Expires) {
				out = append(out, PendingInvite{ID: hex.EncodeToString(key), Role: inv.Role, CreatedBy: inv.CreatedBy,
					Created: inv.Created, Expires: inv.Expires})
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list invites: %w", err)
	}
	slices.SortFunc(out, func(a, b PendingInvite) int {
		return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.Role, b.Role), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// RevokeInvite makes a pending invite of s's workspace unusable. Only an
// owner may. An invite already used, expired or revoked is ErrNotFound.
func (d *Directory) RevokeInvite(ctx context.Context, s Session, id string) error {
	if err := d.requireOwner(ctx, s, "revoke an invite"); err != nil {
		return err
	}
	key, err := hex.DecodeString(id)
	if err != nil || len(key) != 32 {
		return fmt.Errorf("revoke invite: %w", ErrNotFound)
	}
	err = d.update(ctx, func(b *buckets) error {
		inv, err := b.invite(key, d.now())
		if err != nil || inv.Workspace != s.Workspace {
			return ErrNotFound
		}
		if err := b.invites.Delete(key); err != nil {
			return err
		}
		return b.record(d.event(ctx, InviteRevoked, s, inv.Role.String()+" invite by "+inv.CreatedBy))
	})
	if err != nil {
		return fmt.Errorf("revoke invite: %w", err)
	}
	return nil
}

// revokeInvitesBy deletes the unused invites member made in ws: a member
// removed or no longer an owner must not let anyone in any more.
func (d *Directory) revokeInvitesBy(ctx context.Context, b *buckets, s Session, member string) error {
	var gone [][]byte
	err := b.eachInvite(s.Workspace, func(key []byte, inv *inviteRec) error {
		if inv.CreatedBy == member && inv.UsedBy == "" {
			gone = append(gone, bytes.Clone(key))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, key := range gone {
		if err := b.invites.Delete(key); err != nil {
			return err
		}
	}
	if len(gone) == 0 {
		return nil
	}
	return b.record(d.event(ctx, InviteRevoked, s, fmt.Sprintf("%d invites by %s", len(gone), member)))
}

// eachInvite calls fn for every invite of ws. Invites are few and short
// lived, so a scan is cheap.
func (b *buckets) eachInvite(ws string, fn func(key []byte, inv *inviteRec) error) error {
	return b.invites.ForEach(func(k, _ []byte) error {
		var inv inviteRec
		if _, err := getJSON(b.invites, k, &inv); err != nil {
			return err
		}
		if inv.Workspace != ws {
			return nil
		}
		return fn(k, &inv)
	})
}
