package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"trellis"
)

// OpeningService keeps openings, interest in them and subscriptions. It
// implements trellis.OpeningService. Subscribers and hiring managers are
// notified through the inbox inside the same transaction as the change.
type OpeningService struct {
	db         *DB
	frameworks *FrameworkService
}

var _ trellis.OpeningService = (*OpeningService)(nil)

// NewOpeningService returns an OpeningService over db.
func NewOpeningService(db *DB) *OpeningService {
	return &OpeningService{db: db, frameworks: NewFrameworkService(db)}
}

// dateScanner reads a YYYY-MM-DD column.
type dateScanner struct{ t *time.Time }

func scanDate(t *time.Time) sql.Scanner { return dateScanner{t} }

func (s dateScanner) Scan(src any) error {
	var v string
	switch x := src.(type) {
	case string:
		v = x
	case []byte:
		v = string(x)
	default:
		return fmt.Errorf("sqlstore: stored date of type %T", src)
	}
	t, err := time.Parse(dateFormat, v)
	if err != nil {
		return fmt.Errorf("sqlstore: stored date %q: %w", v, err)
	}
	*s.t = t
	return nil
}

const openingColumns = `o.id, o.framework_id, o.role_id, o.track, o.team, o.region, o.arrangement, o.opens_on, o.closes_on,
	o.description, o.hiring_manager_id, o.state, o.created_by, o.created_at, o.updated_at, o.version`

func scanOpening(r rowScanner) (*trellis.Opening, error) {
	o := new(trellis.Opening)
	var state string
	err := r.Scan(&o.ID, &o.FrameworkID, &o.RoleID, &o.Track, &o.Team, &o.Region, &o.Arrangement, scanDate(&o.OpensOn), scanDate(&o.ClosesOn),
		&o.Description, &o.HiringManagerID, &state, &o.CreatedBy, scanTime(&o.CreatedAt), scanTime(&o.UpdatedAt), &o.Version)
	o.State = trellis.OpeningState(state)
	return o, err
}

