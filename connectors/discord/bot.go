package discord

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/relayhq/relay"
)

// Defaults of Config.
const (
	DefaultAPIURL       = "https://discord.com/api/v9"
	DefaultAuthorizeURL = "https://discord.com/oauth2/authorize"
)

// Config configures the shared bot (RELAY_DISCORD_* variables).
type Config struct {
	// BotToken is the bot's token (without the "Bot " prefix),
	// ApplicationID its application (client) id and ClientSecret the
	// application's OAuth2 secret.
	BotToken, ApplicationID, ClientSecret string
	// BaseURL is Relay's public apex address: the OAuth2 redirect is
	// BaseURL + "/hooks/discord/oauth".
	BaseURL string
	// APIURL is Discord's REST base with its version (RELAY_DISCORD_API_URL;
	// default DefaultAPIURL).
	APIURL string
	// GatewayURL, when set, is used instead of asking GET /gateway
	// (RELAY_DISCORD_GATEWAY_URL).
	GatewayURL string
	// AuthorizeURL is the OAuth2 authorisation page (default
	// DefaultAuthorizeURL).
	AuthorizeURL string
	// HTTPClient makes the REST calls (default: 20 s timeout).
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Backoff bounds the listener's reconnect delays (defaults 1 s and 2 min).
	MinBackoff, MaxBackoff time.Duration
}

// Relay is what the bot needs from Relay; the app's Connectors service
// (*app.Connectors) implements it.
type Relay interface {
	ConnectorByExternal(ctx context.Context, typ, externalID string) (*relay.Connector, map[string]string, error)
	// Conversation finds a bridged channel's mapping (ENOTFOUND: not bridged).
	Conversation(ctx context.Context, c *relay.Connector, key string) (*relay.Conversation, error)
	ReceiveExternal(ctx context.Context, in relay.ExternalIn) (*relay.Message, error)
	EditExternal(ctx context.Context, c *relay.Connector, externalMessageID, body string) error
	DeleteExternal(ctx context.Context, c *relay.Connector, externalMessageID string) error
	SetConversationSecrets(ctx context.Context, conv *relay.Conversation, secrets map[string]string) error
	SetDiscordGuild(ctx context.Context, state, guildID string) (*relay.Connector, error)
	SiteURL(ctx context.Context, workspaceID relay.ID) string
}

var (
	_ relay.Deliverer        = (*Bot)(nil)
	_ relay.DiscordDirectory = (*Bot)(nil)
)

// Bot is the shared Discord bot: invite, directory, gateway listener and
// deliverer. Its methods are safe for concurrent use; Run runs at most once
// at a time.
type Bot struct {
	cfg   Config
	relay Relay
	log   *slog.Logger
	s     *discordgo.Session

	botID atomic.Pointer[string]
	// problem is what the operator must fix (Problem), nil when none.
	problem atomic.Pointer[string]
	// noHook remembers channels where the bot may not create webhooks
	// (missing permission), so deliveries there skip the attempt for a while.
	noHook sync.Map // channel id → time.Time

	gw gateway

	closeOnce sync.Once
}

