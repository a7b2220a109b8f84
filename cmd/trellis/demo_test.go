package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	trellis "trellis"
	"trellis/defaults"
	"trellis/sqlstore"
	"trellis/sqlstore/storetest"
)

// TestDemoLoadsALivingOrganisation loads the demo into a fresh database,
// counts what the services hold, then serves it and reads a manager's team
// page, a readiness page and the library as the demo's people would.
func TestDemoLoadsALivingOrganisation(t *testing.T) {
	ctx := context.Background()
	cfg := DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.DB = storetest.DSN(t)
	db, err := openStore(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	start := time.Now()
	demo, err := loadDemo(cliContext(ctx), db, now)
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	t.Logf("loaded in %v: %s", time.Since(start), demo.summary())
	s := demo.sample
	people := sqlstore.NewPersonService(db)
	person := func(email string) *trellis.Person {
		t.Helper()
		p, err := people.FindPersonByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	// Journals, plans and conversations, as many as the sample holds; the
	// pairing session made evidence adds one entry to its host's journal.
	evidence, growth := sqlstore.NewEvidenceService(db), sqlstore.NewGrowthService(db)
	want, got := 1, 0
	for _, j := range s.Journals {
		want += len(j.Entries)
		page, err := evidence.ListEvidence(ctx, trellis.EvidenceFilter{PersonID: person(j.Email).ID, Limit: trellis.MaxListLimit})
		if err != nil {
			t.Fatal(err)
		}
		got += len(page.Items)
	}
	if got != want || got < 200 {
		t.Errorf("%d journal entries stored, want the sample's %d", got, want)
	}
	plans, convs, confirmed := 0, 0, 0
	seen := map[string]bool{}
	for _, p := range s.Plans {
		plan, err := growth.FindPlan(ctx, person(p.Email).ID)
		if err != nil {
			t.Fatal(err)
		}
		if plan.Version > 0 && len(plan.Goals) > 0 {
			plans++
		}
	}
	for _, c := range s.Conversations {
		if seen[c.Email] {
			continue
		}
		seen[c.Email] = true
		list, err := growth.ListConversations(ctx, person(c.Email).ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list {
			convs++
			if c.ConfirmedAt != nil {
				confirmed++
			}
		}
	}
	if plans != len(s.Plans) || plans < 25 || convs != len(s.Conversations) || confirmed == 0 || confirmed == convs {
		t.Errorf("%d plans of %d, %d conversations of %d (%d confirmed)", plans, len(s.Plans), convs, len(s.Conversations), confirmed)
	}

	// Readiness of the manager-review candidate: rated by both sides.
	dev := person("dev.demir@example.com")
	as, err := sqlstore.NewReadinessService(db).ListAssessments(ctx, dev.ID, trellis.Ref{ID: "support"}, "senior-support-engineer")
	if err != nil || len(as) != 32 {
		t.Errorf("Dev Demir has %d assessments (%v), want a self and a manager rating of each of 16 competencies", len(as), err)
	}

	// Cycles, decisions, projections, documents, the library, openings.
	cycles := sqlstore.NewCycleService(db)
	cs, err := cycles.ListCycles(ctx)
	if err != nil || len(cs) != 2 {
		t.Fatalf("%d cycles (%v), want 2", len(cs), err)
	}
	current, earlier := cs[0], cs[1] // the latest effective date first
	if p := current.PhaseAt(time.Now()); p != trellis.PhaseManagerReview {
		t.Errorf("the current cycle %s is in phase %q", current.Name, p)
	}
	ds, err := cycles.ListDecisions(ctx, earlier.ID)
	if err != nil || len(ds) != 1 || !ds[0].Approved {
		t.Errorf("decisions of %s: %v (%v), want one approval", earlier.Name, ds, err)
	}
	greta := person(defaults.DemoPromotedEarlier)
	if greta.RoleID != "senior-support-engineer" || !greta.RoleSince.Equal(earlier.Phases[trellis.PhaseEffective]) {
		t.Errorf("%s is %s since %s, want senior since %s", greta.Email, greta.RoleID, greta.RoleSince, earlier.Phases[trellis.PhaseEffective])
	}
	ps, err := cycles.ListProjections(ctx, nil)
	if err != nil || len(ps) != len(s.Projections)+2 {
		t.Errorf("%d projections (%v), want the sample's %d and two set by the workflow", len(ps), err, len(s.Projections))
	}
	docs := sqlstore.NewDocumentService(db)
	for _, st := range []string{trellis.DocDraft, trellis.DocManagerReview, trellis.DocNominated, trellis.DocInLibrary} {
		page, err := docs.ListDocuments(ctx, trellis.DocumentFilter{States: []string{st}})
		if err != nil || len(page.Items) != 1 {
			t.Errorf("%d documents in state %s (%v), want 1", len(page.Items), st, err)
		}
	}
	lib, err := docs.SearchLibrary(ctx, trellis.LibraryFilter{})
	if err != nil || len(lib.Items) != 1 || lib.Items[0].Document.PersonID != greta.ID {
		t.Errorf("library: %+v (%v), want Greta Lindqvist's document", lib.Items, err)
	}
	open, err := sqlstore.NewOpeningService(db).ListOpenings(ctx, trellis.OpeningFilter{State: trellis.OpeningOpen})
	if err != nil || len(open) != len(s.Openings) {
		t.Errorf("%d open openings (%v), want %d", len(open), err, len(s.Openings))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// What the demo's people see.
	m := &Main{Config: cfg}
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	sanna := signIn(t, m.URL(), "sanna.aalto@example.com")
	team := getPage(t, sanna, m.URL()+"/team")
	for _, want := range []string{"Dev Demir", "aims for Senior Support Engineer", "Meets", "Overdue goals", "Evidence added in"} {
		if !strings.Contains(team, want) {
			t.Errorf("the team page of Sanna Aalto lacks %q", want)
		}
	}
	readiness := getPage(t, sanna, fmt.Sprintf("%s/people/%d/readiness", m.URL(), dev.ID))
	met := regexp.MustCompile(`<strong>(\d+)</strong> of (\d+) expectations met`).FindStringSubmatch(readiness)
	if met == nil {
		t.Fatalf("Dev Demir's readiness page has no summary:\n%.2000s", readiness)
	}
	if n, _ := strconv.Atoi(met[1]); n == 0 || met[2] != "16" || !strings.Contains(readiness, "<svg") {
		t.Errorf("Dev Demir's readiness: %s of %s expectations met, radar drawn %v", met[1], met[2], strings.Contains(readiness, "<svg"))
	}
	library := getPage(t, signIn(t, m.URL(), "bruno.mensah@example.com"), m.URL()+"/library")
	if !strings.Contains(library, "Promotion to Senior Support Engineer: Greta Lindqvist") {
		t.Errorf("the library lacks Greta Lindqvist's document:\n%.2000s", library)
	}
}

// TestDemoVerbSaysWhatItLoaded runs trellis demo and reads what it prints
// until it waits for Ctrl-C: the address, the one line about the sample and
// the logins.
func TestDemoVerbSaysWhatItLoaded(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, w := io.Pipe()
	done := make(chan int, 1)
	var stderr strings.Builder
	go func() {
		done <- run(ctx, []string{"demo", "--addr", "127.0.0.1:0"}, func(string) string { return "" }, strings.NewReader(""), w, &stderr)
		w.Close()
	}()
	var lines []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.HasPrefix(sc.Text(), "Stop with Ctrl-C") {
			break
		}
	}
	cancel()
	go io.Copy(io.Discard, r)
	if code := <-done; code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, strings.Join(lines, "\n"), stderr.String())
	}
	out := strings.Join(lines, "\n")
	for _, want := range []string{"Trellis demo is ready in", "Sample: ", "journal entries", "promotion documents", defaults.DemoPassword, "sanna.aalto@example.com"} {
		if !strings.Contains(out, want) {
			t.Errorf("the demo's output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "Sample"); n != 1 {
		t.Errorf("the sample is named on %d lines:\n%s", n, out)
	}
}

// signIn returns a client signed in as the demo person with the email.
func signIn(t *testing.T, base, email string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := c.PostForm(base+"/signin", url.Values{"email": {email}, "password": {defaults.DemoPassword}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || strings.Contains(string(body), `name="password"`) {
		t.Fatalf("sign-in of %s: %d\n%.1000s", email, resp.StatusCode, body)
	}
	return c
}

func getPage(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v\n%.1000s", u, resp.StatusCode, err, body)
	}
	return string(body)
}
