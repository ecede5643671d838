package ssrf

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestBlocked(t *testing.T) {
	tests := []struct {
		ip      string
		blocked bool
	}{
		{"127.0.0.1", true},
		{"127.255.1.2", true},
		{"::1", true},
		{"10.0.0.1", true},
		{"10.255.255.255", true},
		{"172.16.0.1", true},
		{"172.31.255.254", true},
		{"172.32.0.1", false}, // just past 172.16/12
		{"192.168.1.1", true},
		{"169.254.169.254", true}, // cloud metadata
		{"fe80::1", true},
		{"fc00::1", true},
		{"fd12:3456::1", true},
		{"0.0.0.0", true},
		{"::", true},
		{"100.64.0.1", true},
		{"100.127.255.254", true},
		{"100.128.0.1", false}, // just past CGNAT
		{"224.0.0.1", true},
		{"ff02::1", true},
		{"255.255.255.255", true},
		{"::ffff:127.0.0.1", true}, // IPv4-mapped loopback
		{"::ffff:10.1.2.3", true},
		{"64:ff9b::a00:1", true}, // NAT64 of 10.0.0.1
		{"64:ff9b::808:808", false},
		{"8.8.8.8", false},
		{"1.1.1.1", false},
		{"93.184.215.14", false},
		{"2606:4700:4700::1111", false},
		{"::ffff:8.8.8.8", false},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			ip := netip.MustParseAddr(tt.ip)
			if got := Blocked(ip); got != tt.blocked {
				t.Fatalf("Blocked(%s) = %v, want %v", tt.ip, got, tt.blocked)
			}
			err := Guard{}.CheckIP(ip)
			if (err != nil) != tt.blocked || (err != nil && !errors.Is(err, ErrBlocked)) {
				t.Fatalf("CheckIP(%s) = %v, want blocked %v", tt.ip, err, tt.blocked)
			}
			if err := (Guard{AllowPrivate: true}).CheckIP(ip); err != nil {
				t.Fatalf("AllowPrivate: CheckIP(%s) = %v", tt.ip, err)
			}
		})
	}
	if !Blocked(netip.Addr{}) {
		t.Fatal("the zero address is allowed")
	}
}

// fakeResolver answers from a table; unknown names do not resolve.
type fakeResolver map[string][]string

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	ips, ok := f[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var out []netip.Addr
	for _, s := range ips {
		out = append(out, netip.MustParseAddr(s))
	}
	return out, nil
}

