package trellis

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// An Opening is an internal posting: a role of the framework in a team and
// region, open for applications between two dates. Openings stay open at
// least MinOpeningDays, so that everyone has a fair chance to see them.
type Opening struct {
	ID          int64  `json:"id"`
	FrameworkID string `json:"framework_id"`
	RoleID      string `json:"role_id"`
	// Track is the role's track; it is taken from the framework.
	Track  string `json:"track"`
	Team   string `json:"team"`
	Region string `json:"region"`
	// Arrangement is permanent, interim or acting.
	Arrangement string `json:"arrangement"`
	// OpensOn and ClosesOn are dates (UTC midnight).
	OpensOn  time.Time `json:"opens_on"`
	ClosesOn time.Time `json:"closes_on"`
	// Description is Markdown.
	Description     string       `json:"description"`
	HiringManagerID int64        `json:"hiring_manager_id"`
	State           OpeningState `json:"state"`
	CreatedBy       int64        `json:"created_by"`
	CreatedAt       time.Time    `json:"created_at"`
	UpdatedAt       time.Time    `json:"updated_at"`
	Version         int          `json:"version"`
}

// OpeningState is where an opening stands.
type OpeningState string

const (
	OpeningOpen   OpeningState = "open"
	OpeningClosed OpeningState = "closed"
	OpeningFilled OpeningState = "filled"
)

// OpeningStates lists the states.
var OpeningStates = []OpeningState{OpeningOpen, OpeningClosed, OpeningFilled}

// Arrangements of an opening: a permanent move, an interim period (usually
// the way from IC to management) or an acting period that returns the person
// to their old role.
const (
	ArrangementPermanent = "permanent"
	ArrangementInterim   = "interim"
	ArrangementActing    = "acting"
)

// Arrangements lists the arrangements of an opening.
var Arrangements = []string{ArrangementPermanent, ArrangementInterim, ArrangementActing}

// MinOpeningDays is how long an opening stays open at the least.
const MinOpeningDays = 5

// DateLayout is how dates are written in forms, the API and the database.
const DateLayout = "2006-01-02"

// Limits of an opening's text.
const (
	maxOpeningTag         = 100
	maxOpeningDescription = 20000
)

// IsOpenOn reports whether people can express interest on the day of now.
func (o *Opening) IsOpenOn(now time.Time) bool {
	day := truncateDay(now)
	return o.State == OpeningOpen && !day.Before(o.OpensOn) && !day.After(o.ClosesOn)
}

func truncateDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Validate trims o, fills defaults and checks its rules. Field errors are
// EINVALID; an opening closing sooner than MinOpeningDays after it opens is
// ERULE, naming both dates and the earliest allowed close.
func (o *Opening) Validate() error {
	o.RoleID, o.Team, o.Region = strings.TrimSpace(o.RoleID), strings.TrimSpace(o.Team), strings.TrimSpace(o.Region)
	o.Arrangement, o.Description = strings.TrimSpace(o.Arrangement), strings.TrimSpace(o.Description)
	if o.Arrangement == "" {
		o.Arrangement = ArrangementPermanent
	}
	if o.State == "" {
		o.State = OpeningOpen
	}
	var d []FieldError
	add := func(field, msg string) { d = append(d, FieldError{Field: field, Message: msg}) }
	if o.RoleID == "" {
		add("role_id", "the role is required")
	}
	if utf8.RuneCountInString(o.Team) > maxOpeningTag {
		add("team", "the team is longer than 100 characters")
	}
	if utf8.RuneCountInString(o.Region) > maxOpeningTag {
		add("region", "the region is longer than 100 characters")
	}
	if !slices.Contains(Arrangements, o.Arrangement) {
		add("arrangement", "the arrangement is permanent, interim or acting")
	}
	if !slices.Contains(OpeningStates, o.State) {
		add("state", "the state is open, closed or filled")
	}
	if utf8.RuneCountInString(o.Description) > maxOpeningDescription {
		add("description", "the description is longer than 20000 characters")
	}
	if o.HiringManagerID <= 0 {
		add("hiring_manager_id", "the hiring manager is required")
	}
	if o.OpensOn.IsZero() {
		add("opens_on", "the opening date is required")
	}
	if o.ClosesOn.IsZero() {
		add("closes_on", "the closing date is required")
	}
	if len(d) > 0 {
		return &Error{Code: EINVALID, Message: "The opening is not valid.", Details: d}
	}
	o.OpensOn, o.ClosesOn = truncateDay(o.OpensOn), truncateDay(o.ClosesOn)
	if earliest := o.OpensOn.AddDate(0, 0, MinOpeningDays); o.ClosesOn.Before(earliest) {
		msg := fmt.Sprintf("The opening would close on %s, sooner than %d days after it opens on %s: openings stay open at least %d days, so it can close on %s at the earliest.",
			o.ClosesOn.Format(DateLayout), MinOpeningDays, o.OpensOn.Format(DateLayout), MinOpeningDays, earliest.Format(DateLayout))
		return &Error{Code: ERULE, Message: msg, Details: []FieldError{{Field: "closes_on",
			Message: "the earliest allowed close is " + earliest.Format(DateLayout)}}}
	}
	return nil
}

// OpeningFilter narrows a list of openings. Empty fields match everything;
// State "" lists every state, current open ones first.
type OpeningFilter struct {
	RoleID string
	Track  string
	Team   string
	Region string
	State  OpeningState
	Limit  int
}

// OpeningInterest is a person's "I'm interested" in an opening.
type OpeningInterest struct {
	OpeningID  int64     `json:"opening_id"`
	PersonID   int64     `json:"person_id"`
	PersonName string    `json:"person_name"`
	Note       string    `json:"note"`
	CreatedAt  time.Time `json:"created_at"`
}

// OpeningSubscription asks to hear of new openings for a role or a track.
// Exactly one of RoleID and Track is set.
type OpeningSubscription struct {
	ID        int64     `json:"id"`
	PersonID  int64     `json:"person_id"`
	RoleID    string    `json:"role_id,omitempty"`
	Track     string    `json:"track,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Matches reports whether an opening is what the subscription asks for.
func (s *OpeningSubscription) Matches(o *Opening) bool {
	return (s.RoleID != "" && s.RoleID == o.RoleID) || (s.Track != "" && s.Track == o.Track)
}

// OpeningService keeps openings, interest in them and subscriptions.
type OpeningService interface {
	// CreateOpening stores o (open, in the active default framework unless
	// FrameworkID says otherwise) and notifies the subscribers it matches.
	CreateOpening(ctx context.Context, o *Opening) error
	FindOpening(ctx context.Context, id int64) (*Opening, error)
	ListOpenings(ctx context.Context, f OpeningFilter) ([]*Opening, error)
	// UpdateOpening stores o over the version expectedVersion; a stale
	// version is ECONFLICT and changes nothing.
	UpdateOpening(ctx context.Context, o *Opening, expectedVersion int) error
	// ExpressInterest records the person's interest and notifies the hiring
	// manager, with the note. Saying it again updates the note.
	ExpressInterest(ctx context.Context, openingID, personID int64, note string) error
	ListInterest(ctx context.Context, openingID int64) ([]*OpeningInterest, error)
	Subscribe(ctx context.Context, s *OpeningSubscription) error
	Unsubscribe(ctx context.Context, personID, subscriptionID int64) error
	ListSubscriptions(ctx context.Context, personID int64) ([]*OpeningSubscription, error)
}
