package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"trellis"
)

// BackupOptions tune Backup and Restore.
type BackupOptions struct {
	// Force replaces an existing backup file.
	Force bool
	// Progress receives a line now and then while long work runs; nil
	// keeps quiet.
	Progress io.Writer
}

// BackupInfo describes a Trellis backup file.
type BackupInfo struct {
	Path          string
	Size          int64
	SchemaVersion int64 // newest migration applied in the backup
	Frameworks    int
	People        int
}

// pgDumpHelp is what a PostgreSQL operator is told instead of a backup.
const pgDumpHelp = `PostgreSQL databases are backed up and restored with PostgreSQL's own tools:
  pg_dump --format=custom --no-owner --file=trellis.dump "$TRELLIS_DB"
  pg_restore --no-owner --exit-on-error --dbname="$TRELLIS_DB" trellis.dump
pg_dump takes a consistent copy while Trellis serves; pg_restore needs an empty database
(createdb, then pg_restore), and Trellis stopped. TRELLIS_DB is the database URL, here %s.`

// PostgresBackupHelp returns the pg_dump and pg_restore commands for the
// PostgreSQL database dsn (password masked).
func PostgresBackupHelp(dsn string) string {
	return fmt.Sprintf(pgDumpHelp, MaskDSN(dsn))
}

// sqliteHeader starts every SQLite database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// Backup writes a consistent copy of a SQLite database to dest while the
// database stays in use: VACUUM INTO reads one snapshot, so the copy holds
// every transaction committed before it began and none that committed
// later, and writers carry on meanwhile. The copy is written next to dest
// under a temporary name, checked, and only then moved to dest, so a failed
// or interrupted backup leaves no half-written file. An existing dest is
// refused unless opts.Force. PostgreSQL is refused with the pg_dump
// commands to use instead.
func (db *DB) Backup(ctx context.Context, dest string, opts BackupOptions) (*BackupInfo, error) {
	if db.Dialect == Postgres {
		return nil, trellis.Errorf(trellis.EINVALID, "%s", PostgresBackupHelp(db.DSN))
	}
	if dest == "" {
		return nil, trellis.Errorf(trellis.EINVALID, "name the backup file, e.g. trellis backup trellis-backup.db")
	}
	if _, err := os.Lstat(dest); err == nil && !opts.Force {
		return nil, trellis.Errorf(trellis.EINVALID, "%s already exists; choose another name, or add --force to replace it", dest)
	}
	dir := filepath.Dir(dest)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, trellis.Errorf(trellis.EINVALID, "cannot write %s: directory %s does not exist", dest, dir)
	}
	// VACUUM INTO accepts an existing empty file, so the temporary name is
	// reserved first and nobody else can take it.
	f, err := os.CreateTemp(dir, "."+filepath.Base(dest)+".partial-*")
	if err != nil {
		return nil, trellis.Errorf(trellis.EINVALID, "cannot write to %s: %v", dir, err)
	}
	tmp := f.Name()
	f.Close()
	done := false
	defer func() {
		if !done {
			os.Remove(tmp)
		}
	}()

	stop := reportProgress(opts.Progress, "backup", func() (int64, int64) {
		fi, err := os.Stat(tmp)
		if err != nil {
			return 0, 0
		}
		return fi.Size(), 0
	})
	_, err = db.db.ExecContext(ctx, `VACUUM INTO $1`, tmp)
	stop()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, trellis.Errorf(trellis.EINTERNAL, "backup of %s failed: %v", db.DSN, err)
	}
	info, err := CheckBackup(ctx, tmp)
	if err != nil {
		return nil, trellis.Errorf(trellis.EINTERNAL, "the backup written is not readable: %v", err)
	}
	if err := syncFile(tmp); err != nil {
		return nil, trellis.Errorf(trellis.EINTERNAL, "backup: %v", err)
	}
	if opts.Force {
		err = os.Rename(tmp, dest)
	} else {
		// A hard link never replaces an existing file, so a file that
		// appeared at dest meanwhile is refused rather than overwritten.
		if err = os.Link(tmp, dest); err == nil {
			os.Remove(tmp)
		} else if errors.Is(err, os.ErrExist) {
			return nil, trellis.Errorf(trellis.EINVALID, "%s already exists; choose another name, or add --force to replace it", dest)
		} else if _, serr := os.Lstat(dest); errors.Is(serr, os.ErrNotExist) {
			err = os.Rename(tmp, dest) // a file system without hard links
		}
	}
	if err != nil {
		return nil, trellis.Errorf(trellis.EINTERNAL, "backup: %v", err)
	}
	done = true
	syncDir(dir)
	info.Path = dest
	return info, nil
}

