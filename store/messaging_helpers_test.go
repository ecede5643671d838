package store_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/store"
)

func newChannel(workspaceID, createdBy relay.ID, name string, kind relay.ChannelKind) *relay.Channel {
	return &relay.Channel{
		ID:          ids.New(),
		WorkspaceID: workspaceID,
		Name:        name,
		Kind:        kind,
		Topic:       "About " + name,
		CreatedBy:   createdBy,
		CreatedAt:   t0,
		UpdatedAt:   t0,
	}
}

// mustCreateChannel creates a channel of the tenant's owner with more members.
func mustCreateChannel(t *testing.T, db *store.DB, tn tenant, name string, kind relay.ChannelKind, members ...relay.ID) *relay.Channel {
	t.Helper()
	c := newChannel(tn.ws.ID, tn.owner.ID, name, kind)
	if kind == relay.ChannelDM {
		c.DMKey = dmKey(append([]relay.ID{tn.owner.ID}, members...))
	}
	if err := db.CreateChannel(ctx, c, members); err != nil {
		t.Fatalf("CreateChannel(%s): %v", name, err)
	}
	return c
}

// dmKey is how the app keys a DM: its sorted member ids.
func dmKey(users []relay.ID) string {
	s := slices.Sorted(slices.Values(users))
	key := ""
	for i, u := range slices.Compact(s) {
		if i > 0 {
			key += ","
		}
		key += u.String()
	}
	return key
}

// mustMember adds a new user to the tenant's workspace as an agent.
func mustMember(t *testing.T, db *store.DB, tn tenant, email string) *relay.User {
	t.Helper()
	u := newUser(email)
	mustAddMember(t, db, tn, u, true, relay.RoleAgent, t0)
	return u
}

// msg is a new message by a user in a channel, at t0 plus a second per seq
// hint, so created times differ.
func msg(c *relay.Channel, author *relay.User, body string) *relay.Message {
	return &relay.Message{
		ID:          ids.New(),
		WorkspaceID: c.WorkspaceID,
		ChannelID:   c.ID,
		Author:      relay.Author{ID: author.ID, Kind: relay.AuthorUser},
		Source:      relay.SourceInternal,
		Body:        body,
		CreatedAt:   t0.Add(time.Minute),
	}
}

// reply is a new thread reply to parent.
func reply(parent *relay.Message, author *relay.User, body string, broadcast bool) *relay.Message {
	m := msg(&relay.Channel{WorkspaceID: parent.WorkspaceID, ID: parent.ChannelID}, author, body)
	m.ParentID = ptr(parent.ID)
	m.Broadcast = broadcast
	return m
}

// mustPost posts the messages in one batch and returns the results.
func mustPost(t testing.TB, db *store.DB, msgs ...*relay.Message) []relay.PostResult {
	t.Helper()
	res, err := db.PostMessages(ctx, msgs)
	if err != nil {
		t.Fatalf("PostMessages: %v", err)
	}
	if len(res) != len(msgs) {
		t.Fatalf("PostMessages returned %d results for %d messages", len(res), len(msgs))
	}
	return res
}

// mustPostOne posts one message and returns it as stored.
func mustPostOne(t testing.TB, db *store.DB, m *relay.Message) *relay.Message {
	t.Helper()
	return mustPost(t, db, m)[0].Message
}

// postN posts n messages by author to c, one batch, bodies "0", "1"…
func postN(t testing.TB, db *store.DB, c *relay.Channel, author *relay.User, n int) []*relay.Message {
	t.Helper()
	var msgs []*relay.Message
	for i := range n {
		msgs = append(msgs, msg(c, author, strconv.Itoa(i)))
	}
	var out []*relay.Message
	for _, r := range mustPost(t, db, msgs...) {
		out = append(out, r.Message)
	}
	return out
}

// seqs returns the seqs of msgs.
func seqs(msgs []relay.Message) []int64 {
	out := make([]int64, len(msgs))
	for i, m := range msgs {
		out[i] = m.Seq
	}
	return out
}

// readChannel returns the channel as the viewer sees it.
func readChannel(t *testing.T, db *store.DB, c *relay.Channel, viewer relay.ID) *relay.Channel {
	t.Helper()
	got, err := db.Channel(ctx, c.WorkspaceID, c.ID, viewer)
	if err != nil {
		t.Fatalf("Channel: %v", err)
	}
	return got
}

// counts returns the viewer's unread and mention counts in c.
func counts(t *testing.T, db *store.DB, c *relay.Channel, viewer relay.ID) [2]int64 {
	t.Helper()
	got := readChannel(t, db, c, viewer)
	m, err := db.ChannelMember(ctx, c.WorkspaceID, c.ID, viewer)
	must(t, err)
	if got.UnreadCount != m.UnreadCount || got.MentionCount != m.MentionCount {
		t.Fatalf("Channel says %d unread, %d mentions; ChannelMember says %d, %d",
			got.UnreadCount, got.MentionCount, m.UnreadCount, m.MentionCount)
	}
	return [2]int64{got.UnreadCount, got.MentionCount}
}
