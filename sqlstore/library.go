package sqlstore

import (
	"context"
	"database/sql"
	"html"
	"strings"
	"unicode/utf8"

	"trellis"
)

// The library: documents with documents.listed set (see libraryListed),
// searched with the machinery the journal search uses (search.go: the
// user's query read by parseSearch and never handed to the database as
// syntax, markers around matches that safeSnippet turns into <mark>), on
// SQLite through the FTS5 table library_fts and on PostgreSQL through the
// table library_search and its GIN index (migration 00015). Both hold the
// listed documents only, so a search never meets a private draft and
// costs nothing for them. Without a query the library lists the newest
// documents first.

// libraryIndex keeps the library's search index in step with one document,
// in the transaction that writes it, after its row and sections are
// written: out of it when it was listed, in it (again) when it is listed
// now. body is the document's text as documentBody makes it.
func libraryIndex(ctx context.Context, tx *Tx, id int64, title, body string, wasListed, listed bool) error {
	if tx.db.Dialect == Postgres {
		return libraryIndexPostgres(ctx, tx, id, wasListed, listed)
	}
	if wasListed || listed {
		if _, err := tx.ExecContext(ctx, `DELETE FROM library_fts WHERE rowid = $1`, id); err != nil {
			return err
		}
	}
	if listed {
		_, err := tx.ExecContext(ctx, `INSERT INTO library_fts (rowid, title, body) VALUES ($1, $2, $3)`, id, title, body)
		return err
	}
	return nil
}

// RebuildLibraryIndex rebuilds the library's search index from the listed
// documents, for bulk loads that wrote documents directly.
func (db *DB) RebuildLibraryIndex(ctx context.Context) error {
	return db.update(ctx, func(tx *Tx) error { return rebuildLibraryIndex(ctx, tx, db.Dialect) })
}

