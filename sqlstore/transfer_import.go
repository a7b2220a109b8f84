package sqlstore

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"trellis"
)

// ExportFile is an export that OpenExport read through and found complete
// and unmodified: its rows wait in a temporary file, section by section,
// for Import to load them in whatever order the target's references need.
type ExportFile struct {
	Path     string
	header   exportHeader
	trailer  exportTrailer
	tmp      *os.File
	sections map[string]section
}

type section struct {
	off, size, rows int64
}

// SchemaVersion returns the migration of the database the export was
// taken from.
func (ef *ExportFile) SchemaVersion() int64 { return ef.header.SchemaVersion }

// Info describes the export.
func (ef *ExportFile) Info() *TransferInfo {
	info := &TransferInfo{Path: ef.Path, SchemaVersion: ef.header.SchemaVersion, ExportedAt: ef.header.ExportedAt, Dialect: ef.header.Dialect}
	for _, t := range ef.header.Tables {
		info.Tables = append(info.Tables, TableCount{t.Name, ef.sections[t.Name].rows})
	}
	if fi, err := os.Stat(ef.Path); err == nil {
		info.Size = fi.Size()
	}
	return info
}

// Close removes the temporary copy of the rows.
func (ef *ExportFile) Close() error {
	if ef == nil || ef.tmp == nil {
		return nil
	}
	name := ef.tmp.Name()
	err := ef.tmp.Close()
	os.Remove(name)
	ef.tmp = nil
	return err
}

var knownTypes = map[string]bool{typeInteger: true, typeReal: true, typeBoolean: true, typeText: true, typeBlob: true}

