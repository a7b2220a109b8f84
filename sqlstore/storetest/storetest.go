// Package storetest gives tests a real, empty database: SQLite in a
// temporary directory by default, or a fresh database on the PostgreSQL
// server named by TRELLIS_TEST_POSTGRES, dropped when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"trellis/sqlstore"
)

// EnvPostgres names the environment variable holding the URL of a
// PostgreSQL server tests may create databases on, e.g.
// postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable.
const EnvPostgres = "TRELLIS_TEST_POSTGRES"

// Dialect returns the dialect tests run against: sqlstore.Postgres when
// TRELLIS_TEST_POSTGRES is set, sqlstore.SQLite otherwise.
func Dialect() string {
	if os.Getenv(EnvPostgres) != "" {
		return sqlstore.Postgres
	}
	return sqlstore.SQLite
}

// Open returns a migrated, empty database that is closed (and on
// PostgreSQL dropped) when the test ends.
func Open(t testing.TB) *sqlstore.DB {
	t.Helper()
	dsn := DSN(t)
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("storetest: migrate: %v", err)
	}
	return db
}

// DSN returns the DSN of a new, empty database without schema, for tests
// that open it themselves (a server started with --db, a second node on the
// same database). On PostgreSQL the database is dropped when the test ends,
// after the test's own cleanups have closed their connections.
func DSN(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(EnvPostgres)
	if admin == "" {
		return filepath.Join(t.TempDir(), "trellis.db")
	}
	return createPostgres(t, admin)
}

func createPostgres(t testing.TB, admin string) string {
	t.Helper()
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("storetest: %s is not a URL: %v", EnvPostgres, err)
	}
	name := "trellis_test_" + randomHex(8)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := adminExec(ctx, admin, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("storetest: create database on %s: %v", sqlstore.MaskDSN(admin), err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := adminExec(ctx, admin, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("storetest: drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// adminExec runs one statement on the admin database over a connection of
// its own; CREATE and DROP DATABASE cannot run in a transaction.
func adminExec(ctx context.Context, admin, stmt string) error {
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, stmt)
	return err
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
