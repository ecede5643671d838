package line

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"
	"github.com/relayhq/relay"
)

// MaxHookBody is the largest webhook body taken (LINE's are a few KiB).
const MaxHookBody = 1 << 20

// SignatureHeader is the header LINE signs webhook bodies in.
const SignatureHeader = "X-Line-Signature"

// job is one event waiting for a worker.
type job struct {
	key    string // the conversation key, which picks the worker
	userID string // who acted in the conversation ("" when LINE does not say)
	id     string // LINE's webhook event id ("" when it gives none)
	event  webhook.EventInterface
	// conn and creds are the connector of an own-bot webhook. Shared-bot
	// events have none: the worker routes them when it runs, after any
	// "join" earlier in the same conversation.
	conn  *relay.Connector
	creds map[string]string
}

// errSignature is what a connector shows after a webhook call with a
// signature its channel secret does not produce.
var errSignature = errors.New("A LINE webhook call failed the signature check: make sure the channel secret matches the LINE Developers console.")

// ServeHook serves POST /hooks/line/{connector_id}: the webhook of a
// workspace's own bot, signed with its channel secret.
func (c *Connector) ServeHook(w http.ResponseWriter, r *http.Request, id relay.ID) {
	ctx := r.Context()
	sig, body, ok := c.readSigned(w, r, id.String())
	if !ok {
		return
	}
	conn, creds, err := c.relay.ConnectorForHook(ctx, id)
	if err == nil && (conn.Type != relay.ConnectorLINE || conn.Model == relay.ModelShared) {
		err = relay.Errorf(relay.ENOTFOUND, "not an own-bot LINE connector")
	}
	switch {
	case relay.ErrorCode(err) == relay.ENOTFOUND:
		c.log.WarnContext(ctx, "LINE webhook refused", "reason", "unknown connector", "connector_id", id.String(), "remote", r.RemoteAddr)
		writeError(w, http.StatusNotFound, relay.ENOTFOUND, "No LINE connector with this id.")
		return
	case err != nil:
		c.log.ErrorContext(ctx, "LINE webhook: looking up the connector", "connector_id", id.String(), "err", err)
		writeError(w, http.StatusServiceUnavailable, relay.EUNAVAILABLE, "The webhook cannot be taken right now; LINE will redeliver it.")
		return
	}
	secret := creds[CredChannelSecret]
	if secret == "" {
		c.log.WarnContext(ctx, "LINE webhook refused", "reason", "the connector has no channel secret", "connector_id", id.String())
		writeError(w, http.StatusUnauthorized, relay.EUNAUTHORIZED, "This connector has no channel secret to check the signature with.")
		return
	}
	if !validSignature(secret, sig, body) {
		c.log.WarnContext(ctx, "LINE webhook refused", "reason", "signature mismatch", "connector_id", id.String(), "remote", r.RemoteAddr)
		// Most often the channel secret entered in Relay is not the one in
		// the LINE console: say so where admins look.
		c.relay.ReportConnectorHealth(context.WithoutCancel(ctx), conn, errSignature)
		writeError(w, http.StatusUnauthorized, relay.EUNAUTHORIZED, "The X-Line-Signature header does not match the body.")
		return
	}
	if conn.Status == relay.ConnectorError && conn.LastError == errSignature.Error() {
		c.relay.ReportConnectorHealth(context.WithoutCancel(ctx), conn, nil) // signed right again
	}
	if conn.Status == relay.ConnectorDisabled {
		c.log.InfoContext(ctx, "LINE webhook ignored: the connector is disabled", "connector_id", id.String())
		writeOK(w)
		return
	}
	jobs, err := parseEvents(body)
	if err != nil {
		c.log.WarnContext(ctx, "LINE webhook refused", "reason", "malformed body", "connector_id", id.String(), "err", err)
		writeError(w, http.StatusBadRequest, relay.EINVALID, "The body is not a LINE webhook payload.")
		return
	}
	for i := range jobs {
		jobs[i].conn, jobs[i].creds = conn, creds
	}
	c.accept(w, r, jobs, func(context.Context, job) *relay.Connector { return conn })
}

