// Package ssrf keeps requests the server makes on an admin's say-so
// (outgoing webhooks) from reaching the server's own network: loopback,
// private, link-local (cloud metadata at 169.254.169.254), CGNAT,
// unique-local and other non-public addresses are refused unless the
// operator allows them. An IPv6 address that carries an IPv4 address
// (IPv4-mapped, IPv4-compatible, IPv4-translated, NAT64, 6to4, Teredo,
// ISATAP) is judged by the IPv4 address it carries too, so [::127.0.0.1]
// is loopback.
//
// The check runs twice. At creation, CheckURL resolves the URL's host and
// refuses it when any address is blocked, so an admin learns at once. At
// delivery, Dialer's Control refuses the address the connection is really
// about to use, after DNS resolution: a name that resolved to a public
// address at creation and to 127.0.0.1 now (DNS rebinding) is still
// refused. Redirects are not followed by the client (see
// connectors/webhook), so a public URL cannot bounce a request inwards.
//
// ssrf imports only the standard library; app uses it for the creation
// check and connectors/webhook for the dialer.
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

// blocked lists the ranges that are not the public internet. Before the
// table, an IPv6 address that embeds an IPv4 address is checked by that
// address (embedded); 6to4, Teredo and local-use NAT64 are refused whole
// besides, since their relays and translators reach networks we cannot see.
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

// The IPv6 forms that carry an IPv4 address at a fixed place.
var (
	v4Mapped     = netip.MustParsePrefix("::ffff:0:0/96")   // RFC 4291: ::ffff:a.b.c.d
	v4Translated = netip.MustParsePrefix("::ffff:0:0:0/96") // RFC 2765 (SIIT): ::ffff:0:a.b.c.d
	v4Compatible = netip.MustParsePrefix("::/96")           // RFC 4291, deprecated: ::a.b.c.d
	nat64        = netip.MustParsePrefix("64:ff9b::/96")    // RFC 6052 well-known prefix
	nat64Local   = netip.MustParsePrefix("64:ff9b:1::/48")  // RFC 8215 local-use, RFC 6052 /48 layout
	sixToFour    = netip.MustParsePrefix("2002::/16")       // RFC 3056: 2002:aabb:ccdd::/48
	teredo       = netip.MustParsePrefix("2001::/32")       // RFC 4380: client address inverted in the last 32 bits
)

// embedded returns the IPv4 address ip carries and the name of its form,
// or ok false when ip is not one of the forms that carry one. An ISATAP
// interface identifier (RFC 5214: 0000:5efe or 0200:5efe, then the IPv4
// address) counts under any prefix.
func embedded(ip netip.Addr) (v4 netip.Addr, form string, ok bool) {
	if !ip.Is6() {
		return netip.Addr{}, "", false
	}
	ip = ip.WithZone("")
	b := ip.As16()
	last := netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	switch {
	case v4Mapped.Contains(ip):
		return last, "IPv4-mapped", true
	case v4Translated.Contains(ip):
		return last, "IPv4-translated", true
	case v4Compatible.Contains(ip):
		return last, "IPv4-compatible", true
	case nat64.Contains(ip):
		return last, "NAT64", true
	case nat64Local.Contains(ip):
		// A /48 prefix: the IPv4 address straddles the "u" octet (bits 64–71).
		return netip.AddrFrom4([4]byte{b[6], b[7], b[9], b[10]}), "NAT64", true
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), "6to4", true
	case teredo.Contains(ip):
		return netip.AddrFrom4([4]byte{b[12] ^ 0xff, b[13] ^ 0xff, b[14] ^ 0xff, b[15] ^ 0xff}), "Teredo", true
	case (b[8] == 0 || b[8] == 2) && b[9] == 0 && b[10] == 0x5e && b[11] == 0xfe:
		return last, "ISATAP", true
	}
	return netip.Addr{}, "", false
}

// Blocked reports whether ip is not a public unicast address, or is an IPv6
// address that carries one that is not.
func Blocked(ip netip.Addr) bool {
	if !ip.IsValid() {
		return true
	}
	ip = ip.Unmap()
	if v4, _, ok := embedded(ip); ok && Blocked(v4) {
		return true
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

// describe names ip for an error message, with the IPv4 address it carries.
func describe(ip netip.Addr) string {
	ip = ip.Unmap()
	if v4, form, ok := embedded(ip); ok {
		return fmt.Sprintf("%s (%s form of %s)", ip, form, v4)
	}
	return ip.String()
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
	return fmt.Errorf("%w: %s is not a public address", ErrBlocked, describe(ip))
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
			return &URLError{Msg: fmt.Sprintf("The URL's host %q is a private, loopback or otherwise internal address (%s); webhooks may only reach the public internet.", host, describe(ip)), Err: err}
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
