package sqlstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"trellis"
	"trellis/sqlstore"
	"trellis/sqlstore/storetest"
)

func sqliteOnly(t *testing.T) {
	t.Helper()
	if storetest.Dialect() != sqlstore.SQLite {
		t.Skip("trellis backup and restore are for SQLite; PostgreSQL uses pg_dump")
	}
}

// rawCount counts rows of table in the SQLite file at path, opened by the
// plain driver so that the check does not lean on the code under test.
func rawCount(t *testing.T, path, table string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatalf("count %s in %s: %v", table, path, err)
	}
	return n
}

func integrityCheck(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check of %s: %q %v", path, res, err)
	}
}

// TestBackupDuringWrites takes a backup while writers keep adding people:
// the copy opens, is intact, holds every person whose write was
// acknowledged before the backup began, and is a snapshot (each person
// with the audit event written in the same transaction).
func TestBackupDuringWrites(t *testing.T) {
	sqliteOnly(t)
	e := newEnv(t)
	ctx := context.Background()

	var (
		mu    sync.Mutex
		acked = map[string]time.Time{} // email -> when its write returned
		stop  atomic.Bool
		wg    sync.WaitGroup
		n     atomic.Int64
	)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				email := fmt.Sprintf("w%d-%d@example.com", w, i)
				p := &trellis.Person{Email: email, Name: "Writer " + email, RoleID: "support-engineer", Access: trellis.AccessEngineer, Active: true}
				if err := e.people.CreatePerson(e.ctx, p); err != nil {
					t.Errorf("create %s: %v", email, err)
					return
				}
				mu.Lock()
				acked[email] = time.Now()
				mu.Unlock()
				n.Add(1)
			}
		}()
	}
	for n.Load() < 50 { // let the load build up
		time.Sleep(5 * time.Millisecond)
	}
	dest := filepath.Join(t.TempDir(), "backup.db")
	began := time.Now()
	info, err := e.db.Backup(ctx, dest, sqlstore.BackupOptions{})
	ended := time.Now()
	time.Sleep(20 * time.Millisecond) // writes go on after the backup
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if info.Path != dest || info.Size == 0 || info.Frameworks != 1 {
		t.Errorf("info = %+v", info)
	}
	integrityCheck(t, dest)

	var before, during, after int
	for _, at := range acked {
		switch {
		case at.Before(began):
			before++
		case at.After(ended):
			after++
		default:
			during++
		}
	}
	people := rawCount(t, dest, "people")
	if people < before+1 { // +1: the admin
		t.Errorf("backup has %d people; %d were acknowledged before it began", people, before+1)
	}
	b, err := sqlstore.Open(ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ps := sqlstore.NewPersonService(b)
	missing := 0
	for email, at := range acked {
		if at.Before(began) {
			if _, err := ps.FindPersonByEmail(ctx, email); err != nil {
				missing++
			}
		}
	}
	if missing > 0 {
		t.Errorf("%d people acknowledged before the backup are missing from it", missing)
	}
	events := rawCount(t, dest, "audit_log WHERE action = 'person.created'")
	if events != people {
		t.Errorf("backup has %d people and %d person.created events: not one snapshot", people, events)
	}
	total := len(acked) + 1 // and the admin
	if people >= total {
		t.Errorf("backup has %d people, the database %d: the load did not go on during the backup", people, total)
	}
	t.Logf("acknowledged before the backup %d, during %d, after %d; backup holds %d people of %d", before, during, after, people, total)
}

