package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"trellis"
	"trellis/forge"
	"trellis/forge/forgetest"
	"trellis/sqlstore"
)

const testForgeKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

// testForge is the syncer of the test servers: a store with a secret key,
// short timeouts, and the people's frameworks for the mapping.
func testForge(t testing.TB, db *sqlstore.DB) *forge.Syncer {
	t.Helper()
	sealer, err := forge.NewSealer(testForgeKey)
	if err != nil {
		t.Fatal(err)
	}
	return &forge.Syncer{Store: sqlstore.NewForgeStore(db, sealer), Timeout: 2 * time.Second,
		Framework: forge.PersonFramework(sqlstore.NewPersonService(db), sqlstore.NewFrameworkService(db))}
}

// forgeFixture is the engineer's connection (to an address that answers
// nothing) and two imported items, for the route table.
type forgeFixture struct {
	connections, imports, remove, accept, dismiss string
}

func newForgeFixture(t *testing.T, e *env, o *fixtureOrg) *forgeFixture {
	t.Helper()
	ctx := context.Background()
	self := o.people[actSelf]
	st := e.deps.Forge.Store
	a := &forge.Account{PersonID: self.ID, Kind: forge.GitLab, BaseURL: "http://127.0.0.1:1", Username: "engineer", Token: "glpat-x"}
	if err := st.AddAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := 1; i <= 2; i++ {
		it := &forge.Item{PersonID: self.ID, Kind: forge.GitLab, BaseURL: a.BaseURL, ExternalID: fmt.Sprintf("mr:%d", i), Type: forge.MergeRequest,
			URL: fmt.Sprintf("https://gitlab.example.com/support/tools/-/merge_requests/%d", i), Title: fmt.Sprintf("Fix the export timeout %d", i),
			MergedAt: time.Now().Add(-48 * time.Hour), UpdatedAt: time.Now().Add(-48 * time.Hour), Activity: "bug-fix"}
		if _, err := st.SaveItems(ctx, a.ID, forge.StreamMergeRequests, it.UpdatedAt, []*forge.Item{it}); err != nil {
			t.Fatal(err)
		}
	}
	page, err := st.ListItems(ctx, forge.ItemFilter{PersonID: self.ID})
	if err != nil || len(page.Items) != 2 {
		t.Fatal(page, err)
	}
	for _, it := range page.Items {
		ids = append(ids, it.ID)
	}
	base := personURL(self.ID)
	return &forgeFixture{connections: base + "/connections", imports: base + "/imports",
		remove: fmt.Sprintf("%s/connections/%d/delete", base, a.ID),
		accept: fmt.Sprintf("%s/imports/%d/accept", base, ids[0]), dismiss: fmt.Sprintf("%s/imports/%d/dismiss", base, ids[1])}
}

// forgeEnv is a server with an engineer signed in and a fake GitLab.
func forgeEnv(t *testing.T) (*env, *trellis.Person, *forgetest.Server) {
	e := newEnv(t)
	p := addPerson(t, e.deps.People, "eng@example.com", "Eng Ineer", trellis.AccessEngineer, nil)
	e.cookie = sessionCookie(t, e.srv, p)
	return e, p, forgetest.NewGitLab(t)
}

