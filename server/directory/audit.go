package directory

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"
)

// EventKind names a server audit event.
type EventKind string

// The server audit events.
const (
	WorkspaceCreated EventKind = "workspace_created"
	LoginOK          EventKind = "login_ok"
	LoginFailed      EventKind = "login_failed"
	Joined           EventKind = "joined"
	InviteCreated    EventKind = "invite_created"
	InviteRevoked    EventKind = "invite_revoked"
	DeviceRevoked    EventKind = "device_revoked"
	MemberRemoved    EventKind = "member_removed"
	RoleChanged      EventKind = "role_changed"
	Denied           EventKind = "denied"
)

// Event is one entry of the append-only server audit log. It never holds a
// token, a secret, a key blob or a request body; Detail is a short,
// server-written note (a role, an action, a reason).
type Event struct {
	Seq       uint64    `json:"-"`
	Time      time.Time `json:"time"`
	Kind      EventKind `json:"kind"`
	Workspace string    `json:"ws,omitempty"`
	Member    string    `json:"member,omitempty"`
	Device    uint64    `json:"device,omitempty"`
	Remote    string    `json:"remote,omitempty"`
	Detail    string    `json:"detail,omitempty"`
}

type remoteKey struct{}

// WithRemote returns ctx carrying the client's network address, which the
// directory writes into the audit events of the calls made with it.
func WithRemote(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, remoteKey{}, addr)
}

func remoteOf(ctx context.Context) string {
	s, _ := ctx.Value(remoteKey{}).(string)
	return s
}

func (d *Directory) event(ctx context.Context, kind EventKind, s Session, detail string) Event {
	return Event{Time: d.now().UTC(), Kind: kind, Workspace: s.Workspace, Member: s.Member, Device: s.Device, Remote: remoteOf(ctx), Detail: detail}
}

func (b *buckets) record(e Event) error {
	seq, err := b.audit.NextSequence()
	if err != nil {
		return err
	}
	return putJSON(b.audit, u64(seq), e)
}

// record appends e in a transaction of its own.
func (d *Directory) record(e Event) error {
	// A context.Background: the event must be written even if the request
	// that caused it was canceled.
	return d.update(context.Background(), func(b *buckets) error { return b.record(e) })
}

// Deny records that s was refused action (a short name such as "create
// invite" or "push client record"). The directory calls it on its own
// refusals; the hub calls it for the refusals it makes.
func (d *Directory) Deny(ctx context.Context, s Session, action string) error {
	if err := d.record(d.event(ctx, Denied, s, action)); err != nil {
		return fmt.Errorf("record a denial in the audit log: %w", err)
	}
	return nil
}

// Audit returns up to limit audit events with Seq > after, oldest first.
func (d *Directory) Audit(ctx context.Context, after uint64, limit int) ([]Event, error) {
	var out []Event
	err := d.view(ctx, func(b *buckets) error {
		c := b.audit.Cursor()
		for k, v := c.Seek(u64(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			var e Event
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("audit event %x is damaged: %w", k, err)
			}
			e.Seq = binary.BigEndian.Uint64(k)
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the audit log: %w", err)
	}
	return out, nil
}
