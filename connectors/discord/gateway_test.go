package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/connectors/discord/discordfake"
	"github.com/relayhq/relay/internal/testenv"
)

var (
	alice = discordgo.User{ID: "900000000000000001", Username: "alice", GlobalName: "Alice A.", Avatar: "a1b2c3"}
	bob   = discordgo.User{ID: "900000000000000002", Username: "bob"}
	other = discordgo.User{ID: "900000000000000003", Username: "otherbot", Bot: true}
)

// world is a fake Discord with one guild the bot joined: a bridged and an
// unbridged text channel.
type world struct {
	f                  *discordfake.Server
	r                  *fakeRelay
	guild              string
	bridged, unbridged string
	conn               *relay.Connector
	conv               *relay.Conversation
}

func newWorld(t *testing.T) *world {
	t.Helper()
	f := discordfake.New(t)
	w := &world{f: f, r: newFakeRelay()}
	w.guild = f.AddGuild("Acme")
	w.bridged = f.AddChannel(w.guild, discordgo.ChannelTypeGuildText, "support", 0, "")
	w.unbridged = f.AddChannel(w.guild, discordgo.ChannelTypeGuildText, "random", 1, "")
	f.Authorize(w.guild, "http://relay.test/hooks/discord/oauth")
	w.conn = w.r.connect(w.guild)
	w.conv = w.r.bridge(w.conn, w.bridged, "support (stale name)")
	return w
}

// waitReceived waits until Relay got n messages.
func (w *world) waitReceived(t *testing.T, n int) {
	t.Helper()
	testenv.CheckFor(t, 10*time.Second, 5*time.Millisecond, func() error {
		if got := len(w.r.receivedIDs()); got < n {
			return fmt.Errorf("received %d messages, want %d", got, n)
		}
		return nil
	})
}

func TestGatewayIdentify(t *testing.T) {
	w := newWorld(t)
	w.f.SetHeartbeatInterval(40 * time.Millisecond)
	b := runBot(t, w.f, w.r)

	ids := w.f.Identifies()
	if len(ids) != 1 {
		t.Fatalf("%d IDENTIFY, want 1", len(ids))
	}
	if got, want := ids[0].Intents, 1<<0|1<<9|1<<15; got != want {
		t.Errorf("intents %d, want %d (GUILDS|GUILD_MESSAGES|MESSAGE_CONTENT)", got, want)
	}
	if ids[0].Token != "Bot "+discordfake.BotToken {
		t.Errorf("identify token %q", ids[0].Token)
	}
	var payload map[string]any
	_ = json.Unmarshal(ids[0].Raw, &payload)
	payload["properties"].(map[string]any)["$os"] = "<os>"
	payload["token"] = "<token>"
	raw, _ := json.Marshal(payload)
	golden(t, "identify", raw)

	if q := w.f.Queries(); len(q) != 1 || q[0] != "v=9&encoding=json" {
		t.Errorf("gateway queries %q, want v=9&encoding=json", q)
	}
	testenv.CheckFor(t, 10*time.Second, 5*time.Millisecond, func() error {
		if n := len(w.f.Heartbeats()); n < 3 {
			return fmt.Errorf("%d heartbeats, want ≥ 3", n)
		}
		return nil
	})
	if got := b.BotUserID(); got != discordfake.BotUserID {
		t.Errorf("bot id %q, want %q", got, discordfake.BotUserID)
	}
	// The gateway URL came from GET /gateway on the fake.
	if n := len(w.f.Requests("GET", "/gateway")); n != 1 {
		t.Errorf("%d GET /gateway, want 1", n)
	}
}

