package line

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/relayhq/relay"
	"github.com/relayhq/relay/connectors/line/linefake"
)

var jpeg = []byte("\xff\xd8\xff\xe0 a tiny jpeg")

func TestMessageEvents(t *testing.T) {
	user := linefake.User("U1")
	alice := relay.ExternalContact{ExternalID: "U1", Name: "Alice", AvatarURL: "https://profile.line-scdn.net/alice"}
	in := func(key, name string, oneToOne bool, from relay.ExternalContact, id, body string, files ...relay.ExternalFile) relay.ExternalIn {
		return relay.ExternalIn{ConversationKey: key, ConversationName: name, OneToOne: oneToOne, From: from, MessageID: id, Body: body, Files: files}
	}
	for _, tt := range []struct {
		name  string
		event linefake.Event
		want  relay.ExternalIn
	}{
		{"text", linefake.Text(user, "e1", "m1", "Hello there"),
			in("user:U1", "Alice", true, alice, "m1", "Hello there")},
		{"sticker", linefake.Sticker(user, "e1", "m1", "446", "1988"),
			in("user:U1", "Alice", true, alice, "m1", "[sticker]", relay.ExternalFile{Name: "sticker.png", ContentType: "image/png", Kind: "sticker",
				URL: "https://stickershop.line-scdn.net/stickershop/v1/sticker/1988/android/sticker.png"})},
		{"image", linefake.Image(user, "e1", "img1"),
			in("user:U1", "Alice", true, alice, "img1", "", relay.ExternalFile{Name: "image.jpg", ContentType: "image/jpeg", Kind: "image", Data: jpeg})},
		{"image hosted elsewhere", linefake.ExternalImage(user, "e1", "img9", "https://cdn.example/a.jpg"),
			in("user:U1", "Alice", true, alice, "img9", "", relay.ExternalFile{Name: "image", Kind: "image", URL: "https://cdn.example/a.jpg"})},
		{"video", linefake.Video(user, "e1", "vid1"),
			in("user:U1", "Alice", true, alice, "vid1", "", relay.ExternalFile{Name: "video.mp4", ContentType: "video/mp4", Kind: "video", Data: []byte("mp4 bytes")})},
		{"audio", linefake.Audio(user, "e1", "aud1"),
			in("user:U1", "Alice", true, alice, "aud1", "", relay.ExternalFile{Name: "audio.m4a", ContentType: "audio/x-m4a", Kind: "audio", Data: []byte("m4a bytes")})},
		{"file keeps its name, not its path", linefake.File(user, "e1", "file1", `..\..\report.pdf`, 9),
			in("user:U1", "Alice", true, alice, "file1", "", relay.ExternalFile{Name: "report.pdf", ContentType: "application/pdf", Kind: "file", Data: []byte("pdf bytes")})},
		{"content LINE no longer has", linefake.Image(user, "e1", "gone1"),
			in("user:U1", "Alice", true, alice, "gone1", "[image could not be copied from LINE]")},
		{"location", linefake.Location(user, "e1", "loc1", "Tokyo Tower", "4-2-8 Shibakoen, Minato", 35.65858, 139.745433),
			in("user:U1", "Alice", true, alice, "loc1", "📍 Tokyo Tower\n4-2-8 Shibakoen, Minato\nhttps://www.google.com/maps/search/?api=1&query=35.65858%2C139.745433",
				relay.ExternalFile{Name: "Tokyo Tower", Kind: "location", URL: "https://www.google.com/maps/search/?api=1&query=35.65858%2C139.745433"})},
		{"group: named after the group, author from the member profile", linefake.Text(linefake.Group("C1", "U2"), "e1", "m1", "hi all"),
			in("group:C1", "Book club", false, relay.ExternalContact{ExternalID: "U2", Name: "Bob"}, "m1", "hi all")},
		{"group member LINE does not name", linefake.Text(linefake.Group("C1", ""), "e1", "m1", "who am I"),
			in("group:C1", "Book club", false, relay.ExternalContact{ExternalID: "unknown:C1", Name: "LINE user"}, "m1", "who am I")},
		{"room", linefake.Text(linefake.Room("R1", "U3"), "e1", "m1", "room talk"),
			in("room:R1", "LINE room", false, relay.ExternalContact{ExternalID: "U3", Name: "Carol"}, "m1", "room talk")},
		{"profile unavailable", linefake.Text(linefake.User("U404"), "e1", "m1", "anyone?"),
			in("user:U404", "LINE user", true, relay.ExternalContact{ExternalID: "U404", Name: "LINE user"}, "m1", "anyone?")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, Config{Attempts: 2})
			r.line.SetProfile("U1", "Alice", "https://profile.line-scdn.net/alice")
			r.line.SetGroup("C1", "Book club", "")
			r.line.SetMember("C1", "U2", "Bob", "")
			r.line.SetMember("R1", "U3", "Carol", "")
			r.line.SetContent("img1", "image/jpeg", jpeg)
			r.line.SetContent("vid1", "video/mp4", []byte("mp4 bytes"))
			r.line.SetContent("aud1", "audio/x-m4a", []byte("m4a bytes"))
			r.line.SetContent("file1", "application/pdf", []byte("pdf bytes"))
			r.hook(tt.event)
			r.close()
			received, _, _ := r.relay.snapshot()
			if len(received) != 1 {
				t.Fatalf("received %d messages", len(received))
			}
			got := received[0]
			if got.Connector != r.own {
				t.Fatalf("connector = %+v", got.Connector)
			}
			got.Connector = nil
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("ExternalIn (-want +got):\n%s", diff)
			}
			// Every call to LINE carried the connector's own token.
			for _, c := range r.line.Calls() {
				if c.Token() != ownToken {
					t.Fatalf("%s %s with token %q", c.Method, c.Path, c.Token())
				}
			}
		})
	}
}

