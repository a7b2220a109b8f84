package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"

	"trellis"
)

// Full-text search on SQLite: FTS5 table evidence_fts, an external-content
// index over evidence (title, what, part, result) with the porter stemmer
// over unicode61. Its fifth column, person_key, holds "p<person id>": every
// search ANDs it with the user's terms, so FTS5 walks the person's few
// entries and skips through the terms' lists, and its cost grows with the
// person's journal, not with the whole database.
//
// The index is kept in step by the write paths, in their transaction:
// an external-content table is told the old text when a row goes away.

// searchIndexAdd indexes the text of a stored entry.
func searchIndexAdd(ctx context.Context, tx *Tx, e *trellis.Evidence) error {
	if tx.db.Dialect != SQLite {
		return nil // PostgreSQL keeps its generated tsvector column itself
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO evidence_fts (rowid, title, what, part, result, person_key) VALUES ($1, $2, $3, $4, $5, $6)`,
		e.ID, e.Title, e.What, e.Part, e.Result, personKey(e.PersonID))
	return err
}

// searchIndexRemove removes the text of an entry as it is stored (old must
// be the stored row, before any change).
func searchIndexRemove(ctx context.Context, tx *Tx, old *trellis.Evidence) error {
	if tx.db.Dialect != SQLite {
		return nil
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO evidence_fts (evidence_fts, rowid, title, what, part, result, person_key)
		VALUES ('delete', $1, $2, $3, $4, $5, $6)`,
		old.ID, old.Title, old.What, old.Part, old.Result, personKey(old.PersonID))
	return err
}

// RebuildSearchIndex rebuilds the SQLite full-text index from the entries,
// for bulk loads that wrote entries without indexing them. It does nothing
// on PostgreSQL.
func (db *DB) RebuildSearchIndex(ctx context.Context) error {
	if db.Dialect != SQLite {
		return nil
	}
	return db.update(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO evidence_fts (evidence_fts) VALUES ('rebuild')`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO evidence_fts (evidence_fts) VALUES ('optimize')`)
		return err
	})
}

func personKey(id int64) string { return "p" + strconv.FormatInt(id, 10) }

// ftsPhrase quotes words as one FTS5 phrase. Words hold letters and digits
// only, so the quotes are the only syntax in it.
func ftsPhrase(words []string) string {
	return `"` + strings.Join(words, " ") + `"`
}

// ftsExpression writes q as an FTS5 expression over the text columns of one
// person's entries.
func ftsExpression(personID int64, q searchQuery) string {
	return `person_key : "` + personKey(personID) + `" AND {title what part result} : (` + ftsBoolean(q) + `)`
}

// ftsBoolean writes q as an FTS5 boolean expression of quoted phrases, the
// part every full-text search of the store shares: words hold letters and
// digits only, so nothing of the user's text reaches FTS5 as syntax.
func ftsBoolean(q searchQuery) string {
	ands := make([]string, len(q.groups))
	for i, g := range q.groups {
		ors := make([]string, len(g))
		for j, t := range g {
			ors[j] = ftsPhrase(t.words)
		}
		ands[i] = "(" + strings.Join(ors, " OR ") + ")"
	}
	expr := strings.Join(ands, " AND ")
	if len(q.not) > 0 {
		nots := make([]string, len(q.not))
		for i, t := range q.not {
			nots[i] = ftsPhrase(t.words)
		}
		expr = "(" + expr + ") NOT (" + strings.Join(nots, " OR ") + ")"
	}
	return expr
}

// Ranking weights of title, what, part and result, and the BM25 constants.
var ftsWeights = [4]float64{10, 4, 2, 4}

