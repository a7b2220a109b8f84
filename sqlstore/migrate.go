package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"trellis"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// Migrate applies the migrations the database lacks, each in its own
// transaction. fresh reports that the database had no schema before, so the
// caller can load its initial data. On PostgreSQL an advisory lock keeps
// several nodes starting at once from migrating side by side; the one that
// waited finds nothing to do and reports fresh false.
func (db *DB) Migrate(ctx context.Context) (fresh bool, err error) {
	fsys, err := fs.Sub(migrations, "migrations/"+db.Dialect)
	if err != nil {
		return false, fmt.Errorf("sqlstore: migrations for %s: %w", db.Dialect, err)
	}
	opts := []goose.ProviderOption{
		goose.WithSlog(slog.New(slog.DiscardHandler)),
		goose.WithDisableGlobalRegistry(true),
	}
	dialect := goose.DialectSQLite3
	if db.Dialect == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return false, fmt.Errorf("sqlstore: migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, db.db, fsys, opts...)
	if err != nil {
		return false, fmt.Errorf("sqlstore: migrations: %w", err)
	}
	results, err := p.Up(ctx)
	for _, r := range results {
		if r.Error == nil && r.Source != nil && r.Source.Version == 1 {
			fresh = true
		}
		if r.Error == nil {
			db.Logger.Info("migrated", "migration", r.Source.Path, "duration", r.Duration)
		}
	}
	if err != nil {
		if t := translate(err); trellis.ErrorCode(t) == trellis.EUNAVAILABLE {
			return fresh, t
		}
		return fresh, fmt.Errorf("sqlstore: migrating %s: %w", db.DSN, err)
	}
	return fresh, nil
}
