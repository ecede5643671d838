package httpapi

import (
	"bytes"
	_ "embed"
	"io"
	"net/http"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
)

func actor(r *http.Request) *relay.Actor { return relay.ActorFromContext(r.Context()) }

func workspace(r *http.Request) *relay.Workspace { return relay.WorkspaceFromContext(r.Context()) }

// --- system ---

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	if err := s.app.Ready(r.Context()); err != nil {
		s.log.WarnContext(r.Context(), "not ready", "err", err)
		return relay.Errorf(relay.EUNAVAILABLE, "The database is not reachable.")
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

//go:embed openapi.json
var openapiJSON []byte

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err := w.Write(openapiJSON)
	return err
}

// --- sign-up and sessions ---

func (s *Server) signup(w http.ResponseWriter, r *http.Request) error {
	var in app.SignupInput
	if err := decode(r, &in); err != nil {
		return err
	}
	res, err := s.app.Accounts.Signup(r.Context(), in, s.clientIP(r))
	if err != nil {
		return err
	}
	// No cookie here: this is the apex host, and cookies do not cross hosts.
	// The browser carries a single-use code to the workspace host in the
	// URL fragment (never sent to a server, so never in a log) and exchanges
	// it there for a session cookie.
	site := s.siteURL(r, res.Workspace.Subdomain)
	writeJSON(w, http.StatusCreated, struct {
		*app.AuthResult
		WorkspaceURL string `json:"workspace_url"`
		HandoffURL   string `json:"handoff_url"`
	}{res, site, site + "/handoff#code=" + res.Handoff})
	return nil
}

func (s *Server) handoff(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Code == "" {
		return relay.Errorf(relay.EINVALID, "code is required.")
	}
	res, err := s.app.Accounts.ExchangeHandoff(r.Context(), workspace(r), in.Code, s.clientIP(r))
	if err != nil {
		return err
	}
	s.setCookie(w, r, res.Token, *res.Session.ExpiresAt)
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	res, err := s.app.Accounts.Login(r.Context(), workspace(r), in.Email, in.Password, s.clientIP(r), deviceCookie(r))
	if err != nil {
		return err
	}
	s.setCookie(w, r, res.Token, *res.Session.ExpiresAt)
	s.setDeviceCookie(w, r, res.Device, res.DeviceExpires)
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.app.Accounts.Logout(r.Context(), actor(r)); err != nil {
		return err
	}
	s.clearCookie(w, r)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	me, err := s.app.Accounts.Me(r.Context(), actor(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, me)
	return nil
}

// --- workspace and branding ---

func (s *Server) getWorkspace(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, workspace(r))
	return nil
}

func (s *Server) patchWorkspace(w http.ResponseWriter, r *http.Request) error {
	var upd relay.WorkspaceUpdate
	if err := decode(r, &upd); err != nil {
		return err
	}
	ws, err := s.app.Accounts.UpdateWorkspace(r.Context(), actor(r), upd)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ws)
	return nil
}

func (s *Server) deleteWorkspace(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Confirm string `json:"confirm"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := s.app.Accounts.DeleteWorkspace(r.Context(), actor(r), in.Confirm); err != nil {
		return err
	}
	s.clearCookie(w, r)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) transferOwnership(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		UserID relay.ID `json:"user_id"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.UserID == 0 {
		return relay.Errorf(relay.EINVALID, "user_id is required.")
	}
	if err := s.app.Accounts.TransferOwnership(r.Context(), actor(r), in.UserID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) getLogo(w http.ResponseWriter, r *http.Request) error {
	ws := workspace(r)
	data, ctype, err := s.app.Accounts.Logo(r.Context(), ws)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	if r.URL.Query().Get("v") == ws.LogoVersion {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=60")
	}
	w.Header().Set("ETag", `"`+ws.LogoVersion+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
	return nil
}

func (s *Server) putLogo(w http.ResponseWriter, r *http.Request) error {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return jsonError(err) // MaxBytesError → 413
	}
	ws, err := s.app.Accounts.SetLogo(r.Context(), actor(r), data)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ws)
	return nil
}

func (s *Server) deleteLogo(w http.ResponseWriter, r *http.Request) error {
	ws, err := s.app.Accounts.DeleteLogo(r.Context(), actor(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ws)
	return nil
}

// --- invitations ---

func (s *Server) createInvite(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email string     `json:"email"`
		Role  relay.Role `json:"role"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	inv, err := s.app.Accounts.CreateInvite(r.Context(), actor(r), in.Email, in.Role, s.origin(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, inv)
	return nil
}

func (s *Server) listInvites(w http.ResponseWriter, r *http.Request) error {
	invs, err := s.app.Accounts.ListInvites(r.Context(), actor(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"invites": nonNil(invs)})
	return nil
}

// previewInvite takes the invitation's secret token in {id}: OpenAPI allows
// one parameter name per path, and the token is what a recipient holds.
func (s *Server) previewInvite(w http.ResponseWriter, r *http.Request) error {
	p, err := s.app.Accounts.PreviewInvite(r.Context(), workspace(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) revokeInvite(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return relay.Errorf(relay.ENOTFOUND, "Invitation not found.")
	}
	if err := s.app.Accounts.RevokeInvite(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) acceptInvite(w http.ResponseWriter, r *http.Request) error {
	var in app.AcceptInput
	if err := decode(r, &in); err != nil {
		return err
	}
	res, err := s.app.Accounts.AcceptInvite(r.Context(), workspace(r), r.PathValue("token"), in, s.clientIP(r))
	if err != nil {
		return err
	}
	s.setCookie(w, r, res.Token, *res.Session.ExpiresAt)
	writeJSON(w, http.StatusCreated, res)
	return nil
}

// --- members ---

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request) error {
	ms, err := s.app.Accounts.ListMembers(r.Context(), actor(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"members": nonNil(ms)})
	return nil
}

func (s *Server) changeRole(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "user_id")
	if err != nil {
		return relay.Errorf(relay.ENOTFOUND, "No such member in this workspace.")
	}
	var in app.MemberUpdate
	if err := decode(r, &in); err != nil {
		return err
	}
	m, err := s.app.Accounts.UpdateMember(r.Context(), actor(r), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "user_id")
	if err != nil {
		return relay.Errorf(relay.ENOTFOUND, "No such member in this workspace.")
	}
	if err := s.app.Accounts.RemoveMember(r.Context(), actor(r), id); err != nil {
		return err
	}
	if id == actor(r).User.ID {
		s.clearCookie(w, r)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// --- API tokens ---

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	t, err := s.app.Accounts.CreateToken(r.Context(), actor(r), in.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.app.Accounts.ListTokens(r.Context(), actor(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": nonNil(ts)})
	return nil
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return relay.Errorf(relay.ENOTFOUND, "Token not found.")
	}
	if err := s.app.Accounts.RevokeToken(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// nonNil makes empty lists encode as [] rather than null.
func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}