func TestBackupRefusesExistingFile(t *testing.T) {
	sqliteOnly(t)
	e := newEnv(t)
	ctx := context.Background()
	dest := filepath.Join(t.TempDir(), "backup.db")
	if err := os.WriteFile(dest, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := e.db.Backup(ctx, dest, sqlstore.BackupOptions{})
	if trellis.ErrorCode(err) != trellis.EINVALID || !strings.Contains(trellis.ErrorMessage(err), "--force") {
		t.Fatalf("backup over an existing file: %v", err)
	}
	if b, _ := os.ReadFile(dest); string(b) != "keep me" {
		t.Fatalf("the existing file was changed: %q", b)
	}
	if _, err := e.db.Backup(ctx, dest, sqlstore.BackupOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	integrityCheck(t, dest)
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(dest), ".*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
	if _, err := e.db.Backup(ctx, filepath.Join(t.TempDir(), "no", "such", "dir.db"), sqlstore.BackupOptions{}); trellis.ErrorCode(err) != trellis.EINVALID {
		t.Errorf("backup into a missing directory: %v", err)
	}
}

func TestBackupPostgresNamesPgDump(t *testing.T) {
	msg := sqlstore.PostgresBackupHelp("postgres://trellis:secret@db.internal/trellis")
	for _, want := range []string{"pg_dump --format=custom", "pg_restore", "postgres://trellis:xxxxx@db.internal/trellis"} {
		if !strings.Contains(msg, want) {
			t.Errorf("help lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "secret") {
		t.Error("help shows the password")
	}
	if storetest.Dialect() != sqlstore.Postgres {
		return
	}
	db := storetest.Open(t)
	_, err := db.Backup(context.Background(), filepath.Join(t.TempDir(), "b.db"), sqlstore.BackupOptions{})
	if trellis.ErrorCode(err) != trellis.EINVALID || !strings.Contains(err.Error(), "pg_dump") {
		t.Fatalf("backup on PostgreSQL: %v", err)
	}
}

// TestRestoreRoundTrip backs up, changes the database, restores the backup
// and finds the database as it was at the backup.
func TestRestoreRoundTrip(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "trellis.db")
	db := openMigrated(t, path)
	people := sqlstore.NewPersonService(db)
	if _, err := sqlstore.NewFrameworkService(db).ImportFramework(ctx, testFramework("support", "1"), false); err != nil {
		t.Fatal(err)
	}
	add := func(email string) {
		p := &trellis.Person{Email: email, Name: "N " + email, RoleID: "support-engineer", Access: trellis.AccessEngineer, Active: true}
		if err := people.CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	add("kept@example.com")
	backup := filepath.Join(dir, "backup.db")
	var progress bytes.Buffer
	if _, err := db.Backup(ctx, backup, sqlstore.BackupOptions{Progress: &progress}); err != nil {
		t.Fatal(err)
	}
	add("after@example.com")

	// While the database is open, restore refuses and changes nothing.
	release, err := db.Pin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = sqlstore.Restore(ctx, path, backup, sqlstore.BackupOptions{})
	if trellis.ErrorCode(err) != trellis.EINVALID || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("restore into a database in use: %v", err)
	}
	if _, err := people.FindPersonByEmail(ctx, "after@example.com"); err != nil {
		t.Fatalf("after a refused restore: %v", err)
	}
	release()
	db.Close()

	info, err := sqlstore.Restore(ctx, path, backup, sqlstore.BackupOptions{Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if info.People != 1 || info.Frameworks != 1 {
		t.Errorf("info = %+v", info)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(path + suffix); err == nil {
			t.Errorf("%s left behind after the restore", path+suffix)
		}
	}
	integrityCheck(t, path)
	db = openMigrated(t, path)
	defer db.Close()
	people = sqlstore.NewPersonService(db)
	if _, err := people.FindPersonByEmail(ctx, "kept@example.com"); err != nil {
		t.Errorf("restored database lacks the person from before the backup: %v", err)
	}
	if _, err := people.FindPersonByEmail(ctx, "after@example.com"); trellis.ErrorCode(err) != trellis.ENOTFOUND {
		t.Errorf("restored database has the person added after the backup: %v", err)
	}
	// Restoring into a path with no database yet works too.
	fresh := filepath.Join(dir, "fresh.db")
	if _, err := sqlstore.Restore(ctx, "sqlite:"+fresh, backup, sqlstore.BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := rawCount(t, fresh, "people"); n != 1 {
		t.Errorf("fresh restore has %d people", n)
	}
}

// TestRestoreRefusesNonBackups: a random file, an empty file, a SQLite
// database Trellis did not write, and a missing file are refused, and the
// database is left byte for byte as it was.
func TestRestoreRefusesNonBackups(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "trellis.db")
	db := openMigrated(t, path)
	if _, err := sqlstore.NewFrameworkService(db).ImportFramework(ctx, testFramework("support", "1"), false); err != nil {
		t.Fatal(err)
	}
	db.Close()
	original, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	random := filepath.Join(dir, "random.bin")
	b := make([]byte, 64<<10)
	rand.Read(b)
	os.WriteFile(random, b, 0o644)
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o644)
	other := filepath.Join(dir, "other.db")
	odb, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := odb.Exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('hi')`); err != nil {
		t.Fatal(err)
	}
	odb.Close()
	// A database with a frameworks table but no migration table is not ours either.
	lookalike := filepath.Join(dir, "lookalike.db")
	ldb, _ := sql.Open("sqlite", lookalike)
	if _, err := ldb.Exec(`CREATE TABLE frameworks (id TEXT)`); err != nil {
		t.Fatal(err)
	}
	ldb.Close()
	truncated := filepath.Join(dir, "truncated.db")
	os.WriteFile(truncated, original[:len(original)/3], 0o644)

	for name, file := range map[string]string{"random": random, "empty": empty, "other sqlite": other,
		"lookalike": lookalike, "truncated": truncated, "missing": filepath.Join(dir, "nope.db"), "directory": dir} {
		_, err := sqlstore.Restore(ctx, path, file, sqlstore.BackupOptions{})
		if trellis.ErrorCode(err) != trellis.EINVALID {
			t.Errorf("%s: restore gave %v, want a refusal", name, err)
			continue
		}
		if name != "missing" && !strings.Contains(err.Error(), "not a Trellis backup") {
			t.Errorf("%s: message %q does not say it is not a Trellis backup", name, err)
		}
		now, _ := os.ReadFile(path)
		if !bytes.Equal(now, original) {
			t.Fatalf("%s: the database changed after a refused restore", name)
		}
	}
	if _, err := sqlstore.Restore(ctx, "postgres://u:secret@localhost/db", other, sqlstore.BackupOptions{}); trellis.ErrorCode(err) != trellis.EINVALID ||
		!strings.Contains(err.Error(), "pg_restore") || strings.Contains(err.Error(), "secret") {
		t.Errorf("restore into PostgreSQL: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func openMigrated(t *testing.T, path string) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestReady(t *testing.T) {
	db := storetest.Open(t)
	if err := db.Ready(context.Background()); err != nil {
		t.Fatalf("a migrated database: %v", err)
	}
	bare, err := sqlstore.Open(context.Background(), storetest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer bare.Close()
	if err := bare.Ready(context.Background()); trellis.ErrorCode(err) != trellis.EUNAVAILABLE {
		t.Errorf("a database without migrations: %v", err)
	}
	db.Close()
	if err := db.Ready(context.Background()); trellis.ErrorCode(err) != trellis.EUNAVAILABLE {
		t.Errorf("a closed database: %v", err)
	}
}
