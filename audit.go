package trellis

import (
	"context"
	"fmt"
	"regexp"
	"time"
)

// Audit actions. The names are stable: the audit page, `trellis audit` and
// any downstream log shipping filter on them. A name is a dotted path,
// subject first, so that a prefix ("person.") selects a family.
const (
	AuditSignin             = "signin"             // a successful sign-in (password or single sign-on; After names the method)
	AuditSigninFailed       = "signin.failed"      // wrong password, unknown account or refused identity
	AuditSigninThrottled    = "signin.throttled"   // refused before checking the password: too many failures
	AuditSignout            = "signout"            // the person signed out
	AuditSessionRejected    = "session.rejected"   // a tampered, unknown or expired session cookie
	AuditPasswordChanged    = "password.changed"   // a new password was set (by the person or through a reset link)
	AuditResetLinkCreated   = "reset_link.created" // an admin issued a one-time reset link
	AuditResetLinkUsed      = "reset_link.used"    // a reset link set a new password
	AuditResetLinkRejected  = "reset_link.rejected"
	AuditTokenCreated       = "token.created"
	AuditTokenRevoked       = "token.revoked"
	AuditTokenRejected      = "token.rejected"      // an unknown, revoked or expired API token was presented
	AuditPersonCreated      = "person.created"      // one person added (UI, API or `trellis user add`)
	AuditPeopleImported     = "person.imported"     // a CSV import; After counts created and updated people
	AuditPersonUpdated      = "person.updated"      // profile basics changed (name, email, tags)
	AuditRoleChanged        = "person.role_changed" // the job role changed
	AuditManagerChanged     = "person.manager_changed"
	AuditAccessChanged      = "person.access_changed" // engineer, director, people partner, admin
	AuditPersonDeactivated  = "person.deactivated"    // the person left
	AuditPersonReactivated  = "person.reactivated"
	AuditVisibilityChanged  = "visibility.changed" // evidence or a document changed audience
	AuditFrameworkImported  = "framework.imported"
	AuditFrameworkActivated = "framework.activated"
	AuditExport             = "export"        // something left the product: a document, evidence, the audit log
	AuditAccessDenied       = "access.denied" // a refused request worth a trace (not every 404)
)

// Audit actions of the evidence journal and career conversations.
const (
	AuditEvidenceCreated       = "evidence.created"
	AuditEvidenceUpdated       = "evidence.updated" // content changed; a visibility change is also visibility.changed
	AuditEvidenceDeleted       = "evidence.deleted"
	AuditEvidenceImported      = "evidence.imported" // a bulk import; After counts the entries created
	AuditConversationRecorded  = "conversation.recorded"
	AuditConversationConfirmed = "conversation.confirmed" // the team member confirmed it happened
)

// AuditTargetConversation is the target type of conversation events.
const AuditTargetConversation = "conversation"

// AuditActions lists the actions defined so far, for filters and help texts.
// Other actions may be recorded (promotion decisions come later); they only
// need the right shape.
var AuditActions = []string{
	AuditSignin, AuditSigninFailed, AuditSigninThrottled, AuditSignout, AuditSessionRejected,
	AuditPasswordChanged, AuditResetLinkCreated, AuditResetLinkUsed, AuditResetLinkRejected,
	AuditTokenCreated, AuditTokenRevoked, AuditTokenRejected,
	AuditPersonCreated, AuditPeopleImported, AuditPersonUpdated, AuditRoleChanged, AuditManagerChanged,
	AuditAccessChanged, AuditPersonDeactivated, AuditPersonReactivated,
	AuditVisibilityChanged, AuditFrameworkImported, AuditFrameworkActivated, AuditExport, AuditAccessDenied,
	AuditEvidenceCreated, AuditEvidenceUpdated, AuditEvidenceDeleted, AuditEvidenceImported,
	AuditConversationRecorded, AuditConversationConfirmed,
}

// Audit target types: what an event is about. They match the policy's kinds
// where there is one, plus the things only the audit log talks about.
const (
	AuditTargetPerson    = string(KindPerson)
	AuditTargetFramework = string(KindFramework)
	AuditTargetEvidence  = string(KindEvidence)
	AuditTargetDocument  = string(KindDocument)
	AuditTargetToken     = string(KindToken)
	AuditTargetAuditLog  = string(KindAuditLog)
	AuditTargetSession   = "session"
	AuditTargetResetLink = "reset-link"
	AuditTargetAccount   = "account" // a sign-in attempt: TargetID is the normalised email tried
)

