package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"trellis"
)

// ProgrammeService keeps programmes and their participants, and interim and
// acting assignments. It implements trellis.ProgrammeService and
// trellis.AssignmentService.
type ProgrammeService struct {
	db *DB
}

var (
	_ trellis.ProgrammeService  = (*ProgrammeService)(nil)
	_ trellis.AssignmentService = (*ProgrammeService)(nil)
)

// NewProgrammeService returns a ProgrammeService over db.
func NewProgrammeService(db *DB) *ProgrammeService { return &ProgrammeService{db: db} }

const programmeColumns = `id, name, description, min_months_in_role, manager_approval, themes, created_at, version`

func scanProgramme(r rowScanner) (*trellis.Programme, error) {
	p := new(trellis.Programme)
	var themes string
	if err := r.Scan(&p.ID, &p.Name, &p.Description, &p.MinMonthsInRole, &p.ManagerApproval, &themes, scanTime(&p.CreatedAt), &p.Version); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(themes), &p.Themes); err != nil {
		return nil, fmt.Errorf("sqlstore: themes of programme %d: %w", p.ID, err)
	}
	return p, nil
}

func findProgramme(ctx context.Context, tx *Tx, id int64) (*trellis.Programme, error) {
	p, err := scanProgramme(tx.QueryRowContext(ctx, `SELECT `+programmeColumns+` FROM programmes WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, trellis.Errorf(trellis.ENOTFOUND, "No such programme.")
	}
	return p, err
}

// CreateProgramme stores p.
func (s *ProgrammeService) CreateProgramme(ctx context.Context, p *trellis.Programme) error {
	if err := p.Validate(); err != nil {
		return err
	}
	themes, err := json.Marshal(p.Themes)
	if err != nil {
		return err
	}
	return s.db.update(ctx, func(tx *Tx) error {
		p.CreatedAt, p.Version = tx.now, 1
		return tx.QueryRowContext(ctx, `
			INSERT INTO programmes (name, description, min_months_in_role, manager_approval, themes, created_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, p.Name, p.Description, p.MinMonthsInRole, p.ManagerApproval, string(themes),
			formatTime(tx.now), p.Version).Scan(&p.ID)
	})
}

// FindProgramme returns the programme with the id.
func (s *ProgrammeService) FindProgramme(ctx context.Context, id int64) (*trellis.Programme, error) {
	var p *trellis.Programme
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		p, err = findProgramme(ctx, tx, id)
		return err
	})
	return p, err
}

// ListProgrammes lists every programme, newest first.
func (s *ProgrammeService) ListProgrammes(ctx context.Context) ([]*trellis.Programme, error) {
	var out []*trellis.Programme
	err := s.db.view(ctx, func(tx *Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, `SELECT `+programmeColumns+` FROM programmes ORDER BY id DESC`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanProgramme(rows)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

const participationQuery = `
	SELECT pp.id, pp.programme_id, pp.person_id, p.name, pp.note, pp.state, pp.approved_by, pp.mentor_id, COALESCE(m.name, ''),
		pp.outcome, pp.outcome_note, pp.applied_at
	FROM programme_participants pp JOIN people p ON p.id = pp.person_id LEFT JOIN people m ON m.id = pp.mentor_id`

func scanParticipation(r rowScanner) (*trellis.Participation, error) {
	x := new(trellis.Participation)
	var state string
	var approved, mentor sql.NullInt64
	if err := r.Scan(&x.ID, &x.ProgrammeID, &x.PersonID, &x.PersonName, &x.Note, &state, &approved, &mentor, &x.MentorName,
		&x.Outcome, &x.OutcomeNote, scanTime(&x.AppliedAt)); err != nil {
		return nil, err
	}
	x.State = trellis.ParticipationState(state)
	if approved.Valid {
		x.ApprovedBy = &approved.Int64
	}
	if mentor.Valid {
		x.MentorID = &mentor.Int64
	}
	return x, nil
}

func findParticipation(ctx context.Context, tx *Tx, id int64) (*trellis.Participation, error) {
	x, err := scanParticipation(tx.QueryRowContext(ctx, participationQuery+` WHERE pp.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, trellis.Errorf(trellis.ENOTFOUND, "No such application.")
	}
	return x, err
}

// Apply checks the entry rule and records the application. Without
// manager approval the place is approved at once; with it, the manager is
// notified.
func (s *ProgrammeService) Apply(ctx context.Context, programmeID, personID int64, note string) (*trellis.Participation, error) {
	note = strings.TrimSpace(note)
	if len([]rune(note)) > 2000 {
		return nil, &trellis.Error{Code: trellis.EINVALID, Message: "The note is too long.", Details: []trellis.FieldError{{Field: "note", Message: "at most 2000 characters"}}}
	}
	var out *trellis.Participation
	err := s.db.update(ctx, func(tx *Tx) error {
		prog, err := findProgramme(ctx, tx, programmeID)
		if err != nil {
			return err
		}
		p, err := findPerson(ctx, tx, personID, false)
		if err != nil {
			return err
		}
		if err := prog.CheckEntry(p, tx.now); err != nil {
			return err
		}
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM programme_participants WHERE programme_id = $1 AND person_id = $2)`,
			programmeID, personID).Scan(&exists); err != nil {
			return err
		}
		if exists {
			return trellis.Errorf(trellis.ECONFLICT, "%s has already applied to %s.", p.Name, prog.Name)
		}
		state := trellis.ParticipationApproved
		if prog.ManagerApproval {
			if p.ManagerID == nil {
				return &trellis.Error{Code: trellis.ERULE, Message: fmt.Sprintf("%s needs a manager's approval, and %s has no manager recorded.", prog.Name, p.Name),
					Details: []trellis.FieldError{{Field: "manager_approval", Message: "needs a manager recorded"}}}
			}
			state = trellis.ParticipationApplied
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO programme_participants (programme_id, person_id, note, state, applied_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			programmeID, personID, note, string(state), formatTime(tx.now)).Scan(&id); err != nil {
			return err
		}
		if state == trellis.ParticipationApplied {
			if err := notify(ctx, tx, &trellis.Notification{PersonID: *p.ManagerID, Kind: "programme.applied",
				Title: fmt.Sprintf("%s applied to %s and needs your approval", p.Name, prog.Name), Body: note,
				URL: fmt.Sprintf("/programmes/%d", prog.ID)}); err != nil {
				return err
			}
		}
		out, err = findParticipation(ctx, tx, id)
		return err
	})
	return out, err
}

// FindParticipation returns one application.
func (s *ProgrammeService) FindParticipation(ctx context.Context, id int64) (*trellis.Participation, error) {
	var x *trellis.Participation
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		x, err = findParticipation(ctx, tx, id)
		return err
	})
	return x, err
}

// ListParticipants lists the applications to a programme, first first.
func (s *ProgrammeService) ListParticipants(ctx context.Context, programmeID int64) ([]*trellis.Participation, error) {
	var out []*trellis.Participation
	err := s.db.view(ctx, func(tx *Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, participationQuery+` WHERE pp.programme_id = $1 ORDER BY pp.id`, programmeID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			x, err := scanParticipation(rows)
			if err != nil {
				return err
			}
			out = append(out, x)
		}
		return rows.Err()
	})
	return out, err
}

