package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"trellis"
	"trellis/sqlstore"
	"trellis/sqlstore/storetest"
)

// twoNodes opens the same new database twice, as two servers would, both
// on one clock the test sets.
func twoNodes(t *testing.T) (a, b *sqlstore.DB, clock *trellis.FixedClock) {
	t.Helper()
	ctx := context.Background()
	dsn := storetest.DSN(t)
	clock = &trellis.FixedClock{T: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	open := func() *sqlstore.DB {
		db, err := sqlstore.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.Clock = clock
		return db
	}
	a = open()
	if _, err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return a, open(), clock
}

func TestLeaseAcquireRenewRelease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbA, dbB, clock := twoNodes(t)
	a, b := sqlstore.NewLease(dbA), sqlstore.NewLease(dbB)
	const name, ttl = "job:test", time.Minute
	start := clock.T

	try := func(l *sqlstore.Lease, holder string, want bool) {
		t.Helper()
		got, err := l.TryAcquire(ctx, name, holder, ttl)
		if err != nil || got != want {
			t.Fatalf("at +%v TryAcquire(%s) = %v, %v; want %v", clock.T.Sub(start), holder, got, err, want)
		}
	}
	renew := func(l *sqlstore.Lease, holder string, want bool) {
		t.Helper()
		got, err := l.Renew(ctx, name, holder, ttl)
		if err != nil || got != want {
			t.Fatalf("at +%v Renew(%s) = %v, %v; want %v", clock.T.Sub(start), holder, got, err, want)
		}
	}
	holder := func(want string) {
		t.Helper()
		info, found, err := a.Get(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if want == "" && found || want != "" && info.Holder != want {
			t.Fatalf("holder = %q (found %v); want %q", info.Holder, found, want)
		}
	}

	holder("")
	renew(a, "A", false) // nobody holds it: nothing to renew
	try(a, "A", true)
	try(b, "B", false)
	renew(b, "B", false)
	holder("A")

	clock.T = start.Add(50 * time.Second)
	try(a, "A", true) // the holder trying again renews: until +110s
	info, _, _ := a.Get(ctx, name)
	if !info.ExpiresAt.Equal(clock.T.Add(ttl)) || !info.AcquiredAt.Equal(start) {
		t.Errorf("after a renewal: acquired %v, expires %v; want %v, %v", info.AcquiredAt, info.ExpiresAt, start, clock.T.Add(ttl))
	}

	// Expired, but within the allowed clock skew: the holder's clock may be
	// behind, so nobody takes it over yet.
	clock.T = start.Add(110*time.Second + sqlstore.MaxClockSkew/2)
	try(b, "B", false)
	// Expired by more than the skew: B takes it over.
	clock.T = start.Add(110*time.Second + sqlstore.MaxClockSkew + time.Millisecond)
	try(b, "B", true)
	holder("B")
	renew(a, "A", false) // A lost it and learns so
	try(a, "A", false)
	if err := a.Release(ctx, name, "A"); err != nil { // not A's: no effect
		t.Fatal(err)
	}
	holder("B")
	renew(b, "B", true)

	// Released: free for anyone at once.
	if err := b.Release(ctx, name, "B"); err != nil {
		t.Fatal(err)
	}
	holder("")
	try(a, "A", true)
	holder("A")

	// Leases are independent of each other.
	if ok, err := b.TryAcquire(ctx, "job:other", "B", ttl); err != nil || !ok {
		t.Fatalf("another lease: %v, %v", ok, err)
	}
	for _, bad := range []struct {
		name, holder string
		ttl          time.Duration
	}{{"", "A", ttl}, {name, "", ttl}, {name, "A", 0}} {
		if _, err := a.TryAcquire(ctx, bad.name, bad.holder, bad.ttl); err == nil {
			t.Errorf("TryAcquire(%q, %q, %v) took no error", bad.name, bad.holder, bad.ttl)
		}
	}
}

// Many holders on two connections pools trying for a free or an expired
// lease at the same moment: exactly one wins each time.
func TestLeaseOneWinnerAtATime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbA, dbB, clock := twoNodes(t)
	leases := []*sqlstore.Lease{sqlstore.NewLease(dbA), sqlstore.NewLease(dbB)}
	const holders, rounds, ttl = 8, 5, time.Minute
	for round := range rounds {
		// Each round starts after the previous holder's lease has expired.
		clock.T = clock.T.Add(ttl + sqlstore.MaxClockSkew + time.Second)
		var wins atomic.Int32
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for h := range holders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				ok, err := leases[h%2].TryAcquire(ctx, "job:race", fmt.Sprintf("holder-%d-%d", round, h), ttl)
				if err != nil {
					t.Error(err)
				}
				if ok {
					wins.Add(1)
				}
			}()
		}
		close(gate)
		wg.Wait()
		if n := wins.Load(); n != 1 {
			t.Fatalf("round %d: %d holders won the lease; want 1", round, n)
		}
	}
}

