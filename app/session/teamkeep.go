package session

import (
	"context"
	"encoding/json"
	"slices"

	"pawfile/app/localstore"
	"pawfile/shared/seal"
	"pawfile/shared/teamlog"
)

// The signed team log this device last verified is kept in the local
// store, so that an unlock without the server names the team as the last
// connection did (StaffName): a front desk or groomer learns the roles
// only from the log. The store is not trusted with it: the log is kept
// as the server sent it, signed, and verified again when read, from the
// root the sealed keyring pins and against the head this device saw last.

// metaTeamLog is where the log is kept: its entries as JSON.
const metaTeamLog = "team-log"

// keptLog is the log kept on this device: its entries and its head.
type keptLog struct {
	entries [][]byte
	head    [32]byte
}

// keepTeam keeps entries, the log st was verified from or signed into,
// unless the device keeps that log already. A log that does not reach the
// store is only logged: the next connection tries again. The caller
// holds team.keysMu.
func (s *Session) keepTeam(ctx context.Context, st *teamlog.State, entries [][]byte) {
	s.mu.RLock()
	kept := s.team.kept.head
	s.mu.RUnlock()
	if st == nil || uint64(len(entries)) != st.Len || kept == st.Head {
		return
	}
	b, err := json.Marshal(entries)
	if err == nil {
		err = s.cfg.Store.Commit(ctx, localstore.Change{Meta: map[string][]byte{metaTeamLog: b}})
	}
	if err != nil {
		s.log.Printf("keep the team log on this device; the next connection tries again: err=%v", err)
		return
	}
	s.mu.Lock()
	s.team.kept = keptLog{entries, st.Head}
	s.mu.Unlock()
}

// keepAppended takes entries this device signed and the server took, from
// entry from on: st, the log with them, names the team now, and the kept
// log grows by them if they follow it (this device pins the longer log
// at once). The caller holds team.keysMu.
func (s *Session) keepAppended(ctx context.Context, st *teamlog.State, from uint64, raw [][]byte) {
	s.noteTeam(st)
	s.mu.RLock()
	kept := s.team.kept.entries
	s.mu.RUnlock()
	if uint64(len(kept)) == from {
		s.keepTeam(ctx, st, append(slices.Clip(kept), raw...))
	}
}

// loadTeam reads the log kept on this device, for an unlock: if it checks
// out as a server's log would, its team names the staff until the server's
// is read. One that does not is left unused, and logged.
func (s *Session) loadTeam(ctx context.Context, d *device, keys *seal.Keyring) {
	s.mu.Lock()
	s.team.kept = keptLog{}
	s.mu.Unlock()
	b, ok, err := s.cfg.Store.Meta(ctx, metaTeamLog)
	if err != nil || !ok || keys.Root == ([32]byte{}) {
		// Without a root there is nothing to check a log against.
		if err != nil {
			s.log.Printf("read the team log kept on this device: err=%v", err)
		}
		return
	}
	var entries [][]byte
	if err := json.Unmarshal(b, &entries); err != nil {
		s.log.Printf("the team log kept on this device is damaged; the next connection replaces it: err=%v", err)
		return
	}
	st, err := verifyTeam(d, nil, &seal.Keyring{Root: keys.Root}, entries)
	if err != nil {
		s.log.Printf("the team log kept on this device does not check out; the next connection replaces it: err=%v", err)
		return
	}
	s.mu.Lock()
	s.team.kept = keptLog{entries, st.Head}
	// A connection quicker than this read has the server's log already.
	fresh := s.teamRoles == nil
	s.mu.Unlock()
	if fresh {
		s.noteTeam(st)
	}
}
