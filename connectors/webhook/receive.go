package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/relayhq/relay"
)

// Poster posts an incoming webhook's message; *app.Webhooks satisfies it.
type Poster interface {
	PostIncomingWebhook(ctx context.Context, token string, in relay.IncomingPost) (*relay.Message, error)
}

// Receiver serves POST /hooks/in/{token} behind httpapi's IncomingHooks: it
// reads the body strictly (ParseIncoming), posts it, and answers
// {"ok": true, "message_id": "…"}. Errors are returned, not written, so
// httpapi renders them like every other error (one status table, one
// shape, Retry-After on 429).
type Receiver struct {
	poster Poster
}

// NewReceiver returns a Receiver that posts through p.
func NewReceiver(p Poster) *Receiver { return &Receiver{poster: p} }

// ServeIncoming handles one post to the incoming webhook named by token.
func (rc *Receiver) ServeIncoming(w http.ResponseWriter, r *http.Request, token string) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxIncomingBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return relay.Errorf(relay.ETOOLARGE, "The request body is too large (limit %d bytes).", tooBig.Limit)
		}
		return relay.Errorf(relay.EINVALID, "The request body could not be read.")
	}
	in, err := ParseIncoming(body)
	if err != nil {
		return err
	}
	m, err := rc.poster.PostIncomingWebhook(r.Context(), token, relay.IncomingPost{Text: in.Text, Username: in.Username,
		AvatarURL: in.AvatarURL, IdempotencyKey: r.Header.Get("Idempotency-Key")})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	return json.NewEncoder(w).Encode(map[string]any{"ok": true, "message_id": m.ID})
}
