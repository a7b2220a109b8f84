package trellis

import (
	"context"
	"net/url"
	"strings"
	"time"
)

// Delivery channels: every notification is in the in-app inbox; these carry
// it further, by the person's preferences.
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook" // a Slack-compatible incoming webhook
)

// Delivery states. A delivery is pending until a sender claims it
// (sending), then sent, or pending again with a later NextAt after a failed
// attempt, or failed once the retries are spent. An e-mail of a person who
// takes a daily digest is held until the digest collects it (digested).
const (
	DeliveryPending  = "pending"
	DeliverySending  = "sending"
	DeliverySent     = "sent"
	DeliveryFailed   = "failed"
	DeliveryHeld     = "held"
	DeliveryDigested = "digested"
)

// DeliveryBackoff is the wait after each failed attempt: a delivery is tried
// len(DeliveryBackoff)+1 times, then failed for good (and shown to admins on
// /admin/deliveries, where it can be retried).
var DeliveryBackoff = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 12 * time.Hour}

// NotificationPrefs are one person's delivery preferences. The in-app inbox
// is always on.
type NotificationPrefs struct {
	PersonID   int64     `json:"person_id"`
	Email      bool      `json:"email"`                 // e-mail each notification (or the digest)
	Digest     bool      `json:"digest"`                // collect the day's e-mails into one
	WebhookURL string    `json:"webhook_url,omitempty"` // a chat incoming webhook, http(s)
	Muted      []string  `json:"muted"`                 // kinds delivered to the inbox only
	UpdatedAt  time.Time `json:"updated_at,omitzero"`
}

// DefaultNotificationPrefs are the preferences of someone who never chose:
// e-mail on, one message at a time, no webhook.
func DefaultNotificationPrefs(personID int64) *NotificationPrefs {
	return &NotificationPrefs{PersonID: personID, Email: true, Muted: []string{}}
}

// NotificationKinds are the kinds a person may mute, with their labels.
var NotificationKinds = []struct{ Kind, Label string }{
	{"document.moved", "A promotion document changes state"},
	{NoticeCommented, "Comments on your promotion document or your report's"},
	{NoticeCommentReplied, "Replies in comment threads you take part in, and on your promotion document"},
	{NoticeCommentResolved, "Your comment threads resolved"},
	{"feedback.requested", "Feedback is requested from you"},
	{"feedback.answered", "Feedback you asked for arrives"},
	{"reminder.conversation", "Reminder: career conversations due this quarter"},
	{"reminder.plan", "Reminder: growth plan refresh due"},
	{"reminder.deadline", "Reminder: cycle deadlines"},
	{"reminder.review", "Reminder: reviews waiting"},
	{"reminder.peer-review-due", "Reminder: your peer-review comments are due in two working days"},
	{"reminder.peer-review-passed", "Reminder: the peer-review deadline of your report's document passed"},
	{"opening.posted", "New openings matching your subscriptions"},
	{"opening.interest", "Interest in an opening you hire for"},
	{"chat.requested", "Coffee chat requests"},
	{"chat.answered", "Answers to your coffee chat requests"},
	{"mentorship.started", "Mentorships"},
	{"programme.applied", "Programme applications"},
	{"programme.decided", "Programme decisions"},
	{"programme.mentor", "Programme mentoring"},
	{"assignment.created", "Interim and acting assignments"},
}

// Mutes reports whether notifications of kind are kept to the inbox.
func (p *NotificationPrefs) Mutes(kind string) bool {
	for _, k := range p.Muted {
		if k == kind {
			return true
		}
	}
	return false
}

// Check trims p and says what is wrong with it: a webhook URL must be an
// absolute http or https URL with a host.
func (p *NotificationPrefs) Check() error {
	p.WebhookURL = strings.TrimSpace(p.WebhookURL)
	var d []FieldError
	if msg := checkWebhookURL(p.WebhookURL); msg != "" {
		d = append(d, FieldError{Field: "webhook_url", Message: msg})
	}
	seen := map[string]bool{}
	muted := []string{}
	for _, k := range p.Muted {
		k = strings.TrimSpace(k)
		if k == "" || seen[k] {
			continue
		}
		if len(k) > 64 {
			d = append(d, FieldError{Field: "muted", Message: "a kind is at most 64 characters"})
			break
		}
		seen[k] = true
		muted = append(muted, k)
	}
	p.Muted = muted
	if p.Digest && !p.Email {
		d = append(d, FieldError{Field: "digest", Message: "the daily digest is an e-mail: turn e-mail on to receive it"})
	}
	if len(d) > 0 {
		return &Error{Code: EINVALID, Message: "The notification settings are not valid.", Details: d}
	}
	return nil
}

func checkWebhookURL(s string) string {
	if s == "" {
		return ""
	}
	if len(s) > 2000 {
		return "the webhook URL is longer than 2000 characters"
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return "the webhook URL must start with http:// or https:// and name a host, such as https://hooks.slack.com/services/..."
	}
	if u.User != nil {
		return "the webhook URL must not carry a user name or password"
	}
	return ""
}

// Delivery is one message on its way to one channel of one person: a
// notification, or a day's digest of them.
type Delivery struct {
	ID             int64      `json:"id"`
	PersonID       int64      `json:"person_id"`
	NotificationID *int64     `json:"notification_id,omitempty"`
	Channel        string     `json:"channel"`
	Target         string     `json:"target"` // the e-mail address or webhook URL
	Kind           string     `json:"kind"`
	Subject        string     `json:"subject"`
	Body           string     `json:"body"`
	URL            string     `json:"url,omitempty"` // a path inside Trellis
	Status         string     `json:"status"`
	Attempts       int        `json:"attempts"`
	NextAt         time.Time  `json:"next_at"`
	LastError      string     `json:"last_error,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	SentAt         *time.Time `json:"sent_at,omitempty"`
	// Claim is the token of the sender holding the delivery while sending.
	Claim string `json:"-"`
}

// DeliveryAttempt is one try at sending a delivery.
type DeliveryAttempt struct {
	DeliveryID int64     `json:"delivery_id"`
	At         time.Time `json:"at"`
	Holder     string    `json:"holder"`
	Error      string    `json:"error,omitempty"` // empty: sent
}

// Outbox is what the senders need of the store: claim due deliveries, then
// record how each attempt went.
type Outbox interface {
	// ClaimDeliveries marks up to n due deliveries as being sent by holder
	// for at most hold, and returns them; no two callers get the same
	// delivery while the claim holds.
	ClaimDeliveries(ctx context.Context, holder string, n int, hold time.Duration) ([]*Delivery, error)
	// FinishDelivery records the attempt: sent when sendErr is nil,
	// otherwise retried later or failed for good.
	FinishDelivery(ctx context.Context, d *Delivery, holder string, sendErr error) error
}

// DeliveryService keeps preferences and lets admins see and retry
// deliveries.
type DeliveryService interface {
	NotificationPrefs(ctx context.Context, personID int64) (*NotificationPrefs, error)
	SetNotificationPrefs(ctx context.Context, p *NotificationPrefs) error
	// ListDeliveries returns deliveries in the given states (all when none),
	// newest first.
	ListDeliveries(ctx context.Context, states []string, limit int) ([]*Delivery, error)
	DeliveryAttempts(ctx context.Context, id int64) ([]*DeliveryAttempt, error)
	// RetryDelivery makes a failed or waiting delivery due now.
	RetryDelivery(ctx context.Context, id int64) error
}
