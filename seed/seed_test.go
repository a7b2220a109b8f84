package seed_test

import (
	"context"
	"testing"
	"time"

	"trellis"
	"trellis/seed"
	"trellis/sqlstore"
	"trellis/sqlstore/storetest"
)

func count(t *testing.T, db *sqlstore.DB, query string, args ...any) int {
	t.Helper()
	tx, err := db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestSmallRunMakesTheCountsAsked(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.Open(t)
	start := time.Now()
	stages := map[string]bool{}
	err := seed.Run(ctx, db, seed.Options{People: 50, EvidencePerPerson: 20, Seed: 1}, func(stage string, done, total int) {
		stages[stage] = true
		if done > total && total > 0 {
			t.Errorf("stage %s: %d of %d", stage, done, total)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("a demo seed took %v", d)
	}
	for _, s := range []string{"framework", "people", "evidence", "growth"} {
		if !stages[s] {
			t.Errorf("no progress for stage %s", s)
		}
	}
	if n := count(t, db, `SELECT COUNT(*) FROM people`); n != 50 {
		t.Errorf("%d people, want 50", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM evidence`); n != 1000 {
		t.Errorf("%d entries, want 1000", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM people WHERE manager_id IS NULL`); n != 1 {
		t.Errorf("%d people without a manager, want the one head", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM growth_plans`); n == 0 {
		t.Error("no growth plans")
	}
	if n := count(t, db, `SELECT COUNT(*) FROM assessments`); n == 0 {
		t.Error("no assessments")
	}

	// The seeded rows are what the services read and would have written.
	ev := sqlstore.NewEvidenceService(db)
	fws := sqlstore.NewFrameworkService(db)
	fw, _, err := fws.FindFramework(ctx, trellis.Ref{ID: "support"})
	if err != nil {
		t.Fatal(err)
	}
	people := sqlstore.NewPersonService(db)
	page, err := people.ListPeople(ctx, trellis.PersonFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, p := range page.Items {
		f := trellis.EvidenceFilter{PersonID: p.ID, Limit: 500}
		list, err := ev.ListEvidence(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		total += len(list.Items)
		for _, e := range list.Items {
			if err := e.Validate(fw, time.Now()); err != nil {
				t.Fatalf("seeded entry %d: %v %+v", e.ID, err, trellis.ErrorDetails(err))
			}
		}
		byComp, err := ev.EvidenceByCompetency(ctx, p.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Items) > 0 && len(byComp) == 0 {
			t.Errorf("person %d has entries but no competency counts", p.ID)
		}
		plan, err := sqlstore.NewGrowthService(db).FindPlan(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if plan.Version > 0 {
			if err := plan.Validate(fw, time.Now()); err != nil {
				t.Errorf("seeded plan of %d: %v %+v", p.ID, err, trellis.ErrorDetails(err))
			}
		}
	}
	if total != 1000 {
		t.Errorf("listed %d entries, want 1000", total)
	}
	// Search works on the seeded entries.
	p := page.Items[len(page.Items)-1]
	list, _ := ev.ListEvidence(ctx, trellis.EvidenceFilter{PersonID: p.ID, Limit: 1})
	words := list.Items[0].Title
	res, err := ev.ListEvidence(ctx, trellis.EvidenceFilter{PersonID: p.ID, Query: words})
	if err != nil || len(res.Items) == 0 {
		t.Errorf("searching %q found %d, %v", words, len(res.Items), err)
	}
	// New entries get ids after the seeded ones.
	e := &trellis.Evidence{PersonID: p.ID, Date: time.Now(), Title: "After the seed", Competencies: []string{"communication"}}
	if err := ev.CreateEvidence(ctx, e); err != nil {
		t.Fatal(err)
	}
	// Seeding again adds a second organisation beside the first.
	if err := seed.Run(ctx, db, seed.Options{People: 50, EvidencePerPerson: 1, Seed: 1}, nil); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM evidence`); n != 1000+1+50 {
		t.Errorf("%d entries after a second seed, want 1051", n)
	}
}

func TestRunRefusesNonsense(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t)
	if err := seed.Run(context.Background(), db, seed.Options{People: 0}, nil); trellis.ErrorCode(err) != trellis.EINVALID {
		t.Errorf("zero people: %v", err)
	}
}
