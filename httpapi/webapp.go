package httpapi

import (
	"net/http"
	"strings"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/web"
)

// serverPrefixes are the paths the server owns; everything else that is
// read with GET belongs to the web app.
var serverPrefixes = []string{"/api/", "/socket/", "/hooks/", "/assets/"}

var serverPaths = map[string]bool{"/api": true, "/socket": true, "/hooks": true,
	"/healthz": true, "/readyz": true, "/metrics": true}

func serverPath(p string) bool {
	if serverPaths[p] {
		return true
	}
	for _, prefix := range serverPrefixes {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// shell serves the app's index.html with the boot data of this host: the
// apex gets the public pages, a workspace host its branded app. An unknown
// subdomain still gets the app (which says so and links to "find your
// workspace"), with status 404.
func (s *Server) shell(w http.ResponseWriter, r *http.Request) error {
	apex, sub := s.splitHost(r.Host)
	b := web.Boot{Host: "workspace", BaseURL: s.siteURL(r, "")}
	status := http.StatusOK
	switch {
	case apex:
		b.Host = "apex"
	case sub != "":
		if ws := workspace(r); ws != nil {
			b.Workspace = ws
		} else {
			status = http.StatusNotFound
		}
	default:
		return relay.Errorf(relay.ENOTFOUND, "Unknown host: this server answers on %s and its subdomains.", s.baseDomain)
	}
	s.web.ServeShell(w, r, status, b)
	return nil
}

// asset serves the build's fingerprinted files.
func (s *Server) asset(w http.ResponseWriter, r *http.Request) error {
	if !s.web.ServeFile(w, r) {
		return errNoRoute
	}
	return nil
}
