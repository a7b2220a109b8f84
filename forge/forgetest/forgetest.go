// Package forgetest serves a GitLab or GitHub REST API from recorded
// responses (forge/testdata), for tests of the sync: it filters by author
// and update time, sorts and paginates as those APIs do (Link and GitLab's
// X-Next-Page headers), checks the token, counts down a rate limit with
// the forge's own headers, and can be told to fail or stall requests.
package forgetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"trellis/forge"
)

// Usernames of the fixtures' author on each forge.
const (
	GitLabUser = "alice"
	GitHubUser = "alice-gh"
	// Token is the token the server accepts unless told otherwise.
	Token = "glpat-test-token-0123456789"
)

// Server is a fake forge.
type Server struct {
	*httptest.Server
	Kind forge.Kind

	mu      sync.Mutex
	token   string
	perPage int
	noLink  bool
	streams map[string][]map[string]any
	related map[string]json.RawMessage
	budget  int // requests left before the rate limit; < 0 unlimited
	resetAt time.Time
	fail    func(r *http.Request) (status int, delay time.Duration)
	log     []string
}

func testdata(name string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", name)
}

func load(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(testdata(name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// NewGitLab serves the GitLab fixtures: 5 merged merge requests (3 pages of
// 2) and 3 closed issues by GitLabUser.
func NewGitLab(t testing.TB) *Server {
	s := &Server{Kind: forge.GitLab, streams: map[string][]map[string]any{}}
	var mrs, issues []map[string]any
	load(t, "gitlab_merge_requests.json", &mrs)
	load(t, "gitlab_issues.json", &issues)
	load(t, "gitlab_merge_request_diffs.json", &s.related)
	s.streams[forge.StreamMergeRequests], s.streams[forge.StreamIssues] = mrs, issues
	return s.start(t)
}

// NewGitHub serves the GitHub fixtures as GitHub Enterprise does (API
// under /api/v3): 5 merged pull requests (3 pages of 2) and 2 closed
// issues by GitHubUser.
func NewGitHub(t testing.TB) *Server {
	s := &Server{Kind: forge.GitHub, streams: map[string][]map[string]any{}}
	var prs, issues struct {
		Items []map[string]any `json:"items"`
	}
	load(t, "github_search_pull_requests.json", &prs)
	load(t, "github_search_issues.json", &issues)
	load(t, "github_pull_request_files.json", &s.related)
	s.streams[forge.StreamPullRequests], s.streams[forge.StreamIssues] = prs.Items, issues.Items
	return s.start(t)
}

func (s *Server) start(t testing.TB) *Server {
	s.token, s.perPage, s.budget = Token, 2, -1
	s.resetAt = time.Now().Add(time.Hour)
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// BaseURL is the instance's web address, as a person enters it.
func (s *Server) BaseURL() string { return s.URL }

// SetToken changes the token the server accepts.
func (s *Server) SetToken(tok string) { s.mu.Lock(); s.token = tok; s.mu.Unlock() }

// SetBudget allows n more requests before the rate limit is used up, until
// reset; n < 0 lifts the limit.
func (s *Server) SetBudget(n int, reset time.Time) {
	s.mu.Lock()
	s.budget, s.resetAt = n, reset
	s.mu.Unlock()
}

// OmitLink makes GitLab answers carry X-Next-Page without a Link header.
func (s *Server) OmitLink() { s.mu.Lock(); s.noLink = true; s.mu.Unlock() }

// Fail makes f decide each request: a status > 0 answers with it, a delay
// stalls the answer (until the client gives up). nil serves normally.
func (s *Server) Fail(f func(r *http.Request) (status int, delay time.Duration)) {
	s.mu.Lock()
	s.fail = f
	s.mu.Unlock()
}

// Add appends an item to a stream, as if it were authored since.
func (s *Server) Add(stream string, item map[string]any) {
	s.mu.Lock()
	s.streams[stream] = append(s.streams[stream], item)
	s.mu.Unlock()
}

// Item returns a copy of the stream's i-th fixture item, to edit and Add.
func (s *Server) Item(stream string, i int) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, _ := json.Marshal(s.streams[stream][i])
	var m map[string]any
	json.Unmarshal(b, &m)
	return m
}

// Requests returns the request URIs served so far.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.log...)
}

// Page is the page query parameter of a request ("1" when absent).
func Page(r *http.Request) string {
	if p := r.URL.Query().Get("page"); p != "" {
		return p
	}
	return "1"
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.log = append(s.log, r.URL.RequestURI())
	fail := s.fail
	s.mu.Unlock()
	if fail != nil {
		status, delay := fail(r)
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		if status > 0 {
			writeJSON(w, status, map[string]any{"message": http.StatusText(status)})
			return
		}
	}
	if !s.authorized(r) {
		if s.Kind == forge.GitHub {
			writeJSON(w, 401, map[string]any{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"})
		} else {
			writeJSON(w, 401, map[string]any{"message": "401 Unauthorized"})
		}
		return
	}
	if !s.spend(w) {
		return
	}
	if s.Kind == forge.GitHub {
		s.serveGitHub(w, r)
	} else {
		s.serveGitLab(w, r)
	}
}

func (s *Server) authorized(r *http.Request) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	got := r.Header.Get("PRIVATE-TOKEN")
	if s.Kind == forge.GitHub || got == "" {
		got = strings.TrimPrefix(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), "token ")
	}
	return s.token == "" || got == s.token
}

// spend counts a request against the rate limit and writes the headers;
// false when the limit was used up and the refusal is written.
func (s *Server) spend(w http.ResponseWriter) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	limit, remaining := 2000, 1999
	exhausted := s.budget == 0
	if s.budget > 0 {
		s.budget--
		remaining = s.budget
	} else if exhausted {
		remaining = 0
	}
	reset := strconv.FormatInt(s.resetAt.Unix(), 10)
	h := w.Header()
	if s.Kind == forge.GitHub {
		h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
		h.Set("X-RateLimit-Used", strconv.Itoa(limit-remaining))
		h.Set("X-RateLimit-Reset", reset)
		h.Set("X-RateLimit-Resource", "search")
	} else {
		h.Set("RateLimit-Limit", strconv.Itoa(limit))
		h.Set("RateLimit-Observed", strconv.Itoa(limit-remaining))
		h.Set("RateLimit-Remaining", strconv.Itoa(remaining))
		h.Set("RateLimit-Reset", reset)
		h.Set("RateLimit-ResetTime", s.resetAt.UTC().Format(http.TimeFormat))
	}
	if !exhausted {
		return true
	}
	if s.Kind == forge.GitHub {
		writeJSON(w, http.StatusForbidden, map[string]any{"message": "API rate limit exceeded for user ID 5830001. If you reach out to GitHub Support for help, please include the request ID.",
			"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api", "status": "403"})
	} else {
		h.Set("Retry-After", strconv.Itoa(max(1, int(time.Until(s.resetAt).Seconds()))))
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, "Retry later")
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// select returns the stream's items by author and updated on or after
// since, oldest update first.
func (s *Server) selectItems(stream, author string, since time.Time, authorOf func(map[string]any) string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, it := range s.streams[stream] {
		up, _ := time.Parse(time.RFC3339Nano, fmt.Sprint(it["updated_at"]))
		if authorOf(it) == author && !up.Before(since) {
			out = append(out, it)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, _ := time.Parse(time.RFC3339Nano, fmt.Sprint(out[i]["updated_at"]))
		b, _ := time.Parse(time.RFC3339Nano, fmt.Sprint(out[j]["updated_at"]))
		return a.Before(b)
	})
	return out
}

// paginate cuts items into the requested page and writes the pagination
// headers of the forge.
func (s *Server) paginate(w http.ResponseWriter, r *http.Request, items []map[string]any) []map[string]any {
	s.mu.Lock()
	per, noLink := s.perPage, s.noLink
	s.mu.Unlock()
	page, _ := strconv.Atoi(Page(r))
	if page < 1 {
		page = 1
	}
	pages := max(1, (len(items)+per-1)/per)
	lo, hi := min((page-1)*per, len(items)), min(page*per, len(items))
	link := func(p int) string {
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		u.RawQuery = q.Encode()
		return u.String()
	}
	var links []string
	if page < pages {
		links = append(links, fmt.Sprintf(`<%s>; rel="next"`, link(page+1)))
	}
	if page > 1 {
		links = append(links, fmt.Sprintf(`<%s>; rel="prev"`, link(page-1)))
	}
	links = append(links, fmt.Sprintf(`<%s>; rel="first"`, link(1)), fmt.Sprintf(`<%s>; rel="last"`, link(pages)))
	h := w.Header()
	if s.Kind == forge.GitLab {
		h.Set("X-Page", strconv.Itoa(page))
		h.Set("X-Per-Page", strconv.Itoa(per))
		h.Set("X-Total", strconv.Itoa(len(items)))
		h.Set("X-Total-Pages", strconv.Itoa(pages))
		h.Set("X-Next-Page", "")
		if page < pages {
			h.Set("X-Next-Page", strconv.Itoa(page+1))
		}
		h.Set("X-Prev-Page", "")
		if page > 1 {
			h.Set("X-Prev-Page", strconv.Itoa(page-1))
		}
		if noLink {
			return items[lo:hi]
		}
	}
	h.Set("Link", strings.Join(links, ", "))
	return items[lo:hi]
}

func (s *Server) serveGitLab(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/api/v4")
	q := r.URL.Query()
	author := func(it map[string]any) string {
		a, _ := it["author"].(map[string]any)
		return fmt.Sprint(a["username"])
	}
	switch {
	case path == "/merge_requests" || path == "/issues":
		stream, state := forge.StreamMergeRequests, "merged"
		if path == "/issues" {
			stream, state = forge.StreamIssues, "closed"
		}
		since, err := time.Parse(time.RFC3339Nano, q.Get("updated_after"))
		if q.Get("updated_after") == "" {
			since, err = time.Time{}, nil
		}
		if err != nil || q.Get("state") != state || q.Get("scope") != "all" || q.Get("sort") != "asc" || q.Get("order_by") != "updated_at" {
			writeJSON(w, 400, map[string]any{"error": "updated_after is invalid"})
			return
		}
		writeJSON(w, 200, orEmpty(s.paginate(w, r, s.selectItems(stream, q.Get("author_username"), since, author))))
	case strings.HasPrefix(path, "/projects/") && strings.HasSuffix(path, "/diffs"):
		parts := strings.Split(strings.Trim(path, "/"), "/") // projects/17/merge_requests/41/diffs
		if len(parts) != 5 {
			writeJSON(w, 404, map[string]any{"message": "404 Not found"})
			return
		}
		s.serveRelated(w, parts[1]+"!"+parts[3])
	default:
		writeJSON(w, 404, map[string]any{"message": "404 Not found"})
	}
}

func (s *Server) serveRelated(w http.ResponseWriter, key string) {
	s.mu.Lock()
	raw, ok := s.related[key]
	s.mu.Unlock()
	if !ok {
		raw = json.RawMessage("[]")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(200)
	w.Write(raw)
}

func orEmpty(items []map[string]any) []map[string]any {
	if items == nil {
		return []map[string]any{}
	}
	return items
}

func (s *Server) serveGitHub(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, "/api/v3")
	if !ok {
		writeJSON(w, 404, map[string]any{"message": "Not Found"})
		return
	}
	switch {
	case path == "/search/issues":
		q := r.URL.Query()
		var author, since string
		pr, issue := false, false
		for _, term := range strings.Fields(q.Get("q")) {
			switch {
			case strings.HasPrefix(term, "author:"):
				author = strings.TrimPrefix(term, "author:")
			case strings.HasPrefix(term, "updated:>="):
				since = strings.TrimPrefix(term, "updated:>=")
			case term == "is:pr":
				pr = true
			case term == "is:issue":
				issue = true
			}
		}
		t, err := time.Parse(time.RFC3339, since)
		if err != nil || pr == issue || q.Get("sort") != "updated" || q.Get("order") != "asc" {
			writeJSON(w, 422, map[string]any{"message": "Validation Failed", "errors": []any{map[string]any{"message": "bad query", "resource": "Search", "field": "q", "code": "invalid"}}})
			return
		}
		stream := forge.StreamIssues
		if pr {
			stream = forge.StreamPullRequests
		}
		all := s.selectItems(stream, author, t, func(it map[string]any) string {
			u, _ := it["user"].(map[string]any)
			return fmt.Sprint(u["login"])
		})
		items := orEmpty(s.paginate(w, r, all))
		writeJSON(w, 200, map[string]any{"total_count": len(all), "incomplete_results": false, "items": items})
	case strings.HasPrefix(path, "/repos/") && strings.HasSuffix(path, "/files"):
		parts := strings.Split(strings.Trim(path, "/"), "/") // repos/o/r/pulls/n/files
		if len(parts) != 6 {
			writeJSON(w, 404, map[string]any{"message": "Not Found"})
			return
		}
		s.serveRelated(w, parts[1]+"/"+parts[2]+"#"+parts[4])
	default:
		writeJSON(w, 404, map[string]any{"message": "Not Found"})
	}
}
