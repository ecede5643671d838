package httpapi

import (
	"bytes"
	_ "embed"
	"html/template"
	"math"
	"net/http"

	"github.com/relayhq/relay"
)

// The pages here are deliberately plain: the landing page with sign-up on
// the apex, and a branded sign-in page on a workspace host. The web app
// replaces the workspace page later; both stay usable without JavaScript
// frameworks or outside assets.

//go:embed pages.html
var pagesHTML string

var pageTmpl = template.Must(template.New("pages").Parse(pagesHTML))

type pageData struct {
	BaseDomain string
	Workspace  *relay.Workspace
	Primary    string // colours checked as #rrggbb by app before storing
	Accent     string
	OnPrimary  string // a readable text colour on Primary
}

func (s *Server) page(w http.ResponseWriter, r *http.Request) error {
	apex, sub := s.splitHost(r.Host)
	ws := workspace(r)
	if !apex && ws == nil {
		if sub != "" {
			return errNoWorkspace
		}
		return relay.Errorf(relay.ENOTFOUND, "Unknown host: this server answers on %s and its subdomains.", s.baseDomain)
	}
	d := pageData{BaseDomain: s.baseDomain, Workspace: ws, Primary: relay.DefaultPrimaryColor, Accent: relay.DefaultAccentColor}
	if ws != nil {
		d.Primary, d.Accent = ws.PrimaryColor, ws.AccentColor
	}
	d.OnPrimary = readableOn(d.Primary)
	var buf bytes.Buffer
	if err := pageTmpl.Execute(&buf, d); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	_, err := w.Write(buf.Bytes())
	return err
}

// readableOn picks black or white text for a #rrggbb background, whichever
// contrasts more (WCAG relative luminance).
func readableOn(hex string) string {
	if len(hex) != 7 {
		return "#ffffff"
	}
	lum := 0.0
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		var v int
		for _, c := range hex[1+2*i : 3+2*i] {
			v *= 16
			switch {
			case c >= '0' && c <= '9':
				v += int(c - '0')
			case c >= 'a' && c <= 'f':
				v += int(c-'a') + 10
			case c >= 'A' && c <= 'F':
				v += int(c-'A') + 10
			}
		}
		x := float64(v) / 255
		if x <= 0.03928 {
			x /= 12.92
		} else {
			x = pow((x+0.055)/1.055, 2.4)
		}
		lum += w * x
	}
	// Contrast with white: 1.05/(L+0.05); with black: (L+0.05)/0.05.
	if 1.05/(lum+0.05) >= (lum+0.05)/0.05 {
		return "#ffffff"
	}
	return "#111111"
}

func pow(x, y float64) float64 { return math.Pow(x, y) }
