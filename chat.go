package trellis

import (
	"context"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Coffee chats and ask-me-anything requests: one person asks another, who
// is usually already in a role the first one aims for, for a conversation.
// The recipient accepts, declines or proposes another time; the requester
// answers a proposal the same way. Afterwards each side keeps notes that
// only they ever read.

// Chat kinds.
const (
	ChatCoffee = "coffee" // a coffee chat
	ChatAMA    = "ama"    // an ask-me-anything request
)

// Chat statuses.
const (
	ChatRequested = "requested" // waiting for the recipient
	ChatAccepted  = "accepted"
	ChatDeclined  = "declined"
	ChatProposed  = "proposed" // another time proposed; waiting for the other side
)

// Chat answers.
const (
	AnswerAccept  = "accept"
	AnswerDecline = "decline"
	AnswerPropose = "propose"
)

// Limits of chat text.
const (
	MaxChatNote  = 2000
	MaxChatNotes = 10000
	MaxAMATopic  = 300
)

// Chat is a coffee chat or ask-me-anything request between two people.
type Chat struct {
	ID          int64  `json:"id"`
	RequesterID int64  `json:"requester_id"`
	RecipientID int64  `json:"recipient_id"`
	Kind        string `json:"kind"`
	Note        string `json:"note,omitempty"`
	Status      string `json:"status"`
	// ProposedAt is the time proposed by ProposedBy, when a side proposed one.
	ProposedAt *time.Time `json:"proposed_at,omitempty"`
	ProposedBy *int64     `json:"proposed_by,omitempty"`
	// Answer is the short message of the last answer.
	Answer    string    `json:"answer,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version"`
}

// Side reports whether person takes part in the chat.
func (c *Chat) Side(person int64) bool { return c.RequesterID == person || c.RecipientID == person }

// Other returns the other side of the chat for person.
func (c *Chat) Other(person int64) int64 {
	if c.RequesterID == person {
		return c.RecipientID
	}
	return c.RequesterID
}

// WaitingFor returns who is to answer next; 0 when nobody is.
func (c *Chat) WaitingFor() int64 {
	switch c.Status {
	case ChatRequested:
		return c.RecipientID
	case ChatProposed:
		if c.ProposedBy != nil {
			return c.Other(*c.ProposedBy)
		}
	}
	return 0
}

// Normalize trims the request's text.
func (c *Chat) Normalize() {
	c.Kind = strings.ToLower(strings.TrimSpace(c.Kind))
	if c.Kind == "" {
		c.Kind = ChatCoffee
	}
	c.Note = strings.TrimSpace(c.Note)
}

// ValidateRequest checks a new request.
func (c *Chat) ValidateRequest() error {
	var d []FieldError
	if c.RecipientID <= 0 {
		d = append(d, FieldError{"recipient_id", "choose the person to ask"})
	} else if c.RecipientID == c.RequesterID {
		return &Error{Code: EINVALID, Message: "You cannot ask yourself for a coffee chat; choose someone else.",
			Details: []FieldError{{"recipient_id", "a chat request needs someone other than you"}}}
	}
	if c.Kind != ChatCoffee && c.Kind != ChatAMA {
		d = append(d, FieldError{"kind", "coffee or ama"})
	}
	if utf8.RuneCountInString(c.Note) > MaxChatNote {
		d = append(d, FieldError{"note", "the note is longer than 2000 characters"})
	}
	if len(d) > 0 {
		return &Error{Code: EINVALID, Message: "The chat request is not valid.", Details: d}
	}
	return nil
}

// ChatAnswer is one side's answer to a request or a proposal.
type ChatAnswer struct {
	Answer     string     `json:"answer"` // accept, decline, propose
	ProposedAt *time.Time `json:"proposed_at,omitempty"`
	Message    string     `json:"message,omitempty"`
}

// Apply checks that person may give the answer now and applies it to c.
func (a ChatAnswer) Apply(c *Chat, person int64, now time.Time) error {
	if !c.Side(person) {
		return Errorf(ENOTFOUND, "No such chat.")
	}
	if c.WaitingFor() != person {
		if c.Status == ChatAccepted || c.Status == ChatDeclined {
			return Errorf(ECONFLICT, "This chat was already %s.", c.Status)
		}
		return Errorf(ECONFLICT, "The chat is waiting for the other person's answer.")
	}
	msg := strings.TrimSpace(a.Message)
	if utf8.RuneCountInString(msg) > MaxChatNote {
		return &Error{Code: EINVALID, Message: "The message is too long.", Details: []FieldError{{"message", "at most 2000 characters"}}}
	}
	switch a.Answer {
	case AnswerAccept:
		c.Status = ChatAccepted
	case AnswerDecline:
		c.Status = ChatDeclined
	case AnswerPropose:
		if a.ProposedAt == nil || a.ProposedAt.IsZero() {
			return &Error{Code: EINVALID, Message: "Say which time you propose.",
				Details: []FieldError{{"proposed_at", "a date and time is required to propose another time"}}}
		}
		if a.ProposedAt.Before(now) {
			return &Error{Code: EINVALID, Message: "The proposed time has passed; choose a time in the future.",
				Details: []FieldError{{"proposed_at", "in the past"}}}
		}
		t := a.ProposedAt.UTC().Truncate(time.Minute)
		p := person
		c.Status, c.ProposedAt, c.ProposedBy = ChatProposed, &t, &p
	default:
		return &Error{Code: EINVALID, Message: "Choose accept, decline or propose another time.",
			Details: []FieldError{{"answer", "accept, decline or propose"}}}
	}
	c.Answer = msg
	return nil
}

// ChatFilter lists one person's chats.
type ChatFilter struct {
	PersonID int64
	// Direction: "incoming", "outgoing" or "" for both.
	Direction string
	Limit     int
	Cursor    string
}

// ChatPage is one page of chats, newest first.
type ChatPage struct {
	Items      []*Chat `json:"items"`
	NextCursor string  `json:"next_cursor"`
}

// AMA is an ask-me-anything session about a role: an event with a host and
// a topic, and afterwards a recording that becomes a resource of the role.
type AMA struct {
	ID           int64     `json:"id"`
	FrameworkID  string    `json:"framework_id"`
	RoleID       string    `json:"role_id"`
	Date         time.Time `json:"date"`
	HostID       int64     `json:"host_id"`
	Topic        string    `json:"topic"`
	RecordingURL string    `json:"recording_url,omitempty"`
	CreatedBy    int64     `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
}

// Validate checks an AMA; the recording must be an http(s) link.
func (a *AMA) Validate() error {
	a.Topic, a.RecordingURL = strings.TrimSpace(a.Topic), strings.TrimSpace(a.RecordingURL)
	var d []FieldError
	if a.Topic == "" || utf8.RuneCountInString(a.Topic) > MaxAMATopic {
		d = append(d, FieldError{"topic", "the topic is required, at most 300 characters"})
	}
	if a.HostID <= 0 {
		d = append(d, FieldError{"host_id", "choose the host"})
	}
	if a.Date.IsZero() {
		d = append(d, FieldError{"date", "the date is required"})
	}
	if a.RecordingURL != "" && !HTTPURL(a.RecordingURL) {
		d = append(d, FieldError{"recording_url", "the recording must be an http or https link"})
	}
	if len(d) > 0 {
		return &Error{Code: EINVALID, Message: "The ask-me-anything session is not valid.", Details: d}
	}
	return nil
}

// HTTPURL reports whether s is an absolute http or https URL with a host.
func HTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && len(s) <= 2000
}

// FinderFilter selects people in the finder. Empty fields do not filter.
type FinderFilter struct {
	RoleIDs    []string // a role, or every role of a track
	Team       string
	Competency string
	// Visibilities are the evidence levels counted: organisation-viewer
	// and wider only, so that the finder never reveals private entries.
	Visibilities []Visibility
	ExcludeID    int64
	Limit        int
}

// FinderResult is one person found, with the competencies their visible
// evidence shows most.
type FinderResult struct {
	Person *Person              `json:"person"`
	Top    []CompetencyEvidence `json:"top_competencies"`
}

// ChatService keeps chats, their notes, AMAs and the finder.
type ChatService interface {
	RequestChat(ctx context.Context, c *Chat) error
	FindChat(ctx context.Context, id int64) (*Chat, error)
	ListChats(ctx context.Context, f ChatFilter) (ChatPage, error)
	// AnswerChat applies person's answer; a stale expectedVersion (when
	// not 0) is ECONFLICT.
	AnswerChat(ctx context.Context, id, person int64, a ChatAnswer, expectedVersion int) (*Chat, error)
	// ChatNote returns person's own note of the chat, "" when none.
	ChatNote(ctx context.Context, id, person int64) (string, error)
	SaveChatNote(ctx context.Context, id, person int64, note string) error
	CreateAMA(ctx context.Context, a *AMA) error
	ListAMAs(ctx context.Context, frameworkID, roleID string) ([]*AMA, error)
	FindPeople(ctx context.Context, f FinderFilter) ([]FinderResult, error)
}
