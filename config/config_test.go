package config

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) (func(string) string, []string) {
	var list []string
	for k, v := range m {
		list = append(list, k+"="+v)
	}
	return func(k string) string { return m[k] }, list
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		check   func(t *testing.T, c Config)
		wantErr string
	}{
		{name: "defaults", check: func(t *testing.T, c Config) {
			if c != Default() {
				t.Fatalf("got %+v, want defaults", c)
			}
		}},
		{name: "environment", env: map[string]string{"RELAY_ADDR": "127.0.0.1:9000", "RELAY_DATA_DIR": "/tmp/x",
			"RELAY_BASE_DOMAIN": "Relay.Example.", "RELAY_DATABASE_URL": "postgres://u@db:5432/relay",
			"RELAY_TRUST_PROXY": "true", "RELAY_SHUTDOWN_TIMEOUT": "3s"},
			check: func(t *testing.T, c Config) {
				if c.Addr != "127.0.0.1:9000" || c.DataDir != "/tmp/x" || c.BaseDomain != "relay.example" ||
					c.DatabaseURL != "postgres://u@db:5432/relay" || !c.TrustProxy || c.ShutdownTimeout != 3*time.Second {
					t.Fatalf("got %+v", c)
				}
			}},
		{name: "flags win over environment", env: map[string]string{"RELAY_ADDR": ":1"}, args: []string{"--addr", ":2"},
			check: func(t *testing.T, c Config) {
				if c.Addr != ":2" {
					t.Fatalf("addr %q", c.Addr)
				}
			}},
		{name: "bad addr", args: []string{"--addr", "nope"}, wantErr: "--addr"},
		{name: "bad port", args: []string{"--addr", ":99999"}, wantErr: "invalid port"},
		{name: "bad base domain", args: []string{"--base-domain", "bad domain!"}, wantErr: "--base-domain"},
		{name: "mysql url", args: []string{"--database-url", "mysql://x/y"}, wantErr: "postgres://"},
		{name: "url without host", args: []string{"--database-url", "postgres:///db"}, wantErr: "names no host"},
		{name: "socket url", args: []string{"--database-url", "postgres:///db?host=/var/run/postgresql"}, check: func(t *testing.T, c Config) {}},
		{name: "nats url", args: []string{"--nats-url", "nats://127.0.0.1:4222"}, check: func(t *testing.T, c Config) {
			if c.NATSURL != "nats://127.0.0.1:4222" {
				t.Fatalf("nats url %q", c.NATSURL)
			}
		}},
		{name: "bad nats url", args: []string{"--nats-url", "http://x"}, wantErr: "--nats-url"},
		{name: "short secret", args: []string{"--secret-key", "short"}, wantErr: "at least 32"},
		{name: "bad bool env", env: map[string]string{"RELAY_TRUST_PROXY": "yes please"}, wantErr: "true or false"},
		{name: "bad log level", args: []string{"--log-level", "loud"}, wantErr: "--log-level"},
		{name: "unknown flag", args: []string{"--nope"}, wantErr: "not defined"},
		{name: "stray argument", args: []string{"extra"}, wantErr: "unexpected argument"},
		{name: "all problems at once", args: []string{"--addr", "x", "--log-level", "y"}, wantErr: "--log-level"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv, list := env(tt.env)
			c, _, err := Load("serve", tt.args, getenv, list, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestSecretsNeverInErrors(t *testing.T) {
	getenv, list := env(map[string]string{"RELAY_DATABASE_URL": "ftp://user:hunter2-secret@db/x", "RELAY_SECRET_KEY": "tiny-secret"})
	_, _, err := Load("serve", nil, getenv, list, io.Discard)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, s := range []string{"hunter2-secret", "tiny-secret"} {
		if strings.Contains(err.Error(), s) {
			t.Fatalf("error leaks %q: %v", s, err)
		}
	}
}

func TestUnknownEnvWarns(t *testing.T) {
	getenv, list := env(map[string]string{"RELAY_ADRR": ":1", "RELAY_TEST_POSTGRES_URL": "x", "HOME": "/root"})
	_, warnings, err := Load("serve", nil, getenv, list, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "RELAY_ADRR") {
		t.Fatalf("warnings = %q", warnings)
	}
}

func TestEnsureSecretKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	c := Default()
	c.DataDir = dir
	gen, err := c.EnsureSecretKey()
	if err != nil || !gen || len(c.SecretKey) != 64 {
		t.Fatalf("first start: gen=%v err=%v key len %d", gen, err, len(c.SecretKey))
	}
	fi, err := os.Stat(filepath.Join(dir, "secret.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret.key: %v mode %v", err, fi.Mode())
	}
	c2 := Default()
	c2.DataDir = dir
	if gen, err := c2.EnsureSecretKey(); err != nil || gen || c2.SecretKey != c.SecretKey {
		t.Fatalf("second start: gen=%v err=%v, key kept=%v", gen, err, c2.SecretKey == c.SecretKey)
	}
	c3 := Default()
	c3.DataDir, c3.SecretKey = dir, strings.Repeat("k", 32)
	if gen, _ := c3.EnsureSecretKey(); gen || c3.SecretKey != strings.Repeat("k", 32) {
		t.Fatal("a configured key was replaced")
	}
}

func TestMetricsToken(t *testing.T) {
	for _, tt := range []struct {
		token string
		ok    bool
	}{{"", true}, {"0123456789abcdef", true}, {"short-token", false}} {
		_, _, err := Load("serve", nil, func(k string) string {
			if k == "RELAY_METRICS_TOKEN" {
				return tt.token
			}
			return ""
		}, nil, io.Discard)
		if (err == nil) != tt.ok {
			t.Errorf("RELAY_METRICS_TOKEN of %d characters: err = %v, want ok %v", len(tt.token), err, tt.ok)
		}
		if err != nil && strings.Contains(err.Error(), tt.token) {
			t.Errorf("the error shows the token: %v", err)
		}
	}
}
