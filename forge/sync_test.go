package forge_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"trellis"
	"trellis/defaults"
	"trellis/forge"
	"trellis/forge/forgetest"
	"trellis/sqlstore"
	"trellis/sqlstore/storetest"
)

// syncEnv is a database (SQLite, or PostgreSQL with TRELLIS_TEST_POSTGRES)
// with the default framework and one engineer, a store with a secret key
// and a syncer on a fixed clock.
type syncEnv struct {
	db     *sqlstore.DB
	clock  *trellis.FixedClock
	store  *sqlstore.ForgeStore
	syncer *forge.Syncer
	alice  *trellis.Person
}

const testKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // 32 bytes, base64

func newSyncEnv(t *testing.T) *syncEnv {
	t.Helper()
	db := storetest.Open(t)
	e := &syncEnv{db: db, clock: &trellis.FixedClock{T: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}}
	db.Clock = e.clock
	ctx := context.Background()
	fw, err := defaults.Support()
	if err != nil {
		t.Fatal(err)
	}
	frameworks := sqlstore.NewFrameworkService(db)
	if _, err := frameworks.ImportFramework(ctx, fw, true); err != nil {
		t.Fatal(err)
	}
	people := sqlstore.NewPersonService(db)
	e.alice = &trellis.Person{Email: "alice@example.com", Name: "Alice", RoleID: "support-engineer", Access: trellis.AccessEngineer, Active: true}
	if err := people.CreatePerson(ctx, e.alice); err != nil {
		t.Fatal(err)
	}
	sealer, err := forge.NewSealer(testKey)
	if err != nil {
		t.Fatal(err)
	}
	e.store = sqlstore.NewForgeStore(db, sealer)
	e.syncer = &forge.Syncer{Store: e.store, Framework: forge.PersonFramework(people, frameworks), Clock: e.clock, Timeout: 2 * time.Second}
	return e
}

func (e *syncEnv) connect(t *testing.T, srv *forgetest.Server) *forge.Account {
	t.Helper()
	user := forgetest.GitLabUser
	if srv.Kind == forge.GitHub {
		user = forgetest.GitHubUser
	}
	a := &forge.Account{PersonID: e.alice.ID, Kind: srv.Kind, BaseURL: srv.BaseURL(), Username: user, Token: forgetest.Token}
	if err := e.store.AddAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

func (e *syncEnv) sync(t *testing.T, a *forge.Account) *forge.Run {
	t.Helper()
	r, err := e.syncer.SyncAccount(context.Background(), a)
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	return r
}

func (e *syncEnv) items(t *testing.T) map[string]*forge.Item {
	t.Helper()
	page, err := e.store.ListItems(context.Background(), forge.ItemFilter{PersonID: e.alice.ID})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*forge.Item{}
	for _, it := range page.Items {
		if out[it.ExternalID] != nil {
			t.Fatalf("item %s is stored twice", it.ExternalID)
		}
		out[it.ExternalID] = it
	}
	return out
}

func countPages(reqs []string, path string) []string {
	var pages []string
	for _, r := range reqs {
		p, q, _ := strings.Cut(r, "?")
		if strings.HasSuffix(p, path) {
			page := "1"
			for _, kv := range strings.Split(q, "&") {
				if v, ok := strings.CutPrefix(kv, "page="); ok {
					page = v
				}
			}
			pages = append(pages, page)
		}
	}
	return pages
}

func TestGitLabSyncPaginatesAndMaps(t *testing.T) {
	e := newSyncEnv(t)
	srv := forgetest.NewGitLab(t)
	a := e.connect(t, srv)
	r := e.sync(t, a)
	if r.Error != "" || r.Added != 8 {
		t.Fatalf("run: added %d, error %q; want 8 and none", r.Added, r.Error)
	}
	if got := countPages(srv.Requests(), "/api/v4/merge_requests"); !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Errorf("merge request pages requested: %v, want 1, 2, 3", got)
	}
	items := e.items(t)
	want := map[string]string{
		"mr:9001": forge.ActivityFeature, "mr:9002": forge.ActivityBugFix, "mr:9003": forge.ActivityDocumentation,
		"mr:9004": forge.ActivityFeature, "mr:9005": forge.ActivityProcess,
		"issue:7001": forge.ActivityBugFix, "issue:7002": forge.ActivityProcess, "issue:7003": forge.ActivityDocumentation,
	}
	for id, act := range want {
		it := items[id]
		if it == nil {
			t.Errorf("%s was not imported", id)
			continue
		}
		if it.Activity != act {
			t.Errorf("%s %q: activity %s (%s), want %s", id, it.Title, it.Activity, it.ActivityReason, act)
		}
		if len(it.Suggestions) == 0 {
			t.Errorf("%s: no suggested competencies", id)
		}
		if it.Status != forge.Pending || it.EvidenceID != nil {
			t.Errorf("%s: status %s, want pending", id, it.Status)
		}
	}
	mr := items["mr:9002"]
	if mr.URL != "https://gitlab.example.com/support/helpdesk-tools/-/merge_requests/42" || mr.Project != "support/helpdesk-tools" ||
		!mr.MergedAt.Equal(time.Date(2026, 1, 15, 16, 40, 0, 0, time.UTC)) || mr.Type != forge.MergeRequest {
		t.Errorf("mr:9002 stored as %+v", mr)
	}
	if !strings.Contains(items["mr:9003"].ActivityReason, "documentation paths") {
		t.Errorf("docs merge request reason: %q", items["mr:9003"].ActivityReason)
	}
	accts, _ := e.store.ListAccounts(context.Background(), e.alice.ID)
	if len(accts) != 1 || accts[0].LastSyncedAt.IsZero() || !accts[0].HasToken {
		t.Errorf("account after sync: %+v", accts)
	}
}

