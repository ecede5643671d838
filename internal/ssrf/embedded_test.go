package ssrf

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

// TestEmbeddedIPv4 covers every IPv6 form that carries an IPv4 address: the
// address is found where the form puts it, and the IPv6 address is refused
// whenever the IPv4 one would be — at creation (CheckURL on a literal) and
// at connect time (Control). 6to4, Teredo and local-use NAT64 are refused
// whatever they carry.
func TestEmbeddedIPv4(t *testing.T) {
	tests := []struct {
		ip      string
		form    string // "" when no IPv4 address is embedded
		v4      string
		blocked bool
	}{
		// IPv4-compatible ::/96 (deprecated).
		{"::127.0.0.1", "IPv4-compatible", "127.0.0.1", true},
		{"::7f00:1", "IPv4-compatible", "127.0.0.1", true},
		{"::10.1.2.3", "IPv4-compatible", "10.1.2.3", true},
		{"::169.254.169.254", "IPv4-compatible", "169.254.169.254", true},
		{"::192.168.0.1", "IPv4-compatible", "192.168.0.1", true},
		{"::1", "IPv4-compatible", "0.0.0.1", true},
		{"::", "IPv4-compatible", "0.0.0.0", true},
		{"::8.8.8.8", "IPv4-compatible", "8.8.8.8", false},
		// IPv4-mapped ::ffff:0:0/96.
		{"::ffff:127.0.0.1", "IPv4-mapped", "127.0.0.1", true},
		{"::ffff:7f00:1", "IPv4-mapped", "127.0.0.1", true},
		{"::ffff:169.254.169.254", "IPv4-mapped", "169.254.169.254", true},
		{"::ffff:8.8.8.8", "IPv4-mapped", "8.8.8.8", false},
		// IPv4-translated ::ffff:0:0:0/96 (SIIT).
		{"::ffff:0:127.0.0.1", "IPv4-translated", "127.0.0.1", true},
		{"::ffff:0:172.16.0.1", "IPv4-translated", "172.16.0.1", true},
		{"::ffff:0:8.8.8.8", "IPv4-translated", "8.8.8.8", false},
		// NAT64, well-known prefix 64:ff9b::/96.
		{"64:ff9b::127.0.0.1", "NAT64", "127.0.0.1", true},
		{"64:ff9b::a00:1", "NAT64", "10.0.0.1", true},
		{"64:ff9b::169.254.169.254", "NAT64", "169.254.169.254", true},
		{"64:ff9b::100.64.0.1", "NAT64", "100.64.0.1", true},
		{"64:ff9b::8.8.8.8", "NAT64", "8.8.8.8", false},
		// NAT64, local-use prefix 64:ff9b:1::/48 (RFC 6052 /48 layout).
		{"64:ff9b:1:7f00:0:100::", "NAT64", "127.0.0.1", true},
		{"64:ff9b:1:a9fe:a9:fe00::", "NAT64", "169.254.169.254", true},
		{"64:ff9b:1:808:8:800::", "NAT64", "8.8.8.8", true}, // the prefix itself is refused
		// 6to4 2002::/16.
		{"2002:7f00:1::", "6to4", "127.0.0.1", true},
		{"2002:7f00:1:1::1", "6to4", "127.0.0.1", true},
		{"2002:a9fe:a9fe::1", "6to4", "169.254.169.254", true},
		{"2002:c0a8:101::1", "6to4", "192.168.1.1", true},
		{"2002:808:808::1", "6to4", "8.8.8.8", true}, // the prefix itself is refused
		// Teredo 2001::/32: the client's address, inverted, in the last 32 bits.
		{"2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo", "127.0.0.1", true},
		{"2001:0:4136:e378:8000:63bf:f5ff:fffe", "Teredo", "10.0.0.1", true},
		{"2001:0:4136:e378:8000:63bf:5601:5601", "Teredo", "169.254.169.254", true},
		{"2001:0:4136:e378:8000:63bf:f7f7:f7f7", "Teredo", "8.8.8.8", true}, // the prefix itself is refused
		// ISATAP interface identifiers, under any prefix.
		{"2a00:1450::5efe:127.0.0.1", "ISATAP", "127.0.0.1", true},
		{"2a00:1450::200:5efe:192.168.1.1", "ISATAP", "192.168.1.1", true},
		{"2a00:1450::5efe:8.8.8.8", "ISATAP", "8.8.8.8", false},
		// Not a form that carries IPv4.
		{"2606:4700:4700::1111", "", "", false},
		{"2a00:1450:4001:80b::200e", "", "", false},
		{"fe80::1", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			ip := netip.MustParseAddr(tt.ip)
			v4, form, ok := embedded(ip)
			if ok != (tt.form != "") || form != tt.form || (ok && v4 != netip.MustParseAddr(tt.v4)) {
				t.Fatalf("embedded(%s) = %v %q %v, want %q %q", tt.ip, v4, form, ok, tt.v4, tt.form)
			}
			if got := Blocked(ip); got != tt.blocked {
				t.Fatalf("Blocked(%s) = %v, want %v", tt.ip, got, tt.blocked)
			}
			err := Guard{}.CheckIP(ip)
			if (err != nil) != tt.blocked || (err != nil && !errors.Is(err, ErrBlocked)) {
				t.Fatalf("CheckIP(%s) = %v, want blocked %v", tt.ip, err, tt.blocked)
			}
			if tt.blocked && tt.form != "" && !strings.Contains(err.Error(), tt.v4) {
				t.Errorf("CheckIP(%s) = %q, want it to name %s", tt.ip, err, tt.v4)
			}
			if err := (Guard{}).Control("tcp6", "["+tt.ip+"]:443", nil); (err != nil) != tt.blocked {
				t.Fatalf("Control(%s) = %v, want blocked %v", tt.ip, err, tt.blocked)
			}
			// A literal in a URL needs no resolver: the guard decides alone.
			err = Guard{Resolver: fakeResolver{}}.CheckURL(context.Background(), "http://["+tt.ip+"]/hook")
			if (err != nil) != tt.blocked || (err != nil && !errors.Is(err, ErrBlocked)) {
				t.Fatalf("CheckURL(http://[%s]/hook) = %v, want blocked %v", tt.ip, err, tt.blocked)
			}
			if err := (Guard{AllowPrivate: true}).CheckIP(ip); err != nil {
				t.Fatalf("AllowPrivate: CheckIP(%s) = %v", tt.ip, err)
			}
		})
	}
}