func TestContentFetchRetriedThenStored(t *testing.T) {
	r := newRig(t, Config{Attempts: 3})
	r.line.SetProfile("U1", "Alice", "")
	r.line.SetContent("img1", "image/jpeg", jpeg)
	r.line.Fail("content", 2, 500, "")
	r.hook(linefake.Image(linefake.User("U1"), "e1", "img1"))
	r.close()
	received, _, _ := r.relay.snapshot()
	if len(received) != 1 || len(received[0].Files) != 1 || string(received[0].Files[0].Data) != string(jpeg) {
		t.Fatalf("received %+v", received)
	}
}

func TestContentTooLargeIsNoted(t *testing.T) {
	r := newRig(t, Config{MaxContentBytes: 4})
	r.line.SetProfile("U1", "Alice", "")
	r.line.SetContent("vid1", "video/mp4", []byte("more than four bytes"))
	r.hook(linefake.Video(linefake.User("U1"), "e1", "vid1"))
	r.close()
	received, _, _ := r.relay.snapshot()
	if len(received) != 1 || len(received[0].Files) != 0 || !strings.Contains(received[0].Body, "too large") {
		t.Fatalf("received %+v", received)
	}
}

func TestPassingFailuresAreRetried(t *testing.T) {
	r := newRig(t, Config{Attempts: 3})
	r.line.SetProfile("U1", "Alice", "")
	r.relay.receiveErrs = []error{errFlaky, errFlaky}
	r.hook(linefake.Text(linefake.User("U1"), "e1", "m1", "third time lucky"))
	r.close()
	if received, _, _ := r.relay.snapshot(); len(received) != 1 {
		t.Fatalf("received %d, want the message after two failures", len(received))
	}
}

func TestRefusalsAreNotRetried(t *testing.T) {
	r := newRig(t, Config{Attempts: 3})
	r.line.SetProfile("U1", "Alice", "")
	r.relay.receiveErrs = []error{relay.Errorf(relay.EINVALID, "No."), nil}
	r.hook(linefake.Text(linefake.User("U1"), "e1", "m1", "refused"))
	r.close()
	if received, _, _ := r.relay.snapshot(); len(received) != 0 {
		t.Fatalf("an input Relay refused was tried again: %+v", received)
	}
}

func TestEventsOfAConversationKeepTheirOrder(t *testing.T) {
	r := newRig(t, Config{Workers: 4})
	r.line.SetProfile("U1", "Alice", "")
	var events []linefake.Event
	var want []string
	for i := range 40 {
		id := string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		events = append(events, linefake.Text(linefake.User("U1"), "e"+id, "m"+id, id))
		want = append(want, id)
	}
	r.hook(events[:20]...)
	r.hook(events[20:]...)
	r.close()
	received, _, _ := r.relay.snapshot()
	var got []string
	for _, in := range received {
		got = append(got, in.Body)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("order (-want +got):\n%s", diff)
	}
}

