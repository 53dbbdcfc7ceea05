package directory

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"pawfile/shared/access"
)

func beU64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

// randomCode returns an invite code: 128+ random bits in base32.
func randomCode() string { return rand.Text() }

func (d *Directory) exportMember(b *buckets, m *memberRec) (Member, error) {
	out := m.export()
	devs, err := b.devicesOf(m.ID)
	if err != nil {
		return Member{}, err
	}
	for _, dv := range devs {
		out.Devices = append(out.Devices, Device{ID: dv.ID, Member: dv.Member, Name: dv.Name, Created: dv.Created, LastSeen: d.lastSeen(dv), Revoked: dv.Revoked})
	}
	slices.SortFunc(out.Devices, func(a, b Device) int { return a.Created.Compare(b.Created) })
	return out, nil
}

// Me returns s's own member, with its key blobs and devices.
func (d *Directory) Me(ctx context.Context, s Session) (Member, error) {
	var out Member
	err := d.view(ctx, func(b *buckets) error {
		m, err := b.memberIn(s.Workspace, s.Member)
		if err != nil {
			return err
		}
		out, err = d.exportMember(b, m)
		return err
	})
	if err != nil {
		return Member{}, fmt.Errorf("read your account: %w", err)
	}
	return out, nil
}

// Members lists the members of s's workspace, removed ones included, oldest
// first, with their devices. Only an owner may. Each member's own Keys blob
// is left out (only its member needs it).
func (d *Directory) Members(ctx context.Context, s Session) ([]Member, error) {
	if err := d.requireOwner(ctx, s, "list members"); err != nil {
		return nil, err
	}
	var out []Member
	err := d.view(ctx, func(b *buckets) error {
		ms, err := b.membersOf(s.Workspace)
		if err != nil {
			return err
		}
		for _, m := range ms {
			e, err := d.exportMember(b, m)
			if err != nil {
				return err
			}
			e.Keys = nil
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	slices.SortFunc(out, func(a, b Member) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// SetKeysForMember stores the class keys an owner's device wrapped to
// member's public key. Only an owner may.
func (d *Directory) SetKeysForMember(ctx context.Context, s Session, member string, blob []byte) error {
	if err := d.requireOwner(ctx, s, "give keys to a member"); err != nil {
		return err
	}
	if err := checkBlob("keys_for_member", blob, true); err != nil {
		return err
	}
	err := d.update(ctx, func(b *buckets) error {
		m, err := b.activeIn(s.Workspace, member)
		if err != nil {
			return err
		}
		m.KeysForMember = blob
		return b.putMember(m, false)
	})
	if err != nil {
		return fmt.Errorf("store the member's keys: %w", err)
	}
	d.keysChanged(s.Workspace, member)
	return nil
}

// SetKeys stores s's own KEK-wrapped keyring.
func (d *Directory) SetKeys(ctx context.Context, s Session, blob []byte) error {
	if err := checkBlob("keys", blob, true); err != nil {
		return err
	}
	err := d.update(ctx, func(b *buckets) error {
		m, err := b.activeIn(s.Workspace, s.Member)
		if err != nil {
			return err
		}
		m.Keys = blob
		return b.putMember(m, false)
	})
	if err != nil {
		return fmt.Errorf("store your keys: %w", err)
	}
	d.keysChanged(s.Workspace, s.Member)
	return nil
}

// SetRole changes member's role. Only an owner may, and the last owner
// cannot be demoted. A member who is no longer an owner loses the
// invites they made. A change clears the member's KeysForMember, so the
// owner's device must upload the keys of the new role; OnRole tells the
// hub, which applies the new role to the member's open sockets at once.
func (d *Directory) SetRole(ctx context.Context, s Session, member string, role access.Role) (Member, error) {
	if err := d.requireOwner(ctx, s, "change a role"); err != nil {
		return Member{}, err
	}
	if !role.Valid() {
		return Member{}, &InputError{Field: "role", Problem: "must be owner, front_desk, groomer or viewer"}
	}
	var out Member
	changed := false
	err := d.update(ctx, func(b *buckets) error {
		m, err := b.activeIn(s.Workspace, member)
		if err != nil {
			return err
		}
		if m.Role == role {
			out, err = d.exportMember(b, m)
			return err
		}
		changed = true
		if m.Role == access.Owner {
			if err := b.notLastOwner(s.Workspace); err != nil {
				return err
			}
		}
		detail := m.Role.String() + " -> " + role.String()
		m.Role, m.KeysForMember = role, nil
		if err := b.putMember(m, false); err != nil {
			return err
		}
		if !role.ManagesTeam() {
			// Their invites would let people in whom no owner vouches for.
			if err := d.revokeInvitesBy(ctx, b, s, m.ID); err != nil {
				return err
			}
		}
		e := d.event(ctx, RoleChanged, s, detail+" for "+m.ID)
		if err := b.record(e); err != nil {
			return err
		}
		out, err = d.exportMember(b, m)
		return err
	})
	if err != nil {
		return Member{}, fmt.Errorf("change role: %w", err)
	}
	if changed {
		d.roleChanged(s.Workspace, member, role)
	}
	out.Keys = nil
	return out, nil
}

// RemoveMember removes member from s's workspace and revokes all its
// devices and the invites it made. Only an owner may, and not the last owner. The login becomes
// free again (the person may be invited anew); the member's record stays,
// marked removed, for the team list and the audit trail.
func (d *Directory) RemoveMember(ctx context.Context, s Session, member string) error {
	if err := d.requireOwner(ctx, s, "remove a member"); err != nil {
		return err
	}
	var revoked []uint64
	err := d.update(ctx, func(b *buckets) error {
		m, err := b.activeIn(s.Workspace, member)
		if err != nil {
			return err
		}
		if m.Role == access.Owner {
			if err := b.notLastOwner(s.Workspace); err != nil {
				return err
			}
		}
		m.Status = Removed
		if err := b.putMember(m, false); err != nil {
			return err
		}
		if err := b.unindexLogin(m); err != nil {
			return err
		}
		if err := b.record(d.event(ctx, MemberRemoved, s, "member "+m.ID)); err != nil {
			return err
		}
		if err := d.revokeInvitesBy(ctx, b, s, m.ID); err != nil {
			return err
		}
		devs, err := b.devicesOf(m.ID)
		if err != nil {
			return err
		}
		for _, dv := range devs {
			if dv.Revoked {
				continue
			}
			if err := d.revoke(ctx, b, s, dv); err != nil {
				return err
			}
			revoked = append(revoked, dv.ID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("remove member: %w", err)
	}
	d.revoked(s.Workspace, revoked)
	return nil
}

// RevokeDevice revokes a device of s's workspace: its token stops working
// and its id cannot be registered again. An owner may revoke any device, a
// member its own. Revoking a revoked device succeeds.
func (d *Directory) RevokeDevice(ctx context.Context, s Session, device uint64) error {
	var dv *deviceRec
	err := d.view(ctx, func(b *buckets) error {
		var err error
		dv, err = b.device(device)
		if err == nil && dv.Workspace != s.Workspace {
			err = ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("revoke device: %w", err)
	}
	if dv.Member != s.Member {
		if err := d.requireOwner(ctx, s, "revoke another member's device"); err != nil {
			return err
		}
	}
	changed := false
	err = d.update(ctx, func(b *buckets) error {
		dv, err := b.device(device)
		if err != nil || dv.Revoked {
			return err
		}
		changed = true
		return d.revoke(ctx, b, s, dv)
	})
	if err != nil {
		return fmt.Errorf("revoke device: %w", err)
	}
	if changed {
		d.revoked(s.Workspace, []uint64{device})
	}
	return nil
}

// revoke marks dv revoked. Its token stays indexed so Authenticate can
// answer ErrRevoked rather than a bare ErrUnauthorized.
func (d *Directory) revoke(ctx context.Context, b *buckets, s Session, dv *deviceRec) error {
	dv.Revoked, dv.RevokedAt = true, d.now().UTC()
	if err := putJSON(b.devices, u64(dv.ID), dv); err != nil {
		return err
	}
	e := d.event(ctx, DeviceRevoked, s, fmt.Sprintf("device %016x of member %s", dv.ID, dv.Member))
	return b.record(e)
}

func (b *buckets) activeIn(ws, id string) (*memberRec, error) {
	m, err := b.memberIn(ws, id)
	if err != nil {
		return nil, err
	}
	if m.Status != Active {
		return nil, ErrNotFound
	}
	return m, nil
}

// notLastOwner fails if ws has a single active owner.
func (b *buckets) notLastOwner(ws string) error {
	ms, err := b.membersOf(ws)
	if err != nil {
		return err
	}
	owners := 0
	for _, m := range ms {
		if m.Status == Active && m.Role == access.Owner {
			owners++
		}
	}
	if owners <= 1 {
		return ErrLastOwner
	}
	return nil
}
