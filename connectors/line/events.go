package line

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"
	"github.com/relayhq/relay"
)

// Replies of the shared bot.
const (
	hintReply      = "Hello! Send your join code to connect this chat to a team: write \"join\" and the code, for example \"join ABC123\"."
	groupHintReply = "Hello! To connect this group to a team, send \"join\" and the team's join code here, for example \"join ABC123\"."
	joinedReply    = "You're connected. Your messages here now reach the team."
	badCodeReply   = "That join code was not recognised. Check it and send \"join\" and the code again."
)

var joinRE = regexp.MustCompile(`(?i)^\s*join\s+(\S+)\s*$`)

// StickerURL is LINE's public image of a sticker.
func StickerURL(stickerID string) string {
	return "https://stickershop.line-scdn.net/stickershop/v1/sticker/" + url.PathEscape(stickerID) + "/android/sticker.png"
}

// work runs the jobs of one shard until the queue closes.
func (c *Connector) work(shard int) {
	for {
		j, ok := c.queue.pop(shard)
		if !ok {
			return
		}
		c.process(j)
		c.queue.done()
	}
}

// process handles one event, retrying passing failures a few times.
func (c *Connector) process(j job) {
	wait := c.cfg.RetryWait
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(c.ctx, 2*time.Minute)
		err := c.handle(ctx, j, attempt == c.cfg.Attempts)
		cancel()
		if err == nil {
			return
		}
		if !retryable(err) || attempt >= c.cfg.Attempts || c.ctx.Err() != nil {
			c.log.Error("LINE event dropped", "key", j.key, "type", j.event.GetType(), "attempts", attempt, "err", err)
			return
		}
		c.log.Warn("LINE event failed; retrying", "key", j.key, "type", j.event.GetType(), "attempt", attempt, "err", err)
		select {
		case <-time.After(wait):
		case <-c.ctx.Done():
		}
		wait *= 4
	}
}

// retryable: Relay's verdicts on the input are final; anything else (a
// database or LINE hiccup) may pass.
func retryable(err error) bool {
	switch relay.ErrorCode(err) {
	case relay.EINVALID, relay.ENOTFOUND, relay.EFORBIDDEN, relay.ECONFLICT, relay.ETOOLARGE, relay.EGONE:
		return false
	}
	return true
}

// handle processes one event. last is the final try: media that still
// cannot be fetched is then noted in the message rather than failing it.
func (c *Connector) handle(ctx context.Context, j job, last bool) error {
	conn, userID, token := j.conn, j.userID, ""
	if conn == nil { // the shared bot's
		token = c.cfg.SharedToken
		// A "join <code>" comes before routing: it may move the
		// conversation to another workspace.
		if e, ok := j.event.(webhook.MessageEvent); ok {
			if t, ok := e.Message.(webhook.TextMessageContent); ok {
				if m := joinRE.FindStringSubmatch(t.Text); m != nil {
					return c.joinShared(ctx, j.key, userID, m[1], e.ReplyToken)
				}
			}
		}
		var err error
		conn, err = c.relay.SharedRoute(ctx, relay.ConnectorLINE, routeID(j.key))
		if relay.ErrorCode(err) == relay.ENOTFOUND {
			return c.unlinked(ctx, j)
		} else if err != nil {
			return fmt.Errorf("routing %s: %w", j.key, err)
		}
	} else {
		token = c.token(conn, j.creds)
	}

	switch e := j.event.(type) {
	case webhook.MessageEvent:
		in, err := c.incoming(ctx, conn, token, j.key, userID, e, last)
		if err != nil {
			return err
		}
		_, err = c.relay.ReceiveExternal(ctx, in)
		return err
	case webhook.FollowEvent:
		return c.contactState(ctx, conn, userID, relay.ContactActive)
	case webhook.UnfollowEvent:
		return c.contactState(ctx, conn, userID, relay.ContactUnfollowed)
	case webhook.UnsendEvent:
		err := c.relay.DeleteExternal(ctx, conn, e.Unsend.MessageId)
		if relay.ErrorCode(err) == relay.ENOTFOUND {
			return nil // never received, or already gone
		}
		return err
	case webhook.JoinEvent:
		// The conversation and its channel are made with the first message.
		c.log.InfoContext(ctx, "LINE bot joined a conversation", "connector_id", conn.ID.String(), "key", j.key)
	case webhook.LeaveEvent:
		// The channel and its history stay; replies to it will fail and show
		// as not delivered.
		c.log.InfoContext(ctx, "LINE bot left a conversation", "connector_id", conn.ID.String(), "key", j.key)
	}
	return nil
}

func (c *Connector) contactState(ctx context.Context, conn *relay.Connector, userID, state string) error {
	if userID == "" {
		return nil
	}
	err := c.relay.SetContactState(ctx, conn, userID, state)
	if relay.ErrorCode(err) == relay.ENOTFOUND {
		return nil // not a contact yet: the first message makes one
	}
	return err
}