// Approve records the manager's decision and tells the applicant.
func (s *ProgrammeService) Approve(ctx context.Context, id, managerID int64, approve bool) error {
	return s.db.update(ctx, func(tx *Tx) error {
		x, err := findParticipation(ctx, tx, id)
		if err != nil {
			return err
		}
		if x.State != trellis.ParticipationApplied {
			return trellis.Errorf(trellis.ERULE, "The application of %s is already %s.", x.PersonName, x.State)
		}
		state, word := trellis.ParticipationDeclined, "declined"
		if approve {
			state, word = trellis.ParticipationApproved, "approved"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE programme_participants SET state = $1, approved_by = $2 WHERE id = $3`, string(state), managerID, id); err != nil {
			return err
		}
		return notify(ctx, tx, &trellis.Notification{PersonID: x.PersonID, Kind: "programme.decided",
			Title: "Your manager " + word + " your programme application", URL: fmt.Sprintf("/programmes/%d", x.ProgrammeID)})
	})
}

// SetMentor names the mentor, a manager other than the participant.
func (s *ProgrammeService) SetMentor(ctx context.Context, id, mentorID int64) error {
	return s.db.update(ctx, func(tx *Tx) error {
		x, err := findParticipation(ctx, tx, id)
		if err != nil {
			return err
		}
		m, err := findPerson(ctx, tx, mentorID, false)
		if trellis.ErrorCode(err) == trellis.ENOTFOUND {
			return &trellis.Error{Code: trellis.EINVALID, Message: "No such mentor.", Details: []trellis.FieldError{{Field: "mentor_id", Message: "choose a person"}}}
		}
		if err != nil {
			return err
		}
		var reports bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM people WHERE manager_id = $1 AND active)`, m.ID).Scan(&reports); err != nil {
			return err
		}
		if !reports || !m.Active || m.ID == x.PersonID {
			return &trellis.Error{Code: trellis.ERULE, Message: fmt.Sprintf("%s cannot mentor in this programme: the mentor is a current manager other than the participant.", m.Name),
				Details: []trellis.FieldError{{Field: "mentor_id", Message: "choose a manager"}}}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE programme_participants SET mentor_id = $1 WHERE id = $2`, mentorID, id); err != nil {
			return err
		}
		return notify(ctx, tx, &trellis.Notification{PersonID: mentorID, Kind: "programme.mentor",
			Title: "You mentor " + x.PersonName + " in a programme", URL: fmt.Sprintf("/programmes/%d", x.ProgrammeID)})
	})
}

// RecordOutcome records ready, not-ready or redirected for an approved
// participant.
func (s *ProgrammeService) RecordOutcome(ctx context.Context, id int64, outcome, note string) error {
	if !trellis.ValidOutcome(outcome) {
		return &trellis.Error{Code: trellis.EINVALID, Message: "The outcome is ready, not-ready or redirected.",
			Details: []trellis.FieldError{{Field: "outcome", Message: "ready, not-ready or redirected"}}}
	}
	return s.db.update(ctx, func(tx *Tx) error {
		x, err := findParticipation(ctx, tx, id)
		if err != nil {
			return err
		}
		if x.State != trellis.ParticipationApproved {
			return trellis.Errorf(trellis.ERULE, "%s has no place in the programme (the application is %s).", x.PersonName, x.State)
		}
		_, err = tx.ExecContext(ctx, `UPDATE programme_participants SET outcome = $1, outcome_note = $2 WHERE id = $3`, outcome, strings.TrimSpace(note), id)
		return err
	})
}

const assignmentColumns = `id, person_id, kind, role_id, starts_on, ends_on, success_criteria, outcome, return_role_id, created_by, created_at, version`

func scanAssignment(r rowScanner) (*trellis.Assignment, error) {
	a := new(trellis.Assignment)
	err := r.Scan(&a.ID, &a.PersonID, &a.Kind, &a.RoleID, scanDate(&a.StartsOn), scanDate(&a.EndsOn), &a.SuccessCriteria, &a.Outcome,
		&a.ReturnRoleID, &a.CreatedBy, scanTime(&a.CreatedAt), &a.Version)
	return a, err
}

// CreateAssignment validates and stores a; the role is checked against the
// active framework, and the person is told.
func (s *ProgrammeService) CreateAssignment(ctx context.Context, a *trellis.Assignment) error {
	return s.db.update(ctx, func(tx *Tx) error {
		p, err := findPerson(ctx, tx, a.PersonID, false)
		if err != nil {
			return err
		}
		if err := a.Validate(p.RoleID); err != nil {
			return err
		}
		if err := checkRole(ctx, tx, a.RoleID, ""); err != nil {
			return err
		}
		a.CreatedAt, a.Version = tx.now, 1
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO assignments (person_id, kind, role_id, starts_on, ends_on, success_criteria, outcome, return_role_id, created_by, created_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`, a.PersonID, a.Kind, a.RoleID, storedDate(a.StartsOn), storedDate(a.EndsOn),
			a.SuccessCriteria, a.Outcome, a.ReturnRoleID, a.CreatedBy, formatTime(tx.now), a.Version).Scan(&a.ID); err != nil {
			return err
		}
		return notify(ctx, tx, &trellis.Notification{PersonID: a.PersonID, Kind: "assignment.created",
			Title: fmt.Sprintf("An %s assignment as %s from %s to %s", a.Kind, a.RoleID, storedDate(a.StartsOn), storedDate(a.EndsOn)),
			URL:   fmt.Sprintf("/people/%d/assignments", a.PersonID)})
	})
}

