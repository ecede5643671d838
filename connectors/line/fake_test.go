package line

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/connectors/line/linefake"
	"github.com/relayhq/relay/internal/testenv"
)

// fakeRelay stands in for *app.Connectors: it records what the connector asks of
// it and behaves like the app where the connector depends on it (a
// redelivered message id posts nothing; a recorded event id is not fresh).
type fakeRelay struct {
	mu         sync.Mutex
	connectors map[relay.ID]*relay.Connector
	creds      map[relay.ID]map[string]string
	received   []relay.ExternalIn
	messageIDs map[string]bool
	deleted    []string
	states     []string // "<connector>|<external id>|<state>"
	marked     map[string]int
	joinCodes  map[string]*relay.Connector // code → shared connector
	links      map[string]*relay.Connector // external id → shared connector
	joins      []relay.ExternalContact
	health     []string // "<connector>|<error text or ok>"

	receiveErrs []error       // returned by the next ReceiveExternal calls
	block       chan struct{} // when set, ReceiveExternal waits for it to close
	markErr     error
}

func newFakeRelay() *fakeRelay {
	return &fakeRelay{connectors: map[relay.ID]*relay.Connector{}, creds: map[relay.ID]map[string]string{},
		messageIDs: map[string]bool{}, marked: map[string]int{}, joinCodes: map[string]*relay.Connector{},
		links: map[string]*relay.Connector{}}
}

func (f *fakeRelay) ReportConnectorHealth(_ context.Context, c *relay.Connector, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	text := "ok"
	if err != nil {
		text = err.Error()
	}
	f.health = append(f.health, c.ID.String()+"|"+text)
}

func (f *fakeRelay) healthReports() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.health...)
}

func (f *fakeRelay) addConnector(c *relay.Connector, creds map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.connectors[c.ID], f.creds[c.ID] = c, creds
}

func (f *fakeRelay) ReceiveExternal(ctx context.Context, in relay.ExternalIn) (*relay.Message, error) {
	f.mu.Lock()
	block := f.block
	f.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.receiveErrs) > 0 {
		err := f.receiveErrs[0]
		f.receiveErrs = f.receiveErrs[1:]
		return nil, err
	}
	k := in.Connector.ID.String() + "|" + in.MessageID
	if f.messageIDs[k] {
		return &relay.Message{}, nil
	}
	f.messageIDs[k] = true
	f.received = append(f.received, in)
	return &relay.Message{Body: in.Body}, nil
}

func (f *fakeRelay) DeleteExternal(ctx context.Context, c *relay.Connector, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.messageIDs[c.ID.String()+"|"+id] {
		return relay.Errorf(relay.ENOTFOUND, "No such message.")
	}
	f.deleted = append(f.deleted, id)
	return nil
}

func (f *fakeRelay) SetContactState(ctx context.Context, c *relay.Connector, externalID, state string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.states = append(f.states, c.ID.String()+"|"+externalID+"|"+state)
	return nil
}

func (f *fakeRelay) MarkHookEvent(ctx context.Context, c *relay.Connector, eventID string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.markErr != nil {
		return false, f.markErr
	}
	k := c.ID.String() + "|" + eventID
	f.marked[k]++
	return f.marked[k] == 1, nil
}

func (f *fakeRelay) ConnectorForHook(ctx context.Context, id relay.ID) (*relay.Connector, map[string]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.connectors[id]
	if !ok {
		return nil, nil, relay.Errorf(relay.ENOTFOUND, "Connector not found.")
	}
	return c, f.creds[id], nil
}

func (f *fakeRelay) JoinShared(ctx context.Context, typ, code string, who relay.ExternalContact) (*relay.Connector, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.joinCodes[strings.ToUpper(code)]
	if !ok || typ != relay.ConnectorLINE {
		return nil, relay.Errorf(relay.ENOTFOUND, "Unknown join code.")
	}
	f.links[who.ExternalID] = c
	f.joins = append(f.joins, who)
	return c, nil
}

func (f *fakeRelay) SharedRoute(ctx context.Context, typ, externalID string) (*relay.Connector, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.links[externalID]
	if !ok {
		return nil, relay.Errorf(relay.ENOTFOUND, "Not linked.")
	}
	return c, nil
}

func (f *fakeRelay) snapshot() (received []relay.ExternalIn, states, deleted []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]relay.ExternalIn(nil), f.received...), append([]string(nil), f.states...), append([]string(nil), f.deleted...)
}

