package relay

import (
	"encoding/json"
	"testing"
)

// TestOutbound is the whole rule of which messages leave Relay, as one table.
func TestOutbound(t *testing.T) {
	user := Author{ID: 1, Kind: AuthorUser}
	outside := Author{ID: 2, Kind: AuthorContact}
	for _, tc := range []struct {
		name               string
		m                  Message
		kind               ChannelKind
		bridged, announced bool
	}{
		{"user in external", Message{Author: user, Source: SourceInternal}, ChannelExternal, true, true},
		{"note in external", Message{Author: user, Source: SourceInternal, Internal: true}, ChannelExternal, false, false},
		{"outside author in external", Message{Author: outside, Source: SourceLINE}, ChannelExternal, false, true},
		{"user in public", Message{Author: user, Source: SourceInternal}, ChannelPublic, false, true},
		{"user in ticket", Message{Author: user, Source: SourceInternal}, ChannelTicket, false, true},
		{"note in ticket", Message{Author: user, Source: SourceInternal, Internal: true}, ChannelTicket, false, false},
		{"user in private", Message{Author: user, Source: SourceInternal}, ChannelPrivate, false, false},
		{"user in DM", Message{Author: user, Source: SourceInternal}, ChannelDM, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Bridged(&tc.m, tc.kind); got != tc.bridged {
				t.Errorf("Bridged = %v, want %v", got, tc.bridged)
			}
			if got := Announced(&tc.m, tc.kind); got != tc.announced {
				t.Errorf("Announced = %v, want %v", got, tc.announced)
			}
		})
	}
}

func TestMessageCreatedPayload(t *testing.T) {
	b, err := MessageCreatedPayload(&Message{ID: 7, Body: "hi"}, 9, "general", ChannelPublic)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Message struct {
			ID   ID     `json:"id"`
			Body string `json:"body"`
		} `json:"message"`
		Channel struct {
			ID   ID          `json:"id"`
			Name string      `json:"name"`
			Kind ChannelKind `json:"kind"`
		} `json:"channel"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Message.ID != 7 || got.Message.Body != "hi" || got.Channel.ID != 9 || got.Channel.Name != "general" || got.Channel.Kind != ChannelPublic {
		t.Fatalf("payload = %s", b)
	}
}