func TestContactEvents(t *testing.T) {
	r := newRig(t, Config{})
	r.line.SetProfile("U1", "Alice", "")
	r.hook(linefake.Follow(linefake.User("U1"), "e1"), linefake.Text(linefake.User("U1"), "e2", "m1", "hi"),
		linefake.Unsend(linefake.User("U1"), "e3", "m1"), linefake.Unsend(linefake.User("U1"), "e4", "never-seen"),
		linefake.Unfollow(linefake.User("U1"), "e5"),
		linefake.Join(linefake.Group("C1", ""), "e6"), linefake.Leave(linefake.Group("C1", ""), "e7"))
	r.close()
	received, states, deleted := r.relay.snapshot()
	if diff := cmp.Diff([]string{"100|U1|active", "100|U1|unfollowed"}, states); diff != "" {
		t.Fatalf("contact states (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"m1"}, deleted); diff != "" {
		t.Fatalf("deleted (-want +got):\n%s", diff)
	}
	if len(received) != 1 {
		t.Fatalf("received %d", len(received))
	}
	// The own bot never replies on its own.
	if n := len(r.line.Replies()); n != 0 {
		t.Fatalf("%d replies", n)
	}
}

func TestSharedBot(t *testing.T) {
	r := newRig(t, Config{})
	r.line.SetProfile("U1", "Alice", "")
	r.line.SetProfile("U2", "Bob", "")
	r.line.SetGroup("C1", "Book club", "")
	r.line.SetMember("C1", "U2", "Bob", "")
	u1, u2 := linefake.User("U1"), linefake.User("U2")
	r.sharedHook(
		linefake.Follow(u1, "f1"),                         // unlinked: told how to join
		linefake.Text(u1, "s1", "m1", "hello?"),           // unlinked: told again, nothing stored
		linefake.Text(u1, "s2", "m2", "join WRONGONE"),    // unknown code
		linefake.Text(u1, "s3", "m3", "  JOIN joincode "), // linked
		linefake.Text(u2, "s5", "m5", "me too?"),          // another user, unlinked
		linefake.Join(linefake.Group("C1", ""), "g1"),     // a group, unlinked
		linefake.Text(linefake.Group("C1", "U2"), "g2", "m6", "join JOINCODE"),
	)
	waitFor(t, func() bool { return r.conn.queue.len() == 0 })
	r.sharedHook(
		linefake.Text(u1, "s4", "m4", "now I'm in"), // routed to the workspace
		linefake.Text(linefake.Group("C1", "U2"), "g3", "m7", "group hello"),
	)
	r.close()
	replies := r.line.Replies()
	var got []string
	for _, c := range replies {
		if c.Token() != sharedToken {
			t.Fatalf("reply with token %q", c.Token())
		}
		p := c.Decode()
		got = append(got, p.ReplyToken+": "+p.Messages[0].Text)
	}
	want := []string{
		linefake.ReplyToken("f1") + ": " + hintReply,
		linefake.ReplyToken("s1") + ": " + hintReply,
		linefake.ReplyToken("s2") + ": " + badCodeReply,
		linefake.ReplyToken("s3") + ": " + joinedReply,
		linefake.ReplyToken("s5") + ": " + hintReply,
		linefake.ReplyToken("g1") + ": " + groupHintReply,
		linefake.ReplyToken("g2") + ": " + joinedReply,
	}
	// Conversations run in parallel: only each one's own order is kept.
	slices.Sort(want)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("replies (-want +got):\n%s", diff)
	}
	received, _, _ := r.relay.snapshot()
	if len(received) != 2 {
		t.Fatalf("received %+v", received)
	}
	if in := received[0]; in.Connector != r.share || in.Body != "now I'm in" || in.ConversationKey != "user:U1" || in.From.ExternalID != "U1" {
		t.Fatalf("first = %+v", in)
	}
	// In a group a user is known by user@group, so speaking there does not
	// move the user's own link to another workspace.
	if in := received[1]; in.Connector != r.share || in.ConversationKey != "group:C1" || in.ConversationName != "Book club" ||
		in.From.ExternalID != "U2@C1" || in.From.Name != "Bob" {
		t.Fatalf("second = %+v", in)
	}
	joins := r.relay.joins
	if len(joins) != 2 || joins[0] != (relay.ExternalContact{ExternalID: "U1", Name: "Alice"}) ||
		joins[1] != (relay.ExternalContact{ExternalID: "C1", Name: "Book club"}) {
		t.Fatalf("joins = %+v", joins)
	}
	// Events of linked conversations are recorded under their workspace's
	// connector, so LINE's redeliveries of them are ignored.
	if r.relay.markedCount("200|s4") != 1 || r.relay.markedCount("200|g3") != 1 || r.relay.markedCount("200|s1") != 0 {
		t.Fatalf("marked = %v", r.relay.marked)
	}
}

func TestSharedRedeliveryOfLinkedUserIgnored(t *testing.T) {
	r := newRig(t, Config{})
	r.line.SetProfile("U1", "Alice", "")
	r.relay.links["U1"] = r.share
	ev := linefake.Text(linefake.User("U1"), "s1", "m1", "once")
	r.sharedHook(ev)
	r.sharedHook(ev.Redelivered())
	r.close()
	if n := r.relay.markedCount("200|s1"); n != 2 {
		t.Fatalf("marked %d, want 2", n)
	}
	received, _, _ := r.relay.snapshot()
	if len(received) != 1 {
		t.Fatalf("received %d", len(received))
	}
	if n := len(r.line.Calls()); n != 1 { // the profile, once
		t.Fatalf("%d calls to LINE: %+v", n, r.line.Calls())
	}
}
