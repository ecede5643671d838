package httpapi

import (
	"bytes"
	"io"
	"net/http"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
)

// --- one's own profile ---

func (s *Server) patchMe(w http.ResponseWriter, r *http.Request) error {
	var upd app.ProfileUpdate
	if err := decode(r, &upd); err != nil {
		return err
	}
	u, err := s.app.Accounts.UpdateProfile(r.Context(), actor(r), upd)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) putAvatar(w http.ResponseWriter, r *http.Request) error {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return jsonError(err) // MaxBytesError → 413
	}
	u, err := s.app.Accounts.SetAvatar(r.Context(), actor(r), data)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) deleteAvatar(w http.ResponseWriter, r *http.Request) error {
	u, err := s.app.Accounts.DeleteAvatar(r.Context(), actor(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

// getAvatar serves a member's avatar; {id} may be "me". Only members of the
// host's workspace may fetch it, so caches must keep it private.
func (s *Server) getAvatar(w http.ResponseWriter, r *http.Request) error {
	id := actor(r).User.ID
	if r.PathValue("id") != "me" {
		var err error
		if id, err = pathID(r, "id"); err != nil {
			return relay.Errorf(relay.ENOTFOUND, "No such member in this workspace.")
		}
	}
	av, err := s.app.Accounts.Avatar(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", av.ContentType)
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	if r.URL.Query().Get("v") == av.Version {
		w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "private, max-age=60")
	}
	w.Header().Set("ETag", `"`+av.Version+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(av.Data))
	return nil
}

// --- the apex's workspace directory ---

// workspaceLookup is the public card of a workspace found by subdomain.
type workspaceLookup struct {
	Subdomain string `json:"subdomain"`
	Name      string `json:"name"`
	URL       string `json:"url"`      // where the browser reaches it
	LogoURL   string `json:"logo_url"` // absolute; empty when no logo
}

func (s *Server) lookupWorkspace(w http.ResponseWriter, r *http.Request) error {
	ws, err := s.app.Accounts.WorkspaceLookup(r.Context(), r.PathValue("subdomain"), s.clientIP(r))
	if err != nil {
		return err
	}
	out := workspaceLookup{Subdomain: ws.Subdomain, Name: ws.Name, URL: s.siteURL(r, ws.Subdomain)}
	if ws.LogoURL != "" {
		out.LogoURL = out.URL + ws.LogoURL
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
