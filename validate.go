package relay

import (
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ReservedSubdomains cannot name a workspace: they are, or may become, the
// platform's own hosts, or would mislead users.
var ReservedSubdomains = map[string]bool{}

func init() {
	for _, s := range strings.Fields(`www api app apps admin administrator static assets cdn media files
		mail email smtp imap pop pop3 mx webmail ftp ns ns1 ns2 dns root localhost relay socket ws wss hooks
		webhooks auth login logout signup sign-up register oauth sso account accounts billing dashboard status
		metrics health internal system support help docs blog dev staging test demo console portal
		superadmin security abuse postmaster hostmaster`) {
		ReservedSubdomains[s] = true
	}
}

var subdomainRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{1,38})[a-z0-9]$`)

// ValidateSubdomain checks a subdomain's form and that it is not reserved;
// uniqueness is the store's to check.
func ValidateSubdomain(s string) error {
	switch {
	case len(s) < 3 || len(s) > 40:
		return Errorf(EINVALID, "A subdomain must be 3 to 40 characters long.")
	case !subdomainRE.MatchString(s):
		return Errorf(EINVALID, "A subdomain may use only lower-case letters, digits and hyphens, and cannot start or end with a hyphen.")
	case ReservedSubdomains[s]:
		return Errorf(EINVALID, "The subdomain %q is reserved; choose another.", s)
	}
	return nil
}

var colorRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// NormalizeColor checks a #rrggbb colour and returns it in lower case.
func NormalizeColor(field, s string) (string, error) {
	if !colorRE.MatchString(s) {
		return "", Errorf(EINVALID, "%s must be a colour like #1a2b3c.", field)
	}
	return strings.ToLower(s), nil
}

// NormalizeEmail checks an email address and returns it lower-cased.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", Errorf(EINVALID, "An email address is required.")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return "", Errorf(EINVALID, "%q is not a valid email address.", truncateText(s, 80))
	}
	return strings.ToLower(s), nil
}

// NormalizeName trims a display or workspace name and checks it is 1–max
// characters of printable text.
func NormalizeName(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return "", Errorf(EINVALID, "%s is required.", field)
	}
	if n > max {
		return "", Errorf(EINVALID, "%s must be at most %d characters.", field, max)
	}
	if !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) }) >= 0 {
		return "", Errorf(EINVALID, "%s contains characters that are not allowed.", field)
	}
	return s, nil
}

// Password length bounds, in characters.
const (
	MinPassword = 8
	MaxPassword = 1024
)

// ValidatePassword checks a new password's length.
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinPassword {
		return Errorf(EINVALID, "A password must be at least %d characters.", MinPassword)
	}
	if n > MaxPassword || !utf8.ValidString(pw) {
		return Errorf(EINVALID, "A password must be at most %d characters of text.", MaxPassword)
	}
	return nil
}

func truncateText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
