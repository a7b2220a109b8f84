package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"trellis"
)

// CycleService keeps promotion cycles (their dated phases as one JSON
// object), managers' projections and calibration decisions. It implements
// trellis.CycleService.
type CycleService struct {
	db   *DB
	docs *DocumentService
}

var _ trellis.CycleService = (*CycleService)(nil)

// NewCycleService returns a CycleService over db.
func NewCycleService(db *DB) *CycleService {
	return &CycleService{db: db, docs: NewDocumentService(db)}
}

// Audit actions of cycles.
const (
	auditCycleCreated     = "cycle.created"
	auditCycleUpdated     = "cycle.updated"
	auditProjectionSaved  = "projection.saved"
	auditDecisionRecorded = "decision.recorded"
)

func cycleNotFound(id int64) error {
	return trellis.Errorf(trellis.ENOTFOUND, "There is no promotion cycle with id %d.", id)
}

const cycleColumns = `id, name, phases, created_at, version`

func scanCycle(r rowScanner) (*trellis.Cycle, error) {
	c := new(trellis.Cycle)
	var phases string
	if err := r.Scan(&c.ID, &c.Name, &phases, scanTime(&c.CreatedAt), &c.Version); err != nil {
		return nil, err
	}
	var days map[string]string
	if err := json.Unmarshal([]byte(phases), &days); err != nil {
		return nil, fmt.Errorf("sqlstore: cycle %d phases: %w", c.ID, err)
	}
	c.Phases = make(map[string]time.Time, len(days))
	for p, d := range days {
		t, err := time.Parse(dateFormat, d)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: cycle %d phase %s: %w", c.ID, p, err)
		}
		c.Phases[p] = t
	}
	return c, nil
}