// OpenExport reads the export at path through and checks it before anything
// is written anywhere: the header, every section and row against the
// header's tables and columns, the trailer's row counts and the SHA-256 of
// the content. A file that is not an export, or is truncated or changed, is
// EINVALID and the message says what is wrong. The caller closes the
// returned ExportFile.
func OpenExport(ctx context.Context, path string) (*ExportFile, error) {
	notExport := func(why string, args ...any) error {
		return trellis.Errorf(trellis.EINVALID, "%s is not a Trellis export: %s", path, fmt.Sprintf(why, args...))
	}
	damaged := func(why string, args ...any) error {
		return trellis.Errorf(trellis.EINVALID, "%s is incomplete or damaged: %s; nothing was imported", path, fmt.Sprintf(why, args...))
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, trellis.Errorf(trellis.EINVALID, "%s does not exist", path)
	case err != nil:
		return nil, trellis.Errorf(trellis.EINVALID, "cannot read %s: %v", path, err)
	case !fi.Mode().IsRegular():
		return nil, notExport("it is not a regular file")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, trellis.Errorf(trellis.EINVALID, "cannot read %s: %v", path, err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	magic, _ := br.Peek(2)
	var src io.Reader
	switch {
	case len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, notExport("its gzip header cannot be read (%v)", err)
		}
		zr.Multistream(false)
		src = zr
	case len(magic) >= 1 && magic[0] == '{':
		src = br // an export someone decompressed
	default:
		return nil, notExport("it is neither gzip-compressed nor JSON Lines")
	}
	r := bufio.NewReaderSize(src, 1<<16)
	lineNo := 0
	readLine := func() ([]byte, error) {
		b, err := r.ReadBytes('\n')
		if err == io.EOF && len(b) == 0 {
			return nil, io.EOF
		}
		if err == io.EOF {
			return nil, io.ErrUnexpectedEOF // a last line without its end
		}
		if err != nil {
			return nil, err
		}
		lineNo++
		return b, nil
	}

	first, err := readLine()
	if err == io.EOF {
		return nil, notExport("it is empty")
	}
	if err != nil {
		return nil, notExport("it does not start with an export header (%v)", readErr(err))
	}
	ef := &ExportFile{Path: path, sections: map[string]section{}}
	if err := json.Unmarshal(first, &ef.header); err != nil || ef.header.Format != exportFormat {
		return nil, notExport("its first line is not a trellis-export header")
	}
	hdr := &ef.header
	if hdr.Version != exportVersion {
		return nil, trellis.Errorf(trellis.EINVALID, "%s is in export format version %d; this Trellis reads version %d: import it with the Trellis that wrote it",
			path, hdr.Version, exportVersion)
	}
	tables := map[string]*exportTable{}
	for i := range hdr.Tables {
		t := &hdr.Tables[i]
		if t.Name == "" || tables[t.Name] != nil || len(t.Columns) == 0 {
			return nil, damaged("the header lists table %q twice, without a name or without columns", t.Name)
		}
		seen := map[string]bool{}
		for _, c := range t.Columns {
			if c.Name == "" || seen[c.Name] || !knownTypes[c.Type] {
				return nil, damaged("the header's column %q of table %s is repeated or of unknown type %q", c.Name, t.Name, c.Type)
			}
			seen[c.Name] = true
		}
		tables[t.Name] = t
	}

	ef.tmp, err = os.CreateTemp("", "trellis-import-*.jsonl")
	if err != nil {
		return nil, trellis.Errorf(trellis.EUNAVAILABLE, "cannot make a temporary file for the import: %v", err)
	}
	ok := false
	defer func() {
		if !ok {
			ef.Close()
		}
	}()
	tw := bufio.NewWriterSize(ef.tmp, 1<<16)
	h := sha256.New()
	h.Write(first)

	var (
		cur     *exportTable
		curSec  section
		next    int   // index of the next section the header expects
		written int64 // bytes in the temporary file
		trailer bool
	)
	closeSection := func() {
		if cur != nil {
			curSec.size = written - curSec.off
			ef.sections[cur.Name] = curSec
		}
	}
	for !trailer {
		line, err := readLine()
		if err == io.EOF {
			return nil, damaged("it ends before its trailer (truncated after line %d)", lineNo)
		}
		if err != nil {
			return nil, damaged("%v after line %d", readErr(err), lineNo)
		}
		if lineNo%progressRows == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(line, &m); err != nil {
			return nil, damaged("line %d is not a JSON object", lineNo)
		}
		switch {
		case cur != nil && isRow(m, cur):
			if _, err := tw.Write(line); err != nil {
				return nil, trellis.Errorf(trellis.EUNAVAILABLE, "cannot write the temporary file of the import: %v", err)
			}
			written += int64(len(line))
			curSec.rows++
			h.Write(line)
		case len(m) == 1 && m["table"] != nil:
			var name string
			if err := json.Unmarshal(m["table"], &name); err != nil {
				return nil, damaged("line %d: a section marker without a table name", lineNo)
			}
			if next >= len(hdr.Tables) || hdr.Tables[next].Name != name {
				return nil, damaged("line %d starts a section of table %q where the header expects %s", lineNo, name, expected(hdr, next))
			}
			closeSection()
			cur, curSec = tables[name], section{off: written}
			next++
			h.Write(line)
		case m["trailer"] != nil:
			closeSection()
			if err := json.Unmarshal(line, &ef.trailer); err != nil || !ef.trailer.Trailer {
				return nil, damaged("line %d: the trailer cannot be read", lineNo)
			}
			trailer = true
		case cur == nil:
			return nil, damaged("line %d comes before the first section", lineNo)
		default:
			return nil, damaged("line %d is not a row of table %s (its columns differ from the header's)", lineNo, cur.Name)
		}
	}
	if _, err := readLine(); err != io.EOF {
		if err == nil {
			return nil, damaged("there is more after its trailer (line %d)", lineNo)
		}
		return nil, damaged("%v after its trailer", readErr(err))
	}
	if next < len(hdr.Tables) {
		return nil, damaged("the section of table %s is missing", hdr.Tables[next].Name)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != ef.trailer.SHA256 {
		return nil, damaged("its content does not match its SHA-256 (the file was changed after it was written)")
	}
	for _, t := range hdr.Tables {
		want, listed := ef.trailer.Rows[t.Name]
		if !listed || want != ef.sections[t.Name].rows {
			return nil, damaged("table %s has %d rows where the trailer counts %d", t.Name, ef.sections[t.Name].rows, want)
		}
	}
	if len(ef.trailer.Rows) != len(hdr.Tables) {
		return nil, damaged("the trailer counts tables the header does not list")
	}
	if err := tw.Flush(); err != nil {
		return nil, trellis.Errorf(trellis.EUNAVAILABLE, "cannot write the temporary file of the import: %v", err)
	}
	ok = true
	return ef, nil
}

func readErr(err error) string {
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the file ends in the middle of a line (truncated)"
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader):
		return "the compressed data is damaged"
	}
	return err.Error()
}

