package trellis

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// A Programme is a development programme people apply to, such as a
// three-month aspiring-leaders programme: entry after some months in role
// and with the manager's approval, a manager as mentor, a theme per month
// and an outcome for each participant.
type Programme struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// MinMonthsInRole is the entry rule: how long an applicant has held
	// their current role.
	MinMonthsInRole int `json:"min_months_in_role"`
	// ManagerApproval: an application becomes a place only once the
	// applicant's manager approves it.
	ManagerApproval bool `json:"manager_approval"`
	// Themes are the monthly themes, first month first.
	Themes    []string  `json:"themes"`
	CreatedAt time.Time `json:"created_at"`
	Version   int       `json:"version"`
}

// Validate trims p and checks it.
func (p *Programme) Validate() error {
	p.Name, p.Description = strings.TrimSpace(p.Name), strings.TrimSpace(p.Description)
	var themes []string
	for _, t := range p.Themes {
		if t = strings.TrimSpace(t); t != "" {
			themes = append(themes, t)
		}
	}
	p.Themes = themes
	if p.Themes == nil {
		p.Themes = []string{}
	}
	var d []FieldError
	if p.Name == "" || utf8.RuneCountInString(p.Name) > 200 {
		d = append(d, FieldError{Field: "name", Message: "the name is required, at most 200 characters"})
	}
	if p.MinMonthsInRole < 0 || p.MinMonthsInRole > 120 {
		d = append(d, FieldError{Field: "min_months_in_role", Message: "the months in role are between 0 and 120"})
	}
	if len(p.Themes) > 24 {
		d = append(d, FieldError{Field: "themes", Message: "at most 24 monthly themes"})
	}
	if len(d) > 0 {
		return &Error{Code: EINVALID, Message: "The programme is not valid.", Details: d}
	}
	return nil
}

// CheckEntry says whether person may apply on the day of now: ERULE when
// they have held their role for less than the programme asks, or when the
// date they took it is unknown.
func (p *Programme) CheckEntry(person *Person, now time.Time) error {
	if p.MinMonthsInRole == 0 {
		return nil
	}
	rule := func(msg, detail string) error {
		return &Error{Code: ERULE, Message: msg, Details: []FieldError{{Field: "min_months_in_role", Message: detail}}}
	}
	if person.RoleSince.IsZero() {
		return rule(fmt.Sprintf("%s asks for %d months in role, and the date %s took their current role is not recorded: ask an admin to record it.",
			p.Name, p.MinMonthsInRole, person.Name), fmt.Sprintf("%d months in role; the start in role is not recorded", p.MinMonthsInRole))
	}
	eligible := person.RoleSince.AddDate(0, p.MinMonthsInRole, 0)
	if truncateDay(now).Before(eligible) {
		return rule(fmt.Sprintf("%s asks for %d months in role; %s has held their role since %s, so they can apply from %s.",
			p.Name, p.MinMonthsInRole, person.Name, person.RoleSince.Format(DateLayout), eligible.Format(DateLayout)),
			fmt.Sprintf("%d months in role; eligible from %s", p.MinMonthsInRole, eligible.Format(DateLayout)))
	}
	return nil
}

// ParticipationState is where an application stands.
type ParticipationState string

const (
	ParticipationApplied  ParticipationState = "applied"
	ParticipationApproved ParticipationState = "approved"
	ParticipationDeclined ParticipationState = "declined"
)

// Outcomes of a programme for a participant.
const (
	OutcomeReady      = "ready"
	OutcomeNotReady   = "not-ready"
	OutcomeRedirected = "redirected"
)

// ProgrammeOutcomes lists the outcomes.
var ProgrammeOutcomes = []string{OutcomeReady, OutcomeNotReady, OutcomeRedirected}

// Participation is one person's application to and place in a programme.
type Participation struct {
	ID          int64              `json:"id"`
	ProgrammeID int64              `json:"programme_id"`
	PersonID    int64              `json:"person_id"`
	PersonName  string             `json:"person_name"`
	Note        string             `json:"note"`
	State       ParticipationState `json:"state"`
	ApprovedBy  *int64             `json:"approved_by,omitempty"`
	MentorID    *int64             `json:"mentor_id,omitempty"`
	MentorName  string             `json:"mentor_name,omitempty"`
	Outcome     string             `json:"outcome,omitempty"`
	OutcomeNote string             `json:"outcome_note,omitempty"`
	AppliedAt   time.Time          `json:"applied_at"`
}

