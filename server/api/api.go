// Package api serves the server's HTTP JSON endpoints under /api/: creating
// a workspace, logging in, invites and joining, the team list, roles,
// wrapped keys and device revocation. Sync itself is the hub's websocket.
//
// Every body is JSON, size-limited and decoded strictly (unknown fields are
// refused). Binary fields ([]byte: salt, auth, keys, public_key,
// keys_for_member) are standard base64 with padding, as encoding/json
// writes them. Device ids are 16 lower-case hex digits in a string, so
// JavaScript and jq do not round them. Roles are names: owner, front_desk,
// groomer, viewer. Errors are {"error": "what to do next", "code": "snake_case"}.
//
// Authenticated endpoints take "Authorization: Bearer <device token>".
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"pawfile/server/directory"
	"pawfile/server/metrics"
	"pawfile/server/wsbackup"
	"pawfile/shared/account"
)

// MaxBody bounds every request body.
const MaxBody = 256 << 10

type server struct {
	dir     *directory.Directory
	log     *slog.Logger
	mux     *http.ServeMux
	backups *wsbackup.Service
	tickets tickets
}

// New returns the handler of /api/ over dir. Mount it at "/api/".
func New(dir *directory.Directory, log *slog.Logger, opts ...Option) http.Handler {
	s := &server{dir: dir, log: log, mux: http.NewServeMux()}
	for _, o := range opts {
		o(s)
	}
	if s.backups != nil {
		s.mux.HandleFunc("POST /api/backups", s.authed(s.backupTicket))
		s.mux.HandleFunc("GET /api/backups", s.authed(s.listBackups))
		s.mux.HandleFunc("GET /api/backups/download", s.downloadBackup)
	}
	s.mux.HandleFunc("POST /api/workspaces", s.createWorkspace)
	s.mux.HandleFunc("GET /api/login", s.loginParams)
	s.mux.HandleFunc("POST /api/login", s.login)
	s.mux.HandleFunc("POST /api/join", s.join)
	s.mux.HandleFunc("POST /api/invites", s.authed(s.createInvite))
	s.mux.HandleFunc("GET /api/invites", s.authed(s.invites))
	s.mux.HandleFunc("DELETE /api/invites/{id}", s.authed(s.revokeInvite))
	s.mux.HandleFunc("GET /api/members", s.authed(s.members))
	s.mux.HandleFunc("PATCH /api/members/{id}", s.authed(s.setRole))
	s.mux.HandleFunc("DELETE /api/members/{id}", s.authed(s.removeMember))
	s.mux.HandleFunc("PUT /api/members/{id}/keys", s.authed(s.setKeysForMember))
	s.mux.HandleFunc("POST /api/keys/generations", s.authed(s.registerKeyGens))
	s.mux.HandleFunc("GET /api/me", s.authed(s.me))
	s.mux.HandleFunc("PUT /api/me/keys", s.authed(s.setKeys))
	s.mux.HandleFunc("POST /api/devices/{id}/revoke", s.authed(s.revokeDevice))
	s.mux.HandleFunc("GET /api/team", s.authed(s.teamLog))
	s.mux.HandleFunc("POST /api/team", s.authed(s.appendTeamLog))
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusNotFound, "not_found", "no such API endpoint: update the app")
	})
	return s
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	r = r.WithContext(directory.WithRemote(r.Context(), remoteHost(r.RemoteAddr)))
	h := w.Header()
	h.Set("Cache-Control", "no-store") // answers carry tokens and key blobs
	h.Set("X-Content-Type-Options", "nosniff")
	rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	s.mux.ServeHTTP(rec, r)
	// Never the URL (GET /api/login has a login in its query), the body or
	// the Authorization header.
	level := slog.LevelDebug
	if rec.status >= 500 {
		level = slog.LevelError
	} else if rec.status >= 400 {
		level = slog.LevelInfo
	}
	s.log.Log(r.Context(), level, "api", "method", r.Method, "route", r.Pattern, "status", rec.status,
		"remote", r.RemoteAddr, "ms", time.Since(start).Milliseconds())
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func remoteHost(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// authed resolves the bearer token before calling h.
func (s *server) authed(h func(http.ResponseWriter, *http.Request, directory.Session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		const prefix = "bearer "
		if len(auth) <= len(prefix) || !strings.EqualFold(auth[:len(prefix)], prefix) {
			w.Header().Set("WWW-Authenticate", "Bearer")
			s.fail(w, r, http.StatusUnauthorized, "unauthorized", "this request needs a device token: sign in again")
			return
		}
		sess, err := s.dir.Authenticate(r.Context(), strings.TrimSpace(auth[len(prefix):]))
		if err != nil {
			s.error(w, r, err)
			return
		}
		h(w, r, sess)
	}
}

// decode reads r's JSON body into v, refusing unknown fields, trailing data
// and bodies over MaxBody.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badJSON(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		if err == nil {
			err = errors.New("more than one JSON value")
		}
		return badJSON(err)
	}
	return nil
}