// FuzzEmbeddedIPv4 writes an IPv4 address in every IPv6 form that carries
// one, building each form independently of the guard: whenever the IPv4
// address is refused, so is every form of it; and the guard's three entry
// points always agree.
func FuzzEmbeddedIPv4(f *testing.F) {
	for _, s := range [][4]byte{{127, 0, 0, 1}, {10, 0, 0, 1}, {169, 254, 169, 254}, {8, 8, 8, 8}, {0, 0, 0, 0}, {255, 255, 255, 255}, {100, 64, 0, 1}} {
		f.Add(s[0], s[1], s[2], s[3], uint16(0x4136), uint16(0xe378))
	}
	f.Fuzz(func(t *testing.T, a, b, c, d byte, hi, lo uint16) {
		v4 := netip.AddrFrom4([4]byte{a, b, c, d})
		x := [4]byte{a ^ 0xff, b ^ 0xff, c ^ 0xff, d ^ 0xff}
		forms := map[string]string{
			"IPv4-compatible": "::" + v4.String(),
			"IPv4-mapped":     "::ffff:" + v4.String(),
			"IPv4-translated": "::ffff:0:" + v4.String(),
			"NAT64":           "64:ff9b::" + v4.String(),
			"NAT64 /48":       fmt.Sprintf("64:ff9b:1:%02x%02x:%02x:%02x00::", a, b, c, d),
			"6to4":            fmt.Sprintf("2002:%02x%02x:%02x%02x:%x::%x", a, b, c, d, hi, lo),
			"Teredo":          fmt.Sprintf("2001:0:%x:%x:8000:63bf:%02x%02x:%02x%02x", hi, lo, x[0], x[1], x[2], x[3]),
			"ISATAP":          fmt.Sprintf("2a00:%x:%x::5efe:%s", hi, lo, v4),
			"ISATAP global":   fmt.Sprintf("2a00:%x:%x::200:5efe:%s", hi, lo, v4),
		}
		for name, s := range forms {
			ip, err := netip.ParseAddr(s)
			if err != nil {
				t.Fatalf("%s form %q: %v", name, s, err)
			}
			got, _, ok := embedded(ip)
			if !ok || got != v4 {
				t.Errorf("%s form %s: embedded = %v %v, want %v", name, ip, got, ok, v4)
			}
			if Blocked(v4) && !Blocked(ip) {
				t.Errorf("%s form %s of refused %s is allowed", name, ip, v4)
			}
			blocked := Blocked(ip)
			if (Guard{}.CheckIP(ip) != nil) != blocked || (Guard{}.Control("tcp", netip.AddrPortFrom(ip, 80).String(), nil) != nil) != blocked {
				t.Errorf("%s form %s: CheckIP, Control and Blocked disagree", name, ip)
			}
		}
	})
}
