package discord

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"runtime"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/relayhq/relay"
)

// Intents are what the listener asks for: guilds (channel names), guild
// messages, and their content (a privileged intent to enable in the
// developer portal).
const Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsMessageContent

// Listener timing.
const (
	// openTimeout bounds a connection attempt up to READY or RESUMED (a
	// gateway that accepts the socket and says nothing).
	openTimeout = 30 * time.Second
	// stableAfter is how long a connection must have lived for the next
	// reconnect to start again from the shortest delay.
	stableAfter = time.Minute
)

// gateway is the listener's state.
type gateway struct {
	mu      sync.Mutex
	running bool
	cancel  context.CancelFunc
	done    chan struct{}
	ctx     context.Context // Run's, for the event handlers

	// dropped is signalled when discordgo loses the connection (it does
	// not reconnect by itself here: Run does, with backoff).
	dropped chan struct{}
	// raw is the last dialled TCP connection: closing it unblocks a
	// connection attempt that hangs.
	raw sync.Map // net.Conn → struct{}
}

func (g *gateway) closeRaw() {
	g.raw.Range(func(k, _ any) bool {
		_ = k.(net.Conn).Close()
		g.raw.Delete(k)
		return true
	})
}

func (g *gateway) stop() {
	g.mu.Lock()
	running, cancel, done := g.running, g.cancel, g.done
	g.mu.Unlock()
	if !running {
		return
	}
	cancel()
	g.closeRaw()
	<-done
}

func (g *gateway) context() context.Context {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ctx == nil {
		return context.Background()
	}
	return g.ctx
}

// trackedConn forgets itself when closed.
type trackedConn struct {
	net.Conn
	g *gateway
}

func (c *trackedConn) Close() error {
	c.g.raw.Delete(c)
	return c.Conn.Close()
}

func (b *Bot) setupGateway() {
	s := b.s
	// Handlers run in the reading goroutine, in gateway order: an edit is
	// never applied before its message.
	s.SyncEvents = true
	s.ShouldReconnectOnError = false
	s.Compress = false
	s.Identify.Compress = false
	s.Identify.Intents = Intents
	s.Identify.LargeThreshold = 50
	s.Identify.Properties = discordgo.IdentifyProperties{OS: runtime.GOOS, Browser: "relay", Device: "relay"}
	// Channel names (conversation names, #mentions) come from the state
	// that GUILD_CREATE fills; messages are not kept.
	s.StateEnabled = true
	s.State.MaxMessageCount = 0

	b.gw.dropped = make(chan struct{}, 1)
	d := *websocket.DefaultDialer
	d.HandshakeTimeout = 15 * time.Second
	nd := &net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}
	d.NetDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := nd.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		tc := &trackedConn{Conn: c, g: &b.gw}
		b.gw.raw.Store(tc, struct{}{})
		return tc, nil
	}
	s.Dialer = &d

	s.AddHandler(func(_ *discordgo.Session, e *discordgo.Disconnect) {
		select {
		case b.gw.dropped <- struct{}{}:
		default:
		}
	})
	s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) {
		if r.User != nil && r.User.ID != "" {
			id := r.User.ID
			b.botID.Store(&id)
		}
		b.log.Info("discord: gateway ready", "guilds", len(r.Guilds))
	})
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) {
		b.log.Info("discord: gateway resumed")
	})
	s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) {
		if m.Message != nil {
			b.onCreate(b.gw.context(), m.Message)
		}
	})
	s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageUpdate) {
		if m.Message != nil {
			b.onUpdate(b.gw.context(), m.Message)
		}
	})
	s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageDelete) {
		if m.Message != nil {
			b.onDelete(b.gw.context(), m.GuildID, m.ChannelID, m.ID)
		}
	})
	s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageDeleteBulk) {
		ctx := b.gw.context()
		for _, id := range m.Messages {
			b.onDelete(ctx, m.GuildID, m.ChannelID, id)
		}
	})
}

// BotUserID is the bot's own Discord user id, once known (READY or
// GET /users/@me).
func (b *Bot) BotUserID() string {
	if p := b.botID.Load(); p != nil {
		return *p
	}
	return ""
}

