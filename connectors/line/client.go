package line

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"
	"github.com/relayhq/relay"
)

// api is a Messaging API client for one call chain: the SDK's clients keep
// their context in the client, so they are never shared between calls.
func (c *Connector) api(ctx context.Context, token string) (*messaging_api.MessagingApiAPI, error) {
	if token == "" {
		return nil, relay.Errorf(relay.EINVALID, "The LINE connector has no channel access token.")
	}
	api, err := messaging_api.NewMessagingApiAPI(token,
		messaging_api.WithEndpoint(c.cfg.APIURL), messaging_api.WithHTTPClient(c.cfg.HTTPClient))
	if err != nil {
		return nil, fmt.Errorf("LINE client: %w", err)
	}
	return api.WithContext(ctx), nil
}

func (c *Connector) blobAPI(ctx context.Context, token string) (*messaging_api.MessagingApiBlobAPI, error) {
	if token == "" {
		return nil, relay.Errorf(relay.EINVALID, "The LINE connector has no channel access token.")
	}
	api, err := messaging_api.NewMessagingApiBlobAPI(token,
		messaging_api.WithBlobEndpoint(c.cfg.DataAPIURL), messaging_api.WithBlobHTTPClient(c.cfg.HTTPClient))
	if err != nil {
		return nil, fmt.Errorf("LINE content client: %w", err)
	}
	return api.WithContext(ctx), nil
}

// userName is the display name and picture of the user who spoke in the
// conversation key names, from LINE's profile APIs (cached); a failure
// leaves a generic name: a message is never dropped for want of a name.
func (c *Connector) userName(ctx context.Context, api *messaging_api.MessagingApiAPI, connID relay.ID, key, userID string) (name, avatar string) {
	cacheKey := connID.String() + "|" + key + "|" + userID
	if n, ok := c.names.get(cacheKey); ok {
		return n.name, n.avatar
	}
	var err error
	switch kind, id, _ := strings.Cut(key, ":"); kind {
	case "group":
		var p *messaging_api.GroupUserProfileResponse
		if p, err = api.GetGroupMemberProfile(id, userID); err == nil {
			name, avatar = p.DisplayName, p.PictureUrl
		}
	case "room":
		var p *messaging_api.RoomUserProfileResponse
		if p, err = api.GetRoomMemberProfile(id, userID); err == nil {
			name, avatar = p.DisplayName, p.PictureUrl
		}
	default:
		var p *messaging_api.UserProfileResponse
		if p, err = api.GetProfile(userID); err == nil {
			name, avatar = p.DisplayName, p.PictureUrl
		}
	}
	if err != nil || strings.TrimSpace(name) == "" {
		if err != nil {
			c.log.WarnContext(ctx, "LINE profile unavailable", "key", key, "err", err)
		}
		return "LINE user", ""
	}
	c.names.put(cacheKey, cachedName{name: name, avatar: avatar})
	return name, avatar
}

// groupName is a group's name and picture (cached), "LINE group" when LINE
// does not tell.
func (c *Connector) groupName(ctx context.Context, api *messaging_api.MessagingApiAPI, connID relay.ID, groupID string) (name, avatar string) {
	cacheKey := connID.String() + "|group:" + groupID
	if n, ok := c.names.get(cacheKey); ok {
		return n.name, n.avatar
	}
	g, err := api.GetGroupSummary(groupID)
	if err != nil || strings.TrimSpace(g.GroupName) == "" {
		if err != nil {
			c.log.WarnContext(ctx, "LINE group summary unavailable", "group", groupID, "err", err)
		}
		return "LINE group", ""
	}
	c.names.put(cacheKey, cachedName{name: g.GroupName, avatar: g.PictureUrl})
	return g.GroupName, g.PictureUrl
}

// reply answers through the shared bot's Reply API; failures are logged
// (a reply token works once and expires within a minute: no retry).
func (c *Connector) reply(ctx context.Context, token, text string) {
	if token == "" {
		return
	}
	api, err := c.api(ctx, c.cfg.SharedToken)
	if err == nil {
		_, err = api.ReplyMessage(&messaging_api.ReplyMessageRequest{ReplyToken: token,
			Messages: []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: text}}})
	}
	if err != nil {
		c.log.WarnContext(ctx, "LINE reply failed", "err", err)
	}
}

