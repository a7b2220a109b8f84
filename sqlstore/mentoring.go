package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"trellis"
)

// MentoringService keeps pairing sessions, office hours and structured
// mentorships. It implements trellis.MentoringService. A session becomes
// the host's evidence in the transaction that links it, through the
// evidence service's own checks, so the entry exists exactly when the link
// does.
type MentoringService struct {
	db       *DB
	evidence *EvidenceService
}

var _ trellis.MentoringService = (*MentoringService)(nil)

// NewMentoringService returns a MentoringService over db.
func NewMentoringService(db *DB) *MentoringService {
	return &MentoringService{db: db, evidence: NewEvidenceService(db)}
}

const sessionColumns = `s.id, s.host_id, s.kind, s.date, s.topic, s.minutes, s.link, s.evidence_id, s.created_at, s.updated_at, s.version`

func scanSession(r rowScanner) (*trellis.Session, error) {
	s := new(trellis.Session)
	var date string
	var ev sql.NullInt64
	if err := r.Scan(&s.ID, &s.HostID, &s.Kind, &date, &s.Topic, &s.Minutes, &s.Link, &ev,
		scanTime(&s.CreatedAt), scanTime(&s.UpdatedAt), &s.Version); err != nil {
		return nil, err
	}
	if ev.Valid {
		s.EvidenceID = &ev.Int64
	}
	var err error
	s.Date, err = time.Parse(dateFormat, date)
	return s, err
}

func sessionNotFound(id int64) error {
	return trellis.Errorf(trellis.ENOTFOUND, "No such mentoring session (%d).", id)
}

func loadAttendees(ctx context.Context, tx *Tx, list []*trellis.Session) error {
	if len(list) == 0 {
		return nil
	}
	var a args
	ids := make([]any, len(list))
	byID := map[int64]*trellis.Session{}
	for i, s := range list {
		ids[i] = s.ID
		s.AttendeeIDs = []int64{}
		byID[s.ID] = s
	}
	rows, err := tx.QueryContext(ctx, `SELECT session_id, person_id FROM mentoring_attendees WHERE session_id IN (`+
		a.placeholders(ids...)+`) ORDER BY session_id, person_id`, a...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var sid, pid int64
		if err := rows.Scan(&sid, &pid); err != nil {
			return err
		}
		byID[sid].AttendeeIDs = append(byID[sid].AttendeeIDs, pid)
	}
	return rows.Err()
}

