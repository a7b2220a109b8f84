package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"
)

// SQLite statements are kept prepared per connection. modernc's driver
// parses the SQL of every query anew (a fifth of the server's CPU on a read
// before this cache); PostgreSQL needs none of this, since pgx keeps its own
// cache of prepared statements per connection.
//
// The cache sits in the driver's connection rather than in database/sql
// (a *sql.Stmt per text, used with Tx.StmtContext) for two reasons: a
// *sql.Stmt is first prepared on a connection of its own, which an
// in-memory database with its one connection held by the transaction would
// wait for forever; and one statement must not run twice at once on one
// connection (a query inside the loop over another's rows, with the same
// text), which only the connection can see. A statement in use is passed
// over for a one-off one.

// stmtCacheSize bounds the statements kept per connection: the hot path
// uses a few dozen texts; queries built piece by piece (IN lists of many
// lengths, filter combinations) take turns in the rest.
const stmtCacheSize = 128

// openSQLite opens a SQLite pool whose connections keep their statements.
func openSQLite(dsn string) (*sql.DB, error) {
	// The driver instance registered as "sqlite", with whatever functions
	// and hooks were registered on it.
	probe, err := sql.Open("sqlite", "")
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	probe.Close()
	var base driver.Connector
	if dc, ok := drv.(driver.DriverContext); ok {
		if base, err = dc.OpenConnector(dsn); err != nil {
			return nil, err
		}
	} else {
		base = dsnConnector{dsn: dsn, d: drv}
	}
	return sql.OpenDB(stmtCacheConnector{base}), nil
}

type dsnConnector struct {
	dsn string
	d   driver.Driver
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.d.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.d }

type stmtCacheConnector struct{ base driver.Connector }

func (c stmtCacheConnector) Driver() driver.Driver { return c.base.Driver() }

func (c stmtCacheConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.base.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := conn.(sqliteConn)
	if !ok {
		return conn, nil // not the driver this was written for: no cache
	}
	return &cachingConn{sqliteConn: sc, stmts: map[string]*cachedStmt{}}, nil
}

// sqliteConn is what modernc's connection implements and database/sql
// uses.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// sqliteRows is what modernc's rows implement.
type sqliteRows interface {
	driver.Rows
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypeNullable
	driver.RowsColumnTypePrecisionScale
	driver.RowsColumnTypeScanType
}

type stmtContext interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

type cachedStmt struct {
	stmt    stmtContext
	busy    bool   // its rows are open
	lastUse uint64 // for evicting the least recently used
}

// cachingConn is a SQLite connection that keeps its statements prepared.
// database/sql never uses a connection from two goroutines at once, so it
// needs no lock of its own.
type cachingConn struct {
	sqliteConn
	stmts map[string]*cachedStmt
	clock uint64
}

// cacheable reports whether query is one statement worth keeping: reads
// and writes, not schema changes or scripts.
func cacheable(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n")
	end := strings.IndexAny(q, " \t\r\n(")
	if end < 0 {
		return false
	}
	switch strings.ToUpper(q[:end]) {
	case "SELECT", "WITH", "INSERT", "UPDATE", "DELETE":
		return !strings.Contains(strings.TrimRight(q, " \t\r\n;"), ";")
	}
	return false
}

// stmt returns the connection's statement for query, preparing it the
// first time; nil when it should run as a one-off.
func (c *cachingConn) stmt(ctx context.Context, query string) (*cachedStmt, error) {
	c.clock++
	if s := c.stmts[query]; s != nil {
		if s.busy {
			return nil, nil
		}
		s.lastUse = c.clock
		return s, nil
	}
	if !cacheable(query) {
		return nil, nil
	}
	ds, err := c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	st, ok := ds.(stmtContext)
	if !ok {
		ds.Close()
		return nil, nil
	}
	if len(c.stmts) >= stmtCacheSize && !c.evict() {
		st.Close()
		return nil, nil
	}
	s := &cachedStmt{stmt: st, lastUse: c.clock}
	c.stmts[query] = s
	return s, nil
}

// evict closes the least recently used statement not in use.
func (c *cachingConn) evict() bool {
	var oldest string
	var found *cachedStmt
	for q, s := range c.stmts {
		if !s.busy && (found == nil || s.lastUse < found.lastUse) {
			oldest, found = q, s
		}
	}
	if found == nil {
		return false
	}
	delete(c.stmts, oldest)
	found.stmt.Close()
	return true
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	r, err := s.stmt.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	sr, ok := r.(sqliteRows)
	if !ok {
		// Cannot tell when these rows close: the statement stays in use
		// (one-off queries stand in for it) until the connection closes.
		s.busy = true
		return r, nil
	}
	s.busy = true
	return &cachedRows{sqliteRows: sr, s: s}, nil
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.sqliteConn.ExecContext(ctx, query, args)
	}
	return s.stmt.ExecContext(ctx, args)
}

// Close finalizes the kept statements, then closes the connection.
func (c *cachingConn) Close() error {
	var errs []error
	for q, s := range c.stmts {
		errs = append(errs, s.stmt.Close())
		delete(c.stmts, q)
	}
	errs = append(errs, c.sqliteConn.Close())
	return errors.Join(errs...)
}

// cachedRows frees its statement for the next query when closed.
type cachedRows struct {
	sqliteRows
	s *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.sqliteRows.Close()
	if r.s != nil {
		r.s.busy = false
		r.s = nil
	}
	return err
}
