package sqlstore

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"
	"unicode/utf8"

	"trellis"
)

// An export (trellis export-all) is a whole Trellis instance in one file,
// readable by import-all on either dialect: gzip-compressed JSON Lines.
//
//	{"format":"trellis-export","version":1,"schema_version":7,"dialect":"sqlite",
//	 "exported_at":"...","producer":"...","tables":[{"name":"people","columns":[{"name":"id","type":"integer"},...]},...]}
//	{"table":"people"}
//	{"id":1,"email":"ada@example.com",...,"active":true,...}     one line per row
//	{"table":"person_tags"}
//	...
//	{"trailer":true,"rows":{"people":60,...},"sha256":"..."}
//
// Every table of the header has its section, in the header's order, each
// row an object with every column of its table in the header's column
// order. Values are JSON in the form of their portable type (see typeText
// and the others); NULL is null. The trailer counts each table's rows and
// holds the SHA-256 of every byte before it, so an import can tell a
// complete, unmodified file from a truncated or edited one. The hash guards
// against damage, not against someone who means harm: it is no signature.
const (
	exportFormat  = "trellis-export"
	exportVersion = 1
)

type exportHeader struct {
	Format        string        `json:"format"`
	Version       int           `json:"version"`
	SchemaVersion int64         `json:"schema_version"`
	Dialect       string        `json:"dialect"`
	ExportedAt    string        `json:"exported_at"`
	Producer      string        `json:"producer,omitempty"`
	Tables        []exportTable `json:"tables"`
}

type exportTable struct {
	Name    string         `json:"name"`
	Columns []exportColumn `json:"columns"`
}

type exportColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type exportTrailer struct {
	Trailer bool             `json:"trailer"`
	Rows    map[string]int64 `json:"rows"`
	SHA256  string           `json:"sha256"`
}

// TransferOptions tune Export and Import.
type TransferOptions struct {
	// Force replaces an existing export file.
	Force bool
	// Producer names the program writing an export, for the header.
	Producer string
	// Progress, when set, is told how far the rows of each table are.
	Progress func(table string, done, total int64)
}

func (o TransferOptions) progress(table string, done, total int64) {
	if o.Progress != nil {
		o.Progress(table, done, total)
	}
}

// TableCount is the number of rows of one table.
type TableCount struct {
	Table string
	Rows  int64
}

// TransferInfo describes an export written or imported.
type TransferInfo struct {
	Path          string
	Size          int64
	SchemaVersion int64
	ExportedAt    string
	Dialect       string // of the database the export was taken from
	Tables        []TableCount
}

// Rows returns the number of rows of every table.
func (i *TransferInfo) Rows() int64 {
	var n int64
	for _, t := range i.Tables {
		n += t.Rows
	}
	return n
}

// progressRows is how many rows pass between two progress reports.
const progressRows = 10_000

