package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"net/http"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/policy"
)

// MaxAttachmentBytes bounds one file received from outside.
const MaxAttachmentBytes = 25 << 20

// ReceiveExternal stores a message that came through a connector: the
// author becomes (or updates) a contact, the outside conversation finds
// (or creates) its external channel, files become attachments, and the
// message is posted through the sequencer with the connector type as its
// source. A redelivery (same outside message id) returns the stored
// message and posts nothing.
func (a *Connectors) ReceiveExternal(ctx context.Context, in relay.ExternalIn) (*relay.Message, error) {
	c := in.Connector
	if c == nil {
		return nil, relay.Errorf(relay.EINVALID, "No connector.")
	}
	if c.Status == relay.ConnectorDisabled {
		return nil, relay.Errorf(relay.ECONFLICT, "The connector is disabled.")
	}
	if in.ConversationKey == "" || len(in.ConversationKey) > 200 {
		return nil, relay.Errorf(relay.EINVALID, "An outside message needs its conversation.")
	}
	if len(in.MessageID) > 200 {
		return nil, relay.Errorf(relay.EINVALID, "The outside message id is too long.")
	}
	if in.MessageID != "" {
		if id, err := a.store.MessageByExternal(ctx, c.WorkspaceID, c.ID, in.MessageID); err == nil {
			return a.store.Message(ctx, c.WorkspaceID, id)
		} else if relay.ErrorCode(err) != relay.ENOTFOUND {
			return nil, err
		}
	}
	contact, err := a.upsertContact(ctx, c, in.From)
	if err != nil {
		return nil, err
	}
	conv, err := a.store.ConversationByKey(ctx, c.ID, in.ConversationKey)
	if relay.ErrorCode(err) == relay.ENOTFOUND {
		var owner *relay.ID
		if in.OneToOne {
			owner = &contact.ID
		}
		name := in.ConversationName
		if strings.TrimSpace(name) == "" {
			name = contact.Name
		}
		conv, err = a.createConversation(ctx, c, in.ConversationKey, name, owner, nil)
	}
	if err != nil {
		return nil, err
	}
	body := outsideText(in.Body)
	atts, err := a.storeFiles(ctx, c.WorkspaceID, conv.ChannelID, in.Files)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(body) == "" {
		var names []string
		for _, f := range atts {
			names = append(names, "["+f.Kind+"]")
		}
		body = strings.Join(names, " ")
		if body == "" {
			return nil, relay.Errorf(relay.EINVALID, "The outside message is empty.")
		}
	}
	m, err := a.msg.PostInbound(ctx, c.WorkspaceID, Inbound{ChannelID: conv.ChannelID, Source: c.Type, Body: body,
		Author:      relay.Author{ID: contact.ID, Kind: relay.AuthorContact, DisplayName: contact.Name, AvatarURL: contact.AvatarURL},
		ExternalID:  externalKey(in.MessageID),
		Attachments: atts})
	if err != nil {
		return nil, err
	}
	if in.MessageID != "" {
		if err := a.store.LinkExternalMessage(ctx, c.WorkspaceID, c.ID, in.MessageID, m.ID, a.Now()); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// outsideText makes an outside body storable: valid UTF-8 without NULs,
// cut to the longest message Relay keeps (a cut one ends with "…").
func outsideText(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	if utf8.RuneCountInString(s) > relay.MaxMessageRunes {
		s = truncate(s, relay.MaxMessageRunes-1)
	}
	return s
}

// externalKey turns an outside message id into a client_msg_id (1–64 of
// letters, digits and . _ : -): as it is when it fits, else a hash.
func externalKey(id string) string {
	if id == "" || clientMsgIDRE.MatchString(id) {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "x:" + hex.EncodeToString(sum[:24])
}

// createConversation maps an outside conversation to a channel: an
// existing one, or a new external channel every desk-staff member joins.
func (a *Connectors) createConversation(ctx context.Context, c *relay.Connector, key, name string, contact *relay.ID, existing *relay.ID) (*relay.Conversation, error) {
	now := a.Now()
	conv := &relay.Conversation{ID: a.ids.New(), WorkspaceID: c.WorkspaceID, ConnectorID: c.ID, Key: key,
		Name: truncateRunes(strings.TrimSpace(name), 80), ContactID: contact, CreatedAt: now}
	if existing != nil {
		conv.ChannelID = *existing
		stored, _, err := a.store.CreateConversation(ctx, conv, nil, nil)
		return stored, err
	}
	members, err := a.store.ListMembers(ctx, c.WorkspaceID)
	if err != nil {
		return nil, err
	}
	var staff []relay.ID
	for _, m := range members {
		if policy.DeskStaff(m.Role, m.Desk) {
			staff = append(staff, m.User.ID)
		}
	}
	base := channelSlug(c.Type, conv.Name)
	for attempt := 0; ; attempt++ {
		chName := base
		if attempt > 0 {
			chName = fmt.Sprintf("%s-%d", truncateRunes(base, 74), attempt+1)
		}
		ch := &relay.Channel{ID: a.ids.New(), WorkspaceID: c.WorkspaceID, Name: chName, Kind: relay.ChannelExternal,
			Topic: topicFor(c, conv.Name), CreatedBy: c.CreatedBy, CreatedAt: now, UpdatedAt: now}
		conv.ChannelID = ch.ID
		stored, created, err := a.store.CreateConversation(ctx, conv, ch, staff)
		if relay.ErrorCode(err) == relay.ECONFLICT && attempt < 50 {
			continue // the channel name is taken
		}
		if err != nil {
			return nil, err
		}
		if created {
			if full, err := a.store.Channel(ctx, c.WorkspaceID, ch.ID, 0); err == nil {
				for _, uid := range staff {
					a.publish(ctx, c.WorkspaceID, relay.UserTopic(uid), EvChannelJoined, publicView(full), 0, 0)
				}
			}
		}
		return stored, nil
	}
}

func topicFor(c *relay.Connector, name string) string {
	label := map[string]string{relay.ConnectorLINE: "LINE", relay.ConnectorDiscord: "Discord"}[c.Type]
	return truncateRunes(fmt.Sprintf("%s · %s (via %s)", label, name, c.Name), 250)
}

// channelSlug makes a channel name from an outside name: "line-taro-yamada".
func channelSlug(prefix, name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		ok := (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '_' || (r > 127 && (unicode.IsLetter(r) || unicode.IsDigit(r)))
		if ok {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-_")
	if s == "" {
		s = "contact"
	}
	out := prefix + "-" + s
	if n, err := NormalizeChannelName(truncateRunes(out, 70)); err == nil {
		return n
	}
	return prefix + "-contact"
}

// storeFiles keeps received media: bytes go to the file store as
// attachments of the channel; URL-only files are linked.
func (a *Connectors) storeFiles(ctx context.Context, ws, channelID relay.ID, files []relay.ExternalFile) ([]relay.Attachment, error) {
	if len(files) > 10 {
		files = files[:10]
	}
	out := []relay.Attachment{}
	for _, f := range files {
		kind := f.Kind
		if kind == "" {
			kind = "file"
		}
		name := path.Base(strings.ReplaceAll(f.Name, "\\", "/"))
		if name == "." || name == "/" || name == "" {
			name = kind
		}
		name = truncateRunes(name, 200)
		if len(f.Data) == 0 {
			if f.URL == "" || !(strings.HasPrefix(f.URL, "https://") || strings.HasPrefix(f.URL, "http://")) || len(f.URL) > 2000 {
				continue
			}
			out = append(out, relay.Attachment{ID: a.ids.New(), Name: name, ContentType: f.ContentType, URL: f.URL, Kind: kind})
			continue
		}
		if len(f.Data) > MaxAttachmentBytes {
			return nil, relay.Errorf(relay.ETOOLARGE, "A file from outside is larger than %d MiB.", MaxAttachmentBytes>>20)
		}
		ct := f.ContentType
		if ct == "" || ct == "application/octet-stream" {
			ct = http.DetectContentType(f.Data)
		}
		if mt, _, err := mime.ParseMediaType(ct); err == nil {
			ct = mt
		} else {
			ct = "application/octet-stream"
		}
		att := relay.Attachment{ID: a.ids.New(), Name: name, ContentType: ct, Size: int64(len(f.Data)), Kind: kind}
		att.URL = "/api/v1/files/" + att.ID.String()
		if err := a.files.Put(ctx, attachmentKey(ws, att.ID), f.Data); err != nil {
			return nil, err
		}
		if err := a.store.CreateAttachment(ctx, ws, channelID, &att, a.Now()); err != nil {
			return nil, err
		}
		out = append(out, att)
	}
	return out, nil
}

func attachmentKey(ws, id relay.ID) string {
	return "attachments/" + ws.String() + "/" + id.String()
}

// File returns an attachment's bytes to a reader of its channel.
func (a *Connectors) File(ctx context.Context, actor *relay.Actor, id relay.ID) (*relay.Attachment, []byte, error) {
	if actor == nil || actor.Membership == nil {
		return nil, nil, policy.Check(actor, policy.ReadSelf, policy.Target{})
	}
	att, channelID, err := a.store.Attachment(ctx, actor.Workspace.ID, id)
	if err != nil {
		if relay.ErrorCode(err) == relay.ENOTFOUND {
			return nil, nil, relay.Errorf(relay.ENOTFOUND, "File not found.")
		}
		return nil, nil, err
	}
	if _, _, err := a.msg.channelAccess(ctx, actor, channelID, false); err != nil {
		if relay.ErrorCode(err) == relay.ENOTFOUND {
			return nil, nil, relay.Errorf(relay.ENOTFOUND, "File not found.")
		}
		return nil, nil, err
	}
	data, err := a.files.Get(ctx, attachmentKey(actor.Workspace.ID, id))
	if err != nil {
		return nil, nil, err
	}
	return att, data, nil
}

// EditExternal applies an outside edit to the Relay copy of a message.
func (a *Connectors) EditExternal(ctx context.Context, c *relay.Connector, externalMessageID, body string) error {
	id, err := a.store.MessageByExternal(ctx, c.WorkspaceID, c.ID, externalMessageID)
	if err != nil {
		return err
	}
	m, err := a.store.Message(ctx, c.WorkspaceID, id)
	if err != nil {
		return err
	}
	if m.DeletedAt != nil || m.Author.Kind != relay.AuthorContact || m.Body == body {
		return nil
	}
	body = outsideText(body)
	if strings.TrimSpace(body) == "" {
		return a.DeleteExternal(ctx, c, externalMessageID)
	}
	_, err = a.msg.storeEdit(ctx, c.WorkspaceID, m.ChannelID, id, body, nil, false)
	return err
}

// DeleteExternal applies an outside deletion to the Relay copy.
func (a *Connectors) DeleteExternal(ctx context.Context, c *relay.Connector, externalMessageID string) error {
	id, err := a.store.MessageByExternal(ctx, c.WorkspaceID, c.ID, externalMessageID)
	if err != nil {
		return err
	}
	m, err := a.store.Message(ctx, c.WorkspaceID, id)
	if err != nil {
		return err
	}
	if m.DeletedAt != nil || m.Author.Kind != relay.AuthorContact {
		return nil
	}
	return a.msg.storeDelete(ctx, c.WorkspaceID, m.ChannelID, id)
}
