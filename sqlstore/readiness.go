package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"trellis"
)

// ReadinessService keeps the inputs of readiness: assessments (all of them,
// the newest per competency and assessor kind counting) and the checklist of
// considerations and resources. It implements trellis.ReadinessService.
type ReadinessService struct {
	db         *DB
	frameworks *FrameworkService
}

var _ trellis.ReadinessService = (*ReadinessService)(nil)

// NewReadinessService returns a ReadinessService over db.
func NewReadinessService(db *DB) *ReadinessService {
	return &ReadinessService{db: db, frameworks: NewFrameworkService(db)}
}

// SaveAssessment checks the assessment against the framework version it
// names (the active one of the default framework when it names none) and
// adds it to the person's history, stamped with the transaction's time. A
// zero AssessorID is the signed-in actor.
func (s *ReadinessService) SaveAssessment(ctx context.Context, a *trellis.Assessment) error {
	if a == nil {
		return trellis.Errorf(trellis.EINVALID, "no assessment to store")
	}
	c := *a
	c.RoleID, c.Competency, c.By, c.Rating = strings.TrimSpace(c.RoleID), strings.TrimSpace(c.Competency), strings.TrimSpace(c.By), strings.TrimSpace(c.Rating)
	c.Comment = strings.TrimSpace(c.Comment)
	if c.FrameworkID == "" {
		c.FrameworkID = DefaultFrameworkID
	}
	if c.AssessorID == 0 {
		if id := trellis.ActorID(ctx); id != nil {
			c.AssessorID = *id
		}
	}
	err := s.db.update(ctx, func(tx *Tx) error {
		if err := personExists(ctx, tx, c.PersonID); err != nil {
			return err
		}
		fw, err := s.frameworks.frameworkInTx(ctx, tx, c.FrameworkID, c.FrameworkVersion)
		if trellis.ErrorCode(err) == trellis.ENOTFOUND {
			return &trellis.Error{Code: trellis.EINVALID, Message: "The assessment names a framework version that is not stored.",
				Details: []trellis.FieldError{{Field: "framework_version", Message: trellis.ErrorMessage(err)}}}
		} else if err != nil {
			return err
		}
		c.FrameworkVersion = fw.Version
		if err := c.Validate(fw); err != nil {
			return err
		}
		c.At = tx.now
		_, err = tx.ExecContext(ctx, `
			INSERT INTO assessments (person_id, framework_id, framework_version, role_id, competency, by_kind, rating,
				comment, assessor_id, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			c.PersonID, c.FrameworkID, c.FrameworkVersion, c.RoleID, c.Competency, c.By, c.Rating, c.Comment,
			c.AssessorID, formatTime(c.At))
		return err
	})
	if err != nil {
		return err
	}
	*a = c
	return nil
}

// ListAssessments returns the newest assessment per competency and assessor
// kind (self before manager) of the person for the role in a framework
// version (the active one when fw.Version is empty), in competency order.
func (s *ReadinessService) ListAssessments(ctx context.Context, personID int64, fw trellis.Ref, roleID string) ([]*trellis.Assessment, error) {
	if fw.ID == "" {
		fw.ID = DefaultFrameworkID
	}
	list := []*trellis.Assessment{}
	err := s.db.view(ctx, func(tx *Tx) error {
		list = list[:0]
		version := fw.Version
		if version == "" {
			if err := tx.QueryRowContext(ctx, `SELECT active_version FROM frameworks WHERE id = $1`, fw.ID).Scan(&version); err != nil {
				return translateMissing(err, func() error { return unknownFramework(ctx, tx, fw.ID) })
			}
		}
		rows, err := tx.QueryContext(ctx, `
			SELECT person_id, framework_id, framework_version, role_id, competency, by_kind, rating, comment, assessor_id, at
			FROM assessments
			WHERE person_id = $1 AND framework_id = $2 AND framework_version = $3 AND role_id = $4
			ORDER BY competency, by_kind DESC, at DESC, id DESC`, personID, fw.ID, version, roleID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a := new(trellis.Assessment)
			if err := rows.Scan(&a.PersonID, &a.FrameworkID, &a.FrameworkVersion, &a.RoleID, &a.Competency, &a.By,
				&a.Rating, &a.Comment, &a.AssessorID, scanTime(&a.At)); err != nil {
				return err
			}
			if n := len(list); n > 0 && list[n-1].Competency == a.Competency && list[n-1].By == a.By {
				continue // an older one of the same kind
			}
			list = append(list, a)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}

// Checklist item kinds.
const (
	checklistConsideration = "consideration"
	checklistResource      = "resource"
)

// SaveChecklistItem creates or replaces the item of its person, framework,
// role, kind and key. The evidence it names must be the person's.
func (s *ReadinessService) SaveChecklistItem(ctx context.Context, it *trellis.ChecklistItem) error {
	if it == nil {
		return trellis.Errorf(trellis.EINVALID, "no checklist item to store")
	}
	c := *it
	c.EvidenceIDs = slices.Compact(slices.Sorted(slices.Values(it.EvidenceIDs)))
	if c.EvidenceIDs == nil {
		c.EvidenceIDs = []int64{}
	}
	c.FrameworkID, c.RoleID, c.Kind, c.Key, c.State = strings.TrimSpace(c.FrameworkID), strings.TrimSpace(c.RoleID),
		strings.TrimSpace(c.Kind), strings.TrimSpace(c.Key), strings.TrimSpace(c.State)
	if c.FrameworkID == "" {
		c.FrameworkID = DefaultFrameworkID
	}
	if c.State == "" {
		c.State = trellis.ItemOpen
	}
	var d []trellis.FieldError
	if c.RoleID == "" {
		d = append(d, trellis.FieldError{Field: "role_id", Message: "role_id is required: the target role the item belongs to"})
	}
	if c.Kind != checklistConsideration && c.Kind != checklistResource {
		d = append(d, trellis.FieldError{Field: "kind", Message: fmt.Sprintf("kind %q is not known; use consideration or resource", c.Kind)})
	}
	if c.Key == "" || len(c.Key) > 200 {
		d = append(d, trellis.FieldError{Field: "key", Message: "key is required (the resource id or the consideration's index) and at most 200 characters"})
	}
	if !slices.Contains([]string{trellis.ItemOpen, trellis.ItemPlanned, trellis.ItemDone}, c.State) {
		d = append(d, trellis.FieldError{Field: "state", Message: fmt.Sprintf("state %q is not known; use open, planned or done", c.State)})
	}
	if len(c.EvidenceIDs) > 100 {
		d = append(d, trellis.FieldError{Field: "evidence_ids", Message: "at most 100 evidence entries may back one item"})
	}
	if len(d) > 0 {
		return &trellis.Error{Code: trellis.EINVALID, Message: "The checklist item is incomplete.", Details: d}
	}
	ids, _ := json.Marshal(c.EvidenceIDs)
	err := s.db.update(ctx, func(tx *Tx) error {
		if err := personExists(ctx, tx, c.PersonID); err != nil {
			return err
		}
		if len(c.EvidenceIDs) > 0 {
			var a args
			var mine int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM evidence WHERE person_id = `+a.add(c.PersonID)+
				` AND id IN (`+a.placeholders(anys(c.EvidenceIDs)...)+`)`, a...).Scan(&mine); err != nil {
				return err
			}
			if mine != len(c.EvidenceIDs) {
				return &trellis.Error{Code: trellis.EINVALID, Message: "The checklist item names evidence that is not the person's.",
					Details: []trellis.FieldError{{Field: "evidence_ids", Message: "every entry must be one of the person's own evidence entries"}}}
			}
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO checklist_items (person_id, framework_id, role_id, kind, key, state, evidence_ids, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (person_id, framework_id, role_id, kind, key)
			DO UPDATE SET state = excluded.state, evidence_ids = excluded.evidence_ids, updated_at = excluded.updated_at`,
			c.PersonID, c.FrameworkID, c.RoleID, c.Kind, c.Key, c.State, string(ids), formatTime(tx.now))
		return err
	})
	if err != nil {
		return err
	}
	*it = c
	return nil
}

// ListChecklist returns the person's items for the role, considerations
// first, each kind in key order.
func (s *ReadinessService) ListChecklist(ctx context.Context, personID int64, frameworkID, roleID string) ([]*trellis.ChecklistItem, error) {
	if frameworkID == "" {
		frameworkID = DefaultFrameworkID
	}
	list := []*trellis.ChecklistItem{}
	err := s.db.view(ctx, func(tx *Tx) error {
		list = list[:0]
		rows, err := tx.QueryContext(ctx, `
			SELECT person_id, framework_id, role_id, kind, key, state, evidence_ids FROM checklist_items
			WHERE person_id = $1 AND framework_id = $2 AND role_id = $3 ORDER BY kind, key`, personID, frameworkID, roleID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			it := new(trellis.ChecklistItem)
			var ids string
			if err := rows.Scan(&it.PersonID, &it.FrameworkID, &it.RoleID, &it.Kind, &it.Key, &it.State, &ids); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(ids), &it.EvidenceIDs); err != nil {
				return fmt.Errorf("sqlstore: checklist item %s/%s: %w", it.Kind, it.Key, err)
			}
			list = append(list, it)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// translateMissing turns sql.ErrNoRows into the error notFound makes.
func translateMissing(err error, notFound func() error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFound()
	}
	return err
}
