package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	trellis "trellis"
	"trellis/auth"
	"trellis/defaults"
	"trellis/sqlstore"
	"trellis/web"
)

// Main is a running Trellis: the store and the HTTP server. Tests boot it on
// 127.0.0.1:0 with a temporary database.
type Main struct {
	Config Config
	Logger *slog.Logger
	DB     *sqlstore.DB
	// JobPeriod, when set, replaces the period of every scheduled job (the
	// environment's TRELLIS_JOB_PERIOD), for tests and trials of several
	// nodes.
	JobPeriod time.Duration
	// Forge configures imports from GitLab and GitHub (forge.go): the
	// secret key tokens are sealed with and the instance tokens.
	Forge forgeSettings

	http  *http.Server
	ln    net.Listener
	done  chan error
	sched *sqlstore.Scheduler // scheduled jobs, each run by the node holding its lease
	unpin func() error        // lets go of the connection that marks a SQLite database in use
	jobs  *web.JobMetrics
}

// every schedules job to run once per period, on whichever of the servers
// sharing the database holds the job's lease (sqlstore.Scheduler): with
// several nodes, each period's run happens on exactly one of them.
func (m *Main) every(period time.Duration, name string, job func(context.Context) error) {
	if m.JobPeriod > 0 {
		period = m.JobPeriod
	}
	if err := m.sched.Add(sqlstore.Job{Name: name, Period: period, Run: job}); err != nil {
		panic(err) // a programming error: a job added twice or without a period
	}
}

// jobPeriodFromEnv reads TRELLIS_JOB_PERIOD, a Go duration such as 2s.
func jobPeriodFromEnv(getenv func(string) string) (time.Duration, error) {
	v := strings.TrimSpace(getenv("TRELLIS_JOB_PERIOD"))
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, trellis.Errorf(trellis.EINVALID, "TRELLIS_JOB_PERIOD %q is not a positive duration such as 1h or 2s", v)
	}
	return d, nil
}

// Run opens and migrates the store, then starts serving in the background.
func (m *Main) Run(ctx context.Context) error {
	if err := m.Config.Validate(); err != nil {
		return err
	}
	if m.Logger == nil {
		m.Logger = slog.New(slog.DiscardHandler)
	}
	db, err := openStore(ctx, m.Config, m.Logger)
	if err != nil {
		return err
	}
	db.PeerReviewDays = m.Config.PeerReviewDays
	m.DB = db
	var sso *auth.OIDC
	if m.Config.OIDCIssuer != "" {
		sso, err = auth.NewOIDC(ctx, m.Config.oidc())
		if err != nil {
			db.Close()
			return err
		}
	}
	sessions := sqlstore.NewSessionStore(db)
	srv := web.NewServer(web.Deps{
		Frameworks:    sqlstore.NewFrameworkService(db),
		People:        sqlstore.NewPersonService(db),
		Audit:         sqlstore.NewAuditService(db),
		Credentials:   sqlstore.NewCredentialStore(db),
		Tokens:        sqlstore.NewTokenStore(db),
		Sessions:      sessions,
		Evidence:      sqlstore.NewEvidenceService(db),
		Growth:        sqlstore.NewGrowthService(db),
		Readiness:     sqlstore.NewReadinessService(db),
		Revisions:     sqlstore.NewRevisionService(db),
		Chats:         sqlstore.NewChatService(db),
		Mentoring:     sqlstore.NewMentoringService(db),
		Documents:     sqlstore.NewDocumentService(db),
		Cycles:        sqlstore.NewCycleService(db),
		Notifications: sqlstore.NewNotificationService(db),
		Deliveries:    sqlstore.NewDeliveryService(db),
		Openings:      sqlstore.NewOpeningService(db),
		Programmes:    sqlstore.NewProgrammeService(db),
		Assignments:   sqlstore.NewProgrammeService(db),
		OIDC:          sso,
		AutoProvision: m.Config.OIDCAutoProvision,
		SecureCookies: strings.HasPrefix(m.Config.BaseURL, "https://"),
		TrustProxy:    m.Config.TrustProxy,
		Logger:        m.Logger,
		Clock:         trellis.SystemClock{},
		Version:       buildVersion(),
		Health:        db,
		DBStats:       db.Stats,
		MetricsToken:  m.Config.MetricsToken,
		Forge:         m.Forge.syncer(db, m.Logger),
	})
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		db.Close()
		return trellis.Errorf(trellis.EUNAVAILABLE, "cannot listen on %s: %v; choose another address with --addr", m.Config.Addr, err)
	}
	m.ln = ln
	m.jobs = srv.Jobs()
	// A connection held for as long as the server runs makes trellis
	// restore refuse this database instead of replacing it underfoot.
	if m.unpin, err = db.Pin(ctx); err != nil {
		ln.Close()
		db.Close()
		return err
	}
	m.http = &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	m.done = make(chan error, 1)
	go func() { m.done <- m.http.Serve(ln) }()
	m.sched = sqlstore.NewScheduler(db)
	m.sched.Observe = m.jobs.Observe
	m.sched.Logger = m.Logger
	m.every(time.Hour, "delete expired sessions", func(ctx context.Context) error {
		_, err := sessions.DeleteExpired(ctx)
		return err
	})
	m.scheduleDelivery(db) // notify.go
	m.sched.Start()
	m.Logger.Info("serving", "url", m.URL(), "db", sqlstore.MaskDSN(m.Config.DB))
	return nil
}

