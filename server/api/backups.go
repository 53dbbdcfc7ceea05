package api

import (
	"crypto/rand"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"pawfile/server/directory"
	"pawfile/server/wsbackup"
	"pawfile/shared/account"
)

// Option configures New.
type Option func(*server)

// WithBackups serves the owner's encrypted workspace backups from b.
func WithBackups(b *wsbackup.Service) Option {
	return func(s *server) { s.backups = b }
}

// ticketTTL is how long a backup download link works: the app follows it
// at once.
const ticketTTL = time.Minute

// tickets are the backup download links handed out and not yet used.
type tickets struct {
	mu sync.Mutex
	m  map[string]ticket
}

type ticket struct {
	sess    directory.Session
	login   string
	expires time.Time
}

func (t *tickets) add(tk ticket) string {
	code := rand.Text()
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	for c, old := range t.m {
		if now.After(old.expires) {
			delete(t.m, c)
		}
	}
	if t.m == nil {
		t.m = map[string]ticket{}
	}
	t.m[code] = tk
	return code
}

// take returns the ticket of code once: a link downloads one backup.
func (t *tickets) take(code string) (ticket, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	tk, ok := t.m[code]
	delete(t.m, code)
	return tk, ok && time.Now().Before(tk.expires)
}

// ownerOnly refuses, and records the refusal of, anyone but an owner.
func (s *server) ownerOnly(w http.ResponseWriter, r *http.Request, sess directory.Session, action string) bool {
	if sess.Role.ManagesTeam() {
		return true
	}
	if err := s.dir.Deny(r.Context(), sess, action); err != nil {
		s.error(w, r, err)
		return false
	}
	s.error(w, r, directory.ErrForbidden)
	return false
}

// backupTicket gives the owner a one-use link to download the backup.
func (s *server) backupTicket(w http.ResponseWriter, r *http.Request, sess directory.Session) {
	if !s.ownerOnly(w, r, sess, "download a backup") {
		return
	}
	me, err := s.dir.Me(r.Context(), sess)
	if err != nil {
		s.error(w, r, err)
		return
	}
	exp := time.Now().Add(ticketTTL)
	code := s.tickets.add(ticket{sess: sess, login: me.Login, expires: exp})
	s.reply(w, http.StatusCreated, account.BackupTicketReply{URL: "/api/backups/download?ticket=" + url.QueryEscape(code), Expires: exp})
}

// downloadBackup streams the backup a ticket was given for.
func (s *server) downloadBackup(w http.ResponseWriter, r *http.Request) {
	tk, ok := s.tickets.take(r.URL.Query().Get("ticket"))
	if !ok {
		s.fail(w, r, http.StatusNotFound, "ticket_unknown", "this download link has expired or was used: press Download again")
		return
	}
	// The member may have lost the owner role since the link was given.
	me, err := s.dir.Me(r.Context(), tk.sess)
	if err == nil && (me.Status != directory.Active || !me.Role.ManagesTeam()) {
		err = directory.ErrForbidden
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	name := "pawfile-backup-" + time.Now().UTC().Format("2006-01-02-1504") + ".pawfile"
	sent := false
	err = s.backups.Send(r.Context(), w, tk.sess.Workspace, tk.login, func(n int64) {
		sent = true
		h := w.Header()
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
		h.Set("Content-Length", strconv.FormatInt(n, 10)) // so the browser shows its progress
	})
	switch {
	case err != nil && !sent:
		s.error(w, r, err)
	case err != nil:
		// The status is sent: the file stops short, and a restore says
		// it ends early.
		s.log.Info("backup download broke off", "workspace", tk.sess.Workspace, "err", err)
	}
}

// listBackups tells the owner which backups were taken, and which hold
// data erased since.
func (s *server) listBackups(w http.ResponseWriter, r *http.Request, sess directory.Session) {
	if !s.ownerOnly(w, r, sess, "list backups") {
		return
	}
	ts, err := s.backups.List(r.Context(), sess.Workspace)
	if err != nil {
		s.error(w, r, err)
		return
	}
	rep := account.BackupsReply{Backups: make([]account.BackupReply, 0, len(ts))}
	for _, t := range ts {
		rep.Backups = append(rep.Backups, account.BackupReply{TakenAt: t.TakenAt, By: t.By, Bytes: t.Bytes, ErasedSince: t.ErasedSince})
	}
	s.reply(w, http.StatusOK, rep)
}