func (e *env) postForm(path string, form url.Values) int {
	e.t.Helper()
	r := e.do("POST", path, strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded", "Sec-Fetch-Site", "same-origin")
	return r.Status
}

func TestForgeJourneyAcceptCreatesEvidence(t *testing.T) {
	e, p, gl := forgeEnv(t)
	base := personURL(p.ID)

	// A connection without a username is refused with the field named.
	if st := e.postForm(base+"/connections", url.Values{"kind": {"gitlab"}, "base_url": {gl.BaseURL()}, "token": {forgetest.Token}}); st != http.StatusBadRequest {
		t.Fatalf("empty username: %d", st)
	}
	if st := e.postForm(base+"/connections", url.Values{"kind": {"gitlab"}, "base_url": {gl.BaseURL()}, "username": {forgetest.GitLabUser},
		"token": {forgetest.Token}}); st != http.StatusSeeOther {
		t.Fatalf("connect: %d", st)
	}
	page := e.get(base + "/connections")
	if page.Status != 200 || strings.Contains(string(page.Body), forgetest.Token) || !strings.Contains(string(page.Body), "stored encrypted") {
		t.Fatalf("connections page: %d", page.Status)
	}
	if st := e.postForm(base+"/connections/sync", url.Values{}); st != http.StatusSeeOther {
		t.Fatalf("sync now: %d", st)
	}
	page = e.get(base + "/connections")
	if !strings.Contains(string(page.Body), "complete") {
		t.Errorf("the run's outcome is not shown")
	}

	// The API lists the pending items with suggestions.
	res := e.get("/api/v1" + base + "/imports?status=pending")
	var list struct {
		Items []*forge.Item `json:"items"`
	}
	if err := json.Unmarshal(res.Body, &list); err != nil || res.Status != 200 || len(list.Items) != 8 {
		t.Fatalf("imports: %d %v %d", res.Status, err, len(list.Items))
	}
	var item *forge.Item
	for _, it := range list.Items {
		if it.ExternalID == "mr:9002" {
			item = it
		}
	}
	if item == nil || item.Activity != "bug-fix" || len(item.Suggestions) == 0 {
		t.Fatalf("mr:9002: %+v", item)
	}

	// The page shows suggestions unticked, with their reasons.
	page = e.get(base + "/imports")
	html := string(page.Body)
	if page.Status != 200 || !strings.Contains(html, item.Title) || strings.Contains(html, "checked") || !strings.Contains(html, "Because:") {
		t.Fatalf("imports page: %d", page.Status)
	}

	// Accept with one ticked competency: an entry with the link, private.
	comp := item.Suggestions[0].Competency
	if st := e.postForm(fmt.Sprintf("%s/imports/%d/accept", base, item.ID), url.Values{"competencies": {comp}, "activity": {"bug-fix"}}); st != http.StatusSeeOther {
		t.Fatalf("accept: %d", st)
	}
	journal, err := e.deps.Evidence.ListEvidence(context.Background(), trellis.EvidenceFilter{PersonID: p.ID, Limit: 10})
	if err != nil || len(journal.Items) != 1 {
		t.Fatalf("journal: %v %v", journal, err)
	}
	ev := journal.Items[0]
	if ev.Title != item.Title || len(ev.Links) != 1 || ev.Links[0] != item.URL || ev.Visibility != trellis.VisPrivate ||
		len(ev.Competencies) != 1 || ev.Competencies[0] != comp || ev.Activity != "bug-fix" || !ev.Date.Equal(trellis.Day(item.MergedAt)) {
		t.Fatalf("entry: %+v", ev)
	}
	// Accepting again is a conflict; the item is no longer pending.
	if st := e.postForm(fmt.Sprintf("%s/imports/%d/accept", base, item.ID), url.Values{}); st != http.StatusConflict {
		t.Fatalf("accept twice: %d", st)
	}
	// A competency the framework lacks is refused, nothing written.
	other := list.Items[0]
	if other.ID == item.ID {
		other = list.Items[1]
	}
	if st := e.postForm(fmt.Sprintf("%s/imports/%d/accept", base, other.ID), url.Values{"competencies": {"no-such-thing"}}); st != http.StatusBadRequest {
		t.Fatalf("bad competency: %d", st)
	}
	if st := e.postForm(fmt.Sprintf("%s/imports/%d/dismiss", base, other.ID), url.Values{}); st != http.StatusSeeOther {
		t.Fatalf("dismiss: %d", st)
	}
	// A second sync adds nothing and brings nothing back.
	res = e.do("POST", "/api/v1"+base+"/sync", strings.NewReader("{}"), "Content-Type", "application/json", "Sec-Fetch-Site", "same-origin")
	var runs struct {
		Runs []forge.Run `json:"runs"`
	}
	if err := json.Unmarshal(res.Body, &runs); err != nil || res.Status != 200 || len(runs.Runs) != 1 || runs.Runs[0].Added != 0 || runs.Runs[0].Error != "" {
		t.Fatalf("api sync: %d %s", res.Status, res.Body)
	}
	res = e.get("/api/v1" + base + "/imports?status=pending")
	json.Unmarshal(res.Body, &list)
	if len(list.Items) != 6 {
		t.Fatalf("pending after accept and dismiss: %d", len(list.Items))
	}
}

func TestForgeSyncErrorShownOnPage(t *testing.T) {
	e, p, gl := forgeEnv(t)
	base := personURL(p.ID)
	gl.SetToken("another")
	if st := e.postForm(base+"/connections", url.Values{"kind": {"gitlab"}, "base_url": {gl.BaseURL()}, "username": {forgetest.GitLabUser},
		"token": {forgetest.Token}}); st != http.StatusSeeOther {
		t.Fatalf("connect: %d", st)
	}
	e.postForm(base+"/connections/sync", url.Values{})
	page := e.get(base + "/connections")
	if !strings.Contains(string(page.Body), "GitLab said the token is not valid (401); create a new one with the read_api scope") {
		t.Fatalf("the reason is not on the page")
	}
}

func TestForgeTokenRefusedWithoutKey(t *testing.T) {
	e, p, gl := forgeEnv(t)
	e.deps.Forge.Store = sqlstore.NewForgeStore(e.db, nil)
	st := e.postForm(personURL(p.ID)+"/connections", url.Values{"kind": {"gitlab"}, "base_url": {gl.BaseURL()}, "username": {"alice"}, "token": {"x"}})
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("token without a key: %d", st)
	}
	page := e.get(personURL(p.ID) + "/connections")
	if !strings.Contains(string(page.Body), "TRELLIS_SECRET_KEY") {
		t.Error("the page does not say how to configure the key")
	}
	// Without a token and without an instance token, the token field is named.
	st = e.postForm(personURL(p.ID)+"/connections", url.Values{"kind": {"gitlab"}, "base_url": {gl.BaseURL()}, "username": {"alice"}})
	if st != http.StatusBadRequest {
		t.Fatalf("no token at all: %d", st)
	}
}
