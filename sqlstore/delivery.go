package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"trellis"
)

// Delivery of notifications by e-mail and chat webhooks: an outbox.
//
// Every notification written to the inbox (notify) enqueues, in the same
// transaction, one delivery per channel the person has turned on, so a
// message is delivered exactly when the change it announces happened. The
// senders (notify.Deliverer, run by the scheduler) claim due deliveries with
// a conditional UPDATE, status pending -> sending with a claim token and an
// expiry, so two nodes never hold the same delivery at once; the result of
// each attempt is recorded, and a failure is retried after
// trellis.DeliveryBackoff, then kept as failed for admins to see and retry.
//
// Sending is at least once, not exactly once: an SMTP server or webhook can
// accept a message and the sender die (or lose the connection) before the
// store records it as sent; nothing then tells whether it arrived, and the
// claim expires and the delivery is sent again. Exactly once would need the
// receiver to take part in the transaction, which SMTP and webhooks cannot.
// Duplicates are kept rare: a delivery is marked sent right after the peer
// accepts it, claims last much longer than a send can take (sends time out
// first), and each e-mail carries a Message-ID fixed per delivery, so mail
// systems that drop repeated Message-IDs drop the duplicate.
//
// DeliveryService implements trellis.DeliveryService and trellis.Outbox.
type DeliveryService struct {
	db *DB
}

var (
	_ trellis.DeliveryService = (*DeliveryService)(nil)
	_ trellis.Outbox          = (*DeliveryService)(nil)
)

// NewDeliveryService returns a DeliveryService over db.
func NewDeliveryService(db *DB) *DeliveryService { return &DeliveryService{db: db} }

// NotifyTx adds n to its person's inbox inside tx and enqueues its
// deliveries by the person's preferences: the one way other services (and
// the openings, coffee chats and reminders) send a notification, so that it
// exists exactly when the change it announces does.
func NotifyTx(ctx context.Context, tx *Tx, n *trellis.Notification) error {
	return notify(ctx, tx, n)
}

// emailOff holds the databases whose server sends no e-mail.
var emailOff sync.Map // *DB -> struct{}

// SetEmailEnabled says whether the server over db sends e-mail (it has an
// SMTP server configured). Without one no e-mail deliveries are enqueued:
// the inbox and webhooks still carry every notification, and the outbox
// does not fill with e-mails that can never go.
func SetEmailEnabled(db *DB, on bool) {
	if on {
		emailOff.Delete(db)
	} else {
		emailOff.Store(db, struct{}{})
	}
}

func emailEnabled(db *DB) bool {
	_, off := emailOff.Load(db)
	return !off
}

func readPrefs(ctx context.Context, tx *Tx, personID int64) (*trellis.NotificationPrefs, error) {
	p := trellis.DefaultNotificationPrefs(personID)
	var muted string
	err := tx.QueryRowContext(ctx, `SELECT email, digest, webhook_url, muted, updated_at FROM notification_prefs WHERE person_id = $1`,
		personID).Scan(&p.Email, &p.Digest, &p.WebhookURL, &muted, scanTime(&p.UpdatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return nil, err
	}
	for _, k := range strings.Split(muted, "\n") {
		if k != "" {
			p.Muted = append(p.Muted, k)
		}
	}
	return p, nil
}

// enqueueDeliveries writes the deliveries of the inbox notification n.
// A person who has left gets none; a muted kind gets none; an e-mail of a
// person taking the digest is held for it.
func enqueueDeliveries(ctx context.Context, tx *Tx, n *trellis.Notification) error {
	var email string
	var active bool
	if err := tx.QueryRowContext(ctx, `SELECT email, active FROM people WHERE id = $1`, n.PersonID).Scan(&email, &active); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return personNotFound(n.PersonID)
		}
		return err
	}
	if !active {
		return nil
	}
	p, err := readPrefs(ctx, tx, n.PersonID)
	if err != nil {
		return err
	}
	if p.Mutes(n.Kind) {
		return nil
	}
	add := func(channel, target, status string) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO deliveries (person_id, notification_id, channel, target, kind, subject, body, url, status, next_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
			n.PersonID, n.ID, channel, target, n.Kind, n.Title, n.Body, n.URL, status, formatTime(tx.now))
		return err
	}
	if p.Email && email != "" && emailEnabled(tx.db) {
		status := trellis.DeliveryPending
		if p.Digest {
			status = trellis.DeliveryHeld
		}
		if err := add(trellis.ChannelEmail, email, status); err != nil {
			return err
		}
	}
	if p.WebhookURL != "" {
		if err := add(trellis.ChannelWebhook, p.WebhookURL, trellis.DeliveryPending); err != nil {
			return err
		}
	}
	return nil
}