const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// searchSQLite finds the person's matching entries with one FTS5 query and
// ranks them with BM25F over their columns (title weighs most), computed
// from the matches highlight() marks in each row. FTS5's own bm25() is not
// used: it counts, for every query, the rows of the whole index that hold
// each term, so its cost grows with the whole database (about 100 ms for a
// common word in a million entries) where this grows with the person's
// matching entries only. Term rarity is not weighed; within one person's
// journal every match of an all-terms query holds every term anyway.
func searchSQLite(ctx context.Context, tx *Tx, f trellis.EvidenceFilter, q searchQuery, off, limit int) (trellis.EvidencePage, error) {
	page := trellis.EvidencePage{Items: []*trellis.Evidence{}, Snippets: map[int64]string{}}
	var a args
	match := a.add(ftsExpression(f.PersonID, q))
	where := append([]string{"evidence_fts MATCH " + match, "e.person_id = " + a.add(f.PersonID)}, evidenceFilterSQL(&a, f)...)
	hl := func(col int) string {
		return `highlight(evidence_fts, ` + strconv.Itoa(col) + `, '` + markOpen + `', '` + markClose + `')`
	}
	// CROSS JOIN keeps FTS5 outside: the person_key term limits it to the
	// person's entries. The other order would probe the index once per entry.
	rows, err := tx.QueryContext(ctx, `
		SELECT e.id, e.date, `+hl(0)+`, `+hl(1)+`, `+hl(2)+`, `+hl(3)+`
		FROM evidence_fts CROSS JOIN evidence e ON e.id = evidence_fts.rowid
		WHERE `+strings.Join(where, " AND "), a...)
	if err != nil {
		return page, err
	}
	type hit struct {
		id    int64
		date  string
		tf    [4]int
		words [4]int
		score float64
	}
	var hits []*hit
	var total [4]int
	for rows.Next() {
		h := new(hit)
		var text [4]sql.NullString
		if err := rows.Scan(&h.id, &h.date, &text[0], &text[1], &text[2], &text[3]); err != nil {
			rows.Close()
			return page, err
		}
		for c, t := range text {
			h.tf[c] = strings.Count(t.String, markOpen)
			h.words[c] = len(strings.Fields(t.String))
			total[c] += h.words[c]
		}
		hits = append(hits, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return page, err
	}
	for _, h := range hits {
		for c := range 4 {
			if h.tf[c] == 0 {
				continue
			}
			avg := max(float64(total[c])/float64(len(hits)), 1)
			tf := float64(h.tf[c])
			h.score += ftsWeights[c] * tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*float64(h.words[c])/avg))
		}
	}
	slices.SortFunc(hits, func(x, y *hit) int {
		if c := cmp.Compare(y.score, x.score); c != 0 {
			return c
		}
		if c := cmp.Compare(y.date, x.date); c != 0 {
			return c
		}
		return cmp.Compare(y.id, x.id)
	})
	if off >= len(hits) {
		return page, nil
	}
	hits = hits[off:min(len(hits), off+limit+1)]
	ids := make([]any, len(hits))
	for i, h := range hits {
		ids[i] = h.id
	}

	// Snippets for the page only: one per text column, the column with the
	// most matches wins (the body before the title, which is shown anyway).
	var b args
	match = b.add(ftsExpression(f.PersonID, q))
	snip := func(col int) string {
		return `snippet(evidence_fts, ` + strconv.Itoa(col) + `, '` + markOpen + `', '` + markClose + `', '…', 24)`
	}
	rows, err = tx.QueryContext(ctx, `
		SELECT `+evidenceColumns+`, `+snip(1)+`, `+snip(3)+`, `+snip(2)+`, `+snip(0)+`
		FROM evidence_fts CROSS JOIN evidence e ON e.id = evidence_fts.rowid
		WHERE evidence_fts MATCH `+match+` AND evidence_fts.rowid IN (`+b.placeholders(ids...)+`)`, b...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	byID := map[int64]*trellis.Evidence{}
	for rows.Next() {
		var snips [4]string
		e, err := scanEvidence(rows, &snips[0], &snips[1], &snips[2], &snips[3])
		if err != nil {
			return page, err
		}
		byID[e.ID] = e
		best, most := snips[0], -1
		for _, s := range snips {
			if n := strings.Count(s, markOpen); n > most {
				best, most = s, n
			}
		}
		page.Snippets[e.ID] = safeSnippet(best)
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
