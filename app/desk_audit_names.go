package app

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/relayhq/relay"
)

// nameAudit fills each event's TargetName and Names (ids in its data → the
// names people know them by) from the actor's workspace only, so the log
// reads "Ticket #1001 Refund" and "Ann → Bob" rather than ids. Things gone
// since keep the name the event recorded when it was written (a removed
// member's name, a deleted connector's or webhook's), else stay unnamed.
// Lookups that fail leave the id: the log is never refused for a name.
func (a *Desk) nameAudit(ctx context.Context, actor *relay.Actor, events []relay.AuditEvent) {
	ws := actor.Workspace.ID
	var viewer relay.ID
	if actor.User != nil {
		viewer = actor.User.ID
	}
	userIDs := map[relay.ID]bool{}
	datas := make([]map[string]any, len(events))
	for i, e := range events {
		var d map[string]any
		_ = json.Unmarshal(e.Data, &d)
		datas[i] = d
		if e.TargetKind == relay.AuditTargetUser && e.TargetID != 0 {
			userIDs[e.TargetID] = true
		}
		for _, k := range auditUserFields(e.Action) {
			if id := dataID(d, k); id != 0 {
				userIDs[id] = true
			}
		}
	}
	people := map[relay.ID]string{}
	if len(userIDs) > 0 {
		ids := make([]relay.ID, 0, len(userIDs))
		for id := range userIDs {
			ids = append(ids, id)
		}
		if ms, err := a.store.MembersByID(ctx, ws, ids); err == nil {
			for id, m := range ms {
				people[id] = m.User.DisplayName
			}
		}
	}
	tickets, channels, connectors, hooks := map[relay.ID]string{}, map[relay.ID]string{}, map[relay.ID]string{}, map[relay.ID]string{}
	lookup := func(cache map[relay.ID]string, id relay.ID, get func() (string, error)) string {
		if n, ok := cache[id]; ok {
			return n
		}
		n, err := get()
		if err != nil {
			n = ""
		}
		cache[id] = n
		return n
	}
	for i := range events {
		e, d := &events[i], datas[i]
		str := func(k string) string { s, _ := d[k].(string); return s }
		switch id := e.TargetID; e.TargetKind {
		case relay.AuditTargetUser:
			e.TargetName = people[id]
			if e.TargetName == "" {
				e.TargetName = str("name") // a removed member, as recorded
			}
		case relay.AuditTargetTicket:
			e.TargetName = lookup(tickets, id, func() (string, error) {
				t, err := a.store.Ticket(ctx, ws, id, viewer)
				if err != nil {
					return "", err
				}
				n := "#" + strconv.FormatInt(t.Number, 10)
				if t.Subject != "" {
					n += " " + truncate(t.Subject, 80)
				}
				return n, nil
			})
		case relay.AuditTargetConnector:
			e.TargetName = lookup(connectors, id, func() (string, error) {
				c, err := a.store.Connector(ctx, ws, id)
				if err != nil {
					return "", err
				}
				return c.Name, nil
			})
			if e.TargetName == "" {
				e.TargetName = str("name")
			}
		case relay.AuditTargetWebhook:
			e.TargetName = lookup(hooks, id, func() (string, error) {
				s, err := a.store.Subscription(ctx, ws, id)
				if err != nil {
					return "", err
				}
				return s.URL, nil
			})
			if e.TargetName == "" {
				e.TargetName = str("url")
			}
		case relay.AuditTargetIncoming:
			e.TargetName = str("name")
			if e.TargetName == "" { // a removal records no name: the creation did
				e.TargetName = lookup(hooks, id, func() (string, error) {
					created, err := a.store.ListAudit(ctx, ws, relay.AuditFilter{Action: relay.AuditIncomingWebhookCreated,
						TargetKind: relay.AuditTargetIncoming, TargetID: id, Limit: 1})
					if err != nil || len(created) == 0 {
						return "", err
					}
					var cd struct {
						Name string `json:"name"`
					}
					_ = json.Unmarshal(created[0].Data, &cd)
					return cd.Name, nil
				})
			}
		case relay.AuditTargetInvite:
			e.TargetName = str("email")
		case relay.AuditTargetWorkspace:
			e.TargetName = actor.Workspace.Name
		}
		names := map[string]string{}
		for _, k := range auditUserFields(e.Action) {
			if id := dataID(d, k); id != 0 && people[id] != "" {
				names[id.String()] = people[id]
			}
		}
		if id := dataID(d, "channel_id"); id != 0 {
			if n := lookup(channels, id, func() (string, error) {
				c, err := a.store.Channel(ctx, ws, id, viewer)
				if err != nil {
					return "", err
				}
				return "#" + c.Name, nil
			}); n != "" {
				names[id.String()] = n
			}
		}
		if len(names) > 0 {
			e.Names = names
		}
	}
}

// auditUserFields are the data fields of an action that hold user ids.
func auditUserFields(action string) []string {
	switch action {
	case relay.AuditTicketAssigned:
		return []string{"from", "to"}
	case relay.AuditOwnerChanged:
		return []string{"from"}
	case relay.AuditInviteAccepted:
		return []string{"invited_by"}
	}
	return nil
}

// dataID reads an id written as a JSON string (relay.ID) or number.
func dataID(d map[string]any, k string) relay.ID {
	switch v := d[k].(type) {
	case string:
		id, err := relay.ParseID(v)
		if err == nil {
			return id
		}
	case float64:
		if v > 0 {
			return relay.ID(v)
		}
	}
	return 0
}

// ticketUpdateAudit is what a ticket update records in the audit log: each
// changed field with its from and to, as its ticket event holds them.
func ticketUpdateAudit(events []*relay.TicketEvent) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for _, ev := range events {
		out[ev.Kind] = ev.Data
	}
	return out
}