func badJSON(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return err
	}
	return &jsonError{err}
}

type jsonError struct{ err error }

func (e *jsonError) Error() string {
	return fmt.Sprintf("the request body is not what this endpoint takes (%v): update the app", e.err)
}

func (s *server) reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		s.log.Debug("api: write reply", "err", err)
	}
}

func (s *server) fail(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	if status >= 400 && status < 500 {
		metrics.Refused(code)
	}
	s.reply(w, status, account.ErrorReply{Error: msg, Code: code})
}

// errorCodes maps the directory's errors to HTTP. Order matters where
// errors wrap others (ErrRemoved wraps ErrUnauthorized).
var errorCodes = []struct {
	err    error
	status int
	code   string
}{
	{directory.ErrWeakParams, http.StatusBadRequest, "weak_params"},
	{directory.ErrRemoved, http.StatusUnauthorized, "member_removed"},
	{directory.ErrUnauthorized, http.StatusUnauthorized, "unauthorized"},
	{directory.ErrBadLogin, http.StatusUnauthorized, "bad_login"},
	{directory.ErrRevoked, http.StatusForbidden, "device_revoked"},
	{directory.ErrForbidden, http.StatusForbidden, "forbidden"},
	{directory.ErrNotFound, http.StatusNotFound, "not_found"},
	{directory.ErrInviteUnknown, http.StatusNotFound, "invite_unknown"},
	{directory.ErrSamePassphrase, http.StatusConflict, "same_passphrase"},
	{directory.ErrSignupNeeded, http.StatusForbidden, "signup_code_needed"},
	{directory.ErrSignupUnknown, http.StatusForbidden, "signup_code_unknown"},
	{directory.ErrSignupUsed, http.StatusGone, "signup_code_used"},
	{directory.ErrSignupExpired, http.StatusGone, "signup_code_expired"},
	{directory.ErrDeviceTaken, http.StatusConflict, "device_taken"},
	{directory.ErrTooManyDevices, http.StatusConflict, "too_many_devices"},
	{directory.ErrLastOwner, http.StatusConflict, "last_owner"},
	{directory.ErrTeamLogMoved, http.StatusConflict, account.TeamLogMoved},
	{directory.ErrInviteExpired, http.StatusGone, "invite_expired"},
	{directory.ErrInviteUsed, http.StatusGone, "invite_used"},
}

// error answers err with its status, code and a message a person can act on.
func (s *server) error(w http.ResponseWriter, r *http.Request, err error) {
	var (
		tooBig    *http.MaxBytesError
		bad       *jsonError
		input     *directory.InputError
		throttled *directory.ThrottledError
	)
	switch {
	case errors.As(err, &tooBig):
		s.fail(w, r, http.StatusRequestEntityTooLarge, "too_large",
			fmt.Sprintf("the request is larger than %d KiB: update the app", MaxBody>>10))
		return
	case errors.As(err, &bad):
		s.fail(w, r, http.StatusBadRequest, "bad_json", bad.Error())
		return
	case errors.As(err, &throttled):
		secs := int((throttled.Wait + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		s.fail(w, r, http.StatusTooManyRequests, "throttled", throttled.Error())
		return
	case errors.As(err, &input) && !errors.Is(err, directory.ErrWeakParams):
		s.fail(w, r, http.StatusBadRequest, "bad_input", input.Error())
		return
	case errors.As(err, &input):
		s.fail(w, r, http.StatusBadRequest, "weak_params", input.Error())
		return
	}
	for _, c := range errorCodes {
		if errors.Is(err, c.err) {
			s.fail(w, r, c.status, c.code, c.err.Error())
			return
		}
	}
	if errors.Is(err, context.Canceled) {
		return // the client left
	}
	s.log.Error("api", "route", r.Pattern, "err", err)
	s.fail(w, r, http.StatusInternalServerError, "internal", "the server could not complete the request: try again shortly")
}
