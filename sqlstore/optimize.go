package sqlstore

import "context"

// Optimize refreshes the planner's statistics after a bulk load. On
// PostgreSQL it runs VACUUM ANALYZE (outside a transaction, as VACUUM
// must): the statistics steer queries to the per-person indexes, and the
// visibility map lets covering indexes answer without reading the table.
// On SQLite it runs PRAGMA optimize.
func (db *DB) Optimize(ctx context.Context) error {
	q := `PRAGMA optimize`
	if db.Dialect == Postgres {
		q = `VACUUM ANALYZE`
	}
	_, err := db.db.ExecContext(ctx, q)
	return translate(err)
}
