package seed

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"trellis/sqlstore"
)

// writer writes rows with multi-row INSERTs, committing a transaction every
// rowsPerTx rows and reporting progress for its stage.
type writer struct {
	s     *seeder
	stage string
	total int
	done  int

	tx       *sqlstore.Tx
	inTx     int
	stmts    map[string]string
	prepared map[string]*sql.Stmt // of tx
}

// maxParams keeps a statement under both databases' limits on bound
// parameters (SQLite 32766, PostgreSQL 65535).
const maxParams = 30000

// insert writes rows into table and counts them as progress.
func (w *writer) insert(ctx context.Context, table string, cols []string, rows [][]any) error {
	if err := w.write(ctx, table, cols, rows); err != nil {
		return err
	}
	w.done += len(rows)
	w.s.progress(w.stage, w.done, w.total)
	return nil
}

// insertQuiet writes rows that do not count as progress (the index rows of
// an entry).
func (w *writer) insertQuiet(ctx context.Context, table string, cols []string, rows [][]any) error {
	return w.write(ctx, table, cols, rows)
}

func (w *writer) write(ctx context.Context, table string, cols []string, rows [][]any) error {
	per := min(500, maxParams/len(cols))
	for len(rows) > 0 {
		n := min(per, len(rows))
		if w.tx == nil {
			tx, err := w.s.db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			w.tx = tx
		}
		args := make([]any, 0, n*len(cols))
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		q := w.statement(table, cols, n)
		st := w.prepared[q]
		if st == nil {
			var err error
			if st, err = w.tx.PrepareContext(ctx, q); err != nil {
				w.tx.Rollback()
				w.tx = nil
				return wrap(err)
			}
			if w.prepared == nil {
				w.prepared = map[string]*sql.Stmt{}
			}
			w.prepared[q] = st
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			w.closeStatements()
			w.tx.Rollback()
			w.tx = nil
			return wrap(err)
		}
		rows = rows[n:]
		w.inTx += n
		if w.inTx >= rowsPerTx {
			if err := w.commit(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *writer) statement(table string, cols []string, n int) string {
	key := table + "/" + strconv.Itoa(n)
	if q, ok := w.stmts[key]; ok {
		return q
	}
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	p := 1
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range cols {
			if j > 0 {
				b.WriteString(", ")
			}
			// SQLite looks numbered parameters up by name, which costs
			// the square of their number; plain ? costs nothing.
			if w.s.db.Dialect == sqlstore.SQLite {
				b.WriteByte('?')
			} else {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(p))
			}
			p++
		}
		b.WriteByte(')')
	}
	if w.stmts == nil {
		w.stmts = map[string]string{}
	}
	w.stmts[key] = b.String()
	return w.stmts[key]
}

func (w *writer) commit() error {
	if w.tx == nil {
		return nil
	}
	w.closeStatements()
	err := w.tx.Commit()
	w.tx, w.inTx = nil, 0
	return wrap(err)
}

func (w *writer) closeStatements() {
	for q, st := range w.prepared {
		st.Close()
		delete(w.prepared, q)
	}
}

// close commits what is left.
func (w *writer) close() error { return w.commit() }

// wrap names the seed as the source of a database error.
func wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("seed: %w", err)
}