// New makes the bot. It points discordgo's process-wide endpoints at
// cfg.APIURL; a second live Bot with another API URL is refused. Close
// releases them.
func New(cfg Config, r Relay) (*Bot, error) {
	if cfg.BotToken == "" || cfg.ApplicationID == "" {
		return nil, errors.New("discord: the bot token and application id are required")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	cfg.APIURL = strings.TrimRight(cfg.APIURL, "/")
	if u, err := url.Parse(cfg.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("discord: the API URL %q is not an http(s) URL", cfg.APIURL)
	}
	if cfg.AuthorizeURL == "" {
		cfg.AuthorizeURL = DefaultAuthorizeURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 20 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = time.Second
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(2*time.Minute, cfg.MinBackoff)
	}
	if err := useAPI(cfg.APIURL); err != nil {
		return nil, err
	}
	s, err := discordgo.New("Bot " + cfg.BotToken)
	if err != nil {
		releaseAPI()
		return nil, err
	}
	b := &Bot{cfg: cfg, relay: r, log: cfg.Logger, s: s}
	client := *cfg.HTTPClient
	if cfg.GatewayURL != "" {
		client.Transport = gatewayOverride{base: transportOf(cfg.HTTPClient), api: cfg.APIURL, gateway: cfg.GatewayURL}
	}
	s.Client = &client
	// Retries are the outbox's business: a 429 or a 5xx comes back at once
	// and the row is tried again later, without holding a worker.
	s.ShouldRetryOnRateLimit = false
	s.MaxRestRetries = 0
	b.setupGateway()
	return b, nil
}

// Close stops the listener (if it runs) and releases the endpoints.
func (b *Bot) Close() error {
	b.closeOnce.Do(func() {
		b.gw.stop()
		releaseAPI()
	})
	return nil
}

// The discordgo endpoints are package variables shared by every session in
// the process.
var endpoints struct {
	sync.Mutex
	api   string
	users int
}

func useAPI(api string) error {
	endpoints.Lock()
	defer endpoints.Unlock()
	if endpoints.users > 0 && endpoints.api != api {
		return fmt.Errorf("discord: discordgo's endpoints are process-wide and already point at %s", endpoints.api)
	}
	if endpoints.api != api {
		setEndpoints(api)
		endpoints.api = api
	}
	endpoints.users++
	return nil
}

func releaseAPI() {
	endpoints.Lock()
	defer endpoints.Unlock()
	endpoints.users--
}

// setEndpoints reassigns every discordgo endpoint variable derived from the
// API base (the function endpoints read these at call time). The CDN stays
// Discord's: its URLs are shown to browsers, not called.
func setEndpoints(api string) {
	u, _ := url.Parse(api)
	discordgo.EndpointDiscord = u.Scheme + "://" + u.Host + "/"
	discordgo.EndpointAPI = api + "/"
	a := discordgo.EndpointAPI
	discordgo.EndpointGuilds = a + "guilds/"
	discordgo.EndpointChannels = a + "channels/"
	discordgo.EndpointUsers = a + "users/"
	discordgo.EndpointGateway = a + "gateway"
	discordgo.EndpointGatewayBot = discordgo.EndpointGateway + "/bot"
	discordgo.EndpointWebhooks = a + "webhooks/"
	discordgo.EndpointStickers = a + "stickers/"
	discordgo.EndpointStageInstances = a + "stage-instances"
	discordgo.EndpointSKUs = a + "skus"
	discordgo.EndpointVoice = a + "/voice/"
	discordgo.EndpointVoiceRegions = discordgo.EndpointVoice + "regions"
	discordgo.EndpointGuildCreate = a + "guilds"
	discordgo.EndpointApplications = a + "applications"
	discordgo.EndpointNitroStickersPacks = a + "/sticker-packs"
}

func transportOf(c *http.Client) http.RoundTripper {
	if c != nil && c.Transport != nil {
		return c.Transport
	}
	return http.DefaultTransport
}

// gatewayOverride answers GET /gateway and /gateway/bot with the configured
// gateway URL (discordgo asks the API for it before every fresh connection).
type gatewayOverride struct {
	base         http.RoundTripper
	api, gateway string
}

func (g gatewayOverride) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodGet {
		full := r.URL.Scheme + "://" + r.URL.Host + r.URL.Path
		if full == g.api+"/gateway" || full == g.api+"/gateway/bot" {
			body := fmt.Sprintf(`{"url":%q,"shards":1}`, g.gateway)
			return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
				Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewBufferString(body)),
				ContentLength: int64(len(body)), Request: r}, nil
		}
	}
	return g.base.RoundTrip(r)
}

// reply is the HTTP outcome of one REST call, caught under discordgo (its
// errors do not carry the status of every failure, nor Retry-After).
type reply struct {
	status int
	header http.Header
}

type catcher struct {
	base http.RoundTripper
	r    *reply
}

func (c catcher) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(req)
	if resp != nil {
		c.r.status, c.r.header = resp.StatusCode, resp.Header.Clone()
	}
	return resp, err
}