func TestGatewayRoutesBridgedChannelsOnly(t *testing.T) {
	w := newWorld(t)
	runBot(t, w.f, w.r)
	f := w.f
	otherGuild := f.AddGuild("Elsewhere")
	elsewhere := f.AddChannel(otherGuild, discordgo.ChannelTypeGuildText, "general", 0, "")

	att := discordgo.MessageAttachment{ID: "1", Filename: "photo.png", ContentType: "image/png", Size: 10,
		URL: "https://cdn.discordapp.com/attachments/1/2/photo.png"}
	doc := discordgo.MessageAttachment{ID: "2", Filename: "a.pdf", ContentType: "application/pdf", Size: 10,
		URL: "https://cdn.discordapp.com/attachments/1/3/a.pdf"}
	first := f.Post(discordfake.Message{ChannelID: w.bridged, Author: alice, Nick: "Ali", Content: "hi <@" + bob.ID + "> see <#" + w.unbridged + "> <:wave:123>",
		Mentions: []discordgo.User{bob}, Attachments: []discordgo.MessageAttachment{att, doc}})
	f.Say(w.unbridged, alice, "not bridged")
	f.Say(w.bridged, other, "another bot")
	f.Say(w.bridged, discordgo.User{ID: discordfake.BotUserID, Username: "Relay"}, "our own bot, flag missing")
	f.Post(discordfake.Message{ChannelID: w.bridged, Author: discordgo.User{ID: "55", Username: "Relay user", Bot: true},
		WebhookID: "55", Content: "our webhook's echo"})
	f.Post(discordfake.Message{ChannelID: w.bridged, Author: bob, Type: discordgo.MessageTypeGuildMemberJoin})
	f.Say(elsewhere, bob, "a guild Relay does not know")
	last := f.Say(w.bridged, bob, "second")
	w.waitReceived(t, 2)

	got, _, _ := w.r.snapshot()
	if ids := w.r.receivedIDs(); !slices.Equal(ids, []string{first.ID, last.ID}) {
		t.Fatalf("received %v, want only the two people's messages in the bridged channel %v", ids, []string{first.ID, last.ID})
	}
	in := got[0]
	if in.ConversationKey != "channel:"+w.bridged || in.ConversationName != "support" {
		t.Errorf("conversation %q %q, want channel:%s named after the Discord channel", in.ConversationKey, in.ConversationName, w.bridged)
	}
	if in.From.ExternalID != alice.ID || in.From.Name != "Ali" || in.From.AvatarURL != "https://cdn.discordapp.com/avatars/"+alice.ID+"/a1b2c3.png?size=128" {
		t.Errorf("author %+v", in.From)
	}
	if want := "hi @bob see #random :wave:"; in.Body != want {
		t.Errorf("body %q, want %q", in.Body, want)
	}
	if len(in.Files) != 2 || in.Files[0].Kind != "image" || in.Files[0].URL != att.URL || in.Files[0].Name != "photo.png" ||
		in.Files[1].Kind != "file" || len(in.Files[0].Data) != 0 {
		t.Errorf("files %+v", in.Files)
	}
	if in.Connector == nil || in.Connector.ExternalID != w.guild {
		t.Errorf("connector %+v", in.Connector)
	}
	if got[1].From.Name != "bob" {
		t.Errorf("author without nick or global name: %q, want the username", got[1].From.Name)
	}

	// Edits and deletes follow, for bridged channels only; a link
	// preview (an update without edited_timestamp) is no edit.
	unb := f.Say(w.unbridged, bob, "x")
	f.Dispatch("MESSAGE_UPDATE", map[string]any{"id": first.ID, "channel_id": w.bridged, "guild_id": w.guild,
		"content": "embed only", "edited_timestamp": nil, "author": map[string]any{"id": alice.ID, "username": "alice"}, "type": 0})
	f.Edit(unb.ID, "y")
	f.Edit(first.ID, "hello <@"+bob.ID+">")
	f.Delete(unb.ID)
	f.Delete(last.ID)
	f.Dispatch("MESSAGE_DELETE_BULK", map[string]any{"ids": []string{"777", "778"}, "channel_id": w.bridged, "guild_id": w.guild})
	testenv.CheckFor(t, 10*time.Second, 5*time.Millisecond, func() error {
		_, edits, deletes := w.r.snapshot()
		if len(edits) < 1 || len(deletes) < 3 {
			return fmt.Errorf("edits %v deletes %v", edits, deletes)
		}
		return nil
	})
	_, edits, deletes := w.r.snapshot()
	if want := []edit{{first.ID, "hello @bob"}}; !slices.Equal(edits, want) {
		t.Errorf("edits %v, want %v", edits, want)
	}
	if want := []string{last.ID, "777", "778"}; !slices.Equal(deletes, want) {
		t.Errorf("deletes %v, want %v", deletes, want)
	}
}

