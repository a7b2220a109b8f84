package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"trellis"
)

// The tables export-all and import-all move are read from the database's
// own catalog, never from a list in the code, so a table a later migration
// adds is moved without anyone remembering to add it here. Left out are the
// migration table (the schema is the target's own), SQLite's internal tables
// (sqlite_sequence, sqlite_stat1), virtual tables and their shadow tables
// (the FTS5 search index, rebuilt after an import) and generated columns
// (computed again by the target: person_key on SQLite, the search tsvector
// on PostgreSQL). The revision counters are left out too: triggers count
// the target's writes as the import makes them. So is PostgreSQL's
// library_search, rebuilt after an import from the documents.

// Portable column types of an export. A value is written as JSON in the
// form its type prescribes, and read back into the target's column of the
// same type, so that it round-trips exactly across dialects.
const (
	typeInteger = "integer" // JSON integer (int64)
	typeReal    = "real"    // JSON number (float64, shortest exact form)
	typeBoolean = "boolean" // JSON true or false (SQLite 0/1, PostgreSQL bool)
	typeText    = "text"    // JSON string (valid UTF-8)
	typeBlob    = "blob"    // JSON string, standard base64 (SQLite BLOB, PostgreSQL bytea)
)

// tableInfo describes one table to move.
type tableInfo struct {
	Name    string
	Columns []columnInfo
	PK      []string // primary key columns; empty when the table has none
	FKs     []fkInfo
}

type columnInfo struct {
	Name     string
	Type     string // portable type
	Nullable bool
	// asText reads the column through a cast to text: a native type with
	// no portable counterpart (numeric, date, jsonb, ...).
	asText bool
}

type fkInfo struct {
	Columns    []string
	RefTable   string
	Deferrable bool // only known on PostgreSQL
}

func (t *tableInfo) column(name string) *columnInfo {
	for i := range t.Columns {
		if t.Columns[i].Name == name {
			return &t.Columns[i]
		}
	}
	return nil
}

// quoteIdent quotes a table or column name for both dialects.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// catalog lists the tables of the database tx reads, sorted by name.
func (db *DB) catalog(ctx context.Context, tx *sql.Tx) ([]*tableInfo, error) {
	if db.Dialect == Postgres {
		return postgresCatalog(ctx, tx)
	}
	return sqliteCatalog(ctx, tx)
}