// ProgrammeService keeps programmes and their participants.
type ProgrammeService interface {
	CreateProgramme(ctx context.Context, p *Programme) error
	FindProgramme(ctx context.Context, id int64) (*Programme, error)
	ListProgrammes(ctx context.Context) ([]*Programme, error)
	// Apply checks the entry rule and records the application; the
	// manager is notified when their approval is needed.
	Apply(ctx context.Context, programmeID, personID int64, note string) (*Participation, error)
	FindParticipation(ctx context.Context, id int64) (*Participation, error)
	ListParticipants(ctx context.Context, programmeID int64) ([]*Participation, error)
	// Approve records the manager's decision on an application.
	Approve(ctx context.Context, participationID, managerID int64, approve bool) error
	// SetMentor names the participant's mentor, who must manage people.
	SetMentor(ctx context.Context, participationID, mentorID int64) error
	// RecordOutcome records ready, not-ready or redirected.
	RecordOutcome(ctx context.Context, participationID int64, outcome, note string) error
}

// An Assignment is a temporary move into a role: an interim period (the
// usual way from IC to management, 30 days to 6 months, with success
// criteria and an outcome) or an acting period, after which the person
// returns to their old role.
type Assignment struct {
	ID              int64     `json:"id"`
	PersonID        int64     `json:"person_id"`
	Kind            string    `json:"kind"` // interim or acting
	RoleID          string    `json:"role_id"`
	StartsOn        time.Time `json:"starts_on"`
	EndsOn          time.Time `json:"ends_on"`
	SuccessCriteria string    `json:"success_criteria"`
	Outcome         string    `json:"outcome"`
	// ReturnRoleID is the role the person goes back to; for acting
	// periods always their role before it.
	ReturnRoleID string    `json:"return_role_id"`
	CreatedBy    int64     `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
	Version      int       `json:"version"`
}

// Interim periods last from MinInterimDays to MaxInterimMonths.
const (
	MinInterimDays   = 30
	MaxInterimMonths = 6
)

// Validate trims a and checks its rules; previousRole is the person's role
// before the assignment, which an acting period returns them to.
func (a *Assignment) Validate(previousRole string) error {
	a.Kind, a.RoleID = strings.TrimSpace(a.Kind), strings.TrimSpace(a.RoleID)
	a.SuccessCriteria, a.Outcome, a.ReturnRoleID = strings.TrimSpace(a.SuccessCriteria), strings.TrimSpace(a.Outcome), strings.TrimSpace(a.ReturnRoleID)
	var d []FieldError
	add := func(field, msg string) { d = append(d, FieldError{Field: field, Message: msg}) }
	if a.Kind != ArrangementInterim && a.Kind != ArrangementActing {
		add("kind", "the kind is interim or acting")
	}
	if a.RoleID == "" {
		add("role_id", "the role is required")
	}
	if a.StartsOn.IsZero() {
		add("starts_on", "the start date is required")
	}
	if a.EndsOn.IsZero() {
		add("ends_on", "the end date is required")
	}
	if utf8.RuneCountInString(a.SuccessCriteria) > 5000 || utf8.RuneCountInString(a.Outcome) > 5000 {
		add("success_criteria", "success criteria and outcome are at most 5000 characters each")
	}
	if len(d) > 0 {
		return &Error{Code: EINVALID, Message: "The assignment is not valid.", Details: d}
	}
	if a.Kind == ArrangementActing || a.ReturnRoleID == "" {
		a.ReturnRoleID = previousRole
	}
	a.StartsOn, a.EndsOn = truncateDay(a.StartsOn), truncateDay(a.EndsOn)
	if !a.EndsOn.After(a.StartsOn) {
		return &Error{Code: ERULE, Message: fmt.Sprintf("The assignment ends on %s, which is not after it starts on %s.",
			a.EndsOn.Format(DateLayout), a.StartsOn.Format(DateLayout)), Details: []FieldError{{Field: "ends_on", Message: "the end is after the start"}}}
	}
	if a.Kind == ArrangementInterim {
		earliest, latest := a.StartsOn.AddDate(0, 0, MinInterimDays), a.StartsOn.AddDate(0, MaxInterimMonths, 0)
		if a.EndsOn.Before(earliest) || a.EndsOn.After(latest) {
			return &Error{Code: ERULE, Message: fmt.Sprintf("An interim period lasts from %d days to %d months: starting on %s it ends between %s and %s, not on %s.",
				MinInterimDays, MaxInterimMonths, a.StartsOn.Format(DateLayout), earliest.Format(DateLayout), latest.Format(DateLayout), a.EndsOn.Format(DateLayout)),
				Details: []FieldError{{Field: "ends_on", Message: "between " + earliest.Format(DateLayout) + " and " + latest.Format(DateLayout)}}}
		}
	}
	return nil
}

// AssignmentService keeps interim and acting assignments.
type AssignmentService interface {
	CreateAssignment(ctx context.Context, a *Assignment) error
	FindAssignment(ctx context.Context, id int64) (*Assignment, error)
	ListAssignments(ctx context.Context, personID int64) ([]*Assignment, error)
	// UpdateAssignment stores the outcome and success criteria; a stale
	// version is ECONFLICT.
	UpdateAssignment(ctx context.Context, a *Assignment, expectedVersion int) error
}

// ValidOutcome reports whether s is a programme outcome.
func ValidOutcome(s string) bool { return slices.Contains(ProgrammeOutcomes, s) }
