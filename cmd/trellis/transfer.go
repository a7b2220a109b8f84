package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	trellis "trellis"
	"trellis/sqlstore"
)

// cmdExportAll writes a whole instance to one file: every row of every
// table, read in one consistent snapshot, for import-all to load into a
// new database of either kind (SQLite to PostgreSQL when an organisation
// outgrows one machine).
func cmdExportAll(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "export-all", "export-all FILE [--force] [--db DSN]")
	force := fs.Bool("force", false, "replace FILE if it exists")
	e.config.bindDB(fs)
	pos, err := parseVerb(e, fs, args, 1, "FILE")
	if err != nil {
		return err
	}
	// Opening a missing SQLite file would create an empty one.
	if path := sqlstore.SQLiteFile(e.config.DB); path != "" {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return trellis.Errorf(trellis.EINVALID, "there is no database at %s; name it with --db or TRELLIS_DB", path)
		}
	}
	db, err := sqlstore.Open(ctx, e.config.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	fmt.Fprintf(e.stderr, "exporting %s to %s ...\n", db.DSN, pos[0])
	p := &progressLine{w: e, start: start}
	info, err := db.Export(ctx, pos[0], sqlstore.TransferOptions{
		Force:    *force,
		Producer: "trellis " + buildVersion(),
		Progress: func(table string, done, total int64) { p.report(table, int(done), int(total)) },
	})
	p.done()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "exported %d rows of %d tables to %s (%s, migration %d) in %s\n",
		info.Rows(), len(info.Tables), info.Path, size(info.Size), info.SchemaVersion, time.Since(start).Round(time.Millisecond))
	return nil
}

// cmdImportAll loads an export into an empty database, all or nothing.
func cmdImportAll(ctx context.Context, e *env, args []string) (err error) {
	fs := newFlagSet(e, "import-all", "import-all FILE [--db DSN]   (into an empty database; creates the tables)")
	e.config.bindDB(fs)
	pos, err := parseVerb(e, fs, args, 1, "FILE")
	if err != nil {
		return err
	}
	start := time.Now()
	fmt.Fprintf(e.stderr, "checking %s ...\n", pos[0])
	ef, err := sqlstore.OpenExport(ctx, pos[0])
	if err != nil {
		return err
	}
	defer ef.Close()
	src := ef.Info()

	// A SQLite file that import-all creates is removed again when the
	// import fails, so a refused import leaves nothing behind.
	newFile := ""
	if path := sqlstore.SQLiteFile(e.config.DB); path != "" {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			newFile = path
		}
	}
	db, err := sqlstore.Open(ctx, e.config.DB)
	if err != nil {
		return err
	}
	defer func() {
		db.Close()
		if err != nil && newFile != "" {
			for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
				os.Remove(newFile + suffix)
			}
		}
	}()
	// Refuse an export of another schema before the database is touched.
	latest, err := db.LatestMigration()
	if err != nil {
		return err
	}
	if src.SchemaVersion != latest {
		return trellis.Errorf(trellis.EINVALID,
			"%s was exported at migration %d and this Trellis creates migration %d; export and import with the same version of Trellis",
			pos[0], src.SchemaVersion, latest)
	}
	// The tables are created here, without the default framework a first
	// start loads: the export brings its own.
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "importing %d rows of %d tables (exported from %s at %s) into %s ...\n",
		src.Rows(), len(src.Tables), src.Dialect, src.ExportedAt, db.DSN)
	p := &progressLine{w: e, start: start}
	info, err := db.Import(ctx, ef, sqlstore.TransferOptions{
		Progress: func(table string, done, total int64) { p.report(table, int(done), int(total)) },
	})
	p.done()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "imported %d rows of %d tables from %s into %s (migration %d) in %s\n",
		info.Rows(), len(info.Tables), pos[0], db.DSN, info.SchemaVersion, time.Since(start).Round(time.Millisecond))
	return nil
}
