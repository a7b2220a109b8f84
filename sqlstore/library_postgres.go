package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"trellis"
)

// Library search on PostgreSQL: library_search (migration 00015) holds one
// narrow row per listed document: the filter columns, the sections' text
// and the title (A) and sections (B) as a tsvector, the last two out of
// line, and a GIN index over the tsvector and the id's block of 1,024. The
// user's query, as read by parseSearch, is written back in the web-search
// syntax (websearchText) and parsed by websearch_to_tsquery, which accepts
// any text. Ranking is ts_rank_cd over the newest libraryRankWindow
// matches at most; snippets are ts_headline over the page's documents only,
// each over the section holding most of the query's words, with the
// markers safeSnippet turns into <mark>.
//
// What a search costs, and why the queries are shaped as they are:
//   - Reading a tsvector from out of line costs a few microseconds, which
//     the planner does not see. The query's tsquery comes from a CTE, so
//     the planner never knows how common its words are and always reads
//     the GIN index into a bitmap, rather than walking the table and
//     checking every row's tsvector.
//   - The window is looked for among the newest libraryRecent documents
//     first, whose id blocks the GIN index intersects with the words
//     itself: a word found in nearly every document visits and sorts a few
//     thousand narrow rows, not 50,000. Only when fewer than the window
//     match there is the whole library searched, which then has few
//     matches to visit. Either way the window is exactly the newest
//     matches, and only its tsvectors are read, to rank them.
//   - A phrase has to be checked against the positions in the tsvector,
//     which reads it. The GIN index is asked for the documents holding the
//     phrases' words anywhere (exclusions left out), newest first, and the
//     phrases are checked on them in that order until the window is full.
//   - ts_headline parses the text it is given, about half a millisecond
//     for a 700-word document; the section with most of the query's words,
//     found from the positions in the tsvector, is a quarter of that.

// librarySearchTable is derived state: export-all leaves it out and
// import-all builds it again (rebuildLibraryIndex).
const librarySearchTable = "library_search"

// librarySearchRows selects rows of library_search, for the documents d
// that a WHERE clause appended to it chooses, from their row and sections
// (the migration 00015 fills the table the same way).
const librarySearchRows = `(document_id, target_role, cycle_id, sections, section_starts, search)
	SELECT d.id, d.target_role, d.cycle_id, coalesce(s.texts, '{}'), v.starts, v.search
	FROM documents d
	LEFT JOIN LATERAL (
		SELECT array_agg(ds.text ORDER BY ds.position) AS texts FROM document_sections ds WHERE ds.document_id = d.id
	) s ON TRUE
	CROSS JOIN LATERAL library_vector(d.title, s.texts) v`