// NotificationPrefs returns the person's preferences, the defaults when
// they never chose.
func (s *DeliveryService) NotificationPrefs(ctx context.Context, personID int64) (*trellis.NotificationPrefs, error) {
	var p *trellis.NotificationPrefs
	err := s.db.view(ctx, func(tx *Tx) error {
		if err := personExists(ctx, tx, personID); err != nil {
			return err
		}
		var err error
		p, err = readPrefs(ctx, tx, personID)
		return err
	})
	return p, err
}

// SetNotificationPrefs checks and stores p. Turning the digest off releases
// the e-mails it held, to be sent one by one.
func (s *DeliveryService) SetNotificationPrefs(ctx context.Context, p *trellis.NotificationPrefs) error {
	if p == nil {
		return trellis.Errorf(trellis.EINVALID, "no notification settings")
	}
	if err := p.Check(); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx *Tx) error {
		if err := personExists(ctx, tx, p.PersonID); err != nil {
			return err
		}
		p.UpdatedAt = tx.now
		_, err := tx.ExecContext(ctx, `
			INSERT INTO notification_prefs (person_id, email, digest, webhook_url, muted, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (person_id) DO UPDATE SET email = excluded.email, digest = excluded.digest,
				webhook_url = excluded.webhook_url, muted = excluded.muted, updated_at = excluded.updated_at`,
			p.PersonID, p.Email, p.Digest, p.WebhookURL, strings.Join(p.Muted, "\n"), formatTime(tx.now))
		if err != nil {
			return err
		}
		if !p.Digest {
			_, err = tx.ExecContext(ctx, `UPDATE deliveries SET status = $1, next_at = $2 WHERE person_id = $3 AND status = $4`,
				trellis.DeliveryPending, formatTime(tx.now), p.PersonID, trellis.DeliveryHeld)
		}
		return err
	})
}

const deliveryColumns = `id, person_id, notification_id, channel, target, kind, subject, body, url, status, attempts, next_at, last_error, created_at, sent_at, COALESCE(claim, '')`

func scanDelivery(r rowScanner) (*trellis.Delivery, error) {
	d := new(trellis.Delivery)
	var nid sql.NullInt64
	if err := r.Scan(&d.ID, &d.PersonID, &nid, &d.Channel, &d.Target, &d.Kind, &d.Subject, &d.Body, &d.URL, &d.Status,
		&d.Attempts, scanTime(&d.NextAt), &d.LastError, scanTime(&d.CreatedAt), scanNullTime(&d.SentAt), &d.Claim); err != nil {
		return nil, err
	}
	if nid.Valid {
		d.NotificationID = &nid.Int64
	}
	return d, nil
}

func queryDeliveries(ctx context.Context, tx *Tx, q string, a ...any) ([]*trellis.Delivery, error) {
	rows, err := tx.QueryContext(ctx, q, a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list := []*trellis.Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, d)
	}
	return list, rows.Err()
}

