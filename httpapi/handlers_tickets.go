package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
)

// --- support desk (docs/desk.md) ---

func ticketID(r *http.Request) (relay.ID, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, relay.Errorf(relay.ENOTFOUND, "Ticket not found.")
	}
	return id, nil
}

func (s *Server) createTicket(w http.ResponseWriter, r *http.Request) error {
	var in app.CreateTicketInput
	if err := decode(r, &in); err != nil {
		return err
	}
	t, err := s.app.Desk.CreateTicket(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (s *Server) listTickets(w http.ResponseWriter, r *http.Request) error {
	p := r.URL.Query()
	q := app.TicketQuery{Status: p.Get("status"), Assignee: p.Get("assignee"), Priority: p.Get("priority"),
		Tag: p.Get("tag"), Text: p.Get("q"), RequesterID: p.Get("requester_id"), Sort: p.Get("sort"), Cursor: p.Get("cursor")}
	if q.Text == "" {
		q.Text = p.Get("text")
	}
	if l := p.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return relay.Errorf(relay.EINVALID, "limit must be a number between 1 and 100.")
		}
		q.Limit = n
	}
	page, err := s.app.Desk.ListTickets(r.Context(), actor(r), q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) getTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	t, err := s.app.Desk.GetTicket(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) patchTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	var upd relay.TicketUpdate
	if err := decode(r, &upd); err != nil {
		return err
	}
	t, err := s.app.Desk.UpdateTicket(r.Context(), actor(r), id, upd)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) setTicketStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	var in struct {
		Status relay.TicketStatus `json:"status"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	t, err := s.app.Desk.SetTicketStatus(r.Context(), actor(r), id, in.Status)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) assignTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	var in struct {
		AssigneeID json.RawMessage `json:"assignee_id"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	var assignee *relay.ID
	switch string(in.AssigneeID) {
	case "":
		return relay.Errorf(relay.EINVALID, "assignee_id is required: a user id, or null to unassign.")
	case "null":
	default:
		var v relay.ID
		if err := json.Unmarshal(in.AssigneeID, &v); err != nil || v <= 0 {
			return relay.Errorf(relay.EINVALID, "assignee_id must be a user id or null.")
		}
		assignee = &v
	}
	t, err := s.app.Desk.AssignTicket(r.Context(), actor(r), id, assignee)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) listTicketMessages(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	internal, err := boolParam(r.URL.Query().Get("internal"), "internal")
	if err != nil {
		return err
	}
	q, err := historyQuery(r)
	if err != nil {
		return err
	}
	ms, err := s.app.Desk.TicketMessages(r.Context(), actor(r), id, internal, q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": nonNil(ms)})
	return nil
}

func (s *Server) postTicketMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	var in app.TicketPostInput
	if err := decode(r, &in); err != nil {
		return err
	}
	m, err := s.app.Desk.PostTicketMessage(r.Context(), actor(r), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

func (s *Server) listTicketEvents(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	evs, err := s.app.Desk.TicketEvents(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": nonNil(evs)})
	return nil
}

func (s *Server) markTicketRead(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	var in struct {
		Seq *int64 `json:"seq"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Seq == nil {
		return relay.Errorf(relay.EINVALID, "seq is required: the conversation seq read up to.")
	}
	t, err := s.app.Desk.MarkTicketRead(r.Context(), actor(r), id, *in.Seq)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}