// call runs one REST call with ctx and returns what Discord answered along
// with the error.
func (b *Bot) call(ctx context.Context, f func(opts ...discordgo.RequestOption) error) (*reply, error) {
	r := &reply{}
	client := &http.Client{Transport: catcher{base: transportOf(b.s.Client), r: r}, Timeout: b.s.Client.Timeout}
	err := f(discordgo.WithContext(ctx), discordgo.WithClient(client))
	return r, err
}

// apiError is a failed REST call, described without the URL (a webhook URL
// holds its token) and classified for retries.
type apiError struct {
	Status     int
	Code       int // Discord's JSON error code (10015 unknown webhook…), 0 if none
	Message    string
	RetryAfter time.Duration
}

func (e *apiError) Error() string {
	switch {
	case e.Status == 0:
		return "Discord could not be reached: " + e.Message
	case e.Code != 0:
		return fmt.Sprintf("Discord answered HTTP %d: %s (code %d)", e.Status, e.Message, e.Code)
	case e.Message != "":
		return fmt.Sprintf("Discord answered HTTP %d: %s", e.Status, e.Message)
	}
	return fmt.Sprintf("Discord answered HTTP %d", e.Status)
}

// Discord JSON error codes the deliverer reacts to.
const (
	codeUnknownChannel     = 10003
	codeUnknownMessage     = 10008
	codeUnknownWebhook     = 10015
	codeMaxWebhooks        = 30007
	codeMissingAccess      = 50001
	codeMissingPermissions = 50013
)

// describe turns a discordgo error and the caught reply into an *apiError.
func describe(err error, r *reply) *apiError {
	if err == nil {
		return nil
	}
	e := &apiError{Status: r.status}
	var rest *discordgo.RESTError
	var rl *discordgo.RateLimitError
	var ue *url.Error
	switch {
	case errors.As(err, &rest):
		if rest.Response != nil {
			e.Status = rest.Response.StatusCode
		}
		if rest.Message != nil {
			e.Code, e.Message = rest.Message.Code, rest.Message.Message
		}
	case errors.As(err, &rl):
		e.Status = http.StatusTooManyRequests
		e.Message = "rate limited"
		if rl.TooManyRequests != nil {
			e.RetryAfter = rl.RetryAfter
		}
	case errors.As(err, &ue):
		// url.Error names the URL; keep only the cause.
		e.Status, e.Message = 0, ue.Err.Error()
	case r.status >= 200 && r.status < 300:
		e.Message = "unreadable answer: " + err.Error()
	case r.status != 0:
		e.Message = http.StatusText(r.status)
	default:
		e.Message = err.Error()
	}
	if e.Status == http.StatusTooManyRequests {
		if h := retryAfterHeader(r.header); h > e.RetryAfter {
			e.RetryAfter = h
		}
		if e.RetryAfter <= 0 {
			e.RetryAfter = time.Second
		}
	}
	if len(e.Message) > 300 {
		e.Message = e.Message[:300]
	}
	return e
}

// retryAfterHeader reads Retry-After (seconds, possibly fractional) or,
// failing that, X-RateLimit-Reset-After.
func retryAfterHeader(h http.Header) time.Duration {
	for _, k := range []string{"Retry-After", "X-RateLimit-Reset-After"} {
		v := h.Get(k)
		if v == "" {
			continue
		}
		var f float64
		if _, err := fmt.Sscanf(v, "%g", &f); err == nil && f > 0 && f < 24*3600 {
			return time.Duration(f * float64(time.Second))
		}
		if t, err := http.ParseTime(v); err == nil {
			if d := time.Until(t); d > 0 {
				return d
			}
		}
	}
	return 0
}

// deliveryError says how the outbox should treat a failed call: 429 after
// its delay, 400/401/403/404 never again, the rest with backoff.
func deliveryError(e *apiError) error {
	de := &relay.DeliveryError{Err: e, ResponseCode: e.Status}
	switch {
	case e.Status == http.StatusTooManyRequests:
		de.RetryAfter = e.RetryAfter
	case e.Status >= 400 && e.Status < 500 && e.Status != http.StatusRequestTimeout:
		de.Permanent = true
	}
	return de
}
