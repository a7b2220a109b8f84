package sqlstore

import (
	"context"
	"strings"

	"trellis"
)

// Full-text search on PostgreSQL: evidence.search is a generated tsvector
// (english configuration; title weighs A, what and result B, part C) with a
// GIN index. The query is the user's, as read by parseSearch, written back
// in the web-search syntax and parsed by websearch_to_tsquery, which accepts
// any text. Results are ranked by ts_rank_cd; snippets come from
// ts_headline with marker characters that safeSnippet escapes around.
//
// The person filter comes first: the entries of one person are read through
// evidence_person_date and the tsvector is checked on those rows only, so
// the cost grows with the person's journal, not the whole table.

// websearchText writes q in the syntax websearch_to_tsquery reads.
func websearchText(q searchQuery) string {
	phrase := func(t searchTerm) string { return `"` + strings.Join(t.words, " ") + `"` }
	var parts []string
	for _, g := range q.groups {
		ors := make([]string, len(g))
		for i, t := range g {
			ors[i] = phrase(t)
		}
		parts = append(parts, strings.Join(ors, " or "))
	}
	for _, t := range q.not {
		parts = append(parts, "-"+phrase(t))
	}
	return strings.Join(parts, " ")
}

// headlineOptions make ts_headline mark matches with the snippet markers and
// keep the excerpt short.
const headlineOptions = `StartSel=` + markOpen + `, StopSel=` + markClose +
	`, MaxWords=30, MinWords=12, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "`

func searchPostgres(ctx context.Context, tx *Tx, f trellis.EvidenceFilter, q searchQuery, off, limit int) (trellis.EvidencePage, error) {
	page := trellis.EvidencePage{Items: []*trellis.Evidence{}, Snippets: map[int64]string{}}
	var a args
	tsq := "websearch_to_tsquery('english', " + a.add(websearchText(q)) + ")"
	where := append([]string{"e.person_id = " + a.add(f.PersonID)}, evidenceFilterSQL(&a, f)...)
	// MATERIALIZED keeps the planner on the person's rows: a common word's
	// GIN posting list is as long as the table.
	query := `
		WITH mine AS MATERIALIZED (
			SELECT e.id, e.search FROM evidence e WHERE ` + strings.Join(where, " AND ") + `
		), q AS (SELECT ` + tsq + ` AS q)
		SELECT mine.id FROM mine, q
		WHERE mine.search @@ q.q
		ORDER BY ts_rank_cd(mine.search, q.q) DESC, mine.id DESC
		LIMIT ` + a.add(limit+1) + ` OFFSET ` + a.add(off)
	rows, err := tx.QueryContext(ctx, query, a...)
	if err != nil {
		return page, err
	}
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return page, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return page, err
	}
	if len(ids) == 0 {
		return page, nil
	}

	var b args
	tsq = "websearch_to_tsquery('english', " + b.add(websearchText(q)) + ")"
	opts := b.add(headlineOptions)
	// The body first: the title is shown next to the snippet anyway.
	text := `translate(e.what || E'\n' || e.result || E'\n' || e.part || E'\n' || e.title, ` +
		b.add(markOpen+markClose) + `, '')`
	rows, err = tx.QueryContext(ctx, `
		SELECT `+evidenceColumns+`, ts_headline('english', `+text+`, `+tsq+`, `+opts+`)
		FROM evidence e WHERE e.id IN (`+b.placeholders(ids...)+`)`, b...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	byID := map[int64]*trellis.Evidence{}
	for rows.Next() {
		var snip string
		e, err := scanEvidence(rows, &snip)
		if err != nil {
			return page, err
		}
		byID[e.ID] = e
		page.Snippets[e.ID] = safeSnippet(snip)
	}
	if err := rows.Err(); err != nil {
		return page, err
	}
	for _, id := range ids {
		if e := byID[id.(int64)]; e != nil {
			page.Items = append(page.Items, e)
		}
	}
	finishPage(&page, off, limit)
	return page, nil
}