// media fetches the content of an image, video, audio or file message into
// in.Files. Content LINE hosts elsewhere (contentProvider "external") is
// linked; too large content is noted in the body. On the last try a fetch
// that still fails is noted too, so the message itself is not lost.
func (c *Connector) media(ctx context.Context, token string, in *relay.ExternalIn, messageID, kind, fileName string, cp *webhook.ContentProvider, last bool) error {
	if cp != nil && cp.Type == webhook.ContentProviderTYPE_EXTERNAL && cp.OriginalContentUrl != "" {
		in.Files = []relay.ExternalFile{{Name: kind, Kind: kind, URL: cp.OriginalContentUrl}}
		return nil
	}
	if !lineIDRE.MatchString(messageID) {
		return relay.Errorf(relay.EINVALID, "The LINE message id is malformed.")
	}
	data, ctype, err := c.fetchContent(ctx, token, messageID)
	switch {
	case err == errTooLarge:
		in.Body = fmt.Sprintf("[%s too large to copy from LINE (over %d MiB)]", kind, c.cfg.MaxContentBytes>>20)
		return nil
	case err != nil && (last || relay.ErrorCode(err) == relay.EGONE):
		c.log.WarnContext(ctx, "LINE content unavailable", "message_id", messageID, "err", err)
		in.Body = fmt.Sprintf("[%s could not be copied from LINE]", kind)
		return nil
	case err != nil:
		return err
	}
	in.Files = []relay.ExternalFile{{Name: fileNameFor(kind, fileName, ctype), ContentType: ctype, Kind: kind, Data: data}}
	return nil
}

var errTooLarge = fmt.Errorf("content too large")

func (c *Connector) fetchContent(ctx context.Context, token, messageID string) ([]byte, string, error) {
	blob, err := c.blobAPI(ctx, token)
	if err != nil {
		return nil, "", err
	}
	res, _, err := blob.GetMessageContentWithHttpInfo(messageID)
	if res != nil && res.Body != nil {
		defer res.Body.Close()
	}
	if err != nil {
		if res != nil && (res.StatusCode == http.StatusNotFound || res.StatusCode == http.StatusGone) {
			return nil, "", relay.Errorf(relay.EGONE, "LINE no longer has this content (HTTP %d).", res.StatusCode)
		}
		return nil, "", fmt.Errorf("fetching content from LINE: %w", err)
	}
	if res.StatusCode != http.StatusOK { // 202: a video still being prepared
		return nil, "", fmt.Errorf("fetching content from LINE: HTTP %d", res.StatusCode)
	}
	if res.ContentLength > c.cfg.MaxContentBytes {
		return nil, "", errTooLarge
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, c.cfg.MaxContentBytes+1))
	if err != nil {
		return nil, "", fmt.Errorf("reading content from LINE: %w", err)
	}
	if int64(len(data)) > c.cfg.MaxContentBytes {
		return nil, "", errTooLarge
	}
	ctype, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if ctype == "" {
		ctype = http.DetectContentType(data)
		ctype, _, _ = mime.ParseMediaType(ctype)
	}
	return data, ctype, nil
}

// fileNameFor names a fetched file: the sender's name for files (without
// any directory), else the kind and an extension from the content type.
func fileNameFor(kind, given, ctype string) string {
	if given != "" {
		given = path.Base(strings.ReplaceAll(given, "\\", "/"))
		if given != "." && given != "/" && given != ".." {
			return given
		}
	}
	ext := ""
	switch ctype {
	case "image/jpeg":
		ext = ".jpg"
	case "image/png":
		ext = ".png"
	case "image/gif":
		ext = ".gif"
	case "video/mp4":
		ext = ".mp4"
	case "audio/x-m4a", "audio/mp4", "audio/m4a":
		ext = ".m4a"
	default:
		if exts, _ := mime.ExtensionsByType(ctype); len(exts) > 0 {
			ext = exts[0]
		}
	}
	return kind + ext
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// nameCache keeps LINE names and pictures for a while, so a busy chat does
// not cost a profile call per message.
type nameCache struct {
	mu    sync.Mutex
	m     map[string]cachedName
	limit int
	ttl   time.Duration
}

type cachedName struct {
	name, avatar string
	until        time.Time
}

func newNameCache(limit int, ttl time.Duration) *nameCache {
	return &nameCache{m: map[string]cachedName{}, limit: limit, ttl: ttl}
}

func (n *nameCache) get(k string) (cachedName, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	v, ok := n.m[k]
	if !ok || time.Now().After(v.until) {
		return cachedName{}, false
	}
	return v, true
}

func (n *nameCache) put(k string, v cachedName) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.m) >= n.limit {
		clear(n.m) // crude, but bounded; names come back on the next call
	}
	v.until = time.Now().Add(n.ttl)
	n.m[k] = v
}
