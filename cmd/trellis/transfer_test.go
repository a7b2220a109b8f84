package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"trellis/sqlstore"
)

func countRows(t *testing.T, dsn, table string) int {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestExportAllImportAll moves a seeded SQLite instance into a new
// database (PostgreSQL when TRELLIS_TEST_POSTGRES is set) with the two
// verbs, and refuses what it must.
func TestExportAllImportAll(t *testing.T) {
	env, path := sqliteEnv(t)
	if code, _, stderr := trellisCmd(t, env, "seed", "--people", "20", "--evidence-per-person", "3"); code != 0 {
		t.Fatal(stderr)
	}
	file := filepath.Join(t.TempDir(), "trellis-export.jsonl.gz")
	code, stdout, stderr := trellisCmd(t, env, "export-all", file)
	if code != 0 || !strings.Contains(stdout, "exported ") || !strings.Contains(stderr, "people") {
		t.Fatalf("export-all: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := trellisCmd(t, env, "export-all", file); code != 1 || !strings.Contains(stderr, "--force") {
		t.Errorf("export-all over an existing file: exit %d %s", code, stderr)
	}
	if code, _, stderr := trellisCmd(t, env, "export-all", file, "--force"); code != 0 {
		t.Errorf("export-all --force: exit %d %s", code, stderr)
	}
	if code, _, stderr := trellisCmd(t, env, "export-all", filepath.Join(t.TempDir(), "x.gz"), "--db", filepath.Join(t.TempDir(), "missing.db")); code != 1 || !strings.Contains(stderr, "no database") {
		t.Errorf("export-all of a missing database: exit %d %s", code, stderr)
	}

	// What is not an export is refused, and the new SQLite file it would
	// have gone into is not left behind.
	junk := writeFile(t, "junk.gz", "not an export\n")
	target := filepath.Join(t.TempDir(), "new.db")
	if code, _, stderr := trellisCmd(t, nil, "import-all", junk, "--db", target); code != 1 || !strings.Contains(stderr, "not a Trellis export") {
		t.Errorf("import-all of junk: exit %d %s", code, stderr)
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Errorf("a refused import left %s behind (%v)", target, err)
	}

	dst := storetestDSN(t)
	code, stdout, stderr = trellisCmd(t, nil, "import-all", file, "--db", dst)
	if code != 0 || !strings.Contains(stdout, "imported ") {
		t.Fatalf("import-all: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, table := range []string{"people", "evidence", "frameworks", "audit_log"} {
		if a, b := countRows(t, path, table), countRows(t, dst, table); a != b || a == 0 {
			t.Errorf("%s: %d rows before the move, %d after", table, a, b)
		}
	}
	// The moved instance is usable by the other verbs.
	if code, _, stderr := trellisCmd(t, map[string]string{"TRELLIS_DB": dst}, "user", "add", "--email", "after@example.com", "--name", "After Move"); code != 0 {
		t.Errorf("user add after the move: exit %d %s", code, stderr)
	}
	// A second import into the now full database is refused.
	if code, _, stderr := trellisCmd(t, nil, "import-all", file, "--db", dst); code != 1 || !strings.Contains(stderr, "not empty") {
		t.Errorf("import-all into a full database: exit %d %s", code, stderr)
	}
	if code, _, stderr := trellisCmd(t, nil, "import-all", "--db", dst); code != 2 {
		t.Errorf("import-all without FILE: exit %d %s", code, stderr)
	}
}
