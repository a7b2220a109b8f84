package main

import (
	"context"
	"testing"
	"time"

	"trellis/sqlstore"
	"trellis/sqlstore/storetest"
)

func TestJobPeriodFromEnv(t *testing.T) {
	for v, want := range map[string]time.Duration{"": 0, "2s": 2 * time.Second, " 1h ": time.Hour} {
		got, err := jobPeriodFromEnv(func(string) string { return v })
		if err != nil || got != want {
			t.Errorf("TRELLIS_JOB_PERIOD=%q: %v, %v; want %v", v, got, err, want)
		}
	}
	for _, v := range []string{"soon", "0s", "-1m", "5"} {
		if _, err := jobPeriodFromEnv(func(string) string { return v }); err == nil {
			t.Errorf("TRELLIS_JOB_PERIOD=%q took no error", v)
		}
	}
}

// Two servers on one database: the expired-session cleanup runs once per
// period, on one of them, and stops with the server, leaving no lease held.
func TestServersShareScheduledJobs(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t)
	var mains []*Main
	for range 2 {
		m := &Main{Config: DefaultConfig(), JobPeriod: 200 * time.Millisecond}
		m.Config.Addr = "127.0.0.1:0"
		m.Config.DB = dsn
		if err := m.Run(ctx); err != nil {
			t.Fatal(err)
		}
		mains = append(mains, m)
	}
	closed := false
	closeAll := func() {
		if !closed {
			closed = true
			for _, m := range mains {
				m.Close()
			}
		}
	}
	defer closeAll()
	const job = "delete expired sessions"
	deadline := time.Now().Add(10 * time.Second)
	var runs []sqlstore.JobRun
	for len(runs) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d runs of %q recorded", len(runs), job)
		}
		time.Sleep(50 * time.Millisecond)
		var err error
		if runs, err = sqlstore.ListJobRuns(ctx, mains[0].DB, job); err != nil {
			t.Fatal(err)
		}
	}
	holders := map[string]bool{mains[0].sched.Holder: true, mains[1].sched.Holder: true}
	for i, r := range runs {
		if !holders[r.Holder] {
			t.Errorf("run %d by %q, neither server", i, r.Holder)
		}
		if i > 0 && !r.PeriodStart.After(runs[i-1].PeriodStart) {
			t.Errorf("runs %d and %d share a period", i-1, i)
		}
	}
	closeAll()
	check, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer check.Close()
	if info, found, err := sqlstore.NewLease(check).Get(ctx, sqlstore.LeaseName(job)); err != nil || found {
		t.Errorf("after both servers stopped the lease is %+v (%v, %v); want released", info, found, err)
	}
}