func TestGitLabXNextPageWithoutLink(t *testing.T) {
	e := newSyncEnv(t)
	srv := forgetest.NewGitLab(t)
	srv.OmitLink()
	if r := e.sync(t, e.connect(t, srv)); r.Added != 8 || r.Error != "" {
		t.Fatalf("run: %+v", r)
	}
}

func TestSyncIsIncrementalAndIdempotent(t *testing.T) {
	e := newSyncEnv(t)
	srv := forgetest.NewGitLab(t)
	a := e.connect(t, srv)
	e.sync(t, a)
	before := len(srv.Requests())

	// Nothing new: the second sync reads from the cursor and adds nothing.
	if r := e.sync(t, a); r.Added != 0 || r.Error != "" {
		t.Fatalf("second sync: %+v", r)
	}
	second := srv.Requests()[before:]
	if !slices.ContainsFunc(second, func(r string) bool {
		return strings.HasPrefix(r, "/api/v4/merge_requests?") && strings.Contains(r, "updated_after=2026-02-10T09%3A00%3A45Z")
	}) {
		t.Errorf("the second sync did not read from the cursor: %v", second)
	}

	// One new merge request: only it is added.
	mr := srv.Item(forge.StreamMergeRequests, 0)
	mr["id"], mr["iid"], mr["title"] = 9006, 45, "Rank search results by ticket recency"
	mr["updated_at"], mr["merged_at"] = "2026-02-20T10:00:00.000Z", "2026-02-20T09:59:00.000Z"
	srv.Add(forge.StreamMergeRequests, mr)
	if r := e.sync(t, a); r.Added != 1 {
		t.Fatalf("sync after one new merge request: added %d, want 1 (%s)", r.Added, r.Error)
	}

	// The same window again, from scratch (the connection removed and
	// added again, so its cursor is gone): no duplicates.
	if err := e.store.RemoveAccount(context.Background(), e.alice.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	b := e.connect(t, srv)
	if r := e.sync(t, b); r.Added != 0 || r.Error != "" {
		t.Fatalf("sync over the same window: added %d (%s), want 0", r.Added, r.Error)
	}
	if n := len(e.items(t)); n != 9 {
		t.Errorf("%d items, want 9", n)
	}
}

func TestRateLimitStopsAndResumes(t *testing.T) {
	e := newSyncEnv(t)
	srv := forgetest.NewGitLab(t)
	a := e.connect(t, srv)
	reset := e.clock.T.Add(10 * time.Minute)
	// Page 1 and its two diffs, then page 2 answers with no requests left.
	srv.SetBudget(4, reset)
	r := e.sync(t, a)
	if !strings.Contains(r.Error, "rate limit") || r.ResumeAt == nil || !r.ResumeAt.Equal(reset) {
		t.Fatalf("run: %+v", r)
	}
	if r.Added != 2 || len(e.items(t)) != 2 {
		t.Fatalf("added %d, stored %d; want the first page's 2", r.Added, len(e.items(t)))
	}
	if n := countPages(srv.Requests(), "/api/v4/merge_requests"); len(n) != 2 {
		t.Errorf("pages requested %v; the sync should stop after page 2's headers", n)
	}
	// Before the reset GitLab answers 429 with Retry-After: stop again.
	srv.SetBudget(0, reset)
	r = e.sync(t, a)
	if !strings.Contains(r.Error, "rate limit") || r.Added != 0 {
		t.Fatalf("sync while limited: %+v", r)
	}
	// After the reset it resumes where it stopped.
	e.clock.T = reset.Add(time.Second)
	srv.SetBudget(-1, reset)
	r = e.sync(t, a)
	if r.Error != "" || r.Added != 6 || len(e.items(t)) != 8 {
		t.Fatalf("resumed sync: %+v, %d stored", r, len(e.items(t)))
	}
	runs, err := e.store.ListRuns(context.Background(), e.alice.ID, 10)
	if err != nil || len(runs) != 3 || runs[0].Error != "" || runs[2].ResumeAt == nil || runs[1].ResumeAt == nil {
		t.Fatalf("runs: %+v %v", runs, err)
	}
}

func TestGitLab429RetryAfter(t *testing.T) {
	e := newSyncEnv(t)
	srv := forgetest.NewGitLab(t)
	srv.SetBudget(0, time.Now().Add(90*time.Second))
	r := e.sync(t, e.connect(t, srv))
	if !strings.Contains(r.Error, "rate limit") || r.ResumeAt == nil || r.Added != 0 {
		t.Fatalf("run: %+v", r)
	}
}

func TestBadTokenStopsWithMessage(t *testing.T) {
	e := newSyncEnv(t)
	srv := forgetest.NewGitLab(t)
	srv.SetToken("another-token")
	r := e.sync(t, e.connect(t, srv))
	want := "GitLab said the token is not valid (401); create a new one with the read_api scope"
	if !strings.HasPrefix(r.Error, want) || r.Added != 0 || r.FinishedAt.IsZero() {
		t.Fatalf("run: %+v, want error %q", r, want)
	}
	if strings.Contains(r.Error, forgetest.Token) {
		t.Fatal("the message shows the token")
	}
	accts, _ := e.store.ListAccounts(context.Background(), e.alice.ID)
	if !accts[0].LastSyncedAt.IsZero() {
		t.Error("a failed sync stamped the last sync")
	}
}

func TestTimeoutKeepsWhatWasFetched(t *testing.T) {
	e := newSyncEnv(t)
	e.syncer.Timeout = 150 * time.Millisecond
	srv := forgetest.NewGitLab(t)
	srv.Fail(func(r *http.Request) (int, time.Duration) {
		if strings.HasSuffix(r.URL.Path, "/merge_requests") && forgetest.Page(r) == "2" {
			return 0, 5 * time.Second
		}
		return 0, 0
	})
	a := e.connect(t, srv)
	r := e.sync(t, a)
	if !strings.Contains(r.Error, "did not answer within") || r.Added != 2 {
		t.Fatalf("run: %+v", r)
	}
	srv.Fail(nil)
	if r := e.sync(t, a); r.Error != "" || r.Added != 6 {
		t.Fatalf("resumed: %+v", r)
	}
}

func TestServerErrorStops(t *testing.T) {
	e := newSyncEnv(t)
	srv := forgetest.NewGitLab(t)
	srv.Fail(func(r *http.Request) (int, time.Duration) {
		if strings.HasSuffix(r.URL.Path, "/merge_requests") && forgetest.Page(r) == "3" {
			return http.StatusBadGateway, 0
		}
		return 0, 0
	})
	a := e.connect(t, srv)
	r := e.sync(t, a)
	if !strings.Contains(r.Error, "answered 502") || r.Added != 4 {
		t.Fatalf("run: %+v", r)
	}
	// The issues stream was not read: the sync stopped at the fault.
	if got := countPages(srv.Requests(), "/api/v4/issues"); len(got) != 0 {
		t.Errorf("issues were read after the fault: %v", got)
	}
	srv.Fail(nil)
	if r := e.sync(t, a); r.Error != "" || r.Added != 4 {
		t.Fatalf("resumed: %+v", r)
	}
}

func TestGitHubSync(t *testing.T) {
	e := newSyncEnv(t)
	srv := forgetest.NewGitHub(t)
	a := e.connect(t, srv)
	r := e.sync(t, a)
	if r.Error != "" || r.Added != 7 {
		t.Fatalf("run: %+v", r)
	}
	var searches []string
	for _, q := range srv.Requests() {
		if strings.HasPrefix(q, "/api/v3/search/issues?") {
			searches = append(searches, q)
		}
	}
	if len(searches) != 4 { // 3 pages of pull requests, 1 of issues
		t.Errorf("searches: %v", searches)
	}
	items := e.items(t)
	want := map[string]string{
		"pr:2101": forge.ActivityFeature, "pr:2102": forge.ActivityBugFix, "pr:2103": forge.ActivityDocumentation,
		"pr:2104": forge.ActivityFeature, "pr:2105": forge.ActivityFeature,
		"issue:3101": forge.ActivityBugFix, "issue:3102": forge.ActivityProcess,
	}
	for id, act := range want {
		if it := items[id]; it == nil || it.Activity != act {
			t.Errorf("%s: %+v, want activity %s", id, it, act)
		}
	}
	if it := items["pr:2102"]; it.URL != "https://github.com/acme/support-bot/pull/91" || it.Project != "acme/support-bot" || it.Type != forge.PullRequest {
		t.Errorf("pr:2102: %+v", it)
	}
	if r := e.sync(t, a); r.Added != 0 || r.Error != "" {
		t.Errorf("second sync: %+v", r)
	}
}

func TestGitHubRateLimit403(t *testing.T) {
	e := newSyncEnv(t)
	srv := forgetest.NewGitHub(t)
	reset := e.clock.T.Add(time.Minute)
	srv.SetBudget(1, reset) // the first search answers with none left
	a := e.connect(t, srv)
	r := e.sync(t, a)
	if !strings.Contains(r.Error, "GitHub's rate limit is used up") || r.ResumeAt == nil || !r.ResumeAt.Equal(reset) || r.Added != 0 {
		t.Fatalf("run: %+v", r)
	}
	srv.SetBudget(0, reset)
	e.clock.T = reset.Add(time.Second) // the client asks again, GitHub answers 403
	r = e.sync(t, a)
	if !strings.Contains(r.Error, "rate limit") {
		t.Fatalf("403 exhausted: %+v", r)
	}
	srv.SetBudget(-1, reset)
	if r := e.sync(t, a); r.Error != "" || r.Added != 7 {
		t.Fatalf("resumed: %+v", r)
	}
}

func TestGitHubBadToken(t *testing.T) {
	e := newSyncEnv(t)
	srv := forgetest.NewGitHub(t)
	srv.SetToken("ghp_other")
	r := e.sync(t, e.connect(t, srv))
	if !strings.HasPrefix(r.Error, "GitHub said the token is not valid (401)") {
		t.Fatalf("run: %+v", r)
	}
}

func TestInstanceToken(t *testing.T) {
	e := newSyncEnv(t)
	srv := forgetest.NewGitLab(t)
	a := &forge.Account{PersonID: e.alice.ID, Kind: forge.GitLab, BaseURL: srv.BaseURL(), Username: forgetest.GitLabUser}
	if err := e.store.AddAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	if r := e.sync(t, a); !strings.Contains(r.Error, "no token") {
		t.Fatalf("without any token: %+v", r)
	}
	e.syncer.Instance = map[forge.Kind]forge.InstanceToken{forge.GitLab: {BaseURL: a.BaseURL, Token: forgetest.Token}}
	if r := e.sync(t, a); r.Error != "" || r.Added != 8 {
		t.Fatalf("with the instance token: %+v", r)
	}
}

func TestSyncPersonAllAccounts(t *testing.T) {
	e := newSyncEnv(t)
	e.connect(t, forgetest.NewGitLab(t))
	e.connect(t, forgetest.NewGitHub(t))
	runs, err := e.syncer.SyncPerson(context.Background(), e.alice.ID)
	if err != nil || len(runs) != 2 || runs[0].Added+runs[1].Added != 15 {
		t.Fatalf("runs %+v, %v", runs, err)
	}
}
