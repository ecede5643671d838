package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

func TestCreateChannel(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		tn := mustCreateWorkspace(t, db, "acme", "ann@example.com")
		bob := mustMember(t, db, tn, "bob@example.com")
		c := newChannel(tn.ws.ID, tn.owner.ID, "support", relay.ChannelPrivate)
		c.Purpose = "Helping"
		// The creator is a member whether listed or not; repeats are ignored.
		must(t, db.CreateChannel(ctx, c, []relay.ID{bob.ID, bob.ID}))
		if c.MemberCount != 2 {
			t.Fatalf("MemberCount after create = %d, want 2", c.MemberCount)
		}
		got, err := db.Channel(ctx, tn.ws.ID, c.ID, 0)
		must(t, err)
		diff(t, "Channel without a viewer", got, c)
		got, err = db.Channel(ctx, tn.ws.ID, c.ID, bob.ID)
		must(t, err)
		want := *c
		want.IsMember = true
		want.Member = &relay.ChannelMember{ChannelID: c.ID, UserID: bob.ID, JoinedAt: c.CreatedAt}
		diff(t, "Channel for bob", got, &want)
		memberIDs, err := db.ChannelMemberIDs(ctx, tn.ws.ID, c.ID)
		must(t, err)
		diff(t, "ChannelMemberIDs", memberIDs, sortedIDs(tn.owner.ID, bob.ID))

		// A system-made channel has no creator among its members.
		sys := newChannel(tn.ws.ID, 0, "line-carl", relay.ChannelExternal)
		must(t, db.CreateChannel(ctx, sys, []relay.ID{bob.ID}))
		memberIDs, err = db.ChannelMemberIDs(ctx, tn.ws.ID, sys.ID)
		must(t, err)
		diff(t, "members of a system channel", memberIDs, []relay.ID{bob.ID})
		empty := newChannel(tn.ws.ID, 0, "nobody", relay.ChannelTicket)
		must(t, db.CreateChannel(ctx, empty, nil))
		memberIDs, err = db.ChannelMemberIDs(ctx, tn.ws.ID, empty.ID)
		must(t, err)
		diff(t, "members of an empty channel", memberIDs, []relay.ID{})
	})
}

func TestCreateChannelErrors(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		bob := mustMember(t, db, a, "bob@example.com")
		dm := mustCreateChannel(t, db, a, "", relay.ChannelDM, bob.ID)
		// The same name and DM key in another workspace are fine.
		mustCreateChannel(t, db, b, "general-2", relay.ChannelPublic)
		other := newChannel(b.ws.ID, b.owner.ID, "", relay.ChannelDM)
		other.DMKey = dm.DMKey
		must(t, db.CreateChannel(ctx, other, nil))

		tests := []struct {
			name      string
			change    func(c *relay.Channel)
			members   []relay.ID
			code, msg string
		}{
			{name: "name taken", change: func(c *relay.Channel) { c.Name = "general" },
				code: relay.ECONFLICT, msg: "A channel with that name already exists."},
			{name: "name taken by another kind", change: func(c *relay.Channel) { c.Name, c.Kind = "general", relay.ChannelTicket },
				code: relay.ECONFLICT, msg: "A channel with that name already exists."},
			{name: "dm key taken", change: func(c *relay.Channel) { c.Kind, c.DMKey = relay.ChannelDM, dm.DMKey },
				code: relay.ECONFLICT, msg: "A conversation with these people already exists."},
			{name: "dm without key", change: func(c *relay.Channel) { c.Kind = relay.ChannelDM },
				code: relay.EINVALID},
			{name: "id taken", change: func(c *relay.Channel) { c.ID = dm.ID },
				code: relay.ECONFLICT, msg: "That id is already in use; please try again."},
			{name: "bad kind", change: func(c *relay.Channel) { c.Kind = "voice" }, code: relay.EINVALID},
			{name: "member of another workspace", members: []relay.ID{b.owner.ID},
				code: relay.ENOTFOUND, msg: "That user is not a member of this workspace."},
			{name: "unknown user", members: []relay.ID{ids.New()}, code: relay.ENOTFOUND},
			{name: "unknown workspace", change: func(c *relay.Channel) { c.WorkspaceID = ids.New() },
				code: relay.ENOTFOUND, msg: "Workspace not found."},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := rowCounts(t, db, a.ws.ID)
				c := newChannel(a.ws.ID, a.owner.ID, "fresh", relay.ChannelPublic)
				if tt.change != nil {
					tt.change(c)
				}
				wantCode(t, db.CreateChannel(ctx, c, tt.members), tt.code, tt.msg)
				diff(t, "rows after a failed create", rowCounts(t, db, a.ws.ID), before)
			})
		}
		// Names may repeat among DMs (they have none) and are case-sensitive
		// only as the app normalises them.
		mustCreateChannel(t, db, a, "", relay.ChannelDM, a.owner.ID)
	})
}

