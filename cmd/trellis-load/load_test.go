package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"trellis"
	"trellis/seed"
	"trellis/sqlstore"
	"trellis/web"
)

// TestRunAgainstInProcessServer seeds a small SQLite database, serves it
// in-process as trellis serve does, and runs every phase of a load for
// about a second in all: nothing fails, every kind of request is sent, and
// the figures and the server's memory (from /metrics) are reported.
func TestRunAgainstInProcessServer(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "load.db")
	db, err := sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := seed.Run(ctx, db, seed.Options{People: 60, EvidencePerPerson: 5, Seed: 1}, nil); err != nil {
		t.Fatal(err)
	}
	srv := web.NewServer(web.Deps{
		Frameworks:  sqlstore.NewFrameworkService(db),
		People:      sqlstore.NewPersonService(db),
		Audit:       sqlstore.NewAuditService(db),
		Credentials: sqlstore.NewCredentialStore(db),
		Tokens:      sqlstore.NewTokenStore(db),
		Sessions:    sqlstore.NewSessionStore(db),
		Evidence:    sqlstore.NewEvidenceService(db),
		Growth:      sqlstore.NewGrowthService(db),
		Readiness:   sqlstore.NewReadinessService(db),
		Revisions:   sqlstore.NewRevisionService(db),
		Logger:      slog.New(slog.DiscardHandler),
		Clock:       trellis.SystemClock{},
		Health:      db,
		DBStats:     db.Stats,
	})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	c := Config{Target: ts.URL, DB: path, Duration: 250 * time.Millisecond, Users: 5, Workers: 4,
		MaxRequests: 5000, Timeout: 5 * time.Second, Seed: 1}
	if err := c.check(); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	rep, err := Run(ctx, c, &log)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	var out bytes.Buffer
	rep.Print(&out)
	t.Log("\n" + out.String())
	if rep.Users != 5 {
		t.Errorf("%d users signed in, want 5", rep.Users)
	}
	if len(rep.Phases) != 6 {
		t.Fatalf("%d phases, want 6", len(rep.Phases))
	}
	// The maximum-rate phases have the trivial handler measured in turns
	// with them, just before each.
	for _, i := range []int{1, 5} {
		if p := rep.Phases[i]; p.Baseline != rep.Phases[i-1] || !p.Baseline.Trivial || p.Baseline.Total.Throughput() <= 0 {
			t.Errorf("%s: baseline %+v", p.Name, p.Baseline)
		}
	}
	for _, p := range rep.Phases {
		if p.Total.Requests() == 0 || p.Total.ErrorCount() != 0 {
			t.Errorf("%s: %d requests, errors %v; first error: %s", p.Name, p.Total.Requests(), p.Total.Errors, rep.FirstError)
		}
	}
	if rep.Phases[2].Rate < 1 || rep.Phases[3].Rate != rep.Phases[2].Rate {
		t.Errorf("half-rate phases at %d and %d req/s", rep.Phases[2].Rate, rep.Phases[3].Rate)
	}
	if rep.RSSAfter <= 0 {
		t.Errorf("resident memory not read from /metrics")
	}
	for _, want := range []string{"| trivial handler, taking turns with mix, maximum |", "| mix, half of maximum |", "x trivial", "server resident memory"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestConfigRefusesOtherHosts(t *testing.T) {
	for _, target := range []string{"http://10.0.0.1:8080", "http://example.com", "http://192.168.1.1", "ftp://127.0.0.1"} {
		c := Config{Target: target, DB: "x.db", Duration: time.Second, Users: 1, Workers: 1, MaxRequests: 1}
		if err := c.check(); err == nil {
			t.Errorf("%s accepted", target)
		}
	}
	for _, target := range []string{"http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:80", "http://127.0.0.2:9"} {
		c := Config{Target: target, DB: "x.db", Duration: time.Second, Users: 1, Workers: 1, MaxRequests: 1}
		if err := c.check(); err != nil {
			t.Errorf("%s refused: %v", target, err)
		}
	}
}

func TestMixFollowsWeights(t *testing.T) {
	users := []User{{ID: 1, Token: "t1", Cookie: "c1"}, {ID: 2, Token: "t2", Cookie: "c2"}}
	m := NewMix("http://127.0.0.1:1", users, DefaultMix, 7)
	tr := m.Targeter()
	got := map[Kind]int{}
	for range 1000 {
		target := &vegeta.Target{}
		if err := tr(target); err != nil {
			t.Fatal(err)
		}
		got[Classify(target.Method, target.URL)]++
	}
	for k, w := range DefaultMix {
		if got[k] != w*10 {
			t.Errorf("%s: %d of 1000, want %d", k, got[k], w*10)
		}
	}
}

// Every window of ten requests of the default mix holds every kind in its
// share, wherever the schedule starts: short runs are still a real mix.
func TestMixSpreadsKinds(t *testing.T) {
	for seed := uint64(0); seed < 20; seed++ {
		m := NewMix("http://127.0.0.1", []User{{ID: 1}}, DefaultMix, seed)
		for start := 0; start+10 <= len(m.schedule); start += 10 {
			count := map[Kind]int{}
			for _, k := range m.schedule[start : start+10] {
				count[k]++
			}
			want := map[Kind]int{KindAPIRead: 5, KindSearch: 2, KindPage: 2, KindWrite: 1}
			for k, n := range want {
				if count[k] != n {
					t.Fatalf("seed %d, requests %d-%d: %d %s, want %d (%v)", seed, start, start+9, count[k], k, n, m.schedule[start:start+10])
				}
			}
		}
	}
}