// ClaimDeliveries marks up to n due deliveries as being sent under a new
// claim token for hold and returns them. Due: pending and past next_at, or
// sending under a claim that expired (its sender died). The UPDATE repeats
// the due condition, so on PostgreSQL a row another node claimed between
// the subquery and the update is re-checked and skipped; SQLite runs one
// writer at a time.
func (s *DeliveryService) ClaimDeliveries(ctx context.Context, holder string, n int, hold time.Duration) ([]*trellis.Delivery, error) {
	if n <= 0 {
		n = 20
	}
	b := make([]byte, 12)
	rand.Read(b)
	token := holder + "#" + hex.EncodeToString(b)
	var list []*trellis.Delivery
	err := s.db.update(ctx, func(tx *Tx) error {
		now := formatTime(tx.now)
		due := `((status = 'pending' AND next_at <= $1) OR (status = 'sending' AND claim_expires < $1))`
		_, err := tx.ExecContext(ctx, `
			UPDATE deliveries SET status = 'sending', claim = $2, claim_expires = $3
			WHERE `+due+` AND id IN (SELECT id FROM deliveries WHERE `+due+` ORDER BY next_at, id LIMIT $4)`,
			now, token, formatTime(tx.now.Add(hold)), n)
		if err != nil {
			return err
		}
		list, err = queryDeliveries(ctx, tx, `SELECT `+deliveryColumns+` FROM deliveries WHERE claim = $1 AND status = 'sending' ORDER BY id`, token)
		return err
	})
	return list, err
}

// maxDeliveryError bounds the error text kept per attempt.
const maxDeliveryError = 1000

func clipError(err error) string {
	msg := err.Error()
	for len(msg) > maxDeliveryError {
		_, size := utf8.DecodeLastRuneInString(msg[:maxDeliveryError])
		msg = msg[:maxDeliveryError-size] + "…"
	}
	return msg
}

// FinishDelivery records the attempt at d by holder: sent, or retried after
// the next step of trellis.DeliveryBackoff, or failed once they are spent.
// Only the claim that took the delivery may finish it: a sender whose claim
// expired and was taken over records its attempt but leaves the row to the
// new claim.
func (s *DeliveryService) FinishDelivery(ctx context.Context, d *trellis.Delivery, holder string, sendErr error) error {
	return s.db.update(ctx, func(tx *Tx) error {
		now := formatTime(tx.now)
		msg := ""
		if sendErr != nil {
			msg = clipError(sendErr)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO delivery_attempts (delivery_id, at, holder, error) VALUES ($1, $2, $3, $4)`,
			d.ID, now, holder, msg); err != nil {
			return err
		}
		attempts := d.Attempts + 1
		var err error
		switch {
		case sendErr == nil:
			_, err = tx.ExecContext(ctx, `UPDATE deliveries SET status = 'sent', sent_at = $1, attempts = $2, claim = NULL, claim_expires = NULL, last_error = ''
				WHERE id = $3 AND claim = $4`, now, attempts, d.ID, d.Claim)
			d.Status = trellis.DeliverySent
		case attempts > len(trellis.DeliveryBackoff) || isPermanent(sendErr):
			_, err = tx.ExecContext(ctx, `UPDATE deliveries SET status = 'failed', attempts = $1, claim = NULL, claim_expires = NULL, last_error = $2
				WHERE id = $3 AND claim = $4`, attempts, msg, d.ID, d.Claim)
			d.Status = trellis.DeliveryFailed
		default:
			next := tx.now.Add(trellis.DeliveryBackoff[attempts-1])
			_, err = tx.ExecContext(ctx, `UPDATE deliveries SET status = 'pending', attempts = $1, next_at = $2, claim = NULL, claim_expires = NULL, last_error = $3
				WHERE id = $4 AND claim = $5`, attempts, formatTime(next), msg, d.ID, d.Claim)
			d.Status, d.NextAt = trellis.DeliveryPending, next
		}
		d.Attempts, d.LastError = attempts, msg
		return err
	})
}

// isPermanent reports an error no retry can mend (no sender configured for
// the channel): it fails the delivery at once, still kept for admins.
func isPermanent(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}

// ListDeliveries returns deliveries in the given states, newest first.
func (s *DeliveryService) ListDeliveries(ctx context.Context, states []string, limit int) ([]*trellis.Delivery, error) {
	limit = trellis.ClampLimit(limit)
	var list []*trellis.Delivery
	err := s.db.view(ctx, func(tx *Tx) error {
		var a args
		q := `SELECT ` + deliveryColumns + ` FROM deliveries`
		if len(states) > 0 {
			q += ` WHERE status IN (` + a.placeholders(anys(states)...) + `)`
		}
		q += ` ORDER BY id DESC LIMIT ` + a.add(limit)
		var err error
		list, err = queryDeliveries(ctx, tx, q, a...)
		return err
	})
	return list, err
}

// DeliveryAttempts returns the attempts at delivery id, oldest first.
func (s *DeliveryService) DeliveryAttempts(ctx context.Context, id int64) ([]*trellis.DeliveryAttempt, error) {
	list := []*trellis.DeliveryAttempt{}
	err := s.db.view(ctx, func(tx *Tx) error {
		list = list[:0]
		rows, err := tx.QueryContext(ctx, `SELECT delivery_id, at, holder, error FROM delivery_attempts WHERE delivery_id = $1 ORDER BY id`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a := new(trellis.DeliveryAttempt)
			if err := rows.Scan(&a.DeliveryID, scanTime(&a.At), &a.Holder, &a.Error); err != nil {
				return err
			}
			list = append(list, a)
		}
		return rows.Err()
	})
	return list, err
}

// RetryDelivery makes a failed or waiting delivery due now; a failed one
// starts a new series of attempts.
func (s *DeliveryService) RetryDelivery(ctx context.Context, id int64) error {
	return s.db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE deliveries SET next_at = $1, attempts = CASE WHEN status = 'failed' THEN 0 ELSE attempts END, status = 'pending'
			WHERE id = $2 AND status IN ('failed', 'pending')`, formatTime(tx.now), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			var status string
			err := tx.QueryRowContext(ctx, `SELECT status FROM deliveries WHERE id = $1`, id).Scan(&status)
			if errors.Is(err, sql.ErrNoRows) {
				return trellis.Errorf(trellis.ENOTFOUND, "Delivery %d does not exist.", id)
			}
			if err != nil {
				return err
			}
			return trellis.Errorf(trellis.ECONFLICT, "Delivery %d is %s; only failed or waiting deliveries can be retried.", id, status)
		}
		return nil
	})
}

