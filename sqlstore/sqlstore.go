// Package sqlstore implements the trellis services on database/sql, for
// SQLite (modernc.org/sqlite) and PostgreSQL (pgx). Both dialects share the
// same SQL text wherever they can: placeholders are $N, timestamps are stored
// as fixed-width UTC text, and migrations live in one folder per dialect.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"trellis"
)

// Dialects.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// sqlitePragmas are appended to every SQLite DSN. _txlock=immediate makes
// read-write transactions take the write lock at BEGIN, so two concurrent
// read-then-write transactions queue on busy_timeout instead of failing.
const sqlitePragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"

// pingTimeout bounds how long Open waits for a database that does not answer
// when the caller's context has no deadline of its own.
const pingTimeout = 15 * time.Second

// DB is a connection pool to a SQLite or PostgreSQL database.
type DB struct {
	db *sql.DB

	// Dialect is SQLite or Postgres.
	Dialect string
	// DSN is the data source name as given, with any password masked.
	DSN string
	// Clock stamps created and imported times; tests replace it.
	Clock trellis.Clock
	// Logger receives operational messages; it discards them by default.
	Logger *slog.Logger
	// PeerReviewDays is how many working days peer managers have to comment
	// when the manager opens peer-manager review without choosing a day
	// (trellis.DefaultPeerReviewDays when 0). Set before serving.
	PeerReviewDays int

	// writers lets one read-write transaction of this process at a time
	// ask SQLite for its write lock. SQLite has one writer anyway, and a
	// writer that finds the lock taken polls for it, sleeping up to 100 ms
	// between tries while it holds a pooled connection that readers then
	// wait for: under a write load that was a tail of hundreds of
	// milliseconds for every kind of request. Waiting here is a hand-over
	// the moment the lock is free, and holds no connection. Other
	// processes on the same file still take turns through busy_timeout.
	writers chan struct{}
}

// Open connects to the database named by dsn and checks that it answers:
//
//	trellis.db, sqlite:PATH, file:PATH    SQLite (a plain path is SQLite)
//	postgres://... or postgresql://...   PostgreSQL
//
// A database that cannot be reached or opened is an EUNAVAILABLE error
// whose message names the DSN, password masked, and the reason.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db := &DB{
		DSN:    MaskDSN(dsn),
		Clock:  trellis.SystemClock{},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	driverName, driverDSN, err := db.parse(dsn)
	if err != nil {
		return nil, err
	}
	var sqldb *sql.DB
	if driverName == "sqlite" {
		sqldb, err = openSQLite(driverDSN)
	} else {
		sqldb, err = sql.Open(driverName, driverDSN)
	}
	if err != nil {
		return nil, db.unavailable(err)
	}
	db.db = sqldb
	if db.Dialect == SQLite {
		db.writers = make(chan struct{}, 1)
	}
	switch {
	case db.Dialect == SQLite && sqliteInMemory(driverDSN):
		// Every connection to an in-memory database sees a database of its
		// own: keep exactly one, for good.
		sqldb.SetMaxOpenConns(1)
		sqldb.SetMaxIdleConns(1)
	default:
		// Every connection the pool may open it also keeps: a connection
		// closed for want of an idle slot costs a new one later, which on
		// SQLite means parsing the whole schema again and losing the
		// prepared statements (a fifth of the CPU of a read under load,
		// when at most 8 of 32 busy connections were kept). More
		// connections than a few per core only queue inside the database.
		n := poolSize(db.Dialect)
		sqldb.SetMaxOpenConns(n)
		sqldb.SetMaxIdleConns(n)
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
	}

	pctx := ctx
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		pctx, cancel = context.WithTimeout(ctx, pingTimeout)
		defer cancel()
	}
	if err := sqldb.PingContext(pctx); err != nil {
		sqldb.Close()
		return nil, db.unavailable(err)
	}
	return db, nil
}

