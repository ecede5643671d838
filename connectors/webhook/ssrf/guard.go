// Package ssrf keeps outgoing webhooks from reaching the server's own
// network: loopback, private, link-local (cloud metadata at
// 169.254.169.254), CGNAT, unique-local and other non-public addresses are
// refused unless the operator allows them.
//
// The check runs twice. At creation, CheckURL resolves the URL's host and
// refuses it when any address is blocked, so an admin learns at once. At
// delivery, Dialer's Control refuses the address the connection is really
// about to use, after DNS resolution: a name that resolved to a public
// address at creation and to 127.0.0.1 now (DNS rebinding) is still
// refused. Redirects are not followed by the client (see
// connectors/webhook), so a public URL cannot bounce a request inwards.
//
// ssrf imports only the standard library; app uses it for the creation check.
package ssrf

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrBlocked is wrapped by every refusal of an address.
var ErrBlocked = errors.New("address not allowed for webhooks")

// blocked lists the ranges that are not the public internet. IPv4-mapped
// IPv6 addresses are unmapped before the check; NAT64 addresses are checked
// by the IPv4 address they embed.
var blocked = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8",       // "this network", 0.0.0.0 reaches the local host
		"10.0.0.0/8",      // private
		"100.64.0.0/10",   // carrier-grade NAT (shared address space)
		"127.0.0.0/8",     // loopback
		"169.254.0.0/16",  // link-local, cloud metadata
		"172.16.0.0/12",   // private
		"192.0.0.0/24",    // IETF protocol assignments
		"192.0.2.0/24",    // documentation
		"192.88.99.0/24",  // 6to4 relay anycast (deprecated)
		"192.168.0.0/16",  // private
		"198.18.0.0/15",   // benchmarking
		"198.51.100.0/24", // documentation
		"203.0.113.0/24",  // documentation
		"224.0.0.0/4",     // multicast
		"240.0.0.0/4",     // reserved, and 255.255.255.255 broadcast
		"::/128",          // unspecified
		"::1/128",         // loopback
		"100::/64",        // discard-only
		"2001:db8::/32",   // documentation
		"fc00::/7",        // unique local
		"fe80::/10",       // link-local
		"fec0::/10",       // site-local (deprecated)
		"ff00::/8",        // multicast
		"2002::/16",       // 6to4: embeds an IPv4 address, may reach inside
		"2001::/32",       // Teredo: likewise
		"64:ff9b:1::/48",  // local-use NAT64
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// Blocked reports whether ip is not a public unicast address.
func Blocked(ip netip.Addr) bool {
	if !ip.IsValid() {
		return true
	}
	ip = ip.Unmap()
	if ip.Is6() && nat64.Contains(ip) {
		b := ip.As16()
		return Blocked(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
	}
	for _, p := range blocked {
		if p.Contains(ip) {
			return true
		}
	}
	// Belt and braces for anything the table misses.
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified()
}

// Resolver looks host names up; *net.Resolver satisfies it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Guard decides which addresses outgoing webhooks may reach. Its zero
// value refuses every blocked address and resolves with net.DefaultResolver.
type Guard struct {
	// AllowPrivate lifts the guard (RELAY_WEBHOOK_ALLOW_PRIVATE): every
	// address is allowed. For deployments whose automation runs on the
	// same private network, and for tests on loopback.
	AllowPrivate bool
	// Resolver resolves host names for CheckURL; nil: net.DefaultResolver.
	Resolver Resolver
}

// CheckIP returns an error wrapping ErrBlocked when ip may not be reached.
func (g Guard) CheckIP(ip netip.Addr) error {
	if g.AllowPrivate || !Blocked(ip) {
		return nil
	}
	return fmt.Errorf("%w: %s is not a public address", ErrBlocked, ip.Unmap())
}

// URLError is a URL refused by CheckURL, with a sentence for the admin.
type URLError struct {
	Msg string
	Err error // ErrBlocked for a blocked address; nil for a malformed URL
}

func (e *URLError) Error() string { return e.Msg }
func (e *URLError) Unwrap() error { return e.Err }

// MaxURLLength bounds a webhook URL.
const MaxURLLength = 2048

// CheckURL checks that raw is an absolute http(s) URL whose host resolves
// only to allowed addresses. Errors are *URLError.
func (g Guard) CheckURL(ctx context.Context, raw string) error {
	bad := func(format string, args ...any) error { return &URLError{Msg: fmt.Sprintf(format, args...)} }
	if len(raw) > MaxURLLength {
		return bad("The URL must be at most %d characters.", MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Opaque != "" {
		return bad("The URL must be an absolute http:// or https:// URL.")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return bad("The URL must use http or https.")
	}
	host := u.Hostname()
	if host == "" {
		return bad("The URL must name a host.")
	}
	if p := u.Port(); p != "" {
		if n, err := parsePort(p); err != nil || n == 0 {
			return bad("The URL's port is not valid.")
		}
	}
	if g.AllowPrivate {
		return nil
	}
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(strings.TrimSuffix(host, ".")); err == nil {
		addrs = []netip.Addr{ip.WithZone("")}
	} else {
		r := g.Resolver
		if r == nil {
			r = net.DefaultResolver
		}
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		addrs, err = r.LookupNetIP(ctx, "ip", host)
		if err != nil || len(addrs) == 0 {
			return bad("The URL's host %q could not be resolved.", host)
		}
	}
	for _, ip := range addrs {
		if err := g.CheckIP(ip); err != nil {
			return &URLError{Msg: fmt.Sprintf("The URL's host %q is a private, loopback or otherwise internal address (%s); webhooks may only reach the public internet.", host, ip.Unmap()), Err: err}
		}
	}
	return nil
}

func parsePort(p string) (int, error) {
	n := 0
	for _, c := range p {
		if c < '0' || c > '9' {
			return 0, errors.New("not a number")
		}
		n = n*10 + int(c-'0')
		if n > 65535 {
			return 0, errors.New("out of range")
		}
	}
	return n, nil
}

// Control is a net.Dialer Control function: it runs after DNS resolution,
// just before each connection attempt, and refuses blocked addresses.
func (g Guard) Control(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %q", ErrBlocked, address)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %q is not an IP address", ErrBlocked, host)
	}
	return g.CheckIP(ip)
}

// Dialer returns a dialer that refuses blocked addresses at connect time.
func (g Guard) Dialer(timeout time.Duration) *net.Dialer {
	return &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: g.Control}
}
