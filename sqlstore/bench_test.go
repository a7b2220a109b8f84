package sqlstore_test

// Benchmarks of the growth features on a big seeded database. They are
// skipped unless one of these names a database:
//
//	TRELLIS_BENCH_SEEDED=DSN  a database already seeded with seed.Run, used as it is
//	TRELLIS_BENCH_DSN=DSN     a database that is seeded first when it has no evidence yet,
//	                          with TRELLIS_BENCH_PEOPLE (10000) people and
//	                          TRELLIS_BENCH_EVIDENCE (100) entries per person
//
// DSN is a SQLite path or a postgres:// URL. For example:
//
//	TRELLIS_BENCH_DSN=/tmp/bench.db go test ./sqlstore/ -run '^$' -bench Growth -benchtime 2000x
//
// Each benchmark reports, besides ns/op, the median and 95th percentile of
// one operation in milliseconds (p50-ms, p95-ms).

import (
	"context"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"trellis"
	"trellis/seed"
	"trellis/sqlstore"
)

var bench struct {
	once sync.Once
	db   *sqlstore.DB
	err  error
}

func benchDB(b *testing.B) *sqlstore.DB {
	b.Helper()
	dsn, fill := os.Getenv("TRELLIS_BENCH_SEEDED"), false
	if dsn == "" {
		dsn, fill = os.Getenv("TRELLIS_BENCH_DSN"), true
	}
	if dsn == "" {
		b.Skip("set TRELLIS_BENCH_SEEDED or TRELLIS_BENCH_DSN to a database to benchmark on (see bench_test.go)")
	}
	bench.once.Do(func() {
		ctx := context.Background()
		db, err := sqlstore.Open(ctx, dsn)
		if err != nil {
			bench.err = err
			return
		}
		if _, err := db.Migrate(ctx); err != nil {
			bench.err = err
			return
		}
		bench.db = db
		if !fill || benchCount(db, `SELECT COUNT(*) FROM (SELECT 1 FROM evidence LIMIT 1) x`) > 0 {
			return
		}
		people, per := envInt("TRELLIS_BENCH_PEOPLE", 10000), envInt("TRELLIS_BENCH_EVIDENCE", 100)
		start := time.Now()
		bench.err = seed.Run(ctx, db, seed.Options{People: people, EvidencePerPerson: per, Seed: 1}, nil)
		b.Logf("seeded %d people x %d entries in %v", people, per, time.Since(start))
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.db
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

func benchCount(db *sqlstore.DB, query string, args ...any) int {
	var n int
	if err := sqlstore.RawDB(db).QueryRow(query, args...).Scan(&n); err != nil {
		panic(err)
	}
	return n
}

// timed runs op b.N times and reports the median and 95th percentile.
func timed(b *testing.B, op func(i int) error) {
	b.Helper()
	var ds []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if err := op(i); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(ds)
	q := func(p float64) float64 { return float64(ds[int(p*float64(len(ds)-1))]) / float64(time.Millisecond) }
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.95), "p95-ms")
}

// targetRole is the person's plan's target role, or a default.
func targetRole(b *testing.B, g *sqlstore.GrowthService, personID int64) string {
	plan, err := g.FindPlan(context.Background(), personID)
	if err != nil {
		b.Fatal(err)
	}
	if plan.TargetRoleID != "" {
		return plan.TargetRoleID
	}
	return "senior-support-engineer"
}

// BenchmarkGrowthReadinessInputs reads what the readiness of one person
// with about 500 entries is computed from: evidence per competency, the
// newest assessments and the checklist of the target role.
func BenchmarkGrowthReadinessInputs(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	// People with about 500 entries and a target role with assessments.
	rows, err := sqlstore.RawDB(db).Query(`
		SELECT p.person_id FROM growth_plans p
		WHERE p.target_role_id <> '' AND EXISTS (SELECT 1 FROM assessments a WHERE a.person_id = p.person_id)
		AND (SELECT COUNT(*) FROM evidence e WHERE e.person_id = p.person_id) BETWEEN 400 AND 600
		LIMIT 20`)
	if err != nil {
		b.Fatal(err)
	}
	var people []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		people = append(people, id)
	}
	rows.Close()
	if len(people) == 0 {
		b.Skip("no seeded person has about 500 entries and a target role")
	}
	ev, g, rs := sqlstore.NewEvidenceService(db), sqlstore.NewGrowthService(db), sqlstore.NewReadinessService(db)
	fw, _, err := sqlstore.NewFrameworkService(db).FindFramework(ctx, trellis.Ref{ID: "support"})
	if err != nil {
		b.Fatal(err)
	}
	roles := make([]string, len(people))
	for i, p := range people {
		roles[i] = targetRole(b, g, p)
	}
	entries := benchCount(db, `SELECT COUNT(*) FROM evidence WHERE person_id = $1`, people[0])
	b.Logf("%d people; the first has %d entries, target %s", len(people), entries, roles[0])
	var r *trellis.Readiness
	timed(b, func(i int) error {
		p, role := people[i%len(people)], roles[i%len(people)]
		byComp, err := ev.EvidenceByCompetency(ctx, p, nil)
		if err != nil {
			return err
		}
		as, err := rs.ListAssessments(ctx, p, trellis.Ref{ID: "support"}, role)
		if err != nil {
			return err
		}
		cl, err := rs.ListChecklist(ctx, p, "support", role)
		if err != nil {
			return err
		}
		r = trellis.ComputeReadiness(trellis.ReadinessInput{Framework: fw, RoleID: role, Evidence: byComp,
			Assessments: as, Checklist: cl, Today: time.Now()})
		return nil
	})
	if r == nil {
		b.Fatal("no readiness computed")
	}
}

