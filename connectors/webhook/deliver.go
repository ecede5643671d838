package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/ssrf"
)

// DefaultTimeout bounds one delivery attempt, from dial to the response's
// headers and the first 64 KiB of its body.
const DefaultTimeout = 10 * time.Second

// Config configures a Deliverer.
type Config struct {
	// AllowPrivate lifts the SSRF guard (RELAY_WEBHOOK_ALLOW_PRIVATE):
	// receivers on loopback and private networks are reached.
	AllowPrivate bool
	// Timeout bounds an attempt; zero: DefaultTimeout.
	Timeout time.Duration
	// Now is the clock the signatures' timestamps come from; nil: time.Now.
	Now func() time.Time
	// UserAgent is sent with every delivery; empty: "Relay-Webhooks/1".
	UserAgent string
}

// Deliverer POSTs outbox rows of kind webhook to their subscription's URL.
// It is safe for concurrent use.
type Deliverer struct {
	client  *http.Client
	now     func() time.Time
	ua      string
	timeout time.Duration
}

var _ relay.Deliverer = (*Deliverer)(nil)

// NewDeliverer returns a Deliverer whose HTTP client refuses internal
// addresses at connect time (unless AllowPrivate), uses no proxy, and
// does not follow redirects.
func NewDeliverer(c Config) *Deliverer {
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.UserAgent == "" {
		c.UserAgent = "Relay-Webhooks/1"
	}
	return &Deliverer{client: NewClient(ssrf.Guard{AllowPrivate: c.AllowPrivate}, c.Timeout), now: c.Now, ua: c.UserAgent, timeout: c.Timeout}
}

// NewClient returns the HTTP client outgoing webhooks use: every
// connection's address is checked by g after DNS resolution, no proxy from
// the environment is used (it would be dialled instead of the receiver),
// and a redirect is returned as the response rather than followed.
func NewClient(g ssrf.Guard, timeout time.Duration) *http.Client {
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           g.Dialer(timeout).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Envelope is the body of every delivery.
type Envelope struct {
	// ID is the outbox row id, the same on every retry (HeaderID).
	ID        int64     `json:"id"`
	Event     string    `json:"event"`
	CreatedAt time.Time `json:"created_at"`
	// Workspace is the id of the workspace the event happened in.
	Workspace string `json:"workspace"`
	// Data is the event's payload (docs/connectors.md lists each event's).
	Data json.RawMessage `json:"data"`
}

// Body returns the JSON body delivered for an outbox row.
func Body(item *relay.OutboxItem) ([]byte, error) {
	data := json.RawMessage(item.Payload)
	if len(bytes.TrimSpace(data)) == 0 {
		data = json.RawMessage(`{}`)
	}
	if !json.Valid(data) {
		return nil, errors.New("the event's payload is not valid JSON")
	}
	return json.Marshal(Envelope{ID: item.ID, Event: item.Event, CreatedAt: item.CreatedAt.UTC(),
		Workspace: item.WorkspaceID.String(), Data: data})
}

// Deliver implements relay.Deliverer: one signed POST. A 2xx is success; 408,
// 429 (with its Retry-After), 5xx and network failures are retried; a
// redirect, 410 and other 4xx are permanent; so is an address the guard
// refuses. Every outcome with a response carries its status code.
func (d *Deliverer) Deliver(ctx context.Context, o *relay.Outgoing) (relay.Sent, error) {
	sub := o.Subscription
	if sub == nil {
		return relay.Sent{}, relay.Permanent(errors.New("The subscription no longer exists."))
	}
	if !sub.Active {
		return relay.Sent{}, relay.Skip
	}
	if o.Secret == "" {
		return relay.Sent{}, relay.Permanent(errors.New("The subscription has no signing secret."))
	}
	body, err := Body(&o.Item)
	if err != nil {
		return relay.Sent{}, relay.Permanent(err)
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.URL, bytes.NewReader(body))
	if err != nil {
		return relay.Sent{}, relay.Permanent(fmt.Errorf("The subscription's URL cannot be used: %v", err))
	}
	ts := d.now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", d.ua)
	req.Header.Set(HeaderID, strconv.FormatInt(o.Item.ID, 10))
	req.Header.Set(HeaderEvent, o.Item.Event)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(o.Secret, ts, body))

	resp, err := d.client.Do(req)
	if err != nil {
		return relay.Sent{}, d.transportError(err)
	}
	excerpt := readExcerpt(resp.Body)
	resp.Body.Close()
	return classify(resp, excerpt, d.now())
}

func (d *Deliverer) transportError(err error) error {
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, ssrf.ErrBlocked):
		// The name resolves inside the server's network now (rebinding, or
		// a changed record): not something a retry fixes.
		return &relay.DeliveryError{Err: fmt.Errorf("The webhook URL resolves to an internal address, which webhooks may not reach (%v).", cause(err)), Permanent: true}
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return &relay.DeliveryError{Err: fmt.Errorf("The receiver did not answer within %v.", d.timeout)}
	case errors.As(err, &dnsErr):
		return &relay.DeliveryError{Err: fmt.Errorf("The receiver's host could not be resolved (%s).", dnsErr.Err)}
	}
	return &relay.DeliveryError{Err: fmt.Errorf("The receiver could not be reached (%v).", cause(err))}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// cause is the innermost error's text, without the URL (which the
// delivery log already shows) and the "dial tcp" noise.
func cause(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}

func classify(resp *http.Response, excerpt string, now time.Time) (relay.Sent, error) {
	code := resp.StatusCode
	fail := func(permanent bool, format string, args ...any) error {
		msg := fmt.Sprintf(format, args...)
		if excerpt != "" {
			msg += " It said: " + excerpt
		}
		return &relay.DeliveryError{Err: errors.New(msg), Permanent: permanent, ResponseCode: code}
	}
	switch {
	case code >= 200 && code < 300:
		return relay.Sent{ResponseCode: code}, nil
	case code >= 300 && code < 400:
		return relay.Sent{}, &relay.DeliveryError{Err: fmt.Errorf("The receiver redirected to %q; redirects are not followed: update the subscription's URL.",
			truncate(resp.Header.Get("Location"), 200)), Permanent: true, ResponseCode: code}
	case code == http.StatusGone:
		return relay.Sent{}, fail(true, "The receiver says this subscription is gone.")
	case code == http.StatusTooManyRequests:
		err := fail(false, "The receiver is rate limiting deliveries.")
		err.(*relay.DeliveryError).RetryAfter = retryAfter(resp.Header.Get("Retry-After"), now)
		return relay.Sent{}, err
	case code == http.StatusRequestTimeout:
		return relay.Sent{}, fail(false, "The receiver timed out reading the delivery.")
	case code >= 400 && code < 500:
		return relay.Sent{}, fail(true, "The receiver refused the delivery.")
	case code >= 500 && code < 600:
		return relay.Sent{}, fail(false, "The receiver failed.")
	}
	return relay.Sent{}, fail(false, "The receiver answered with an unexpected status.")
}

// maxRetryAfter caps what a receiver may ask for.
const maxRetryAfter = time.Hour

// retryAfter parses a Retry-After header: seconds, or an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(h, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		d = time.Duration(min(n, int64(maxRetryAfter/time.Second))) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxRetryAfter)
}

// readExcerpt drains up to 64 KiB of a response (so the connection can be
// reused) and returns its start as one printable line.
func readExcerpt(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, 64<<10))
	s := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return ' '
		}
		return r
	}, string(b))
	return truncate(strings.Join(strings.Fields(s), " "), 200)
}

func truncate(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