// ServeSharedHook serves POST /hooks/line/shared: the webhook of the
// operator's shared bot, signed with the shared channel secret.
func (c *Connector) ServeSharedHook(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if c.cfg.SharedSecret == "" {
		c.log.WarnContext(ctx, "LINE webhook refused", "reason", "no shared bot is configured", "remote", r.RemoteAddr)
		writeError(w, http.StatusNotFound, relay.ENOTFOUND, "No shared LINE bot is configured.")
		return
	}
	sig, body, ok := c.readSigned(w, r, "shared")
	if !ok {
		return
	}
	if !validSignature(c.cfg.SharedSecret, sig, body) {
		c.log.WarnContext(ctx, "LINE webhook refused", "reason", "signature mismatch", "connector_id", "shared", "remote", r.RemoteAddr)
		writeError(w, http.StatusUnauthorized, relay.EUNAUTHORIZED, "The X-Line-Signature header does not match the body.")
		return
	}
	jobs, err := parseEvents(body)
	if err != nil {
		c.log.WarnContext(ctx, "LINE webhook refused", "reason", "malformed body", "connector_id", "shared", "err", err)
		writeError(w, http.StatusBadRequest, relay.EINVALID, "The body is not a LINE webhook payload.")
		return
	}
	// Redeliveries are recognised under the workspace the conversation is
	// linked to; events of unlinked users (join codes, hints) are not
	// recorded: answering them twice is harmless (a reply token works once).
	c.accept(w, r, jobs, func(ctx context.Context, j job) *relay.Connector {
		conn, err := c.relay.SharedRoute(ctx, relay.ConnectorLINE, routeID(j.key))
		if err != nil {
			return nil
		}
		return conn
	})
}

// readSigned checks that a signature header is there and well formed, then
// reads the body; it answers the request itself when ok is false.
func (c *Connector) readSigned(w http.ResponseWriter, r *http.Request, who string) (sig []byte, body []byte, ok bool) {
	ctx := r.Context()
	h := r.Header.Get(SignatureHeader)
	if h == "" {
		c.log.WarnContext(ctx, "LINE webhook refused", "reason", "missing signature", "connector_id", who, "remote", r.RemoteAddr)
		writeError(w, http.StatusUnauthorized, relay.EUNAUTHORIZED, "The X-Line-Signature header is missing.")
		return nil, nil, false
	}
	sig, err := base64.StdEncoding.DecodeString(h)
	if err != nil || len(sig) != sha256.Size {
		c.log.WarnContext(ctx, "LINE webhook refused", "reason", "malformed signature", "connector_id", who, "remote", r.RemoteAddr)
		writeError(w, http.StatusBadRequest, relay.EINVALID, "The X-Line-Signature header is not a base64 HMAC-SHA256.")
		return nil, nil, false
	}
	body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, MaxHookBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			c.log.WarnContext(ctx, "LINE webhook refused", "reason", "body too large", "connector_id", who, "remote", r.RemoteAddr)
			writeError(w, http.StatusRequestEntityTooLarge, relay.ETOOLARGE, fmt.Sprintf("The body is too large (limit %d bytes).", MaxHookBody))
			return nil, nil, false
		}
		writeError(w, http.StatusBadRequest, relay.EINVALID, "The body could not be read.")
		return nil, nil, false
	}
	return sig, body, true
}

// validSignature reports whether sig is the HMAC-SHA256 of body with the
// channel secret, in constant time.
func validSignature(secret string, sig, body []byte) bool {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hmac.Equal(sig, m.Sum(nil))
}

