// Package crashtest kills the real trellis binary with SIGKILL in the middle
// of a write load and checks, after a restart on the same database, that the
// database is intact and holds every write the server acknowledged. It runs
// against SQLite, and against PostgreSQL when TRELLIS_TEST_POSTGRES is set.
package crashtest

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx"
	_ "modernc.org/sqlite"             // "sqlite"

	"trellis/sqlstore"
	"trellis/sqlstore/storetest"
)

// binary is the trellis executable, built once for the package.
var binary string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "trellis-crash-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "trellis")
	build := exec.Command("go", "build", "-o", binary, "../cmd/trellis")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building trellis: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// cli runs a verb of the binary against dsn and returns its standard output.
func cli(t *testing.T, dsn string, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, append(args, "--db", dsn)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("trellis %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

var servingLine = regexp.MustCompile(`serving at (http://\S+)`)

// serve starts `trellis serve` on dsn and returns it with its address once
// it answers /readyz.
func serve(t *testing.T, dsn string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--db", dsn, "--log-level", "warn")
	cmd.Dir = t.TempDir()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	var base string
	select {
	case base = <-found:
	case <-time.After(60 * time.Second):
		t.Fatalf("trellis did not start within 60s:\n%s", logs.String())
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return cmd, base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("trellis never became ready (%v)", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Load settings: enough concurrent writers to keep writes in flight at the
// moment of the kill, for a bounded time.
const (
	writers      = 16
	minAcked     = 100                    // acknowledged writes before the kill
	minLoad      = 700 * time.Millisecond // and at least this much load
	maxLoad      = 10 * time.Second
	writeTimeout = 10 * time.Second
)

// TestKillDuringWrites is the crash test: SIGKILL during a write load, a
// restart on the same database, an integrity check, and every acknowledged
// write found.
func TestKillDuringWrites(t *testing.T) {
	dsn := storetest.DSN(t)
	dialect := storetest.Dialect()
	cli(t, dsn, "migrate")
	cli(t, dsn, "user", "add", "--email", "load@example.com", "--name", "Load Admin", "--access", "admin")
	token := strings.TrimSpace(cli(t, dsn, "token", "create", "--email", "load@example.com", "--scope", "write"))

	server, base := serve(t, dsn)

	var (
		mu        sync.Mutex
		acked     = map[string]bool{} // answered 201
		attempted = map[string]bool{} // sent, whatever came of it
		refused   atomic.Int64        // answered, but not 2xx
		unknown   atomic.Int64        // no answer: cut off by the kill
		stop      atomic.Bool
		wg        sync.WaitGroup
	)
	client := &http.Client{Timeout: writeTimeout, Transport: &http.Transport{MaxIdleConnsPerHost: writers}}
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				email := fmt.Sprintf("crash-w%02d-%05d@example.com", w, i)
				body := fmt.Sprintf(`{"name":"Crash Writer %d %d","email":%q,"role_id":"support-engineer","teams":["load"]}`, w, i, email)
				req, _ := http.NewRequest("POST", base+"/api/v1/people", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				mu.Lock()
				attempted[email] = true
				mu.Unlock()
				resp, err := client.Do(req)
				if err != nil {
					unknown.Add(1)
					if stop.Load() {
						return
					}
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusCreated {
					mu.Lock()
					acked[email] = true
					mu.Unlock()
				} else {
					refused.Add(1)
				}
			}
		}()
	}
	start := time.Now()
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= minAcked && time.Since(start) >= minLoad {
			break
		}
		if time.Since(start) > maxLoad {
			stop.Store(true)
			wg.Wait()
			t.Fatalf("only %d writes acknowledged in %s", n, maxLoad)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := server.Process.Kill(); err != nil { // SIGKILL: no shutdown, no flush
		t.Fatal(err)
	}
	stop.Store(true)
	server.Wait()
	wg.Wait()
	client.CloseIdleConnections()
	loadTime := time.Since(start)

	// Integrity, before anything else touches the database.
	db := openRaw(t, dsn, dialect)
	if dialect == sqlstore.SQLite {
		var res string
		if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
			t.Fatalf("integrity_check after the kill: %q %v", res, err)
		}
		fk, err := db.Query(`PRAGMA foreign_key_check`)
		if err != nil {
			t.Fatal(err)
		}
		if fk.Next() {
			t.Fatal("foreign_key_check finds broken references after the kill")
		}
		fk.Close()
	}
	db.Close()

	// Restart on the same database: it starts, is ready, and takes writes.
	_, base = serve(t, dsn)
	req, _ := http.NewRequest("POST", base+"/api/v1/people", strings.NewReader(`{"name":"After Crash","email":"after-crash@example.com","role_id":"support-engineer"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("a write after the restart: %d", resp.StatusCode)
	}

	db = openRaw(t, dsn, dialect)
	defer db.Close()
	stored := map[string]bool{}
	rows, err := db.Query(`SELECT email FROM people WHERE email LIKE 'crash-%'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			t.Fatal(err)
		}
		stored[e] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var lost []string
	for e := range acked {
		if !stored[e] {
			lost = append(lost, e)
		}
	}
	if len(lost) > 0 {
		t.Errorf("%d acknowledged writes are missing after the crash, e.g. %s", len(lost), lost[0])
	}
	for e := range stored {
		if !attempted[e] {
			t.Errorf("a person nobody sent is stored: %s", e)
		}
	}
	// Nothing half-written: each person came with the audit event of the
	// same transaction, and with its teams.
	var orphans, eventless int
	if err := db.QueryRow(`SELECT count(*) FROM people p WHERE p.email LIKE 'crash-%' AND NOT EXISTS
		(SELECT 1 FROM audit_log a WHERE a.action = 'person.created' AND a.target_id = CAST(p.id AS TEXT))`).Scan(&eventless); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM audit_log a WHERE a.action = 'person.created' AND a.after LIKE '%crash-%' AND NOT EXISTS
		(SELECT 1 FROM people p WHERE CAST(p.id AS TEXT) = a.target_id)`).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if eventless > 0 || orphans > 0 {
		t.Errorf("half-written creates: %d people without their audit event, %d events without their person", eventless, orphans)
	}
	t.Logf("%s: %d writers for %s; %d writes acknowledged, %d refused, %d cut off by SIGKILL; after the restart %d of %d acknowledged found, and %d cut-off ones that had committed",
		dialect, writers, loadTime.Round(time.Millisecond), len(acked), refused.Load(), unknown.Load(), len(acked)-len(lost), len(acked), len(stored)-(len(acked)-len(lost)))
}

// openRaw opens the database with the plain driver, outside the code under
// test.
func openRaw(t *testing.T, dsn, dialect string) *sql.DB {
	t.Helper()
	driver, source := "sqlite", "file:"+dsn+"?_pragma=busy_timeout(5000)"
	if dialect == sqlstore.Postgres {
		driver, source = "pgx", dsn
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}
