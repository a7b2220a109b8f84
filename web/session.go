package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"

	"trellis"
	"trellis/auth"
)

// Session settings.
const (
	SessionCookie      = "trellis_session"
	SessionIdleTimeout = 12 * time.Hour     // signed out after this long without a request
	SessionLifetime    = 7 * 24 * time.Hour // and after this long in any case

	sessionPersonKey   = "person_id"
	sessionSignedInKey = "signed_in_at"
	sessionMethodKey   = "method"

	// tokenTouchEvery is how often a token's last use is written: at most
	// once a minute per token, so a busy script does not write on every call.
	tokenTouchEvery = time.Minute
)

// newSessionManager builds the session manager over the store: sessions in
// the database (they survive restarts and are shared by every node), the
// token hashed in the store, the cookie HttpOnly, SameSite=Lax, Secure when
// the site is served over TLS.
func newSessionManager(store scs.CtxStore, secure bool) *scs.SessionManager {
	m := scs.New()
	if store != nil {
		m.Store = store
	} else {
		m.Store = memstore.NewWithCleanupInterval(0)
	}
	m.HashTokenInStore = true
	m.IdleTimeout = SessionIdleTimeout
	m.Lifetime = SessionLifetime
	m.Cookie.Name = SessionCookie
	m.Cookie.HttpOnly = true
	m.Cookie.SameSite = http.SameSiteLaxMode
	m.Cookie.Secure = secure
	m.Cookie.Path = "/"
	m.Cookie.Persist = true
	return m
}

type viaTokenKey struct{}

// viaToken reports whether the request was authenticated by an API token
// (and therefore not by the session cookie).
func viaToken(r *http.Request) bool {
	v, _ := r.Context().Value(viaTokenKey{}).(bool)
	return v
}

// authenticate finds who is acting and puts the Actor in the request's
// context before any route runs:
//
//   - API requests with an Authorization header are authenticated by the
//     Bearer token alone; the session cookie is not even loaded for them.
//     Tokens are never read from cookies or query strings.
//   - Everything else by the session cookie.
//
// A person who has left is anonymous. Static files skip the session.
func (s *Server) authenticate(next http.Handler) http.Handler {
	withSession := s.sessions.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor, err := s.sessionActor(w, r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(trellis.NewContextWithActor(r.Context(), actor)))
	}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Where the request came from, for every audit event it causes.
		r = r.WithContext(trellis.NewContextWithOrigin(r.Context(), trellis.Origin{IP: s.clientIP(r)}))
		switch {
		case strings.HasPrefix(r.URL.Path, "/static/"), opsPath(r.URL.Path):
			next.ServeHTTP(w, r)
		case isAPI(r) && r.Header.Get("Authorization") != "":
			ctx, _, _ := s.readRevisions(r.Context(), apiPersonID(r.URL.Path))
			r = r.WithContext(ctx)
			actor, err := s.tokenActor(r)
			if err != nil {
				w.Header().Set("WWW-Authenticate", `Bearer realm="trellis"`)
				s.fail(w, r, err)
				return
			}
			ctx = context.WithValue(trellis.NewContextWithActor(r.Context(), actor), viaTokenKey{}, true)
			next.ServeHTTP(w, r.WithContext(ctx))
		default:
			ctx, _, _ := s.readRevisions(r.Context(), apiPersonID(r.URL.Path))
			withSession.ServeHTTP(w, r.WithContext(ctx))
		}
	})
}

// sessionActor returns the actor of the session. A cookie naming no live
// session (unknown, expired or tampered: the store cannot tell them apart,
// since only a hash of the token is kept) is recorded once as
// session.rejected and the cookie is cleared, so the browser stops sending
// it; the request goes on anonymously.
func (s *Server) sessionActor(w http.ResponseWriter, r *http.Request) (trellis.Actor, error) {
	ctx := r.Context()
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return trellis.Actor{}, nil
	}
	if s.sessions.Token(ctx) == "" {
		reason := "unknown or expired"
		if !wellFormedSessionToken(c.Value) {
			reason = "malformed"
		}
		s.audit(ctx, r, &trellis.AuditEvent{Action: trellis.AuditSessionRejected, TargetType: trellis.AuditTargetSession,
			After: map[string]any{"reason": reason}})
		http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
			SameSite: http.SameSiteLaxMode, Secure: s.secureCookies})
		return trellis.Actor{}, nil
	}
	id := s.sessions.GetInt64(ctx, sessionPersonKey)
	if id == 0 {
		return trellis.Actor{}, nil
	}
	actor, err := s.loadActor(ctx, id)
	if err != nil {
		return trellis.Actor{}, err
	}
	if actor.Person == nil {
		// The person left or was removed: the session is over.
		if err := s.sessions.Destroy(ctx); err != nil {
			return trellis.Actor{}, err
		}
	}
	return actor, nil
}

