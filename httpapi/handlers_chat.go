package httpapi

import (
	"net/http"
	"strconv"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
)

// --- channels ---

func (s *Server) listChannels(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	browse, err := boolParam(q.Get("browse"), "browse")
	if err != nil {
		return err
	}
	archived, err := boolParam(q.Get("archived"), "archived")
	if err != nil {
		return err
	}
	cs, err := s.app.Messaging.ListChannels(r.Context(), actor(r), browse, archived)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"channels": nonNil(cs)})
	return nil
}

func (s *Server) createChannel(w http.ResponseWriter, r *http.Request) error {
	var in app.CreateChannelInput
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := s.app.Messaging.CreateChannel(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) getChannel(w http.ResponseWriter, r *http.Request) error {
	id, err := channelID(r)
	if err != nil {
		return err
	}
	c, err := s.app.Messaging.Channel(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) patchChannel(w http.ResponseWriter, r *http.Request) error {
	id, err := channelID(r)
	if err != nil {
		return err
	}
	var upd relay.ChannelUpdate
	if err := decode(r, &upd); err != nil {
		return err
	}
	c, err := s.app.Messaging.UpdateChannel(r.Context(), actor(r), id, upd)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) archiveChannel(archived bool) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := channelID(r)
		if err != nil {
			return err
		}
		c, err := s.app.Messaging.SetArchived(r.Context(), actor(r), id, archived)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, c)
		return nil
	}
}

func (s *Server) joinChannel(w http.ResponseWriter, r *http.Request) error {
	id, err := channelID(r)
	if err != nil {
		return err
	}
	c, err := s.app.Messaging.JoinChannel(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) leaveChannel(w http.ResponseWriter, r *http.Request) error {
	id, err := channelID(r)
	if err != nil {
		return err
	}
	if err := s.app.Messaging.LeaveChannel(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listChannelMembers(w http.ResponseWriter, r *http.Request) error {
	id, err := channelID(r)
	if err != nil {
		return err
	}
	us, err := s.app.Messaging.ListChannelMembers(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"members": nonNil(us)})
	return nil
}

func (s *Server) addChannelMembers(w http.ResponseWriter, r *http.Request) error {
	id, err := channelID(r)
	if err != nil {
		return err
	}
	var in struct {
		UserIDs []relay.ID `json:"user_ids"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := s.app.Messaging.AddChannelMembers(r.Context(), actor(r), id, in.UserIDs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) removeChannelMember(w http.ResponseWriter, r *http.Request) error {
	id, err := channelID(r)
	if err != nil {
		return err
	}
	uid, err := pathID(r, "user_id")
	if err != nil {
		return relay.Errorf(relay.ENOTFOUND, "That person is not a member of this channel.")
	}
	if err := s.app.Messaging.RemoveChannelMember(r.Context(), actor(r), id, uid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) openDM(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		UserIDs []relay.ID `json:"user_ids"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if len(in.UserIDs) == 0 {
		return relay.Errorf(relay.EINVALID, "user_ids must name at least one person.")
	}
	c, err := s.app.Messaging.OpenDM(r.Context(), actor(r), in.UserIDs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) markRead(w http.ResponseWriter, r *http.Request) error {
	id, err := channelID(r)
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
		return relay.Errorf(relay.EINVALID, "seq is required.")
	}
	m, err := s.app.Messaging.MarkRead(r.Context(), actor(r), id, *in.Seq)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// --- messages ---

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) error {
	id, err := channelID(r)
	if err != nil {
		return err
	}
	q, err := historyQuery(r)
	if err != nil {
		return err
	}
	ms, err := s.app.Messaging.History(r.Context(), actor(r), id, q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": nonNil(ms)})
	return nil
}

// historyQuery reads before, after, around and limit (the app checks the rest).
func historyQuery(r *http.Request) (relay.HistoryQuery, error) {
	var q relay.HistoryQuery
	params := r.URL.Query()
	for _, p := range []struct {
		name string
		v    *int64
	}{{"before", &q.Before}, {"after", &q.After}, {"around", &q.Around}} {
		if s := params.Get(p.name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 1 {
				return q, relay.Errorf(relay.EINVALID, "%s must be a positive seq.", p.name)
			}
			*p.v = n
		}
	}
	if l := params.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil {
			return q, relay.Errorf(relay.EINVALID, "limit must be a number between 1 and 200.")
		}
		q.Limit = n
		if n == 0 {
			q.Limit = -1 // explicit 0 is invalid, not "default"
		}
	}
	return q, nil
}

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := channelID(r)
	if err != nil {
		return err
	}
	var in app.PostInput
	if err := decode(r, &in); err != nil {
		return err
	}
	m, err := s.app.Messaging.PostMessage(r.Context(), actor(r), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

func messageID(r *http.Request) (relay.ID, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, relay.Errorf(relay.ENOTFOUND, "Message not found.")
	}
	return id, nil
}

func channelID(r *http.Request) (relay.ID, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, relay.Errorf(relay.ENOTFOUND, "Channel not found.")
	}
	return id, nil
}

func (s *Server) patchMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := messageID(r)
	if err != nil {
		return err
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	m, err := s.app.Messaging.EditMessage(r.Context(), actor(r), id, in.Body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (s *Server) deleteMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := messageID(r)
	if err != nil {
		return err
	}
	if err := s.app.Messaging.DeleteMessage(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listReplies(w http.ResponseWriter, r *http.Request) error {
	id, err := messageID(r)
	if err != nil {
		return err
	}
	ms, err := s.app.Messaging.Replies(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": nonNil(ms)})
	return nil
}

func (s *Server) react(add bool) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := messageID(r)
		if err != nil {
			return err
		}
		m, err := s.app.Messaging.React(r.Context(), actor(r), id, r.PathValue("emoji"), add)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, m)
		return nil
	}
}

func (s *Server) setStatus(w http.ResponseWriter, r *http.Request) error {
	var in relay.Status
	if err := decode(r, &in); err != nil {
		return err
	}
	st, err := s.app.Messaging.SetStatus(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func boolParam(v, name string) (bool, error) {
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, relay.Errorf(relay.EINVALID, "%s must be true or false.", name)
	}
	return b, nil
}