// Export writes every row of every table of the database to dest, as one
// consistent snapshot: one read transaction (REPEATABLE READ, READ ONLY on
// PostgreSQL). The file is written next to dest under a temporary name and
// moved to dest when complete; an existing dest is refused unless
// opts.Force. The database must carry exactly the migrations this build
// knows, so that an import by the same build can read it.
func (db *DB) Export(ctx context.Context, dest string, opts TransferOptions) (*TransferInfo, error) {
	if dest == "" {
		return nil, trellis.Errorf(trellis.EINVALID, "name the export file, e.g. trellis export-all trellis-export.jsonl.gz")
	}
	if _, err := os.Lstat(dest); err == nil && !opts.Force {
		return nil, trellis.Errorf(trellis.EINVALID, "%s already exists; choose another name, or add --force to replace it", dest)
	}
	dir := filepath.Dir(dest)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, trellis.Errorf(trellis.EINVALID, "cannot write %s: directory %s does not exist", dest, dir)
	}

	txOpts := &sql.TxOptions{ReadOnly: true}
	if db.Dialect == Postgres {
		txOpts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.db.BeginTx(ctx, txOpts)
	if err != nil {
		return nil, translate(err)
	}
	defer tx.Rollback()

	have, err := schemaVersion(ctx, tx)
	if err != nil {
		return nil, trellis.Errorf(trellis.EINVALID, "database %s is not a Trellis database (it has no migrations table)", db.DSN)
	}
	latest, err := latestMigration(db.Dialect)
	if err != nil {
		return nil, err
	}
	switch {
	case have < latest:
		return nil, trellis.Errorf(trellis.EINVALID,
			"database %s is at migration %d and this Trellis knows up to %d; run trellis migrate on it first (or export with the Trellis that serves it)", db.DSN, have, latest)
	case have > latest:
		return nil, trellis.Errorf(trellis.EINVALID,
			"database %s is at migration %d, newer than this Trellis knows (%d); export it with the Trellis that serves it", db.DSN, have, latest)
	}
	all, err := db.catalog(ctx, tx)
	if err != nil {
		return nil, translate(err)
	}
	tables, err := insertOrder(all, db.Dialect)
	if err != nil {
		return nil, err
	}
	hdr := exportHeader{
		Format: exportFormat, Version: exportVersion, SchemaVersion: have, Dialect: db.Dialect,
		ExportedAt: formatTime(db.Clock.Now()), Producer: opts.Producer,
	}
	for _, t := range tables {
		if len(t.Columns) == 0 {
			return nil, trellis.Errorf(trellis.EINTERNAL, "table %s has no columns to export", t.Name)
		}
		if len(t.Columns) == 1 && (t.Columns[0].Name == "table" || t.Columns[0].Name == "trailer") {
			return nil, trellis.Errorf(trellis.EINTERNAL, "table %s: a table whose one column is named %q cannot be exported", t.Name, t.Columns[0].Name)
		}
		et := exportTable{Name: t.Name}
		for _, c := range t.Columns {
			et.Columns = append(et.Columns, exportColumn{Name: c.Name, Type: c.Type})
		}
		hdr.Tables = append(hdr.Tables, et)
	}

	f, err := os.CreateTemp(dir, "."+filepath.Base(dest)+".partial-*")
	if err != nil {
		return nil, trellis.Errorf(trellis.EINVALID, "cannot write to %s: %v", dir, err)
	}
	tmp := f.Name()
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(tmp)
		}
	}()
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	bw := bufio.NewWriterSize(zw, 1<<16)
	w := &lineWriter{w: bw, h: sha256.New()}

	line, err := json.Marshal(hdr)
	if err != nil {
		return nil, err
	}
	if err := w.line(line); err != nil {
		return nil, writeErr(dest, err)
	}
	info := &TransferInfo{Path: dest, SchemaVersion: have, ExportedAt: hdr.ExportedAt, Dialect: db.Dialect}
	trailer := exportTrailer{Trailer: true, Rows: map[string]int64{}}
	for _, t := range tables {
		n, err := db.exportTable(ctx, tx, t, w, opts)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			var te *trellis.Error
			if errors.As(err, &te) {
				return nil, err
			}
			return nil, trellis.Errorf(trellis.EINTERNAL, "export of table %s: %v", t.Name, err)
		}
		trailer.Rows[t.Name] = n
		info.Tables = append(info.Tables, TableCount{t.Name, n})
	}
	trailer.SHA256 = hex.EncodeToString(w.h.Sum(nil))
	if line, err = json.Marshal(trailer); err != nil {
		return nil, err
	}
	w.h = nil
	if err := w.line(line); err != nil {
		return nil, writeErr(dest, err)
	}
	if err := bw.Flush(); err != nil {
		return nil, writeErr(dest, err)
	}
	if err := zw.Close(); err != nil {
		return nil, writeErr(dest, err)
	}
	if err := f.Sync(); err != nil {
		return nil, writeErr(dest, err)
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, writeErr(dest, err)
	}
	info.Size = fi.Size()
	if err := f.Close(); err != nil {
		return nil, writeErr(dest, err)
	}
	if opts.Force {
		err = os.Rename(tmp, dest)
	} else if err = os.Link(tmp, dest); err == nil {
		// A hard link never replaces a file that appeared meanwhile.
		os.Remove(tmp)
	} else if errors.Is(err, os.ErrExist) {
		return nil, trellis.Errorf(trellis.EINVALID, "%s already exists; choose another name, or add --force to replace it", dest)
	} else if _, serr := os.Lstat(dest); errors.Is(serr, os.ErrNotExist) {
		err = os.Rename(tmp, dest) // a file system without hard links
	}
	if err != nil {
		return nil, writeErr(dest, err)
	}
	done = true
	syncDir(dir)
	return info, nil
}

func writeErr(dest string, err error) error {
	return trellis.Errorf(trellis.EUNAVAILABLE, "cannot write %s: %v", dest, err)
}

// lineWriter writes lines and hashes them while h is set.
type lineWriter struct {
	w io.Writer
	h hash.Hash
}

func (l *lineWriter) line(b []byte) error {
	b = append(b, '\n')
	if l.h != nil {
		l.h.Write(b)
	}
	_, err := l.w.Write(b)
	return err
}

