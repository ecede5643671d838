package web

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/relayhq/relay"
)

// The audit log's one table of action labels (src/desk/audit-actions.json,
// which is also the action filter's list) has a label for every action the
// server writes, and nothing else.
func TestAuditActionLabels(t *testing.T) {
	b, err := os.ReadFile("src/desk/audit-actions.json")
	if err != nil {
		t.Fatal(err)
	}
	var labels map[string]string
	if err := json.Unmarshal(b, &labels); err != nil {
		t.Fatalf("audit-actions.json: %v", err)
	}
	for _, a := range relay.AuditActions {
		if labels[a] == "" {
			t.Errorf("action %q has no label in src/desk/audit-actions.json", a)
		}
	}
	for a := range labels {
		if !slices.Contains(relay.AuditActions, a) {
			t.Errorf("label for %q, which the server never writes (relay.AuditActions)", a)
		}
	}
}
