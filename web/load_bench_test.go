package web

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"trellis"
	"trellis/auth"
	"trellis/sqlstore"
)

// BenchmarkAPIRead serves the API reads of the load run (cmd/trellis-load:
// a person, a page of their journal, their readiness, each person on
// themselves with a Bearer token) through the real handler, against the
// seeded database TRELLIS_BENCH_SEEDED names (a SQLite path or a postgres://
// URL made by `trellis seed`). It creates API tokens in that database, so
// use one made for benchmarks. Without the variable it is skipped.
//
//	TRELLIS_BENCH_SEEDED=/tmp/load.db go test ./web/ -run '^$' -bench APIRead -benchmem -cpuprofile cpu.prof
func BenchmarkAPIRead(b *testing.B) {
	dsn := os.Getenv("TRELLIS_BENCH_SEEDED")
	if dsn == "" {
		b.Skip("TRELLIS_BENCH_SEEDED names no seeded database")
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	ids := benchPeople(b, db, 50)
	tokens := sqlstore.NewTokenStore(db)
	secrets := make([]string, len(ids))
	for i, id := range ids {
		tok, secret, err := auth.NewAPIToken(id, "bench", auth.ScopeWrite, time.Now().UTC(), time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		if err := tokens.CreateToken(ctx, tok); err != nil {
			b.Fatal(err)
		}
		secrets[i] = secret
	}
	srv := NewServer(Deps{
		Frameworks: sqlstore.NewFrameworkService(db),
		People:     sqlstore.NewPersonService(db),
		Audit:      sqlstore.NewAuditService(db),
		Tokens:     tokens,
		Sessions:   sqlstore.NewSessionStore(db),
		Evidence:   sqlstore.NewEvidenceService(db),
		Growth:     sqlstore.NewGrowthService(db),
		Readiness:  sqlstore.NewReadinessService(db),
		Revisions:  sqlstore.NewRevisionService(db),
		Clock:      trellis.SystemClock{},
	})
	h := srv.Handler()
	paths := []struct{ name, suffix string }{
		{"person", ""}, {"evidence", "/evidence?limit=20"}, {"readiness", "/readiness"},
	}
	serve := func(b *testing.B, i, kind int) {
		u := i % len(ids)
		req := httptest.NewRequest(http.MethodGet, "/api/v1/people/"+strconv.FormatInt(ids[u], 10)+paths[kind].suffix, nil)
		req.RemoteAddr = "127.0.0.1:1234"
		req.Header.Set("Authorization", "Bearer "+secrets[u])
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", req.URL, w.Code, w.Body)
		}
	}
	b.Run("mix", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			serve(b, i, i%len(paths))
		}
	})
	for k, p := range paths {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				serve(b, i, k)
			}
		})
	}
}

// benchPeople returns n active seeded people with a target role, spread
// over their ids, as the load run picks them.
func benchPeople(b *testing.B, db *sqlstore.DB, n int) []int64 {
	b.Helper()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `
		SELECT p.id FROM people p JOIN growth_plans g ON g.person_id = p.id
		WHERE p.active AND g.target_role_id <> '' ORDER BY p.id`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var all []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			b.Fatal(err)
		}
		all = append(all, id)
	}
	if len(all) == 0 {
		b.Skip("no seeded people with a target role")
	}
	if len(all) <= n {
		return all
	}
	picked := make([]int64, n)
	for i := range picked {
		picked[i] = all[i*len(all)/n]
	}
	return picked
}