func TestHolderIDsDiffer(t *testing.T) {
	t.Parallel()
	a, b := sqlstore.NewHolderID(), sqlstore.NewHolderID()
	if a == b || !strings.Contains(a, "/") {
		t.Errorf("holder ids %q and %q", a, b)
	}
}

// counter is a job that counts its runs by period start.
type counter struct {
	mu   sync.Mutex
	runs map[time.Time][]string // period start -> nodes that ran it
}

func (c *counter) job(name string, period time.Duration, clock *trellis.FixedClock, node string, fail error) sqlstore.Job {
	return sqlstore.Job{Name: name, Period: period, Run: func(ctx context.Context) error {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.runs == nil {
			c.runs = map[time.Time][]string{}
		}
		p := clock.T.Truncate(period)
		c.runs[p] = append(c.runs[p], node)
		return fail
	}}
}

// Two schedulers on one database ticking at the very same moments, several
// times per period: each period's job runs exactly once, on the lease
// holder.
func TestSchedulerRunsEachPeriodOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbA, dbB, clock := twoNodes(t)
	const period = time.Hour
	var c counter
	nodes := []*sqlstore.Scheduler{sqlstore.NewScheduler(dbA), sqlstore.NewScheduler(dbB)}
	jobs := []sqlstore.Job{
		c.job("sweep", period, clock, "A", nil),
		c.job("sweep", period, clock, "B", nil),
	}
	var observed atomic.Int32
	for _, n := range nodes {
		n.Observe = func(job string, err error) {
			if job != "sweep" || err != nil {
				t.Errorf("observed %s, %v", job, err)
			}
			observed.Add(1)
		}
	}
	start := clock.T
	const periods, ticksPerPeriod = 6, 4
	for p := range periods {
		for tick := range ticksPerPeriod {
			clock.T = start.Add(time.Duration(p)*period + time.Duration(tick)*period/ticksPerPeriod)
			var wg sync.WaitGroup
			gate := make(chan struct{})
			for i, n := range nodes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-gate
					if _, err := n.RunDue(ctx, jobs[i]); err != nil {
						t.Error(err)
					}
				}()
			}
			close(gate)
			wg.Wait()
		}
	}
	if len(c.runs) != periods {
		t.Fatalf("ran in %d periods; want %d: %v", len(c.runs), periods, c.runs)
	}
	for p, who := range c.runs {
		if len(who) != 1 {
			t.Errorf("period %v ran %d times: %v", p, len(who), who)
		}
	}
	if n := observed.Load(); n != periods {
		t.Errorf("Observe told of %d runs; want %d", n, periods)
	}
	runs, err := sqlstore.ListJobRuns(ctx, dbA, "sweep")
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != periods {
		t.Fatalf("job_runs has %d rows; want %d", len(runs), periods)
	}
	for i, r := range runs {
		if want := start.Add(time.Duration(i) * period); !r.PeriodStart.Equal(want) || r.FinishedAt.IsZero() || r.Error != "" {
			t.Errorf("run %d = %+v; want period %v, finished, no error", i, r, want)
		}
		if r.Holder != nodes[0].Holder && r.Holder != nodes[1].Holder {
			t.Errorf("run %d by %q, neither node", i, r.Holder)
		}
	}
}

