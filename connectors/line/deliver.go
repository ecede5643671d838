package line

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
	"github.com/relayhq/relay"
	"github.com/relayhq/relay/connectors/internal/textsplit"
)

// LINE's limits on what one push carries.
const (
	MaxTextLength      = 5000 // characters (UTF-16 code units) in a text message
	MaxMessagesPerPush = 5
	maxSenderName      = 20
	maxURLLength       = 2000
)

// deliver sends one outbox row to LINE with the Push API.
func (c *Connector) deliver(ctx context.Context, o *relay.Outgoing) (relay.Sent, error) {
	switch o.Item.Kind {
	case relay.OutboxMessageCreate:
	case relay.OutboxMessageUpdate, relay.OutboxMessageDelete:
		// LINE can neither edit nor unsend a pushed message.
		return relay.Sent{}, relay.Skip
	default:
		return relay.Sent{}, relay.Permanent(fmt.Errorf("LINE cannot deliver outbox rows of kind %q", o.Item.Kind))
	}
	if o.Message == nil || o.Message.DeletedAt != nil {
		return relay.Sent{}, relay.Skip
	}
	if o.Connector == nil || o.Conversation == nil {
		return relay.Sent{}, relay.Permanent(fmt.Errorf("the LINE conversation of this message is gone"))
	}
	to, err := PushTarget(o.Conversation.Key)
	if err != nil {
		return relay.Sent{}, relay.Permanent(err)
	}
	msgs := Messages(o.Message, o.SiteURL)
	if len(msgs) == 0 {
		return relay.Sent{}, relay.Skip
	}
	token := c.token(o.Connector, o.Credentials)
	if token == "" {
		return relay.Sent{}, relay.Permanent(fmt.Errorf("the LINE connector has no channel access token"))
	}
	api, err := c.api(ctx, token)
	if err != nil {
		return relay.Sent{}, relay.Permanent(err)
	}
	var sent relay.Sent
	for i := 0; i < len(msgs); i += MaxMessagesPerPush {
		batch := msgs[i:min(i+MaxMessagesPerPush, len(msgs))]
		res, body, err := api.PushMessageWithHttpInfo(&messaging_api.PushMessageRequest{To: to, Messages: batch},
			RetryKey(o.Item.ID, i/MaxMessagesPerPush))
		ids, code, err := pushOutcome(res, body, err)
		if err != nil {
			return relay.Sent{}, err
		}
		if sent.ExternalID == "" && len(ids) > 0 {
			sent.ExternalID = ids[0]
		}
		sent.ResponseCode = code
	}
	return sent, nil
}

// PushTarget is the LINE id a conversation key ("user:U…", "group:C…",
// "room:R…") pushes to.
func PushTarget(key string) (string, error) {
	kind, id, _ := strings.Cut(key, ":")
	switch kind {
	case "user", "group", "room":
		if lineIDRE.MatchString(id) {
			return id, nil
		}
	}
	return "", fmt.Errorf("%q is not a LINE conversation", key)
}

// Messages are the LINE messages a Relay message becomes: its text (with
// links to attachments LINE cannot show) split to LINE's length limit, then
// an image message per image LINE can fetch (https, outside Relay). The Relay author
// shows as the sender of each.
func Messages(m *relay.Message, siteURL string) []messaging_api.MessageInterface {
	sender := senderOf(m.Author)
	var out []messaging_api.MessageInterface
	var images []messaging_api.MessageInterface
	text := m.Body
	for _, a := range m.Attachments {
		u := absoluteURL(a.URL, siteURL)
		if u == "" {
			continue
		}
		// LINE fetches images anonymously: only those hosted outside Relay
		// (Relay's own file URLs need a session) can be image messages.
		if a.Kind == "image" && strings.HasPrefix(a.URL, "https://") && len(u) <= maxURLLength &&
			(a.ContentType == "" || a.ContentType == "image/jpeg" || a.ContentType == "image/png") {
			images = append(images, &messaging_api.ImageMessage{OriginalContentUrl: u, PreviewImageUrl: u, Sender: sender})
			continue
		}
		name := a.Name
		if name == "" {
			name = a.Kind
		}
		if text != "" {
			text += "\n"
		}
		text += name + ": " + u
	}
	for _, part := range SplitText(text, MaxTextLength) {
		out = append(out, &messaging_api.TextMessage{Text: part, Sender: sender})
	}
	return append(out, images...)
}