const (
	ownSecret    = "own-channel-secret"
	ownToken     = "own-access-token"
	sharedSecret = "shared-channel-secret"
	sharedToken  = "shared-access-token"
)

// rig is a connector wired to a fake Relay and a fake LINE platform, with
// one own-bot connector (id 100) and one shared-bot connector (id 200,
// join code JOINCODE).
type rig struct {
	t     testing.TB
	relay *fakeRelay
	line  *linefake.Server
	conn  *Connector
	own   *relay.Connector
	share *relay.Connector
	srv   *httptest.Server
}

func newRig(t testing.TB, cfg Config) *rig {
	t.Helper()
	r := &rig{t: t, relay: newFakeRelay(), line: linefake.New(t)}
	r.own = &relay.Connector{ID: 100, WorkspaceID: 1, Type: relay.ConnectorLINE, Model: relay.ModelOwn, Status: relay.ConnectorActive, Name: "Acme LINE"}
	r.share = &relay.Connector{ID: 200, WorkspaceID: 2, Type: relay.ConnectorLINE, Model: relay.ModelShared, Status: relay.ConnectorActive, JoinCode: "JOINCODE"}
	r.relay.addConnector(r.own, map[string]string{CredChannelSecret: ownSecret, CredAccessToken: ownToken})
	r.relay.addConnector(r.share, map[string]string{})
	r.relay.addConnector(&relay.Connector{ID: 300, WorkspaceID: 1, Type: relay.ConnectorDiscord, Status: relay.ConnectorActive},
		map[string]string{CredChannelSecret: ownSecret})
	r.relay.joinCodes["JOINCODE"] = r.share
	r.line.AcceptTokens(ownToken, sharedToken)
	cfg.APIURL, cfg.DataAPIURL = r.line.URL, r.line.URL
	cfg.SharedSecret, cfg.SharedToken = sharedSecret, sharedToken
	if cfg.RetryWait == 0 {
		cfg.RetryWait = time.Millisecond
	}
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	r.conn = New(r.relay, cfg)
	t.Cleanup(func() { r.close() })
	mux := http.NewServeMux()
	mux.HandleFunc("POST /hooks/line/shared", r.conn.ServeSharedHook)
	mux.HandleFunc("POST /hooks/line/{id}", func(w http.ResponseWriter, req *http.Request) {
		id, err := relay.ParseID(req.PathValue("id"))
		if err != nil {
			http.NotFound(w, req)
			return
		}
		r.conn.ServeHook(w, req, id)
	})
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	return r
}

// close drains the connector's queue: every accepted event is processed
// when it returns.
func (r *rig) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.conn.Close(ctx); err != nil {
		r.t.Errorf("Close: %v", err)
	}
}

// post sends a webhook body with the given signature header ("" for none).
func (r *rig) post(path, sig string, body []byte) (int, string) {
	r.t.Helper()
	req, _ := http.NewRequest("POST", r.srv.URL+path, strings.NewReader(string(body)))
	if sig != "" {
		req.Header.Set(SignatureHeader, sig)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// hook posts events to the own bot's webhook, signed, and wants 200.
func (r *rig) hook(events ...linefake.Event) {
	r.t.Helper()
	body := linefake.Body(events...)
	if code, b := r.post("/hooks/line/100", linefake.Sign(ownSecret, body), body); code != 200 {
		r.t.Fatalf("webhook: %d %s", code, b)
	}
}

// sharedHook posts events to the shared bot's webhook, signed, wants 200.
func (r *rig) sharedHook(events ...linefake.Event) {
	r.t.Helper()
	body := linefake.Body(events...)
	if code, b := r.post("/hooks/line/shared", linefake.Sign(sharedSecret, body), body); code != 200 {
		r.t.Fatalf("shared webhook: %d %s", code, b)
	}
}

var errFlaky = errors.New("database is busy")

// markedCount is how many times an event was recorded; "" counts all.
func (f *fakeRelay) markedCount(k string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if k != "" {
		return f.marked[k]
	}
	n := 0
	for _, v := range f.marked {
		n += v
	}
	return n
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	testenv.CheckFor(t, 10*time.Second, 2*time.Millisecond, func() error {
		if !cond() {
			return errors.New("condition not met")
		}
		return nil
	})
}
