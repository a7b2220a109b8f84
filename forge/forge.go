// Package forge brings evidence from where the work happens: merged merge
// requests and pull requests, closed issues and documentation changes a
// person authored on GitLab (REST v4) or GitHub (REST, Enterprise too). Each
// item is mapped to an activity kind of the framework with suggested
// competencies and kept for the person to accept or dismiss; nothing becomes
// evidence by itself.
//
// A sync is incremental and idempotent. Each stream of an account (merge
// requests, issues, ...) is read oldest update first from the stream's
// cursor, page by page as the API paginates; every page is stored with the
// cursor in one transaction, so a sync that stops (a token refused, a rate
// limit, a timeout, a fault on the forge's side) keeps what it stored and
// the next one resumes from there. Items are unique per forge and external
// id, so reading the same window twice adds nothing.
package forge

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"trellis"
	"trellis/suggest"
)

// Kind is a kind of forge.
type Kind string

// The forges Trellis reads.
const (
	GitLab Kind = "gitlab"
	GitHub Kind = "github"
)

// Kinds lists the forges, in the order forms offer them.
var Kinds = []Kind{GitLab, GitHub}

// Valid reports whether k is a known forge.
func (k Kind) Valid() bool { return k == GitLab || k == GitHub }

// Name is the forge's name as people write it.
func (k Kind) Name() string {
	switch k {
	case GitLab:
		return "GitLab"
	case GitHub:
		return "GitHub"
	}
	return string(k)
}

// DefaultBaseURL is the public instance of a forge.
func (k Kind) DefaultBaseURL() string {
	if k == GitHub {
		return "https://github.com"
	}
	return "https://gitlab.com"
}

// ItemType is what an imported item is on its forge.
type ItemType string

const (
	MergeRequest ItemType = "merge_request" // GitLab, merged
	PullRequest  ItemType = "pull_request"  // GitHub, merged
	Issue        ItemType = "issue"         // either, closed
)

// Status is where an item stands with its person.
type Status string

const (
	Pending   Status = "pending"
	Accepted  Status = "accepted"
	Dismissed Status = "dismissed"
)

// Streams of items an account is read in; each has its own cursor.
const (
	StreamMergeRequests = "merge_requests"
	StreamPullRequests  = "pull_requests"
	StreamIssues        = "issues"
)

// State holds, per stream, the update time of the newest item stored from
// it: the next sync reads from there.
type State map[string]time.Time

// Account is a person's connection to a forge.
type Account struct {
	ID       int64  `json:"id"`
	PersonID int64  `json:"person_id"`
	Kind     Kind   `json:"kind"`
	BaseURL  string `json:"base_url"` // the web address: https://gitlab.com, https://github.example.com
	Username string `json:"username"`
	// Token is the person's own token, in memory only: the store seals it
	// and never gives it back except to a sync. Never shown, never logged.
	Token string `json:"-"`
	// HasToken says whether the account has a token of its own; without
	// one a sync uses the instance token for its forge.
	HasToken     bool      `json:"has_token"`
	State        State     `json:"-"`
	LastSyncedAt time.Time `json:"last_synced_at"`
	CreatedAt    time.Time `json:"created_at"`
}

// String names the account for people: "GitLab gitlab.com/alice".
func (a *Account) String() string {
	host := a.BaseURL
	if u, err := url.Parse(a.BaseURL); err == nil && u.Host != "" {
		host = u.Host + strings.TrimRight(u.Path, "/")
	}
	return a.Kind.Name() + " " + host + "/" + a.Username
}

