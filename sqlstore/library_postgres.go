package sqlstore

import (
	"context"
	"strings"

	"trellis"
)

// Library search on PostgreSQL: documents.search is the title (A) and body
// (B) as a generated tsvector, indexed by a GIN index over the listed
// documents only. The user's query, as read by parseSearch, is written back
// in the web-search syntax (websearchText) and parsed by
// websearch_to_tsquery, which accepts any text. Ranking is ts_rank_cd, over
// the newest libraryRankWindow matches at most;
// snippets are ts_headline over the page's documents only, with the markers
// safeSnippet turns into <mark>.

func searchLibraryPostgres(ctx context.Context, tx *Tx, f trellis.LibraryFilter, q searchQuery, off, limit int) (trellis.LibraryPage, error) {
	var a args
	tsq := "websearch_to_tsquery('english', " + a.add(websearchText(q)) + ")"
	where := append([]string{"d.search @@ q.q"}, libraryFilterSQL(&a, f)...)
	// The ranking window (libraryRankWindow): the newest matches that pass
	// the filters, found without reading their tsvectors, are the only ones
	// ranked; ts_rank_cd reads (and decompresses) each one it ranks.
	rows, err := tx.QueryContext(ctx, `
		WITH q AS (SELECT `+tsq+` AS q),
		win AS MATERIALIZED (
			SELECT d.id FROM documents d, q WHERE `+strings.Join(where, " AND ")+`
			ORDER BY d.id DESC LIMIT `+a.add(libraryRankWindow)+`
		)
		SELECT d.id, ts_rank_cd(d.search, q.q) AS r FROM win JOIN documents d ON d.id = win.id, q
		ORDER BY r DESC, d.id DESC LIMIT `+a.add(limit+1)+` OFFSET `+a.add(off), a...)
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
		ranks[id] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return trellis.LibraryPage{}, err
	}
	if len(ids) == 0 {
		return trellis.LibraryPage{Items: []trellis.LibraryHit{}}, nil
	}
	var b args
	tsq = "websearch_to_tsquery('english', " + b.add(websearchText(q)) + ")"
	opts := b.add(headlineOptions)
	text := `translate(d.body, ` + b.add(markOpen+markClose) + `, '')`
	query := `
		SELECT ` + documentColumns + `, ts_headline('english', ` + text + `, ` + tsq + `, ` + opts + `)
		FROM documents d WHERE d.id IN (` + b.placeholders(ids...) + `)`
	return libraryPage(ctx, tx, ids, ranks, query, b, off, limit)
}