// selectAll returns the query that reads every row of t in primary key
// order (or by every column, for a table without one), so that the same
// database always exports the same file.
func selectAll(t *tableInfo, dialect string) string {
	q := "SELECT "
	for i, c := range t.Columns {
		if i > 0 {
			q += ", "
		}
		switch {
		case c.asText && dialect == Postgres:
			q += quoteIdent(c.Name) + "::text"
		case c.asText:
			q += "CAST(" + quoteIdent(c.Name) + " AS TEXT)"
		default:
			q += quoteIdent(c.Name)
		}
	}
	q += " FROM " + quoteIdent(t.Name) + " ORDER BY "
	keys := t.PK
	if len(keys) == 0 {
		for _, c := range t.Columns {
			keys = append(keys, c.Name)
		}
	}
	for i, k := range keys {
		if i > 0 {
			q += ", "
		}
		q += quoteIdent(k)
	}
	return q
}

func (db *DB) exportTable(ctx context.Context, tx *sql.Tx, t *tableInfo, w *lineWriter, opts TransferOptions) (int64, error) {
	var total int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteIdent(t.Name)).Scan(&total); err != nil {
		return 0, err
	}
	opts.progress(t.Name, 0, total)
	marker, _ := json.Marshal(map[string]string{"table": t.Name})
	if err := w.line(marker); err != nil {
		return 0, err
	}
	rows, err := tx.QueryContext(ctx, selectAll(t, db.Dialect))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	names := make([][]byte, len(t.Columns))
	for i, c := range t.Columns {
		names[i], _ = json.Marshal(c.Name)
	}
	vals := make([]any, len(t.Columns))
	ptrs := make([]any, len(t.Columns))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	buf := make([]byte, 0, 1024)
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		buf = append(buf[:0], '{')
		for i, c := range t.Columns {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, names[i]...)
			buf = append(buf, ':')
			if buf, err = appendValue(buf, c.Type, vals[i]); err != nil {
				return n, trellis.Errorf(trellis.EINVALID, "table %s, row %d, column %s: %v", t.Name, n+1, c.Name, err)
			}
		}
		buf = append(buf, '}')
		if err := w.line(buf); err != nil {
			return n, err
		}
		n++
		if n%progressRows == 0 {
			opts.progress(t.Name, n, total)
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	opts.progress(t.Name, n, n)
	return n, nil
}

// appendValue appends v, as the driver returned it, in the JSON form of
// the portable type typ. A value that does not fit its column's type is
// an error rather than a silent change.
func appendValue(buf []byte, typ string, v any) ([]byte, error) {
	if v == nil {
		return append(buf, "null"...), nil
	}
	switch typ {
	case typeInteger:
		switch x := v.(type) {
		case int64:
			return strconv.AppendInt(buf, x, 10), nil
		case int32:
			return strconv.AppendInt(buf, int64(x), 10), nil
		case bool: // SQLite drivers may read an integer column declared otherwise
			if x {
				return append(buf, '1'), nil
			}
			return append(buf, '0'), nil
		}
	case typeReal:
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case float32:
			f = float64(x)
		case int64:
			f = float64(x)
		default:
			return nil, fmt.Errorf("%T %v is not a number", v, v)
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%v cannot be written as JSON", f)
		}
		return strconv.AppendFloat(buf, f, 'g', -1, 64), nil
	case typeBoolean:
		switch x := v.(type) {
		case bool:
			return strconv.AppendBool(buf, x), nil
		case int64:
			if x == 0 || x == 1 {
				return strconv.AppendBool(buf, x == 1), nil
			}
		}
	case typeText:
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case []byte:
			s = string(x)
		case time.Time:
			s = x.Format(time.RFC3339Nano)
		case int64:
			s = strconv.FormatInt(x, 10)
		case float64:
			s = strconv.FormatFloat(x, 'g', -1, 64)
		default:
			return nil, fmt.Errorf("%T is not text", v)
		}
		if !utf8.ValidString(s) {
			return nil, fmt.Errorf("the text is not valid UTF-8")
		}
		b, err := json.Marshal(s)
		if err != nil {
			return nil, err
		}
		return append(buf, b...), nil
	case typeBlob:
		var b []byte
		switch x := v.(type) {
		case []byte:
			b = x
		case string:
			b = []byte(x)
		default:
			return nil, fmt.Errorf("%T is not binary data", v)
		}
		buf = append(buf, '"')
		buf = base64.StdEncoding.AppendEncode(buf, b)
		return append(buf, '"'), nil
	default:
		return nil, fmt.Errorf("unknown column type %q", typ)
	}
	return nil, fmt.Errorf("%T %v is not of type %s", v, v, typ)
}
