package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"trellis"
)

// Access is what a route needs before its handler runs. Every route declares
// one (see Server.handle); the domain's policy (trellis.Authorize) decides.
type Access struct {
	// Public routes are open to anyone, signed in or not: static files, the
	// API description, the sign-in pages.
	Public bool
	Kind   trellis.Kind
	Action trellis.Action
	// Owner names the path wildcard holding the owning person's id (e.g.
	// "pid") for routes on one person's resources; "" otherwise.
	Owner string
}

// public is the access of routes anyone may use.
func public() Access { return Access{Public: true} }

// need is the access of routes on ownerless resources, or on collections
// whose items the handler checks one by one.
func need(kind trellis.Kind, action trellis.Action) Access {
	return Access{Kind: kind, Action: action}
}

// needOn is the access of routes on one person's resources: the wildcard
// ownerWildcard holds the person's id.
func needOn(kind trellis.Kind, action trellis.Action, ownerWildcard string) Access {
	return Access{Kind: kind, Action: action, Owner: ownerWildcard}
}

// String renders the access for logs and test names.
func (a Access) String() string {
	if a.Public {
		return "public"
	}
	s := string(a.Kind) + ":" + string(a.Action)
	if a.Owner != "" {
		s += " on {" + a.Owner + "}"
	}
	return s
}

// authorizeRoute decides whether the request may use a route with the given
// access. It is the single gate every route passes before its handler runs.
// Nobody signed in is refused before anything is loaded, so an anonymous
// caller learns nothing about which ids exist.
func (s *Server) authorizeRoute(r *http.Request, a Access) error {
	if a.Public {
		return nil
	}
	if s.actor(r).Person == nil {
		return errSignIn
	}
	t := trellis.Target{Kind: a.Kind}
	if a.Owner == ownerSelf {
		actor := s.actor(r)
		t.Owner, t.OwnerChain = actor.Person, actor.Chain
	} else if a.Owner != "" {
		id, err := strconv.ParseInt(r.PathValue(a.Owner), 10, 64)
		if err != nil || id <= 0 {
			return trellis.Errorf(trellis.ENOTFOUND, "No such person.")
		}
		t, _, err = s.personTarget(r.Context(), a.Kind, id)
		if err != nil {
			return err
		}
	}
	return s.check(r, a.Action, t)
}

// errSignIn is the refusal for anonymous requests to routes that need a
// signed-in person.
var errSignIn = &trellis.Error{Code: trellis.EUNAUTHORIZED, Message: "Sign in to continue."}

// actor returns the signed-in actor of the request: the zero Actor when
// nobody is signed in. The authentication middleware (session.go) puts it in
// the request's context once per request.
func (s *Server) actor(r *http.Request) trellis.Actor {
	return trellis.ActorFromContext(r.Context())
}

// check asks the policy whether the request's actor may do action on t, for
// checks inside handlers (per item of a list, or after loading a resource).
func (s *Server) check(r *http.Request, action trellis.Action, t trellis.Target) error {
	return trellis.Authorize(s.actor(r), action, t)
}

// can is check as a boolean, for deciding which links and buttons to show.
func (s *Server) can(r *http.Request, action trellis.Action, t trellis.Target) bool {
	return s.check(r, action, t) == nil
}

// personTarget loads a person and their manager chain and returns the
// target of kind for resources they own. An unknown person is ENOTFOUND.
func (s *Server) personTarget(ctx context.Context, kind trellis.Kind, personID int64) (trellis.Target, *trellis.Person, error) {
	if s.people == nil {
		return trellis.Target{}, nil, trellis.Errorf(trellis.EUNAVAILABLE, "People are not available on this server.")
	}
	// People mostly act on themselves: the actor was loaded with the chain
	// at the start of the request, so reuse it (a copy: handlers may change
	// the person they get) instead of reading both again, twice a request.
	if a := trellis.ActorFromContext(ctx); a.Person != nil && a.Person.ID == personID && a.Chain != nil {
		a = cloneActor(a)
		return trellis.Target{Kind: kind, Owner: a.Person, OwnerChain: a.Chain}, a.Person, nil
	}
	if _, ok := s.people.(actorFinder); ok {
		// The person and their managers' ids in one read.
		a, err := s.findActor(ctx, personID)
		if err != nil {
			if trellis.ErrorCode(err) == trellis.ENOTFOUND {
				return trellis.Target{}, nil, trellis.Errorf(trellis.ENOTFOUND, "No such person.")
			}
			return trellis.Target{}, nil, err
		}
		return trellis.Target{Kind: kind, Owner: a.Person, OwnerChain: a.Chain}, a.Person, nil
	}
	p, err := s.people.FindPerson(ctx, personID)
	if err != nil {
		if trellis.ErrorCode(err) == trellis.ENOTFOUND {
			return trellis.Target{}, nil, trellis.Errorf(trellis.ENOTFOUND, "No such person.")
		}
		return trellis.Target{}, nil, err
	}
	chain, err := s.people.ManagerChain(ctx, personID)
	if err != nil {
		return trellis.Target{}, nil, err
	}
	return trellis.Target{Kind: kind, Owner: p, OwnerChain: personIDs(chain)}, p, nil
}

func personIDs(people []*trellis.Person) []int64 {
	ids := make([]int64, len(people))
	for i, p := range people {
		ids[i] = p.ID
	}
	return ids
}

// refuse writes an authorization refusal. Anonymous browser page requests
// are sent to the sign-in page and come back afterwards; the API answers 401
// with the JSON error.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, err error) {
	if trellis.ErrorCode(err) == trellis.EUNAUTHORIZED && !isAPI(r) &&
		(r.Method == http.MethodGet || r.Method == http.MethodHead) {
		http.Redirect(w, r, signinURL(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	s.fail(w, r, err)
}

// localPath returns next when it is a path on this site, else "/". It
// keeps the sign-in page from sending people to another site after they
// sign in (an open redirect).
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

// now is the server's clock.
func (s *Server) now() time.Time { return s.clock.Now() }

// CredentialStore keeps what people sign in with (sqlstore.CredentialStore):
// password hashes, single sign-on identities and recent sign-in attempts.
type CredentialStore interface {
	SetPasswordHash(ctx context.Context, personID int64, phc string) error
	PasswordHash(ctx context.Context, email string) (personID int64, phc string, err error)
	LinkIdentity(ctx context.Context, provider, subject string, personID int64) error
	FindIdentity(ctx context.Context, provider, subject string) (int64, error)
	RecordSignInAttempt(ctx context.Context, email, ip string, ok bool) error
	RecentSignInFailures(ctx context.Context, email, ip string, since time.Time) (byAccount, byAddress []time.Time, err error)
}

// originCheck guards a state-changing route against cross-site browser
// requests (http.CrossOriginProtection: Sec-Fetch-Site, else Origin against
// Host).
//
// Requests authenticated by an API token skip it, and that is safe: such a
// request was authenticated by its Authorization header alone (authenticate
// does not even load the session for it, so a cookie the browser attaches
// adds no authority), and a page on another site can neither read the
// token nor make a browser attach an Authorization header it does not
// know. Cross-site forgery rides on credentials the browser adds by itself,
// which is cookies; every request that a cookie authenticates is checked.
func (s *Server) originCheck(next http.Handler) http.Handler {
	guarded := s.cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if viaToken(r) {
			next.ServeHTTP(w, r)
			return
		}
		guarded.ServeHTTP(w, r)
	})
}
