package account

import "time"

// BackupTicketReply answers POST /api/backups: a one-use link that
// downloads the workspace's encrypted backup, so the browser saves it as a
// file (with its own progress) without the device token in the URL.
type BackupTicketReply struct {
	URL     string    `json:"url"`
	Expires time.Time `json:"expires"`
}

// BackupReply is one backup taken of the workspace.
type BackupReply struct {
	TakenAt time.Time `json:"taken_at"`
	By      string    `json:"by"`
	Bytes   int64     `json:"bytes"`
	// ErasedSince is when a record was erased after the backup was taken
	// (zero if none was): the backup still holds its data, and should be
	// deleted.
	ErasedSince time.Time `json:"erased_since,omitzero"`
}

// BackupsReply answers GET /api/backups, newest first.
type BackupsReply struct {
	Backups []BackupReply `json:"backups"`
}
