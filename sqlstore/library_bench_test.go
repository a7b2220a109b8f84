package sqlstore_test

// Benchmarks of the promotion library and the calibration view on a big
// database. They are skipped unless TRELLIS_BENCH_LIBRARY names a database
// (a SQLite path or a postgres:// URL). A database without documents is
// filled first: seed.Run's organisation (TRELLIS_BENCH_PEOPLE, 5000 people,
// with TRELLIS_BENCH_EVIDENCE, 40 entries each), then
// TRELLIS_BENCH_DOCUMENTS (50000) listed library documents of about 700
// words with their sections, 10% more that are not listed (private drafts),
// and one cycle with 200 nominations in calibration, half of them decided.
// For example:
//
//	TRELLIS_BENCH_LIBRARY=/tmp/library.db go test ./sqlstore/ -run '^$' -bench 'Library|Calibration' -benchtime 400x
//
// Each benchmark reports the median and 95th percentile in milliseconds.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"trellis"
	"trellis/seed"
	"trellis/sqlstore"
)

var libBench struct {
	once  sync.Once
	db    *sqlstore.DB
	cycle int64
	err   error
}

func libraryBenchDB(b *testing.B) (*sqlstore.DB, int64) {
	b.Helper()
	dsn := os.Getenv("TRELLIS_BENCH_LIBRARY")
	if dsn == "" {
		b.Skip("set TRELLIS_BENCH_LIBRARY to a database to benchmark on (see library_bench_test.go)")
	}
	libBench.once.Do(func() {
		ctx := context.Background()
		db, err := sqlstore.Open(ctx, dsn)
		if err != nil {
			libBench.err = err
			return
		}
		if _, err := db.Migrate(ctx); err != nil {
			libBench.err = err
			return
		}
		libBench.db = db
		if benchCount(db, `SELECT COUNT(*) FROM (SELECT 1 FROM documents LIMIT 1) x`) == 0 {
			start := time.Now()
			if benchCount(db, `SELECT COUNT(*) FROM (SELECT 1 FROM people LIMIT 1) x`) == 0 {
				people, per := envInt("TRELLIS_BENCH_PEOPLE", 5000), envInt("TRELLIS_BENCH_EVIDENCE", 40)
				if libBench.err = seed.Run(ctx, db, seed.Options{People: people, EvidencePerPerson: per, Seed: 1}, nil); libBench.err != nil {
					return
				}
			}
			if libBench.err = seedLibrary(ctx, db, envInt("TRELLIS_BENCH_DOCUMENTS", 50000)); libBench.err != nil {
				return
			}
			b.Logf("seeded the library in %v", time.Since(start))
		}
		libBench.cycle = int64(benchCount(db, `SELECT MIN(id) FROM cycles`))
	})
	if libBench.err != nil {
		b.Fatal(libBench.err)
	}
	return libBench.db, libBench.cycle
}

// Words of the generated documents: a few that nearly every support case
// uses, and topics that each document draws a handful of.
var (
	libCommon = strings.Fields(`customer customers ticket tickets team support reply escalation process queue engineers
		incident response time week month quarter hours runbook documentation training review`)
	libTopics = strings.Fields(`kubernetes runners ldap sign-in backup restore webhooks certificate outage migration database
		postgres redis gitaly geo replication sso saml oauth api rate-limits billing licensing upgrade helm terraform
		ansible packer docker registry pipelines artifacts cache storage object-storage s3 gcs azure dns ingress nginx
		load-balancer latency profiling memory leak cpu disk quota pages wiki search elasticsearch zoekt indexing
		pagerduty on-call rotation handover shadowing mentoring onboarding hiring interviews office-hours pairing
		deep-dive emergency weekend federal compliance audit logs retention encryption secrets vault tokens
		permissions groups projects import export mirroring lfs hooks runner-autoscaling fargate spot-instances
		windows macos arm64 air-gapped offline proxy firewall smtp email notifications slack jira zendesk salesforce`)
	libVerbs   = strings.Fields(`led rebuilt automated documented reduced cut resolved designed shipped coached migrated fixed triaged`)
	libMetrics = []string{"time to first reply", "time to resolution", "escalations", "reopened tickets", "backlog", "pages per week"}
)