// FindAssignment returns one assignment.
func (s *ProgrammeService) FindAssignment(ctx context.Context, id int64) (*trellis.Assignment, error) {
	var a *trellis.Assignment
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		a, err = scanAssignment(tx.QueryRowContext(ctx, `SELECT `+assignmentColumns+` FROM assignments WHERE id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return trellis.Errorf(trellis.ENOTFOUND, "No such assignment.")
		}
		return err
	})
	return a, err
}

// ListAssignments lists the person's assignments, latest first.
func (s *ProgrammeService) ListAssignments(ctx context.Context, personID int64) ([]*trellis.Assignment, error) {
	var out []*trellis.Assignment
	err := s.db.view(ctx, func(tx *Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, `SELECT `+assignmentColumns+` FROM assignments WHERE person_id = $1 ORDER BY starts_on DESC, id DESC`, personID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanAssignment(rows)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}

// UpdateAssignment stores a over expectedVersion, with the same rules.
func (s *ProgrammeService) UpdateAssignment(ctx context.Context, a *trellis.Assignment, expectedVersion int) error {
	return s.db.update(ctx, func(tx *Tx) error {
		var version int
		var returnRole string
		err := tx.QueryRowContext(ctx, `SELECT version, return_role_id FROM assignments WHERE id = $1 AND person_id = $2`+tx.forUpdate(), a.ID, a.PersonID).Scan(&version, &returnRole)
		if errors.Is(err, sql.ErrNoRows) {
			return trellis.Errorf(trellis.ENOTFOUND, "No such assignment.")
		}
		if err != nil {
			return err
		}
		if version != expectedVersion {
			return trellis.Errorf(trellis.ECONFLICT, "The assignment was changed by someone else: reload it and make your change again.")
		}
		if err := a.Validate(returnRole); err != nil {
			return err
		}
		a.Version = version + 1
		_, err = tx.ExecContext(ctx, `
			UPDATE assignments SET kind = $1, role_id = $2, starts_on = $3, ends_on = $4, success_criteria = $5, outcome = $6, return_role_id = $7, version = $8
			WHERE id = $9`, a.Kind, a.RoleID, storedDate(a.StartsOn), storedDate(a.EndsOn), a.SuccessCriteria, a.Outcome, a.ReturnRoleID, a.Version, a.ID)
		return err
	})
}
