package trellis

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Mentoring: pairing sessions and office hours logged by their host, which
// can become evidence of growing others in one step; structured
// mentorships (six weeks by default, a stated goal, check-ins, an
// outcome); and the host's pairing cadence against the norm.

// Session kinds; they are also the activity ids of the evidence they become.
const (
	SessionPairing     = "pairing-session"
	SessionOfficeHours = "office-hours"
)

// Mentoring norms and limits.
const (
	// PairingNormPerWeek is the usual cadence of pairing sessions for a
	// senior: information for the host, not a target or a score.
	PairingNormPerWeek = 5
	// MentorshipWeeks is the default length of a structured mentorship.
	MentorshipWeeks   = 6
	MaxSessionMinutes = 24 * 60
	MaxSessionTopic   = 300
	MaxMentoringText  = 4000
	MaxAttendees      = 50
	// GrowingOthers is the competency a session shows as evidence.
	GrowingOthers = "growing-others"
)

// Session is a pairing session or office hours, hosted by HostID.
type Session struct {
	ID          int64     `json:"id"`
	HostID      int64     `json:"host_id"`
	Kind        string    `json:"kind"`
	Date        time.Time `json:"date"`
	Topic       string    `json:"topic"`
	Minutes     int       `json:"minutes"`
	Link        string    `json:"link,omitempty"`
	AttendeeIDs []int64   `json:"attendee_ids"`
	// EvidenceID is the journal entry the session became, if it did.
	EvidenceID *int64    `json:"evidence_id,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	Version    int       `json:"version"`
}

// Validate normalises and checks a session.
func (s *Session) Validate(today time.Time) error {
	s.Kind, s.Topic, s.Link = strings.TrimSpace(s.Kind), strings.TrimSpace(s.Topic), strings.TrimSpace(s.Link)
	if s.Kind == "" {
		s.Kind = SessionPairing
	}
	var d []FieldError
	if s.Kind != SessionPairing && s.Kind != SessionOfficeHours {
		d = append(d, FieldError{"kind", "pairing-session or office-hours"})
	}
	if s.Topic == "" || utf8.RuneCountInString(s.Topic) > MaxSessionTopic {
		d = append(d, FieldError{"topic", "the topic is required, at most 300 characters"})
	}
	if s.Minutes <= 0 || s.Minutes > MaxSessionMinutes {
		d = append(d, FieldError{"minutes", "the duration is required, in minutes, at most a day"})
	}
	if s.Date.IsZero() {
		d = append(d, FieldError{"date", "the date is required"})
	} else if s.Date.After(today) {
		d = append(d, FieldError{"date", "a session is logged once it happened"})
	}
	if s.Link != "" && !HTTPURL(s.Link) && !ticketRef(s.Link) {
		d = append(d, FieldError{"link", "an http or https link, or a ticket reference such as #1234"})
	}
	seen := map[int64]bool{}
	var ids []int64
	for _, id := range s.AttendeeIDs {
		if id == s.HostID {
			d = append(d, FieldError{"attendee_ids", "the host is not one of the attendees"})
			continue
		}
		if id > 0 && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	s.AttendeeIDs = ids
	if len(ids) > MaxAttendees {
		d = append(d, FieldError{"attendee_ids", "at most 50 attendees"})
	}
	if len(d) > 0 {
		return &Error{Code: EINVALID, Message: "The session is not valid.", Details: d}
	}
	return nil
}

// ticketRef accepts a short ticket reference without spaces ("#1234",
// "ZD-1234").
func ticketRef(s string) bool {
	return len(s) <= 100 && !strings.ContainsAny(s, " \t\r\n<>\"'") && !strings.Contains(s, ":")
}

// SessionEvidence is the journal entry a session becomes: growing others
// for the host, private until they choose otherwise.
func (s *Session) Evidence() *Evidence {
	what := "Office hours"
	if s.Kind == SessionPairing {
		what = "Pairing session"
	}
	e := &Evidence{PersonID: s.HostID, Date: s.Date, Title: what + ": " + s.Topic,
		What:         fmt.Sprintf("%s on %s, %d minutes, with %d %s.", what, s.Topic, s.Minutes, len(s.AttendeeIDs), pluralOf(len(s.AttendeeIDs), "attendee", "attendees")),
		Part:         "Hosted the session.",
		Competencies: []string{GrowingOthers}, Activity: s.Kind, Visibility: VisPrivate}
	if HTTPURL(s.Link) {
		e.Links = []string{s.Link}
	} else if s.Link != "" {
		e.What += " Ticket: " + s.Link + "."
	}
	return e
}

func pluralOf(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// SessionFilter lists sessions a person hosted or attended.
type SessionFilter struct {
	PersonID int64
	Limit    int
	Cursor   string
}

// SessionPage is one page of sessions, newest first.
type SessionPage struct {
	Items      []*Session `json:"items"`
	NextCursor string     `json:"next_cursor"`
}

// Cadence is a host's pairing sessions per week over recent weeks, beside
// the norm. It is information for the host, never a score.
type Cadence struct {
	Weeks    int       `json:"weeks"`
	From     time.Time `json:"from"`
	Sessions int       `json:"sessions"`
	PerWeek  float64   `json:"per_week"`
	Norm     int       `json:"norm"`
	// PerWeekCounts holds the sessions of each week, oldest first.
	PerWeekCounts []int `json:"per_week_counts"`
}

// Sentence words the cadence as information.
func (c Cadence) Sentence() string {
	return fmt.Sprintf("%d pairing %s in the last %d weeks, about %.1f a week. Seniors often pair about %d times a week; this is for your information, not a target.",
		c.Sessions, pluralOf(c.Sessions, "session", "sessions"), c.Weeks, c.PerWeek, c.Norm)
}

// ComputeCadence counts pairing sessions on dates over the weeks before
// today (today's week included).
func ComputeCadence(dates []time.Time, today time.Time, weeks int) Cadence {
	if weeks < 4 {
		weeks = 4
	} else if weeks > 8 {
		weeks = 8
	}
	today = Day(today)
	from := today.AddDate(0, 0, -7*weeks+1)
	c := Cadence{Weeks: weeks, From: from, Norm: PairingNormPerWeek, PerWeekCounts: make([]int, weeks)}
	for _, d := range dates {
		d = Day(d)
		if d.Before(from) || d.After(today) {
			continue
		}
		c.Sessions++
		c.PerWeekCounts[int(d.Sub(from).Hours()/24)/7]++
	}
	c.PerWeek = float64(c.Sessions) / float64(weeks)
	return c
}

// Mentorship is a structured mentorship: a mentor, a mentee, a stated goal,
// six weeks by default, check-ins and an outcome.
type Mentorship struct {
	ID        int64     `json:"id"`
	MentorID  int64     `json:"mentor_id"`
	MenteeID  int64     `json:"mentee_id"`
	Goal      string    `json:"goal"`
	StartsOn  time.Time `json:"starts_on"`
	EndsOn    time.Time `json:"ends_on"`
	Outcome   string    `json:"outcome,omitempty"`
	CheckIns  []CheckIn `json:"check_ins"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version"`
}