// Run is the gateway listener: it connects (IDENTIFY with Intents),
// resumes after every drop, reconnects with exponential backoff and
// jitter, and feeds bridged channels' messages to Relay, until ctx ends or
// Close. Run one per process.
func (b *Bot) Run(ctx context.Context) error {
	b.gw.mu.Lock()
	if b.gw.running {
		b.gw.mu.Unlock()
		return errors.New("discord: the gateway listener already runs")
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	b.gw.running, b.gw.cancel, b.gw.done, b.gw.ctx = true, cancel, done, ctx
	b.gw.mu.Unlock()
	defer func() {
		cancel()
		b.gw.mu.Lock()
		b.gw.running = false
		b.gw.mu.Unlock()
		close(done)
	}()

	backoff := b.cfg.MinBackoff
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		err := b.connect(ctx)
		b.setProblem(err)
		if err == nil {
			opened := time.Now()
			select {
			case <-ctx.Done():
				_ = b.s.Close()
				return ctx.Err()
			case <-b.gw.dropped:
			}
			if ctx.Err() != nil {
				_ = b.s.Close()
				return ctx.Err()
			}
			if time.Since(opened) >= stableAfter {
				// A long-lived connection dropped: resume at once.
				backoff = b.cfg.MinBackoff
				continue
			}
			b.log.Warn("discord: gateway connection lost; resuming")
		} else {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			b.log.Error("discord: gateway connection failed", "err", err, "hint", closeHint(err), "retry_in", backoff)
		}
		if !sleep(ctx, jitter(backoff)) {
			return ctx.Err()
		}
		backoff = min(2*backoff, b.cfg.MaxBackoff)
	}
}

// connect learns the bot's id (checking the token) and opens the gateway:
// IDENTIFY the first time, RESUME with the session and last sequence after
// a drop (discordgo keeps both).
func (b *Bot) connect(ctx context.Context) error {
	if b.BotUserID() == "" {
		u, err := b.s.User("@me", discordgo.WithContext(ctx))
		if err != nil {
			return err
		}
		id := u.ID
		b.botID.Store(&id)
	}
	select { // a stale signal from the previous connection
	case <-b.gw.dropped:
	default:
	}
	t := time.AfterFunc(openTimeout, b.gw.closeRaw)
	defer t.Stop()
	err := b.s.Open()
	if errors.Is(err, discordgo.ErrWSAlreadyOpen) {
		return nil
	}
	return err
}

// Problem is what keeps the bot from Discord that only the operator can
// fix (a refused token, a missing intent), in plain words for workspace
// admins; "" while the last connection attempt succeeded or failed for a
// passing reason. Relay shows it as the status of Discord connectors.
func (b *Bot) Problem() string {
	if p := b.problem.Load(); p != nil {
		return *p
	}
	return ""
}

// setProblem records the outcome of a connection attempt for Problem.
func (b *Bot) setProblem(err error) {
	text := ""
	switch hint := closeHint(err); {
	case err == nil:
	case hint == hintToken:
		text = "Discord refused this Relay server's bot token, so no message can come in from Discord or go out to it. " +
			"The person who runs this Relay server must set the right bot token and restart it."
	case hint == hintIntent:
		text = "Discord does not let this Relay server's bot read message text. The person who runs this Relay server " +
			"must turn on the Message Content intent for the bot in Discord's developer portal."
	default:
		return // a passing failure: keep what we knew
	}
	if text == "" {
		b.problem.Store(nil)
		return
	}
	b.problem.Store(&text)
}

// What closeHint tells the operator.
const (
	hintToken  = "the bot token was refused (RELAY_DISCORD_BOT_TOKEN)"
	hintIntent = "enable the Message Content intent for the bot in Discord's developer portal"
)

// closeHint explains the gateway close codes an operator can fix.
func closeHint(err error) string {
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		var re *discordgo.RESTError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == 401 {
			return hintToken
		}
		return ""
	}
	switch ce.Code {
	case 4004:
		return hintToken
	case 4013, 4014:
		return hintIntent
	}
	return ""
}

