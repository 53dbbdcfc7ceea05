package directory

import (
	"context"
	"errors"
	"fmt"

	"pawfile/shared/teamlog"
)

// ErrTeamLogMoved: another owner's device appended to the team log first.
var ErrTeamLogMoved = errors.New("the team changed on another device meanwhile: try again")

// maxAppend bounds the entries of one append.
const maxAppend = 256

// TeamLog returns the signed team log of s's workspace (package teamlog),
// oldest entry first. Any member may read it: devices trust the keys and
// roles it states, and check every signature themselves.
func (d *Directory) TeamLog(ctx context.Context, s Session) ([][]byte, error) {
	var out [][]byte
	err := d.view(ctx, func(b *buckets) error {
		ws, err := b.workspace(s.Workspace)
		if err != nil {
			return err
		}
		out = ws.TeamLog
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the team log: %w", err)
	}
	return out, nil
}

// AppendTeamLog adds entries to the team log of s's workspace, whose
// length the device saw as from. Only an owner may. The server checks the
// whole log as a device would (chain, signatures, owners), so it stores
// nothing a device would refuse; devices check it again all the same.
func (d *Directory) AppendTeamLog(ctx context.Context, s Session, from uint64, entries [][]byte) error {
	if err := d.requireOwner(ctx, s, "sign the team log"); err != nil {
		return err
	}
	if len(entries) == 0 || len(entries) > maxAppend {
		return &InputError{Field: "entries", Problem: fmt.Sprintf("send 1 to %d entries", maxAppend)}
	}
	err := d.update(ctx, func(b *buckets) error {
		ws, err := b.workspace(s.Workspace)
		if err != nil {
			return err
		}
		if uint64(len(ws.TeamLog)) != from {
			return ErrTeamLogMoved
		}
		next := append(ws.TeamLog[:len(ws.TeamLog):len(ws.TeamLog)], entries...)
		if _, err := teamlog.Verify(s.Workspace, [32]byte{}, next); err != nil {
			return &InputError{Field: "entries", Problem: err.Error()}
		}
		ws.TeamLog = next
		return putJSON(b.workspaces, []byte(ws.ID), ws)
	})
	if err != nil {
		return fmt.Errorf("append to the team log: %w", err)
	}
	return nil
}

func (b *buckets) workspace(id string) (*workspaceRec, error) {
	var ws workspaceRec
	ok, err := getJSON(b.workspaces, []byte(id), &ws)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotFound
	}
	return &ws, nil
}
