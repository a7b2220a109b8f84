package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"trellis"
	"trellis/defaults"
	"trellis/sqlstore"
	"trellis/sqlstore/storetest"
)

// growthEnv is a database with the default support framework active, a
// manager and two engineers reporting to them.
type growthEnv struct {
	db        *sqlstore.DB
	clock     *trellis.FixedClock
	evidence  *sqlstore.EvidenceService
	growth    *sqlstore.GrowthService
	readiness *sqlstore.ReadinessService
	audit     *sqlstore.AuditService
	manager   *trellis.Person
	alice     *trellis.Person // engineer
	bob       *trellis.Person // engineer
}

func newGrowthEnv(t *testing.T) *growthEnv {
	t.Helper()
	db := storetest.Open(t)
	e := &growthEnv{
		db:        db,
		clock:     &trellis.FixedClock{T: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)},
		evidence:  sqlstore.NewEvidenceService(db),
		growth:    sqlstore.NewGrowthService(db),
		readiness: sqlstore.NewReadinessService(db),
		audit:     sqlstore.NewAuditService(db),
	}
	db.Clock = e.clock
	ctx := context.Background()
	fw, err := defaults.Support()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlstore.NewFrameworkService(db).ImportFramework(ctx, fw, true); err != nil {
		t.Fatal(err)
	}
	people := sqlstore.NewPersonService(db)
	add := func(email, role string, manager *int64) *trellis.Person {
		p := &trellis.Person{Email: email, Name: strings.Split(email, "@")[0], RoleID: role, ManagerID: manager,
			Access: trellis.AccessEngineer, Active: true}
		if err := people.CreatePerson(ctx, p); err != nil {
			t.Fatalf("create %s: %v", email, err)
		}
		return p
	}
	e.manager = add("maria@example.com", "support-engineering-manager", nil)
	e.alice = add("alice@example.com", "support-engineer", &e.manager.ID)
	e.bob = add("bob@example.com", "support-engineer", &e.manager.ID)
	return e
}

// as returns a context acting as p.
func as(p *trellis.Person) context.Context {
	return trellis.NewContextWithActor(context.Background(), trellis.Actor{Person: p})
}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func entry(person int64, date, title string, comps ...string) *trellis.Evidence {
	return &trellis.Evidence{PersonID: person, Date: day(date), Title: title, Competencies: comps,
		Visibility: trellis.VisManager, Activity: "customer-call"}
}