func expected(hdr *exportHeader, next int) string {
	if next >= len(hdr.Tables) {
		return "the trailer"
	}
	return "table " + hdr.Tables[next].Name
}

// isRow reports whether m holds exactly the columns of t.
func isRow(m map[string]json.RawMessage, t *exportTable) bool {
	if len(m) != len(t.Columns) {
		return false
	}
	for _, c := range t.Columns {
		if _, ok := m[c.Name]; !ok {
			return false
		}
	}
	return true
}

// Import loads the export ef into the database, all in one transaction:
// either every row arrives or none does. The database must carry the same
// migrations as the export, have the same tables and columns, and hold no
// row at all: not even the default framework a first start loads, since
// the audit log that recorded its import cannot be rewritten. Afterwards PostgreSQL's identity sequences continue
// after the largest ids imported, SQLite's full-text indexes are rebuilt
// (PostgreSQL's search columns are generated) and so is the library's
// search index on either.
func (db *DB) Import(ctx context.Context, ef *ExportFile, opts TransferOptions) (*TransferInfo, error) {
	info := ef.Info()
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, translate(err)
	}
	defer tx.Rollback()

	have, err := schemaVersion(ctx, tx)
	if err != nil {
		return nil, trellis.Errorf(trellis.EINVALID, "database %s has no Trellis schema; run trellis migrate on it first", db.DSN)
	}
	if have != ef.header.SchemaVersion {
		return nil, trellis.Errorf(trellis.EINVALID,
			"%s was exported at migration %d but database %s is at migration %d; export and import with the same version of Trellis",
			ef.Path, ef.header.SchemaVersion, db.DSN, have)
	}
	switch db.Dialect {
	case SQLite:
		// Every reference is checked at commit, so tables and rows may
		// arrive in any order; foreign_key_check names what is left over.
		_, err = tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`)
	case Postgres:
		_, err = tx.ExecContext(ctx, `SET CONSTRAINTS ALL DEFERRED`)
	}
	if err != nil {
		return nil, translate(err)
	}
	all, err := db.catalog(ctx, tx)
	if err != nil {
		return nil, translate(err)
	}
	if err := matchSchema(ef, all, db.DSN); err != nil {
		return nil, err
	}
	order, err := insertOrder(all, db.Dialect)
	if err != nil {
		return nil, err
	}

	var blocking []string
	for _, t := range order {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM `+quoteIdent(t.Name)+` LIMIT 1`).Scan(&one)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			continue
		case err != nil:
			return nil, translate(err)
		default:
			blocking = append(blocking, t.Name)
		}
	}
	if len(blocking) > 0 {
		slices.Sort(blocking)
		return nil, trellis.Errorf(trellis.EINVALID,
			"database %s is not empty (rows in %s); import-all loads a whole instance into an empty database only: "+
				"name a new SQLite file, or a new PostgreSQL database (createdb), with --db, and let import-all create the tables",
			db.DSN, strings.Join(blocking, ", "))
	}

	for _, t := range order {
		if err := db.importTable(ctx, tx, ef, t, opts); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			var te *trellis.Error
			if errors.As(err, &te) {
				return nil, err
			}
			return nil, trellis.Errorf(trellis.EINVALID, "import of table %s: %v; nothing was imported", t.Name, translate(err))
		}
	}

	switch db.Dialect {
	case SQLite:
		if err := sqliteForeignKeyCheck(ctx, tx); err != nil {
			return nil, err
		}
		if err := rebuildFTS(ctx, tx); err != nil {
			return nil, err
		}
	case Postgres:
		if _, err := tx.ExecContext(ctx, `SET CONSTRAINTS ALL IMMEDIATE`); err != nil {
			return nil, trellis.Errorf(trellis.EINVALID, "the imported rows refer to rows that do not exist: %v; nothing was imported", err)
		}
		if err := resetSequences(ctx, tx, order); err != nil {
			return nil, err
		}
	}
	// The library's search index holds its own copy of the listed
	// documents' text, which the export leaves out.
	if err := rebuildLibraryIndex(ctx, tx, db.Dialect); err != nil {
		return nil, trellis.Errorf(trellis.EINTERNAL, "rebuilding the library's search index: %v", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, translate(err)
	}
	// Fresh statistics for the planner; the import stands either way.
	if err := db.Optimize(ctx); err != nil {
		db.Logger.Warn("statistics after import", "err", err)
	}
	return info, nil
}

