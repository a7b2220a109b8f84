// Package web is Trellis over HTTP: server-rendered HTML pages, the JSON API
// under /api/v1 and the static assets, all behind one handler. Every route is
// declared in routes.go; every domain error becomes an HTTP status in one
// table in errors.go; every request asks the authorization hook in auth.go.
package web

import (
	"cmp"
	"database/sql"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/alexedwards/scs/v2"

	"trellis"
	"trellis/auth"
	"trellis/forge"
)

// Deps are what the server needs from the rest of the product.
type Deps struct {
	Frameworks trellis.FrameworkService
	Logger     *slog.Logger // nil discards logs
	Clock      trellis.Clock
	Version    string // build version shown in the footer

	// Operations (health.go, metrics.go). Health answers /readyz; nil
	// means always ready. DBStats feeds the connection pool metrics; nil
	// leaves them out. MetricsToken lets scrapers from other machines read
	// /metrics as a Bearer token; empty allows loopback only.
	Health       Health
	DBStats      func() sql.DBStats
	MetricsToken string

	// MaxBodyBytes caps request bodies (framework files, forms); 0 means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64

	// Revisions lets the server keep actors and growth API responses
	// between requests for as long as the store's counters say they are
	// current (cache.go); nil reads everything afresh every time.
	Revisions trellis.RevisionService

	// Sign-in and authorization (auth.go, session.go, signin.go).
	People      trellis.PersonService
	Audit       trellis.AuditService
	Credentials CredentialStore
	Tokens      auth.TokenStore
	// Sessions stores browser sessions (sqlstore.NewSessionStore); nil
	// keeps them in memory, lost at restart.
	Sessions scs.CtxStore
	// OIDC is the single sign-on provider; nil turns single sign-on off.
	OIDC *auth.OIDC
	// AutoProvision creates a person on their first single sign-on when no
	// one has their email.
	AutoProvision bool
	// SecureCookies marks the session cookie Secure (served over TLS).
	SecureCookies bool
	// TrustProxy takes the client address from X-Forwarded-For (behind a
	// reverse proxy that sets it).
	TrustProxy bool
	// Hasher hashes and checks passwords; nil means auth.DefaultParams.
	Hasher *auth.Hasher
	// Throttle limits failed sign-ins; nil means auth.DefaultThrottle.
	Throttle *auth.Throttle

	// Growth: the evidence journal, growth plans and career conversations,
	// and the inputs of readiness (evidence*.go, growth*.go, readiness*.go).
	Evidence  trellis.EvidenceService
	Growth    trellis.GrowthService
	Readiness trellis.ReadinessService

	// Community: the people finder, coffee chats and ask-me-anything
	// sessions (chat*.go), pairing sessions, office hours and mentorships
	// (mentoring*.go); nil turns their pages off with a 503.
	Chats     trellis.ChatService
	Mentoring trellis.MentoringService

	// Promotions: documents and their workflow, cycles, projections,
	// calibration, the library and the inbox (document*.go, cycle*.go,
	// calibration*.go, library*.go, inbox*.go, export*.go). Nil turns the
	// pages off with a 503.
	Documents     trellis.DocumentService
	Cycles        trellis.CycleService
	Notifications trellis.NotificationService
	// Deliveries keeps notification settings and the outbox of e-mails and
	// webhook posts (delivery.go); nil turns those pages off with a 503.
	Deliveries trellis.DeliveryService

	// Forge imports work from GitLab and GitHub for people to accept as
	// evidence (forge.go); nil turns connections off with a 503.
	Forge *forge.Syncer

	// Openings, programmes and interim or acting assignments (opening*.go,
	// programme*.go); nil turns their pages off with a 503.
	Openings    trellis.OpeningService
	Programmes  trellis.ProgrammeService
	Assignments trellis.AssignmentService
}

// DefaultMaxBodyBytes is the default request body limit: a framework file
// (at most 8 MiB) plus room for form fields.
const DefaultMaxBodyBytes = 9 << 20

