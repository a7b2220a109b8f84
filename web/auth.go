package web

import (
	"net/http"

	"trellis"
)

// Action is what a request wants to do; every route declares one.
type Action string

// Actions of the routes so far.
const (
	// ActionPublic: static assets, the API description, error pages.
	ActionPublic Action = "public"
	// ActionFrameworkRead: see frameworks, their matrix, roles, graph, diffs.
	ActionFrameworkRead Action = "framework:read"
	// ActionFrameworkImport: import a framework file.
	ActionFrameworkImport Action = "framework:import"
	// ActionFrameworkActivate: make a stored version the active one.
	ActionFrameworkActivate Action = "framework:activate"
)

// Resource is what an action is about, taken from the route's wildcards.
type Resource struct {
	Kind    string // "framework", "" when the route names nothing
	ID      string
	Version string
	Role    string
}

// resourceOf reads the resource a request names from its path wildcards.
func resourceOf(r *http.Request) Resource {
	res := Resource{ID: r.PathValue("id"), Version: r.PathValue("version"), Role: r.PathValue("role")}
	if res.ID != "" {
		res.Kind = "framework"
	}
	return res
}

// authorize decides whether the request may perform action on res. It is
// the single place where access is decided: every route passes through it
// before its handler runs (see Server.handle).
//
// For now nobody signs in: every framework page and API read is open, and so
// are imports and activation. When sign-in arrives, this asks the domain's
// authorization policy with the request's actor, and import/activate become
// admin-only.
func (s *Server) authorize(r *http.Request, action Action, res Resource) error {
	switch action {
	case ActionPublic, ActionFrameworkRead:
		return nil
	case ActionFrameworkImport, ActionFrameworkActivate:
		// Admin-only once sign-in exists.
		return nil
	}
	return trellis.Errorf(trellis.EFORBIDDEN, "You may not do this.")
}