func TestChannelByDMKey(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		bob, cat := mustMember(t, db, a, "bob@example.com"), mustMember(t, db, a, "cat@example.com")
		pair := mustCreateChannel(t, db, a, "ignored", relay.ChannelDM, bob.ID)
		group := mustCreateChannel(t, db, a, "", relay.ChannelDM, bob.ID, cat.ID)
		if pair.Name != "" {
			t.Fatalf("DM name = %q, want it cleared", pair.Name)
		}
		got, err := db.ChannelByDMKey(ctx, a.ws.ID, group.DMKey)
		must(t, err)
		diff(t, "ChannelByDMKey", got, group)
		diff(t, "DMUserIDs", got.DMUserIDs, sortedIDs(a.owner.ID, bob.ID, cat.ID))
		_, err = db.ChannelByDMKey(ctx, b.ws.ID, group.DMKey)
		wantCode(t, err, relay.ENOTFOUND, "Channel not found.")
		_, err = db.ChannelByDMKey(ctx, a.ws.ID, dmKey([]relay.ID{cat.ID, a.owner.ID}))
		wantCode(t, err, relay.ENOTFOUND, "")

		m, err := db.DMUserIDs(ctx, a.ws.ID, []relay.ID{pair.ID, group.ID, a.general.ID, ids.New()})
		must(t, err)
		diff(t, "DMUserIDs", m, map[relay.ID][]relay.ID{
			pair.ID:  sortedIDs(a.owner.ID, bob.ID),
			group.ID: sortedIDs(a.owner.ID, bob.ID, cat.ID),
		})
		m, err = db.DMUserIDs(ctx, b.ws.ID, []relay.ID{pair.ID})
		must(t, err)
		diff(t, "another workspace's DMUserIDs", m, map[relay.ID][]relay.ID{})
	})
}