// When the holder dies (stops renewing), the other node takes the lease
// over once it has expired, without running again a period the dead node
// ran, and runs the following periods; the old holder, back, stays idle.
func TestSchedulerTakesOverFromADeadHolder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbA, dbB, clock := twoNodes(t)
	const period = time.Hour
	var c counter
	a, b := sqlstore.NewScheduler(dbA), sqlstore.NewScheduler(dbB)
	jobA, jobB := c.job("sweep", period, clock, "A", nil), c.job("sweep", period, clock, "B", nil)
	start := clock.T
	at := func(d time.Duration) { clock.T = start.Add(d) }
	runDue := func(s *sqlstore.Scheduler, job sqlstore.Job, want bool) {
		t.Helper()
		ran, err := s.RunDue(ctx, job)
		if err != nil || ran != want {
			t.Fatalf("at +%v %s: ran %v, %v; want %v", clock.T.Sub(start), job.Name, ran, err, want)
		}
	}
	holder := func() string {
		t.Helper()
		info, _, err := sqlstore.NewLease(dbA).Get(ctx, sqlstore.LeaseName("sweep"))
		if err != nil {
			t.Fatal(err)
		}
		return info.Holder
	}

	runDue(a, jobA, true) // A takes the lease and runs period 0
	at(10 * time.Second)
	runDue(b, jobB, false) // B is not the holder
	// A dies. B keeps ticking; the lease expires at +60s.
	at(sqlstore.DefaultLeaseTTL)
	runDue(b, jobB, false)
	at(sqlstore.DefaultLeaseTTL + sqlstore.MaxClockSkew + time.Second)
	runDue(b, jobB, false) // B has the lease now, but period 0 has run
	if h := holder(); h != b.Holder {
		t.Fatalf("holder after the TTL = %q; want B %q", h, b.Holder)
	}
	at(period)
	runDue(b, jobB, true) // period 1 on B
	at(period + time.Minute)
	runDue(a, jobA, false) // A comes back: B holds the lease
	runDue(b, jobB, false)
	at(2 * period)
	runDue(b, jobB, true) // B, ticking on, keeps the lease
	runDue(a, jobA, false)

	want := map[time.Time][]string{start: {"A"}, start.Add(period): {"B"}, start.Add(2 * period): {"B"}}
	if fmt.Sprint(c.runs) != fmt.Sprint(want) {
		t.Errorf("runs = %v; want %v", c.runs, want)
	}
}

// A failed run is recorded with its error and not run again in its period.
func TestSchedulerRecordsFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbA, _, clock := twoNodes(t)
	var c counter
	s := sqlstore.NewScheduler(dbA)
	var observed error
	s.Observe = func(_ string, err error) { observed = err }
	boom := errors.New("boom")
	job := c.job("flaky", time.Hour, clock, "A", boom)
	if ran, err := s.RunDue(ctx, job); !ran || !errors.Is(err, boom) || !errors.Is(observed, boom) {
		t.Fatalf("RunDue = %v, %v (observed %v); want true and the job's error", ran, err, observed)
	}
	clock.T = clock.T.Add(time.Minute)
	if ran, err := s.RunDue(ctx, job); ran || err != nil {
		t.Fatalf("second tick in the period = %v, %v; want no run", ran, err)
	}
	runs, err := sqlstore.ListJobRuns(ctx, dbA, "flaky")
	if err != nil || len(runs) != 1 || runs[0].Error != "boom" || runs[0].FinishedAt.IsZero() {
		t.Fatalf("job runs = %+v, %v", runs, err)
	}
}

// Old runs are forgotten, so job_runs stays small.
func TestSchedulerKeepsRecentRuns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbA, _, clock := twoNodes(t)
	var c counter
	s := sqlstore.NewScheduler(dbA)
	job := c.job("often", time.Minute, clock, "A", nil)
	for range 130 {
		if ran, err := s.RunDue(ctx, job); !ran || err != nil {
			t.Fatalf("RunDue = %v, %v", ran, err)
		}
		clock.T = clock.T.Add(time.Minute)
	}
	runs, err := sqlstore.ListJobRuns(ctx, dbA, "often")
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) < 90 || len(runs) > 101 {
		t.Errorf("%d runs kept; want about 100", len(runs))
	}
}

// Start runs jobs in the background; Stop releases the leases so that
// another node takes them over at once.
func TestSchedulerStartStop(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := storetest.DSN(t)
	open := func() *sqlstore.DB {
		db, err := sqlstore.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	dbA := open()
	if _, err := dbA.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	a := sqlstore.NewScheduler(dbA)
	ran := make(chan struct{}, 100)
	job := sqlstore.Job{Name: "tick", Period: 50 * time.Millisecond, Run: func(context.Context) error {
		ran <- struct{}{}
		return nil
	}}
	if err := a.Add(job); err != nil {
		t.Fatal(err)
	}
	if err := a.Add(job); err == nil {
		t.Error("a job added twice took no error")
	}
	a.Start()
	for range 2 {
		select {
		case <-ran:
		case <-time.After(10 * time.Second):
			t.Fatal("the job never ran")
		}
	}
	a.Stop()
	lease := sqlstore.NewLease(dbA)
	if info, found, err := lease.Get(ctx, sqlstore.LeaseName("tick")); err != nil || found {
		t.Fatalf("after Stop the lease is %+v (%v, %v); want released", info, found, err)
	}
	b := sqlstore.NewScheduler(open())
	if ok, err := sqlstore.NewLease(dbA).TryAcquire(ctx, sqlstore.LeaseName("tick"), b.Holder, time.Minute); err != nil || !ok {
		t.Fatalf("another node after Stop: %v, %v", ok, err)
	}
}
