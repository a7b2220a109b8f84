package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"trellis"
)

// gooseTable is the table goose keeps the applied migration versions in.
const gooseTable = "goose_db_version"

// LatestMigration returns the version of the newest migration this build
// carries for the database's dialect.
func (db *DB) LatestMigration() (int64, error) {
	return latestMigration(db.Dialect)
}

func latestMigration(dialect string) (int64, error) {
	entries, err := fs.ReadDir(migrations, "migrations/"+dialect)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: migrations for %s: %w", dialect, err)
	}
	var latest int64
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		if !ok || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		if v, err := strconv.ParseInt(num, 10, 64); err == nil && v > latest {
			latest = v
		}
	}
	return latest, nil
}

// SchemaVersion returns the newest migration applied to the database, 0 when
// none is.
func (db *DB) SchemaVersion(ctx context.Context) (int64, error) {
	return schemaVersion(ctx, db.db)
}

func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int64, error) {
	var v sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT MAX(version_id) FROM `+gooseTable+` WHERE is_applied`).Scan(&v)
	if err != nil {
		return 0, err
	}
	return v.Int64, nil
}

// readyTimeout bounds a readiness check, so a database that hangs makes the
// check fail rather than pile up.
const readyTimeout = 2 * time.Second

// Ready reports whether the database answers and carries every migration
// this build knows. A database migrated further (by a newer node during a
// rolling upgrade) is ready too. The error is EUNAVAILABLE; its message is
// the reason, its details the driver's error.
func (db *DB) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	if err := db.db.PingContext(ctx); err != nil {
		return unready("the database does not answer", err)
	}
	have, err := db.SchemaVersion(ctx)
	if err != nil {
		return unready("the database's migrations cannot be read", err)
	}
	want, err := db.LatestMigration()
	if err != nil {
		return trellis.Errorf(trellis.EUNAVAILABLE, "%v", err)
	}
	if have < want {
		return trellis.Errorf(trellis.EUNAVAILABLE, "the database is at migration %d of %d; run trellis migrate", have, want)
	}
	return nil
}

// unready is a readiness failure: a short reason fit for anyone to read, and
// the driver's words (which may name hosts) in the details, for logs.
func unready(reason string, err error) error {
	return &trellis.Error{Code: trellis.EUNAVAILABLE, Message: reason,
		Details: []trellis.FieldError{{Field: "database", Message: maskSecrets(err.Error())}}}
}

// Stats returns the connection pool's statistics, for metrics.
func (db *DB) Stats() sql.DBStats { return db.db.Stats() }