func libSentence(r *rand.Rand, name string, topics []string) string {
	t := topics[r.IntN(len(topics))]
	c := libCommon[r.IntN(len(libCommon))]
	switch r.IntN(4) {
	case 0:
		return fmt.Sprintf("%s %s the %s %s for %d %s, cutting %s from %d to %d hours.", name, libVerbs[r.IntN(len(libVerbs))], t, c,
			10+r.IntN(400), libCommon[r.IntN(len(libCommon))], libMetrics[r.IntN(len(libMetrics))], 8+r.IntN(40), 1+r.IntN(8))
	case 1:
		return fmt.Sprintf("The %s work on %s mattered to the %s because %s %s depend on it every %s.", t, topics[r.IntN(len(topics))], c,
			libCommon[r.IntN(len(libCommon))], libCommon[r.IntN(len(libCommon))], []string{"day", "week", "release"}[r.IntN(3)])
	case 2:
		return fmt.Sprintf("%s %s a %s guide with %d examples, linked from the %s %s.", name, libVerbs[r.IntN(len(libVerbs))], t,
			2+r.IntN(20), c, libCommon[r.IntN(len(libCommon))])
	default:
		return fmt.Sprintf("Across %d teams, %s showed collaboration, results and transparency while handling %s %s.", 2+r.IntN(6), name, t, c)
	}
}