// libraryIndexPostgres writes one document's row of library_search from
// the document and its sections as the transaction has them, or removes it
// when the document is no longer listed.
func libraryIndexPostgres(ctx context.Context, tx *Tx, id int64, wasListed, listed bool) error {
	if !listed {
		if !wasListed {
			return nil
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM library_search WHERE document_id = $1`, id)
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO library_search `+librarySearchRows+` WHERE d.id = $1
		ON CONFLICT (document_id) DO UPDATE SET target_role = excluded.target_role, cycle_id = excluded.cycle_id,
			sections = excluded.sections, section_starts = excluded.section_starts, search = excluded.search`, id)
	return err
}

// hasPhrase reports whether q has a term of more than one word, which
// websearch_to_tsquery makes a phrase.
func (q searchQuery) hasPhrase() bool {
	for _, g := range q.groups {
		for _, t := range g {
			if len(t.words) > 1 {
				return true
			}
		}
	}
	for _, t := range q.not {
		if len(t.words) > 1 {
			return true
		}
	}
	return false
}

// positive is q without its exclusions.
func (q searchQuery) positive() searchQuery { return searchQuery{groups: q.groups} }

// words are the words of q's terms that must or may match, not those of its
// exclusions.
func (q searchQuery) words() string {
	var ws []string
	for _, g := range q.groups {
		for _, t := range g {
			ws = append(ws, t.words...)
		}
	}
	return strings.Join(ws, " ")
}

// libraryRecent is how many of the newest listed documents the ranking
// window looks among first (see searchLibraryPostgres).
const libraryRecent = 8 * libraryRankWindow

// libraryIDBlock is how many ids library_search.id_block groups: the
// migration 00015 computes id_block as ARRAY[document_id / 1024].
const libraryIDBlock = 1024

func searchLibraryPostgres(ctx context.Context, db *sql.DB, f trellis.LibraryFilter, q searchQuery, off, limit int) (trellis.LibraryPage, error) {
	var a args
	// q: the query; words: the lexemes of its words that must or may
	// match, for choosing the snippet's section; blocks: the id blocks of
	// the newest libraryRecent listed documents; loose: the query without
	// its exclusions and with its phrases loosened to all their words,
	// which the GIN index answers without reading any tsvector.
	block := strconv.Itoa(libraryIDBlock)
	cte := `WITH q AS (SELECT websearch_to_tsquery('english', ` + a.add(websearchText(q)) + `::text) AS q,
			tsvector_to_array(to_tsvector('english', ` + a.add(q.words()) + `::text)) AS words,
			(SELECT array_agg(b) FROM generate_series(
				(SELECT min(document_id) / ` + block + ` FROM (SELECT document_id FROM library_search
					ORDER BY document_id DESC LIMIT ` + strconv.Itoa(libraryRecent) + `) f)::integer,
				(SELECT max(document_id) / ` + block + ` FROM library_search)::integer) b) AS blocks`
	match := "s.search @@ (SELECT q FROM q)"
	if q.hasPhrase() {
		cte += `, regexp_replace(websearch_to_tsquery('english', ` + a.add(websearchText(q.positive())) +
			`::text)::text, '<[0-9]+>|<->', '&', 'g')::tsquery AS loose`
		match = "s.search @@ (SELECT loose FROM q)"
	}
	cte += `)`
	filters := libraryFilters(&a, f, "s", "s.document_id")
	n := strconv.Itoa(libraryRankWindow)
	// window selects the ranking window (libraryRankWindow): the newest
	// matches that pass the filters, in the newest id blocks only when
	// recent is set. Its size is in the text, and the order is on id + 0,
	// which the primary key cannot give: a plan kept for any query (pgx
	// prepares statements, and PostgreSQL keeps a generic plan after a few
	// runs) would otherwise walk the primary key newest first and check
	// every row's tsvector until it has found enough, which for a rare word
	// is every row. The query's tsvector comes from the CTE for the same
	// reason: the planner never knows how common its words are, and always
	// reads the GIN index into a bitmap.
	window := func(recent bool) string {
		where := append([]string{match}, filters...)
		if recent {
			where = append(where, "s.id_block && (SELECT blocks FROM q)")
		}
		if !q.hasPhrase() {
			return `SELECT s.document_id, s.search FROM library_search s WHERE ` + strings.Join(where, " AND ") + `
				ORDER BY s.document_id + 0 DESC LIMIT ` + n
		}
		// The documents with all the words, newest first, whose phrases
		// are then checked until the window is full. OFFSET 0 keeps the
		// check out of the inner query, where the planner would merge it
		// into the index condition and check every document.
		return `SELECT c.document_id, c.search FROM (
				SELECT s.document_id + 0 AS k, s.document_id, s.search FROM library_search s
				WHERE ` + strings.Join(where, " AND ") + ` ORDER BY k DESC OFFSET 0
			) c WHERE c.search @@ (SELECT q FROM q) ORDER BY c.k DESC LIMIT ` + n
	}
	// The page: each ranked document with a headline over its section
	// holding the most distinct words of the query, then the most of them,
	// the first such section on a tie; over the whole text when no section
	// holds one (a match in the title only) or the section's headline marks
	// nothing.
	marks := a.add(markOpen + markClose)
	opts := a.add(headlineOptions)
	headline := func(text string) string {
		return `ts_headline('english', translate(` + text + `, ` + marks + `, ''), (SELECT q FROM q), ` + opts + `)`
	}
	// The window is looked for among the newest documents first: the GIN
	// index intersects the query's words with their id blocks, so a common
	// word visits and sorts a few thousand rows rather than all of them.
	// Only when fewer match there is the whole library searched; the
	// one-time filters run one of the two.
	rows, err := db.QueryContext(ctx, cte+`,
		recent AS MATERIALIZED (`+window(true)+`),
		win AS (
			SELECT document_id, search FROM recent WHERE (SELECT count(*) FROM recent) >= `+n+`
			UNION ALL
			SELECT document_id, search FROM (`+window(false)+`) w WHERE (SELECT count(*) FROM recent) < `+n+`
		),
		ranked AS MATERIALIZED (
			SELECT win.document_id, ts_rank_cd(win.search, (SELECT q FROM q)) AS r FROM win
			ORDER BY r DESC, win.document_id DESC LIMIT `+a.add(limit+1)+` OFFSET `+a.add(off)+`
		)
		SELECT `+documentColumns+`, ranked.r, h.snippet
		FROM ranked
		JOIN documents d ON d.id = ranked.document_id AND d.listed
		JOIN library_search s ON s.document_id = d.id
		LEFT JOIN LATERAL (
			SELECT m.n FROM (
				SELECT width_bucket(p, s.section_starts) AS n, u.lexeme
				FROM unnest(s.search) u, unnest(u.positions) p
				WHERE u.lexeme = ANY ((SELECT words FROM q)::text[])
			) m WHERE m.n > 0
			GROUP BY m.n ORDER BY count(DISTINCT m.lexeme) DESC, count(*) DESC, m.n LIMIT 1
		) best ON TRUE
		CROSS JOIN LATERAL (SELECT `+headline("s.sections[best.n]")+` AS h OFFSET 0) sh
		CROSS JOIN LATERAL (
			SELECT CASE WHEN strpos(sh.h, `+a.add(markOpen)+`) > 0 THEN sh.h
				ELSE `+headline("array_to_string(s.sections, E'\\n\\n')")+` END AS snippet
		) h
		ORDER BY ranked.r DESC, ranked.document_id DESC`, a...)
	if err != nil {
		return trellis.LibraryPage{Items: []trellis.LibraryHit{}}, err
	}
	defer rows.Close()
	page := trellis.LibraryPage{Items: []trellis.LibraryHit{}}
	for rows.Next() {
		var r float64
		var snip string
		d, err := scanDocument(rows, &r, &snip)
		if err != nil {
			return trellis.LibraryPage{}, err
		}
		page.Items = append(page.Items, trellis.LibraryHit{Document: d, Snippet: safeSnippet(snip), Rank: r})
	}
	if err := rows.Err(); err != nil {
		return trellis.LibraryPage{}, err
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		page.NextCursor = encodeCursor("rank", off+limit)
	}
	return page, nil
}