func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	// 50–100 % of d: reconnecting processes spread out.
	return d/2 + rand.N(d/2+1)
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// bridged finds the connector of the guild and the conversation of the
// channel; ok is false when the channel is not bridged (or the connector
// is disabled): the message is none of Relay's business.
func (b *Bot) bridged(ctx context.Context, guildID, channelID string) (c *relay.Connector, name string, ok bool) {
	if guildID == "" || channelID == "" {
		return nil, "", false
	}
	var err error
	err = b.retry(ctx, func() error {
		c, _, err = b.relay.ConnectorByExternal(ctx, relay.ConnectorDiscord, guildID)
		return err
	})
	if err != nil {
		if relay.ErrorCode(err) != relay.ENOTFOUND {
			b.log.Error("discord: finding the guild's connector", "guild", guildID, "err", err)
		}
		return nil, "", false
	}
	if c.Status == relay.ConnectorDisabled {
		return nil, "", false
	}
	var conv *relay.Conversation
	err = b.retry(ctx, func() error {
		conv, err = b.relay.Conversation(ctx, c, conversationKey(channelID))
		return err
	})
	if err != nil {
		if relay.ErrorCode(err) != relay.ENOTFOUND {
			b.log.Error("discord: finding the channel's bridge", "channel", channelID, "err", err)
		}
		return nil, "", false
	}
	name = conv.Name
	if n := b.channelName(channelID); n != "" {
		name = n
	}
	return c, name, true
}

func (b *Bot) channelName(id string) string {
	if ch, err := b.s.State.Channel(id); err == nil && ch != nil {
		return ch.Name
	}
	return ""
}

func (b *Bot) onCreate(ctx context.Context, m *discordgo.Message) {
	if !accepted(m, b.BotUserID()) {
		return
	}
	c, name, ok := b.bridged(ctx, m.GuildID, m.ChannelID)
	if !ok {
		return
	}
	in := toExternalIn(m, b.channelName)
	in.Connector, in.ConversationName = c, name
	if err := b.retry(ctx, func() error { _, err := b.relay.ReceiveExternal(ctx, in); return err }); err != nil {
		b.log.Error("discord: storing a message", "connector", c.ID, "message", m.ID, "err", err)
	}
}

func (b *Bot) onUpdate(ctx context.Context, m *discordgo.Message) {
	// An update without an edit time is Discord adding an embed (a link
	// preview), not the author editing.
	if m.EditedTimestamp == nil || !accepted(m, b.BotUserID()) {
		return
	}
	body := renderContent(m, b.channelName)
	if body == "" {
		// Relay would read an empty edit as a deletion; attachments-only
		// messages have nothing to edit.
		return
	}
	c, _, ok := b.bridged(ctx, m.GuildID, m.ChannelID)
	if !ok {
		return
	}
	err := b.retry(ctx, func() error { return b.relay.EditExternal(ctx, c, m.ID, body) })
	if err != nil && relay.ErrorCode(err) != relay.ENOTFOUND {
		b.log.Error("discord: applying an edit", "connector", c.ID, "message", m.ID, "err", err)
	}
}

func (b *Bot) onDelete(ctx context.Context, guildID, channelID, messageID string) {
	if messageID == "" || len(messageID) > maxIDLen {
		return
	}
	c, _, ok := b.bridged(ctx, guildID, channelID)
	if !ok {
		return
	}
	// Deletions name no author: Relay finds the copy by id and deletes
	// only copies of outside messages.
	err := b.retry(ctx, func() error { return b.relay.DeleteExternal(ctx, c, messageID) })
	if err != nil && relay.ErrorCode(err) != relay.ENOTFOUND {
		b.log.Error("discord: applying a deletion", "connector", c.ID, "message", messageID, "err", err)
	}
}

// retry runs f up to four times while it fails for internal reasons (a
// busy database), so a hiccup does not lose a gateway event; answers such
// as ENOTFOUND return at once.
func (b *Bot) retry(ctx context.Context, f func() error) error {
	delay := 200 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil || attempt == 4 {
			return err
		}
		if code := relay.ErrorCode(err); code != relay.EINTERNAL && code != relay.EUNAVAILABLE {
			return err
		}
		if !sleep(ctx, delay) {
			return err
		}
		delay *= 4
	}
}