func findSession(ctx context.Context, tx *Tx, id int64, lock bool) (*trellis.Session, error) {
	q := `SELECT ` + sessionColumns + ` FROM mentoring_sessions s WHERE s.id = $1`
	if lock {
		q += tx.forUpdate()
	}
	s, err := scanSession(tx.QueryRowContext(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sessionNotFound(id)
	} else if err != nil {
		return nil, err
	}
	return s, loadAttendees(ctx, tx, []*trellis.Session{s})
}

// LogSession stores a session hosted by s.HostID.
func (m *MentoringService) LogSession(ctx context.Context, s *trellis.Session) error {
	out := *s
	err := m.db.update(ctx, func(tx *Tx) error {
		out = *s
		if err := out.Validate(trellis.LatestDay(tx.now)); err != nil {
			return err
		}
		if err := personExists(ctx, tx, out.HostID); err != nil {
			return err
		}
		for _, id := range out.AttendeeIDs {
			if personExists(ctx, tx, id) != nil {
				return &trellis.Error{Code: trellis.EINVALID, Message: "Choose the attendees from the directory.",
					Details: []trellis.FieldError{{Field: "attendee_ids", Message: fmt.Sprintf("no person with id %d", id)}}}
			}
		}
		out.CreatedAt, out.UpdatedAt, out.Version, out.EvidenceID = tx.now, tx.now, 1, nil
		if err := tx.QueryRowContext(ctx, `INSERT INTO mentoring_sessions (host_id, kind, date, topic, minutes, link, created_at, updated_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, out.HostID, out.Kind, storedDate(out.Date), out.Topic, out.Minutes,
			out.Link, formatTime(tx.now), formatTime(tx.now), out.Version).Scan(&out.ID); err != nil {
			return err
		}
		for _, id := range out.AttendeeIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO mentoring_attendees (session_id, person_id) VALUES ($1, $2)`, out.ID, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	*s = out
	return nil
}

// FindSession returns one session with its attendees.
func (m *MentoringService) FindSession(ctx context.Context, id int64) (*trellis.Session, error) {
	var s *trellis.Session
	err := m.db.view(ctx, func(tx *Tx) (err error) {
		s, err = findSession(ctx, tx, id, false)
		return err
	})
	return s, err
}

// ListSessions lists the sessions a person hosted or attended, newest
// first.
func (m *MentoringService) ListSessions(ctx context.Context, f trellis.SessionFilter) (trellis.SessionPage, error) {
	var a args
	p := a.add(f.PersonID)
	where := `(s.host_id = ` + p + ` OR EXISTS (SELECT 1 FROM mentoring_attendees ma WHERE ma.session_id = s.id AND ma.person_id = ` + p + `))`
	if f.Cursor != "" {
		var date string
		var id int64
		if err := decodeCursor(f.Cursor, &date, &id); err != nil {
			return trellis.SessionPage{}, err
		}
		where += ` AND (s.date < ` + a.add(date) + ` OR (s.date = ` + a.add(date) + ` AND s.id < ` + a.add(id) + `))`
	}
	limit := trellis.ClampLimit(f.Limit)
	q := `SELECT ` + sessionColumns + ` FROM mentoring_sessions s WHERE ` + where + ` ORDER BY s.date DESC, s.id DESC LIMIT ` + a.add(limit+1)
	page := trellis.SessionPage{Items: []*trellis.Session{}}
	err := m.db.view(ctx, func(tx *Tx) error {
		page.Items = page.Items[:0]
		rows, err := tx.QueryContext(ctx, q, a...)
		if err != nil {
			return err
		}
		for rows.Next() {
			s, err := scanSession(rows)
			if err != nil {
				rows.Close()
				return err
			}
			page.Items = append(page.Items, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return loadAttendees(ctx, tx, page.Items)
	})
	if err != nil {
		return trellis.SessionPage{}, err
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		last := page.Items[limit-1]
		page.NextCursor = encodeCursor(storedDate(last.Date), last.ID)
	}
	return page, nil
}

// SessionToEvidence turns the session into a private growing-others entry
// of its host's journal and links it, in one transaction.
func (m *MentoringService) SessionToEvidence(ctx context.Context, id int64) (*trellis.Evidence, error) {
	var e *trellis.Evidence
	err := m.db.update(ctx, func(tx *Tx) error {
		s, err := findSession(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if s.EvidenceID != nil {
			return trellis.Errorf(trellis.ECONFLICT, "This session is already evidence in the journal (entry %d).", *s.EvidenceID)
		}
		e = s.Evidence()
		if err := m.evidence.checkEvidence(ctx, tx, e); err != nil {
			return err
		}
		if err := insertEvidence(ctx, tx, e); err != nil {
			return err
		}
		if err := recordAudit(ctx, tx, newAuditEvent(ctx, trellis.AuditEvidenceCreated, trellis.AuditTargetEvidence,
			fmt.Sprint(e.ID), nil, map[string]any{"person_id": e.PersonID, "visibility": string(e.Visibility), "session_id": s.ID})); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE mentoring_sessions SET evidence_id = $1, updated_at = $2, version = version + 1 WHERE id = $3`,
			e.ID, formatTime(tx.now), s.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// PairingCadence counts the host's pairing sessions over the last weeks
// (4 to 8).
func (m *MentoringService) PairingCadence(ctx context.Context, hostID int64, weeks int) (trellis.Cadence, error) {
	var c trellis.Cadence
	err := m.db.view(ctx, func(tx *Tx) error {
		today := trellis.Day(tx.now)
		probe := trellis.ComputeCadence(nil, today, weeks)
		rows, err := tx.QueryContext(ctx, `SELECT date FROM mentoring_sessions WHERE host_id = $1 AND kind = $2 AND date >= $3 AND date <= $4`,
			hostID, trellis.SessionPairing, storedDate(probe.From), storedDate(today))
		if err != nil {
			return err
		}
		defer rows.Close()
		var dates []time.Time
		for rows.Next() {
			var d string
			if err := rows.Scan(&d); err != nil {
				return err
			}
			t, err := time.Parse(dateFormat, d)
			if err != nil {
				return err
			}
			dates = append(dates, t)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		c = trellis.ComputeCadence(dates, today, weeks)
		return nil
	})
	return c, err
}

const mentorshipColumns = `m.id, m.mentor_id, m.mentee_id, m.goal, m.starts_on, m.ends_on, m.outcome, m.created_at, m.updated_at, m.version`

func scanMentorship(r rowScanner) (*trellis.Mentorship, error) {
	m := &trellis.Mentorship{CheckIns: []trellis.CheckIn{}}
	var start, end string
	if err := r.Scan(&m.ID, &m.MentorID, &m.MenteeID, &m.Goal, &start, &end, &m.Outcome, scanTime(&m.CreatedAt),
		scanTime(&m.UpdatedAt), &m.Version); err != nil {
		return nil, err
	}
	var err error
	if m.StartsOn, err = time.Parse(dateFormat, start); err != nil {
		return nil, err
	}
	m.EndsOn, err = time.Parse(dateFormat, end)
	return m, err
}

func mentorshipNotFound(id int64) error {
	return trellis.Errorf(trellis.ENOTFOUND, "No such mentorship (%d).", id)
}

func findMentorship(ctx context.Context, tx *Tx, id int64, lock bool) (*trellis.Mentorship, error) {
	q := `SELECT ` + mentorshipColumns + ` FROM mentorships m WHERE m.id = $1`
	if lock {
		q += tx.forUpdate()
	}
	m, err := scanMentorship(tx.QueryRowContext(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, mentorshipNotFound(id)
	} else if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, author_id, date, notes FROM mentorship_checkins WHERE mentorship_id = $1 ORDER BY date, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c trellis.CheckIn
		var d string
		if err := rows.Scan(&c.ID, &c.AuthorID, &d, &c.Notes); err != nil {
			return nil, err
		}
		if c.Date, err = time.Parse(dateFormat, d); err != nil {
			return nil, err
		}
		m.CheckIns = append(m.CheckIns, c)
	}
	return m, rows.Err()
}

// StartMentorship stores a new mentorship and tells the mentee.
func (m *MentoringService) StartMentorship(ctx context.Context, ms *trellis.Mentorship) error {
	if err := ms.Validate(); err != nil {
		return err
	}
	out := *ms
	err := m.db.update(ctx, func(tx *Tx) error {
		out = *ms
		out.CheckIns = []trellis.CheckIn{}
		if personExists(ctx, tx, out.MenteeID) != nil {
			return &trellis.Error{Code: trellis.EINVALID, Message: "Choose the mentee from the directory.",
				Details: []trellis.FieldError{{Field: "mentee_id", Message: "no such person"}}}
		}
		mentor, err := personName(ctx, tx, out.MentorID)
		if err != nil {
			return err
		}
		out.CreatedAt, out.UpdatedAt, out.Version = tx.now, tx.now, 1
		if err := tx.QueryRowContext(ctx, `INSERT INTO mentorships (mentor_id, mentee_id, goal, starts_on, ends_on, created_at, updated_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, out.MentorID, out.MenteeID, out.Goal, storedDate(out.StartsOn),
			storedDate(out.EndsOn), formatTime(tx.now), formatTime(tx.now), out.Version).Scan(&out.ID); err != nil {
			return err
		}
		return notify(ctx, tx, &trellis.Notification{PersonID: out.MenteeID, Kind: "mentorship.started",
			Title: mentor + " started a mentorship with you", Body: truncateRunes(out.Goal, 500), URL: fmt.Sprintf("/mentoring/mentorships/%d", out.ID)})
	})
	if err != nil {
		return err
	}
	*ms = out
	return nil
}

// FindMentorship returns one mentorship with its check-ins.
func (m *MentoringService) FindMentorship(ctx context.Context, id int64) (*trellis.Mentorship, error) {
	var ms *trellis.Mentorship
	err := m.db.view(ctx, func(tx *Tx) (err error) {
		ms, err = findMentorship(ctx, tx, id, false)
		return err
	})
	return ms, err
}

// ListMentorships lists the mentorships a person mentors or is mentored
// in, newest first, without check-ins.
func (m *MentoringService) ListMentorships(ctx context.Context, personID int64) ([]*trellis.Mentorship, error) {
	list := []*trellis.Mentorship{}
	err := m.db.view(ctx, func(tx *Tx) error {
		list = list[:0]
		rows, err := tx.QueryContext(ctx, `SELECT `+mentorshipColumns+` FROM mentorships m WHERE m.mentor_id = $1 OR m.mentee_id = $1
			ORDER BY m.id DESC LIMIT 200`, personID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			ms, err := scanMentorship(rows)
			if err != nil {
				return err
			}
			list = append(list, ms)
		}
		return rows.Err()
	})
	return list, err
}

// AddCheckIn adds a check-in by c.AuthorID, the mentor or the mentee.
func (m *MentoringService) AddCheckIn(ctx context.Context, id int64, c *trellis.CheckIn) error {
	c.Notes = strings.TrimSpace(c.Notes)
	if c.Notes == "" || utf8.RuneCountInString(c.Notes) > trellis.MaxMentoringText {
		return &trellis.Error{Code: trellis.EINVALID, Message: "Write what the check-in covered.",
			Details: []trellis.FieldError{{Field: "notes", Message: "required, at most 4000 characters"}}}
	}
	return m.db.update(ctx, func(tx *Tx) error {
		ms, err := findMentorship(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if !ms.Side(c.AuthorID) {
			return mentorshipNotFound(id)
		}
		if c.Date.IsZero() {
			c.Date = trellis.Day(tx.now)
		} else if c.Date.After(trellis.LatestDay(tx.now)) {
			return &trellis.Error{Code: trellis.EINVALID, Message: "A check-in is recorded once it happened.",
				Details: []trellis.FieldError{{Field: "date", Message: "in the future"}}}
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO mentorship_checkins (mentorship_id, author_id, date, notes, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, id, c.AuthorID, storedDate(c.Date), c.Notes, formatTime(tx.now)).Scan(&c.ID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE mentorships SET updated_at = $1, version = version + 1 WHERE id = $2`, formatTime(tx.now), id)
		return err
	})
}

// CloseMentorship records the outcome of the mentorship.
func (m *MentoringService) CloseMentorship(ctx context.Context, id int64, outcome string) (*trellis.Mentorship, error) {
	outcome = strings.TrimSpace(outcome)
	if outcome == "" || utf8.RuneCountInString(outcome) > trellis.MaxMentoringText {
		return nil, &trellis.Error{Code: trellis.EINVALID, Message: "Say what the mentorship achieved.",
			Details: []trellis.FieldError{{Field: "outcome", Message: "required, at most 4000 characters"}}}
	}
	var ms *trellis.Mentorship
	err := m.db.update(ctx, func(tx *Tx) error {
		if _, err := findMentorship(ctx, tx, id, true); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE mentorships SET outcome = $1, updated_at = $2, version = version + 1 WHERE id = $3`,
			outcome, formatTime(tx.now), id); err != nil {
			return err
		}
		var err error
		ms, err = findMentorship(ctx, tx, id, false)
		return err
	})
	return ms, err
}
