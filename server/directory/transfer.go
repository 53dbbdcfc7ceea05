package directory

import (
	"encoding/hex"
	"errors"
	"fmt"

	"strings"

	bolt "go.etcd.io/bbolt"

	"pawfile/shared/access"
)

// WorkspaceEntries is what a per-workspace backup carries of the
// directory: the workspace (with its settings) and its members as stored,
// with their wrapped keys, KDF salts and login verifiers (the server's
// hash of each member's auth secret), so members sign in again with their
// own passphrases after a restore. Devices, tokens, invites and the audit
// log stay behind: every device signs in again on the restored server.
type WorkspaceEntries struct {
	Workspace workspaceRec `json:"workspace"`
	Members   []memberRec  `json:"members"`
}

// ID is the workspace's id.
func (e *WorkspaceEntries) ID() string { return e.Workspace.ID }

// Owners returns the logins of the workspace's active owners.
func (e *WorkspaceEntries) Owners() []string {
	var out []string
	for _, m := range e.Members {
		if m.Status == Active && m.Role == access.Owner {
			out = append(out, m.Login)
		}
	}
	return out
}

// ExportWorkspace returns ws's directory entries, read in the caller's
// transaction.
func ExportWorkspace(tx *bolt.Tx, ws string) (WorkspaceEntries, error) {
	b, err := open(tx)
	if err != nil {
		return WorkspaceEntries{}, err
	}
	var e WorkspaceEntries
	ok, err := getJSON(b.workspaces, []byte(ws), &e.Workspace)
	if err != nil {
		return WorkspaceEntries{}, err
	}
	if !ok {
		return WorkspaceEntries{}, ErrNotFound
	}
	ms, err := b.membersOf(ws)
	if err != nil {
		return WorkspaceEntries{}, err
	}
	for _, m := range ms {
		e.Members = append(e.Members, *m)
	}
	return e, nil
}

// ErrWorkspaceExists: a restore would overwrite a workspace, a member or a
// login this server already has.
var ErrWorkspaceExists = errors.New("already exists on this server")

// Check tells whether e is a workspace this directory could have written:
// ids of the right form, every member of the workspace, logins, roles,
// salts, KDF parameters and key blobs as registration checks them, and at
// least one active owner to sign in with.
func (e *WorkspaceEntries) Check() error {
	if !isID(e.Workspace.ID) {
		return fmt.Errorf("workspace id %q is not 32 hex digits", e.Workspace.ID)
	}
	if len(e.Members) == 0 {
		return errors.New("the workspace has no members")
	}
	logins := map[string]bool{}
	ids := map[string]bool{}
	for i := range e.Members {
		m := &e.Members[i]
		switch {
		case !isID(m.ID):
			return fmt.Errorf("member %d: id %q is not 32 hex digits", i, m.ID)
		case ids[m.ID]:
			return fmt.Errorf("member %s appears twice", m.ID)
		case m.Workspace != e.Workspace.ID:
			return fmt.Errorf("member %s belongs to workspace %q, not this one", m.ID, m.Workspace)
		case m.Status != Active && m.Status != Removed:
			return fmt.Errorf("member %s has unknown status %q", m.ID, m.Status)
		case !m.Role.Valid():
			return fmt.Errorf("member %s has unknown role %d", m.ID, m.Role)
		case len(m.Salt) != SaltLen || len(m.AuthSalt) != authSaltLen || len(m.AuthHash) != authHashLen:
			return fmt.Errorf("member %s: salt or login verifier of the wrong size", m.ID)
		case len(m.PublicKey) != PublicKeyLen:
			return fmt.Errorf("member %s: public key of %d bytes (want %d)", m.ID, len(m.PublicKey), PublicKeyLen)
		case len(m.Keys) > MaxBlob || len(m.KeysForMember) > MaxBlob:
			return fmt.Errorf("member %s: key blob larger than %d bytes", m.ID, MaxBlob)
		}
		ids[m.ID] = true
		l, err := checkLogin(m.Login)
		if err != nil || l != m.Login {
			return fmt.Errorf("member %s: login %q is not one this server stores", m.ID, m.Login)
		}
		if err := checkParams(m.Params.params()); err != nil {
			return fmt.Errorf("member %s: %w", m.ID, err)
		}
		if m.Status == Active {
			if logins[m.Login] {
				return fmt.Errorf("login %q belongs to two active members", m.Login)
			}
			logins[m.Login] = true
		}
	}
	if len(e.Owners()) == 0 {
		return errors.New("the workspace has no active owner to sign in with")
	}
	return nil
}

// Conflicts reports what of e this server already has: the workspace, a
// member id, or an active member's login. Nil means e can be imported.
func Conflicts(tx *bolt.Tx, e *WorkspaceEntries) error {
	b, err := open(tx)
	if err != nil {
		return err
	}
	if b.workspaces.Get([]byte(e.Workspace.ID)) != nil {
		return fmt.Errorf("workspace %s %w", e.Workspace.ID, ErrWorkspaceExists)
	}
	for _, m := range e.Members {
		if b.members.Get([]byte(m.ID)) != nil {
			return fmt.Errorf("member %s %w", m.ID, ErrWorkspaceExists)
		}
		if m.Status != Active {
			continue
		}
		if held, err := b.loginHeld(m.Login); err != nil {
			return err
		} else if held {
			return fmt.Errorf("login %s %w", m.Login, ErrWorkspaceExists)
		}
	}
	return nil
}

// ImportWorkspace stores e (checked with Check, and refused if Conflicts
// finds anything) in the caller's write transaction.
func ImportWorkspace(tx *bolt.Tx, e *WorkspaceEntries) error {
	if err := e.Check(); err != nil {
		return err
	}
	if err := Conflicts(tx, e); err != nil {
		return err
	}
	b, err := open(tx)
	if err != nil {
		return err
	}
	if err := putJSON(b.workspaces, []byte(e.Workspace.ID), e.Workspace); err != nil {
		return err
	}
	for i := range e.Members {
		m := &e.Members[i]
		if err := b.putMember(m, m.Status == Active); err != nil {
			return err
		}
		if m.Status != Active {
			// A removed member keeps its place in the team's history
			// but no login.
			if err := b.wsMembers.Put([]byte(m.Workspace+m.ID), nil); err != nil {
				return err
			}
		}
	}
	return nil
}

func isID(s string) bool {
	if len(s) != idLen {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}