// CheckIn is one check-in of a mentorship.
type CheckIn struct {
	ID       int64     `json:"id"`
	AuthorID int64     `json:"author_id"`
	Date     time.Time `json:"date"`
	Notes    string    `json:"notes"`
}

// Validate checks a new mentorship, ending it six weeks after its start
// when no end is given.
func (m *Mentorship) Validate() error {
	m.Goal = strings.TrimSpace(m.Goal)
	var d []FieldError
	if m.MenteeID <= 0 || m.MentorID <= 0 {
		d = append(d, FieldError{"mentee_id", "a mentorship needs a mentor and a mentee"})
	} else if m.MenteeID == m.MentorID {
		d = append(d, FieldError{"mentee_id", "the mentee is someone other than the mentor"})
	}
	if m.Goal == "" || utf8.RuneCountInString(m.Goal) > MaxMentoringText {
		d = append(d, FieldError{"goal", "state the goal of the mentorship"})
	}
	if m.StartsOn.IsZero() {
		d = append(d, FieldError{"starts_on", "the start date is required"})
	} else if m.EndsOn.IsZero() {
		m.EndsOn = m.StartsOn.AddDate(0, 0, 7*MentorshipWeeks)
	} else if !m.EndsOn.After(m.StartsOn) {
		d = append(d, FieldError{"ends_on", "the end comes after the start"})
	}
	if len(d) > 0 {
		return &Error{Code: EINVALID, Message: "The mentorship is not valid.", Details: d}
	}
	return nil
}

// Side reports whether person is the mentor or the mentee.
func (m *Mentorship) Side(person int64) bool { return m.MentorID == person || m.MenteeID == person }

// MentoringService keeps sessions and mentorships.
type MentoringService interface {
	LogSession(ctx context.Context, s *Session) error
	FindSession(ctx context.Context, id int64) (*Session, error)
	ListSessions(ctx context.Context, f SessionFilter) (SessionPage, error)
	// SessionToEvidence creates the host's journal entry for the session
	// and links it, in one transaction; a session that already became
	// evidence is ECONFLICT.
	SessionToEvidence(ctx context.Context, id int64) (*Evidence, error)
	// PairingCadence counts hostID's pairing sessions over recent weeks.
	PairingCadence(ctx context.Context, hostID int64, weeks int) (Cadence, error)
	StartMentorship(ctx context.Context, m *Mentorship) error
	FindMentorship(ctx context.Context, id int64) (*Mentorship, error)
	ListMentorships(ctx context.Context, personID int64) ([]*Mentorship, error)
	AddCheckIn(ctx context.Context, mentorshipID int64, c *CheckIn) error
	// CloseMentorship records the outcome.
	CloseMentorship(ctx context.Context, id int64, outcome string) (*Mentorship, error)
}