// matchSchema checks that the export and the database have the same tables
// and columns of the same types, naming the first difference of each kind.
func matchSchema(ef *ExportFile, target []*tableInfo, dsn string) error {
	byName := map[string]*tableInfo{}
	for _, t := range target {
		byName[t.Name] = t
	}
	var problems []string
	inExport := map[string]bool{}
	for _, et := range ef.header.Tables {
		inExport[et.Name] = true
		t := byName[et.Name]
		if t == nil {
			problems = append(problems, fmt.Sprintf("the export has table %s, which the database lacks", et.Name))
			continue
		}
		cols := map[string]bool{}
		for _, ec := range et.Columns {
			cols[ec.Name] = true
			c := t.column(ec.Name)
			switch {
			case c == nil:
				problems = append(problems, fmt.Sprintf("the export has column %s.%s, which the database lacks", et.Name, ec.Name))
			case c.Type != ec.Type:
				problems = append(problems, fmt.Sprintf("column %s.%s is %s in the export but %s in the database", et.Name, ec.Name, ec.Type, c.Type))
			}
		}
		for _, c := range t.Columns {
			if !cols[c.Name] {
				problems = append(problems, fmt.Sprintf("the database has column %s.%s, which the export lacks", t.Name, c.Name))
			}
		}
	}
	for _, t := range target {
		if !inExport[t.Name] {
			problems = append(problems, fmt.Sprintf("the database has table %s, which the export lacks", t.Name))
		}
	}
	if len(problems) > 0 {
		return trellis.Errorf(trellis.EINVALID, "%s does not fit database %s: %s; nothing was imported", ef.Path, dsn, strings.Join(problems, "; "))
	}
	return nil
}

// maxParams bounds the placeholders of one INSERT, below both SQLite's
// and PostgreSQL's limits.
const maxParams = 30_000

