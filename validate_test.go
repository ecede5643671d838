package relay

import (
	"strings"
	"testing"
)

func TestValidateSubdomain(t *testing.T) {
	ok := []string{"abc", "acme", "a-b", "a1b2", "123", strings.Repeat("a", 40), "acme-corp-2"}
	bad := []string{"", "ab", "-ab", "ab-", "AbC", "a_b", "a.b", "a b", "ünï", strings.Repeat("a", 41), "www", "api", "app",
		"admin", "static", "mail", "acme\n"}
	for _, s := range ok {
		if err := ValidateSubdomain(s); err != nil {
			t.Errorf("ValidateSubdomain(%q) = %v, want ok", s, err)
		}
	}
	for _, s := range bad {
		if err := ValidateSubdomain(s); ErrorCode(err) != EINVALID {
			t.Errorf("ValidateSubdomain(%q) = %v, want invalid", s, err)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	for in, want := range map[string]string{"Ann@Example.COM": "ann@example.com", " bob@x.example ": "bob@x.example", "a+tag@x.io": "a+tag@x.io"} {
		got, err := NormalizeEmail(in)
		if err != nil || got != want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "plain", "@x.io", "a@", "Ann <ann@x.io>", "a@b@c", strings.Repeat("a", 250) + "@x.io"} {
		if _, err := NormalizeEmail(in); ErrorCode(err) != EINVALID {
			t.Errorf("NormalizeEmail(%q) = %v, want invalid", in, err)
		}
	}
}

func TestNormalizeColor(t *testing.T) {
	if got, err := NormalizeColor("c", "#A1B2C3"); err != nil || got != "#a1b2c3" {
		t.Fatalf("got %q, %v", got, err)
	}
	for _, in := range []string{"", "#abc", "a1b2c3", "#a1b2c3d4", "#ggg000", "red", " #a1b2c3"} {
		if _, err := NormalizeColor("c", in); ErrorCode(err) != EINVALID {
			t.Errorf("NormalizeColor(%q) = %v, want invalid", in, err)
		}
	}
}

func TestValidatePassword(t *testing.T) {
	for pw, ok := range map[string]bool{"1234567": false, "12345678": true, "ééééééé": false, "éééééééé": true,
		strings.Repeat("p", MaxPassword): true, strings.Repeat("p", MaxPassword+1): false, "abcdefg\xff": false} {
		if err := ValidatePassword(pw); (err == nil) != ok {
			t.Errorf("ValidatePassword(len %d) = %v, want ok=%v", len(pw), err, ok)
		}
	}
}

func FuzzValidators(f *testing.F) {
	for _, s := range []string{"acme", "a@b.c", "#000000", "x", "\x00", "Ann <a@b.c>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if err := ValidateSubdomain(s); err == nil && (len(s) < 3 || len(s) > 40 || ReservedSubdomains[s]) {
			t.Fatalf("ValidateSubdomain(%q) accepted", s)
		}
		if e, err := NormalizeEmail(s); err == nil && (e != strings.ToLower(e) || !strings.Contains(e, "@")) {
			t.Fatalf("NormalizeEmail(%q) = %q", s, e)
		}
		if c, err := NormalizeColor("c", s); err == nil && len(c) != 7 {
			t.Fatalf("NormalizeColor(%q) = %q", s, c)
		}
		if n, err := NormalizeName("n", s, 80); err == nil && (n == "" || strings.TrimSpace(n) != n) {
			t.Fatalf("NormalizeName(%q) = %q", s, n)
		}
	})
}