func TestListChannels(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		tn := mustCreateWorkspace(t, db, "acme", "ann@example.com")
		other := mustCreateWorkspace(t, db, "other", "olga@example.com")
		mustCreateChannel(t, db, other, "random", relay.ChannelPublic)
		bob := mustMember(t, db, tn, "bob@example.com")
		cat := mustMember(t, db, tn, "cat@example.com")
		mustCreateChannel(t, db, tn, "random", relay.ChannelPublic)
		mustCreateChannel(t, db, tn, "secret", relay.ChannelPrivate)
		mustCreateChannel(t, db, tn, "alpha", relay.ChannelPrivate, bob.ID)
		old := mustCreateChannel(t, db, tn, "old", relay.ChannelPublic, bob.ID)
		_, err := db.SetChannelArchived(ctx, tn.ws.ID, old.ID, true, t0)
		must(t, err)
		dmPair := mustCreateChannel(t, db, tn, "", relay.ChannelDM, bob.ID)
		dmGroup := mustCreateChannel(t, db, tn, "", relay.ChannelDM, bob.ID, cat.ID)
		// The group DM is the more recently active.
		m := msg(dmGroup, bob, "hi")
		m.CreatedAt = t0.Add(time.Hour)
		mustPost(t, db, m, msg(dmPair, bob, "earlier"))

		names := func(cs []relay.Channel) []string {
			out := []string{}
			for _, c := range cs {
				name := c.Name
				if c.Kind == relay.ChannelDM {
					name = "dm:" + c.DMKey
				}
				if c.IsMember {
					name += "*"
				}
				out = append(out, name)
			}
			return out
		}
		tests := []struct {
			name   string
			filter relay.ChannelFilter
			want   []string
		}{
			{"bob browses", relay.ChannelFilter{Viewer: bob.ID},
				[]string{"alpha*", "general*", "random", "dm:" + dmGroup.DMKey + "*", "dm:" + dmPair.DMKey + "*"}},
			{"bob's channels", relay.ChannelFilter{Viewer: bob.ID, MemberOnly: true},
				[]string{"alpha*", "general*", "dm:" + dmGroup.DMKey + "*", "dm:" + dmPair.DMKey + "*"}},
			{"bob's, archived too", relay.ChannelFilter{Viewer: bob.ID, MemberOnly: true, IncludeArchived: true},
				[]string{"alpha*", "general*", "old*", "dm:" + dmGroup.DMKey + "*", "dm:" + dmPair.DMKey + "*"}},
			{"bob's DMs", relay.ChannelFilter{Viewer: bob.ID, Kinds: []relay.ChannelKind{relay.ChannelDM}},
				[]string{"dm:" + dmGroup.DMKey + "*", "dm:" + dmPair.DMKey + "*"}},
			{"public for bob", relay.ChannelFilter{Viewer: bob.ID, Kinds: []relay.ChannelKind{relay.ChannelPublic}, IncludeArchived: true},
				[]string{"general*", "old*", "random"}},
			{"ann browses", relay.ChannelFilter{Viewer: tn.owner.ID},
				[]string{"alpha*", "general*", "random*", "secret*", "dm:" + dmGroup.DMKey + "*", "dm:" + dmPair.DMKey + "*"}},
			{"cat browses", relay.ChannelFilter{Viewer: cat.ID},
				[]string{"general*", "random", "dm:" + dmGroup.DMKey + "*"}},
			{"nobody browses", relay.ChannelFilter{}, []string{"general", "random"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.ListChannels(ctx, tn.ws.ID, tt.filter)
				must(t, err)
				diff(t, "channels", names(got), tt.want)
			})
		}

		// Counts and DM members are filled in for the viewer.
		got, err := db.ListChannels(ctx, tn.ws.ID, relay.ChannelFilter{Viewer: cat.ID, MemberOnly: true})
		must(t, err)
		g, dm := got[0], got[1]
		if g.MemberCount != 3 || g.Member == nil || g.Member.UserID != cat.ID || g.UnreadCount != 0 {
			t.Fatalf("general for cat = %+v", g)
		}
		if dm.UnreadCount != 1 || dm.LastSeq != 1 || dm.MemberCount != 3 {
			t.Fatalf("group DM for cat: unread %d, last seq %d, members %d; want 1, 1, 3", dm.UnreadCount, dm.LastSeq, dm.MemberCount)
		}
		diff(t, "DMUserIDs", dm.DMUserIDs, sortedIDs(tn.owner.ID, bob.ID, cat.ID))
		for _, c := range got {
			if c.WorkspaceID != tn.ws.ID {
				t.Fatalf("listed a channel of workspace %d", c.WorkspaceID)
			}
		}
	})
}

func TestUpdateChannel(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		tn := mustCreateWorkspace(t, db, "acme", "ann@example.com")
		c := mustCreateChannel(t, db, tn, "support", relay.ChannelPublic)
		now := t0.Add(time.Hour)
		got, err := db.UpdateChannel(ctx, tn.ws.ID, c.ID, relay.ChannelUpdate{Topic: ptr("New topic"), Purpose: ptr("")}, now)
		must(t, err)
		want := *c
		want.Topic, want.Purpose, want.UpdatedAt = "New topic", "", now.Truncate(time.Microsecond)
		diff(t, "updated channel", got, &want)
		got, err = db.UpdateChannel(ctx, tn.ws.ID, c.ID, relay.ChannelUpdate{Name: ptr("helpdesk")}, now)
		must(t, err)
		if got.Name != "helpdesk" || got.Topic != "New topic" {
			t.Fatalf("after rename: %+v", got)
		}
		_, err = db.UpdateChannel(ctx, tn.ws.ID, c.ID, relay.ChannelUpdate{Name: ptr("general")}, now)
		wantCode(t, err, relay.ECONFLICT, "A channel with that name already exists.")
		_, err = db.UpdateChannel(ctx, tn.ws.ID, ids.New(), relay.ChannelUpdate{}, now)
		wantCode(t, err, relay.ENOTFOUND, "Channel not found.")

		// Archive and unarchive.
		got, err = db.SetChannelArchived(ctx, tn.ws.ID, c.ID, true, now.Add(time.Minute))
		must(t, err)
		if !got.Archived || !got.UpdatedAt.Equal(now.Add(time.Minute).Truncate(time.Microsecond)) {
			t.Fatalf("archived channel = %+v", got)
		}
		if !readChannel(t, db, c, 0).Archived {
			t.Fatal("archive not stored")
		}
		got, err = db.SetChannelArchived(ctx, tn.ws.ID, c.ID, false, now)
		must(t, err)
		if got.Archived {
			t.Fatal("unarchive not stored")
		}
		_, err = db.SetChannelArchived(ctx, tn.ws.ID, ids.New(), true, now)
		wantCode(t, err, relay.ENOTFOUND, "")
	})
}