func TestGatewayRetriesABusyRelay(t *testing.T) {
	w := newWorld(t)
	w.r.failNext = 2
	runBot(t, w.f, w.r)
	m := w.f.Say(w.bridged, alice, "kept despite two failures")
	w.waitReceived(t, 1)
	if ids := w.r.receivedIDs(); !slices.Equal(ids, []string{m.ID}) {
		t.Errorf("received %v", ids)
	}
}

// A drop in the middle of a stream of events: the bot resumes its session
// and the gateway replays what it missed; nothing is lost or doubled.
func TestGatewayResumesAfterDropMidStream(t *testing.T) {
	w := newWorld(t)
	runBot(t, w.f, w.r)
	f := w.f
	var want []string
	for i := range 2 {
		want = append(want, f.Say(w.bridged, alice, fmt.Sprint("before ", i)).ID)
	}
	w.waitReceived(t, 2)
	f.DropAfter(2) // the next two events are written, then the connection is cut
	for i := range 5 {
		want = append(want, f.Say(w.bridged, bob, fmt.Sprint("during ", i)).ID)
	}
	w.waitReceived(t, 7)
	waitLive(t, f, 2)

	// Cut again while idle; what is said meanwhile is replayed.
	f.Drop()
	for i := range 3 {
		want = append(want, f.Say(w.bridged, alice, fmt.Sprint("while away ", i)).ID)
	}
	w.waitReceived(t, 10)
	waitLive(t, f, 3)
	want = append(want, f.Say(w.bridged, bob, "after").ID)
	w.waitReceived(t, 11)

	if got := w.r.receivedIDs(); !slices.Equal(got, want) {
		t.Errorf("received %v\nwant each once, in order: %v", got, want)
	}
	if n := len(f.Identifies()); n != 1 {
		t.Errorf("%d IDENTIFY, want 1 (the session was resumed)", n)
	}
	rs := f.Resumes()
	if len(rs) != 2 {
		t.Fatalf("%d RESUME, want 2", len(rs))
	}
	if rs[0].SessionID == "" || rs[1].SessionID != rs[0].SessionID || rs[0].Seq <= 0 || rs[1].Seq <= rs[0].Seq {
		t.Errorf("resumes %+v: want the READY session and growing sequence numbers", rs)
	}
	if rs[0].Token != "Bot "+discordfake.BotToken {
		t.Errorf("resume token %q", rs[0].Token)
	}
}

// A session the gateway no longer knows (op 9) is identified afresh.
func TestGatewayIdentifiesAgainWhenTheSessionIsGone(t *testing.T) {
	w := newWorld(t)
	runBot(t, w.f, w.r)
	w.f.Drop()
	w.f.ForgetSessions()
	testenv.CheckFor(t, 10*time.Second, 5*time.Millisecond, func() error {
		if n := len(w.f.Identifies()); n != 2 {
			return fmt.Errorf("%d IDENTIFY, want 2", n)
		}
		return nil
	})
	waitLive(t, w.f, 2)
	m := w.f.Say(w.bridged, alice, "after a new session")
	w.waitReceived(t, 1)
	if ids := w.r.receivedIDs(); !slices.Equal(ids, []string{m.ID}) {
		t.Errorf("received %v", ids)
	}
	if n := len(w.f.Resumes()); n != 1 {
		t.Errorf("%d RESUME, want 1 (refused)", n)
	}
}

