package trellis

import (
	"context"
	"time"
)

// Evidence is one entry of a person's journal of meaningful examples (the
// "brag sheet"): something that happened, the person's own part in it, what
// it achieved, and which competencies and values it shows.
type Evidence struct {
	ID       int64 `json:"id"`
	PersonID int64 `json:"person_id"`
	// Date is when it happened (UTC midnight); EndDate closes a range.
	Date    time.Time  `json:"date"`
	EndDate *time.Time `json:"end_date,omitempty"`
	Title   string     `json:"title"`
	// What happened, in Markdown.
	What string `json:"what,omitempty"`
	// Part is the person's own part ("directly responsible", "paired with").
	Part string `json:"part,omitempty"`
	// Result is the measurable outcome: numbers, before and after.
	Result string `json:"result,omitempty"`
	// Links point at the artifacts: tickets, merge requests, docs, recordings.
	Links []string `json:"links,omitempty"`
	// Competencies, Activity and Values are ids in FrameworkID's active
	// version at the time of writing.
	Competencies []string   `json:"competencies"`
	Activity     string     `json:"activity,omitempty"`
	Values       []string   `json:"values,omitempty"`
	Visibility   Visibility `json:"visibility"`
	FrameworkID  string     `json:"framework_id"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	Version      int        `json:"version"`
}

// EvidenceFilter selects journal entries of one person. Empty fields do not
// filter. Visibilities limits the entries to those the viewer may read; the
// web edge fills it from the authorization policy.
type EvidenceFilter struct {
	PersonID     int64
	Competency   string
	Activity     string
	From, To     time.Time // inclusive dates
	Query        string    // full-text search, ranked
	Visibilities []Visibility
	Limit        int
	Cursor       string
}

// EvidencePage is one page of a journal listing: newest first, or by rank
// when the filter has a Query.
type EvidencePage struct {
	Items      []*Evidence `json:"items"`
	NextCursor string      `json:"next_cursor"`
	// Snippets holds, per entry id, an HTML-safe excerpt of the text that
	// matched the query, the matches wrapped in <mark>; only for searches.
	Snippets map[int64]string `json:"snippets,omitempty"`
}

// EvidenceImportRow is one entry of a bulk import, with its source line.
type EvidenceImportRow struct {
	Line     int
	Evidence Evidence
}

// CompetencyEvidence sums up a person's evidence for one competency.
type CompetencyEvidence struct {
	Competency string    `json:"competency"`
	Count      int       `json:"count"`
	Newest     time.Time `json:"newest"`
}

// EvidenceService keeps evidence journals. Writes check the entry against
// the active framework (Evidence.Validate).
type EvidenceService interface {
	CreateEvidence(ctx context.Context, e *Evidence) error
	FindEvidence(ctx context.Context, id int64) (*Evidence, error)
	// UpdateEvidence replaces the entry's content; a stale expectedVersion
	// is ECONFLICT and changes nothing.
	UpdateEvidence(ctx context.Context, e *Evidence, expectedVersion int) error
	DeleteEvidence(ctx context.Context, id int64) error
	ListEvidence(ctx context.Context, f EvidenceFilter) (EvidencePage, error)
	// ImportEvidence adds every row or none, naming each bad row.
	ImportEvidence(ctx context.Context, personID int64, rows []EvidenceImportRow) (int, error)
	// EvidenceByCompetency sums up a person's evidence per competency, for
	// readiness; its cost grows with the person's entries only. Like
	// EvidenceFilter.Visibilities, visibilities limits the entries counted to
	// those levels (so that counts do not reveal entries a viewer may not
	// read); empty counts every entry.
	EvidenceByCompetency(ctx context.Context, personID int64, visibilities []Visibility) ([]CompetencyEvidence, error)
}