// poolSize is how many connections a pool opens at most: SQLite runs its
// statements on the caller's thread, so a few per core keep the cores busy
// while one waits for a page; PostgreSQL works in its own processes and
// gets more, to overlap the round trips.
func poolSize(dialect string) int {
	procs := runtime.GOMAXPROCS(0)
	if dialect == SQLite {
		return max(4, 2*procs+2)
	}
	return max(8, 4*procs)
}

// parse works out the dialect, driver and driver DSN of dsn.
func (db *DB) parse(dsn string) (driverName, driverDSN string, err error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		db.Dialect = Postgres
		return "pgx", dsn, nil
	case strings.Contains(dsn, "://") && !strings.HasPrefix(dsn, "file:"):
		return "", "", trellis.Errorf(trellis.EINVALID,
			"database %s is not supported; use a SQLite path (trellis.db, sqlite:PATH) or a postgres:// URL", db.DSN)
	}
	db.Dialect = SQLite
	if dsn == "" {
		dsn = "trellis.db"
	}
	if strings.HasPrefix(dsn, "file:") {
		// A SQLite URI: handed to SQLite whole, so its own parameters
		// (mode=ro, ...) keep working.
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		if err := db.checkDir(sqliteURIPath(dsn)); err != nil {
			return "", "", err
		}
		return "sqlite", dsn + sep + sqlitePragmas, nil
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	if path == "" {
		return "", "", trellis.Errorf(trellis.EINVALID, "database %q names no file; use sqlite:PATH", dsn)
	}
	if err := db.checkDir(path); err != nil {
		return "", "", err
	}
	return "sqlite", path + "?" + sqlitePragmas, nil
}

// sqliteInMemory reports whether a SQLite driver DSN names an in-memory
// database.
func sqliteInMemory(dsn string) bool {
	name, query, _ := strings.Cut(dsn, "?")
	return strings.HasPrefix(name, ":memory:") || strings.HasPrefix(name, "file::memory:") ||
		strings.HasPrefix(name, "file:") && strings.Contains(query, "mode=memory")
}

// sqliteURIPath returns the file path of a SQLite file: URI, or "" when it
// names no file on disk.
func sqliteURIPath(uri string) string {
	rest := strings.TrimPrefix(uri, "file:")
	rest, query, _ := strings.Cut(rest, "?")
	if strings.Contains(query, "mode=memory") || strings.HasPrefix(rest, ":memory:") || rest == "" {
		return ""
	}
	if strings.HasPrefix(rest, "//") {
		rest = strings.TrimPrefix(rest, "//")
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			rest = rest[i:] // drop the authority (empty or localhost)
		}
	}
	if p, err := url.PathUnescape(rest); err == nil {
		rest = p
	}
	return rest
}

// checkDir reports a missing directory in words: SQLite itself only says
// "unable to open database file".
func (db *DB) checkDir(path string) error {
	if path == "" || path == ":memory:" {
		return nil
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return trellis.Errorf(trellis.EUNAVAILABLE, "cannot open database %s: directory %s does not exist", db.DSN, dir)
	case err != nil:
		return trellis.Errorf(trellis.EUNAVAILABLE, "cannot open database %s: %v", db.DSN, err)
	case !fi.IsDir():
		return trellis.Errorf(trellis.EUNAVAILABLE, "cannot open database %s: %s is not a directory", db.DSN, dir)
	}
	return nil
}

func (db *DB) unavailable(err error) error {
	return trellis.Errorf(trellis.EUNAVAILABLE, "cannot reach database %s: %s", db.DSN, maskSecrets(err.Error()))
}

// Close closes the connection pool.
func (db *DB) Close() error {
	if db == nil || db.db == nil {
		return nil
	}
	return db.db.Close()
}

var (
	urlPassword = regexp.MustCompile(`(://[^:/@?#]*):[^/?#]*@`)
	kvPassword  = regexp.MustCompile(`(?i)(password=)('[^']*'|[^\s&]+)`)
)