// Op 7 (Reconnect): the bot reconnects and resumes.
func TestGatewayReconnectRequest(t *testing.T) {
	w := newWorld(t)
	runBot(t, w.f, w.r)
	w.f.RequestReconnect()
	testenv.CheckFor(t, 10*time.Second, 5*time.Millisecond, func() error {
		if n := len(w.f.Resumes()); n != 1 {
			return fmt.Errorf("%d RESUME, want 1", n)
		}
		return nil
	})
	waitLive(t, w.f, 2)
	m := w.f.Say(w.bridged, alice, "still here")
	w.waitReceived(t, 1)
	if ids := w.r.receivedIDs(); !slices.Equal(ids, []string{m.ID}) {
		t.Errorf("received %v", ids)
	}
}

// Failures before the gateway answers are retried with backoff until it
// does.
func TestGatewayRetriesUntilDiscordAnswers(t *testing.T) {
	w := newWorld(t)
	for range 3 {
		w.f.FailNext("GET", "/users/@me", 502, `{"message": "Bad Gateway", "code": 0}`, nil)
	}
	runBot(t, w.f, w.r)
	if n := len(w.f.Requests("GET", "/users/@me")); n != 4 {
		t.Errorf("%d GET /users/@me, want 4 (three failures, then success)", n)
	}
	m := w.f.Say(w.bridged, alice, "hello")
	w.waitReceived(t, 1)
	if ids := w.r.receivedIDs(); !slices.Equal(ids, []string{m.ID}) {
		t.Errorf("received %v", ids)
	}
}

func TestGatewayDisallowedIntentKeepsRetrying(t *testing.T) {
	w := newWorld(t)
	w.f.RefuseMessageContent()
	b := newBot(t, w.f, w.r)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	testenv.CheckFor(t, 10*time.Second, 5*time.Millisecond, func() error {
		if n := len(w.f.Identifies()); n < 2 {
			return fmt.Errorf("%d IDENTIFY, want ≥ 2 (retried)", n)
		}
		return nil
	})
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v, want context.Canceled", err)
	}
}

func TestCloseHint(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&websocket.CloseError{Code: 4004}, "token"},
		{&websocket.CloseError{Code: 4014}, "Message Content intent"},
		{&websocket.CloseError{Code: 4000}, ""},
		{errors.New("boom"), ""},
	} {
		if got := closeHint(tc.err); (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("closeHint(%v) = %q, want it to mention %q", tc.err, got, tc.want)
		}
	}
}

func TestCloseStopsRun(t *testing.T) {
	w := newWorld(t)
	b := newBot(t, w.f, w.r)
	done := make(chan error, 1)
	go func() { done <- b.Run(context.Background()) }()
	waitLive(t, w.f, 1)
	if err := b.Run(context.Background()); err == nil {
		t.Error("a second Run started")
	}
	_ = b.Close()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v after Close, want context.Canceled", err)
	}
}

func TestEndpointsAreProcessWide(t *testing.T) {
	f := discordfake.New(t)
	newBot(t, f, newFakeRelay())
	if _, err := New(Config{BotToken: "t", ApplicationID: "1", APIURL: "http://127.0.0.1:1/api/v9"}, newFakeRelay()); err == nil {
		t.Fatal("a second bot with another API URL was accepted while the first is open")
	}
	if discordgo.EndpointChannels != f.APIURL()+"/channels/" || discordgo.EndpointGateway != f.APIURL()+"/gateway" {
		t.Errorf("endpoints %q %q not pointed at the fake", discordgo.EndpointChannels, discordgo.EndpointGateway)
	}
}

func TestGatewayURLOverride(t *testing.T) {
	w := newWorld(t)
	b, err := New(Config{BotToken: discordfake.BotToken, ApplicationID: discordfake.ApplicationID, APIURL: w.f.APIURL(),
		GatewayURL: w.f.GatewayURL(), MinBackoff: 10 * time.Millisecond}, w.r)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	defer func() { cancel(); <-done; _ = b.Close() }()
	waitLive(t, w.f, 1)
	if n := len(w.f.Requests("GET", "/gateway")); n != 0 {
		t.Errorf("%d GET /gateway with a configured gateway URL, want 0", n)
	}
}
