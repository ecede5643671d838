package policy_test

import (
	"fmt"
	"testing"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/policy"
)

// TestCheckChannel is the channel matrix. Each row gives, for the roles
// owner, admin, agent, member, customer in that order, the outcome:
// '+' allowed, 'F' forbidden, 'N' not found (hidden), 'I' invalid.
func TestCheckChannel(t *testing.T) {
	pub := relay.ChannelPublic
	priv := relay.ChannelPrivate
	dm := relay.ChannelDM
	tests := []struct {
		act  policy.Action
		on   policy.On
		want string
	}{
		{policy.CreateChannel, policy.On{Kind: pub}, "++++F"},
		{policy.CreateChannel, policy.On{Kind: priv}, "++++F"},
		{policy.CreateChannel, policy.On{Kind: dm}, "IIIIF"},
		{policy.BrowseChannels, policy.On{}, "++++F"},
		{policy.OpenDM, policy.On{}, "++++F"},

		// Reading: public channels to all staff; private and DMs to members only.
		{policy.ReadChannel, policy.On{Kind: pub}, "++++N"},
		{policy.ReadChannel, policy.On{Kind: pub, Member: true}, "++++N"},
		{policy.ReadChannel, policy.On{Kind: priv}, "NNNNN"},
		{policy.ReadChannel, policy.On{Kind: priv, Member: true}, "++++N"},
		{policy.ReadChannel, policy.On{Kind: dm}, "NNNNN"},
		{policy.ReadChannel, policy.On{Kind: dm, Member: true}, "++++N"},
		{policy.ReadChannel, policy.On{Kind: relay.ChannelTicket, Member: true}, "NNNNN"},
		{policy.PostMessage, policy.On{Kind: relay.ChannelTicket, Member: true}, "NNNNN"},
		{policy.ReadChannel, policy.On{Kind: relay.ChannelTicket}, "NNNNN"},

		{policy.JoinChannel, policy.On{Kind: pub}, "++++N"},
		{policy.JoinChannel, policy.On{Kind: priv}, "NNNNN"},
		{policy.LeaveChannel, policy.On{Kind: pub, Member: true}, "++++N"},
		{policy.LeaveChannel, policy.On{Kind: pub}, "IIIIN"},
		{policy.LeaveChannel, policy.On{Kind: pub, Member: true, Default: true}, "FFFFN"},
		{policy.LeaveChannel, policy.On{Kind: dm, Member: true}, "IIIIN"},

		{policy.AddChannelMember, policy.On{Kind: priv, Member: true, TargetRole: relay.RoleMember}, "++++N"},
		{policy.AddChannelMember, policy.On{Kind: priv, Member: true, TargetRole: relay.RoleCustomer}, "FFFFN"},
		{policy.AddChannelMember, policy.On{Kind: pub, TargetRole: relay.RoleAgent}, "++FFN"},
		{policy.AddChannelMember, policy.On{Kind: pub, Member: true, Archived: true}, "FFFFN"},
		{policy.AddChannelMember, policy.On{Kind: dm, Member: true}, "IIIIN"},

		{policy.KickChannelMember, policy.On{Kind: pub, Member: true}, "++FFN"},
		{policy.KickChannelMember, policy.On{Kind: priv, Member: true}, "++FFN"},
		{policy.KickChannelMember, policy.On{Kind: pub, Member: true, Default: true}, "FFFFN"},
		{policy.KickChannelMember, policy.On{Kind: dm, Member: true}, "IIIIN"},

		{policy.SetChannelTopic, policy.On{Kind: pub, Member: true}, "++++N"},
		{policy.SetChannelTopic, policy.On{Kind: pub}, "++FFN"},
		{policy.SetChannelTopic, policy.On{Kind: pub, Member: true, Archived: true}, "FFFFN"},
		{policy.SetChannelTopic, policy.On{Kind: dm, Member: true}, "++++N"},

		{policy.RenameChannel, policy.On{Kind: pub, Member: true}, "++FFN"},
		{policy.RenameChannel, policy.On{Kind: pub, Member: true, Creator: true}, "++++N"},
		{policy.RenameChannel, policy.On{Kind: pub, Member: true, Creator: true, Archived: true}, "FFFFN"},
		{policy.RenameChannel, policy.On{Kind: dm, Member: true, Creator: true}, "IIIIN"},
		{policy.ArchiveChannel, policy.On{Kind: priv, Member: true}, "++FFN"},
		{policy.ArchiveChannel, policy.On{Kind: priv, Member: true, Creator: true}, "++++N"},
		{policy.ArchiveChannel, policy.On{Kind: pub, Member: true, Default: true}, "FFFFN"},

		{policy.PostMessage, policy.On{Kind: pub, Member: true}, "++++N"},
		{policy.PostMessage, policy.On{Kind: pub}, "FFFFN"},
		{policy.PostMessage, policy.On{Kind: pub, Member: true, Archived: true}, "FFFFN"},
		{policy.PostMessage, policy.On{Kind: dm, Member: true}, "++++N"},
		{policy.PostMessage, policy.On{Kind: priv}, "NNNNN"},

		{policy.EditMessage, policy.On{Kind: pub, Member: true, Author: true}, "++++N"},
		{policy.EditMessage, policy.On{Kind: pub, Member: true}, "FFFFN"},
		{policy.DeleteMessage, policy.On{Kind: pub, Member: true, Author: true}, "++++N"},
		{policy.DeleteMessage, policy.On{Kind: pub, Member: true}, "++FFN"},
		{policy.DeleteMessage, policy.On{Kind: dm}, "NNNNN"},
	}
	codes := map[byte]string{'+': "", 'F': relay.EFORBIDDEN, 'N': relay.ENOTFOUND, 'I': relay.EINVALID}
	covered := map[policy.Action]bool{}
	for _, tt := range tests {
		covered[tt.act] = true
		for i, role := range relay.Roles {
			t.Run(fmt.Sprintf("%s/%+v/%s", tt.act, tt.on, role), func(t *testing.T) {
				actor := &relay.Actor{User: &relay.User{ID: 1}, Membership: &relay.Membership{Role: role}}
				err := policy.CheckChannel(actor, tt.act, tt.on)
				if got, want := relay.ErrorCode(err), codes[tt.want[i]]; got != want {
					t.Fatalf("got %q (%v), want %q", got, err, want)
				}
				if err != nil && relay.ErrorMessage(err) == "" {
					t.Fatal("refusal without a reason")
				}
			})
		}
	}
	for _, a := range policy.ChannelActions {
		if !covered[a] {
			t.Errorf("action %q has no row", a)
		}
	}
	for _, a := range policy.ChannelActions {
		if got := relay.ErrorCode(policy.CheckChannel(nil, a, policy.On{Kind: pub})); got != relay.EUNAUTHORIZED {
			t.Errorf("anonymous %s: %q", a, got)
		}
	}
}
