package trellis

import (
	"context"
	"fmt"
	"time"
)

// Growth-plan focus: what the person wants from the next years.
const (
	FocusDeepen = "deepen" // stay and deepen in the role
	FocusMove   = "move"   // move team or job family
	FocusManage = "manage" // move into management
)

// Goal statuses.
const (
	GoalNotStarted = "not-started"
	GoalInProgress = "in-progress"
	GoalDone       = "done"
	GoalDropped    = "dropped"
)

// Reflection is the "why" behind a growth plan.
type Reflection struct {
	Why        string `json:"why"`
	Energises  string `json:"energises"`
	Drains     string `json:"drains"`
	LearnBest  string `json:"learn_best"`
	InTwoYears string `json:"in_two_years"` // where one sees oneself in two to three years
	Focus      string `json:"focus"`        // FocusDeepen, FocusMove or FocusManage
}

// Goal is one development goal of a half-year.
type Goal struct {
	ID             string     `json:"id"` // stable within the plan
	Title          string     `json:"title"`
	ActionSteps    string     `json:"action_steps,omitempty"`
	Support        string     `json:"support,omitempty"` // support needed
	Helpers        string     `json:"helpers,omitempty"` // people who can help
	Obstacles      string     `json:"obstacles,omitempty"`
	SuccessMeasure string     `json:"success_measure,omitempty"` // how success will be known
	Due            *time.Time `json:"due,omitempty"`
	Status         string     `json:"status"`
}

// GrowthPlan is a person's individual growth plan for one half-year period
// ("2026-H2"). Refreshing it starts the next period and keeps the old one
// as history.
type GrowthPlan struct {
	PersonID   int64      `json:"person_id"`
	Period     string     `json:"period"`
	Reflection Reflection `json:"reflection"`
	// TargetRoleID is the role the person aims for, in TargetFramework.
	TargetRoleID    string    `json:"target_role_id,omitempty"`
	TargetFramework string    `json:"target_framework,omitempty"`
	Goals           []Goal    `json:"goals"`
	UpdatedAt       time.Time `json:"updated_at"`
	Version         int       `json:"version"`
}

// MaxGoalsPerPeriod is how many goals a half-year holds: a few done well.
const MaxGoalsPerPeriod = 3

// Period returns the half-year period of t, such as "2026-H1".
func Period(t time.Time) string {
	h := 1
	if t.Month() > time.June {
		h = 2
	}
	return fmt.Sprintf("%d-H%d", t.Year(), h)
}

// Conversation is a career conversation between a person and their manager.
// The manager records it; only the person can confirm it happened.
type Conversation struct {
	ID          int64      `json:"id"`
	PersonID    int64      `json:"person_id"`
	ManagerID   int64      `json:"manager_id"`
	Date        time.Time  `json:"date"`
	Notes       string     `json:"notes,omitempty"`
	RecordedAt  time.Time  `json:"recorded_at"`
	ConfirmedAt *time.Time `json:"confirmed_at,omitempty"`
}

// GrowthService keeps growth plans, their history and career conversations.
type GrowthService interface {
	// FindPlan returns the person's current plan; a person without one gets
	// an empty plan for the current period (Version 0), not ENOTFOUND.
	FindPlan(ctx context.Context, personID int64) (*GrowthPlan, error)
	// SavePlan stores the plan; Version 0 creates it, a stale version is
	// ECONFLICT.
	SavePlan(ctx context.Context, p *GrowthPlan, expectedVersion int) error
	// RefreshPlan moves the plan to a new period, keeping the old one in
	// the history; unfinished goals carry over.
	RefreshPlan(ctx context.Context, personID int64, period string) (*GrowthPlan, error)
	PlanHistory(ctx context.Context, personID int64) ([]*GrowthPlan, error)
	RecordConversation(ctx context.Context, c *Conversation) error
	// ConfirmConversation is for the person the conversation was with.
	ConfirmConversation(ctx context.Context, id int64) error
	ListConversations(ctx context.Context, personID int64) ([]*Conversation, error)
}
