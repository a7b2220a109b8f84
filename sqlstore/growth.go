package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"trellis"
)

// GrowthService keeps growth plans, their history and career conversations.
// It implements trellis.GrowthService. A plan is stored whole, as JSON, in
// growth_plans (one row per person, the current period); a refresh copies it
// to plan_history first.
type GrowthService struct {
	db         *DB
	frameworks *FrameworkService
}

var _ trellis.GrowthService = (*GrowthService)(nil)

// NewGrowthService returns a GrowthService over db.
func NewGrowthService(db *DB) *GrowthService {
	return &GrowthService{db: db, frameworks: NewFrameworkService(db)}
}

// storedPlan is the JSON kept for a plan: everything but the columns.
func storedPlan(p *trellis.GrowthPlan) (string, error) {
	c := *p
	c.PersonID, c.Version, c.UpdatedAt = 0, 0, time.Time{}
	b, err := json.Marshal(&c)
	if err != nil {
		return "", fmt.Errorf("sqlstore: encoding growth plan: %w", err)
	}
	return string(b), nil
}

func decodePlan(personID int64, content string) (*trellis.GrowthPlan, error) {
	p := new(trellis.GrowthPlan)
	if err := json.Unmarshal([]byte(content), p); err != nil {
		return nil, fmt.Errorf("sqlstore: growth plan of person %d: %w", personID, err)
	}
	p.PersonID = personID
	if p.Goals == nil {
		p.Goals = []trellis.Goal{}
	}
	return p, nil
}

// findPlan reads the person's current plan; sql.ErrNoRows when there is none.
func findPlan(ctx context.Context, tx *Tx, personID int64, lock bool) (*trellis.GrowthPlan, error) {
	var content, period string
	var updated time.Time
	var version int
	q := `SELECT plan, period, updated_at, version FROM growth_plans WHERE person_id = $1`
	if lock {
		q += tx.forUpdate()
	}
	if err := tx.QueryRowContext(ctx, q, personID).Scan(&content, &period, scanTime(&updated), &version); err != nil {
		return nil, err
	}
	p, err := decodePlan(personID, content)
	if err != nil {
		return nil, err
	}
	p.Period, p.UpdatedAt, p.Version = period, updated, version
	return p, nil
}