func (db *DB) importTable(ctx context.Context, tx *sql.Tx, ef *ExportFile, t *tableInfo, opts TransferOptions) error {
	sec := ef.sections[t.Name]
	opts.progress(t.Name, 0, sec.rows)
	if sec.rows == 0 {
		return nil
	}
	ncol := len(t.Columns)
	perBatch := max(1, min(1000, maxParams/ncol))

	// On PostgreSQL a reference of a table to itself is checked row by
	// row: such columns are loaded empty and set once every row is in.
	var later []int // indexes of self-referring columns
	if db.Dialect == Postgres && len(t.PK) > 0 {
		for _, fk := range t.FKs {
			if fk.RefTable != t.Name || fk.Deferrable {
				continue
			}
			nullable := true
			for _, c := range fk.Columns {
				if col := t.column(c); col == nil || !col.Nullable {
					nullable = false
				}
			}
			if !nullable {
				continue
			}
			for _, c := range fk.Columns {
				i := slices.IndexFunc(t.Columns, func(x columnInfo) bool { return x.Name == c })
				if !slices.Contains(later, i) {
					later = append(later, i)
				}
			}
		}
	}
	var pkIdx []int
	for _, k := range t.PK {
		pkIdx = append(pkIdx, slices.IndexFunc(t.Columns, func(x columnInfo) bool { return x.Name == k }))
	}
	type fixup struct{ key, vals []any }
	var fixups []fixup

	var cols strings.Builder
	for i, c := range t.Columns {
		if i > 0 {
			cols.WriteString(", ")
		}
		cols.WriteString(quoteIdent(c.Name))
	}
	prefix := "INSERT INTO " + quoteIdent(t.Name) + " (" + cols.String() + ")"
	if db.Dialect == Postgres {
		prefix += " OVERRIDING SYSTEM VALUE"
	}
	prefix += " VALUES "
	// Statements are prepared once per table and size. On SQLite the
	// placeholders are plain ?: the driver looks up the name of every
	// numbered one ($N) in a list as long as their number, per row.
	stmts := map[int]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	insert := func(args []any) error {
		n := len(args) / ncol
		st, ok := stmts[n]
		if !ok {
			var b strings.Builder
			b.WriteString(prefix)
			p := 1
			for r := 0; r < n; r++ {
				if r > 0 {
					b.WriteString(", ")
				}
				b.WriteByte('(')
				for c := 0; c < ncol; c++ {
					if c > 0 {
						b.WriteString(", ")
					}
					if db.Dialect == SQLite {
						b.WriteByte('?')
					} else {
						b.WriteByte('$')
						b.WriteString(strconv.Itoa(p))
					}
					p++
				}
				b.WriteByte(')')
			}
			var err error
			if st, err = tx.PrepareContext(ctx, b.String()); err != nil {
				return err
			}
			stmts[n] = st
		}
		_, err := st.ExecContext(ctx, args...)
		return err
	}

	r := bufio.NewReaderSize(io.NewSectionReader(ef.tmp, sec.off, sec.size), 1<<16)
	args := make([]any, 0, perBatch*ncol)
	var n int64
	for {
		line, err := r.ReadBytes('\n')
		if err == io.EOF && len(line) == 0 {
			break
		}
		if err != nil && err != io.EOF {
			return err
		}
		n++
		var m map[string]json.RawMessage
		if err := json.Unmarshal(line, &m); err != nil {
			return err
		}
		row := make([]any, ncol)
		for i, c := range t.Columns {
			v, err := decodeValue(m[c.Name], c.Type)
			if err != nil {
				return trellis.Errorf(trellis.EINVALID, "%s: table %s, row %d, column %s: %v; nothing was imported", ef.Path, t.Name, n, c.Name, err)
			}
			row[i] = v
		}
		if len(later) > 0 {
			f := fixup{}
			set := false
			for _, i := range later {
				f.vals = append(f.vals, row[i])
				if row[i] != nil {
					set = true
				}
				row[i] = nil
			}
			if set {
				for _, i := range pkIdx {
					f.key = append(f.key, row[i])
				}
				fixups = append(fixups, f)
			}
		}
		args = append(args, row...)
		if len(args) >= perBatch*ncol {
			if err := insert(args); err != nil {
				return err
			}
			args = args[:0]
		}
		if n%progressRows == 0 {
			opts.progress(t.Name, n, sec.rows)
		}
	}
	if len(args) > 0 {
		if err := insert(args); err != nil {
			return err
		}
	}
	if n != sec.rows {
		return fmt.Errorf("read %d rows of %d", n, sec.rows)
	}
	if len(fixups) > 0 {
		var b strings.Builder
		b.WriteString("UPDATE " + quoteIdent(t.Name) + " SET ")
		p := 1
		for j, i := range later {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s = $%d", quoteIdent(t.Columns[i].Name), p)
			p++
		}
		b.WriteString(" WHERE ")
		for j, i := range pkIdx {
			if j > 0 {
				b.WriteString(" AND ")
			}
			fmt.Fprintf(&b, "%s = $%d", quoteIdent(t.Columns[i].Name), p)
			p++
		}
		stmt, err := tx.PrepareContext(ctx, b.String())
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, f := range fixups {
			if _, err := stmt.ExecContext(ctx, append(f.vals, f.key...)...); err != nil {
				return err
			}
		}
	}
	opts.progress(t.Name, n, sec.rows)
	return nil
}

