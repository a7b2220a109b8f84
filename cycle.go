package trellis

import (
	"context"
	"time"
)

// Cycle phases, in date order.
const (
	PhaseDrafting           = "drafting"
	PhaseManagerReview      = "manager-review"
	PhaseNominationDeadline = "nomination-deadline"
	PhaseCalibration        = "calibration"
	PhaseApprovals          = "approvals"
	PhaseCommunication      = "communication"
	PhaseEffective          = "effective"
)

// CyclePhases lists the phases in order.
var CyclePhases = []string{PhaseDrafting, PhaseManagerReview, PhaseNominationDeadline, PhaseCalibration, PhaseApprovals, PhaseCommunication, PhaseEffective}

// Cycle is a promotion cycle: a named period with a dated phase each.
type Cycle struct {
	ID   int64  `json:"id"`
	Name string `json:"name"` // "2027 H1"
	// Phases maps each phase to the day it starts; PhaseEffective is the day
	// approved promotions take effect.
	Phases    map[string]time.Time `json:"phases"`
	CreatedAt time.Time            `json:"created_at"`
	Version   int                  `json:"version"`
}

// Projection is a manager's plan for one candidate: the target role and
// cycle, and where the candidate stands. It replaces the spreadsheet.
type Projection struct {
	ID         int64     `json:"id"`
	PersonID   int64     `json:"person_id"`
	ManagerID  int64     `json:"manager_id"`
	TargetRole string    `json:"target_role"`
	CycleID    *int64    `json:"cycle_id,omitempty"`
	Status     string    `json:"status"` // on-track, at-risk, not-this-cycle, nominated, promoted
	Note       string    `json:"note,omitempty"`
	UpdatedAt  time.Time `json:"updated_at"`
	Version    int       `json:"version"`
}

// Projection statuses. The manager sets any of them by hand; the workflow
// sets the last three as the candidate's document moves (MoveEffect).
const (
	ProjectionOnTrack      = "on-track"
	ProjectionAtRisk       = "at-risk"
	ProjectionNotThisCycle = "not-this-cycle"
	ProjectionNominated    = "nominated"
	ProjectionPromoted     = "promoted"
)

// ProjectionStatuses lists the statuses in the order a projection usually
// goes through them.
var ProjectionStatuses = []string{ProjectionOnTrack, ProjectionAtRisk, ProjectionNotThisCycle, ProjectionNominated, ProjectionPromoted}

// ProjectionChange is one saved state of a projection, for its history:
// set by hand, or by a workflow move of the candidate's document
// (DocumentID and Move, the move's audit action, say which).
type ProjectionChange struct {
	ID           int64     `json:"id"`
	ProjectionID int64     `json:"projection_id"`
	PersonID     int64     `json:"person_id"`
	ManagerID    int64     `json:"manager_id"`
	TargetRole   string    `json:"target_role"`
	CycleID      *int64    `json:"cycle_id,omitempty"`
	Status       string    `json:"status"`
	Note         string    `json:"note,omitempty"`
	DocumentID   *int64    `json:"document_id,omitempty"`
	Move         string    `json:"move,omitempty"`
	ChangedBy    *int64    `json:"changed_by,omitempty"`
	ChangedAt    time.Time `json:"changed_at"`
	Version      int       `json:"version"`
}

// Decision is the calibration outcome for one nominated document.
type Decision struct {
	DocumentID int64     `json:"document_id"`
	CycleID    *int64    `json:"cycle_id,omitempty"`
	Approved   bool      `json:"approved"`
	Rationale  string    `json:"rationale"` // written feedback, required either way
	DecidedBy  int64     `json:"decided_by"`
	DecidedAt  time.Time `json:"decided_at"`
}

// CycleService keeps cycles, projections and decisions.
type CycleService interface {
	CreateCycle(ctx context.Context, c *Cycle) error
	UpdateCycle(ctx context.Context, c *Cycle, expectedVersion int) error
	FindCycle(ctx context.Context, id int64) (*Cycle, error)
	ListCycles(ctx context.Context) ([]*Cycle, error)
	SaveProjection(ctx context.Context, p *Projection, expectedVersion int) error
	ListProjections(ctx context.Context, managerID *int64) ([]*Projection, error)
	// ProjectionHistory returns the saved states of the projections of the
	// people, by person and then oldest first.
	ProjectionHistory(ctx context.Context, personIDs []int64) ([]*ProjectionChange, error)
	// RecordDecision decides a document in calibration and moves it to
	// promotion-approved or promotion-not-approved, in one transaction.
	RecordDecision(ctx context.Context, d *Decision) error
	ListDecisions(ctx context.Context, cycleID int64) ([]*Decision, error)
}
