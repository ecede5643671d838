package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// api is a small REST client for setup: it sends the workspace's Host
// header and a bearer token, and decodes JSON answers.
type api struct {
	base       *url.URL // http://127.0.0.1:8080
	baseDomain string
	metricsTok string // bearer for /metrics; "" sends none
	client     *http.Client
	// spread makes each sign-up and invitation accept come from its own
	// random 127.0.0.0/8 source address (see Config.SpreadSourceIPs).
	spread bool
}

// apiError is a non-2xx answer.
type apiError struct {
	Status int
	Code   string
	Msg    string
	Op     string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s: HTTP %d %s: %s", e.Op, e.Status, e.Code, e.Msg)
}

func newTransport(local net.Addr, conns int) *http.Transport {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, LocalAddr: local}
	return &http.Transport{
		DialContext:         d.DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
}

// randomLoopback returns a random address in 127.0.0.0/8 other than
// 127.0.0.1 (Linux answers the whole block on lo without setup).
func randomLoopback() net.Addr {
	var b [4]byte
	for {
		_, _ = rand.Read(b[:])
		v := binary.BigEndian.Uint32(b[:]) & 0x00ffffff
		if v > 1 && v != 0x00ffffff {
			return &net.TCPAddr{IP: net.IPv4(127, byte(v>>16), byte(v>>8), byte(v))}
		}
	}
}

// do sends method path on host (a subdomain, or "" for the apex) with body
// encoded as JSON, and decodes the answer into out (if not nil).
func (a *api) do(ctx context.Context, client *http.Client, op, method, sub, path, token string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	u := *a.base
	u.Path = path
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return err
	}
	req.Host = a.host(sub)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if client == nil {
		client = a.client
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error struct{ Code, Message string }
		}
		_ = json.Unmarshal(data, &e)
		if e.Error.Code == "" {
			e.Error.Message = strings.TrimSpace(string(data))
		}
		return &apiError{Status: resp.StatusCode, Code: e.Error.Code, Msg: e.Error.Message, Op: op}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s: decode: %w", op, err)
		}
	}
	return nil
}

func (a *api) host(sub string) string {
	if sub == "" {
		return a.baseDomain
	}
	return sub + "." + a.baseDomain
}

// oneShot returns a client for a single request from a random loopback
// source address when spreading, else the shared client.
func (a *api) oneShot() (*http.Client, func()) {
	if !a.spread {
		return a.client, func() {}
	}
	t := newTransport(randomLoopback(), 1)
	t.DisableKeepAlives = true
	return &http.Client{Transport: t, Timeout: a.client.Timeout}, t.CloseIdleConnections
}

type authResult struct {
	Token string `json:"token"`
	User  struct {
		ID string `json:"id"`
	} `json:"user"`
	Workspace struct {
		ID        string `json:"id"`
		Subdomain string `json:"subdomain"`
	} `json:"workspace"`
}

const benchPassword = "relay-bench-password"

func (a *api) signup(ctx context.Context, sub string) (*authResult, error) {
	client, done := a.oneShot()
	defer done()
	var out authResult
	err := a.do(ctx, client, "sign up", "POST", "", "/api/v1/signup", "", map[string]string{
		"workspace_name": "Bench " + sub, "subdomain": sub, "email": "owner@" + sub + ".bench.test",
		"password": benchPassword, "display_name": "Bench owner",
	}, &out)
	return &out, err
}

func (a *api) invite(ctx context.Context, sub, token, email string) (string, error) {
	var out struct {
		Token string `json:"token"`
	}
	err := a.do(ctx, nil, "invite", "POST", sub, "/api/v1/invites", token,
		map[string]string{"email": email, "role": "member"}, &out)
	return out.Token, err
}

func (a *api) accept(ctx context.Context, sub, inviteToken, name string) (*authResult, error) {
	client, done := a.oneShot()
	defer done()
	var out authResult
	err := a.do(ctx, client, "accept invite", "POST", sub, "/api/v1/invites/"+url.PathEscape(inviteToken)+"/accept", "",
		map[string]string{"display_name": name, "password": benchPassword}, &out)
	return &out, err
}

func (a *api) createChannel(ctx context.Context, sub, token, name string, userIDs []string) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	err := a.do(ctx, nil, "create channel", "POST", sub, "/api/v1/channels", token,
		map[string]any{"name": name, "kind": "public", "user_ids": userIDs}, &out)
	return out.ID, err
}

// unlimitMessages turns the workspace's per-user message rate limit off
// (PATCH /api/v1/workspace as its owner): the tool measures what the server
// sustains, which a limit meant for people would cap.
func (a *api) unlimitMessages(ctx context.Context, sub, token string) error {
	return a.do(ctx, nil, "turn the message rate limit off", "PATCH", sub, "/api/v1/workspace", token,
		map[string]int{"message_rate": 0}, nil)
}

func (a *api) deleteWorkspace(ctx context.Context, sub, token string) error {
	return a.do(ctx, nil, "delete workspace", "DELETE", sub, "/api/v1/workspace", token,
		map[string]string{"confirm": sub}, nil)
}

// goMem is the server's Go memory from /metrics (the Go collector).
type goMem struct {
	HeapInuse, StackInuse, Goroutines float64
}

// metrics scrapes the figures of goMem from /metrics; ok is false when the
// server does not expose them.
func (a *api) metrics(ctx context.Context) (m goMem, ok bool) {
	u := *a.base
	u.Path = "/metrics"
	req, err := http.NewRequestWithContext(ctx, "GET", u.String(), nil)
	if err != nil {
		return m, false
	}
	req.Host = a.baseDomain
	if a.metricsTok != "" {
		req.Header.Set("Authorization", "Bearer "+a.metricsTok)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return m, false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		return m, false
	}
	found := 0
	for _, line := range strings.Split(string(body), "\n") {
		name, val, okCut := strings.Cut(line, " ")
		if !okCut {
			continue
		}
		var dst *float64
		switch name {
		case "go_memstats_heap_inuse_bytes":
			dst = &m.HeapInuse
		case "go_memstats_stack_inuse_bytes":
			dst = &m.StackInuse
		case "go_goroutines":
			dst = &m.Goroutines
		default:
			continue
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
			*dst = v
			found++
		}
	}
	return m, found == 3
}
