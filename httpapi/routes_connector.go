package httpapi

import (
	"bytes"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"rsc.io/qr"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
)

// connectorRoutes lists the routes shared by every connector type, the
// outbox and attachments (docs/connectors.md).
func (s *Server) connectorRoutes() []route {
	return []route{
		{method: "GET", path: "/api/v1/connectors", host: onWorkspace, h: s.listConnectors},
		{method: "POST", path: "/api/v1/connectors", host: onWorkspace, h: s.createConnector},
		{method: "GET", path: "/api/v1/connectors/available", host: onWorkspace, h: s.availableConnectors},
		{method: "GET", path: "/api/v1/connectors/{id}", host: onWorkspace, h: s.getConnector},
		{method: "PATCH", path: "/api/v1/connectors/{id}", host: onWorkspace, h: s.patchConnector},
		{method: "DELETE", path: "/api/v1/connectors/{id}", host: onWorkspace, h: s.deleteConnector},
		{method: "GET", path: "/api/v1/connectors/{id}/qr.png", host: onWorkspace, h: s.connectorQR},
		{method: "GET", path: "/api/v1/connectors/{id}/discord/channels", host: onWorkspace, h: s.discordChannels},
		{method: "PUT", path: "/api/v1/connectors/{id}/discord/bridges", host: onWorkspace, h: s.discordBridges},
		{method: "GET", path: "/api/v1/outbox", host: onWorkspace, h: s.listOutbox},
		{method: "POST", path: "/api/v1/outbox/{id}/retry", host: onWorkspace, h: s.retryOutbox},
		{method: "GET", path: "/api/v1/files/{id}", host: onWorkspace, h: s.getFile},
	}
}

var errNoConnector = relay.Errorf(relay.ENOTFOUND, "Connector not found.")

func connectorID(r *http.Request) (relay.ID, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, errNoConnector
	}
	return id, nil
}

// listConnectors serves GET /connectors: owners and admins get each
// connector in full; other staff the summary the sidebar shows.
func (s *Server) listConnectors(w http.ResponseWriter, r *http.Request) error {
	list, err := s.app.Connectors.Connectors(r.Context(), actor(r))
	if relay.ErrorCode(err) == relay.EFORBIDDEN {
		sums, err := s.app.Connectors.ConnectorSummaries(r.Context(), actor(r))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]any{"connectors": sums})
		return nil
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"connectors": list})
	return nil
}

// availableConnectors serves GET /connectors/available: the kinds this
// server offers (owners also learn what the operator must set).
func (s *Server) availableConnectors(w http.ResponseWriter, r *http.Request) error {
	kinds, err := s.app.Connectors.AvailableConnectors(r.Context(), actor(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"kinds": kinds})
	return nil
}

func (s *Server) createConnector(w http.ResponseWriter, r *http.Request) error {
	var in app.ConnectorInput
	if err := decode(r, &in); err != nil {
		return err
	}
	v, err := s.app.Connectors.CreateConnector(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s *Server) getConnector(w http.ResponseWriter, r *http.Request) error {
	id, err := connectorID(r)
	if err != nil {
		return err
	}
	v, err := s.app.Connectors.Connector(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) patchConnector(w http.ResponseWriter, r *http.Request) error {
	id, err := connectorID(r)
	if err != nil {
		return err
	}
	var upd app.ConnectorUpdate
	if err := decode(r, &upd); err != nil {
		return err
	}
	v, err := s.app.Connectors.UpdateConnector(r.Context(), actor(r), id, upd)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) deleteConnector(w http.ResponseWriter, r *http.Request) error {
	id, err := connectorID(r)
	if err != nil {
		return err
	}
	if err := s.app.Connectors.DeleteConnector(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// connectorQR serves the shared LINE bot's join link as a QR code (PNG).
func (s *Server) connectorQR(w http.ResponseWriter, r *http.Request) error {
	id, err := connectorID(r)
	if err != nil {
		return err
	}
	v, err := s.app.Connectors.Connector(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	if v.JoinURL == "" {
		return relay.Errorf(relay.ENOTFOUND, "This connector has no join link.")
	}
	code, err := qr.Encode(v.JoinURL, qr.M)
	if err != nil {
		return err
	}
	code.Scale = 8
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, no-cache")
	_, _ = w.Write(code.PNG())
	return nil
}

func (s *Server) discordChannels(w http.ResponseWriter, r *http.Request) error {
	id, err := connectorID(r)
	if err != nil {
		return err
	}
	chs, err := s.app.Connectors.DiscordChannels(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"channels": chs})
	return nil
}

func (s *Server) discordBridges(w http.ResponseWriter, r *http.Request) error {
	id, err := connectorID(r)
	if err != nil {
		return err
	}
	var in struct {
		Bridges []app.BridgeInput `json:"bridges"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Bridges == nil {
		return relay.Errorf(relay.EINVALID, "bridges is required (an empty list removes every bridge).")
	}
	convs, err := s.app.Connectors.SetDiscordBridges(r.Context(), actor(r), id, in.Bridges)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"bridges": convs})
	return nil
}

func (s *Server) listOutbox(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit := 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			return relay.Errorf(relay.EINVALID, "limit must be a number between 1 and 200.")
		}
		limit = n
	}
	items, err := s.app.Connectors.OutboxList(r.Context(), actor(r), q.Get("state"), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func (s *Server) retryOutbox(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return relay.Errorf(relay.ENOTFOUND, "Outbox item not found.")
	}
	it, err := s.app.Connectors.RetryOutbox(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, it)
	return nil
}

// getFile serves an attachment to whoever may read its channel. Images,
// audio and video display inline; anything else downloads, and nothing
// runs (no sniffing, a sandboxing CSP).
func (s *Server) getFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return relay.Errorf(relay.ENOTFOUND, "File not found.")
	}
	att, data, err := s.app.Connectors.File(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	ct := att.ContentType
	inline := strings.HasPrefix(ct, "image/") && ct != "image/svg+xml" || strings.HasPrefix(ct, "audio/") || strings.HasPrefix(ct, "video/")
	disp := "attachment"
	if inline {
		disp = "inline"
	} else {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": att.Name}))
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
	return nil
}