// FindPlan returns the person's current plan, or an empty one for the
// current period (Version 0) when they have none yet.
func (s *GrowthService) FindPlan(ctx context.Context, personID int64) (*trellis.GrowthPlan, error) {
	var p *trellis.GrowthPlan
	err := s.db.view(ctx, func(tx *Tx) error {
		if err := personExists(ctx, tx, personID); err != nil {
			return err
		}
		var err error
		p, err = findPlan(ctx, tx, personID, false)
		if errors.Is(err, sql.ErrNoRows) {
			p = &trellis.GrowthPlan{PersonID: personID, Period: trellis.Period(tx.now), Goals: []trellis.Goal{}}
			return nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// planFramework is the framework a plan's target role is checked in: the
// active version of its target framework, the default framework when the
// plan names a role but no framework, nil when it names no role.
func (s *GrowthService) planFramework(ctx context.Context, tx *Tx, p *trellis.GrowthPlan) (*trellis.Framework, error) {
	if p.TargetRoleID == "" {
		return nil, nil
	}
	if p.TargetFramework == "" {
		p.TargetFramework = DefaultFrameworkID
	}
	fw, err := s.frameworks.frameworkInTx(ctx, tx, p.TargetFramework, "")
	if trellis.ErrorCode(err) == trellis.ENOTFOUND {
		return nil, &trellis.Error{Code: trellis.EINVALID, Message: "The growth plan names a framework that is not stored.",
			Details: []trellis.FieldError{{Field: "target_framework", Message: trellis.ErrorMessage(err)}}}
	}
	return fw, err
}

// SavePlan stores the plan of p.PersonID. expectedVersion 0 creates it; a
// stale version is ECONFLICT and changes nothing.
func (s *GrowthService) SavePlan(ctx context.Context, p *trellis.GrowthPlan, expectedVersion int) error {
	if p == nil {
		return trellis.Errorf(trellis.EINVALID, "no growth plan to store")
	}
	var c *trellis.GrowthPlan
	err := s.db.update(ctx, func(tx *Tx) error {
		c = clonePlan(p)
		if err := personExists(ctx, tx, c.PersonID); err != nil {
			return err
		}
		c.Normalize()
		fw, err := s.planFramework(ctx, tx, c)
		if err != nil {
			return err
		}
		if err := c.Validate(fw, trellis.LatestDay(tx.now)); err != nil {
			return err
		}
		content, err := storedPlan(c)
		if err != nil {
			return err
		}
		if expectedVersion == 0 {
			res, err := tx.ExecContext(ctx, `
				INSERT INTO growth_plans (person_id, period, plan, target_role_id, target_framework, updated_at, version)
				VALUES ($1, $2, $3, $4, $5, $6, 1) ON CONFLICT (person_id) DO NOTHING`,
				c.PersonID, c.Period, content, c.TargetRoleID, c.TargetFramework, formatTime(tx.now))
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n != 1 {
				return stalePlan(c.PersonID, expectedVersion)
			}
			c.Version = 1
		} else {
			res, err := tx.ExecContext(ctx, `
				UPDATE growth_plans SET period = $2, plan = $3, target_role_id = $4, target_framework = $5,
					updated_at = $6, version = version + 1
				WHERE person_id = $1 AND version = $7`,
				c.PersonID, c.Period, content, c.TargetRoleID, c.TargetFramework, formatTime(tx.now), expectedVersion)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n != 1 {
				return stalePlan(c.PersonID, expectedVersion)
			}
			c.Version = expectedVersion + 1
		}
		c.UpdatedAt = tx.now
		return nil
	})
	if err != nil {
		return err
	}
	*p = *c
	return nil
}

func stalePlan(personID int64, expected int) error {
	return trellis.Errorf(trellis.ECONFLICT,
		"The growth plan of person %d was changed meanwhile (you edited version %d). Reload it to see the change, then make yours again.",
		personID, expected)
}

func clonePlan(p *trellis.GrowthPlan) *trellis.GrowthPlan {
	c := *p
	c.Goals = slices.Clone(p.Goals)
	for i := range c.Goals {
		if d := c.Goals[i].Due; d != nil {
			due := *d
			c.Goals[i].Due = &due
		}
	}
	return &c
}

// RefreshPlan starts the next period of the person's plan: the current
// plan goes to the history as it stands, the reflection and target stay,
// and the goals not done or dropped carry over. The period must be later
// than the current one.
func (s *GrowthService) RefreshPlan(ctx context.Context, personID int64, period string) (*trellis.GrowthPlan, error) {
	start, ok := trellis.PeriodStart(period)
	if !ok {
		return nil, &trellis.Error{Code: trellis.EINVALID, Message: "The new period is not a half-year.",
			Details: []trellis.FieldError{{Field: "period", Message: fmt.Sprintf("period %q is not a half-year; write it as YEAR-H1 or YEAR-H2", period)}}}
	}
	var next *trellis.GrowthPlan
	err := s.db.update(ctx, func(tx *Tx) error {
		if err := personExists(ctx, tx, personID); err != nil {
			return err
		}
		cur, err := findPlan(ctx, tx, personID, true)
		if errors.Is(err, sql.ErrNoRows) {
			return trellis.Errorf(trellis.ERULE, "Person %d has no growth plan yet; save one before refreshing it.", personID)
		} else if err != nil {
			return err
		}
		if curStart, ok := trellis.PeriodStart(cur.Period); ok && !start.After(curStart) {
			return trellis.Errorf(trellis.ERULE, "The plan is already for %s; a refresh moves it to a later half-year, not %s.", cur.Period, period)
		}
		content, err := storedPlan(cur)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO plan_history (person_id, period, plan, archived_at) VALUES ($1, $2, $3, $4)`,
			personID, cur.Period, content, formatTime(tx.now)); err != nil {
			return err
		}
		next = clonePlan(cur)
		next.Period = period
		next.Goals = slices.DeleteFunc(next.Goals, func(g trellis.Goal) bool {
			return g.Status == trellis.GoalDone || g.Status == trellis.GoalDropped
		})
		if next.Goals == nil {
			next.Goals = []trellis.Goal{}
		}
		content, err = storedPlan(next)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE growth_plans SET period = $2, plan = $3, updated_at = $4, version = version + 1 WHERE person_id = $1`,
			personID, period, content, formatTime(tx.now)); err != nil {
			return err
		}
		next.Version, next.UpdatedAt = cur.Version+1, tx.now
		return nil
	})
	if err != nil {
		return nil, err
	}
	return next, nil
}

// PlanHistory returns the person's earlier plans, newest first, each as it
// stood when it was refreshed.
func (s *GrowthService) PlanHistory(ctx context.Context, personID int64) ([]*trellis.GrowthPlan, error) {
	list := []*trellis.GrowthPlan{}
	err := s.db.view(ctx, func(tx *Tx) error {
		list = list[:0]
		if err := personExists(ctx, tx, personID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `
			SELECT period, plan, archived_at FROM plan_history WHERE person_id = $1 ORDER BY id DESC`, personID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var period, content string
			var at time.Time
			if err := rows.Scan(&period, &content, scanTime(&at)); err != nil {
				return err
			}
			p, err := decodePlan(personID, content)
			if err != nil {
				return err
			}
			p.Period, p.UpdatedAt = period, at
			list = append(list, p)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}

const conversationColumns = `id, person_id, manager_id, date, notes, recorded_at, confirmed_at`

func scanConversation(r rowScanner) (*trellis.Conversation, error) {
	c := new(trellis.Conversation)
	var date string
	var confirmed sql.NullString
	if err := r.Scan(&c.ID, &c.PersonID, &c.ManagerID, &date, &c.Notes, scanTime(&c.RecordedAt), &confirmed); err != nil {
		return nil, err
	}
	var err error
	if c.Date, err = time.Parse(dateFormat, date); err != nil {
		return nil, fmt.Errorf("sqlstore: conversation %d: date %q: %w", c.ID, date, err)
	}
	if confirmed.Valid {
		var t time.Time
		if err := scanTime(&t).Scan(confirmed.String); err != nil {
			return nil, err
		}
		c.ConfirmedAt = &t
	}
	return c, nil
}

// RecordConversation stores a career conversation as the manager records
// it, unconfirmed. A zero ManagerID is the signed-in actor.
func (s *GrowthService) RecordConversation(ctx context.Context, c *trellis.Conversation) error {
	if c == nil {
		return trellis.Errorf(trellis.EINVALID, "no conversation to record")
	}
	rec := *c
	rec.ConfirmedAt = nil
	if rec.ManagerID == 0 {
		if id := trellis.ActorID(ctx); id != nil {
			rec.ManagerID = *id
		}
	}
	if !rec.Date.IsZero() {
		rec.Date = trellis.Day(rec.Date)
	}
	err := s.db.update(ctx, func(tx *Tx) error {
		if err := rec.Validate(trellis.LatestDay(tx.now)); err != nil {
			return err
		}
		if err := personExists(ctx, tx, rec.PersonID); err != nil {
			return err
		}
		if err := personExists(ctx, tx, rec.ManagerID); err != nil {
			return err
		}
		rec.RecordedAt = tx.now
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO conversations (person_id, manager_id, date, notes, recorded_at) VALUES ($1, $2, $3, $4, $5)
			RETURNING id`, rec.PersonID, rec.ManagerID, storedDate(rec.Date), rec.Notes, formatTime(tx.now)).Scan(&rec.ID); err != nil {
			return err
		}
		return recordAudit(ctx, tx, newAuditEvent(ctx, trellis.AuditConversationRecorded, trellis.AuditTargetConversation,
			fmt.Sprint(rec.ID), nil, map[string]any{"person_id": rec.PersonID, "manager_id": rec.ManagerID, "date": storedDate(rec.Date)}))
	})
	if err != nil {
		return err
	}
	*c = rec
	return nil
}

// ConfirmConversation marks a conversation as having happened. Only the
// person it was with may: the actor of ctx must be that person, whatever
// else they are (EFORBIDDEN otherwise). Confirming twice changes nothing.
func (s *GrowthService) ConfirmConversation(ctx context.Context, id int64) error {
	actor := trellis.ActorFromContext(ctx).Person
	if actor == nil {
		return trellis.Errorf(trellis.EUNAUTHORIZED, "Sign in to confirm a career conversation.")
	}
	return s.db.update(ctx, func(tx *Tx) error {
		c, err := scanConversation(tx.QueryRowContext(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id = $1`+tx.forUpdate(), id))
		if errors.Is(err, sql.ErrNoRows) {
			return trellis.Errorf(trellis.ENOTFOUND, "There is no career conversation with id %d.", id)
		} else if err != nil {
			return err
		}
		if c.PersonID != actor.ID {
			return trellis.Errorf(trellis.EFORBIDDEN, "Only the team member the conversation was with can confirm it happened.")
		}
		if c.ConfirmedAt != nil {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE conversations SET confirmed_at = $2 WHERE id = $1`, id, formatTime(tx.now)); err != nil {
			return err
		}
		return recordAudit(ctx, tx, newAuditEvent(ctx, trellis.AuditConversationConfirmed, trellis.AuditTargetConversation,
			fmt.Sprint(id), nil, map[string]any{"person_id": c.PersonID, "manager_id": c.ManagerID}))
	})
}

// ListConversations returns the person's career conversations, newest first.
func (s *GrowthService) ListConversations(ctx context.Context, personID int64) ([]*trellis.Conversation, error) {
	list := []*trellis.Conversation{}
	err := s.db.view(ctx, func(tx *Tx) error {
		list = list[:0]
		if err := personExists(ctx, tx, personID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+conversationColumns+` FROM conversations
			WHERE person_id = $1 ORDER BY date DESC, id DESC`, personID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanConversation(rows)
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