// accept queues a verified batch: room for all of it or 503 (LINE
// redelivers), then each event recorded by id under the connector route
// returns (nil: not recorded) and queued unless it is a redelivery.
func (c *Connector) accept(w http.ResponseWriter, r *http.Request, jobs []job, route func(context.Context, job) *relay.Connector) {
	ctx := r.Context()
	if len(jobs) == 0 { // LINE's "Verify" button sends no events
		writeOK(w)
		return
	}
	if !c.queue.reserve(len(jobs)) {
		c.log.WarnContext(ctx, "LINE webhook refused: the queue is full", "events", len(jobs))
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, relay.EUNAVAILABLE, "Too busy to take these events now; LINE will redeliver them.")
		return
	}
	for i, j := range jobs {
		if j.id != "" {
			if conn := route(ctx, j); conn != nil {
				fresh, err := c.relay.MarkHookEvent(ctx, conn, j.id)
				if err != nil {
					// Events queued before this one are recorded: the
					// redelivery skips them and brings the rest.
					c.queue.release(len(jobs) - i)
					c.log.ErrorContext(ctx, "LINE webhook: recording the event", "err", err)
					writeError(w, http.StatusServiceUnavailable, relay.EUNAVAILABLE, "The webhook cannot be taken right now; LINE will redeliver it.")
					return
				}
				if !fresh {
					c.log.DebugContext(ctx, "LINE webhook: redelivered event ignored", "event_id", j.id)
					c.queue.release(1)
					continue
				}
			}
		}
		c.queue.push(j)
	}
	writeOK(w)
}

var lineIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,100}$`)

// parseEvents decodes a webhook body into jobs for the events the
// connector handles, each with the conversation it belongs to; other event
// types and events without a usable source are left out.
func parseEvents(body []byte) (jobs []job, err error) {
	defer func() {
		if p := recover(); p != nil { // the SDK's decoders are generated code
			jobs, err = nil, fmt.Errorf("decoding the webhook body panicked: %v", p)
		}
	}()
	var cb webhook.CallbackRequest
	if err := json.Unmarshal(body, &cb); err != nil {
		return nil, err
	}
	for _, e := range cb.Events {
		src, id := eventSource(e)
		if src == nil {
			continue
		}
		key, userID := sourceKey(src)
		if key == "" {
			continue
		}
		jobs = append(jobs, job{key: key, userID: userID, id: id, event: e})
	}
	return jobs, nil
}

// eventSource is the source and webhook event id of the events the
// connector handles; src is nil for the others.
func eventSource(e webhook.EventInterface) (src webhook.SourceInterface, id string) {
	switch e := e.(type) {
	case webhook.MessageEvent:
		if e.Message == nil {
			return nil, ""
		}
		return e.Source, e.WebhookEventId
	case webhook.FollowEvent:
		return e.Source, e.WebhookEventId
	case webhook.UnfollowEvent:
		return e.Source, e.WebhookEventId
	case webhook.JoinEvent:
		return e.Source, e.WebhookEventId
	case webhook.LeaveEvent:
		return e.Source, e.WebhookEventId
	case webhook.UnsendEvent:
		if e.Unsend == nil {
			return nil, ""
		}
		return e.Source, e.WebhookEventId
	}
	return nil, ""
}

// sourceKey is the conversation key of a source ("user:U…", "group:C…",
// "room:R…") and the user who acted in it ("" when LINE does not say);
// key is "" for a source without a valid id.
func sourceKey(src webhook.SourceInterface) (key, userID string) {
	var kind, id string
	switch s := src.(type) {
	case webhook.UserSource:
		kind, id, userID = "user", s.UserId, s.UserId
	case webhook.GroupSource:
		kind, id, userID = "group", s.GroupId, s.UserId
	case webhook.RoomSource:
		kind, id, userID = "room", s.RoomId, s.UserId
	default:
		return "", ""
	}
	if !lineIDRE.MatchString(id) {
		return "", ""
	}
	if !lineIDRE.MatchString(userID) {
		userID = ""
	}
	return kind + ":" + id, userID
}

// routeID is the outside id a conversation key names (the part after the
// kind): the user, group or room a shared-bot conversation is linked by.
func routeID(key string) string {
	for i := 0; i < len(key); i++ {
		if key[i] == ':' {
			return key[i+1:]
		}
	}
	return key
}

func writeOK(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "{}\n")
}

// writeError answers with Relay's JSON error shape.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	body.Error.Code, body.Error.Message = code, msg
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