// decodeValue reads a JSON value of an export into the Go value the
// drivers write into a column of the portable type typ.
func decodeValue(raw json.RawMessage, typ string) (any, error) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return nil, nil
	}
	switch typ {
	case typeInteger:
		v, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s is not an integer", raw)
		}
		return v, nil
	case typeReal:
		v, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			return nil, fmt.Errorf("%s is not a number", raw)
		}
		return v, nil
	case typeBoolean:
		switch string(raw) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("%s is not true or false", raw)
	case typeText:
		var s string
		if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
			return nil, fmt.Errorf("%s is not a string", raw)
		}
		return s, nil
	case typeBlob:
		var s string
		if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
			return nil, fmt.Errorf("%s is not base64 data", raw)
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("not base64 data: %v", err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("unknown column type %q", typ)
}

// sqliteForeignKeyCheck names the first reference the import left dangling;
// SQLite would refuse the commit anyway, without saying where.
func sqliteForeignKeyCheck(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	if rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return translate(err)
		}
		return trellis.Errorf(trellis.EINVALID, "a row of table %s (rowid %d) refers to a row of %s that the export does not hold; nothing was imported",
			table, rowid.Int64, parent)
	}
	return translate(rows.Err())
}

// rebuildFTS rebuilds every FTS5 index of a SQLite database from the
// tables it indexes.
func rebuildFTS(ctx context.Context, tx *sql.Tx) error {
	names, err := catalogStrings(ctx, tx, `
		SELECT name FROM sqlite_master
		WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%' AND lower(sql) LIKE '%using fts5%'
		ORDER BY name`)
	if err != nil {
		return translate(err)
	}
	for _, name := range names {
		q := quoteIdent(name)
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+q+` (`+q+`) VALUES ('rebuild')`); err != nil {
			return trellis.Errorf(trellis.EINTERNAL, "rebuilding the search index %s: %v", name, err)
		}
	}
	return nil
}

// resetSequences moves every identity or serial sequence past the largest
// value imported into its column, so that rows created later get new ids.
func resetSequences(ctx context.Context, tx *sql.Tx, tables []*tableInfo) error {
	for _, t := range tables {
		for _, c := range t.Columns {
			if c.Type != typeInteger {
				continue
			}
			var seq sql.NullString
			if err := tx.QueryRowContext(ctx, `SELECT pg_get_serial_sequence($1, $2)`, quoteIdent(t.Name), c.Name).Scan(&seq); err != nil {
				return translate(err)
			}
			if !seq.Valid {
				continue
			}
			q := fmt.Sprintf(`SELECT setval($1::regclass, COALESCE((SELECT MAX(%s) FROM %s), 0) + 1, false)`, quoteIdent(c.Name), quoteIdent(t.Name))
			if _, err := tx.ExecContext(ctx, q, seq.String); err != nil {
				return trellis.Errorf(trellis.EINTERNAL, "moving the sequence of %s.%s: %v", t.Name, c.Name, err)
			}
		}
	}
	return nil
}