// joinShared links the conversation (a user, or a group or room as a
// whole) to the workspace of the join code, and says how it went.
func (c *Connector) joinShared(ctx context.Context, key, userID, code, replyToken string) error {
	who := relay.ExternalContact{ExternalID: routeID(key)}
	api, err := c.api(ctx, c.cfg.SharedToken)
	if err != nil {
		return err
	}
	switch {
	case strings.HasPrefix(key, "user:"):
		who.Name, who.AvatarURL = c.userName(ctx, api, 0, key, userID)
	case strings.HasPrefix(key, "group:"):
		who.Name, who.AvatarURL = c.groupName(ctx, api, 0, routeID(key))
	default:
		who.Name = "LINE room"
	}
	conn, err := c.relay.JoinShared(ctx, relay.ConnectorLINE, code, who)
	switch {
	case relay.ErrorCode(err) == relay.ENOTFOUND || relay.ErrorCode(err) == relay.EINVALID:
		c.reply(ctx, replyToken, badCodeReply)
		return nil
	case err != nil:
		return fmt.Errorf("joining with a code: %w", err)
	}
	c.log.InfoContext(ctx, "LINE conversation joined a workspace through the shared bot", "connector_id", conn.ID.String(), "key", key)
	c.reply(ctx, replyToken, joinedReply)
	return nil
}

// unlinked answers a shared-bot conversation linked to no workspace: a
// user who writes or follows is told how to join; a group is told once,
// when the bot is added. Nothing is stored.
func (c *Connector) unlinked(ctx context.Context, j job) error {
	user := strings.HasPrefix(j.key, "user:")
	switch e := j.event.(type) {
	case webhook.MessageEvent:
		if user {
			c.reply(ctx, e.ReplyToken, hintReply)
		}
	case webhook.FollowEvent:
		c.reply(ctx, e.ReplyToken, hintReply)
	case webhook.JoinEvent:
		c.reply(ctx, e.ReplyToken, groupHintReply)
	}
	return nil
}

// incoming turns a message event into what Relay stores.
func (c *Connector) incoming(ctx context.Context, conn *relay.Connector, token, key, userID string, e webhook.MessageEvent, last bool) (relay.ExternalIn, error) {
	in := relay.ExternalIn{Connector: conn, ConversationKey: key, OneToOne: strings.HasPrefix(key, "user:")}
	api, err := c.api(ctx, token)
	if err != nil {
		return in, err
	}
	switch {
	case userID == "": // LINE leaves out users who have not agreed to share their id
		in.From = relay.ExternalContact{ExternalID: "unknown:" + routeID(key), Name: "LINE user"}
	default:
		in.From.ExternalID = userID
		if conn.Model == relay.ModelShared && !in.OneToOne {
			// Through the shared bot a user's own id is their link to a
			// workspace: speaking in a group linked elsewhere must not move it.
			in.From.ExternalID = userID + "@" + routeID(key)
		}
		in.From.Name, in.From.AvatarURL = c.userName(ctx, api, conn.ID, key, userID)
	}
	switch {
	case in.OneToOne:
		in.ConversationName = in.From.Name
	case strings.HasPrefix(key, "group:"):
		in.ConversationName, _ = c.groupName(ctx, api, conn.ID, routeID(key))
	default:
		in.ConversationName = "LINE room"
	}

	switch m := e.Message.(type) {
	case webhook.TextMessageContent:
		in.MessageID, in.Body = m.Id, m.Text
	case webhook.StickerMessageContent:
		in.MessageID, in.Body = m.Id, "[sticker]"
		in.Files = []relay.ExternalFile{{Name: "sticker.png", ContentType: "image/png", Kind: "sticker", URL: StickerURL(m.StickerId)}}
	case webhook.LocationMessageContent:
		in.MessageID = m.Id
		in.Body, in.Files = location(m)
	case webhook.ImageMessageContent:
		in.MessageID = m.Id
		err = c.media(ctx, token, &in, m.Id, "image", "", m.ContentProvider, last)
	case webhook.VideoMessageContent:
		in.MessageID = m.Id
		err = c.media(ctx, token, &in, m.Id, "video", "", m.ContentProvider, last)
	case webhook.AudioMessageContent:
		in.MessageID = m.Id
		err = c.media(ctx, token, &in, m.Id, "audio", "", m.ContentProvider, last)
	case webhook.FileMessageContent:
		in.MessageID = m.Id
		err = c.media(ctx, token, &in, m.Id, "file", m.FileName, nil, last)
	default:
		in.MessageID, in.Body = messageID(e.Message), "[a LINE message Relay cannot show: "+e.Message.GetType()+"]"
	}
	if in.MessageID == "" {
		return in, relay.Errorf(relay.EINVALID, "The LINE message has no id.")
	}
	return in, err
}

// location is the body and attachment of a shared location.
func location(m webhook.LocationMessageContent) (string, []relay.ExternalFile) {
	coords := strconv.FormatFloat(m.Latitude, 'f', -1, 64) + "," + strconv.FormatFloat(m.Longitude, 'f', -1, 64)
	link := "https://www.google.com/maps/search/?api=1&query=" + url.QueryEscape(coords)
	var lines []string
	for _, s := range []string{m.Title, m.Address} {
		if s = strings.TrimSpace(s); s != "" {
			lines = append(lines, s)
		}
	}
	name := m.Title
	if len(lines) == 0 {
		lines = append(lines, "Location "+coords)
		name = "Location"
	}
	lines[0] = "📍 " + lines[0]
	lines = append(lines, link)
	return strings.Join(lines, "\n"), []relay.ExternalFile{{Name: name, Kind: "location", URL: link}}
}

func messageID(m webhook.MessageContentInterface) string {
	if u, ok := m.(webhook.UnknownMessageContent); ok {
		var id string
		if raw := u.Raw["id"]; raw != nil {
			_ = jsonUnmarshal(raw, &id)
		}
		return id
	}
	return ""
}
