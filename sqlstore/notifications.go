package sqlstore

import (
	"context"
	"strings"
	"unicode/utf8"

	"trellis"
)

// NotificationService keeps the in-app inbox. It implements
// trellis.NotificationService. Other services notify inside their own
// transactions with notify, so that a message exists exactly when the change
// it announces does.
type NotificationService struct {
	db *DB
}

var _ trellis.NotificationService = (*NotificationService)(nil)

// NewNotificationService returns a NotificationService over db.
func NewNotificationService(db *DB) *NotificationService {
	return &NotificationService{db: db}
}

// Limits of a notification's text.
const (
	maxNotificationKind  = 64
	maxNotificationTitle = 300
	maxNotificationBody  = 4000
	maxNotificationURL   = 2000
)

// checkNotification trims n and says what is wrong with it, if anything.
// The URL must be a path inside Trellis: a message is never a way to send
// someone elsewhere.
func checkNotification(n *trellis.Notification) error {
	n.Kind, n.Title, n.Body, n.URL = strings.TrimSpace(n.Kind), strings.TrimSpace(n.Title), strings.TrimSpace(n.Body), strings.TrimSpace(n.URL)
	var d []trellis.FieldError
	add := func(field, msg string) { d = append(d, trellis.FieldError{Field: field, Message: msg}) }
	if n.PersonID <= 0 {
		add("person_id", "a notification needs the person it is for")
	}
	if n.Kind == "" || len(n.Kind) > maxNotificationKind {
		add("kind", "the kind is required (document.moved, feedback.requested...), at most 64 characters")
	}
	if n.Title == "" {
		add("title", "the title is required")
	} else if utf8.RuneCountInString(n.Title) > maxNotificationTitle {
		add("title", "the title is longer than 300 characters")
	}
	if utf8.RuneCountInString(n.Body) > maxNotificationBody {
		add("body", "the body is longer than 4000 characters")
	}
	if n.URL != "" && (!strings.HasPrefix(n.URL, "/") || strings.HasPrefix(n.URL, "//") || strings.HasPrefix(n.URL, `/\`) ||
		len(n.URL) > maxNotificationURL || strings.ContainsAny(n.URL, " \t\r\n")) {
		add("url", "the link must be a path inside Trellis, such as /documents/12")
	}
	if len(d) > 0 {
		return &trellis.Error{Code: trellis.EINVALID, Message: "The notification is not valid.", Details: d}
	}
	return nil
}

// notify adds n to its person's inbox inside tx, stamped with the
// transaction's time, sets its ID and enqueues its deliveries by the
// person's preferences. Other packages call it as NotifyTx.
func notify(ctx context.Context, tx *Tx, n *trellis.Notification) error {
	if err := checkNotification(n); err != nil {
		return err
	}
	n.CreatedAt, n.ReadAt = tx.now, nil
	if err := tx.QueryRowContext(ctx, `
		INSERT INTO notifications (person_id, kind, title, body, url, created_at) VALUES ($1, $2, $3, $4, $5, $6)
		RETURNING id`, n.PersonID, n.Kind, n.Title, n.Body, n.URL, formatTime(tx.now)).Scan(&n.ID); err != nil {
		return err
	}
	// The e-mail and webhook deliveries go in the same transaction
	// (delivery.go): they exist exactly when the inbox row does.
	return enqueueDeliveries(ctx, tx, n)
}

// Notify adds n to its person's inbox.
func (s *NotificationService) Notify(ctx context.Context, n *trellis.Notification) error {
	if n == nil {
		return trellis.Errorf(trellis.EINVALID, "no notification to send")
	}
	c := *n
	err := s.db.update(ctx, func(tx *Tx) error {
		c = *n
		if err := personExists(ctx, tx, c.PersonID); err != nil {
			return err
		}
		return notify(ctx, tx, &c)
	})
	if err != nil {
		return err
	}
	*n = c
	return nil
}

const notificationColumns = `id, person_id, kind, title, body, url, created_at, read_at`

func scanNotification(r rowScanner) (*trellis.Notification, error) {
	n := new(trellis.Notification)
	if err := r.Scan(&n.ID, &n.PersonID, &n.Kind, &n.Title, &n.Body, &n.URL, scanTime(&n.CreatedAt), scanNullTime(&n.ReadAt)); err != nil {
		return nil, err
	}
	return n, nil
}

// ListNotifications returns the person's newest notifications first, only
// the unread ones when unreadOnly (read through the partial index
// notifications_unread).
func (s *NotificationService) ListNotifications(ctx context.Context, personID int64, unreadOnly bool, limit int) ([]*trellis.Notification, error) {
	limit = trellis.ClampLimit(limit)
	q := `SELECT ` + notificationColumns + ` FROM notifications WHERE person_id = $1`
	if unreadOnly {
		q += ` AND read_at IS NULL`
	}
	q += ` ORDER BY id DESC LIMIT $2`
	list := []*trellis.Notification{}
	err := s.db.view(ctx, func(tx *Tx) error {
		list = list[:0]
		rows, err := tx.QueryContext(ctx, q, personID, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			n, err := scanNotification(rows)
			if err != nil {
				return err
			}
			list = append(list, n)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}

// CountUnread returns how many notifications of the person are unread, for
// the badge beside the inbox.
func (s *NotificationService) CountUnread(ctx context.Context, personID int64) (int, error) {
	var n int
	err := s.db.view(ctx, func(tx *Tx) error {
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE person_id = $1 AND read_at IS NULL`,
			personID).Scan(&n)
	})
	return n, err
}

// MarkRead marks the person's notifications with the ids read; ids of other
// people's notifications are ignored. No ids marks all of them read.
func (s *NotificationService) MarkRead(ctx context.Context, personID int64, ids []int64) error {
	return s.db.update(ctx, func(tx *Tx) error {
		var a args
		q := `UPDATE notifications SET read_at = ` + a.add(formatTime(tx.now)) +
			` WHERE person_id = ` + a.add(personID) + ` AND read_at IS NULL`
		if len(ids) > 0 {
			q += ` AND id IN (` + a.placeholders(anys(ids)...) + `)`
		}
		_, err := tx.ExecContext(ctx, q, a...)
		return err
	})
}
