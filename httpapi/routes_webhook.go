package httpapi

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/connectors/webhook"
)

// webhookRoutes lists the routes of webhooks for automation
// (docs/connectors.md, "Webhooks"): outgoing subscriptions with their
// delivery log, incoming webhook URLs, and the incoming endpoint itself.
func (s *Server) webhookRoutes() []route {
	return []route{
		{method: "GET", path: "/api/v1/webhooks", host: onWorkspace, h: s.listSubscriptions},
		{method: "POST", path: "/api/v1/webhooks", host: onWorkspace, h: s.createSubscription},
		{method: "DELETE", path: "/api/v1/webhooks/{id}", host: onWorkspace, h: s.deleteSubscription},
		{method: "GET", path: "/api/v1/webhooks/{id}/deliveries", host: onWorkspace, h: s.listDeliveries},
		{method: "GET", path: "/api/v1/channels/{id}/incoming-webhooks", host: onWorkspace, h: s.listIncomingWebhooks},
		{method: "POST", path: "/api/v1/channels/{id}/incoming-webhooks", host: onWorkspace, h: s.createIncomingWebhook},
		{method: "DELETE", path: "/api/v1/incoming-webhooks/{id}", host: onWorkspace, h: s.deleteIncomingWebhook},
		// The token is the credential; the URL works on any host.
		{method: "POST", path: "/hooks/in/{token}", host: onAny, auth: authNone, maxBody: webhook.MaxIncomingBody, h: s.postIncomingWebhook},
	}
}

var (
	errNoSubscription = relay.Errorf(relay.ENOTFOUND, "Outgoing webhook not found.")
	errNoIncomingHook = relay.Errorf(relay.ENOTFOUND, "Incoming webhook not found.")
)

func (s *Server) listSubscriptions(w http.ResponseWriter, r *http.Request) error {
	list, err := s.app.Webhooks.Subscriptions(r.Context(), actor(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"webhooks": list})
	return nil
}

func (s *Server) createSubscription(w http.ResponseWriter, r *http.Request) error {
	var in app.SubscriptionInput
	if err := decode(r, &in); err != nil {
		return err
	}
	sub, err := s.app.Webhooks.CreateSubscription(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, sub)
	return nil
}

func (s *Server) deleteSubscription(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return errNoSubscription
	}
	if err := s.app.Webhooks.DeleteSubscription(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return errNoSubscription
	}
	limit := 0
	if v := r.URL.Query().Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit <= 0 {
			return relay.Errorf(relay.EINVALID, "limit must be a positive number.")
		}
	}
	list, err := s.app.Webhooks.SubscriptionDeliveries(r.Context(), actor(r), id, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": list})
	return nil
}

func (s *Server) listIncomingWebhooks(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	list, err := s.app.Webhooks.IncomingWebhooks(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"incoming_webhooks": list})
	return nil
}

func (s *Server) createIncomingWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Name string `json:"name"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	hook, err := s.app.Webhooks.CreateIncomingWebhook(r.Context(), actor(r), id, in.Name)
	if err != nil {
		return err
	}
	if hook.URL == "" {
		// No public base URL configured: the address this client used.
		hook.URL = s.siteURL(r, workspace(r).Subdomain) + app.IncomingWebhookPath + hook.Token
	}
	writeJSON(w, http.StatusCreated, hook)
	return nil
}

func (s *Server) deleteIncomingWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return errNoIncomingHook
	}
	if err := s.app.Webhooks.DeleteIncomingWebhook(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// postIncomingWebhook serves POST /hooks/in/{token}: {text, username?,
// avatar_url?} posted into the webhook's channel.
func (s *Server) postIncomingWebhook(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	// The token is a secret: keep it out of the error log's path.
	u := *r.URL
	u.Path = app.IncomingWebhookPath + "{token}"
	r.URL = &u
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return relay.Errorf(relay.ETOOLARGE, "The request body is too large (limit %d bytes).", tooBig.Limit)
		}
		return relay.Errorf(relay.EINVALID, "The request body could not be read.")
	}
	in, err := webhook.ParseIncoming(body)
	if err != nil {
		return err
	}
	m, err := s.app.Webhooks.PostIncomingWebhook(r.Context(), token, app.IncomingPost{Text: in.Text, Username: in.Username,
		AvatarURL: in.AvatarURL, IdempotencyKey: r.Header.Get("Idempotency-Key")})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "message_id": m.ID})
	return nil
}