// Item is one imported piece of work, waiting for its person.
type Item struct {
	ID         int64    `json:"id"`
	PersonID   int64    `json:"person_id"`
	Kind       Kind     `json:"kind"`
	BaseURL    string   `json:"base_url"`
	ExternalID string   `json:"external_id"` // "mr:123", "pr:456", "issue:789": the forge's own ids
	Type       ItemType `json:"type"`
	URL        string   `json:"url"`
	Title      string   `json:"title"`
	// Description is the start of the item's text, for the suggestions
	// and for the entry it may become.
	Description string   `json:"description,omitempty"`
	Project     string   `json:"project,omitempty"` // group/project or owner/repo
	Labels      []string `json:"labels"`
	// MergedAt is when a merge or pull request was merged, or an issue
	// closed: the day of the work.
	MergedAt  time.Time `json:"merged_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Activity is the framework's activity kind the item maps to, and
	// ActivityReason says why ("label bug", "changes docs/ only").
	Activity       string               `json:"activity"`
	ActivityReason string               `json:"activity_reason"`
	Suggestions    []suggest.Suggestion `json:"suggestions"`
	Status         Status               `json:"status"`
	EvidenceID     *int64               `json:"evidence_id,omitempty"`
	CreatedAt      time.Time            `json:"created_at"`

	// paths are the files a merge or pull request changed, read during a
	// sync for the mapping; not stored.
	paths []string
}

// Run is one sync of one account, for the connections page.
type Run struct {
	ID         int64      `json:"id"`
	AccountID  int64      `json:"account_id"`
	PersonID   int64      `json:"person_id"`
	Account    string     `json:"account"` // Account.String at the time
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt time.Time  `json:"finished_at"`
	Added      int        `json:"added"`
	Error      string     `json:"error,omitempty"`
	ResumeAt   *time.Time `json:"resume_at,omitempty"`
}

// OK reports whether the run finished without an error.
func (r *Run) OK() bool { return r.Error == "" && !r.FinishedAt.IsZero() }

// ItemFilter selects a person's items.
type ItemFilter struct {
	PersonID int64
	Status   Status // "" for all
	Limit    int
	Cursor   string
}

// ItemPage is one page of items, newest work first.
type ItemPage struct {
	Items      []*Item `json:"items"`
	NextCursor string  `json:"next_cursor"`
}

// Store keeps accounts, items and runs (sqlstore.ForgeStore).
type Store interface {
	// CanStoreTokens reports whether a secret key is configured, so that
	// accounts may carry tokens of their own.
	CanStoreTokens() bool
	// AddAccount stores a connection, sealing its token. A token without
	// a configured secret key is refused (ErrNoKey).
	AddAccount(ctx context.Context, a *Account) error
	// RemoveAccount removes a connection of the person and its runs; the
	// items it imported stay, so that adding it again duplicates nothing.
	RemoveAccount(ctx context.Context, personID, accountID int64) error
	ListAccounts(ctx context.Context, personID int64) ([]*Account, error)
	// AccountForSync returns the account with its token unsealed.
	AccountForSync(ctx context.Context, accountID int64) (*Account, error)
	// PeopleWithAccounts lists the people who have a connection.
	PeopleWithAccounts(ctx context.Context) ([]int64, error)

	// SaveItems stores the items the person does not have yet and moves
	// the stream's cursor to through (never backwards), in one
	// transaction; it returns how many items were new.
	SaveItems(ctx context.Context, accountID int64, stream string, through time.Time, items []*Item) (int, error)
	ListItems(ctx context.Context, f ItemFilter) (ItemPage, error)
	FindItem(ctx context.Context, id int64) (*Item, error)
	// AcceptItem turns a pending item into the evidence entry e (checked
	// as any entry) and marks it accepted, in one transaction.
	AcceptItem(ctx context.Context, itemID int64, e *trellis.Evidence) error
	// DismissItem marks a pending item dismissed.
	DismissItem(ctx context.Context, itemID int64) error

	StartRun(ctx context.Context, a *Account) (*Run, error)
	// FinishRun records a run's outcome; a run without an error also
	// stamps the account's last sync.
	FinishRun(ctx context.Context, r *Run) error
	ListRuns(ctx context.Context, personID int64, limit int) ([]*Run, error)
}

// NormalizeBaseURL checks a forge's web address and puts it in its stored
// form: scheme and host in lower case, no trailing slash, no query.
func NormalizeBaseURL(k Kind, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		raw = k.DefaultBaseURL()
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q is not a web address; write it as https://host, e.g. %s", raw, k.DefaultBaseURL())
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q must be the plain address of the %s instance, without user, query or fragment", raw, k.Name())
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	u.Path = strings.TrimRight(u.Path, "/")
	// The API address of an instance is accepted too, and stored as the
	// instance's own address.
	switch k {
	case GitLab:
		u.Path = strings.TrimSuffix(u.Path, "/api/v4")
	case GitHub:
		u.Path = strings.TrimSuffix(u.Path, "/api/v3")
		if u.Host == "api.github.com" {
			u.Host = "github.com"
		}
	}
	u.RawPath = ""
	return u.String(), nil
}

// apiBase is the REST address of the account's instance.
func apiBase(k Kind, baseURL string) string {
	switch k {
	case GitHub:
		u, err := url.Parse(baseURL)
		if err == nil && u.Host == "github.com" {
			return "https://api.github.com"
		}
		return baseURL + "/api/v3"
	default:
		return baseURL + "/api/v4"
	}
}

// ValidUsername reports whether s can be a forge username: letters,
// digits, '.', '-', '_' (GitLab also allows these in usernames; GitHub
// allows a subset).
func ValidUsername(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}