// seedLibrary writes n listed documents and n/10 private drafts spread over
// the seeded people, and a cycle with 200 nominations in calibration.
func seedLibrary(ctx context.Context, db *sqlstore.DB, n int) error {
	raw := sqlstore.RawDB(db)
	r := rand.New(rand.NewPCG(7, 11))
	var people []int64
	rows, err := raw.QueryContext(ctx, `SELECT id FROM people ORDER BY id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		people = append(people, id)
	}
	rows.Close()
	var version string
	if err := raw.QueryRowContext(ctx, `SELECT active_version FROM frameworks WHERE id = 'support'`).Scan(&version); err != nil {
		return err
	}
	roles := []string{"associate-support-engineer", "support-engineer", "senior-support-engineer", "support-engineering-manager"}
	sections := []string{"summary", "business-results", "business-justification", "values-alignment"}
	comps := []string{"ambiguity-and-delivery", "customer-advocacy", "troubleshooting", "incident-handling", "growing-others",
		"influence", "results", "collaboration", "efficiency", "diversity-inclusion-belonging", "iteration", "transparency"}
	var cycleID int64
	phases := `{"drafting":"2026-01-05","manager-review":"2026-01-26","nomination-deadline":"2026-02-09","calibration":"2026-02-23",` +
		`"approvals":"2026-03-09","communication":"2026-03-23","effective":"2026-04-01"}`
	if err := raw.QueryRowContext(ctx, `INSERT INTO cycles (name, phases, effective_date, created_at, version)
		VALUES ('2026 H1', $1, '2026-04-01', '2026-01-01T00:00:00.000000Z', 1) RETURNING id`, phases).Scan(&cycleID); err != nil {
		return err
	}
	nominees := envInt("TRELLIS_BENCH_NOMINATIONS", 200)
	total := n + n/10 + nominees
	const batch = 400
	boolean := func(b bool) any { return b }
	for start := 0; start < total; start += batch {
		tx, err := raw.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		var docRows, secRows, compRows []string
		var da, sa, ca []any
		ph := func(a *[]any, vs ...any) string {
			ps := make([]string, len(vs))
			for i, v := range vs {
				*a = append(*a, v)
				ps[i] = fmt.Sprintf("$%d", len(*a))
			}
			return "(" + strings.Join(ps, ", ") + ")"
		}
		var ids []int64
		for i := start; i < min(total, start+batch); i++ {
			id := int64(i + 1)
			ids = append(ids, id)
			person := people[r.IntN(len(people))]
			state, vis, share, listed := trellis.DocInLibrary, "manager", true, true
			var cycle any
			switch {
			case i >= n+n/10: // a nomination of the cycle, in calibration
				person = people[(i-n-n/10)*len(people)/nominees]
				state, vis, share, listed, cycle = trellis.DocInCalibration, "manager", false, false, cycleID
			case i >= n:
				state, vis, share, listed = trellis.DocDraft, "private", false, false
			case i%5 == 0: // in progress, open to the organisation
				state, vis, share = trellis.DocDraft, "organisation-viewer", false
			}
			topics := make([]string, 4)
			for k := range topics {
				topics[k] = libTopics[r.IntN(len(libTopics))]
			}
			name := fmt.Sprintf("Person %d", person)
			var body []string
			for k, sid := range sections {
				var ss []string
				for range 6 + r.IntN(4) {
					ss = append(ss, libSentence(r, name, topics))
				}
				text := strings.Join(ss, " ")
				body = append(body, text)
				secRows = append(secRows, ph(&sa, id, sid, k, text, 1, "2026-01-02T10:00:00.000000Z"))
			}
			role := roles[r.IntN(len(roles))]
			at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(800*24)) * time.Hour).Format("2006-01-02T15:04:05.000000Z")
			title := fmt.Sprintf("Promotion to %s: %s (%s)", role, name, topics[0])
			docRows = append(docRows, ph(&da, id, person, role, "support", version, boolean(cycle != nil), "promotion-document", title,
				strings.Join(body, "\n\n"), state, vis, boolean(share), boolean(listed), cycle, at, at, 1))
			for _, c := range []string{comps[r.IntN(5)], comps[5+r.IntN(7)]} {
				compRows = append(compRows, ph(&ca, id, c))
			}
		}
		for _, q := range []struct {
			sql  string
			rows []string
			a    []any
		}{
			{`INSERT INTO documents (id, person_id, target_role, framework_id, framework_version, frozen, template_id, title, body,
				state, visibility, share_in_library, listed, cycle_id, created_at, updated_at, version) VALUES `, docRows, da},
			{`INSERT INTO document_sections (document_id, section_id, position, text, version, edited_at) VALUES `, secRows, sa},
			{`INSERT INTO document_competencies (document_id, competency) VALUES `, compRows, ca},
		} {
			stmt := q.sql + strings.Join(q.rows, ", ")
			if strings.HasPrefix(q.sql, "INSERT INTO document_competencies") {
				stmt += " ON CONFLICT DO NOTHING"
			}
			if _, err := tx.ExecContext(ctx, stmt, q.a...); err != nil {
				tx.Rollback()
				return fmt.Errorf("%s: %w", q.sql[:40], err)
			}
		}
		// Half of the nominations are decided.
		for _, id := range ids {
			if i := int(id - 1); i >= n+n/10 && i%2 == 0 {
				if _, err := tx.ExecContext(ctx, `INSERT INTO decisions (document_id, cycle_id, approved, rationale, decided_by, decided_at)
					VALUES ($1, $2, $3, 'Works at the next level across teams.', $4, '2026-03-01T10:00:00.000000Z')`,
					id, cycleID, i%4 == 0, people[0]); err != nil {
					tx.Rollback()
					return err
				}
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	if db.Dialect == sqlstore.Postgres {
		if _, err := raw.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('documents', 'id'), (SELECT MAX(id) FROM documents))`); err != nil {
			return err
		}
	}
	if err := db.RebuildLibraryIndex(ctx); err != nil {
		return err
	}
	return db.Optimize(ctx)
}

