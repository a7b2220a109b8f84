package trellis

import (
	"context"
	"time"
)

// Document states, in the order of the promotion process. The workflow
// (Transition rules) says which moves are allowed, by whom and when.
const (
	DocDraft         = "draft"          // the candidate writes, with the manager
	DocManagerReview = "manager-review" // the manager reviews and writes the justification
	DocPeerReview    = "peer-review"    // other managers comment on the review copy
	DocApproved      = "approved"       // the manager's manager approved the nomination
	DocNominated     = "nominated"      // in a cycle; the framework version is frozen
	DocInCalibration = "in-calibration" // leadership reviews the cycle side by side
	DocDecidedYes    = "promotion-approved"
	DocDecidedNo     = "promotion-not-approved"
	DocEffective     = "effective" // the role changed on the cycle's effective date
	DocInLibrary     = "in-library"
	DocWithdrawn     = "withdrawn"
)

// DocumentStates lists the states in process order.
var DocumentStates = []string{DocDraft, DocManagerReview, DocPeerReview, DocApproved, DocNominated, DocInCalibration,
	DocDecidedYes, DocDecidedNo, DocEffective, DocInLibrary, DocWithdrawn}

// Document is a promotion document: the case that a person already works at
// the level of a target role, written from the framework's template for it.
type Document struct {
	ID          int64  `json:"id"`
	PersonID    int64  `json:"person_id"`  // the candidate
	ManagerID   *int64 `json:"manager_id"` // the candidate's manager when it was created
	TargetRole  string `json:"target_role"`
	FrameworkID string `json:"framework_id"`
	// FrameworkVersion is the version the document is judged against: the
	// active one while drafting, frozen at nomination.
	FrameworkVersion string `json:"framework_version"`
	Frozen           bool   `json:"frozen"`
	TemplateID       string `json:"template_id"`
	Title            string `json:"title"`
	// Sections hold the Markdown of each template section, in template order.
	Sections   []DocumentSection `json:"sections"`
	State      string            `json:"state"`
	Visibility Visibility        `json:"visibility"`
	// ShareInLibrary is the owner's consent to show the completed document
	// to others as an example.
	ShareInLibrary bool       `json:"share_in_library"`
	CycleID        *int64     `json:"cycle_id,omitempty"`
	OutOfCycle     bool       `json:"out_of_cycle,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	SubmittedAt    *time.Time `json:"submitted_at,omitempty"`
	// ReviewDue is the comments-due day (UTC midnight) of the open round of
	// peer-manager review: set while the document is in peer-review.
	ReviewDue *time.Time `json:"review_due,omitempty"`
	Version   int        `json:"version"`
}

// DocumentSection is the text of one template section. Each section has a
// version of its own so that two people editing different sections do not
// collide, and two editing the same one get a conflict with both texts.
type DocumentSection struct {
	ID       string    `json:"id"` // the template section id
	Text     string    `json:"text"`
	Version  int       `json:"version"`
	EditedBy *int64    `json:"edited_by,omitempty"`
	EditedAt time.Time `json:"edited_at"`
}

// DocumentRevision is a saved state of the whole document, for the history
// and the diff between any two versions.
type DocumentRevision struct {
	DocumentID int64             `json:"document_id"`
	Revision   int               `json:"revision"`
	Sections   []DocumentSection `json:"sections"`
	State      string            `json:"state"`
	AuthorID   *int64            `json:"author_id,omitempty"`
	At         time.Time         `json:"at"`
	Note       string            `json:"note,omitempty"` // "autosave", "submitted for manager review"...
}

// Comment is a remark on a section; replies point at the thread's first
// comment. OnReviewCopy comments live on the managers-only review copy.
type Comment struct {
	ID           int64      `json:"id"`
	DocumentID   int64      `json:"document_id"`
	SectionID    string     `json:"section_id"`
	ThreadID     *int64     `json:"thread_id,omitempty"`
	AuthorID     int64      `json:"author_id"`
	Text         string     `json:"text"`
	OnReviewCopy bool       `json:"on_review_copy,omitempty"`
	ResolvedAt   *time.Time `json:"resolved_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	// Late: a review-copy comment made after the comments-due day of the
	// document's peer review (still welcome, and marked so).
	Late bool `json:"late,omitempty"`
}