func findOpening(ctx context.Context, tx *Tx, id int64, lock bool) (*trellis.Opening, error) {
	q := `SELECT ` + openingColumns + ` FROM openings o WHERE o.id = $1`
	if lock {
		q += tx.forUpdate()
	}
	o, err := scanOpening(tx.QueryRowContext(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, trellis.Errorf(trellis.ENOTFOUND, "No such opening.")
	}
	return o, err
}

// checkOpening validates o against its rules and the framework, and checks
// that the hiring manager is an active person who manages people. It sets
// the track from the role.
func (s *OpeningService) checkOpening(ctx context.Context, tx *Tx, o *trellis.Opening) error {
	if o.FrameworkID == "" {
		o.FrameworkID = DefaultFrameworkID
	}
	if err := o.Validate(); err != nil {
		return err
	}
	fw, err := s.frameworks.frameworkInTx(ctx, tx, o.FrameworkID, "")
	if trellis.ErrorCode(err) == trellis.ENOTFOUND {
		return &trellis.Error{Code: trellis.EINVALID, Message: "The opening names a framework that is not stored.",
			Details: []trellis.FieldError{{Field: "framework_id", Message: trellis.ErrorMessage(err)}}}
	}
	if err != nil {
		return err
	}
	role, ok := fw.Role(o.RoleID)
	if !ok {
		return &trellis.Error{Code: trellis.EINVALID, Message: "The opening's role is not in the framework.",
			Details: []trellis.FieldError{{Field: "role_id", Message: fmt.Sprintf("%q is not a role of %s", o.RoleID, fw.Name)}}}
	}
	o.Track = role.Track
	hm, err := findPerson(ctx, tx, o.HiringManagerID, false)
	if trellis.ErrorCode(err) == trellis.ENOTFOUND || (err == nil && !hm.Active) {
		return &trellis.Error{Code: trellis.EINVALID, Message: "The hiring manager is not a current person.",
			Details: []trellis.FieldError{{Field: "hiring_manager_id", Message: "choose someone who works here"}}}
	}
	if err != nil {
		return err
	}
	var reports bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM people WHERE manager_id = $1 AND active)`, hm.ID).Scan(&reports); err != nil {
		return err
	}
	if !reports {
		return &trellis.Error{Code: trellis.ERULE, Message: fmt.Sprintf("%s has no reports: the hiring manager of an opening is someone who manages people.", hm.Name),
			Details: []trellis.FieldError{{Field: "hiring_manager_id", Message: "choose a manager"}}}
	}
	return nil
}

// CreateOpening stores o and notifies every subscriber it matches (but not
// the person who posted it).
func (s *OpeningService) CreateOpening(ctx context.Context, o *trellis.Opening) error {
	if o == nil {
		return trellis.Errorf(trellis.EINVALID, "no opening to store")
	}
	return s.db.update(ctx, func(tx *Tx) error {
		c := *o
		c.State = trellis.OpeningOpen
		if err := s.checkOpening(ctx, tx, &c); err != nil {
			return err
		}
		c.CreatedAt, c.UpdatedAt, c.Version = tx.now, tx.now, 1
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO openings (framework_id, role_id, track, team, region, arrangement, opens_on, closes_on, description,
				hiring_manager_id, state, created_by, created_at, updated_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
			c.FrameworkID, c.RoleID, c.Track, c.Team, c.Region, c.Arrangement, storedDate(c.OpensOn), storedDate(c.ClosesOn), c.Description,
			c.HiringManagerID, string(c.State), c.CreatedBy, formatTime(tx.now), formatTime(tx.now), c.Version).Scan(&c.ID); err != nil {
			return err
		}
		if err := s.notifySubscribers(ctx, tx, &c); err != nil {
			return err
		}
		*o = c
		return nil
	})
}

// notifySubscribers puts a message in the inbox of each active person with
// a subscription the opening matches, once per person.
func (s *OpeningService) notifySubscribers(ctx context.Context, tx *Tx, o *trellis.Opening) error {
	rows, err := tx.QueryContext(ctx, `
		SELECT DISTINCT s.person_id FROM opening_subscriptions s JOIN people p ON p.id = s.person_id
		WHERE p.active AND s.person_id <> $1 AND ((s.role_id <> '' AND s.role_id = $2) OR (s.track <> '' AND s.track = $3))
		ORDER BY s.person_id`, o.CreatedBy, o.RoleID, o.Track)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	title := "New opening: " + o.RoleID
	if fw, err := s.frameworks.frameworkInTx(ctx, tx, o.FrameworkID, ""); err == nil {
		if r, ok := fw.Role(o.RoleID); ok {
			title = "New opening: " + r.Name
		}
	}
	if o.Team != "" {
		title += " in " + o.Team
	}
	body := fmt.Sprintf("Open from %s to %s (%s). You asked to hear of openings like this one.",
		o.OpensOn.Format(trellis.DateLayout), o.ClosesOn.Format(trellis.DateLayout), o.Arrangement)
	for _, id := range ids {
		if err := notify(ctx, tx, &trellis.Notification{PersonID: id, Kind: "opening.posted", Title: title, Body: body,
			URL: fmt.Sprintf("/openings/%d", o.ID)}); err != nil {
			return err
		}
	}
	return nil
}

// FindOpening returns the opening with the id.
func (s *OpeningService) FindOpening(ctx context.Context, id int64) (*trellis.Opening, error) {
	var o *trellis.Opening
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		o, err = findOpening(ctx, tx, id, false)
		return err
	})
	return o, err
}

// ListOpenings lists openings matching f: open ones first (by closing
// date), then the rest, newest first.
func (s *OpeningService) ListOpenings(ctx context.Context, f trellis.OpeningFilter) ([]*trellis.Opening, error) {
	var a args
	var where []string
	for col, v := range map[string]string{"o.role_id": f.RoleID, "o.track": f.Track, "o.team": f.Team, "o.region": f.Region, "o.state": string(f.State)} {
		if v = strings.TrimSpace(v); v != "" {
			where = append(where, col+" = "+a.add(v))
		}
	}
	q := `SELECT ` + openingColumns + ` FROM openings o`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	q += ` ORDER BY CASE WHEN o.state = 'open' THEN 0 ELSE 1 END, CASE WHEN o.state = 'open' THEN o.closes_on ELSE '' END, o.id DESC LIMIT ` + a.add(limit)
	var out []*trellis.Opening
	err := s.db.view(ctx, func(tx *Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, q, a...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			o, err := scanOpening(rows)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	return out, err
}

// UpdateOpening stores o over expectedVersion. The five-day rule holds for
// changed dates too.
func (s *OpeningService) UpdateOpening(ctx context.Context, o *trellis.Opening, expectedVersion int) error {
	if o == nil {
		return trellis.Errorf(trellis.EINVALID, "no opening to store")
	}
	return s.db.update(ctx, func(tx *Tx) error {
		old, err := findOpening(ctx, tx, o.ID, true)
		if err != nil {
			return err
		}
		if old.Version != expectedVersion {
			return trellis.Errorf(trellis.ECONFLICT, "The opening was changed by someone else (version %d, not %d): reload it and make your change again.", old.Version, expectedVersion)
		}
		c := *o
		c.FrameworkID, c.CreatedBy, c.CreatedAt = old.FrameworkID, old.CreatedBy, old.CreatedAt
		if err := s.checkOpening(ctx, tx, &c); err != nil {
			return err
		}
		c.UpdatedAt, c.Version = tx.now, old.Version+1
		if _, err := tx.ExecContext(ctx, `
			UPDATE openings SET role_id = $1, track = $2, team = $3, region = $4, arrangement = $5, opens_on = $6, closes_on = $7,
				description = $8, hiring_manager_id = $9, state = $10, updated_at = $11, version = $12 WHERE id = $13`,
			c.RoleID, c.Track, c.Team, c.Region, c.Arrangement, storedDate(c.OpensOn), storedDate(c.ClosesOn),
			c.Description, c.HiringManagerID, string(c.State), formatTime(tx.now), c.Version, c.ID); err != nil {
			return err
		}
		*o = c
		return nil
	})
}

// ExpressInterest records interest and tells the hiring manager, with the
// note.
func (s *OpeningService) ExpressInterest(ctx context.Context, openingID, personID int64, note string) error {
	note = strings.TrimSpace(note)
	if len([]rune(note)) > 2000 {
		return &trellis.Error{Code: trellis.EINVALID, Message: "The note is too long.",
			Details: []trellis.FieldError{{Field: "note", Message: "at most 2000 characters"}}}
	}
	return s.db.update(ctx, func(tx *Tx) error {
		o, err := findOpening(ctx, tx, openingID, false)
		if err != nil {
			return err
		}
		if !o.IsOpenOn(tx.now) {
			return trellis.Errorf(trellis.ERULE, "This opening takes interest from %s to %s while it is open; it is %s now.",
				o.OpensOn.Format(trellis.DateLayout), o.ClosesOn.Format(trellis.DateLayout), stateNow(o, tx.now))
		}
		if o.HiringManagerID == personID {
			return trellis.Errorf(trellis.ERULE, "You are the hiring manager of this opening.")
		}
		p, err := findPerson(ctx, tx, personID, false)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE opening_interest SET note = $1 WHERE opening_id = $2 AND person_id = $3`, note, openingID, personID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO opening_interest (opening_id, person_id, note, created_at) VALUES ($1, $2, $3, $4)`,
				openingID, personID, note, formatTime(tx.now)); err != nil {
				return err
			}
		}
		body := note
		if body == "" {
			body = "No note."
		}
		return notify(ctx, tx, &trellis.Notification{PersonID: o.HiringManagerID, Kind: "opening.interest",
			Title: fmt.Sprintf("%s is interested in your opening #%d", p.Name, o.ID), Body: body, URL: fmt.Sprintf("/openings/%d", o.ID)})
	})
}

func stateNow(o *trellis.Opening, now time.Time) string {
	if o.State != trellis.OpeningOpen {
		return string(o.State)
	}
	if now.Before(o.OpensOn) {
		return "not open yet"
	}
	return "closed"
}

// ListInterest lists who is interested, first first.
func (s *OpeningService) ListInterest(ctx context.Context, openingID int64) ([]*trellis.OpeningInterest, error) {
	var out []*trellis.OpeningInterest
	err := s.db.view(ctx, func(tx *Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, `
			SELECT i.opening_id, i.person_id, p.name, i.note, i.created_at FROM opening_interest i JOIN people p ON p.id = i.person_id
			WHERE i.opening_id = $1 ORDER BY i.created_at, i.person_id`, openingID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			i := new(trellis.OpeningInterest)
			if err := rows.Scan(&i.OpeningID, &i.PersonID, &i.PersonName, &i.Note, scanTime(&i.CreatedAt)); err != nil {
				return err
			}
			out = append(out, i)
		}
		return rows.Err()
	})
	return out, err
}

// Subscribe stores a subscription; an identical one is kept once.
func (s *OpeningService) Subscribe(ctx context.Context, sub *trellis.OpeningSubscription) error {
	sub.RoleID, sub.Track = strings.TrimSpace(sub.RoleID), strings.TrimSpace(sub.Track)
	if (sub.RoleID == "") == (sub.Track == "") {
		return &trellis.Error{Code: trellis.EINVALID, Message: "Subscribe to a role or to a track, one at a time.",
			Details: []trellis.FieldError{{Field: "role_id", Message: "choose a role or a track"}}}
	}
	return s.db.update(ctx, func(tx *Tx) error {
		if err := personExists(ctx, tx, sub.PersonID); err != nil {
			return err
		}
		fw, err := s.frameworks.frameworkInTx(ctx, tx, DefaultFrameworkID, "")
		if err != nil {
			return err
		}
		if _, ok := fw.Role(sub.RoleID); sub.RoleID != "" && !ok {
			return &trellis.Error{Code: trellis.EINVALID, Message: "The role is not in the framework.",
				Details: []trellis.FieldError{{Field: "role_id", Message: fmt.Sprintf("%q is not a role", sub.RoleID)}}}
		}
		if sub.Track != "" && !hasTrack(fw, sub.Track) {
			return &trellis.Error{Code: trellis.EINVALID, Message: "The track is not in the framework.",
				Details: []trellis.FieldError{{Field: "track", Message: fmt.Sprintf("%q is not a track", sub.Track)}}}
		}
		err = tx.QueryRowContext(ctx, `SELECT id, created_at FROM opening_subscriptions WHERE person_id = $1 AND role_id = $2 AND track = $3`,
			sub.PersonID, sub.RoleID, sub.Track).Scan(&sub.ID, scanTime(&sub.CreatedAt))
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		sub.CreatedAt = tx.now
		return tx.QueryRowContext(ctx, `INSERT INTO opening_subscriptions (person_id, role_id, track, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			sub.PersonID, sub.RoleID, sub.Track, formatTime(tx.now)).Scan(&sub.ID)
	})
}

func hasTrack(fw *trellis.Framework, track string) bool {
	for _, t := range fw.Tracks {
		if t.ID == track {
			return true
		}
	}
	return false
}

// Unsubscribe removes one of the person's subscriptions.
func (s *OpeningService) Unsubscribe(ctx context.Context, personID, id int64) error {
	return s.db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM opening_subscriptions WHERE id = $1 AND person_id = $2`, id, personID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return trellis.Errorf(trellis.ENOTFOUND, "No such subscription.")
		}
		return nil
	})
}

// ListSubscriptions lists the person's subscriptions.
func (s *OpeningService) ListSubscriptions(ctx context.Context, personID int64) ([]*trellis.OpeningSubscription, error) {
	var out []*trellis.OpeningSubscription
	err := s.db.view(ctx, func(tx *Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, `SELECT id, person_id, role_id, track, created_at FROM opening_subscriptions WHERE person_id = $1 ORDER BY id`, personID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			s := new(trellis.OpeningSubscription)
			if err := rows.Scan(&s.ID, &s.PersonID, &s.RoleID, &s.Track, scanTime(&s.CreatedAt)); err != nil {
				return err
			}
			out = append(out, s)
		}
		return rows.Err()
	})
	return out, err
}