// rebuildLibraryIndex empties the library's search index and fills it
// again from the listed documents, in the caller's transaction.
func rebuildLibraryIndex(ctx context.Context, ex interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, dialect string) error {
	qs := []string{
		`DELETE FROM library_fts`,
		`INSERT INTO library_fts (rowid, title, body) SELECT id, title, body FROM documents WHERE listed`,
		`INSERT INTO library_fts (library_fts) VALUES ('optimize')`,
	}
	if dialect == Postgres {
		qs = []string{`DELETE FROM library_search`, `INSERT INTO library_search ` + librarySearchRows + ` WHERE d.listed ORDER BY d.id`}
	}
	for _, q := range qs {
		if _, err := ex.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// libraryFilterSQL returns the conditions of f other than the query and the
// cursor, on the alias d of documents, the library's own condition first.
func libraryFilterSQL(a *args, f trellis.LibraryFilter) []string {
	return append([]string{"d.listed"}, libraryFilters(a, f, "d", "d.id")...)
}

// libraryFilters returns the filter conditions of f on the table aliased t
// (documents or library_search), whose document id is the column id.
func libraryFilters(a *args, f trellis.LibraryFilter, t, id string) []string {
	var where []string
	if r := strings.TrimSpace(f.TargetRole); r != "" {
		where = append(where, t+".target_role = "+a.add(r))
	}
	if f.CycleID != nil {
		where = append(where, t+".cycle_id = "+a.add(*f.CycleID))
	}
	if c := strings.TrimSpace(f.Competency); c != "" {
		where = append(where, `EXISTS (SELECT 1 FROM document_competencies dc WHERE dc.document_id = `+id+` AND dc.competency = `+a.add(c)+`)`)
	}
	return where
}

// SearchLibrary returns one page of the library: ranked by relevance with a
// snippet whose matches are in <mark> when f.Query has words, else the most
// recently updated documents first with the opening of their text. A query
// with nothing searchable in it (only punctuation) finds nothing. Hits carry
// the documents without their sections.
func (s *DocumentService) SearchLibrary(ctx context.Context, f trellis.LibraryFilter) (trellis.LibraryPage, error) {
	limit := trellis.ClampLimit(f.Limit)
	page := trellis.LibraryPage{Items: []trellis.LibraryHit{}}
	if strings.TrimSpace(f.Query) == "" {
		return s.browseLibrary(ctx, f, limit)
	}
	off, err := searchOffset(f.Cursor)
	if err != nil {
		return page, err
	}
	q := parseSearch(f.Query)
	if q.empty() {
		return page, nil
	}
	if s.db.Dialect == Postgres {
		// One statement, outside a transaction: its snapshot is all it
		// needs, and each round trip to the server costs most when the
		// machine is busy.
		page, err = searchLibraryPostgres(ctx, s.db.db, f, q, off, limit)
		if err != nil {
			return trellis.LibraryPage{}, translate(err)
		}
		return page, nil
	}
	err = s.db.view(ctx, func(tx *Tx) error {
		var err error
		page, err = searchLibrarySQLite(ctx, tx, f, q, off, limit)
		return err
	})
	if err != nil {
		return trellis.LibraryPage{}, err
	}
	return page, nil
}

// browseLibrary lists the library newest first, keyset-paged on
// (updated_at, id) through documents_library.
func (s *DocumentService) browseLibrary(ctx context.Context, f trellis.LibraryFilter, limit int) (trellis.LibraryPage, error) {
	var a args
	where := libraryFilterSQL(&a, f)
	if f.Cursor != "" {
		var at string
		var id int64
		if err := decodeCursor(f.Cursor, &at, &id); err != nil {
			return trellis.LibraryPage{}, err
		}
		where = append(where, "(d.updated_at < "+a.add(at)+" OR (d.updated_at = "+a.add(at)+" AND d.id < "+a.add(id)+"))")
	}
	q := `SELECT ` + documentColumns + `, substr(d.body, 1, 400) FROM documents d WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY d.updated_at DESC, d.id DESC LIMIT ` + a.add(limit+1)
	page := trellis.LibraryPage{Items: []trellis.LibraryHit{}}
	err := s.db.view(ctx, func(tx *Tx) error {
		page.Items = page.Items[:0]
		rows, err := tx.QueryContext(ctx, q, a...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var opening string
			d, err := scanDocument(rows, &opening)
			if err != nil {
				return err
			}
			page.Items = append(page.Items, trellis.LibraryHit{Document: d, Snippet: openingSnippet(opening)})
		}
		return rows.Err()
	})
	if err != nil {
		return trellis.LibraryPage{}, err
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		last := page.Items[limit-1].Document
		page.NextCursor = encodeCursor(formatTime(last.UpdatedAt), last.ID)
	}
	return page, nil
}

// openingSnippet is the start of a text, cut at a word and HTML-escaped.
func openingSnippet(s string) string {
	s = strings.Join(strings.Fields(strings.NewReplacer(markOpen, "", markClose, "").Replace(s)), " ")
	const max = 240
	if utf8.RuneCountInString(s) > max {
		rs := []rune(s)[:max]
		cut := string(rs)
		if i := strings.LastIndexByte(cut, ' '); i > max/2 {
			cut = cut[:i]
		}
		return html.EscapeString(cut) + "…"
	}
	return html.EscapeString(s)
}

// libraryPage loads the documents of a ranked page in rank order, with their
// snippets, and sets the cursor when there is more.
func libraryPage(ctx context.Context, tx *Tx, ids []any, ranks map[int64]float64, query string, a args, off, limit int) (trellis.LibraryPage, error) {
	page := trellis.LibraryPage{Items: []trellis.LibraryHit{}}
	rows, err := tx.QueryContext(ctx, query, a...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	byID := map[int64]trellis.LibraryHit{}
	for rows.Next() {
		var snip string
		d, err := scanDocument(rows, &snip)
		if err != nil {
			return page, err
		}
		byID[d.ID] = trellis.LibraryHit{Document: d, Snippet: safeSnippet(snip), Rank: ranks[d.ID]}
	}
	if err := rows.Err(); err != nil {
		return page, err
	}
	for _, id := range ids {
		if h, ok := byID[id.(int64)]; ok {
			page.Items = append(page.Items, h)
		}
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		page.NextCursor = encodeCursor("rank", off+limit)
	}
	return page, nil
}