func sqliteCatalog(ctx context.Context, tx *sql.Tx) ([]*tableInfo, error) {
	names, err := catalogStrings(ctx, tx, `
		SELECT name FROM pragma_table_list
		WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT IN ($1, $2, $3)
		ORDER BY name`, gooseTable, revisionsTable, librarySearchTable)
	if err != nil {
		return nil, fmt.Errorf("reading the table list: %w", err)
	}
	var tables []*tableInfo
	for _, name := range names {
		t := &tableInfo{Name: name}
		rows, err := tx.QueryContext(ctx, `SELECT name, type, "notnull", pk, hidden FROM pragma_table_xinfo($1) ORDER BY cid`, name)
		if err != nil {
			return nil, fmt.Errorf("reading the columns of %s: %w", name, err)
		}
		type pkCol struct {
			name string
			pos  int
		}
		var pks []pkCol
		for rows.Next() {
			var col, decl string
			var notNull, pk, hidden int
			if err := rows.Scan(&col, &decl, &notNull, &pk, &hidden); err != nil {
				rows.Close()
				return nil, err
			}
			if hidden != 0 { // generated (2, 3) or hidden column of a virtual table (1)
				continue
			}
			typ, asText := sqliteType(decl)
			t.Columns = append(t.Columns, columnInfo{Name: col, Type: typ, Nullable: notNull == 0 && pk == 0, asText: asText})
			if pk > 0 {
				pks = append(pks, pkCol{col, pk})
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		slices.SortFunc(pks, func(a, b pkCol) int { return a.pos - b.pos })
		for _, p := range pks {
			t.PK = append(t.PK, p.name)
		}

		rows, err = tx.QueryContext(ctx, `SELECT id, "table", "from" FROM pragma_foreign_key_list($1) ORDER BY id, seq`, name)
		if err != nil {
			return nil, fmt.Errorf("reading the references of %s: %w", name, err)
		}
		last := -1
		for rows.Next() {
			var id int
			var ref, from string
			if err := rows.Scan(&id, &ref, &from); err != nil {
				rows.Close()
				return nil, err
			}
			if id != last {
				t.FKs = append(t.FKs, fkInfo{RefTable: ref})
				last = id
			}
			fk := &t.FKs[len(t.FKs)-1]
			fk.Columns = append(fk.Columns, from)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		tables = append(tables, t)
	}
	return tables, nil
}

// sqliteType maps a declared SQLite column type to a portable type, by
// SQLite's own affinity rules where they apply.
func sqliteType(decl string) (typ string, asText bool) {
	d := strings.ToUpper(decl)
	switch {
	case strings.Contains(d, "BOOL"):
		return typeBoolean, false
	case strings.Contains(d, "INT"):
		return typeInteger, false
	case strings.Contains(d, "CHAR"), strings.Contains(d, "CLOB"), strings.Contains(d, "TEXT"):
		return typeText, false
	case strings.Contains(d, "BLOB"), strings.Contains(d, "BYTEA"):
		return typeBlob, false
	case strings.Contains(d, "REAL"), strings.Contains(d, "FLOA"), strings.Contains(d, "DOUB"):
		return typeReal, false
	}
	// NUMERIC, DATE, JSON, no type at all: moved as text.
	return typeText, true
}

func postgresCatalog(ctx context.Context, tx *sql.Tx) ([]*tableInfo, error) {
	names, err := catalogStrings(ctx, tx, `
		SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT IN ($1, $2, $3)
		ORDER BY table_name`, gooseTable, revisionsTable, librarySearchTable)
	if err != nil {
		return nil, fmt.Errorf("reading the table list: %w", err)
	}
	byName := map[string]*tableInfo{}
	var tables []*tableInfo
	for _, n := range names {
		t := &tableInfo{Name: n}
		byName[n] = t
		tables = append(tables, t)
	}

	rows, err := tx.QueryContext(ctx, `
		SELECT table_name, column_name, data_type, is_nullable = 'YES', is_generated <> 'NEVER'
		FROM information_schema.columns
		WHERE table_schema = current_schema()
		ORDER BY table_name, ordinal_position`)
	if err != nil {
		return nil, fmt.Errorf("reading the columns: %w", err)
	}
	for rows.Next() {
		var table, col, dataType string
		var nullable, generated bool
		if err := rows.Scan(&table, &col, &dataType, &nullable, &generated); err != nil {
			rows.Close()
			return nil, err
		}
		t := byName[table]
		if t == nil || generated {
			continue
		}
		typ, asText := postgresType(dataType)
		t.Columns = append(t.Columns, columnInfo{Name: col, Type: typ, Nullable: nullable, asText: asText})
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}

	rows, err = tx.QueryContext(ctx, `
		SELECT cl.relname, a.attname
		FROM pg_index i
		JOIN pg_class cl ON cl.oid = i.indrelid
		JOIN pg_namespace n ON n.oid = cl.relnamespace
		CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
		WHERE i.indisprimary AND n.nspname = current_schema()
		ORDER BY cl.relname, k.ord`)
	if err != nil {
		return nil, fmt.Errorf("reading the primary keys: %w", err)
	}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			rows.Close()
			return nil, err
		}
		if t := byName[table]; t != nil {
			t.PK = append(t.PK, col)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}

	rows, err = tx.QueryContext(ctx, `
		SELECT cl.relname, c.conname, rf.relname, c.condeferrable, a.attname
		FROM pg_constraint c
		JOIN pg_class cl ON cl.oid = c.conrelid
		JOIN pg_class rf ON rf.oid = c.confrelid
		JOIN pg_namespace n ON n.oid = cl.relnamespace
		CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
		WHERE c.contype = 'f' AND n.nspname = current_schema()
		ORDER BY cl.relname, c.conname, k.ord`)
	if err != nil {
		return nil, fmt.Errorf("reading the references: %w", err)
	}
	var lastTable, lastName string
	for rows.Next() {
		var table, name, ref, col string
		var deferrable bool
		if err := rows.Scan(&table, &name, &ref, &deferrable, &col); err != nil {
			rows.Close()
			return nil, err
		}
		t := byName[table]
		if t == nil {
			continue
		}
		if table != lastTable || name != lastName {
			t.FKs = append(t.FKs, fkInfo{RefTable: ref, Deferrable: deferrable})
			lastTable, lastName = table, name
		}
		fk := &t.FKs[len(t.FKs)-1]
		fk.Columns = append(fk.Columns, col)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	return tables, nil
}

// postgresType maps information_schema's data_type to a portable type.
func postgresType(dataType string) (typ string, asText bool) {
	switch dataType {
	case "smallint", "integer", "bigint":
		return typeInteger, false
	case "real", "double precision":
		return typeReal, false
	case "boolean":
		return typeBoolean, false
	case "bytea":
		return typeBlob, false
	case "text", "character varying", "character":
		return typeText, false
	}
	return typeText, true
}

// insertOrder sorts tables so that each comes after the tables it refers
// to through a constraint checked at once. References to the table itself
// and deferrable ones (checked at commit) do not order. On SQLite every
// check is deferred during an import, so a cycle there is broken by name;
// on PostgreSQL a cycle of immediate references cannot be loaded and is an
// error naming its tables.
func insertOrder(tables []*tableInfo, dialect string) ([]*tableInfo, error) {
	byName := map[string]*tableInfo{}
	for _, t := range tables {
		byName[t.Name] = t
	}
	deps := map[string]map[string]bool{}
	for _, t := range tables {
		deps[t.Name] = map[string]bool{}
		for _, fk := range t.FKs {
			if fk.RefTable == t.Name || fk.Deferrable || byName[fk.RefTable] == nil {
				continue
			}
			deps[t.Name][fk.RefTable] = true
		}
	}
	var order []*tableInfo
	placed := map[string]bool{}
	for len(order) < len(tables) {
		progress := false
		for _, t := range tables { // tables are sorted by name: a stable order
			if placed[t.Name] {
				continue
			}
			ready := true
			for d := range deps[t.Name] {
				if !placed[d] {
					ready = false
					break
				}
			}
			if ready {
				order = append(order, t)
				placed[t.Name] = true
				progress = true
			}
		}
		if progress {
			continue
		}
		var stuck []string
		for _, t := range tables {
			if !placed[t.Name] {
				stuck = append(stuck, t.Name)
			}
		}
		if dialect == Postgres {
			return nil, trellis.Errorf(trellis.EINTERNAL,
				"tables %s refer to each other through references that are not deferrable; they cannot be loaded in any order", strings.Join(stuck, ", "))
		}
		order = append(order, byName[stuck[0]])
		placed[stuck[0]] = true
	}
	return order, nil
}

func catalogStrings(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
