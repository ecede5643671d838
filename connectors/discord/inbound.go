package discord

import (
	"mime"
	"regexp"
	"strings"

	"github.com/bwmarrin/discordgo"
	"github.com/relayhq/relay"
)

// Limits on what one gateway message may carry into Relay.
const (
	maxInboundFiles = 10
	maxIDLen        = 32 // snowflakes are at most 20 digits
)

// accepted reports whether a gateway message is a person's message that
// Relay should take: not the bot's own, not another bot's, not sent
// through a webhook (ours come back that way: no echo loops), not a
// system message (joins, pins…), and said in a guild.
func accepted(m *discordgo.Message, botID string) bool {
	if m == nil || m.Author == nil || m.ID == "" || m.ChannelID == "" || m.GuildID == "" {
		return false
	}
	if len(m.ID) > maxIDLen || len(m.ChannelID) > maxIDLen || len(m.GuildID) > maxIDLen || len(m.Author.ID) > maxIDLen || m.Author.ID == "" {
		return false
	}
	if m.WebhookID != "" || m.Author.Bot || m.Author.System || (botID != "" && m.Author.ID == botID) {
		return false
	}
	return m.Type == discordgo.MessageTypeDefault || m.Type == discordgo.MessageTypeReply
}

// conversationKey is the conversation of a Discord channel.
func conversationKey(channelID string) string { return "channel:" + channelID }

// toExternalIn maps an accepted gateway message to what Relay stores; the
// caller sets the connector and the conversation name. channelName
// resolves <#id> mentions (nil leaves them).
func toExternalIn(m *discordgo.Message, channelName func(id string) string) relay.ExternalIn {
	return relay.ExternalIn{
		ConversationKey: conversationKey(m.ChannelID),
		From:            authorOf(m),
		MessageID:       m.ID,
		Body:            renderContent(m, channelName),
		Files:           filesOf(m),
	}
}

// authorOf is the Discord person: their server nickname, else their global
// display name, else their username; their avatar on Discord's CDN.
func authorOf(m *discordgo.Message) relay.ExternalContact {
	u := m.Author
	name := u.DisplayName()
	if m.Member != nil && strings.TrimSpace(m.Member.Nick) != "" {
		name = m.Member.Nick
	}
	return relay.ExternalContact{ExternalID: u.ID, Name: name, AvatarURL: u.AvatarURL("128")}
}

var (
	userMentionRE    = regexp.MustCompile(`<@!?([0-9]{1,20})>`)
	channelMentionRE = regexp.MustCompile(`<#([0-9]{1,20})>`)
	customEmojiRE    = regexp.MustCompile(`<a?:([A-Za-z0-9_~]{1,64}):[0-9]{1,20}>`)
)

// renderContent turns Discord's markup for mentions and custom emoji into
// plain text readers in Relay understand: <@123> → @name, <#456> → #name,
// <:wave:789> → :wave:.
func renderContent(m *discordgo.Message, channelName func(id string) string) string {
	s := m.Content
	if strings.IndexByte(s, '<') < 0 {
		return s
	}
	names := map[string]string{}
	for _, u := range m.Mentions {
		if u != nil && u.ID != "" {
			names[u.ID] = u.DisplayName()
		}
	}
	s = userMentionRE.ReplaceAllStringFunc(s, func(tok string) string {
		id := userMentionRE.FindStringSubmatch(tok)[1]
		if n := names[id]; n != "" {
			return "@" + n
		}
		return tok
	})
	if channelName != nil {
		s = channelMentionRE.ReplaceAllStringFunc(s, func(tok string) string {
			if n := channelName(channelMentionRE.FindStringSubmatch(tok)[1]); n != "" {
				return "#" + n
			}
			return tok
		})
	}
	return customEmojiRE.ReplaceAllString(s, ":$1:")
}

// filesOf links a message's attachments and stickers (Relay does not copy
// them: Discord's CDN serves them).
func filesOf(m *discordgo.Message) []relay.ExternalFile {
	var out []relay.ExternalFile
	for _, a := range m.Attachments {
		if len(out) == maxInboundFiles {
			break
		}
		if a == nil || !strings.HasPrefix(a.URL, "https://") {
			continue
		}
		out = append(out, relay.ExternalFile{Name: a.Filename, ContentType: mediaType(a.ContentType), Kind: kindOf(a.ContentType), URL: a.URL})
	}
	for _, st := range m.StickerItems {
		if len(out) == maxInboundFiles {
			break
		}
		if st == nil || st.ID == "" || len(st.ID) > maxIDLen || strings.Trim(st.ID, "0123456789") != "" {
			continue
		}
		ext, ct := ".png", "image/png"
		switch st.FormatType {
		case discordgo.StickerFormatTypeGIF:
			ext, ct = ".gif", "image/gif"
		case discordgo.StickerFormatTypeLottie:
			ext, ct = ".json", "application/json"
		}
		out = append(out, relay.ExternalFile{Name: st.Name, ContentType: ct, Kind: "sticker",
			URL: "https://media.discordapp.net/stickers/" + st.ID + ext})
	}
	return out
}

func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	return mt
}

// kindOf is what Relay previews: image, video, audio or file.
func kindOf(contentType string) string {
	mt := mediaType(contentType)
	for _, k := range []string{"image", "video", "audio"} {
		if strings.HasPrefix(mt, k+"/") {
			return k
		}
	}
	return "file"
}
