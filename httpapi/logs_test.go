package httpapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/testdb"
)

// syncBuffer is a bytes.Buffer safe for the server's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestLogsHoldNoSecrets runs every flow that carries a password or a token
// with logging at debug level, then checks no secret reached the logs and
// every line is JSON with a request id where it belongs.
func TestLogsHoldNoSecrets(t *testing.T) {
	var logs syncBuffer
	e := newEnvLog(t, testdb.SQLite(t), app.Limits{LoginPerIP: 1000}, &logs)
	o := e.signup("acme")
	inviteTok, _ := e.invite(o, "mia@acme.example", "member")
	acc := e.do("POST", "acme", "/api/v1/invites/"+inviteTok+"/accept", map[string]string{"display_name": "Mia", "password": "mia-secret-pw"})
	want(t, acc, http.StatusCreated, "")
	li := e.do("POST", "acme", "/api/v1/auth/login", map[string]string{"email": "mia@acme.example", "password": "mia-secret-pw"})
	want(t, li, http.StatusOK, "")
	bad := e.do("POST", "acme", "/api/v1/auth/login", map[string]string{"email": "mia@acme.example", "password": "wrong-secret-pw"})
	want(t, bad, http.StatusUnauthorized, "")
	tk := e.do("POST", "acme", "/api/v1/tokens", map[string]string{"name": "bot"}, bearer(o.token))
	want(t, tk, http.StatusCreated, "")
	e.do("GET", "acme", "/api/v1/auth/me", nil, bearer(tk.json(t)["token"].(string)))
	e.do("GET", "acme", "/api/v1/auth/me", nil, bearer("rly_not-a-real-token-but-secret-looking-xxxxxxxx"))
	e.do("POST", "acme", "/api/v1/auth/logout", nil, cookie(li.json(t)["token"].(string)), header("Sec-Fetch-Site", "same-origin"))

	secrets := []string{o.password, "mia-secret-pw", "wrong-secret-pw", inviteTok, o.token, acc.json(t)["token"].(string),
		li.json(t)["token"].(string), tk.json(t)["token"].(string), "rly_not-a-real", "$argon2id$"}
	out := logs.String()
	if !strings.Contains(out, `"msg":"request"`) || !strings.Contains(out, `"msg":"invitation accepted"`) {
		t.Fatalf("expected request and event logs, got:\n%s", out)
	}
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("logs contain a secret %q", s)
		}
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Text())
		}
		if rec["msg"] == "request" || rec["msg"] == "invitation accepted" || rec["msg"] == "workspace created" {
			if id, _ := rec["request_id"].(string); id == "" {
				t.Errorf("log line without request_id: %s", sc.Text())
			}
		}
	}
}
