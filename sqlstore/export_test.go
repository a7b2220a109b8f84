package sqlstore

import "database/sql"

// Hooks for the external tests.

// RawDB returns the pool under db.
func RawDB(db *DB) *sql.DB { return db.db }

// Translate is translate.
var Translate = translate
