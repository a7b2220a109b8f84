package trellis

import (
	"context"
	"time"
)

// Notification is a message to one person in their in-app inbox; other
// channels (e-mail, chat webhooks) deliver the same message.
type Notification struct {
	ID        int64      `json:"id"`
	PersonID  int64      `json:"person_id"`
	Kind      string     `json:"kind"` // "document.moved", "feedback.requested", "conversation.recorded"...
	Title     string     `json:"title"`
	Body      string     `json:"body,omitempty"`
	URL       string     `json:"url,omitempty"` // a path inside Trellis
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
}

// NotificationService keeps the inbox.
type NotificationService interface {
	Notify(ctx context.Context, n *Notification) error
	ListNotifications(ctx context.Context, personID int64, unreadOnly bool, limit int) ([]*Notification, error)
	MarkRead(ctx context.Context, personID int64, ids []int64) error
}