// FeedbackRequest asks someone outside the reporting line, at or above the
// target level, for start/stop/continue feedback and a statement of support
// (Staff and above).
type FeedbackRequest struct {
	ID          int64      `json:"id"`
	DocumentID  int64      `json:"document_id"`
	ReviewerID  int64      `json:"reviewer_id"`
	RequestedBy int64      `json:"requested_by"`
	Start       string     `json:"start,omitempty"`
	Stop        string     `json:"stop,omitempty"`
	Continue    string     `json:"continue,omitempty"`
	Support     string     `json:"support,omitempty"` // the statement of support
	Due         *time.Time `json:"due,omitempty"`
	AnsweredAt  *time.Time `json:"answered_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

// MoveOptions are what a workflow move carries besides its target state.
type MoveOptions struct {
	// Note: the reason to return, the rationale of a decision...
	Note string
	// ReviewDue is the comments-due day chosen when opening peer-manager
	// review; nil takes the default (DocumentService.DefaultReviewDue).
	ReviewDue *time.Time
}

// DocumentFilter selects documents for lists.
type DocumentFilter struct {
	PersonID   *int64
	ManagerID  *int64 // documents of this manager's reports (direct)
	CycleID    *int64
	States     []string
	TargetRole string
	Limit      int
	Cursor     string
}

// DocumentPage is one page of documents.
type DocumentPage struct {
	Items      []*Document `json:"items"`
	NextCursor string      `json:"next_cursor"`
}

// LibraryFilter searches the library of example documents.
type LibraryFilter struct {
	Query      string
	TargetRole string
	Competency string
	CycleID    *int64
	Limit      int
	Cursor     string
}

// LibraryHit is one document found in the library, with an HTML-safe
// snippet whose matches are wrapped in <mark>.
type LibraryHit struct {
	Document *Document `json:"document"`
	Snippet  string    `json:"snippet,omitempty"`
	Rank     float64   `json:"rank,omitempty"`
}

// LibraryPage is one page of library results.
type LibraryPage struct {
	Items      []LibraryHit `json:"items"`
	NextCursor string       `json:"next_cursor"`
}

// DocumentService keeps promotion documents, their history, comments and
// feedback requests.
type DocumentService interface {
	CreateDocument(ctx context.Context, d *Document) error
	FindDocument(ctx context.Context, id int64) (*Document, error)
	ListDocuments(ctx context.Context, f DocumentFilter) (DocumentPage, error)
	// SaveSection stores one section's text. A stale expectedVersion is
	// ECONFLICT carrying both texts, and nothing is lost.
	SaveSection(ctx context.Context, docID int64, sectionID, text string, expectedVersion int, autosave bool) (*Document, error)
	// UpdateDocument changes the document's settings (title, visibility,
	// library consent) with optimistic concurrency.
	UpdateDocument(ctx context.Context, d *Document, expectedVersion int) error
	// MoveDocument applies a workflow transition (see Workflow) with its
	// note, in one transaction with the audit log and the notifications.
	MoveDocument(ctx context.Context, docID int64, to string, note string, expectedVersion int) (*Document, error)
	// MoveDocumentWith is MoveDocument with the options of the move: the
	// note and, opening peer-manager review, the comments-due day.
	MoveDocumentWith(ctx context.Context, docID int64, to string, opts MoveOptions, expectedVersion int) (*Document, error)
	// DefaultReviewDue is the comments-due day a peer review of the
	// document opened now would get (trellis.DefaultReviewDue with the
	// server's working days and the document's cycle).
	DefaultReviewDue(ctx context.Context, docID int64) (time.Time, error)
	// FindPeerReview returns the document's latest round of peer-manager
	// review, open or closed, with who was asked and who commented;
	// ENOTFOUND when it never had one.
	FindPeerReview(ctx context.Context, docID int64) (*PeerReview, error)
	// OpenPeerReviews returns every round still open, soonest due first.
	OpenPeerReviews(ctx context.Context) ([]*PeerReview, error)
	Revisions(ctx context.Context, docID int64) ([]*DocumentRevision, error)
	AddComment(ctx context.Context, c *Comment) error
	ResolveComment(ctx context.Context, id int64) error
	ListComments(ctx context.Context, docID int64, reviewCopy bool) ([]*Comment, error)
	RequestFeedback(ctx context.Context, r *FeedbackRequest) error
	AnswerFeedback(ctx context.Context, r *FeedbackRequest) error
	ListFeedback(ctx context.Context, docID int64) ([]*FeedbackRequest, error)
	SearchLibrary(ctx context.Context, f LibraryFilter) (LibraryPage, error)
}
