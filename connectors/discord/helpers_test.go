package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/connectors/discord/discordfake"
	"github.com/relayhq/relay/internal/testenv"
)

// The app implements what the connector needs of it.
var _ Relay = (*app.Connectors)(nil)

// Tests here start Bots, which point discordgo's process-wide endpoints at
// their fake: none of them may call t.Parallel.

var ids = relay.NewIDGen()

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fakeRelay is the app as the bot sees it, recording what it is told.
type fakeRelay struct {
	mu         sync.Mutex
	connectors map[string]*relay.Connector    // guild id → connector
	convs      map[string]*relay.Conversation // connector id + key → conversation
	states     map[string]*relay.Connector    // valid OAuth states
	conflict   bool                           // SetDiscordGuild answers ECONFLICT
	received   []relay.ExternalIn
	edits      []edit
	deletes    []string
	secrets    map[relay.ID]map[string]string
	guildSets  []string
	failNext   int // ReceiveExternal fails this many times (internal error)
}

type edit struct{ ID, Body string }

func newFakeRelay() *fakeRelay {
	return &fakeRelay{connectors: map[string]*relay.Connector{}, convs: map[string]*relay.Conversation{},
		states: map[string]*relay.Connector{}, secrets: map[relay.ID]map[string]string{}}
}

// connect makes a connector of a guild.
func (r *fakeRelay) connect(guildID string) *relay.Connector {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := &relay.Connector{ID: ids.New(), WorkspaceID: ids.New(), Type: relay.ConnectorDiscord, Name: "Discord",
		Model: relay.ModelShared, Status: relay.ConnectorActive, ExternalID: guildID}
	r.connectors[guildID] = c
	return c
}

// bridge maps a Discord channel of c.
func (r *fakeRelay) bridge(c *relay.Connector, channelID, name string) *relay.Conversation {
	r.mu.Lock()
	defer r.mu.Unlock()
	conv := &relay.Conversation{ID: ids.New(), WorkspaceID: c.WorkspaceID, ConnectorID: c.ID, ChannelID: ids.New(),
		Key: "channel:" + channelID, Name: name}
	r.convs[c.ID.String()+"|"+conv.Key] = conv
	return conv
}

func (r *fakeRelay) ConnectorByExternal(_ context.Context, typ, externalID string) (*relay.Connector, map[string]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c := r.connectors[externalID]; c != nil && typ == relay.ConnectorDiscord {
		cp := *c
		return &cp, map[string]string{}, nil
	}
	return nil, nil, relay.Errorf(relay.ENOTFOUND, "Connector not found.")
}

func (r *fakeRelay) Conversation(_ context.Context, c *relay.Connector, key string) (*relay.Conversation, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if conv := r.convs[c.ID.String()+"|"+key]; conv != nil {
		cp := *conv
		return &cp, nil
	}
	return nil, relay.Errorf(relay.ENOTFOUND, "Conversation not found.")
}

func (r *fakeRelay) ReceiveExternal(_ context.Context, in relay.ExternalIn) (*relay.Message, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failNext > 0 {
		r.failNext--
		return nil, relay.Errorf(relay.EINTERNAL, "database is busy")
	}
	r.received = append(r.received, in)
	return &relay.Message{ID: ids.New(), Body: in.Body}, nil
}

func (r *fakeRelay) EditExternal(_ context.Context, c *relay.Connector, id, body string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.edits = append(r.edits, edit{id, body})
	return nil
}

func (r *fakeRelay) DeleteExternal(_ context.Context, c *relay.Connector, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.deletes = append(r.deletes, id)
	return nil
}

func (r *fakeRelay) SetConversationSecrets(_ context.Context, conv *relay.Conversation, s map[string]string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets[conv.ID] = s
	return nil
}

func (r *fakeRelay) SetDiscordGuild(_ context.Context, state, guildID string) (*relay.Connector, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.states[state]
	if c == nil {
		return nil, relay.Errorf(relay.EINVALID, "This Discord authorisation link is invalid or has expired; start again from Relay's settings.")
	}
	if r.conflict {
		return nil, relay.Errorf(relay.ECONFLICT, "That Discord server is already connected to a workspace.")
	}
	r.guildSets = append(r.guildSets, guildID)
	c.ExternalID = guildID
	return c, nil
}

func (r *fakeRelay) SiteURL(_ context.Context, ws relay.ID) string { return "http://acme.relay.test" }

func (r *fakeRelay) receivedIDs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []string
	for _, in := range r.received {
		ids = append(ids, in.MessageID)
	}
	return ids
}

func (r *fakeRelay) snapshot() (received []relay.ExternalIn, edits []edit, deletes []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.received), slices.Clone(r.edits), slices.Clone(r.deletes)
}

// newBot makes a Bot on the fake, closed when the test ends.
func newBot(t *testing.T, f *discordfake.Server, r Relay) *Bot {
	t.Helper()
	b, err := New(Config{BotToken: discordfake.BotToken, ApplicationID: discordfake.ApplicationID,
		ClientSecret: discordfake.ClientSecret, BaseURL: "http://relay.test", APIURL: f.APIURL(),
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond}, r)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// runBot starts the listener and waits until the gateway is READY.
func runBot(t *testing.T, f *discordfake.Server, r Relay) *Bot {
	t.Helper()
	b := newBot(t, f, r)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	waitLive(t, f, 1)
	return b
}

// waitLive waits for a live gateway connection after `accepted` connections.
func waitLive(t *testing.T, f *discordfake.Server, accepted int) {
	t.Helper()
	testenv.CheckFor(t, 10*time.Second, 5*time.Millisecond, func() error {
		if a, live := f.Connections(); a < accepted || live != 1 {
			return fmt.Errorf("connections accepted %d live %d, want ≥%d and 1", a, live, accepted)
		}
		return nil
	})
}

// golden compares JSON with testdata/<name>.json (canonical form);
// -update rewrites it.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(got, &v); err != nil {
		t.Fatalf("%s: not JSON: %v: %s", name, err, got)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
	canon := buf.Bytes()
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, canon, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(canon, want) {
		t.Errorf("%s differs from %s:\n got: %s\nwant: %s", name, path, canon, want)
	}
}
