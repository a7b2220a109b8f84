package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"trellis"
	"trellis/sqlstore"
	"trellis/sqlstore/storetest"
)

func TestOpenMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := storetest.DSN(t)

	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if db.Dialect != storetest.Dialect() {
		t.Errorf("Dialect = %q, want %q", db.Dialect, storetest.Dialect())
	}
	fresh, err := db.Migrate(ctx)
	if err != nil || !fresh {
		t.Fatalf("first Migrate = %v, %v; want true, nil", fresh, err)
	}
	fresh, err = db.Migrate(ctx)
	if err != nil || fresh {
		t.Fatalf("second Migrate = %v, %v; want false, nil", fresh, err)
	}
	// The schema is there: a service works on it.
	if _, err := sqlstore.NewFrameworkService(db).ImportFramework(ctx, testFramework("support", "1"), false); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fresh, err = db.Migrate(ctx)
	if err != nil || fresh {
		t.Fatalf("Migrate after reopening = %v, %v; want false, nil", fresh, err)
	}
	list, err := sqlstore.NewFrameworkService(db).ListFrameworks(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("ListFrameworks after reopening = %v, %v; want the one framework", list, err)
	}
}

func TestOpenSQLiteForms(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	for _, dsn := range []string{
		filepath.Join(dir, "plain.db"),
		"sqlite:" + filepath.Join(dir, "prefixed.db"),
		"file:" + filepath.Join(dir, "uri.db"),
	} {
		t.Run(dsn, func(t *testing.T) {
			db, err := sqlstore.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if db.Dialect != sqlstore.SQLite {
				t.Errorf("Dialect = %q, want sqlite", db.Dialect)
			}
			raw := sqlstore.RawDB(db)
			for pragma, want := range map[string]string{
				"journal_mode": "wal",
				"foreign_keys": "1",
				"busy_timeout": "5000",
				"synchronous":  "1", // NORMAL
			} {
				var got string
				if err := raw.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Errorf("PRAGMA %s = %q, want %q", pragma, got, want)
				}
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestOpenSQLiteInMemory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if fresh, err := db.Migrate(ctx); err != nil || !fresh {
		t.Fatalf("Migrate = %v, %v", fresh, err)
	}
	s := sqlstore.NewFrameworkService(db)
	mustImport(t, s, testFramework("support", "1"), false)
	if _, _, err := s.FindFramework(ctx, trellis.Ref{ID: "support"}); err != nil {
		t.Fatal(err)
	}
}

func TestOpenUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("postgres port with nobody listening", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()

		dsn := fmt.Sprintf("postgres://alice:s3cret-pw@127.0.0.1:%d/trellis?sslmode=disable", port)
		_, err = sqlstore.Open(ctx, dsn)
		if code := trellis.ErrorCode(err); code != trellis.EUNAVAILABLE {
			t.Fatalf("Open: %v (code %q), want %s", err, code, trellis.EUNAVAILABLE)
		}
		msg := trellis.ErrorMessage(err)
		wantDSN := fmt.Sprintf("postgres://alice:xxxxx@127.0.0.1:%d/trellis?sslmode=disable", port)
		if !strings.Contains(msg, wantDSN) {
			t.Errorf("message %q does not name the masked DSN %q", msg, wantDSN)
		}
		if strings.Contains(msg, "s3cret") {
			t.Errorf("message %q shows the password", msg)
		}
		if !strings.Contains(msg, "connection refused") {
			t.Errorf("message %q does not give the reason", msg)
		}
	})

	t.Run("sqlite file in a missing directory", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "no", "such", "dir")
		for _, dsn := range []string{
			filepath.Join(missing, "trellis.db"),
			"sqlite:" + filepath.Join(missing, "trellis.db"),
			"file:" + filepath.Join(missing, "trellis.db"),
		} {
			_, err := sqlstore.Open(ctx, dsn)
			if code := trellis.ErrorCode(err); code != trellis.EUNAVAILABLE {
				t.Fatalf("Open(%s): %v (code %q), want %s", dsn, err, code, trellis.EUNAVAILABLE)
			}
			msg := trellis.ErrorMessage(err)
			if !strings.Contains(msg, dsn) || !strings.Contains(msg, missing+" does not exist") {
				t.Errorf("Open(%s) message %q; want the DSN and that the directory does not exist", dsn, msg)
			}
		}
	})

	t.Run("unsupported scheme", func(t *testing.T) {
		_, err := sqlstore.Open(ctx, "mysql://root:pw@localhost/trellis")
		if code := trellis.ErrorCode(err); code != trellis.EINVALID {
			t.Fatalf("Open: %v (code %q), want %s", err, code, trellis.EINVALID)
		}
		if strings.Contains(err.Error(), "pw@") {
			t.Errorf("message %q shows the password", err)
		}
	})
}

