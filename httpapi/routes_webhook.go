package httpapi

import (
	"net/http"
	"strconv"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
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
		// The token is the credential; the URL works on any host. The
		// body limit is the receiver's own (64 KiB, as maxJSONBody).
		{method: "POST", path: "/hooks/in/{token}", host: onAny, auth: authNone, h: s.postIncomingWebhook},
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

// IncomingHooks serves incoming webhooks (connectors/webhook.Receiver):
// it reads the body, posts the message and writes the success answer; an
// error it returns is rendered here like any other (nothing written yet).
type IncomingHooks interface {
	ServeIncoming(w http.ResponseWriter, r *http.Request, token string) error
}

// postIncomingWebhook serves POST /hooks/in/{token}: {text, username?,
// avatar_url?} posted into the webhook's channel.
func (s *Server) postIncomingWebhook(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	// The token is a secret: keep it out of the error log's path.
	u := *r.URL
	u.Path = app.IncomingWebhookPath + "{token}"
	r.URL = &u
	if s.incoming == nil {
		return errNoIncomingHook
	}
	return s.incoming.ServeIncoming(w, r, token)
}
