package sqlstore

import (
	"context"
	"strings"

	"trellis"
)

// Library search on SQLite: library_fts holds the title and body of the
// listed documents only (libraryIndex keeps it in step), with the porter
// stemmer over unicode61 as the journal's index. The match is the user's
// query written as quoted phrases by ftsBoolean; ranking is FTS5's bm25()
// with the title weighing ten times the body, which takes the rarity of each
// term across the library into account; snippets come from snippet() with
// the markers safeSnippet turns into <mark>. The filters join documents by
// primary key, and documents.listed is checked again there.

// libraryWeights are bm25's weights of library_fts's columns: title, body.
const libraryWeights = `10.0, 1.0`

func searchLibrarySQLite(ctx context.Context, tx *Tx, f trellis.LibraryFilter, q searchQuery, off, limit int) (trellis.LibraryPage, error) {
	var a args
	match := a.add(`{title body} : (` + ftsBoolean(q) + `)`)
	where := append([]string{"library_fts MATCH " + match}, libraryFilterSQL(&a, f)...)
	// CROSS JOIN keeps FTS5 outside: the index yields the matches, each
	// joined to its document by primary key.
	rows, err := tx.QueryContext(ctx, `
		SELECT d.id, bm25(library_fts, `+libraryWeights+`) AS r
		FROM library_fts CROSS JOIN documents d ON d.id = library_fts.rowid
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY r, d.id DESC LIMIT `+a.add(limit+1)+` OFFSET `+a.add(off), a...)
	if err != nil {
		return trellis.LibraryPage{Items: []trellis.LibraryHit{}}, err
	}
	var ids []any
	ranks := map[int64]float64{}
	for rows.Next() {
		var id int64
		var r float64
		if err := rows.Scan(&id, &r); err != nil {
			rows.Close()
			return trellis.LibraryPage{}, err
		}
		ids = append(ids, id)
		ranks[id] = -r // bm25() is lower for better matches
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return trellis.LibraryPage{}, err
	}
	if len(ids) == 0 {
		return trellis.LibraryPage{Items: []trellis.LibraryHit{}}, nil
	}
	var b args
	match = b.add(`{title body} : (` + ftsBoolean(q) + `)`)
	query := `
		SELECT ` + documentColumns + `, snippet(library_fts, 1, '` + markOpen + `', '` + markClose + `', '…', 32)
		FROM library_fts CROSS JOIN documents d ON d.id = library_fts.rowid
		WHERE library_fts MATCH ` + match + ` AND library_fts.rowid IN (` + b.placeholders(ids...) + `)`
	return libraryPage(ctx, tx, ids, ranks, query, b, off, limit)
}