// CheckBackup opens path read-only and checks that it is a Trellis backup:
// an intact SQLite database with Trellis's migration table and frameworks,
// from this or an earlier version of Trellis. Anything else is EINVALID and
// the message says why.
func CheckBackup(ctx context.Context, path string) (*BackupInfo, error) {
	notBackup := func(why string, args ...any) error {
		return trellis.Errorf(trellis.EINVALID, "%s is not a Trellis backup: %s", path, fmt.Sprintf(why, args...))
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, trellis.Errorf(trellis.EINVALID, "%s does not exist", path)
	case err != nil:
		return nil, trellis.Errorf(trellis.EINVALID, "cannot read %s: %v", path, err)
	case !fi.Mode().IsRegular():
		return nil, notBackup("it is not a regular file")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, trellis.Errorf(trellis.EINVALID, "cannot read %s: %v", path, err)
	}
	head := make([]byte, len(sqliteHeader))
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil || !bytes.Equal(head, sqliteHeader) {
		return nil, notBackup("it is not an SQLite database")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, trellis.Errorf(trellis.EINVALID, "cannot read %s: %v", path, err)
	}
	sdb, err := sql.Open("sqlite", "file:"+uriEscape(abs)+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, notBackup("%v", err)
	}
	defer sdb.Close()
	sdb.SetMaxOpenConns(1)

	var check string
	if err := sdb.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&check); err != nil {
		return nil, notBackup("it cannot be read as a database (%v)", err)
	}
	if check != "ok" {
		return nil, notBackup("the database is damaged (%s)", check)
	}
	for _, table := range []string{gooseTable, "frameworks"} {
		var n int
		if err := sdb.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1`, table).Scan(&n); err != nil {
			return nil, notBackup("%v", err)
		}
		if n == 0 {
			return nil, notBackup("it has no %s table, so Trellis did not write it", table)
		}
	}
	info := &BackupInfo{Path: path, Size: fi.Size()}
	if info.SchemaVersion, err = schemaVersion(ctx, sdb); err != nil {
		return nil, notBackup("its migrations cannot be read (%v)", err)
	}
	latest, err := latestMigration(SQLite)
	if err != nil {
		return nil, err
	}
	if info.SchemaVersion > latest {
		return nil, trellis.Errorf(trellis.EINVALID, "%s was made by a newer Trellis (migration %d; this one knows up to %d); restore it with that version",
			path, info.SchemaVersion, latest)
	}
	if err := sdb.QueryRowContext(ctx, `SELECT count(*) FROM frameworks`).Scan(&info.Frameworks); err != nil {
		return nil, notBackup("%v", err)
	}
	// People arrived with migration 2; older backups have none.
	_ = sdb.QueryRowContext(ctx, `SELECT count(*) FROM people`).Scan(&info.People)
	return info, nil
}

// Restore replaces the SQLite database named by dsn with the backup src.
// src is checked first (CheckBackup); a file that is not a Trellis backup is
// refused and nothing changes. The database must not be in use: Restore
// takes SQLite's exclusive lock on it first and refuses when a server holds
// it open (trellis serve keeps a connection open for as long as it runs,
// see Pin). The backup is copied next to the database under a temporary
// name and renamed over it in one step; the old database's -wal and -shm
// files are removed, so they cannot be replayed into the restored one.
// PostgreSQL is refused with the pg_restore commands to use instead.
func Restore(ctx context.Context, dsn, src string, opts BackupOptions) (*BackupInfo, error) {
	probe := &DB{DSN: MaskDSN(dsn)}
	driverName, driverDSN, err := probe.parse(dsn)
	if err != nil {
		return nil, err
	}
	if driverName != "sqlite" {
		return nil, trellis.Errorf(trellis.EINVALID, "%s", PostgresBackupHelp(dsn))
	}
	if sqliteInMemory(driverDSN) {
		return nil, trellis.Errorf(trellis.EINVALID, "database %s is in memory; there is nothing to restore into", probe.DSN)
	}
	dest := sqliteFile(dsn)
	info, err := CheckBackup(ctx, src)
	if err != nil {
		return nil, err
	}
	if a, errA := os.Stat(src); errA == nil {
		if b, errB := os.Stat(dest); errB == nil && os.SameFile(a, b) {
			return nil, trellis.Errorf(trellis.EINVALID, "%s is the database itself; name a backup file", src)
		}
	}
	if _, err := os.Stat(dest); err == nil {
		if err := quiesce(ctx, dest); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, trellis.Errorf(trellis.EINVALID, "cannot open %s: %v", dest, err)
	}

	dir := filepath.Dir(dest)
	tmp, err := copyToTemp(src, dir, "."+filepath.Base(dest)+".restore-*", opts.Progress)
	if err != nil {
		return nil, err
	}
	// Stale companions of the old database would be replayed into the new
	// one; quiesce checkpointed them, so nothing of the old one is lost by
	// removing them first.
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if err := os.Remove(dest + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			os.Remove(tmp)
			return nil, trellis.Errorf(trellis.EINTERNAL, "restore: removing %s: %v", dest+suffix, err)
		}
	}
	if err := os.Rename(tmp, dest); err != nil {
		os.Remove(tmp)
		return nil, trellis.Errorf(trellis.EINTERNAL, "restore: %v", err)
	}
	syncDir(dir)
	info.Path = dest
	return info, nil
}

// quiesce makes sure nobody uses the database at path and folds its
// write-ahead log into the file. SQLite's exclusive locking mode fails while
// another connection has the database open.
func quiesce(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	sdb, err := sql.Open("sqlite", "file:"+uriEscape(abs)+"?_pragma=busy_timeout(1000)")
	if err != nil {
		return trellis.Errorf(trellis.EINVALID, "cannot open %s: %v", path, err)
	}
	defer sdb.Close()
	sdb.SetMaxOpenConns(1)
	conn, err := sdb.Conn(ctx)
	if err != nil {
		return trellis.Errorf(trellis.EINVALID, "cannot open %s: %v", path, err)
	}
	defer conn.Close()
	var mode string
	if err := conn.QueryRowContext(ctx, `PRAGMA locking_mode=EXCLUSIVE`).Scan(&mode); err != nil {
		return trellis.Errorf(trellis.EINVALID, "cannot lock %s: %v", path, err)
	}
	if _, err := conn.ExecContext(ctx, `BEGIN EXCLUSIVE`); err != nil {
		if strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "busy") {
			return trellis.Errorf(trellis.EINVALID, "the database %s is in use; stop trellis serve (and anything else using it) before restoring", path)
		}
		return trellis.Errorf(trellis.EINVALID, "cannot lock %s: %v", path, err)
	}
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		return trellis.Errorf(trellis.EINTERNAL, "restore: %v", err)
	}
	var busy, logPages, done int
	if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logPages, &done); err != nil {
		return trellis.Errorf(trellis.EINTERNAL, "restore: checkpoint of %s: %v", path, err)
	}
	if busy != 0 {
		return trellis.Errorf(trellis.EINVALID, "the database %s is in use; stop trellis serve before restoring", path)
	}
	return nil
}

// copyToTemp copies src to a new temporary file in dir and syncs it.
func copyToTemp(src, dir, pattern string, progress io.Writer) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", trellis.Errorf(trellis.EINVALID, "cannot read %s: %v", src, err)
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return "", trellis.Errorf(trellis.EINVALID, "cannot read %s: %v", src, err)
	}
	out, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", trellis.Errorf(trellis.EINVALID, "cannot write to %s: %v", dir, err)
	}
	cw := &countingWriter{w: out}
	stop := reportProgress(progress, "restore", func() (int64, int64) { return cw.count(), fi.Size() })
	_, err = io.Copy(cw, in)
	stop()
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out.Name())
		return "", trellis.Errorf(trellis.EINTERNAL, "restore: copying %s: %v", src, err)
	}
	return out.Name(), nil
}

type countingWriter struct {
	w  io.Writer
	mu sync.Mutex
	n  int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.mu.Lock()
	c.n += int64(n)
	c.mu.Unlock()
	return n, err
}

func (c *countingWriter) count() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// progressEvery is how often long work reports how far it got.
var progressEvery = time.Second

// reportProgress writes "what: N MiB of M MiB" to w every progressEvery
// until the returned stop is called; total 0 means unknown.
func reportProgress(w io.Writer, what string, state func() (done, total int64)) (stop func()) {
	if w == nil {
		return func() {}
	}
	quit := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				done, total := state()
				if total > 0 {
					fmt.Fprintf(w, "%s: %s of %s (%d%%)\n", what, mib(done), mib(total), done*100/total)
				} else {
					fmt.Fprintf(w, "%s: %s written\n", what, mib(done))
				}
			}
		}
	}()
	return func() { close(quit); <-finished }
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// sqliteFile returns the file path of a SQLite DSN.
func sqliteFile(dsn string) string {
	if strings.HasPrefix(dsn, "file:") {
		return sqliteURIPath(dsn)
	}
	if dsn == "" {
		return "trellis.db"
	}
	return strings.TrimPrefix(dsn, "sqlite:")
}

// uriEscape escapes the characters that end or escape the path of a SQLite
// file: URI.
func uriEscape(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// syncDir makes a rename in dir durable; file systems that cannot sync a
// directory are left as they are.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Pin keeps one connection to a SQLite database open until release is
// called, so that Restore sees the database in use for as long as a server
// runs, even when the pool has closed its idle connections. It does nothing
// on PostgreSQL.
func (db *DB) Pin(ctx context.Context) (release func() error, err error) {
	if db.Dialect != SQLite || db.db.Stats().MaxOpenConnections == 1 {
		// PostgreSQL, or an in-memory database whose one connection
		// must stay free for the work.
		return func() error { return nil }, nil
	}
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return nil, translate(err)
	}
	var one int
	if err := conn.QueryRowContext(ctx, `SELECT 1 FROM `+gooseTable+` LIMIT 1`).Scan(&one); err != nil && !errors.Is(err, sql.ErrNoRows) {
		conn.Close()
		return nil, translate(err)
	}
	return conn.Close, nil
}

// SQLiteFile returns the file of a SQLite DSN, or "" for PostgreSQL and
// in-memory databases.
func SQLiteFile(dsn string) string {
	probe := &DB{DSN: MaskDSN(dsn)}
	driverName, driverDSN, err := probe.parse(dsn)
	if err != nil || driverName != "sqlite" || sqliteInMemory(driverDSN) {
		return ""
	}
	return sqliteFile(dsn)
}
