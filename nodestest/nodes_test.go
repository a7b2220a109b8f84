// Package nodestest starts two real `trellis serve` processes on one
// database and drives them alternately, as a load balancer would send one
// person's requests now to one node, now to the other: sessions, writes,
// framework activation, optimistic concurrency and scheduled jobs must
// behave as on a single server. It runs against SQLite (both processes on
// one file) and, when TRELLIS_TEST_POSTGRES is set, against PostgreSQL, the
// real target of several nodes.
package nodestest

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
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
	dir, err := os.MkdirTemp("", "trellis-nodes-")
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

// jobPeriod replaces the hour of the expired-session cleanup, so that the
// test sees several periods in a few seconds.
const jobPeriod = time.Second

const cleanupJob = "delete expired sessions"

// cli runs a verb of the binary against dsn, with stdin as its input.
func cli(t *testing.T, dsn, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, append(args, "--db", dsn)...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("trellis %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// node is one running `trellis serve`.
type node struct {
	name string
	url  string
	cmd  *exec.Cmd
	logs *syncBuffer
}

var servingLine = regexp.MustCompile(`serving at (http://\S+)`)

// start runs `trellis serve` on dsn, on a loopback port of its own, and
// returns once it answers /readyz.
func start(t *testing.T, name, dsn string) *node {
	t.Helper()
	cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--db", dsn, "--log-level", "warn")
	cmd.Env = append(os.Environ(), "TRELLIS_JOB_PERIOD="+jobPeriod.String())
	cmd.Dir = t.TempDir()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	n := &node{name: name, cmd: cmd, logs: &syncBuffer{}}
	cmd.Stderr = n.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		if t.Failed() {
			t.Logf("node %s log:\n%s", name, n.logs.String())
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
	select {
	case n.url = <-found:
	case <-time.After(60 * time.Second):
		t.Fatalf("node %s did not start within 60s:\n%s", name, n.logs.String())
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(n.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return n
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %s never became ready (%v)", name, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends the node as an operator would, with SIGTERM, and waits.
func (n *node) stop(t *testing.T) {
	t.Helper()
	if err := n.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- n.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("node %s stopped with %v:\n%s", n.name, err, n.logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("node %s did not stop within 30s", n.name)
	}
}

// pid is the node's process id, which its lease holder id names.
func (n *node) pid() int { return n.cmd.Process.Pid }

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

// browser is a person's browser: it keeps the session cookie and sends it
// to whichever node it talks to, as behind a load balancer with one public
// address. Its state-changing requests carry Sec-Fetch-Site: same-origin,
// as a browser's own form posts do.
type browser struct {
	t      *testing.T
	cookie string
	client *http.Client
}

func newBrowser(t *testing.T) *browser {
	return &browser{t: t, client: &http.Client{
		Timeout:       15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("response %d is not the JSON expected: %v\n%s", r.Status, err, r.Body)
	}
}

// do sends a request to node n; header holds name, value pairs.
func (b *browser) do(n *node, method, path, body string, header ...string) response {
	b.t.Helper()
	req, err := http.NewRequest(method, n.url+path, strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	if method != "GET" {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if b.cookie != "" {
		req.AddCookie(&http.Cookie{Name: "trellis_session", Value: b.cookie})
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s on node %s: %v", method, path, n.name, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "trellis_session" {
			if c.Value == "" || c.MaxAge < 0 {
				b.cookie = ""
			} else {
				b.cookie = c.Value
			}
		}
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// want checks a response's status.
func want(t *testing.T, what string, r response, status int) response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.Status, status, r.Body)
	}
	return r
}

// signIn signs in with the form on node n.
func (b *browser) signIn(n *node, email, password string) {
	b.t.Helper()
	form := url.Values{"email": {email}, "password": {password}}.Encode()
	r := b.do(n, "POST", "/signin", form, "Content-Type", "application/x-www-form-urlencoded")
	if r.Status != http.StatusSeeOther || b.cookie == "" {
		b.t.Fatalf("sign-in on node %s: status %d, cookie %q\n%s", n.name, r.Status, b.cookie, r.Body)
	}
}

type person struct {
	ID      int64    `json:"id"`
	Email   string   `json:"email"`
	Name    string   `json:"name"`
	Teams   []string `json:"teams"`
	Version int      `json:"version"`
}

const (
	adminEmail = "ada.admin@example.com"
	password   = "two-nodes-one-trellis-2026"
)

func TestTwoNodesBehaveAsOne(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t)
	cli(t, dsn, "", "migrate")
	cli(t, dsn, password+"\n", "user", "add", "--email", adminEmail, "--name", "Ada Admin", "--access", "admin", "--password-stdin")

	// An expired session left behind: the cleanup job removes it.
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := sqlstore.NewSessionStore(db).CommitCtx(ctx, "left-behind", []byte("x"), time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}

	began := time.Now()
	a, b := start(t, "A", dsn), start(t, "B", dsn)

	// Sessions: signed in on A is signed in on B.
	ada := newBrowser(t)
	ada.signIn(a, adminEmail, password)
	var me person
	want(t, "me on B", ada.do(b, "GET", "/api/v1/me", ""), 200).json(t, &me)
	if me.Email != adminEmail {
		t.Fatalf("me on B = %+v", me)
	}
	want(t, "frameworks page on B", ada.do(b, "GET", "/frameworks", ""), 200)

	// Created on A, read on B.
	var erin person
	want(t, "create on A", ada.do(a, "POST", "/api/v1/people",
		`{"name":"Erin Engineer","email":"erin@example.com","role_id":"support-engineer","teams":["payments"]}`,
		"Content-Type", "application/json"), 201).json(t, &erin)
	var erinB person
	want(t, "read on B", ada.do(b, "GET", fmt.Sprintf("/api/v1/people/%d", erin.ID), ""), 200).json(t, &erinB)
	if erinB.Name != "Erin Engineer" || erinB.Version != erin.Version {
		t.Fatalf("B reads %+v; A wrote %+v", erinB, erin)
	}

	lostUpdates(t, ada, a, b, me.ID, erin.ID)
	keptReadsFollowWrites(t, ctx, db, dsn, ada, a, b, me.ID)
	frameworkActivation(t, ada, a, b)

	// Signed out on B: A refuses the cookie too.
	cookie := ada.cookie
	want(t, "sign out on B", ada.do(b, "POST", "/signout", ""), http.StatusSeeOther)
	old := newBrowser(t)
	old.cookie = cookie
	want(t, "the signed-out cookie on A", old.do(a, "GET", "/api/v1/me", ""), http.StatusUnauthorized)

	scheduledJobs(t, ctx, db, dsn, a, b, began)
}

// keptReadsFollowWrites checks that what a node keeps between requests (a
// token's actor, a journal page) never outlives a write made on the other
// node or outside any node.
func keptReadsFollowWrites(t *testing.T, ctx context.Context, db *sqlstore.DB, dsn string, br *browser, a, b *node, self int64) {
	token := strings.TrimSpace(cli(t, dsn, "", "token", "create", "--email", adminEmail, "--name", "kept reads"))
	bearer := []string{"Authorization", "Bearer " + token}
	list := fmt.Sprintf("/api/v1/people/%d/evidence?limit=50", self)
	first := want(t, "journal on B", br.do(b, "GET", list, "", bearer...), 200)
	if again := want(t, "journal on B again", br.do(b, "GET", list, "", bearer...), 200); string(again.Body) != string(first.Body) {
		t.Fatalf("the same journal page read twice differs:\n%s\n%s", first.Body, again.Body)
	}
	const title = "Written on A while B kept the page"
	want(t, "entry on A", br.do(a, "POST", fmt.Sprintf("/api/v1/people/%d/evidence", self),
		`{"title":"`+title+`","date":"2026-02-04","competencies":["troubleshooting"]}`, "Content-Type", "application/json"), 201)
	if after := want(t, "journal on B after A wrote", br.do(b, "GET", list, "", bearer...), 200); !strings.Contains(string(after.Body), title) {
		t.Errorf("B served a journal page kept from before A's write:\n%s", after.Body)
	}
	tokens, err := sqlstore.NewTokenStore(db).ListTokens(ctx, self)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range tokens {
		if tok.Name == "kept reads" {
			if err := sqlstore.NewTokenStore(db).RevokeToken(ctx, tok.ID, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	want(t, "the revoked token on B", br.do(b, "GET", list, "", bearer...), http.StatusUnauthorized)
	want(t, "the revoked token on A", br.do(a, "GET", list, "", bearer...), http.StatusUnauthorized)
}

// race sends two writes, one to each node, at the same moment, and returns
// their responses.
func race(t *testing.T, br *browser, a, b *node, method, path string, bodyA, bodyB string, header ...string) (ra, rb response) {
	t.Helper()
	// Each write has its own browser: the same person in two tabs.
	ba, bb := newBrowser(t), newBrowser(t)
	ba.cookie, bb.cookie = br.cookie, br.cookie
	var wg sync.WaitGroup
	gate := make(chan struct{})
	wg.Add(2)
	go func() { defer wg.Done(); <-gate; ra = ba.do(a, method, path, bodyA, header...) }()
	go func() { defer wg.Done(); <-gate; rb = bb.do(b, method, path, bodyB, header...) }()
	close(gate)
	wg.Wait()
	return ra, rb
}

// oneWins checks that of two racing writes exactly one succeeded and the
// other got 409 with the current ETag, and returns the loser's node index
// (0 for A) and that ETag.
func oneWins(t *testing.T, what string, ra, rb response) (loser int, etag string) {
	t.Helper()
	ok := func(r response) bool { return r.Status == 200 || r.Status == 201 }
	switch {
	case ok(ra) && rb.Status == http.StatusConflict:
		return 1, rb.Header.Get("ETag")
	case ok(rb) && ra.Status == http.StatusConflict:
		return 0, ra.Header.Get("ETag")
	}
	t.Fatalf("%s: A answered %d, B %d; want one success and one 409\nA: %s\nB: %s", what, ra.Status, rb.Status, ra.Body, rb.Body)
	return 0, ""
}

// lostUpdates: two clients read the same version from different nodes
// and both write; exactly one succeeds, the other gets 409, and after it
// applies its change to the current version nothing is lost.
func lostUpdates(t *testing.T, br *browser, a, b *node, self, other int64) {
	nodes := []*node{a, b}
	const merge = "application/merge-patch+json"

	// A person, with If-Match: A renames, B changes the teams.
	path := fmt.Sprintf("/api/v1/people/%d", other)
	ta := want(t, "person on A", br.do(a, "GET", path, ""), 200).Header.Get("ETag")
	tb := want(t, "person on B", br.do(b, "GET", path, ""), 200).Header.Get("ETag")
	if ta != tb || ta == "" {
		t.Fatalf("ETags %q on A and %q on B", ta, tb)
	}
	bodies := []string{`{"name":"Erin Renamed"}`, `{"teams":["payments","billing"]}`}
	ra, rb := race(t, br, a, b, "PATCH", path, bodies[0], bodies[1], "Content-Type", merge, "If-Match", ta)
	loser, etag := oneWins(t, "person PATCH", ra, rb)
	want(t, "person PATCH again", br.do(nodes[loser], "PATCH", path, bodies[loser], "Content-Type", merge, "If-Match", etag), 200)
	var p person
	want(t, "person after", br.do(nodes[1-loser], "GET", path, ""), 200).json(t, &p)
	if p.Name != "Erin Renamed" || strings.Join(p.Teams, ",") != "billing,payments" && strings.Join(p.Teams, ",") != "payments,billing" || p.Version != 3 {
		t.Errorf("person after both writes = %+v; want the new name, both teams, version 3", p)
	}

	// An evidence entry, with If-Match: A sets the title, B the result.
	var entry struct {
		ID      int64  `json:"id"`
		Title   string `json:"title"`
		Result  string `json:"result"`
		Version int    `json:"version"`
	}
	want(t, "evidence on A", br.do(a, "POST", fmt.Sprintf("/api/v1/people/%d/evidence", self),
		`{"title":"Ran the incident review","date":"2026-02-03","competencies":["troubleshooting"]}`,
		"Content-Type", "application/json"), 201).json(t, &entry)
	path = fmt.Sprintf("/api/v1/evidence/%d", entry.ID)
	ta = want(t, "evidence on A", br.do(a, "GET", path, ""), 200).Header.Get("ETag")
	tb = want(t, "evidence on B", br.do(b, "GET", path, ""), 200).Header.Get("ETag")
	if ta != tb {
		t.Fatalf("evidence ETags %q on A and %q on B", ta, tb)
	}
	bodies = []string{`{"title":"Ran the incident review, blameless"}`, `{"result":"three follow-ups shipped"}`}
	ra, rb = race(t, br, a, b, "PATCH", path, bodies[0], bodies[1], "Content-Type", merge, "If-Match", ta)
	loser, etag = oneWins(t, "evidence PATCH", ra, rb)
	want(t, "evidence PATCH again", br.do(nodes[loser], "PATCH", path, bodies[loser], "Content-Type", merge, "If-Match", etag), 200)
	want(t, "evidence after", br.do(nodes[1-loser], "GET", path, ""), 200).json(t, &entry)
	if entry.Title != "Ran the incident review, blameless" || entry.Result != "three follow-ups shipped" {
		t.Errorf("evidence after both writes = %+v; want both changes", entry)
	}

	// A growth plan, with PUT and If-Match: both create it from "v0", each
	// with a goal of its own; then both revise their goal in version 1. A
	// PUT replaces the whole plan, so the loser applies its change to the
	// plan its 409 returns.
	path = fmt.Sprintf("/api/v1/people/%d/plan", self)
	type goal struct {
		Title string `json:"title"`
	}
	type plan struct {
		Goals   []goal `json:"goals"`
		Version int    `json:"version"`
	}
	put := func(goals []goal) string {
		b, _ := json.Marshal(map[string]any{"goals": goals})
		return string(b)
	}
	edits := []func(p plan, who string) plan{
		func(p plan, who string) plan { // round 0: add a goal
			p.Goals = append(p.Goals, goal{"Goal from " + who})
			return p
		},
		func(p plan, who string) plan { // round 1: revise one's own goal
			for i, g := range p.Goals {
				if g.Title == "Goal from "+who {
					p.Goals[i].Title += ", revised"
				}
			}
			return p
		},
	}
	for round, edit := range edits {
		var pa, pb plan
		ta = want(t, "plan on A", br.do(a, "GET", path, ""), 200).Header.Get("ETag")
		tb = want(t, "plan on B", br.do(b, "GET", path, ""), 200).Header.Get("ETag")
		br.do(a, "GET", path, "").json(t, &pa)
		br.do(b, "GET", path, "").json(t, &pb)
		if ta != tb || pa.Version != pb.Version {
			t.Fatalf("plan ETags %q on A and %q on B", ta, tb)
		}
		bodies = []string{put(edit(pa, "A").Goals), put(edit(pb, "B").Goals)}
		ra, rb = race(t, br, a, b, "PUT", path, bodies[0], bodies[1], "Content-Type", "application/json", "If-Match", ta)
		loser, etag = oneWins(t, fmt.Sprintf("plan PUT, round %d", round), ra, rb)
		var conflict struct {
			Current plan `json:"current"`
		}
		[]response{ra, rb}[loser].json(t, &conflict)
		again := put(edit(conflict.Current, []string{"A", "B"}[loser]).Goals)
		want(t, "plan PUT again", br.do(nodes[loser], "PUT", path, again, "Content-Type", "application/json", "If-Match", etag), 200)
	}
	var final plan
	want(t, "plan after", br.do(b, "GET", path, ""), 200).json(t, &final)
	var titles []string
	for _, g := range final.Goals {
		titles = append(titles, g.Title)
	}
	got := strings.Join(titles, "; ")
	for _, w := range []string{"Goal from A, revised", "Goal from B, revised"} {
		if !strings.Contains(got, w) {
			t.Errorf("plan goals after the races = %q; %q is lost", got, w)
		}
	}
	if len(final.Goals) != 2 || final.Version != 4 {
		t.Errorf("plan after four successful writes: version %d, goals %q; want version 4 and two goals", final.Version, got)
	}
}

// frameworkActivation: a version imported and activated on A is the one B
// serves at once.
func frameworkActivation(t *testing.T, br *browser, a, b *node) {
	var fw struct {
		Version string `json:"version"`
	}
	want(t, "framework on B", br.do(b, "GET", "/api/v1/frameworks/support", ""), 200).json(t, &fw)
	first := fw.Version
	doc := want(t, "export on A", br.do(a, "GET", "/frameworks/support/export", ""), 200).Body
	const next = "2099.1"
	want(t, "import on A", br.do(a, "POST", "/api/v1/frameworks?version="+next, string(doc), "Content-Type", "application/yaml"), 201)
	want(t, "framework on B", br.do(b, "GET", "/api/v1/frameworks/support", ""), 200).json(t, &fw)
	if fw.Version != first {
		t.Fatalf("before activation B serves %q; want %q", fw.Version, first)
	}
	want(t, "activate on A", br.do(a, "POST", "/frameworks/support/versions/"+next+"/activate", ""), http.StatusSeeOther)
	want(t, "framework on B", br.do(b, "GET", "/api/v1/frameworks/support", ""), 200).json(t, &fw)
	if fw.Version != next {
		t.Fatalf("right after activation on A, B serves %q; want %q", fw.Version, next)
	}
	if page := want(t, "frameworks page on B", br.do(b, "GET", "/frameworks", ""), 200); !bytes.Contains(page.Body, []byte(next)) {
		t.Errorf("B's frameworks page does not name %s", next)
	}
}

// scheduledJobs: with both nodes running, the expired-session cleanup ran
// once per period on one of them, the runs the nodes' metrics count are
// the runs recorded, and when the node running it stops, the other takes
// the job over.
func scheduledJobs(t *testing.T, ctx context.Context, db *sqlstore.DB, dsn string, a, b *node, began time.Time) {
	runs := waitRuns(t, ctx, db, 3)
	holders := map[string]*node{}
	for _, r := range runs {
		n := nodeOf(t, r.Holder, a, b)
		holders[n.name] = n
		if r.FinishedAt.IsZero() && r != runs[len(runs)-1] || r.Error != "" {
			t.Errorf("run %+v did not finish well", r)
		}
	}
	for i := 1; i < len(runs); i++ {
		if !runs[i].PeriodStart.After(runs[i-1].PeriodStart) {
			t.Errorf("runs %d and %d are for periods %v and %v", i-1, i, runs[i-1].PeriodStart, runs[i].PeriodStart)
		}
	}
	// No node ran the job without recording it: the metrics of both nodes
	// add up to the runs recorded. (A run may finish between the reads, so
	// look again until they agree.)
	var counted, recorded int
	for try := 0; try < 40; try++ {
		counted = jobRunsMetric(t, a) + jobRunsMetric(t, b)
		rs, err := sqlstore.ListJobRuns(ctx, db, cleanupJob)
		if err != nil {
			t.Fatal(err)
		}
		recorded = len(rs)
		if counted == recorded {
			break
		}
		time.Sleep(jobPeriod / 20)
	}
	if counted != recorded {
		t.Fatalf("the nodes' metrics count %d runs; %d are recorded", counted, recorded)
	}
	elapsed := time.Since(began)
	if max := int(elapsed/jobPeriod) + 2; recorded > max {
		t.Errorf("%d runs in %v; at most %d periods began", recorded, elapsed, max)
	}
	if n := expiredSessions(t, dsn); n != 0 {
		t.Errorf("%d expired sessions left after the cleanup ran", n)
	}
	info, found, err := sqlstore.NewLease(db).Get(ctx, sqlstore.LeaseName(cleanupJob))
	if err != nil || !found {
		t.Fatalf("the cleanup's lease: %+v, %v, %v", info, found, err)
	}
	holder := nodeOf(t, info.Holder, a, b)
	other := a
	if holder == a {
		other = b
	}
	t.Logf("%d runs in %v, by %d node(s); node %s holds the lease", recorded, elapsed.Round(time.Millisecond), len(holders), holder.name)

	// The holder stops (and releases its lease): the other node runs the
	// next periods.
	holder.stop(t)
	deadline := time.Now().Add(10 * jobPeriod)
	for {
		rs, err := sqlstore.ListJobRuns(ctx, db, cleanupJob)
		if err != nil {
			t.Fatal(err)
		}
		if last := rs[len(rs)-1]; len(rs) > recorded && nodeOf(t, last.Holder, a, b) == other {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %s did not take the job over after node %s stopped: runs %+v", other.name, holder.name, rs)
		}
		time.Sleep(jobPeriod / 10)
	}
}

// waitRuns waits until the cleanup job has at least n recorded runs.
func waitRuns(t *testing.T, ctx context.Context, db *sqlstore.DB, n int) []sqlstore.JobRun {
	t.Helper()
	deadline := time.Now().Add(time.Duration(n+5) * jobPeriod)
	for {
		runs, err := sqlstore.ListJobRuns(ctx, db, cleanupJob)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) >= n {
			return runs
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d runs of %q recorded; want %d", len(runs), cleanupJob, n)
		}
		time.Sleep(jobPeriod / 10)
	}
}

// nodeOf returns the node a lease holder id names by its process id.
func nodeOf(t *testing.T, holder string, nodes ...*node) *node {
	t.Helper()
	parts := strings.Split(holder, "/")
	if len(parts) == 3 {
		pid, _ := strconv.Atoi(parts[1])
		for _, n := range nodes {
			if n.pid() == pid {
				return n
			}
		}
	}
	t.Fatalf("holder %q is neither node", holder)
	return nil
}

var jobRunsLine = regexp.MustCompile(`(?m)^trellis_background_job_runs_total\{job="` + cleanupJob + `",result="(\w+)"\} (\d+)$`)

// jobRunsMetric is the node's count of cleanup runs, failed ones included.
func jobRunsMetric(t *testing.T, n *node) int {
	t.Helper()
	resp, err := http.Get(n.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("metrics of node %s: %d", n.name, resp.StatusCode)
	}
	total := 0
	for _, m := range jobRunsLine.FindAllStringSubmatch(string(body), -1) {
		v, _ := strconv.Atoi(m[2])
		if m[1] != "ok" && v > 0 {
			t.Errorf("node %s: %d cleanup runs ended in %s", n.name, v, m[1])
		}
		total += v
	}
	return total
}

// expiredSessions counts the sessions stored with an expiry in the past.
func expiredSessions(t *testing.T, dsn string) int {
	t.Helper()
	driver, source := "sqlite", dsn
	if strings.HasPrefix(dsn, "postgres") {
		driver = "pgx"
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")
	if err := db.QueryRow(`SELECT count(*) FROM sessions WHERE expiry <= $1`, now).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
