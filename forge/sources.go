package forge

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// pageFunc receives one page of items in update order and the update time
// of the newest of them.
type pageFunc func(items []*Item, through time.Time) error

// source reads the streams of one account.
type source interface {
	streams() []string
	fetch(ctx context.Context, stream string, since time.Time, page pageFunc) error
}

// perPage is the page size asked for; both forges allow 100.
const perPage = "100"

// maxDescription is how much of an item's text is kept.
const maxDescription = 2000

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// GitLab (REST v4).

type gitlab struct {
	c        *client
	username string
	baseURL  string
}

type gitlabRef struct {
	Full string `json:"full"`
}

type gitlabMR struct {
	ID          int64     `json:"id"`
	IID         int64     `json:"iid"`
	ProjectID   int64     `json:"project_id"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	State       string    `json:"state"`
	MergedAt    string    `json:"merged_at"`
	ClosedAt    string    `json:"closed_at"`
	UpdatedAt   string    `json:"updated_at"`
	WebURL      string    `json:"web_url"`
	Labels      []string  `json:"labels"`
	References  gitlabRef `json:"references"`
}

type gitlabDiff struct {
	OldPath string `json:"old_path"`
	NewPath string `json:"new_path"`
}

func (g *gitlab) streams() []string { return []string{StreamMergeRequests, StreamIssues} }

func (g *gitlab) fetch(ctx context.Context, stream string, since time.Time, page pageFunc) error {
	q := url.Values{
		"scope":           {"all"},
		"author_username": {g.username},
		"updated_after":   {since.UTC().Format(time.RFC3339)},
		"order_by":        {"updated_at"},
		"sort":            {"asc"},
		"per_page":        {perPage},
	}
	path := "/merge_requests"
	if stream == StreamMergeRequests {
		q.Set("state", "merged")
	} else {
		path = "/issues"
		q.Set("state", "closed")
	}
	next := g.c.endpoint(path, q)
	for next != "" {
		var raw []gitlabMR
		var err error
		if next, err = g.c.get(ctx, next, &raw); err != nil {
			return err
		}
		var items []*Item
		var through time.Time
		for _, r := range raw {
			it := &Item{Kind: GitLab, BaseURL: g.baseURL, Title: clip(r.Title, 200), Description: clip(r.Description, maxDescription),
				URL: r.WebURL, Project: projectOf(r.References.Full), Labels: r.Labels, UpdatedAt: parseTime(r.UpdatedAt)}
			if stream == StreamMergeRequests {
				it.Type, it.ExternalID, it.MergedAt = MergeRequest, "mr:"+strconv.FormatInt(r.ID, 10), parseTime(r.MergedAt)
				if it.MergedAt.IsZero() { // merged before GitLab recorded merged_at
					it.MergedAt = it.UpdatedAt
				}
				var diffs []gitlabDiff
				if _, err := g.c.get(ctx, g.c.endpoint(fmt.Sprintf("/projects/%d/merge_requests/%d/diffs", r.ProjectID, r.IID), url.Values{"per_page": {perPage}}), &diffs); err != nil {
					return err
				}
				for _, d := range diffs {
					it.paths = append(it.paths, d.NewPath)
				}
			} else {
				it.Type, it.ExternalID, it.MergedAt = Issue, "issue:"+strconv.FormatInt(r.ID, 10), parseTime(r.ClosedAt)
				if it.MergedAt.IsZero() {
					it.MergedAt = it.UpdatedAt
				}
			}
			if it.UpdatedAt.After(through) {
				through = it.UpdatedAt
			}
			items = append(items, it)
		}
		if err := page(items, through); err != nil {
			return err
		}
	}
	return nil
}

// projectOf drops the "!12" or "#34" of a GitLab full reference.
func projectOf(ref string) string {
	if i := strings.LastIndexAny(ref, "!#"); i > 0 {
		return ref[:i]
	}
	return ref
}

// GitHub (REST, search).

type github struct {
	c        *client
	username string
	baseURL  string
}

type githubLabel struct {
	Name string `json:"name"`
}

type githubIssue struct {
	ID            int64         `json:"id"`
	Number        int64         `json:"number"`
	Title         string        `json:"title"`
	Body          string        `json:"body"`
	HTMLURL       string        `json:"html_url"`
	State         string        `json:"state"`
	Labels        []githubLabel `json:"labels"`
	UpdatedAt     string        `json:"updated_at"`
	ClosedAt      string        `json:"closed_at"`
	RepositoryURL string        `json:"repository_url"`
	PullRequest   *struct {
		MergedAt string `json:"merged_at"`
	} `json:"pull_request"`
}

type githubSearch struct {
	TotalCount        int           `json:"total_count"`
	IncompleteResults bool          `json:"incomplete_results"`
	Items             []githubIssue `json:"items"`
}

type githubFile struct {
	Filename string `json:"filename"`
}

func (g *github) streams() []string { return []string{StreamPullRequests, StreamIssues} }

func (g *github) fetch(ctx context.Context, stream string, since time.Time, page pageFunc) error {
	what := "is:pr is:merged"
	if stream == StreamIssues {
		what = "is:issue is:closed"
	}
	q := url.Values{
		"q":        {fmt.Sprintf("author:%s %s updated:>=%s", g.username, what, since.UTC().Format("2006-01-02T15:04:05Z"))},
		"sort":     {"updated"},
		"order":    {"asc"},
		"per_page": {perPage},
	}
	next := g.c.endpoint("/search/issues", q)
	for next != "" {
		var res githubSearch
		var err error
		if next, err = g.c.get(ctx, next, &res); err != nil {
			return err
		}
		var items []*Item
		var through time.Time
		for _, r := range res.Items {
			repo := repoOf(r.RepositoryURL)
			it := &Item{Kind: GitHub, BaseURL: g.baseURL, Title: clip(r.Title, 200), Description: clip(r.Body, maxDescription),
				URL: r.HTMLURL, Project: repo, UpdatedAt: parseTime(r.UpdatedAt), Labels: []string{}}
			for _, l := range r.Labels {
				it.Labels = append(it.Labels, l.Name)
			}
			if r.PullRequest != nil {
				it.Type, it.ExternalID, it.MergedAt = PullRequest, "pr:"+strconv.FormatInt(r.ID, 10), parseTime(r.PullRequest.MergedAt)
				if it.MergedAt.IsZero() {
					it.MergedAt = parseTime(r.ClosedAt)
				}
				if repo != "" {
					var files []githubFile
					if _, err := g.c.get(ctx, g.c.endpoint(fmt.Sprintf("/repos/%s/pulls/%d/files", repo, r.Number), url.Values{"per_page": {perPage}}), &files); err != nil {
						return err
					}
					for _, f := range files {
						it.paths = append(it.paths, f.Filename)
					}
				}
			} else {
				it.Type, it.ExternalID, it.MergedAt = Issue, "issue:"+strconv.FormatInt(r.ID, 10), parseTime(r.ClosedAt)
			}
			if it.MergedAt.IsZero() {
				it.MergedAt = it.UpdatedAt
			}
			if it.UpdatedAt.After(through) {
				through = it.UpdatedAt
			}
			items = append(items, it)
		}
		if err := page(items, through); err != nil {
			return err
		}
	}
	return nil
}

// repoOf returns "owner/repo" of a repository API URL
// (https://api.github.com/repos/owner/repo), "" when it is not one.
func repoOf(repositoryURL string) string {
	u, err := url.Parse(repositoryURL)
	if err != nil {
		return ""
	}
	_, rest, ok := strings.Cut(u.Path, "/repos/")
	if !ok {
		return ""
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	if len(parts) != 2 || !ValidUsername(parts[0]) || !ValidUsername(parts[1]) {
		return ""
	}
	return parts[0] + "/" + parts[1]
}
