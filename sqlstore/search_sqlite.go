package sqlstore

import (
	"context"
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

// ftsWeights are the bm25 weights of title, what, part, result, person_key.
const ftsWeights = "10.0, 4.0, 2.0, 4.0, 0.0"

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
	return `person_key : "` + personKey(personID) + `" AND {title what part result} : (` + expr + `)`
}

// searchSQLite ranks the person's matching entries by bm25 (title weighs
// most) and returns one page with a snippet for each entry.
func searchSQLite(ctx context.Context, tx *Tx, f trellis.EvidenceFilter, q searchQuery, off, limit int) (trellis.EvidencePage, error) {
	page := trellis.EvidencePage{Items: []*trellis.Evidence{}, Snippets: map[int64]string{}}
	var a args
	match := a.add(ftsExpression(f.PersonID, q))
	where := append([]string{"evidence_fts MATCH " + match, "e.person_id = " + a.add(f.PersonID)}, evidenceFilterSQL(&a, f)...)
	rows, err := tx.QueryContext(ctx, `
		SELECT e.id FROM evidence_fts JOIN evidence e ON e.id = evidence_fts.rowid
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY bm25(evidence_fts, `+ftsWeights+`), e.id DESC LIMIT `+a.add(limit+1)+` OFFSET `+a.add(off), a...)
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

	// Snippets for the page only: one per text column, the column with the
	// most matches wins (the body before the title, which is shown anyway).
	var b args
	match = b.add(ftsExpression(f.PersonID, q))
	snip := func(col int) string {
		return `snippet(evidence_fts, ` + strconv.Itoa(col) + `, '` + markOpen + `', '` + markClose + `', '…', 24)`
	}
	rows, err = tx.QueryContext(ctx, `
		SELECT `+evidenceColumns+`, `+snip(1)+`, `+snip(3)+`, `+snip(2)+`, `+snip(0)+`
		FROM evidence_fts JOIN evidence e ON e.id = evidence_fts.rowid
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
