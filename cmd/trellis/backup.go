package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	trellis "trellis"
	"trellis/sqlstore"
)

// cmdBackup writes a consistent copy of a SQLite database while Trellis
// serves from it. PostgreSQL is pg_dump's job; the message shows how.
func cmdBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "backup", "backup FILE [--force] [--db DSN]")
	force := fs.Bool("force", false, "replace FILE if it exists")
	e.config.bindDB(fs)
	pos, err := parseVerb(e, fs, args, 1, "FILE")
	if err != nil {
		return err
	}
	path := sqlstore.SQLiteFile(e.config.DB)
	if path == "" {
		if isPostgres(e.config.DB) {
			return trellis.Errorf(trellis.EINVALID, "%s", sqlstore.PostgresBackupHelp(e.config.DB))
		}
		return trellis.Errorf(trellis.EINVALID, "database %s is not a SQLite file; there is nothing to back up", sqlstore.MaskDSN(e.config.DB))
	}
	// Opening a missing SQLite file would create an empty one.
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return trellis.Errorf(trellis.EINVALID, "there is no database at %s; name it with --db or TRELLIS_DB", path)
	}
	db, err := sqlstore.Open(ctx, e.config.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.SchemaVersion(ctx); err != nil {
		return trellis.Errorf(trellis.EINVALID, "%s is not a Trellis database (it has no migrations table)", path)
	}
	fmt.Fprintf(e.stderr, "backing up %s to %s ...\n", path, pos[0])
	info, err := db.Backup(ctx, pos[0], sqlstore.BackupOptions{Force: *force, Progress: e.stderr})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backup written to %s (%s; frameworks %d, people %d, migration %d)\n",
		info.Path, size(info.Size), info.Frameworks, info.People, info.SchemaVersion)
	return nil
}

// cmdRestore replaces a stopped server's SQLite database with a backup.
func cmdRestore(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "restore", "restore FILE [--db DSN]   (stop trellis serve first)")
	e.config.bindDB(fs)
	pos, err := parseVerb(e, fs, args, 1, "FILE")
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "checking %s ...\n", pos[0])
	info, err := sqlstore.Restore(ctx, e.config.DB, pos[0], sqlstore.BackupOptions{Progress: e.stderr})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "restored %s from %s (frameworks %d, people %d, migration %d)\n",
		info.Path, pos[0], info.Frameworks, info.People, info.SchemaVersion)
	fmt.Fprintln(e.stdout, "Start trellis serve again; it applies any newer migrations first.")
	return nil
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	default:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
}