// BenchmarkGrowthTeamHeatmap reads the heatmap inputs of a manager's 12
// reports: each one's target role, evidence per competency and newest
// assessments, then lays out the heatmap.
func BenchmarkGrowthTeamHeatmap(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	people := sqlstore.NewPersonService(db)
	ev, g, rs := sqlstore.NewEvidenceService(db), sqlstore.NewGrowthService(db), sqlstore.NewReadinessService(db)
	fw, _, err := sqlstore.NewFrameworkService(db).FindFramework(ctx, trellis.Ref{ID: "support"})
	if err != nil {
		b.Fatal(err)
	}
	// Teams of 12: managers' reports, topped up from the next manager's
	// when a seeded team is smaller.
	rows, err := sqlstore.RawDB(db).Query(`
		SELECT manager_id FROM people WHERE manager_id IS NOT NULL AND role_id NOT LIKE '%manager%' AND role_id NOT LIKE 'director%'
		GROUP BY manager_id ORDER BY manager_id LIMIT 40`)
	if err != nil {
		b.Fatal(err)
	}
	var managers []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		managers = append(managers, id)
	}
	rows.Close()
	var teams [][]int64
	var team []int64
	for _, m := range managers {
		reports, err := people.ListReports(ctx, m)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range reports {
			team = append(team, r.ID)
			if len(team) == 12 {
				teams = append(teams, team)
				team = nil
			}
		}
	}
	if len(teams) == 0 {
		b.Skip("no team of 12 in the database")
	}
	var cells [][]trellis.HeatmapCell
	timed(b, func(i int) error {
		var in []trellis.HeatmapPerson
		for _, p := range teams[i%len(teams)] {
			plan, err := g.FindPlan(ctx, p)
			if err != nil {
				return err
			}
			hp := trellis.HeatmapPerson{PersonID: p, RoleID: plan.TargetRoleID}
			if hp.Evidence, err = ev.EvidenceByCompetency(ctx, p, nil); err != nil {
				return err
			}
			if hp.RoleID != "" {
				if hp.Assessments, err = rs.ListAssessments(ctx, p, trellis.Ref{ID: "support"}, hp.RoleID); err != nil {
					return err
				}
			}
			in = append(in, hp)
		}
		_, cells = trellis.Heatmap(fw, in)
		return nil
	})
	if len(cells) != 12 {
		b.Fatalf("heatmap of %d people", len(cells))
	}
}

// benchQueries are searches people type into their journal.
var benchQueries = []string{
	"kubernetes runners", "customer escalation", "documentation", "certificate outage", "pairing",
	"Acme", `"office hours"`, "backup OR restore", "migration -database", "LDAP sign-in problem",
	"mentored associate six weeks", "webhooks", "deep dive", "tickets dropped", "emergency weekend",
}

// BenchmarkGrowthSearch searches the journal of one person at a time (a
// typical one, and one with about 500 entries), as their manager would see
// it (no private entries), and reports p50 and p95.
func BenchmarkGrowthSearch(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	ev := sqlstore.NewEvidenceService(db)
	maxID := benchCount(db, `SELECT MAX(id) FROM people`)
	heavy := benchCount(db, `SELECT person_id FROM growth_plans p WHERE
		(SELECT COUNT(*) FROM evidence e WHERE e.person_id = p.person_id) BETWEEN 400 AND 600 LIMIT 1`)
	vis := []trellis.Visibility{trellis.VisManager, trellis.VisOrganisationViewer, trellis.VisOrganisationCommenter, trellis.VisOrganisationEditor}
	for _, c := range []struct {
		name   string
		person func(r *rand.Rand) int64
	}{
		{"typical", func(r *rand.Rand) int64 { return 1 + r.Int64N(int64(maxID)) }},
		{"500-entries", func(*rand.Rand) int64 { return int64(heavy) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			found := 0
			timed(b, func(i int) error {
				page, err := ev.ListEvidence(ctx, trellis.EvidenceFilter{PersonID: c.person(r), Query: benchQueries[i%len(benchQueries)],
					Visibilities: vis, Limit: 20})
				found += len(page.Items)
				return err
			})
			b.ReportMetric(float64(found)/float64(b.N), "hits/op")
		})
	}
}