// AuditEvent is one line of the audit log. Events are never changed or
// deleted once recorded.
type AuditEvent struct {
	ID int64     `json:"id"`
	At time.Time `json:"at"`
	// ActorID is the person who acted; nil for anonymous attempts and for
	// the system itself (CLI verbs run by the operator name the operator).
	ActorID *int64 `json:"actor_id,omitempty"`
	// ActorLabel is how the actor reads in the log even after they are gone:
	// an email, "cli", "system" or "anonymous".
	ActorLabel string `json:"actor_label"`
	Action     string `json:"action"`
	TargetType string `json:"target_type,omitempty"`
	// TargetID identifies the target in its own terms: a person id, a
	// framework id@version, an email tried at sign-in.
	TargetID string `json:"target_id,omitempty"`
	// Before and After hold the changed fields only (role, manager,
	// visibility...). Never passwords, tokens or document content.
	Before map[string]any `json:"before,omitempty"`
	After  map[string]any `json:"after,omitempty"`
	// IP is the client address as the server saw it ("" from the CLI).
	IP string `json:"ip,omitempty"`
}

var auditActionPattern = regexp.MustCompile(`^[a-z][a-z_]*(\.[a-z][a-z_]*)*$`)

// Limits of an audit event's free-text fields.
const (
	maxAuditLabel  = 320
	maxAuditTarget = 320
	maxAuditIP     = 64
)

// Validate checks the event before it is recorded.
func (e *AuditEvent) Validate() error {
	var d []FieldError
	add := func(field, format string, args ...any) {
		d = append(d, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if e.At.IsZero() {
		add("at", "the time of the event is required")
	}
	if !auditActionPattern.MatchString(e.Action) || len(e.Action) > 64 {
		add("action", "action %q must be dotted lowercase words such as person.role_changed", e.Action)
	}
	if e.ActorLabel == "" {
		add("actor_label", "actor label is required (an email, cli, system or anonymous)")
	}
	if len(e.ActorLabel) > maxAuditLabel {
		add("actor_label", "actor label is longer than %d characters", maxAuditLabel)
	}
	if len(e.TargetID) > maxAuditTarget {
		add("target_id", "target id is longer than %d characters", maxAuditTarget)
	}
	if e.TargetID != "" && e.TargetType == "" {
		add("target_type", "a target id needs a target type")
	}
	if len(e.IP) > maxAuditIP {
		add("ip", "address is longer than %d characters", maxAuditIP)
	}
	if len(d) > 0 {
		return &Error{Code: EINVALID, Message: "The audit event is incomplete.", Details: d}
	}
	return nil
}

// AuditFilter selects audit events. Empty fields do not filter.
type AuditFilter struct {
	Since time.Time // events at or after
	Until time.Time // events before
	// Action matches exactly, or a family when it ends in '.' ("person.").
	Action     string
	ActorID    *int64
	TargetType string
	TargetID   string
	Limit      int    // clamped like every list (ClampLimit)
	Cursor     string // NextCursor of the previous page
}

// AuditPage is one page of the audit log, newest first.
type AuditPage struct {
	Items      []*AuditEvent `json:"items"`
	NextCursor string        `json:"next_cursor"`
}

// AuditService records and lists audit events. There is no update and no
// delete: the log is append-only.
type AuditService interface {
	// RecordAudit validates and appends the event, setting its ID. A zero
	// At is set from the service's clock before validation.
	RecordAudit(ctx context.Context, e *AuditEvent) error
	// ListAudit returns one page of events, newest first.
	ListAudit(ctx context.Context, f AuditFilter) (AuditPage, error)
}

// Matches reports whether the event passes the filter. Stores translate the
// filter to their query language; this is the reference they are tested
// against.
func (f AuditFilter) Matches(e *AuditEvent) bool {
	switch {
	case !f.Since.IsZero() && e.At.Before(f.Since):
		return false
	case !f.Until.IsZero() && !e.At.Before(f.Until):
		return false
	case f.Action != "" && !auditActionMatches(f.Action, e.Action):
		return false
	case f.ActorID != nil && (e.ActorID == nil || *e.ActorID != *f.ActorID):
		return false
	case f.TargetType != "" && e.TargetType != f.TargetType:
		return false
	case f.TargetID != "" && e.TargetID != f.TargetID:
		return false
	}
	return true
}

func auditActionMatches(filter, action string) bool {
	if filter[len(filter)-1] == '.' {
		return len(action) > len(filter) && action[:len(filter)] == filter
	}
	return action == filter
}