// findCycle reads one cycle; ENOTFOUND when there is none.
func findCycle(ctx context.Context, tx *Tx, id int64, lock bool) (*trellis.Cycle, error) {
	q := `SELECT ` + cycleColumns + ` FROM cycles WHERE id = $1`
	if lock {
		q += tx.forUpdate()
	}
	c, err := scanCycle(tx.QueryRowContext(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cycleNotFound(id)
	}
	return c, err
}

// storedPhases is the stored form of a cycle's phases, and its effective day.
func storedPhases(c *trellis.Cycle) (string, any) {
	days := make(map[string]string, len(c.Phases))
	for p, t := range c.Phases {
		days[p] = storedDate(t)
	}
	b, _ := json.Marshal(days) // strings always encode
	var eff any
	if t, ok := c.Phases[trellis.PhaseEffective]; ok {
		eff = storedDate(t)
	}
	return string(b), eff
}

// checkCycle puts a cycle in its stored form and checks it by the domain's
// rules.
func checkCycle(c *trellis.Cycle) error {
	c.Normalize()
	return c.Validate()
}

func cloneCycle(c *trellis.Cycle) *trellis.Cycle {
	o := *c
	o.Phases = make(map[string]time.Time, len(c.Phases))
	for p, t := range c.Phases {
		o.Phases[p] = t
	}
	return &o
}

// CreateCycle checks and stores a new cycle, setting its ID, time and
// version. A name already taken is ECONFLICT.
func (s *CycleService) CreateCycle(ctx context.Context, c *trellis.Cycle) error {
	if c == nil {
		return trellis.Errorf(trellis.EINVALID, "no cycle to store")
	}
	o := cloneCycle(c)
	if err := checkCycle(o); err != nil {
		return err
	}
	err := s.db.update(ctx, func(tx *Tx) error {
		phases, eff := storedPhases(o)
		o.CreatedAt, o.Version = tx.now, 1
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO cycles (name, phases, effective_date, created_at, version) VALUES ($1, $2, $3, $4, 1) RETURNING id`,
			o.Name, phases, eff, formatTime(tx.now)).Scan(&o.ID); err != nil {
			if trellis.ErrorCode(translate(err)) == trellis.ECONFLICT {
				return trellis.Errorf(trellis.ECONFLICT, "A cycle named %q exists already.", o.Name)
			}
			return err
		}
		return recordAudit(ctx, tx, newAuditEvent(ctx, auditCycleCreated, string(trellis.KindCycle), fmt.Sprint(o.ID),
			nil, map[string]any{"name": o.Name, "phases": phases}))
	})
	if err != nil {
		return err
	}
	*c = *o
	return nil
}

// UpdateCycle replaces the name and phases of cycle c.ID if it is still at
// expectedVersion.
func (s *CycleService) UpdateCycle(ctx context.Context, c *trellis.Cycle, expectedVersion int) error {
	if c == nil {
		return trellis.Errorf(trellis.EINVALID, "no cycle to store")
	}
	o := cloneCycle(c)
	if err := checkCycle(o); err != nil {
		return err
	}
	err := s.db.update(ctx, func(tx *Tx) error {
		old, err := findCycle(ctx, tx, o.ID, true)
		if err != nil {
			return err
		}
		if old.Version != expectedVersion {
			return trellis.Errorf(trellis.ECONFLICT,
				"Cycle %q was changed meanwhile (you had version %d, it is now at version %d). Reload it, then make your change again.",
				old.Name, expectedVersion, old.Version)
		}
		phases, eff := storedPhases(o)
		oldPhases, _ := storedPhases(old)
		if _, err := tx.ExecContext(ctx, `
			UPDATE cycles SET name = $2, phases = $3, effective_date = $4, version = version + 1 WHERE id = $1`,
			o.ID, o.Name, phases, eff); err != nil {
			if trellis.ErrorCode(translate(err)) == trellis.ECONFLICT {
				return trellis.Errorf(trellis.ECONFLICT, "A cycle named %q exists already.", o.Name)
			}
			return err
		}
		o.CreatedAt, o.Version = old.CreatedAt, old.Version+1
		return recordAudit(ctx, tx, newAuditEvent(ctx, auditCycleUpdated, string(trellis.KindCycle), fmt.Sprint(o.ID),
			map[string]any{"name": old.Name, "phases": oldPhases}, map[string]any{"name": o.Name, "phases": phases}))
	})
	if err != nil {
		return err
	}
	*c = *o
	return nil
}

// FindCycle returns the cycle with the id.
func (s *CycleService) FindCycle(ctx context.Context, id int64) (*trellis.Cycle, error) {
	var c *trellis.Cycle
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		c, err = findCycle(ctx, tx, id, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ListCycles returns every cycle, the latest effective date first.
func (s *CycleService) ListCycles(ctx context.Context) ([]*trellis.Cycle, error) {
	list := []*trellis.Cycle{}
	err := s.db.view(ctx, func(tx *Tx) error {
		list = list[:0]
		rows, err := tx.QueryContext(ctx, `SELECT `+cycleColumns+` FROM cycles ORDER BY effective_date DESC, id DESC`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanCycle(rows)
			if err != nil {
				return err
			}
			list = append(list, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}

const projectionColumns = `id, person_id, manager_id, target_role, cycle_id, status, note, updated_at, version`

func scanProjection(r rowScanner) (*trellis.Projection, error) {
	p := new(trellis.Projection)
	var cycle sql.NullInt64
	if err := r.Scan(&p.ID, &p.PersonID, &p.ManagerID, &p.TargetRole, &cycle, &p.Status, &p.Note,
		scanTime(&p.UpdatedAt), &p.Version); err != nil {
		return nil, err
	}
	if cycle.Valid {
		p.CycleID = &cycle.Int64
	}
	return p, nil
}

// SaveProjection creates the person's projection (expectedVersion 0) or
// replaces it if it is still at expectedVersion. A zero ManagerID is the
// signed-in actor. One person has one projection.
func (s *CycleService) SaveProjection(ctx context.Context, p *trellis.Projection, expectedVersion int) error {
	if p == nil {
		return trellis.Errorf(trellis.EINVALID, "no projection to store")
	}
	c := *p
	c.TargetRole, c.Status, c.Note = strings.TrimSpace(c.TargetRole), strings.TrimSpace(c.Status), strings.TrimSpace(c.Note)
	if c.ManagerID == 0 {
		if id := trellis.ActorID(ctx); id != nil {
			c.ManagerID = *id
		}
	}
	var fe []trellis.FieldError
	if c.PersonID <= 0 {
		fe = append(fe, trellis.FieldError{Field: "person_id", Message: "the candidate is required"})
	}
	if c.ManagerID <= 0 {
		fe = append(fe, trellis.FieldError{Field: "manager_id", Message: "the manager is required"})
	}
	if c.TargetRole == "" {
		fe = append(fe, trellis.FieldError{Field: "target_role", Message: "the target role is required"})
	}
	if !slices.Contains(trellis.ProjectionStatuses, c.Status) {
		fe = append(fe, trellis.FieldError{Field: "status", Message: "one of " + strings.Join(trellis.ProjectionStatuses, ", ")})
	}
	if len(c.Note) > maxCommentBytes {
		fe = append(fe, trellis.FieldError{Field: "note", Message: "at most 20,000 characters"})
	}
	if len(fe) > 0 {
		return &trellis.Error{Code: trellis.EINVALID, Message: "The projection is not valid.", Details: fe}
	}
	err := s.db.update(ctx, func(tx *Tx) error {
		if err := personExists(ctx, tx, c.PersonID); err != nil {
			return err
		}
		if err := personExists(ctx, tx, c.ManagerID); err != nil {
			return err
		}
		if err := checkRole(ctx, tx, c.TargetRole, "target_role"); err != nil {
			return err
		}
		if c.CycleID != nil {
			if _, err := findCycle(ctx, tx, *c.CycleID, false); err != nil {
				return err
			}
		}
		old, err := scanProjection(tx.QueryRowContext(ctx, `SELECT `+projectionColumns+` FROM projections WHERE person_id = $1`+tx.forUpdate(), c.PersonID))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if expectedVersion != 0 {
				return trellis.Errorf(trellis.ECONFLICT, "The projection of person %d was removed meanwhile; reload the list.", c.PersonID)
			}
			return writeProjection(ctx, tx, nil, &c, nil, "")
		case err != nil:
			return err
		}
		if old.Version != expectedVersion {
			return trellis.Errorf(trellis.ECONFLICT,
				"The projection of person %d was changed meanwhile (you had version %d, it is now at version %d). Reload it, then make your change again.",
				c.PersonID, expectedVersion, old.Version)
		}
		return writeProjection(ctx, tx, old, &c, nil, "")
	})
	if err != nil {
		return err
	}
	*p = c
	return nil
}

// writeProjection stores p, new when old is nil, else replacing old (whose
// version it takes the next of), with a row of its history and the audit
// event projection.saved, in tx. docID and move name the document and the
// workflow move that set it ("" by hand).
func writeProjection(ctx context.Context, tx *Tx, old, p *trellis.Projection, docID *int64, move string) error {
	p.UpdatedAt = tx.now
	var before map[string]any
	if old == nil {
		p.Version = 1
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO projections (person_id, manager_id, target_role, cycle_id, status, note, updated_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 1) RETURNING id`,
			p.PersonID, p.ManagerID, p.TargetRole, p.CycleID, p.Status, p.Note, formatTime(tx.now)).Scan(&p.ID); err != nil {
			return err
		}
	} else {
		p.ID, p.Version = old.ID, old.Version+1
		if _, err := tx.ExecContext(ctx, `
			UPDATE projections SET manager_id = $2, target_role = $3, cycle_id = $4, status = $5, note = $6, updated_at = $7,
				version = $8 WHERE id = $1`,
			p.ID, p.ManagerID, p.TargetRole, p.CycleID, p.Status, p.Note, formatTime(tx.now), p.Version); err != nil {
			return err
		}
		before = projectionAudit(old)
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO projection_history (projection_id, person_id, manager_id, target_role, cycle_id, status, note,
			document_id, workflow_move, changed_by, changed_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		p.ID, p.PersonID, p.ManagerID, p.TargetRole, p.CycleID, p.Status, p.Note, docID, nullString(move),
		trellis.ActorID(ctx), formatTime(tx.now), p.Version); err != nil {
		return err
	}
	after := projectionAudit(p)
	if docID != nil {
		after["document_id"], after["move"] = *docID, move
	}
	return recordAudit(ctx, tx, newAuditEvent(ctx, auditProjectionSaved, string(trellis.KindAssessment), fmt.Sprint(p.PersonID),
		before, after))
}

// projectionAudit is what the audit log keeps of a projection's state.
func projectionAudit(p *trellis.Projection) map[string]any {
	m := map[string]any{"target_role": p.TargetRole, "status": p.Status, "manager_id": p.ManagerID, "version": p.Version}
	if p.CycleID != nil {
		m["cycle_id"] = *p.CycleID
	}
	return m
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// followWorkflow brings the candidate's projection in line with a workflow
// move of their document d, in the move's transaction: the status the move
// sets (trellis.MoveEffect.Projection), by trellis.ProjectionAfterMove, held
// by the candidate's manager now (chain[0]; the document's manager when the
// candidate has none and no projection does). Audited and kept in the
// history like a change by hand, naming the document and the move.
func followWorkflow(ctx context.Context, tx *Tx, d *trellis.Document, chain []int64, eff trellis.MoveEffect) error {
	if eff.Projection == "" {
		return nil
	}
	old, err := scanProjection(tx.QueryRowContext(ctx, `SELECT `+projectionColumns+` FROM projections WHERE person_id = $1`+tx.forUpdate(), d.PersonID))
	if errors.Is(err, sql.ErrNoRows) {
		old = nil
	} else if err != nil {
		return err
	}
	var manager int64
	switch {
	case len(chain) > 0:
		manager = chain[0]
	case old == nil && d.ManagerID != nil:
		manager = *d.ManagerID
	}
	p, changed := trellis.ProjectionAfterMove(old, d, eff.Projection, manager)
	if !changed {
		return nil
	}
	id := d.ID
	return writeProjection(ctx, tx, old, p, &id, eff.Audit)
}

const projectionChangeColumns = `id, projection_id, person_id, manager_id, target_role, cycle_id, status, note, document_id,
	workflow_move, changed_by, changed_at, version`

// ProjectionHistory returns the saved states of the projections of the
// people, by person and then oldest first.
func (s *CycleService) ProjectionHistory(ctx context.Context, personIDs []int64) ([]*trellis.ProjectionChange, error) {
	list := []*trellis.ProjectionChange{}
	if len(personIDs) == 0 {
		return list, nil
	}
	err := s.db.view(ctx, func(tx *Tx) error {
		list = list[:0]
		var a args
		rows, err := tx.QueryContext(ctx, `SELECT `+projectionChangeColumns+` FROM projection_history
			WHERE person_id IN (`+a.placeholders(anys(personIDs)...)+`) ORDER BY person_id, id`, a...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c := new(trellis.ProjectionChange)
			var cycle, doc, by sql.NullInt64
			var move sql.NullString
			if err := rows.Scan(&c.ID, &c.ProjectionID, &c.PersonID, &c.ManagerID, &c.TargetRole, &cycle, &c.Status, &c.Note,
				&doc, &move, &by, scanTime(&c.ChangedAt), &c.Version); err != nil {
				return err
			}
			if cycle.Valid {
				c.CycleID = &cycle.Int64
			}
			if doc.Valid {
				c.DocumentID = &doc.Int64
			}
			if by.Valid {
				c.ChangedBy = &by.Int64
			}
			c.Move = move.String
			list = append(list, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}

// ListProjections returns the projections of one manager's candidates, or
// of everyone (the leadership view) when managerID is nil, by candidate.
func (s *CycleService) ListProjections(ctx context.Context, managerID *int64) ([]*trellis.Projection, error) {
	q := `SELECT ` + projectionColumns + ` FROM projections`
	var a args
	if managerID != nil {
		q += ` WHERE manager_id = ` + a.add(*managerID)
	}
	q += ` ORDER BY person_id`
	list := []*trellis.Projection{}
	err := s.db.view(ctx, func(tx *Tx) error {
		list = list[:0]
		rows, err := tx.QueryContext(ctx, q, a...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanProjection(rows)
			if err != nil {
				return err
			}
			list = append(list, p)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}

// RecordDecision decides a document in calibration: the decision row and
// the move to promotion-approved or promotion-not-approved through the
// workflow (its guard, audit and notifications), in one transaction. The
// rationale is required either way; the decider is the signed-in actor.
func (s *CycleService) RecordDecision(ctx context.Context, d *trellis.Decision) error {
	if d == nil {
		return trellis.Errorf(trellis.EINVALID, "no decision to record")
	}
	c := *d
	c.Rationale = strings.TrimSpace(c.Rationale)
	if c.Rationale == "" {
		return &trellis.Error{Code: trellis.EINVALID, Message: "A decision needs its rationale: written feedback either way.",
			Details: []trellis.FieldError{{Field: "rationale", Message: "the rationale is required"}}}
	}
	if len(c.Rationale) > maxCommentBytes {
		return &trellis.Error{Code: trellis.EINVALID, Message: "The rationale is too long.",
			Details: []trellis.FieldError{{Field: "rationale", Message: "at most 20,000 characters"}}}
	}
	actor := trellis.ActorID(ctx)
	if actor == nil {
		return trellis.Errorf(trellis.EUNAUTHORIZED, "Sign in to record a decision.")
	}
	to := trellis.DocDecidedNo
	if c.Approved {
		to = trellis.DocDecidedYes
	}
	err := s.db.update(ctx, func(tx *Tx) error {
		doc, err := s.docs.move(ctx, tx, c.DocumentID, to, c.Rationale, -1)
		if err != nil {
			return err
		}
		c.CycleID, c.DecidedBy, c.DecidedAt = doc.CycleID, *actor, tx.now
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO decisions (document_id, cycle_id, approved, rationale, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			c.DocumentID, c.CycleID, c.Approved, c.Rationale, c.DecidedBy, formatTime(tx.now)); err != nil {
			return err
		}
		return recordAudit(ctx, tx, newAuditEvent(ctx, auditDecisionRecorded, string(trellis.KindDecision), fmt.Sprint(c.DocumentID),
			nil, map[string]any{"approved": c.Approved, "person_id": doc.PersonID}))
	})
	if err != nil {
		return err
	}
	*d = c
	return nil
}

const decisionColumns = `document_id, cycle_id, approved, rationale, decided_by, decided_at`

func scanDecision(r rowScanner) (*trellis.Decision, error) {
	d := new(trellis.Decision)
	var cycle sql.NullInt64
	if err := r.Scan(&d.DocumentID, &cycle, &d.Approved, &d.Rationale, &d.DecidedBy, scanTime(&d.DecidedAt)); err != nil {
		return nil, err
	}
	if cycle.Valid {
		d.CycleID = &cycle.Int64
	}
	return d, nil
}

// ListDecisions returns the decisions of a cycle, by document.
func (s *CycleService) ListDecisions(ctx context.Context, cycleID int64) ([]*trellis.Decision, error) {
	list := []*trellis.Decision{}
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		list, err = queryDecisions(ctx, tx, cycleID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}

func queryDecisions(ctx context.Context, tx *Tx, cycleID int64) ([]*trellis.Decision, error) {
	list := []*trellis.Decision{}
	rows, err := tx.QueryContext(ctx, `SELECT `+decisionColumns+` FROM decisions WHERE cycle_id = $1 ORDER BY document_id`, cycleID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDecision(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, d)
	}
	return list, rows.Err()
}
