package relay

import "context"

// Actor is who is acting in a request: a user, their membership and the
// workspace whose host the request reached. A nil *Actor is anonymous.
type Actor struct {
	User       *User
	Membership *Membership
	Workspace  *Workspace
	SessionID  ID // the session or API token that authenticated the request
	ViaCookie  bool
}

// Role returns the actor's role in the workspace, or "" when anonymous.
func (a *Actor) Role() Role {
	if a == nil || a.Membership == nil {
		return ""
	}
	return a.Membership.Role
}

type ctxKey int

const (
	actorKey ctxKey = iota
	workspaceKey
	requestIDKey
	clientIPKey
)

// NewContextWithActor returns ctx carrying the actor.
func NewContextWithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey, a)
}

// ActorFromContext returns the actor in ctx, or nil.
func ActorFromContext(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey).(*Actor)
	return a
}

// NewContextWithWorkspace returns ctx carrying the workspace resolved from the Host.
func NewContextWithWorkspace(ctx context.Context, w *Workspace) context.Context {
	return context.WithValue(ctx, workspaceKey, w)
}

// WorkspaceFromContext returns the workspace in ctx, or nil on the apex host.
func WorkspaceFromContext(ctx context.Context) *Workspace {
	w, _ := ctx.Value(workspaceKey).(*Workspace)
	return w
}

// NewContextWithRequestID returns ctx carrying a request id for logs.
func NewContextWithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestIDFromContext returns the request id in ctx, or "".
func RequestIDFromContext(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey).(string)
	return s
}

// NewContextWithClientIP returns ctx carrying the client's IP address (as
// the HTTP layer determined it), for the audit log.
func NewContextWithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey, ip)
}

// ClientIPFromContext returns the client IP in ctx, or "".
func ClientIPFromContext(ctx context.Context) string {
	s, _ := ctx.Value(clientIPKey).(string)
	return s
}
