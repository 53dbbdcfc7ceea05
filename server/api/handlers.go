package api

import (
	"net/http"

	"pawfile/server/directory"
	"pawfile/shared/access"
	"pawfile/shared/account"
	"pawfile/shared/record"
)

func grantReply(g directory.Grant) account.GrantReply {
	return account.GrantReply{Workspace: g.Workspace, Member: g.Member, Role: account.Role(g.Role), Device: account.DeviceID(g.Device), DeviceToken: g.Token}
}

func devicesReply(ds []directory.Device) []account.DeviceReply {
	out := make([]account.DeviceReply, 0, len(ds))
	for _, d := range ds {
		out = append(out, account.DeviceReply{ID: account.DeviceID(d.ID), Name: d.Name, Created: d.Created, LastSeen: d.LastSeen, Revoked: d.Revoked})
	}
	return out
}

func memberReply(m directory.Member) account.MemberReply {
	return account.MemberReply{
		Member: m.ID, Login: m.Login, Role: account.Role(m.Role), PublicKey: m.PublicKey, Status: string(m.Status),
		HasKeys: len(m.KeysForMember) > 0, Created: m.Created, Devices: devicesReply(m.Devices),
	}
}

func (s *server) createWorkspace(w http.ResponseWriter, r *http.Request) {
	var req account.CreateWorkspaceRequest
	if err := decode(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	g, err := s.dir.CreateWorkspace(r.Context(), directory.Registration{
		Login: req.Login, Salt: req.Salt, Params: req.Params.Seal(), Auth: req.Auth, PublicKey: req.PublicKey, Keys: req.Keys,
		Device: directory.DeviceInfo{ID: uint64(req.DeviceID), Name: req.DeviceName}, SignupCode: req.SignupCode,
	})
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.log.Info("workspace created", "workspace", g.Workspace, "device", account.DeviceID(g.Device).String())
	s.reply(w, http.StatusCreated, grantReply(g))
}

func (s *server) loginParams(w http.ResponseWriter, r *http.Request) {
	salt, p, err := s.dir.LoginParams(r.Context(), r.URL.Query().Get("login"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.reply(w, http.StatusOK, account.LoginParamsReply{Salt: salt, Params: account.ParamsOf(p)})
}

func (s *server) login(w http.ResponseWriter, r *http.Request) {
	var req account.LoginRequest
	if err := decode(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	g, err := s.dir.Login(r.Context(), req.Login, req.Auth, directory.DeviceInfo{ID: uint64(req.DeviceID), Name: req.DeviceName})
	if err != nil {
		s.error(w, r, err)
		return
	}
	me, err := s.dir.Me(r.Context(), g.Session)
	if err != nil {
		s.error(w, r, err)
		return
	}
	rep := grantReply(g)
	rep.Keys, rep.KeysForMember = me.Keys, me.KeysForMember
	s.reply(w, http.StatusOK, rep)
}

func (s *server) join(w http.ResponseWriter, r *http.Request) {
	var req account.JoinRequest
	if err := decode(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	g, err := s.dir.Join(r.Context(), req.Code, directory.Registration{
		Login: req.Login, Salt: req.Salt, Params: req.Params.Seal(), Auth: req.Auth, PublicKey: req.PublicKey, Keys: req.Keys,
		Device: directory.DeviceInfo{ID: uint64(req.DeviceID), Name: req.DeviceName},
	})
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.reply(w, http.StatusCreated, grantReply(g))
}

func (s *server) createInvite(w http.ResponseWriter, r *http.Request, sess directory.Session) {
	var req account.InviteRequest
	if err := decode(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	inv, err := s.dir.CreateInvite(r.Context(), sess, access.Role(req.Role))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.reply(w, http.StatusCreated, account.InviteReply{Code: inv.Code, Role: account.Role(inv.Role), Expires: inv.Expires})
}

func (s *server) registerKeyGens(w http.ResponseWriter, r *http.Request, sess directory.Session) {
	var req account.KeyGenerationsRequest
	if err := decode(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	gens := make([]directory.KeyGen, 0, len(req.Generations))
	for _, g := range req.Generations {
		gens = append(gens, directory.KeyGen{Class: record.Class(g.Class), ID: g.ID})
	}
	if err := s.dir.RegisterKeyGens(r.Context(), sess, gens); err != nil {
		s.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) invites(w http.ResponseWriter, r *http.Request, sess directory.Session) {
	pending, err := s.dir.Invites(r.Context(), sess)
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := make([]account.PendingInviteReply, 0, len(pending))
	for _, p := range pending {
		out = append(out, account.PendingInviteReply{ID: p.ID, Role: account.Role(p.Role), CreatedBy: p.CreatedBy, Created: p.Created, Expires: p.Expires})
	}
	s.reply(w, http.StatusOK, out)
}

func (s *server) revokeInvite(w http.ResponseWriter, r *http.Request, sess directory.Session) {
	if err := s.dir.RevokeInvite(r.Context(), sess, r.PathValue("id")); err != nil {
		s.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) members(w http.ResponseWriter, r *http.Request, sess directory.Session) {
	ms, err := s.dir.Members(r.Context(), sess)
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := make([]account.MemberReply, 0, len(ms))
	for _, m := range ms {
		out = append(out, memberReply(m))
	}
	s.reply(w, http.StatusOK, out)
}

func (s *server) me(w http.ResponseWriter, r *http.Request, sess directory.Session) {
	m, err := s.dir.Me(r.Context(), sess)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.reply(w, http.StatusOK, account.MeReply{
		Workspace: m.Workspace, Member: m.ID, Login: m.Login, Role: account.Role(m.Role), Device: account.DeviceID(sess.Device),
		Keys: m.Keys, KeysForMember: m.KeysForMember, Devices: devicesReply(m.Devices),
	})
}

func (s *server) setKeysForMember(w http.ResponseWriter, r *http.Request, sess directory.Session) {
	var req account.KeysForMemberRequest
	if err := decode(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	if err := s.dir.SetKeysForMember(r.Context(), sess, r.PathValue("id"), req.KeysForMember); err != nil {
		s.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) setKeys(w http.ResponseWriter, r *http.Request, sess directory.Session) {
	var req account.KeysRequest
	if err := decode(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	if err := s.dir.SetKeys(r.Context(), sess, req.Keys); err != nil {
		s.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) setRole(w http.ResponseWriter, r *http.Request, sess directory.Session) {
	var req account.RoleRequest
	if err := decode(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	m, err := s.dir.SetRole(r.Context(), sess, r.PathValue("id"), access.Role(req.Role))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.reply(w, http.StatusOK, memberReply(m))
}

func (s *server) removeMember(w http.ResponseWriter, r *http.Request, sess directory.Session) {
	if err := s.dir.RemoveMember(r.Context(), sess, r.PathValue("id")); err != nil {
		s.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) revokeDevice(w http.ResponseWriter, r *http.Request, sess directory.Session) {
	id, err := account.ParseDeviceID(r.PathValue("id"))
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, "bad_input", err.Error()+": update the app")
		return
	}
	if err := s.dir.RevokeDevice(r.Context(), sess, uint64(id)); err != nil {
		s.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) teamLog(w http.ResponseWriter, r *http.Request, sess directory.Session) {
	entries, err := s.dir.TeamLog(r.Context(), sess)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.reply(w, http.StatusOK, account.TeamLogReply{Entries: entries})
}

func (s *server) appendTeamLog(w http.ResponseWriter, r *http.Request, sess directory.Session) {
	var req account.TeamLogRequest
	if err := decode(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	if err := s.dir.AppendTeamLog(r.Context(), sess, req.From, req.Entries); err != nil {
		s.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
