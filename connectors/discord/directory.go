package discord

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/bwmarrin/discordgo"

	"github.com/relayhq/relay"
)

// TextChannels lists the guild's text and announcement channels with
// their category names, in Discord's order: channels outside categories
// first, then each category by its position, then by position within it.
func (b *Bot) TextChannels(ctx context.Context, guildID string) ([]relay.DiscordChannel, error) {
	if !snowflake(guildID) {
		return nil, relay.Errorf(relay.EINVALID, "That is not a Discord server id.")
	}
	var chs []*discordgo.Channel
	r, err := b.call(ctx, func(opts ...discordgo.RequestOption) error {
		var err error
		chs, err = b.s.GuildChannels(guildID, opts...)
		return err
	})
	if e := describe(err, r); e != nil {
		switch e.Status {
		case http.StatusForbidden, http.StatusNotFound:
			return nil, errors.New("the bot is not in that Discord server any more (it was removed or the server deleted); invite it again")
		case http.StatusUnauthorized:
			return nil, errors.New("Discord refused the bot's token")
		}
		return nil, e
	}
	type cat struct {
		name string
		pos  int
	}
	cats := map[string]cat{}
	for _, c := range chs {
		if c != nil && c.Type == discordgo.ChannelTypeGuildCategory {
			cats[c.ID] = cat{c.Name, c.Position}
		}
	}
	type row struct {
		relay.DiscordChannel
		inCat  bool
		catPos int
		catID  string
	}
	var rows []row
	for _, c := range chs {
		if c == nil || (c.Type != discordgo.ChannelTypeGuildText && c.Type != discordgo.ChannelTypeGuildNews) {
			continue
		}
		rw := row{DiscordChannel: relay.DiscordChannel{ID: c.ID, Name: c.Name, Position: c.Position}}
		if k, ok := cats[c.ParentID]; ok {
			rw.Category, rw.inCat, rw.catPos, rw.catID = k.name, true, k.pos, c.ParentID
		}
		rows = append(rows, rw)
	}
	slices.SortStableFunc(rows, func(a, b row) int {
		if a.inCat != b.inCat {
			if a.inCat {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(a.catPos, b.catPos), cmp.Compare(a.catID, b.catID),
			cmp.Compare(a.Position, b.Position), cmp.Compare(len(a.ID), len(b.ID)), cmp.Compare(a.ID, b.ID))
	})
	out := make([]relay.DiscordChannel, len(rows))
	for i, rw := range rows {
		out[i] = rw.DiscordChannel
	}
	return out, nil
}
