package httpapi

import (
	"net/http"
	"time"
)

// DeviceCookieName is the device cookie: set by a successful login, it
// marks the browser as one that signed in to that account before, so an
// attacker who spends the login budgets of an IP or an email does not lock
// the owner out of it (app/auth_device.go). It is host-only, HttpOnly and
// sent to the login endpoint only; its value is sealed to the workspace and
// the email with the server's secret key and means nothing elsewhere.
const DeviceCookieName = "relay_device"

const loginPath = "/api/v1/auth/login"

// deviceCookie returns the device cookie the request carries, or "".
func deviceCookie(r *http.Request) string {
	if c, err := r.Cookie(DeviceCookieName); err == nil {
		return c.Value
	}
	return ""
}

func (s *Server) setDeviceCookie(w http.ResponseWriter, r *http.Request, value string, expires time.Time) {
	if value == "" {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: DeviceCookieName, Value: value, Path: loginPath, Expires: expires,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure(r)})
}