func (e *growthEnv) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := sqlstore.RawDB(e.db).QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *growthEnv) actions(t *testing.T, prefix string) []string {
	t.Helper()
	page, err := e.audit.ListAudit(context.Background(), trellis.AuditFilter{Action: prefix, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range page.Items {
		out = append(out, ev.Action+" "+ev.TargetID)
	}
	return out
}

func TestEvidenceCreateFindUpdateDelete(t *testing.T) {
	t.Parallel()
	e := newGrowthEnv(t)
	ctx := as(e.alice)
	end := day("2026-02-12")
	ev := &trellis.Evidence{PersonID: e.alice.ID, Date: day("2026-02-10"), EndDate: &end, Title: "  Led the Acme escalation ",
		What: "Database failover went wrong.", Part: "Directly responsible", Result: "Outage down from 4h to 40m",
		Links: []string{"https://tickets.example.com/1"}, Competencies: []string{"incident-handling", "communication"},
		Activity: "critical-escalation", Values: []string{"results"}, Visibility: trellis.VisPrivate}
	if err := e.evidence.CreateEvidence(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if ev.ID == 0 || ev.Version != 1 || ev.Title != "Led the Acme escalation" || ev.FrameworkID != "support" {
		t.Fatalf("created %+v", ev)
	}
	got, err := e.evidence.FindEvidence(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != ev.Title || !got.Date.Equal(ev.Date) || got.EndDate == nil || !got.EndDate.Equal(end) ||
		!slices.Equal(got.Competencies, ev.Competencies) || !slices.Equal(got.Links, ev.Links) ||
		!slices.Equal(got.Values, ev.Values) || got.Visibility != trellis.VisPrivate || got.PersonID != e.alice.ID {
		t.Fatalf("found %+v, want %+v", got, ev)
	}

	upd := *got
	upd.Title = "Led the Acme failover escalation"
	upd.Visibility = trellis.VisOrganisationViewer
	upd.Competencies = []string{"incident-handling"}
	upd.PersonID = e.bob.ID // ignored: an entry keeps its owner
	if err := e.evidence.UpdateEvidence(ctx, &upd, 1); err != nil {
		t.Fatal(err)
	}
	if upd.Version != 2 || upd.PersonID != e.alice.ID {
		t.Fatalf("updated %+v", upd)
	}
	// A stale version is refused and changes nothing.
	stale := *got
	stale.Title = "Lost update"
	wantCode(t, e.evidence.UpdateEvidence(ctx, &stale, 1), trellis.ECONFLICT)
	got, _ = e.evidence.FindEvidence(ctx, ev.ID)
	if got.Title != "Led the Acme failover escalation" || got.Version != 2 {
		t.Fatalf("after stale update: %+v", got)
	}
	byComp, err := e.evidence.EvidenceByCompetency(ctx, e.alice.ID, nil)
	if err != nil || len(byComp) != 1 || byComp[0].Competency != "incident-handling" {
		t.Fatalf("by competency after update = %+v, %v", byComp, err)
	}

	if err := e.evidence.DeleteEvidence(ctx, ev.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.evidence.DeleteEvidence(ctx, ev.ID), trellis.ENOTFOUND)
	_, err = e.evidence.FindEvidence(ctx, ev.ID)
	wantCode(t, err, trellis.ENOTFOUND)
	if n := e.count(t, "evidence_competencies"); n != 0 {
		t.Errorf("%d competency rows left", n)
	}
	page, err := e.evidence.ListEvidence(ctx, trellis.EvidenceFilter{PersonID: e.alice.ID, Query: "acme"})
	if err != nil || len(page.Items) != 0 {
		t.Errorf("search after delete = %+v, %v", page.Items, err)
	}

	id := fmt.Sprint(ev.ID)
	want := []string{"evidence.deleted " + id, "evidence.updated " + id, "evidence.created " + id}
	if got := e.actions(t, "evidence."); !slices.Equal(got, want) {
		t.Errorf("evidence events %v, want %v", got, want)
	}
	vis, err := e.audit.ListAudit(ctx, trellis.AuditFilter{Action: trellis.AuditVisibilityChanged})
	if err != nil || len(vis.Items) != 1 || vis.Items[0].Before["visibility"] != "private" ||
		vis.Items[0].After["visibility"] != "organisation-viewer" || vis.Items[0].ActorLabel != "alice@example.com" {
		t.Errorf("visibility events %+v, %v", vis.Items, err)
	}
}

func TestEvidenceRefusalsWriteNothing(t *testing.T) {
	t.Parallel()
	e := newGrowthEnv(t)
	ctx := as(e.alice)
	cases := []struct {
		name, field string
		edit        func(ev *trellis.Evidence)
	}{
		{"unknown competency", "competencies", func(ev *trellis.Evidence) { ev.Competencies = []string{"troubleshootin"} }},
		{"future date", "date", func(ev *trellis.Evidence) { ev.Date = day("2026-03-05") }},
		{"no title", "title", func(ev *trellis.Evidence) { ev.Title = " " }},
		{"bad link", "links", func(ev *trellis.Evidence) { ev.Links = []string{"javascript:alert(1)"} }},
		{"unknown activity", "activity", func(ev *trellis.Evidence) { ev.Activity = "nap" }},
		{"unknown framework", "framework_id", func(ev *trellis.Evidence) { ev.FrameworkID = "nope" }},
	}
	for _, c := range cases {
		ev := entry(e.alice.ID, "2026-02-01", "Fine entry", "troubleshooting")
		c.edit(ev)
		err := e.evidence.CreateEvidence(ctx, ev)
		wantCode(t, err, trellis.EINVALID)
		wantDetail(t, err, c.field, "")
	}
	_, err := e.evidence.ImportEvidence(ctx, 9999, []trellis.EvidenceImportRow{{Line: 1, Evidence: *entry(9999, "2026-01-01", "x")}})
	wantCode(t, err, trellis.ENOTFOUND)
	for _, table := range []string{"evidence", "evidence_competencies"} {
		if n := e.count(t, table); n != 0 {
			t.Errorf("%s has %d rows after refusals", table, n)
		}
	}
	if got := e.actions(t, "evidence."); len(got) != 0 {
		t.Errorf("audited refusals: %v", got)
	}
	// An update that fails validation leaves the entry as it was.
	ok := entry(e.alice.ID, "2026-02-01", "Fine entry", "troubleshooting")
	if err := e.evidence.CreateEvidence(ctx, ok); err != nil {
		t.Fatal(err)
	}
	bad := *ok
	bad.Competencies = []string{"nope"}
	wantCode(t, e.evidence.UpdateEvidence(ctx, &bad, ok.Version), trellis.EINVALID)
	got, _ := e.evidence.FindEvidence(ctx, ok.ID)
	if got.Version != 1 || !slices.Equal(got.Competencies, []string{"troubleshooting"}) {
		t.Errorf("after refused update: %+v", got)
	}
}

func TestEvidenceListFiltersAndPages(t *testing.T) {
	t.Parallel()
	e := newGrowthEnv(t)
	ctx := as(e.alice)
	vis := []trellis.Visibility{trellis.VisPrivate, trellis.VisManager, trellis.VisOrganisationViewer}
	for i := range 12 {
		ev := entry(e.alice.ID, fmt.Sprintf("2026-01-%02d", 1+i%6), fmt.Sprintf("Entry %d", i), "troubleshooting")
		ev.Visibility = vis[i%3]
		if i%4 == 0 {
			ev.Competencies = append(ev.Competencies, "documentation")
			ev.Activity = "documentation-contribution"
		}
		if err := e.evidence.CreateEvidence(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.evidence.CreateEvidence(ctx, entry(e.bob.ID, "2026-01-03", "Bob's", "troubleshooting")); err != nil {
		t.Fatal(err)
	}
	list := func(f trellis.EvidenceFilter) []*trellis.Evidence {
		t.Helper()
		f.PersonID = e.alice.ID
		var all []*trellis.Evidence
		for {
			page, err := e.evidence.ListEvidence(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, page.Items...)
			if page.NextCursor == "" {
				return all
			}
			f.Cursor = page.NextCursor
		}
	}
	all := list(trellis.EvidenceFilter{Limit: 5})
	if len(all) != 12 {
		t.Fatalf("listed %d entries, want 12", len(all))
	}
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.Date.Before(b.Date) || (a.Date.Equal(b.Date) && a.ID < b.ID) {
			t.Fatalf("not newest first at %d: %v/%d then %v/%d", i, a.Date, a.ID, b.Date, b.ID)
		}
	}
	if got := list(trellis.EvidenceFilter{Competency: "documentation"}); len(got) != 3 {
		t.Errorf("competency filter: %d entries, want 3", len(got))
	}
	if got := list(trellis.EvidenceFilter{Activity: "documentation-contribution"}); len(got) != 3 {
		t.Errorf("activity filter: %d entries, want 3", len(got))
	}
	if got := list(trellis.EvidenceFilter{From: day("2026-01-02"), To: day("2026-01-03")}); len(got) != 4 {
		t.Errorf("period filter: %d entries, want 4", len(got))
	}
	got := list(trellis.EvidenceFilter{Visibilities: []trellis.Visibility{trellis.VisManager, trellis.VisOrganisationViewer}})
	if len(got) != 8 {
		t.Errorf("visibility filter: %d entries, want 8", len(got))
	}
	for _, ev := range got {
		if ev.Visibility == trellis.VisPrivate {
			t.Errorf("private entry %d listed", ev.ID)
		}
	}
	if got := list(trellis.EvidenceFilter{Visibilities: []trellis.Visibility{}}); len(got) != 0 {
		t.Errorf("no visibility allowed, yet %d entries", len(got))
	}
	_, err := e.evidence.ListEvidence(ctx, trellis.EvidenceFilter{PersonID: e.alice.ID, Cursor: "garbage"})
	wantCode(t, err, trellis.EINVALID)
}

func TestEvidenceByCompetency(t *testing.T) {
	t.Parallel()
	e := newGrowthEnv(t)
	ctx := as(e.alice)
	for _, ev := range []*trellis.Evidence{
		entry(e.alice.ID, "2025-05-01", "a", "troubleshooting", "communication"),
		entry(e.alice.ID, "2026-01-20", "b", "troubleshooting"),
		entry(e.alice.ID, "2025-11-02", "c", "communication", "documentation"),
		entry(e.bob.ID, "2026-02-20", "d", "troubleshooting"),
	} {
		if err := e.evidence.CreateEvidence(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	got, err := e.evidence.EvidenceByCompetency(ctx, e.alice.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []trellis.CompetencyEvidence{
		{Competency: "communication", Count: 2, Newest: day("2025-11-02")},
		{Competency: "documentation", Count: 1, Newest: day("2025-11-02")},
		{Competency: "troubleshooting", Count: 2, Newest: day("2026-01-20")},
	}
	if !slices.Equal(got, want) {
		t.Errorf("by competency = %+v, want %+v", got, want)
	}
	if none, err := e.evidence.EvidenceByCompetency(ctx, e.manager.ID, nil); err != nil || len(none) != 0 {
		t.Errorf("manager without entries = %+v, %v", none, err)
	}
	// Counted for a viewer who may read only what the manager may: a private
	// entry does not show, not even as a count.
	private := entry(e.alice.ID, "2026-02-01", "e", "troubleshooting", "influence")
	private.Visibility = trellis.VisPrivate
	if err := e.evidence.CreateEvidence(ctx, private); err != nil {
		t.Fatal(err)
	}
	got, err = e.evidence.EvidenceByCompetency(ctx, e.alice.ID, []trellis.Visibility{trellis.VisManager, trellis.VisOrganisationViewer})
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("by competency at manager visibility = %+v, %v; want %+v", got, err, want)
	}
	if all, err := e.evidence.EvidenceByCompetency(ctx, e.alice.ID, nil); err != nil || len(all) != 4 || all[3].Count != 3 {
		t.Errorf("the owner's own counts leave out the private entry: %+v, %v", all, err)
	}
}

func TestEvidenceImportAllOrNothing(t *testing.T) {
	t.Parallel()
	e := newGrowthEnv(t)
	ctx := as(e.alice)
	var rows []trellis.EvidenceImportRow
	for i := range 10 {
		rows = append(rows, trellis.EvidenceImportRow{Line: i + 2, Evidence: *entry(0, "2026-01-05", fmt.Sprintf("Row %d", i), "troubleshooting")})
	}
	rows[3].Evidence.Date = day("2027-01-01")
	rows[7].Evidence.Competencies = []string{"debuging"}
	rows[7].Evidence.Links = []string{"ftp://x"}
	_, err := e.evidence.ImportEvidence(ctx, e.alice.ID, rows)
	wantCode(t, err, trellis.EINVALID)
	wantDetail(t, err, "row 5: date", "future")
	wantDetail(t, err, "row 9: competencies", "debuging")
	wantDetail(t, err, "row 9: links", "ftp://x")
	if n := e.count(t, "evidence"); n != 0 {
		t.Fatalf("%d entries after a refused import", n)
	}
	rows[3].Evidence.Date = day("2026-01-05")
	rows[7].Evidence.Competencies = []string{"troubleshooting"}
	rows[7].Evidence.Links = nil
	n, err := e.evidence.ImportEvidence(ctx, e.alice.ID, rows)
	if err != nil || n != 10 {
		t.Fatalf("import = %d, %v", n, err)
	}
	page, err := e.evidence.ListEvidence(ctx, trellis.EvidenceFilter{PersonID: e.alice.ID, Query: "row"})
	if err != nil || len(page.Items) != 10 {
		t.Fatalf("imported entries are not searchable: %d, %v", len(page.Items), err)
	}
	if got := e.actions(t, "evidence.imported"); len(got) != 1 {
		t.Errorf("import events %v", got)
	}
}

func TestEvidenceSearch(t *testing.T) {
	t.Parallel()
	e := newGrowthEnv(t)
	ctx := as(e.alice)
	mk := func(person int64, title, what, result string, vis trellis.Visibility) *trellis.Evidence {
		ev := entry(person, "2026-01-10", title, "troubleshooting")
		ev.What, ev.Result, ev.Visibility = what, result, vis
		if err := e.evidence.CreateEvidence(ctx, ev); err != nil {
			t.Fatal(err)
		}
		return ev
	}
	strong := mk(e.alice.ID, "Kubernetes runner outage fixed", "The Kubernetes runners failed after the upgrade; I fixed the Kubernetes config.", "Pipelines green again", trellis.VisManager)
	weak := mk(e.alice.ID, "Weekly office hours", "Someone asked one question about kubernetes.", "", trellis.VisManager)
	mk(e.alice.ID, "Backup restore drill", "Restored the database from a backup in 20 minutes.", "RTO 20m", trellis.VisManager)
	private := mk(e.alice.ID, "Private kubernetes notes", "kubernetes kubernetes", "", trellis.VisPrivate)
	xss := mk(e.alice.ID, `<script>alert("x")</script> restarting runners`, `Fixed <b>runners</b> & "quotes" in the runner config`, "", trellis.VisManager)
	mk(e.bob.ID, "Kubernetes for Bob", "Bob's kubernetes entry", "", trellis.VisOrganisationViewer)

	search := func(q string, vis ...trellis.Visibility) trellis.EvidencePage {
		t.Helper()
		page, err := e.evidence.ListEvidence(ctx, trellis.EvidenceFilter{PersonID: e.alice.ID, Query: q, Visibilities: vis})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		return page
	}
	page := search("kubernetes", trellis.VisManager)
	if len(page.Items) != 2 || page.Items[0].ID != strong.ID || page.Items[1].ID != weak.ID {
		t.Fatalf("search kubernetes = %v, want the strong then the weak entry", ids(page.Items))
	}
	if s := page.Snippets[strong.ID]; !strings.Contains(strings.ToLower(s), "<mark>kubernetes</mark>") {
		t.Errorf("snippet %q does not mark the match", s)
	}
	if page := search("kubernetes"); len(page.Items) != 3 || !slices.Contains(ids(page.Items), private.ID) {
		t.Errorf("without a visibility filter: %v", ids(page.Items))
	}
	// Stemming: "restoring" finds "Restored".
	if page := search("restoring"); len(page.Items) != 1 {
		t.Errorf("stemmed search found %v", ids(page.Items))
	}
	// Snippets escape everything but their own marks.
	page = search("runners")
	if !slices.Contains(ids(page.Items), xss.ID) {
		t.Fatalf("runners search %v misses the entry", ids(page.Items))
	}
	for id, s := range page.Snippets {
		rest := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(s)
		if strings.ContainsAny(rest, "<>\"") {
			t.Errorf("snippet of %d has markup besides <mark>: %q", id, s)
		}
	}
	// (PostgreSQL's headline drops tags from the text; SQLite shows them escaped.)
	if s := page.Snippets[xss.ID]; !strings.Contains(s, "&amp;") || !strings.Contains(s, "<mark>runner") {
		t.Errorf("snippet %q does not show the escaped text", s)
	}
	// Phrases, OR and exclusion.
	if page := search(`"runner outage"`); len(page.Items) != 1 || page.Items[0].ID != strong.ID {
		t.Errorf("phrase search = %v", ids(page.Items))
	}
	if page := search("backup OR office"); len(page.Items) != 2 {
		t.Errorf("OR search = %v", ids(page.Items))
	}
	if page := search("kubernetes -upgrade", trellis.VisManager); len(page.Items) != 1 || page.Items[0].ID != weak.ID {
		t.Errorf("exclusion search = %v", ids(page.Items))
	}
	// Hostile and odd queries never fail.
	for _, q := range []string{`"`, `*`, `OR`, `NEAR(`, `-`, `kubernetes"`, `a AND`, `NOT`, `(`, `)`, `{title}:x`, `title:kubernetes`,
		`^kubernetes`, `kubern*`, `" OR "" OR`, `ß ü 日本語 🚀`, `'; DROP TABLE evidence; --`, strings.Repeat("x ", 300),
		"\x00", "\uE000kubernetes\uE001", `NEAR(kubernetes runner, 2)`, `-kubernetes`} {
		if _, err := e.evidence.ListEvidence(ctx, trellis.EvidenceFilter{PersonID: e.alice.ID, Query: q}); err != nil {
			t.Errorf("query %q: %v", q, err)
		}
	}
	if page := search(`*`); len(page.Items) != 0 {
		t.Errorf("a query of punctuation matched %v", ids(page.Items))
	}
	// Paging through ranked results.
	for i := range 7 {
		mk(e.alice.ID, fmt.Sprintf("Zebra case %d", i), "zebra", "", trellis.VisManager)
	}
	var seen []int64
	f := trellis.EvidenceFilter{PersonID: e.alice.ID, Query: "zebra", Limit: 3}
	for {
		page, err := e.evidence.ListEvidence(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, ids(page.Items)...)
		if page.NextCursor == "" {
			break
		}
		f.Cursor = page.NextCursor
	}
	slices.Sort(seen)
	if len(slices.Compact(seen)) != 7 {
		t.Errorf("paged search saw %v", seen)
	}
}

func ids(items []*trellis.Evidence) []int64 {
	out := []int64{}
	for _, ev := range items {
		out = append(out, ev.ID)
	}
	return out
}