// wellFormedSessionToken reports whether v looks like a token scs made (32
// random bytes, base64url without padding).
func wellFormedSessionToken(v string) bool {
	if len(v) != 43 {
		return false
	}
	for _, c := range v {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// loadActor loads the person with id as an actor: their reports and chain,
// once per request. A person who is unknown or has left is the zero Actor.
func (s *Server) loadActor(ctx context.Context, id int64) (trellis.Actor, error) {
	if s.people == nil {
		return trellis.Actor{}, nil
	}
	if _, ok := s.people.(actorFinder); ok {
		a, err := s.findActor(ctx, id)
		if trellis.ErrorCode(err) == trellis.ENOTFOUND {
			return trellis.Actor{}, nil
		} else if err != nil {
			return trellis.Actor{}, err
		}
		return activeActor(a), nil
	}
	p, err := s.people.FindPerson(ctx, id)
	if trellis.ErrorCode(err) == trellis.ENOTFOUND {
		return trellis.Actor{}, nil
	} else if err != nil {
		return trellis.Actor{}, err
	}
	if !p.Active {
		return trellis.Actor{}, nil
	}
	reports, err := s.people.HasReports(ctx, id)
	if err != nil {
		return trellis.Actor{}, err
	}
	chain, err := s.people.ManagerChain(ctx, id)
	if err != nil {
		return trellis.Actor{}, err
	}
	return trellis.Actor{Person: p, HasReports: reports, Chain: personIDs(chain)}, nil
}

// actorFinder loads a person as an actor in one read
// (sqlstore.PersonService).
type actorFinder interface {
	FindActor(ctx context.Context, id int64) (trellis.Actor, error)
}

// findActor loads a person, active or not, as an actor in one read, or
// recalls them as read at the same access revision. The people service
// must be an actorFinder.
func (s *Server) findActor(ctx context.Context, id int64) (trellis.Actor, error) {
	key := "p:" + strconv.FormatInt(id, 10)
	ctx, rev, cacheable := s.accessRevision(ctx)
	if cacheable {
		if a, _, ok := s.recalledActor(key, rev); ok {
			return a, nil
		}
	}
	a, err := s.people.(actorFinder).FindActor(ctx, id)
	if err == nil && cacheable {
		s.rememberActor(key, rev, a, nil)
	}
	return a, err
}

// tokenActorFinder finds an API token and loads its person as an actor in
// one read (sqlstore.TokenStore).
type tokenActorFinder interface {
	FindTokenActor(ctx context.Context, hash string) (*auth.APIToken, trellis.Actor, error)
}

// activeActor is a, or the zero Actor when nobody or a person who has left.
func activeActor(a trellis.Actor) trellis.Actor {
	if a.Person == nil || !a.Person.Active {
		return trellis.Actor{}
	}
	return a
}

// errTokenRefused is the one answer to every refused API token: unknown,
// malformed, expired, revoked, or of a person who left. The reason goes to
// the audit log only.
var errTokenRefused = auth.ErrTokenRefused

// tokenActor authenticates an API request by its Bearer token.
func (s *Server) tokenActor(r *http.Request) (trellis.Actor, error) {
	ctx := r.Context()
	scheme, plain, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	plain = strings.TrimSpace(plain)
	refuse := func(reason string, tokenID int64) (trellis.Actor, error) {
		e := &trellis.AuditEvent{Action: trellis.AuditTokenRejected, After: map[string]any{"reason": reason}}
		if tokenID != 0 {
			e.TargetType, e.TargetID = trellis.AuditTargetToken, strconv.FormatInt(tokenID, 10)
		}
		s.audit(ctx, r, e)
		return trellis.Actor{}, errTokenRefused
	}
	if !strings.EqualFold(scheme, "Bearer") || !auth.WellFormed(plain, auth.TokenPrefix) {
		return refuse("malformed", 0)
	}
	if s.tokens == nil {
		return refuse("unknown", 0)
	}
	var tok *auth.APIToken
	var actor trellis.Actor
	var err error
	hash := auth.HashToken(plain)
	key := "t:" + hash
	_, rev, cacheable := s.accessRevision(ctx)
	f, oneRead := s.tokens.(tokenActorFinder)
	cacheable = cacheable && oneRead && s.people != nil
	recalled := false
	if cacheable {
		actor, tok, recalled = s.recalledActor(key, rev)
	}
	switch {
	case recalled:
	case oneRead && s.people != nil:
		tok, actor, err = f.FindTokenActor(ctx, hash)
		if err == nil && cacheable {
			s.rememberActor(key, rev, actor, tok)
		}
	default:
		tok, err = s.tokens.FindTokenByHash(ctx, hash)
	}
	if trellis.ErrorCode(err) == trellis.ENOTFOUND {
		return refuse("unknown", 0)
	} else if err != nil {
		return trellis.Actor{}, err
	}
	found := actor
	actor = activeActor(actor)
	now := s.now()
	if p := tok.Problem(now); p != "" {
		return refuse(p, tok.ID)
	}
	if !oneRead || s.people == nil {
		if actor, err = s.loadActor(ctx, tok.PersonID); err != nil {
			return trellis.Actor{}, err
		}
	}
	if actor.Person == nil {
		return refuse("inactive person", tok.ID)
	}
	actor.ReadOnly = tok.ReadOnly()
	if tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) >= tokenTouchEvery {
		if err := s.tokens.TouchToken(ctx, tok.ID, now); err != nil {
			s.logger.WarnContext(ctx, "recording token use", "token", tok.ID, "err", err)
		} else if cacheable {
			// Using a token moves no revision: keep the time with it, or
			// every later request would record it again.
			tok.LastUsedAt = &now
			s.rememberActor(key, rev, found, tok)
		}
	}
	return actor, nil
}

// startSession signs the person in on this request's session: a new session
// token (no fixation), the person's id and when and how they signed in.
func (s *Server) startSession(ctx context.Context, personID int64, method string) error {
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, sessionPersonKey, personID)
	s.sessions.Put(ctx, sessionSignedInKey, s.now().Unix())
	s.sessions.Put(ctx, sessionMethodKey, method)
	return nil
}

