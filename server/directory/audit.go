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
	SignupCodeMade   EventKind = "signup_code_made"
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
	// Count and Last are set on an aggregated event (a failed login): it
	// happened Count times, from Time to Last. Remote and Device are the
	// first attempt's.
	Count int       `json:"count,omitempty"`
	Last  time.Time `json:"last,omitzero"`
}

// Failed logins are aggregated: within failureWindow of a row's first
// attempt, another failure against the same member (or against any
// login that does not exist) with the same detail counts on that row
// instead of adding one. A stranger's guesses cannot grow the log beyond
// a row per member per window, whatever their number or addresses.
const failureWindow = time.Hour

// failuresBucket, nested in the audit bucket, indexes the open
// aggregated rows: workspace, member and detail -> seq of the row. Its
// name sorts after every seq key, and Audit skips it.
var failuresBucket = []byte("failures")

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
	if e.Kind == LoginFailed {
		return b.recordFailure(e)
	}
	_, err := b.appendEvent(e)
	return err
}

func (b *buckets) appendEvent(e Event) ([]byte, error) {
	seq, err := b.audit.NextSequence()
	if err != nil {
		return nil, err
	}
	return u64(seq), putJSON(b.audit, u64(seq), e)
}

// recordFailure counts failed login e on its open aggregated row, or
// opens one (see failureWindow).
func (b *buckets) recordFailure(e Event) error {
	open, err := b.audit.CreateBucketIfNotExists(failuresBucket)
	if err != nil {
		return err
	}
	agg := []byte(e.Workspace + "\x00" + e.Member + "\x00" + e.Detail)
	if seq := open.Get(agg); seq != nil {
		var row Event
		ok, err := getJSON(b.audit, seq, &row)
		if err != nil {
			return err
		}
		if ok && e.Time.Sub(row.Time) < failureWindow && !e.Time.Before(row.Time) {
			row.Count++
			row.Last = e.Time
			return putJSON(b.audit, seq, row)
		}
	}
	e.Count, e.Last = 1, e.Time
	seq, err := b.appendEvent(e)
	if err != nil {
		return err
	}
	return open.Put(agg, seq)
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
			if v == nil {
				continue // the failures index
			}
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