// CollectDigests turns each person's held e-mails (those of the day
// since the last run) into one pending digest e-mail per person, and
// returns how many it made. Run daily; a held e-mail joins exactly one digest, as marking it
// digested is part of the same transaction.
func (s *DeliveryService) CollectDigests(ctx context.Context) (int, error) {
	made := 0
	err := s.db.update(ctx, func(tx *Tx) error {
		made = 0
		held, err := queryDeliveries(ctx, tx, `SELECT `+deliveryColumns+` FROM deliveries WHERE status = 'held' ORDER BY person_id, id`)
		if err != nil {
			return err
		}
		for i := 0; i < len(held); {
			j := i
			for j < len(held) && held[j].PersonID == held[i].PersonID {
				j++
			}
			group := held[i:j]
			i = j
			var b strings.Builder
			for _, d := range group {
				fmt.Fprintf(&b, "- %s\n", d.Subject)
				if d.Body != "" {
					fmt.Fprintf(&b, "  %s\n", strings.ReplaceAll(d.Body, "\n", "\n  "))
				}
				if d.URL != "" {
					fmt.Fprintf(&b, "  %s\n", d.URL)
				}
			}
			subject := fmt.Sprintf("Your Trellis digest: %d notification", len(group))
			if len(group) > 1 {
				subject += "s"
			}
			var id int64
			if err := tx.QueryRowContext(ctx, `
				INSERT INTO deliveries (person_id, channel, target, kind, subject, body, url, status, next_at, created_at)
				VALUES ($1, 'email', $2, 'digest', $3, $4, '/inbox', 'pending', $5, $5) RETURNING id`,
				group[0].PersonID, group[len(group)-1].Target, subject, b.String(), formatTime(tx.now)).Scan(&id); err != nil {
				return err
			}
			ids := make([]any, len(group))
			for k, d := range group {
				ids[k] = d.ID
			}
			var a args
			a.add(id)
			q := `UPDATE deliveries SET status = 'digested', digest_id = $1 WHERE status = 'held' AND id IN (` + a.placeholders(ids...) + `)`
			if _, err := tx.ExecContext(ctx, q, a...); err != nil {
				return err
			}
			made++
		}
		return nil
	})
	return made, err
}
