package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"trellis"
)

// Library search on SQLite: library_fts holds the title and body of the
// listed documents only (libraryIndex keeps it in step), with the porter
// stemmer over unicode61 as the journal's index. The match is the user's
// query written as quoted phrases by ftsBoolean; ranking is FTS5's bm25()
// with the title weighing ten times the body, which takes the rarity of each
// term across the library into account (see libraryRankWindow for very
// common words); snippets come from snippet() with
// the markers safeSnippet turns into <mark>. The filters join documents by
// primary key; the page checks documents.listed again.

// libraryRankWindow bounds how many matches a search ranks. bm25() costs
// about 10 µs a row (it reads each row's size), so a word found in every
// document of a 50,000-document library would take half a second to rank.
// A query matching more documents than this is ranked among its newest
// matches (by id, which follows creation) that pass the filters: the
// ranking is exact for every query that matches fewer, and a very common
// word still answers with good matches from the recent cases.
const libraryRankWindow = 1000

// libraryWeights are bm25's weights of library_fts's columns: title, body.
const libraryWeights = `10.0, 1.0`

func searchLibrarySQLite(ctx context.Context, tx *Tx, f trellis.LibraryFilter, q searchQuery, off, limit int) (trellis.LibraryPage, error) {
	expr := `{title body} : (` + ftsBoolean(q) + `)`
	// from is what the window and the ranking read: library_fts alone when
	// no filter needs the documents (it holds the listed documents only,
	// and each document row read is a page of its own), else the matches
	// joined to their documents by primary key, CROSS JOIN keeping FTS5
	// outside so that the index yields the matches. The page checks
	// documents.listed again either way.
	filtered := strings.TrimSpace(f.TargetRole) != "" || f.CycleID != nil || strings.TrimSpace(f.Competency) != ""
	from, id := `library_fts`, `library_fts.rowid`
	if filtered {
		// documents_filter holds the filter columns next to the id: read
		// through the table they sit behind the body's overflow pages.
		from, id = `library_fts CROSS JOIN documents d INDEXED BY documents_filter ON d.id = library_fts.rowid`, `d.id`
	}
	filters := func(a *args) []string {
		if !filtered {
			return nil
		}
		return libraryFilterSQL(a, f)
	}
	// The ranking window: the newest libraryRankWindow matches that pass the
	// filters, read in rowid order without ranking. When the window is full
	// only the documents from its oldest on are ranked.
	var w args
	wmatch := w.add(expr)
	wwhere := append([]string{"library_fts MATCH " + wmatch}, filters(&w)...)
	var lowest sql.NullInt64
	var inWindow int
	if err := tx.QueryRowContext(ctx, `
		SELECT MIN(id), COUNT(*) FROM (
			SELECT `+id+` AS id FROM `+from+`
			WHERE `+strings.Join(wwhere, " AND ")+` ORDER BY library_fts.rowid DESC LIMIT `+w.add(libraryRankWindow)+`) x`, w...).Scan(&lowest, &inWindow); err != nil {
		return trellis.LibraryPage{}, err
	}
	if inWindow == 0 || off >= inWindow {
		return trellis.LibraryPage{Items: []trellis.LibraryHit{}}, nil
	}
	var a args
	match := a.add(expr)
	where := append([]string{"library_fts MATCH " + match}, filters(&a)...)
	if inWindow == libraryRankWindow {
		where = append(where, "library_fts.rowid >= "+a.add(lowest.Int64))
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT `+id+`, bm25(library_fts, `+libraryWeights+`) AS r
		FROM `+from+`
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY r, `+id+` DESC LIMIT `+a.add(limit+1)+` OFFSET `+a.add(off), a...)
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
	// The page's documents outside: FTS5 is probed by rowid for each of
	// them, rather than walking every match to find the page's ones.
	query := `
		SELECT ` + documentColumns + `, snippet(library_fts, 1, '` + markOpen + `', '` + markClose + `', '…', 32)
		FROM documents d CROSS JOIN library_fts ON library_fts.rowid = d.id
		WHERE d.id IN (` + b.placeholders(ids...) + `) AND d.listed AND library_fts MATCH ` + match
	return libraryPage(ctx, tx, ids, ranks, query, b, off, limit)
}
