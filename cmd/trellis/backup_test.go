package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	trellis "trellis"
	"trellis/auth"
	"trellis/sqlstore"
)

// sqliteEnv is the environment of verbs on a SQLite file of the test's own
// (backup and restore are for SQLite whatever TRELLIS_TEST_POSTGRES says).
func sqliteEnv(t *testing.T) (map[string]string, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "trellis.db")
	env := map[string]string{"TRELLIS_DB": path}
	if code, _, stderr := trellisCmd(t, env, "migrate"); code != 0 {
		t.Fatal(stderr)
	}
	return env, path
}

func personExists(t *testing.T, dsn, email string) bool {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = sqlstore.NewPersonService(db).FindPersonByEmail(context.Background(), email)
	if err != nil && trellis.ErrorCode(err) != trellis.ENOTFOUND {
		t.Fatal(err)
	}
	return err == nil
}

// TestBackupWhileServingAndRestore: backup runs while the server serves;
// restore refuses while it serves and, once it stopped, brings the
// database back to the backup.
func TestBackupWhileServingAndRestore(t *testing.T) {
	env, path := sqliteEnv(t)
	if code, _, stderr := trellisCmd(t, env, "user", "add", "--email", "before@example.com", "--name", "Before Backup"); code != 0 {
		t.Fatal(stderr)
	}
	m := &Main{Config: DefaultConfig()}
	m.Config.Addr = "127.0.0.1:0"
	m.Config.DB = path
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			m.Close()
		}
	}()

	backup := filepath.Join(t.TempDir(), "trellis-backup.db")
	code, stdout, stderr := trellisCmd(t, env, "backup", backup)
	if code != 0 || !strings.Contains(stdout, "backup written to "+backup) || !strings.Contains(stdout, "people 1,") {
		t.Fatalf("backup: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := trellisCmd(t, env, "backup", backup); code != 1 || !strings.Contains(stderr, "--force") {
		t.Errorf("backup over an existing file: exit %d %s", code, stderr)
	}
	if code, _, stderr := trellisCmd(t, env, "backup", backup, "--force"); code != 0 {
		t.Errorf("backup --force: exit %d %s", code, stderr)
	}
	if code, _, stderr := trellisCmd(t, env, "backup"); code != 2 {
		t.Errorf("backup without FILE: exit %d %s", code, stderr)
	}
	// A person added after the backup, through the running server's store.
	if err := sqlstore.NewPersonService(m.DB).CreatePerson(context.Background(), &trellis.Person{Email: "after@example.com", Name: "After Backup",
		RoleID: "support-engineer", Access: trellis.AccessEngineer, Active: true}); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = trellisCmd(t, env, "restore", backup)
	if code != 1 || !strings.Contains(stderr, "in use") {
		t.Fatalf("restore while serving: exit %d %s", code, stderr)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	closed = true
	if !personExists(t, path, "after@example.com") {
		t.Fatal("the refused restore changed the database")
	}
	code, stdout, stderr = trellisCmd(t, env, "restore", backup)
	if code != 0 || !strings.Contains(stdout, "restored "+path) {
		t.Fatalf("restore: exit %d\n%s%s", code, stdout, stderr)
	}
	if !personExists(t, path, "before@example.com") || personExists(t, path, "after@example.com") {
		t.Error("the restored database is not the backup")
	}
}

func TestRestoreRefusesWhatIsNotABackup(t *testing.T) {
	env, path := sqliteEnv(t)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	junk := make([]byte, 8192)
	rand.Read(junk)
	for _, file := range []string{writeFile(t, "random.db", string(junk)), writeFile(t, "notes.txt", "hello"), filepath.Join(t.TempDir(), "missing.db")} {
		code, stdout, stderr := trellisCmd(t, env, "restore", file)
		if code != 1 {
			t.Errorf("restore %s: exit %d\n%s%s", file, code, stdout, stderr)
		}
		if !strings.Contains(file, "missing") && !strings.Contains(stderr, "not a Trellis backup") {
			t.Errorf("restore %s: %s", file, stderr)
		}
		if now, _ := os.ReadFile(path); !bytes.Equal(now, before) {
			t.Fatalf("restore %s changed the database", file)
		}
	}
}

func TestBackupOnPostgresShowsPgDump(t *testing.T) {
	env := map[string]string{"TRELLIS_DB": "postgres://trellis:hunter2@db.internal:5432/trellis"}
	for _, verb := range []string{"backup", "restore"} {
		code, _, stderr := trellisCmd(t, env, verb, "trellis.dump")
		if code != 1 || !strings.Contains(stderr, "pg_dump --format=custom") || !strings.Contains(stderr, "pg_restore") {
			t.Errorf("%s on PostgreSQL: exit %d\n%s", verb, code, stderr)
		}
		if strings.Contains(stderr, "hunter2") {
			t.Errorf("%s on PostgreSQL shows the password", verb)
		}
	}
	code, _, stderr := trellisCmd(t, map[string]string{"TRELLIS_DB": filepath.Join(t.TempDir(), "none.db")}, "backup", filepath.Join(t.TempDir(), "b.db"))
	if code != 1 || !strings.Contains(stderr, "no database") {
		t.Errorf("backup of a missing database: exit %d %s", code, stderr)
	}
}

// TestGracefulShutdown: Close lets a request that is mid-way through its
// body finish with its normal status, while the listener is already closed
// to new connections.
func TestGracefulShutdown(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trellis.db")
	m := &Main{Config: DefaultConfig()}
	m.Config.Addr = "127.0.0.1:0"
	m.Config.DB = path
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	admin := &trellis.Person{Email: "ada@example.com", Name: "Ada Admin", RoleID: "support-engineer", Access: trellis.AccessAdmin, Active: true}
	if err := sqlstore.NewPersonService(m.DB).CreatePerson(ctx, admin); err != nil {
		t.Fatal(err)
	}
	tok, secret, err := auth.NewAPIToken(admin.ID, "test", auth.ScopeWrite, time.Now().UTC(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := sqlstore.NewTokenStore(m.DB).CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	base := m.URL()
	addr := strings.TrimPrefix(base, "http://")

	// A person's JSON, sent in two halves with the server waiting between.
	body := `{"name":"Slow Sender","email":"slow@example.com","role_id":"support-engineer"}`
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", base+"/api/v1/people", pr)
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = int64(len(body))
	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- result{status: resp.StatusCode, body: string(b)}
	}()
	if _, err := pw.Write([]byte(body[:20])); err != nil {
		t.Fatal(err)
	}
	// The request is in its handler once the in-flight gauge counts it
	// beside the scrape itself.
	inFlight := regexp.MustCompile(`(?m)^trellis_http_requests_in_flight (\d+)`)
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := httpGet(base+"/metrics", "")
		if err != nil {
			t.Fatal(err)
		}
		if mm := inFlight.FindStringSubmatch(resp.body); mm != nil {
			if n, _ := strconv.Atoi(mm[1]); n >= 2 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the slow request never reached its handler:\n%s", resp.body)
		}
		time.Sleep(10 * time.Millisecond)
	}

	closeErr := make(chan error, 1)
	go func() { closeErr <- m.Close() }()
	// New connections are refused as soon as shutdown begins.
	deadline = time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections after Close began")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-closeErr:
		t.Fatalf("Close returned (%v) before the in-flight request finished", err)
	case <-time.After(100 * time.Millisecond):
	}
	if _, err := pw.Write([]byte(body[20:])); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	select {
	case r := <-got:
		if r.err != nil || r.status != http.StatusCreated || !strings.Contains(r.body, "slow@example.com") {
			t.Fatalf("in-flight request: %d %v\n%s", r.status, r.err, r.body)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the in-flight request did not finish")
	}
	select {
	case err := <-closeErr:
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Close did not return after the last request finished")
	}
	if !personExists(t, path, "slow@example.com") {
		t.Error("the person of the in-flight request is not stored")
	}
}