// senderOf shows the Relay author on LINE: the name cut to LINE's 20
// characters, and the picture only when LINE can fetch it (an absolute
// https URL; Relay's own avatar URLs need a session).
func senderOf(a relay.Author) *messaging_api.Sender {
	name := strings.TrimSpace(a.DisplayName)
	if name == "" {
		return nil
	}
	if utf8.RuneCountInString(name) > maxSenderName {
		name = strings.TrimSpace(string([]rune(name)[:maxSenderName]))
	}
	s := &messaging_api.Sender{Name: name}
	if strings.HasPrefix(a.AvatarURL, "https://") && len(a.AvatarURL) <= maxURLLength {
		s.IconUrl = a.AvatarURL
	}
	return s
}

// absoluteURL resolves a Relay URL (often a path) against the workspace's
// address; "" when it cannot.
func absoluteURL(u, base string) string {
	ref, err := url.Parse(u)
	if err != nil || u == "" {
		return ""
	}
	if ref.IsAbs() {
		if ref.Scheme != "https" && ref.Scheme != "http" {
			return ""
		}
		return ref.String()
	}
	b, err := url.Parse(base)
	if err != nil || !b.IsAbs() {
		return ""
	}
	return b.ResolveReference(ref).String()
}

// SplitText cuts s into parts of at most limit UTF-16 code units (LINE
// counts characters that way), preferring a line break or a space; blank
// text has no parts (textsplit.Split).
func SplitText(s string, limit int) []string { return textsplit.Split(s, limit) }

// retryNamespace is the UUID namespace of retry keys (a fixed random UUID).
var retryNamespace = [16]byte{0x6f, 0x1c, 0x5e, 0x2a, 0x93, 0x0b, 0x4d, 0x7e, 0x8a, 0x41, 0x2c, 0xd8, 0x57, 0xb0, 0x3e, 0x19}

// RetryKey is the X-Line-Retry-Key of push number n of outbox row id: a
// name-based UUID (version 5), the same on every try of the row, so LINE
// accepts a retried push once and answers 409 to the repeats.
func RetryKey(outboxID int64, n int) string {
	h := sha1.New()
	h.Write(retryNamespace[:])
	h.Write([]byte("relay-line-push:" + strconv.FormatInt(outboxID, 10) + ":" + strconv.Itoa(n)))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// pushOutcome maps the SDK's answer to a push onto the outbox's rules: the
// ids of the sent messages, or how to retry. A 409 means LINE already
// accepted a push with this retry key (an earlier try whose answer was
// lost): it counts as sent.
func pushOutcome(res *http.Response, body *messaging_api.PushMessageResponse, err error) (ids []string, code int, _ error) {
	if err == nil {
		for _, m := range body.SentMessages {
			ids = append(ids, m.Id)
		}
		return ids, res.StatusCode, nil
	}
	if res == nil { // no answer: the network, a timeout
		return nil, 0, fmt.Errorf("pushing to LINE: %w", err)
	}
	code = res.StatusCode
	var e messaging_api.ErrorResponse
	if res.Body != nil {
		raw, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
		_ = json.NewDecoder(bytes.NewReader(raw)).Decode(&e)
	}
	if code == http.StatusConflict {
		for _, m := range e.SentMessages {
			ids = append(ids, m.Id)
		}
		return ids, code, nil
	}
	reason := lineReason(e)
	switch {
	case code == http.StatusTooManyRequests:
		return nil, code, &relay.DeliveryError{Err: fmt.Errorf("LINE is rate limiting pushes: %s", reason),
			RetryAfter: retryAfter(res.Header.Get("Retry-After"), time.Now()), ResponseCode: code}
	case code >= 500 || code == http.StatusRequestTimeout:
		return nil, code, &relay.DeliveryError{Err: fmt.Errorf("LINE failed: %s", reason), ResponseCode: code}
	default: // 400 (bad message or recipient), 401/403 (token), 404…: retrying changes nothing
		return nil, code, &relay.DeliveryError{Err: fmt.Errorf("LINE refused the message: %s", reason), Permanent: true, ResponseCode: code}
	}
}

// lineReason is LINE's error message with its details, for people.
func lineReason(e messaging_api.ErrorResponse) string {
	msg := strings.TrimSpace(e.Message)
	if msg == "" {
		msg = "no reason given"
	}
	var details []string
	for _, d := range e.Details {
		if d.Property != "" {
			details = append(details, d.Property+": "+d.Message)
		} else if d.Message != "" {
			details = append(details, d.Message)
		}
	}
	if len(details) > 0 {
		msg += " (" + strings.Join(details, "; ") + ")"
	}
	if len(msg) > 500 {
		msg = msg[:500]
	}
	return msg
}

// retryAfter reads a Retry-After header: seconds or an HTTP date; 0 when
// absent or unreadable (the outbox's backoff applies).
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
