package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"trellis"
	"trellis/sqlstore"
)

// TestLibrarySnippetsFromTheMatchingSection: a snippet shows the query's
// words where they are found together, marked and escaped, and a match in
// the title alone still gives a snippet.
func TestLibrarySnippetsFromTheMatchingSection(t *testing.T) {
	t.Parallel()
	e := newPromoEnv(t)
	ctx := context.Background()
	d := &trellis.Document{PersonID: e.alice.ID, TargetRole: "senior-support-engineer", Title: "Alice's glacier case",
		Visibility: trellis.VisOrganisationViewer, Sections: []trellis.DocumentSection{
			{ID: "summary", Text: "Alice looked after Kubernetes clusters for the whole year and answered tickets."},
			{ID: "business-results", Text: "Over the winter Alice rebuilt the Kubernetes runners <b>fleet</b> & cut queue time by half."},
			{ID: "business-justification", Text: "Runners matter to every team that ships \uE000 code."},
		}}
	if err := e.docs.CreateDocument(as(e.alice), d); err != nil {
		t.Fatal(err)
	}
	search := func(q string) trellis.LibraryHit {
		t.Helper()
		page, err := e.docs.SearchLibrary(ctx, trellis.LibraryFilter{Query: q})
		if err != nil || len(page.Items) != 1 || page.Items[0].Document.ID != d.ID {
			t.Fatalf("search %q: %v %+v", q, err, page.Items)
		}
		return page.Items[0]
	}
	snip := search("kubernetes runners").Snippet
	for _, want := range []string{"<mark>Kubernetes</mark> <mark>runners</mark>", "&amp; cut"} {
		if !strings.Contains(snip, want) {
			t.Errorf("snippet %q lacks %q", snip, want)
		}
	}
	if strings.Contains(snip, "<b>") || strings.ContainsAny(snip, "\uE000\uE001") {
		t.Errorf("snippet %q is not escaped", snip)
	}
	if snip := search(`"every team" ships`).Snippet; !strings.Contains(snip, "<mark>every") || !strings.Contains(snip, "team</mark>") ||
		!strings.Contains(snip, "<mark>ships</mark>") || strings.ContainsAny(snip, "\uE000\uE001") {
		t.Errorf("phrase beside a stored marker: %q", snip)
	}
	if snip := search("glacier").Snippet; snip == "" || strings.Contains(snip, "<b>") {
		t.Errorf("title-only match: snippet %q", snip)
	}
}

