package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
)

// --- the admin dashboard, the audit log and customer self-sign-up ---

// listAudit serves GET /api/v1/audit. There is deliberately no route that
// changes or deletes audit events (a test pins PUT, PATCH and DELETE at 405).
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := relay.AuditFilter{Action: q.Get("action"), TargetKind: q.Get("target_kind")}
	for _, p := range []struct {
		name string
		v    *relay.ID
	}{{"actor_id", &f.ActorID}, {"target_id", &f.TargetID}, {"cursor", &f.Before}} {
		if v := q.Get(p.name); v != "" {
			id, err := relay.ParseID(v)
			if err != nil {
				return relay.Errorf(relay.EINVALID, "%s must be an id.", p.name)
			}
			*p.v = id
		}
	}
	for _, p := range []struct {
		name string
		v    *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return relay.Errorf(relay.EINVALID, "%s must be an RFC 3339 time, e.g. 2026-03-01T00:00:00Z.", p.name)
			}
			*p.v = t
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return relay.Errorf(relay.EINVALID, "limit must be a number between 1 and %d.", relay.MaxAuditPage)
		}
		f.Limit = n
	}
	events, err := s.app.Desk.ListAudit(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	limit := f.Limit
	if limit == 0 {
		limit = relay.DefaultAuditPage
	}
	var next *relay.ID
	if len(events) == limit {
		next = &events[len(events)-1].ID
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": nonNil(events), "next_cursor": next})
	return nil
}

func (s *Server) deskStats(w http.ResponseWriter, r *http.Request) error {
	st, err := s.app.Desk.DeskStats(r.Context(), actor(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// customerSignup serves POST /api/v1/auth/signup on a workspace host: a
// customer signs themself up (when the workspace allows it) and is signed
// in, with the cookie and the token.
func (s *Server) customerSignup(w http.ResponseWriter, r *http.Request) error {
	var in app.CustomerSignupInput
	if err := decode(r, &in); err != nil {
		return err
	}
	res, err := s.app.Desk.SignupCustomer(r.Context(), workspace(r), in, s.clientIP(r))
	if err != nil {
		return err
	}
	s.setCookie(w, r, res.Token, *res.Session.ExpiresAt)
	writeJSON(w, http.StatusCreated, res)
	return nil
}