// Server serves Trellis over HTTP.
type Server struct {
	checks     checkCache // promotion-document findings by content
	revisions  trellis.RevisionService
	actors     *lru[cachedActor]
	responses  *lru[cachedResponse]
	frameworks trellis.FrameworkService
	logger     *slog.Logger
	clock      trellis.Clock
	version    string
	maxBody    int64

	people        trellis.PersonService
	auditLog      trellis.AuditService
	credentials   CredentialStore
	tokens        auth.TokenStore
	sessions      *scs.SessionManager
	oidc          *auth.OIDC
	autoProvision bool
	secureCookies bool
	trustProxy    bool
	hasher        *auth.Hasher
	throttle      auth.Throttle

	evidence  trellis.EvidenceService
	growth    trellis.GrowthService
	readiness trellis.ReadinessService
	forgeSync *forge.Syncer
	chats     trellis.ChatService
	mentoring trellis.MentoringService

	openings    trellis.OpeningService
	programmes  trellis.ProgrammeService
	assignments trellis.AssignmentService

	documents     trellis.DocumentService
	cycles        trellis.CycleService
	notifications trellis.NotificationService
	deliveries    trellis.DeliveryService

	mux     *http.ServeMux
	routes  []Route
	cop     *http.CrossOriginProtection
	assets  *assets
	pages   map[string]*template.Template
	handler http.Handler

	// routeNames maps registered patterns ("GET /people/{pid}") to route
	// names, for logs and metrics.
	routeNames map[string]string

	health         Health
	metrics        *metrics
	metricsHandler http.Handler
	metricsToken   string
}

// NewServer builds the server and its routes. It panics if the embedded
// templates do not parse, which tests catch.
func NewServer(d Deps) *Server {
	s := &Server{
		frameworks: d.Frameworks,
		logger:     d.Logger,
		clock:      d.Clock,
		version:    cmp.Or(d.Version, "dev"),
		maxBody:    cmp.Or(d.MaxBodyBytes, DefaultMaxBodyBytes),
		mux:        http.NewServeMux(),

		people:        d.People,
		auditLog:      d.Audit,
		credentials:   d.Credentials,
		tokens:        d.Tokens,
		sessions:      newSessionManager(d.Sessions, d.SecureCookies),
		oidc:          d.OIDC,
		autoProvision: d.AutoProvision,
		secureCookies: d.SecureCookies,
		trustProxy:    d.TrustProxy,
		hasher:        d.Hasher,
		throttle:      auth.DefaultThrottle,

		evidence:  d.Evidence,
		growth:    d.Growth,
		readiness: d.Readiness,
		forgeSync: d.Forge,
		chats:     d.Chats,
		mentoring: d.Mentoring,

		openings:    d.Openings,
		programmes:  d.Programmes,
		assignments: d.Assignments,

		documents:     d.Documents,
		cycles:        d.Cycles,
		notifications: d.Notifications,
		deliveries:    d.Deliveries,
	}
	if d.Throttle != nil {
		s.throttle = *d.Throttle
	}
	if s.hasher == nil {
		h, err := auth.NewHasher(auth.DefaultParams)
		if err != nil {
			panic(fmt.Sprintf("web: password hasher: %v", err))
		}
		s.hasher = h
	}
	s.sessions.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) { s.fail(w, r, sessionError(err)) }
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	s.logger = slog.New(requestIDHandler{s.logger.Handler()})
	s.health, s.metricsToken = d.Health, d.MetricsToken
	s.revisions = d.Revisions
	s.actors, s.responses = newLRU[cachedActor](actorCacheEntries), newLRU[cachedResponse](responseCacheBytes)
	s.metrics = newMetrics(s.version, d.DBStats)
	s.metricsHandler = s.newMetricsHandler()
	if s.clock == nil {
		s.clock = trellis.SystemClock{}
	}
	s.assets = loadAssets()
	pages, err := s.parseTemplates()
	if err != nil {
		panic(fmt.Sprintf("web: templates: %v", err))
	}
	s.pages = pages
	s.cop = http.NewCrossOriginProtection()
	s.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, trellis.Errorf(trellis.EFORBIDDEN,
			"This form was sent from another site, so it was refused. Open the page in Trellis and send it from there."))
	}))
	s.registerRoutes()
	s.handler = s.securityHeaders(s.logRequests(s.recoverPanics(s.authenticate(s.mux))))
	return s
}

// Handler returns the server's HTTP handler with every middleware applied.
func (s *Server) Handler() http.Handler { return s.handler }

// Routes returns every registered route, in registration order.
func (s *Server) Routes() []Route {
	return append([]Route(nil), s.routes...)
}