func TestCheckURL(t *testing.T) {
	r := fakeResolver{
		"hooks.example.com":  {"93.184.215.14"},
		"loopback.example":   {"127.0.0.1"},
		"mixed.example":      {"93.184.215.14", "10.0.0.5"}, // one bad address is enough to refuse
		"v6-local.example":   {"::1"},
		"metadata.example":   {"169.254.169.254"},
		"v6-public.example":  {"2606:4700:4700::1111"},
		"mapped-lo.example":  {"::ffff:127.0.0.1"},
		"cgnat.example":      {"100.64.1.1"},
		"unique-loc.example": {"fd00::1"},
	}
	tests := []struct {
		url     string
		blocked bool // refused as an internal address
		bad     bool // refused as malformed or unresolvable
	}{
		{url: "https://hooks.example.com/n8n/webhook/abc"},
		{url: "http://hooks.example.com:8080/x?y=1"},
		{url: "https://v6-public.example/"},
		{url: "https://8.8.8.8/hook"},
		{url: "https://[2606:4700:4700::1111]/hook"},
		{url: "http://127.0.0.1:9000/", blocked: true},
		{url: "http://[::1]/", blocked: true},
		{url: "http://10.1.2.3/", blocked: true},
		{url: "http://172.16.5.4/", blocked: true},
		{url: "http://192.168.0.10/", blocked: true},
		{url: "http://169.254.169.254/latest/meta-data/", blocked: true},
		{url: "http://[fe80::1]/", blocked: true},
		{url: "http://[fe80::1%25eth0]/", blocked: true},
		{url: "http://[fc00::1]/", blocked: true},
		{url: "http://0.0.0.0:8080/", blocked: true},
		{url: "http://100.64.0.1/", blocked: true},
		{url: "http://[::ffff:127.0.0.1]/", blocked: true},
		{url: "http://loopback.example/", blocked: true},
		{url: "http://mixed.example/", blocked: true},
		{url: "http://v6-local.example/", blocked: true},
		{url: "http://metadata.example/", blocked: true},
		{url: "http://mapped-lo.example/", blocked: true},
		{url: "http://cgnat.example/", blocked: true},
		{url: "http://unique-loc.example/", blocked: true},
		{url: "ftp://hooks.example.com/", bad: true},
		{url: "file:///etc/passwd", bad: true},
		{url: "gopher://hooks.example.com/", bad: true},
		{url: "hooks.example.com/path", bad: true},
		{url: "/relative", bad: true},
		{url: "", bad: true},
		{url: "http://", bad: true},
		{url: "http://:80/", bad: true},
		{url: "http://hooks.example.com:99999/", bad: true},
		{url: "http://hooks.example.com:0/", bad: true},
		{url: "mailto:a@example.com", bad: true},
		{url: "http://nosuch.example/", bad: true},
		{url: "https://hooks.example.com/" + strings.Repeat("a", MaxURLLength), bad: true},
	}
	g := Guard{Resolver: r}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			err := g.CheckURL(context.Background(), tt.url)
			var ue *URLError
			switch {
			case !tt.blocked && !tt.bad:
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
			case err == nil:
				t.Fatal("allowed")
			case !errors.As(err, &ue) || ue.Msg == "":
				t.Fatalf("error %T %v, want a *URLError with a message", err, err)
			case errors.Is(err, ErrBlocked) != tt.blocked:
				t.Fatalf("errors.Is(ErrBlocked) = %v, want %v (%v)", !tt.blocked, tt.blocked, err)
			}
			// The operator's switch lifts the address check, never the
			// shape check.
			err = Guard{Resolver: r, AllowPrivate: true}.CheckURL(context.Background(), tt.url)
			if tt.bad && tt.url != "http://nosuch.example/" {
				if err == nil {
					t.Fatal("AllowPrivate accepted a malformed URL")
				}
			} else if err != nil {
				t.Fatalf("AllowPrivate refused: %v", err)
			}
		})
	}
}

// TestDialerRefusesAfterResolution checks the connect-time guard: whatever
// a name resolved to at creation, the address actually dialled is checked.
func TestDialerRefusesAfterResolution(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())

	// A name that passed CheckURL (it "resolved" publicly then) but resolves
	// to loopback at delivery: a DNS rebinding.
	g := Guard{Resolver: fakeResolver{"rebind.example": {"93.184.215.14"}}}
	if err := g.CheckURL(context.Background(), "http://rebind.example:"+port+"/"); err != nil {
		t.Fatalf("creation check: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, addr := range []string{"127.0.0.1:" + port, "localhost:" + port} {
		c, err := g.Dialer(2*time.Second).DialContext(ctx, "tcp", addr)
		if err == nil {
			c.Close()
			t.Fatalf("dial %s: connected, want refused", addr)
		}
		if !errors.Is(err, ErrBlocked) {
			t.Fatalf("dial %s: %v, want ErrBlocked", addr, err)
		}
	}
	// The same dial is allowed when the operator lifts the guard.
	c, err := Guard{AllowPrivate: true}.Dialer(2*time.Second).DialContext(ctx, "tcp", "127.0.0.1:"+port)
	if err != nil {
		t.Fatalf("AllowPrivate dial: %v", err)
	}
	c.Close()
}

func TestControl(t *testing.T) {
	g := Guard{}
	for addr, ok := range map[string]bool{
		"8.8.8.8:443": true, "[2606:4700:4700::1111]:443": true,
		"127.0.0.1:80": false, "[::1]:80": false, "[fe80::1%eth0]:80": false, "169.254.169.254:80": false,
		"not-an-ip:80": false, "garbage": false,
	} {
		err := g.Control("tcp", addr, nil)
		if (err == nil) != ok {
			t.Errorf("Control(%q) = %v, want allowed %v", addr, err, ok)
		}
	}
}