// URL is the address people open in a browser.
func (m *Main) URL() string {
	if m.ln == nil {
		return ""
	}
	addr := m.ln.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "localhost"
	}
	return fmt.Sprintf("http://%s", net.JoinHostPort(host, fmt.Sprint(addr.Port)))
}

// Wait blocks until the server stops by itself or ctx ends.
func (m *Main) Wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case err := <-m.done:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}

// Close lets in-flight requests finish (up to 15 seconds), then closes the store.
func (m *Main) Close() error {
	var errs []error
	if m.sched != nil {
		m.sched.Stop()
	}
	if m.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		errs = append(errs, m.http.Shutdown(ctx))
	}
	if m.unpin != nil {
		errs = append(errs, m.unpin())
	}
	if m.DB != nil {
		errs = append(errs, m.DB.Close())
	}
	return errors.Join(errs...)
}

// openStore opens and migrates the database; a database created just now
// gets the default framework.
func openStore(ctx context.Context, c Config, logger *slog.Logger) (*sqlstore.DB, error) {
	db, err := sqlstore.Open(ctx, c.DB)
	if err != nil {
		return nil, err
	}
	fresh, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	// A database without frameworks is new, even if an earlier start was
	// stopped between migrating and loading the default framework.
	svc := sqlstore.NewFrameworkService(db)
	if !fresh {
		stored, err := svc.ListFrameworks(ctx)
		if err != nil {
			db.Close()
			return nil, err
		}
		fresh = len(stored) == 0
	}
	if fresh {
		fw, err := defaults.Support()
		if err != nil {
			db.Close()
			return nil, err
		}
		if _, err := svc.ImportFramework(ctx, fw, true); err != nil {
			db.Close()
			return nil, err
		}
		logger.Info("new database: loaded the default framework", "framework", fw.ID, "version", fw.Version)
	}
	return db, nil
}

func cmdServe(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "serve", "serve [--addr :8080] [--db DSN]")
	e.config.bindServer(fs)
	e.config.bindDB(fs)
	if _, err := parseVerb(e, fs, args, 0, ""); err != nil {
		return err
	}
	period, err := jobPeriodFromEnv(e.getenv)
	if err != nil {
		return err
	}
	m := &Main{Config: e.config, Logger: newLogger(e.config, e.stderr), JobPeriod: period}
	if m.Forge, err = forgeSettingsFromEnv(e.getenv); err != nil {
		return err
	}
	if err := m.Run(ctx); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Trellis is serving at %s\n", m.URL())
	err = m.Wait(ctx)
	m.Logger.Info("shutting down")
	return errors.Join(err, m.Close())
}

func cmdMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "migrate", "migrate [--db DSN]")
	e.config.bindDB(fs)
	if _, err := parseVerb(e, fs, args, 0, ""); err != nil {
		return err
	}
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(e.stdout, "database %s is up to date\n", sqlstore.MaskDSN(e.config.DB))
	return nil
}
