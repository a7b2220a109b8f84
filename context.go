package trellis

import "context"

type actorKey struct{}

// NewContextWithActor returns a context carrying who is acting. The web edge
// sets it once per request (from the session or API token); services read it
// to authorize and to name the actor in the audit log.
func NewContextWithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFromContext returns the actor of ctx; the zero Actor (anonymous) when
// none was set.
func ActorFromContext(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}

// ActorID returns the id of the signed-in person of ctx, or nil.
func ActorID(ctx context.Context) *int64 {
	if p := ActorFromContext(ctx).Person; p != nil {
		id := p.ID
		return &id
	}
	return nil
}

// Origin says where a request came from, for the audit log: the client
// address of a web request, or the label of an actor that is not a person
// ("cli" for the operator's command line).
type Origin struct {
	IP    string
	Label string
}

type originKey struct{}

// NewContextWithOrigin returns a context carrying the request's origin.
func NewContextWithOrigin(ctx context.Context, o Origin) context.Context {
	return context.WithValue(ctx, originKey{}, o)
}

// OriginFromContext returns the origin of ctx, zero when none was set.
func OriginFromContext(ctx context.Context) Origin {
	o, _ := ctx.Value(originKey{}).(Origin)
	return o
}
