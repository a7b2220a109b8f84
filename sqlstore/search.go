package sqlstore

import (
	"context"
	"html"
	"strings"
	"unicode"

	"trellis"
)

// Full-text search of a person's journal. The dialects differ (FTS5 in
// search_sqlite.go, tsvector in search_postgres.go); what they share is
// here: reading a user's query without ever handing its syntax to the
// database, the paging of ranked results and making snippets HTML-safe.

// searchTerm is one part of a user's query: a word or a quoted phrase,
// reduced to its words (letters and digits only), maybe negated.
type searchTerm struct {
	words []string
	not   bool
}

// searchQuery is a user's query read the way web search engines (and
// PostgreSQL's websearch_to_tsquery) read it: words and "quoted phrases"
// must all match, "OR" between two of them lets either match, and a leading
// "-" excludes. groups are ANDed; the terms of a group are ORed.
type searchQuery struct {
	groups [][]searchTerm
	not    []searchTerm
}

// parseSearch reads a user's query. Everything that is not a letter or a
// digit separates words, so no character reaches the database as syntax.
func parseSearch(q string) searchQuery {
	var sq searchQuery
	orNext := false
	add := func(t searchTerm) {
		if len(t.words) == 0 {
			return
		}
		switch {
		case t.not:
			sq.not = append(sq.not, t)
		case orNext && len(sq.groups) > 0:
			last := len(sq.groups) - 1
			sq.groups[last] = append(sq.groups[last], t)
		default:
			sq.groups = append(sq.groups, []searchTerm{t})
		}
		orNext = false
	}
	rs := []rune(q)
	for i := 0; i < len(rs); {
		switch {
		case unicode.IsSpace(rs[i]):
			i++
		case rs[i] == '"':
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				j++
			}
			add(searchTerm{words: searchWords(string(rs[i+1 : j]))})
			i = j + 1
		default:
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && rs[j] != '"' {
				j++
			}
			w := string(rs[i:j])
			i = j
			if w == "OR" || w == "or" {
				orNext = len(sq.groups) > 0
				continue
			}
			neg := false
			if strings.HasPrefix(w, "-") && len(w) > 1 {
				neg, w = true, w[1:]
			}
			add(searchTerm{words: searchWords(w), not: neg})
		}
	}
	return sq
}

// searchWords splits text into words of letters and digits.
func searchWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

// empty reports whether the query has nothing that must match.
func (q searchQuery) empty() bool { return len(q.groups) == 0 }

// Snippet markers: characters from Unicode's private use area, which the
// stored text is unlikely to hold. The database wraps each match in them;
// safeSnippet escapes everything else and turns them into <mark> tags.
const (
	markOpen  = "\uE000"
	markClose = "\uE001"
)

// safeSnippet turns a snippet with markers into HTML: the text escaped, the
// marked matches wrapped in <mark>. Markers that do not pair up (ones that
// were in the stored text itself) are dropped.
func safeSnippet(s string) string {
	var b strings.Builder
	open := false
	for len(s) > 0 {
		i := strings.IndexAny(s, markOpen+markClose)
		if i < 0 {
			b.WriteString(html.EscapeString(s))
			break
		}
		b.WriteString(html.EscapeString(s[:i]))
		m := s[i : i+len(markOpen)]
		s = s[i+len(markOpen):]
		switch {
		case m == markOpen && !open:
			if strings.Contains(s, markClose) {
				b.WriteString("<mark>")
				open = true
			}
		case m == markClose && open:
			b.WriteString("</mark>")
			open = false
		}
	}
	if open {
		b.WriteString("</mark>")
	}
	return b.String()
}

// searchOffset reads the cursor of a ranked listing: the number of entries
// already shown.
func searchOffset(cursor string) (int, error) {
	if cursor == "" {
		return 0, nil
	}
	var kind string
	var off int
	if err := decodeCursor(cursor, &kind, &off); err != nil || kind != "rank" || off < 0 {
		return 0, trellis.Errorf(trellis.EINVALID, "The page cursor %q is not valid; start again from the first page.", cursor)
	}
	return off, nil
}

// search runs f.Query over the person's entries in the dialect's way.
func (s *EvidenceService) search(ctx context.Context, f trellis.EvidenceFilter) (trellis.EvidencePage, error) {
	off, err := searchOffset(f.Cursor)
	if err != nil {
		return trellis.EvidencePage{}, err
	}
	limit := trellis.ClampLimit(f.Limit)
	page := trellis.EvidencePage{Items: []*trellis.Evidence{}, Snippets: map[int64]string{}}
	q := parseSearch(f.Query)
	if q.empty() {
		return page, nil
	}
	err = s.db.view(ctx, func(tx *Tx) error {
		var err error
		if s.db.Dialect == Postgres {
			page, err = searchPostgres(ctx, tx, f, q, off, limit)
		} else {
			page, err = searchSQLite(ctx, tx, f, q, off, limit)
		}
		return err
	})
	if err != nil {
		return trellis.EvidencePage{}, err
	}
	return page, nil
}

// finishPage cuts a page fetched with one entry too many and sets its cursor.
func finishPage(page *trellis.EvidencePage, off, limit int) {
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		page.NextCursor = encodeCursor("rank", off+limit)
	}
}