// MaskDSN returns dsn with any password replaced by xxxxx, fit for logs and
// messages: postgres://user:secret@host/db becomes postgres://user:xxxxx@host/db.
func MaskDSN(dsn string) string {
	return maskSecrets(dsn)
}

func maskSecrets(s string) string {
	s = urlPassword.ReplaceAllString(s, "${1}:xxxxx@")
	return kvPassword.ReplaceAllString(s, "${1}xxxxx")
}

// Tx is a transaction with the instant it began, which every row it writes
// is stamped with.
type Tx struct {
	*sql.Tx
	db  *DB
	now time.Time
}

// BeginTx starts a transaction. Read-only transactions on SQLite take no
// write lock, so they run alongside writers.
func (db *DB) BeginTx(ctx context.Context, opts *sql.TxOptions) (*Tx, error) {
	tx, err := db.db.BeginTx(ctx, opts)
	if err != nil {
		return nil, translate(err)
	}
	return &Tx{Tx: tx, db: db, now: db.Clock.Now().UTC().Truncate(time.Microsecond)}, nil
}

// Now returns the instant the transaction began, in UTC to the microsecond.
func (tx *Tx) Now() time.Time { return tx.now }

// forUpdate is the row-locking suffix of a SELECT: PostgreSQL locks the rows;
// SQLite already holds the database's write lock in a read-write transaction.
func (tx *Tx) forUpdate() string {
	if tx.db.Dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// maxAttempts bounds how often a transaction that lost a deadlock or
// serialization race is run again.
const maxAttempts = 3

// update runs fn in a read-write transaction and commits it when fn returns
// nil. A transaction PostgreSQL aborted to break a deadlock is run again.
// Errors come back translated into domain errors.
func (db *DB) update(ctx context.Context, fn func(tx *Tx) error) error {
	return db.run(ctx, nil, fn)
}

// view runs fn in a read-only transaction.
func (db *DB) view(ctx context.Context, fn func(tx *Tx) error) error {
	return db.run(ctx, &sql.TxOptions{ReadOnly: true}, fn)
}

func (db *DB) run(ctx context.Context, opts *sql.TxOptions, fn func(tx *Tx) error) error {
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		err = db.runOnce(ctx, opts, fn)
		if err == nil || !retryable(err) || ctx.Err() != nil {
			break
		}
		db.Logger.Debug("retrying transaction", "attempt", attempt, "err", err)
	}
	if ctx.Err() != nil && err != nil {
		return ctx.Err()
	}
	return translate(err)
}

func (db *DB) runOnce(ctx context.Context, opts *sql.TxOptions, fn func(tx *Tx) error) error {
	if db.writers != nil && (opts == nil || !opts.ReadOnly) {
		select {
		case db.writers <- struct{}{}:
			defer func() { <-db.writers }()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	tx, err := db.db.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	t := &Tx{Tx: tx, db: db, now: db.Clock.Now().UTC().Truncate(time.Microsecond)}
	if err := fn(t); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// timeFormat is fixed-width so that stored times sort and compare as text
// the same way as instants, in both dialects.
const timeFormat = "2006-01-02T15:04:05.000000Z"

// formatTime turns t into its stored form: UTC, to the microsecond.
func formatTime(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format(timeFormat)
}

// scanTime returns a sql.Scanner that reads a stored time into *t, whether
// the column holds text or a native timestamp.
func scanTime(t *time.Time) sql.Scanner { return timeScanner{t} }

type timeScanner struct{ t *time.Time }

func (s timeScanner) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*s.t = v.UTC()
		return nil
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	case nil:
		*s.t = time.Time{}
		return nil
	}
	return fmt.Errorf("sqlstore: cannot read %T as a time", src)
}

func (s timeScanner) parse(v string) error {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return fmt.Errorf("sqlstore: stored time %q: %w", v, err)
	}
	*s.t = t.UTC()
	return nil
}
