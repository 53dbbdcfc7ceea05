package session

import (
	"context"

	"pawfile/shared/account"
)

// BackupLink asks the server for a one-use link to download the
// workspace's encrypted backup (only an owner may): the browser follows it
// and saves the file with its own progress, and the device token never
// appears in a URL.
func (s *Session) BackupLink(ctx context.Context) (string, error) {
	var r account.BackupTicketReply
	if err := s.api.call(ctx, "POST", "/api/backups", s.token(), nil, &r); err != nil {
		return "", err
	}
	return s.api.base + r.URL, nil
}

// Backups lists the encrypted backups taken of the workspace, newest
// first, each saying whether it holds data erased since. Only an owner may.
func (s *Session) Backups(ctx context.Context) ([]account.BackupReply, error) {
	var r account.BackupsReply
	if err := s.api.call(ctx, "GET", "/api/backups", s.token(), nil, &r); err != nil {
		return nil, err
	}
	return r.Backups, nil
}