// endSession signs out: the session's data is dropped and its token
// replaced.
func (s *Server) endSession(ctx context.Context) error {
	if err := s.sessions.Clear(ctx); err != nil {
		return err
	}
	return s.sessions.Destroy(ctx)
}

// clientIP is the one place that says where a request came from: the
// connection's address, or the first address of X-Forwarded-For when the
// server sits behind a proxy it trusts (Deps.TrustProxy).
func (s *Server) clientIP(r *http.Request) string {
	if s.trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			first, _, _ := strings.Cut(xff, ",")
			if ip := net.ParseIP(strings.TrimSpace(first)); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip := net.ParseIP(host); ip != nil {
		return ip.String()
	}
	return ""
}

// audit records an event by the request's actor (or anonymous), with the
// client address. A failure to record is logged, not shown: the request
// itself has been answered on its merits.
func (s *Server) audit(ctx context.Context, r *http.Request, e *trellis.AuditEvent) {
	if s.auditLog == nil {
		return
	}
	if e.ActorLabel == "" {
		if p := trellis.ActorFromContext(ctx).Person; p != nil {
			id := p.ID
			e.ActorID, e.ActorLabel = &id, p.Email
		} else {
			e.ActorLabel = "anonymous"
		}
	}
	if e.IP == "" {
		e.IP = s.clientIP(r)
	}
	if err := s.auditLog.RecordAudit(ctx, e); err != nil {
		s.logger.ErrorContext(ctx, "recording audit event", "action", e.Action, "err", err)
	}
}

// sessionError turns a session store failure into the domain's error.
func sessionError(err error) error {
	if err == nil {
		return nil
	}
	var te *trellis.Error
	if errors.As(err, &te) {
		return err
	}
	return trellis.Errorf(trellis.EUNAVAILABLE, "Sessions are not available right now; try again in a moment.")
}
