package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"trellis"
	"trellis/auth"
	"trellis/defaults"
	"trellis/sqlstore"
)

// The revision counters move with every write they cover, whoever makes
// it, and only then: a cache keyed by them is never stale and not emptied
// for nothing.
func TestRevisionsMoveWithTheWritesTheyCover(t *testing.T) {
	t.Parallel()
	e := newGrowthEnv(t)
	revs := sqlstore.NewRevisionService(e.db)
	bg := context.Background()
	access := func() int64 {
		t.Helper()
		n, _, err := revs.Revisions(bg, 0)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	growth := func(p *trellis.Person) int64 {
		t.Helper()
		_, n, err := revs.Revisions(bg, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// moves runs write and reports which counters it moved.
	type counters struct{ access, alice, bob int64 }
	read := func() counters {
		t.Helper()
		// Both counters at once read the same as each alone.
		a, g, err := revs.Revisions(bg, e.alice.ID)
		if err != nil || a != access() || g != growth(e.alice) {
			t.Fatalf("Revisions = %d, %d, %v; one by one %d, %d", a, g, err, access(), growth(e.alice))
		}
		return counters{access(), growth(e.alice), growth(e.bob)}
	}
	moves := func(what string, write func() error) (access, alice, bob bool) {
		t.Helper()
		before := read()
		if err := write(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		after := read()
		return after.access != before.access, after.alice != before.alice, after.bob != before.bob
	}
	want := func(what string, write func() error, wantAccess, wantAlice bool) {
		t.Helper()
		a, al, b := moves(what, write)
		if a != wantAccess || al != wantAlice || b {
			t.Errorf("%s moved access %v (want %v), alice %v (want %v), bob %v (want false)", what, a, wantAccess, al, wantAlice, b)
		}
	}
	if growth(e.alice) != 0 || access() == 0 {
		t.Fatalf("before any growth write: alice %d, access %d", growth(e.alice), access())
	}

	ctx := as(e.alice)
	ev := &trellis.Evidence{PersonID: e.alice.ID, Date: day("2026-02-10"), Title: "Ran office hours",
		Competencies: []string{"communication"}, Visibility: trellis.VisManager}
	want("creating an entry", func() error { return e.evidence.CreateEvidence(ctx, ev) }, false, true)
	want("editing an entry", func() error {
		upd := *ev
		upd.Visibility = trellis.VisPrivate
		return e.evidence.UpdateEvidence(ctx, &upd, ev.Version)
	}, false, true)
	want("saving the plan", func() error {
		return e.growth.SavePlan(ctx, &trellis.GrowthPlan{PersonID: e.alice.ID, Period: "2026-H1", TargetRoleID: "senior-support-engineer"}, 0)
	}, false, true)
	want("an assessment", func() error {
		return e.readiness.SaveAssessment(as(e.manager), &trellis.Assessment{PersonID: e.alice.ID, RoleID: "senior-support-engineer",
			Competency: "communication", By: "manager", Rating: "meets"})
	}, false, true)
	want("deleting an entry", func() error { return e.evidence.DeleteEvidence(ctx, ev.ID) }, false, true)

	people := sqlstore.NewPersonService(e.db)
	want("renaming someone", func() error {
		name := "Alice A."
		_, err := people.UpdatePerson(as(e.manager), e.alice.ID, trellis.PersonUpdate{Name: &name}, e.alice.Version)
		return err
	}, true, false)

	tokens := sqlstore.NewTokenStore(e.db)
	now := e.clock.T
	tok, _, err := auth.NewAPIToken(e.bob.ID, "laptop", auth.ScopeRead, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	want("creating a token", func() error { return tokens.CreateToken(ctx, tok) }, false, false)
	want("using a token", func() error { return tokens.TouchToken(ctx, tok.ID, now.Add(time.Minute)) }, false, false)
	want("revoking a token", func() error { return tokens.RevokeToken(ctx, tok.ID, now.Add(2*time.Minute)) }, true, false)

	fws := sqlstore.NewFrameworkService(e.db)
	next, err := defaults.Support()
	if err != nil {
		t.Fatal(err)
	}
	next.Version = "2026.9"
	want("importing a framework version", func() error { _, err := fws.ImportFramework(ctx, next, false); return err }, true, false)
	want("activating it", func() error { return fws.ActivateFramework(ctx, "support", "2026.9") }, true, false)
}

// Reads that share a statement are still never older than the call: each
// sees every write committed before it was asked.
func TestRevisionsSharedReadsAreFresh(t *testing.T) {
	t.Parallel()
	e := newGrowthEnv(t)
	revs := sqlstore.NewRevisionService(e.db)
	raw := sqlstore.RawDB(e.db)
	people := []*trellis.Person{e.alice, e.bob, e.manager}
	var committed [3]atomic.Int64 // each person's counter, read after each write commits
	stop := make(chan struct{})
	var writers sync.WaitGroup
	for i, p := range people {
		writers.Add(1)
		go func() {
			defer writers.Done()
			ctx := as(p)
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				ev := &trellis.Evidence{PersonID: p.ID, Date: day("2026-02-10"), Title: fmt.Sprintf("Entry %d", n),
					Competencies: []string{"communication"}, Visibility: trellis.VisManager}
				if err := e.evidence.CreateEvidence(ctx, ev); err != nil {
					t.Error(err)
					return
				}
				var v int64
				if err := raw.QueryRow(`SELECT n FROM revisions WHERE scope = 'person' AND id = $1`, p.ID).Scan(&v); err != nil {
					t.Error(err)
					return
				}
				committed[i].Store(v)
			}
		}()
	}
	var readers sync.WaitGroup
	var reads atomic.Int64
	for r := 0; r < 16; r++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for k := 0; k < 150; k++ {
				i := (r + k) % len(people)
				before := committed[i].Load()
				_, got, err := revs.Revisions(context.Background(), people[i].ID)
				if err != nil {
					t.Error(err)
					return
				}
				if got < before {
					t.Errorf("read %d of %s's counter after %d had committed", got, people[i].Name, before)
					return
				}
				reads.Add(1)
			}
		}()
	}
	readers.Wait()
	close(stop)
	writers.Wait()
	if reads.Load() != 16*150 {
		t.Fatalf("%d reads answered", reads.Load())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := revs.Revisions(ctx, e.alice.ID); err == nil {
		t.Error("a read with a cancelled context was answered")
	}
}