func TestDefaultChannels(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		tn := mustCreateWorkspace(t, db, "acme", "ann@example.com")
		news := mustCreateChannel(t, db, tn, "news", relay.ChannelPublic)
		old := mustCreateChannel(t, db, tn, "old", relay.ChannelPublic)
		dm := mustCreateChannel(t, db, tn, "", relay.ChannelDM)
		must(t, db.SetDefaultChannel(ctx, tn.ws.ID, news.ID))
		must(t, db.SetDefaultChannel(ctx, tn.ws.ID, news.ID)) // idempotent
		must(t, db.SetDefaultChannel(ctx, tn.ws.ID, old.ID))
		_, err := db.SetChannelArchived(ctx, tn.ws.ID, old.ID, true, t0)
		must(t, err)
		wantCode(t, db.SetDefaultChannel(ctx, tn.ws.ID, dm.ID), relay.EINVALID, "")
		wantCode(t, db.SetDefaultChannel(ctx, tn.ws.ID, ids.New()), relay.ENOTFOUND, "")
		got, err := db.DefaultChannels(ctx, tn.ws.ID)
		must(t, err)
		diff(t, "DefaultChannels (archived left out)", got, sortedIDs(tn.general.ID, news.ID))

		// New staff join the default channels (not archived ones) with no
		// unread backlog; customers join none.
		postN(t, db, news, tn.owner, 3)
		bob := newUser("bob@example.com")
		mustAddMember(t, db, tn, bob, true, relay.RoleMember, t0.Add(time.Hour))
		cust := newUser("cust@example.com")
		mustAddMember(t, db, tn, cust, true, relay.RoleCustomer, t0)
		mine, err := db.ListChannels(ctx, tn.ws.ID, relay.ChannelFilter{Viewer: bob.ID, MemberOnly: true, IncludeArchived: true})
		must(t, err)
		if len(mine) != 2 || mine[0].ID != tn.general.ID || mine[1].ID != news.ID {
			t.Fatalf("bob's channels = %+v, want general and news", mine)
		}
		if mine[1].LastReadSeq != 3 || mine[1].UnreadCount != 0 {
			t.Fatalf("bob in news: last read %d, unread %d; want 3, 0", mine[1].LastReadSeq, mine[1].UnreadCount)
		}
		if !mine[1].Member.JoinedAt.Equal(t0.Add(time.Hour).Truncate(time.Microsecond)) {
			t.Fatalf("bob joined news at %v", mine[1].Member.JoinedAt)
		}
		theirs, err := db.ListChannels(ctx, tn.ws.ID, relay.ChannelFilter{Viewer: cust.ID, MemberOnly: true, IncludeArchived: true})
		must(t, err)
		if len(theirs) != 0 {
			t.Fatalf("a customer joined %d channels, want none", len(theirs))
		}
	})
}