// libraryQueries are searches people type into the library: topics, a
// common word, phrases, OR and exclusions, with and without filters.
var libraryQueries = []trellis.LibraryFilter{
	{Query: "kubernetes runners"}, {Query: "ldap sign-in"}, {Query: "backup restore"}, {Query: "certificate outage"},
	{Query: `"office hours"`}, {Query: "webhooks OR hooks"}, {Query: "migration -database"}, {Query: "customer"},
	{Query: "escalation runbook"}, {Query: "mentoring onboarding", TargetRole: "senior-support-engineer"},
	{Query: "geo replication", Competency: "troubleshooting"}, {Query: "terraform"}, {Query: "time to first reply"},
	{Query: "air-gapped offline"}, {Query: "zendesk salesforce"}, {Query: "saml"}, {Query: "tickets", TargetRole: "support-engineer"},
	{Query: "emergency weekend"}, {Query: "elasticsearch indexing"}, {Query: "fargate"},
}

// BenchmarkLibrarySearch searches the whole library, ranked, with snippets,
// 20 hits a page, and reports p50 and p95.
func BenchmarkLibrarySearch(b *testing.B) {
	db, _ := libraryBenchDB(b)
	ctx := context.Background()
	docs := sqlstore.NewDocumentService(db)
	listed := benchCount(db, `SELECT COUNT(*) FROM documents WHERE listed`)
	b.Logf("%d listed documents of %d", listed, benchCount(db, `SELECT COUNT(*) FROM documents`))
	hits := 0
	timed(b, func(i int) error {
		f := libraryQueries[i%len(libraryQueries)]
		f.Limit = 20
		page, err := docs.SearchLibrary(ctx, f)
		hits += len(page.Items)
		return err
	})
	b.ReportMetric(float64(hits)/float64(b.N), "hits/op")
}

// BenchmarkLibraryBrowse lists the newest library documents, filtered or
// not, and reports p50 and p95.
func BenchmarkLibraryBrowse(b *testing.B) {
	db, _ := libraryBenchDB(b)
	ctx := context.Background()
	docs := sqlstore.NewDocumentService(db)
	filters := []trellis.LibraryFilter{{}, {TargetRole: "senior-support-engineer"}, {Competency: "troubleshooting"}}
	timed(b, func(i int) error {
		f := filters[i%len(filters)]
		f.Limit = 20
		_, err := docs.SearchLibrary(ctx, f)
		return err
	})
}

// BenchmarkCalibrationView loads the calibration view of a cycle with 200
// nominations: documents with their sections, candidates, evidence per
// competency, newest assessments, feedback and decisions.
func BenchmarkCalibrationView(b *testing.B) {
	db, cycle := libraryBenchDB(b)
	ctx := context.Background()
	cycles := sqlstore.NewCycleService(db)
	n := 0
	timed(b, func(int) error {
		entries, err := cycles.Calibration(ctx, cycle)
		n = len(entries)
		return err
	})
	b.ReportMetric(float64(n), "nominations")
}

// BenchmarkLibrarySearchEach logs the best of seven runs of each query of
// libraryQueries: which ones cost what, whatever else the machine runs.
func BenchmarkLibrarySearchEach(b *testing.B) {
	db, _ := libraryBenchDB(b)
	docs := sqlstore.NewDocumentService(db)
	ctx := context.Background()
	for b.Loop() {
		for _, f := range libraryQueries {
			f.Limit = 20
			best := time.Hour
			var page trellis.LibraryPage
			for range 7 {
				start := time.Now()
				var err error
				if page, err = docs.SearchLibrary(ctx, f); err != nil {
					b.Fatal(err)
				}
				best = min(best, time.Since(start))
			}
			b.Logf("%-28q %-24s %6.2f ms, %d hits", f.Query, f.TargetRole+f.Competency, float64(best.Microseconds())/1000, len(page.Items))
		}
	}
}