func TestMaskDSN(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"postgres://user:secret@host/db", "postgres://user:xxxxx@host/db"},
		{"postgresql://user:p%40ss@host:5432/db?sslmode=disable", "postgresql://user:xxxxx@host:5432/db?sslmode=disable"},
		{"postgres://user@host/db", "postgres://user@host/db"},
		{"postgres://user:pa@ss@host/db", "postgres://user:xxxxx@host/db"},
		{"postgres://host/db?password=secret&sslmode=disable", "postgres://host/db?password=xxxxx&sslmode=disable"},
		{"host=db user=u password=secret dbname=t", "host=db user=u password=xxxxx dbname=t"},
		{"trellis.db", "trellis.db"},
		{"sqlite:/var/lib/trellis/trellis.db", "sqlite:/var/lib/trellis/trellis.db"},
	} {
		if got := sqlstore.MaskDSN(tt.in); got != tt.want {
			t.Errorf("MaskDSN(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTranslate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.Open(t)
	raw := sqlstore.RawDB(db)
	now := "2026-01-01T00:00:00.000000Z"

	// A framework whose active version points at a missing version breaks
	// the deferred reference at commit.
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO frameworks (id, active_version, created_at) VALUES ($1, $2, $3)`, "x", "1", now)
	if err == nil {
		err = tx.Commit()
	} else {
		tx.Rollback()
	}
	if code := trellis.ErrorCode(sqlstore.Translate(err)); code != trellis.ERULE {
		t.Errorf("dangling reference: %v translates to %q, want %s", err, code, trellis.ERULE)
	}

	if _, err := sqlstore.NewFrameworkService(db).ImportFramework(ctx, testFramework("support", "1"), false); err != nil {
		t.Fatal(err)
	}
	_, err = raw.ExecContext(ctx, `INSERT INTO frameworks (id, active_version, created_at) VALUES ($1, $2, $3)`, "support", "1", now)
	if code := trellis.ErrorCode(sqlstore.Translate(err)); code != trellis.ECONFLICT {
		t.Errorf("duplicate key: %v translates to %q, want %s", err, code, trellis.ECONFLICT)
	}

	err = raw.QueryRowContext(ctx, `SELECT id FROM frameworks WHERE id = $1`, "none").Scan(new(string))
	if code := trellis.ErrorCode(sqlstore.Translate(err)); code != trellis.ENOTFOUND {
		t.Errorf("no rows: %v translates to %q, want %s", err, code, trellis.ENOTFOUND)
	}

	domain := trellis.Errorf(trellis.EFORBIDDEN, "no")
	if got := sqlstore.Translate(domain); got != error(domain) {
		t.Errorf("a domain error changed in translation: %v", got)
	}
	if got := sqlstore.Translate(context.Canceled); !errors.Is(got, context.Canceled) {
		t.Errorf("context.Canceled translates to %v", got)
	}
	if sqlstore.Translate(nil) != nil {
		t.Error("nil translates to an error")
	}
}

func TestTxNowUsesClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.Open(t)
	at := time.Date(2026, 3, 4, 5, 6, 7, 891234567, time.FixedZone("X", 3600))
	db.Clock = &trellis.FixedClock{T: at}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	want := at.UTC().Truncate(time.Microsecond)
	if got := tx.Now(); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("tx.Now() = %v, want %v in UTC", got, want)
	}
}
