package trellis

import (
	"context"
	"time"
)

// Ratings on the four-step readiness scale, weakest first.
const (
	RatingNotYet     = "not-yet"
	RatingDeveloping = "developing"
	RatingMeets      = "meets"
	RatingExceeds    = "exceeds"
)

// Ratings lists the scale in order.
var Ratings = []string{RatingNotYet, RatingDeveloping, RatingMeets, RatingExceeds}

// Who made an assessment.
const (
	BySelf    = "self"
	ByManager = "manager"
)

// Assessment rates a person against one expectation of a target role, in a
// stated framework version.
type Assessment struct {
	PersonID         int64     `json:"person_id"`
	FrameworkID      string    `json:"framework_id"`
	FrameworkVersion string    `json:"framework_version"`
	RoleID           string    `json:"role_id"` // the target role
	Competency       string    `json:"competency"`
	By               string    `json:"by"` // BySelf or ByManager
	Rating           string    `json:"rating"`
	Comment          string    `json:"comment,omitempty"`
	AssessorID       int64     `json:"assessor_id"`
	At               time.Time `json:"at"`
}

// Checklist item states for considerations and resources.
const (
	ItemOpen    = "open"
	ItemPlanned = "planned"
	ItemDone    = "done"
)

// ChecklistItem tracks one consideration or resource of a target role for a
// person. Considerations are backed by evidence entries.
type ChecklistItem struct {
	PersonID    int64   `json:"person_id"`
	FrameworkID string  `json:"framework_id"`
	RoleID      string  `json:"role_id"`
	Kind        string  `json:"kind"` // "consideration" or "resource"
	Key         string  `json:"key"`  // the resource id, or the consideration's index ("c3", "general-c1")
	State       string  `json:"state"`
	EvidenceIDs []int64 `json:"evidence_ids,omitempty"`
}

// ReadinessService keeps the inputs of readiness; the figures themselves are
// computed by ComputeReadiness from them and the framework.
type ReadinessService interface {
	SaveAssessment(ctx context.Context, a *Assessment) error
	// ListAssessments returns the newest assessment per competency and
	// assessor kind for the person's target role in a framework version.
	ListAssessments(ctx context.Context, personID int64, fw Ref, roleID string) ([]*Assessment, error)
	SaveChecklistItem(ctx context.Context, it *ChecklistItem) error
	ListChecklist(ctx context.Context, personID int64, frameworkID, roleID string) ([]*ChecklistItem, error)
}