// TestLibraryRankingWindow: on a library of thousands of documents a
// search ranks the newest libraryRankWindow (1,000) matches that pass the
// filters and no others, whether the matches are common, rare, mostly old
// or phrases; paging through the results gives each of them once.
func TestLibraryRankingWindow(t *testing.T) {
	t.Parallel()
	e := newPromoEnv(t)
	ctx := context.Background()
	const n, base, window = 9200, 100000, 1000
	roles := []string{"support-engineer", "senior-support-engineer", "staff-support-engineer", "support-engineering-manager"}
	type doc struct {
		title, body, role string
		troubleshooting   bool
	}
	docs := make([]doc, n)
	for i := range docs {
		body := fmt.Sprintf("Weekly support notes number %d.", i)
		switch {
		case i < 1200 || i%10 == 0: // mostly old: the newest thousand reach into the old ones
			body += " A glacier of tickets melted."
		}
		switch {
		case i < 800 || i%20 == 0: // rarer among the newest documents than the window holds
			body += " The fjord runbook."
		}
		switch i % 7 {
		case 0:
			body += " Held office hours every Friday."
		case 1:
			body += " Answered the hours backlog at the office."
		}
		title := fmt.Sprintf("Case %d", i)
		if i == 0 { // the best match of all for support, and the oldest
			title, body = "Support support support", "Support, support and support: support everywhere. "+body
		}
		docs[i] = doc{title: title, body: body, role: roles[i%4], troubleshooting: i%3 == 0}
	}
	raw := sqlstore.RawDB(e.db)
	for start := 0; start < n; start += 400 {
		var dv, sv, cv []string
		var da, sa, ca []any
		ph := func(a *[]any, vs ...any) string {
			ps := make([]string, len(vs))
			for i, v := range vs {
				*a = append(*a, v)
				ps[i] = fmt.Sprintf("$%d", len(*a))
			}
			return "(" + strings.Join(ps, ", ") + ")"
		}
		for i := start; i < min(n, start+400); i++ {
			d := docs[i]
			id := int64(base + i)
			dv = append(dv, ph(&da, id, e.alice.ID, d.role, "support", "1", false, "promotion-document", d.title, d.body,
				trellis.DocInLibrary, "manager", true, true, "2026-01-01T00:00:00.000000Z", "2026-01-01T00:00:00.000000Z", 1))
			sv = append(sv, ph(&sa, id, "summary", 0, d.body, 1, "2026-01-01T00:00:00.000000Z"))
			if d.troubleshooting {
				cv = append(cv, ph(&ca, id, "troubleshooting"))
			}
		}
		for _, q := range []struct {
			sql  string
			rows []string
			a    []any
		}{
			{`INSERT INTO documents (id, person_id, target_role, framework_id, framework_version, frozen, template_id, title, body,
				state, visibility, share_in_library, listed, created_at, updated_at, version) VALUES `, dv, da},
			{`INSERT INTO document_sections (document_id, section_id, position, text, version, edited_at) VALUES `, sv, sa},
			{`INSERT INTO document_competencies (document_id, competency) VALUES `, cv, ca},
		} {
			if _, err := raw.ExecContext(ctx, q.sql+strings.Join(q.rows, ", "), q.a...); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := e.db.RebuildLibraryIndex(ctx); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		f     trellis.LibraryFilter
		match func(i int, d doc) bool
	}{
		{trellis.LibraryFilter{Query: "support"}, func(int, doc) bool { return true }},
		{trellis.LibraryFilter{Query: "glacier"}, func(_ int, d doc) bool { return strings.Contains(d.body, "glacier") }},
		{trellis.LibraryFilter{Query: "fjord"}, func(_ int, d doc) bool { return strings.Contains(d.body, "fjord") }},
		{trellis.LibraryFilter{Query: `"office hours"`}, func(i int, _ doc) bool { return i%7 == 0 }},
		{trellis.LibraryFilter{Query: "support -glacier"}, func(_ int, d doc) bool { return !strings.Contains(d.body, "glacier") }},
		{trellis.LibraryFilter{Query: "fjord OR glacier"}, func(_ int, d doc) bool {
			return strings.Contains(d.body, "fjord") || strings.Contains(d.body, "glacier")
		}},
		{trellis.LibraryFilter{Query: "support", TargetRole: roles[1]}, func(_ int, d doc) bool { return d.role == roles[1] }},
		{trellis.LibraryFilter{Query: "glacier", Competency: "troubleshooting"}, func(_ int, d doc) bool {
			return d.troubleshooting && strings.Contains(d.body, "glacier")
		}},
		{trellis.LibraryFilter{Query: `"office hours"`, TargetRole: roles[2]}, func(i int, d doc) bool { return i%7 == 0 && d.role == roles[2] }},
	} {
		var want []int64 // the newest window matches
		for i := n - 1; i >= 0 && len(want) < window; i-- {
			if c.match(i, docs[i]) {
				want = append(want, int64(base+i))
			}
		}
		var got []int64
		f := c.f
		f.Limit = 300
		for {
			page, err := e.docs.SearchLibrary(ctx, f)
			if err != nil {
				t.Fatalf("%+v: %v", c.f, err)
			}
			for _, h := range page.Items {
				got = append(got, h.Document.ID)
				if !strings.Contains(h.Snippet, "<mark>") {
					t.Errorf("%+v: snippet %q of %d marks nothing", c.f, h.Snippet, h.Document.ID)
				}
			}
			if page.NextCursor == "" {
				break
			}
			f.Cursor = page.NextCursor
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			extra, missing := 0, 0
			for _, id := range got {
				if _, ok := slices.BinarySearch(want, id); !ok {
					extra++
				}
			}
			for _, id := range want {
				if _, ok := slices.BinarySearch(got, id); !ok {
					missing++
				}
			}
			t.Errorf("%+v: %d results, want the newest %d matches; %d not among them, %d of them missing", c.f, len(got), len(want), extra, missing)
		}
	}
}