func TestChannelMembers(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		tn := mustCreateWorkspace(t, db, "acme", "ann@example.com")
		other := mustCreateWorkspace(t, db, "other", "olga@example.com")
		bob := mustMember(t, db, tn, "bob@example.com")
		cat := mustMember(t, db, tn, "cat@example.com")
		c := mustCreateChannel(t, db, tn, "support", relay.ChannelPrivate)
		postN(t, db, c, tn.owner, 4)

		now := t0.Add(time.Hour)
		added, err := db.AddChannelMembers(ctx, tn.ws.ID, c.ID, []relay.ID{cat.ID, tn.owner.ID, bob.ID, cat.ID}, now)
		must(t, err)
		diff(t, "added (the owner was a member already)", added, []relay.ID{cat.ID, bob.ID})
		added, err = db.AddChannelMembers(ctx, tn.ws.ID, c.ID, []relay.ID{bob.ID}, now)
		must(t, err)
		diff(t, "added again", added, []relay.ID{})

		m, err := db.ChannelMember(ctx, tn.ws.ID, c.ID, bob.ID)
		must(t, err)
		diff(t, "new member", m, &relay.ChannelMember{ChannelID: c.ID, UserID: bob.ID,
			JoinedAt: now.Truncate(time.Microsecond), LastReadSeq: 4, ReadVisible: 4})

		// Someone who is not a member of the workspace: nobody is added.
		dan := newUser("dan@example.com")
		_, err = db.AddChannelMembers(ctx, tn.ws.ID, c.ID, []relay.ID{other.owner.ID}, now)
		wantCode(t, err, relay.ENOTFOUND, "That user is not a member of this workspace.")
		mustAddMember(t, db, tn, dan, true, relay.RoleMember, t0)
		_, err = db.AddChannelMembers(ctx, tn.ws.ID, c.ID, []relay.ID{dan.ID, ids.New()}, now)
		wantCode(t, err, relay.ENOTFOUND, "")
		_, err = db.ChannelMember(ctx, tn.ws.ID, c.ID, dan.ID)
		wantCode(t, err, relay.ENOTFOUND, "That user is not a member of this channel.")
		_, err = db.AddChannelMembers(ctx, tn.ws.ID, ids.New(), []relay.ID{dan.ID}, now)
		wantCode(t, err, relay.ENOTFOUND, "Channel not found.")

		users, err := db.ListChannelMembers(ctx, tn.ws.ID, c.ID)
		must(t, err)
		var names []string
		for _, u := range users {
			if u.PasswordHash != "" {
				t.Fatal("ListChannelMembers returned a password hash")
			}
			names = append(names, u.Email)
		}
		diff(t, "members by name", names, []string{"ann@example.com", "bob@example.com", "cat@example.com"})

		must(t, db.RemoveChannelMember(ctx, tn.ws.ID, c.ID, cat.ID))
		wantCode(t, db.RemoveChannelMember(ctx, tn.ws.ID, c.ID, cat.ID), relay.ENOTFOUND, "That user is not a member of this channel.")
		memberIDs, err := db.ChannelMemberIDs(ctx, tn.ws.ID, c.ID)
		must(t, err)
		diff(t, "ChannelMemberIDs", memberIDs, sortedIDs(tn.owner.ID, bob.ID))
		if got := readChannel(t, db, c, 0).MemberCount; got != 2 {
			t.Fatalf("MemberCount = %d, want 2", got)
		}

		// Removing bob from the workspace removes his channel memberships.
		must(t, db.RemoveMember(ctx, tn.ws.ID, bob.ID))
		if n := count(t, db, `SELECT count(*) FROM channel_members WHERE user_id = $1`, bob.ID); n != 0 {
			t.Fatalf("bob still has %d channel memberships", n)
		}
		memberIDs, err = db.ChannelMemberIDs(ctx, tn.ws.ID, c.ID)
		must(t, err)
		diff(t, "ChannelMemberIDs after RemoveMember", memberIDs, []relay.ID{tn.owner.ID})
		// His messages stay.
		h, err := db.History(ctx, tn.ws.ID, c.ID, relay.HistoryQuery{})
		must(t, err)
		if len(h) != 4 {
			t.Fatalf("%d messages after RemoveMember, want 4", len(h))
		}
	})
}

// sortedIDs returns its arguments in ascending order.
func sortedIDs(list ...relay.ID) []relay.ID {
	return slices.Sorted(slices.Values(list))
}
