package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"trellis"
)

// AuditService records and lists the audit log. It implements
// trellis.AuditService. Other services record their events with
// recordAudit inside their own transactions, so that an event is written
// exactly when the change it describes is.
type AuditService struct {
	db *DB
}

var _ trellis.AuditService = (*AuditService)(nil)

// NewAuditService returns an AuditService over db.
func NewAuditService(db *DB) *AuditService {
	return &AuditService{db: db}
}

// RecordAudit validates and appends e, setting its ID. A zero At is set to
// the transaction's time; an event without actor label is attributed to the
// actor of ctx (see auditActor).
func (s *AuditService) RecordAudit(ctx context.Context, e *trellis.AuditEvent) error {
	if e == nil {
		return trellis.Errorf(trellis.EINVALID, "no audit event to record")
	}
	return s.db.update(ctx, func(tx *Tx) error {
		return recordAudit(ctx, tx, e)
	})
}

// ListAudit returns one page of events matching f, newest first. The
// filter means exactly what trellis.AuditFilter.Matches says.
func (s *AuditService) ListAudit(ctx context.Context, f trellis.AuditFilter) (trellis.AuditPage, error) {
	var a args
	var where []string
	if !f.Since.IsZero() {
		where = append(where, "at >= "+a.add(formatTime(ceilMicro(f.Since))))
	}
	if !f.Until.IsZero() {
		where = append(where, "at < "+a.add(formatTime(ceilMicro(f.Until))))
	}
	switch {
	case f.Action == "":
	case strings.HasSuffix(f.Action, "."):
		p := a.add(f.Action)
		where = append(where, `action LIKE `+a.add(likePrefix(f.Action))+` ESCAPE '\' AND action <> `+p)
	default:
		where = append(where, "action = "+a.add(f.Action))
	}
	if f.ActorID != nil {
		where = append(where, "actor_id = "+a.add(*f.ActorID))
	}
	if f.TargetType != "" {
		where = append(where, "target_type = "+a.add(f.TargetType))
	}
	if f.TargetID != "" {
		where = append(where, "target_id = "+a.add(f.TargetID))
	}
	if f.Cursor != "" {
		var at string
		var id int64
		if err := decodeCursor(f.Cursor, &at, &id); err != nil {
			return trellis.AuditPage{}, err
		}
		where = append(where, "(at, id) < ("+a.add(at)+", "+a.add(id)+")")
	}
	limit := trellis.ClampLimit(f.Limit)
	query := `SELECT ` + auditColumns + ` FROM audit_log`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY at DESC, id DESC LIMIT " + a.add(limit+1)

	page := trellis.AuditPage{Items: []*trellis.AuditEvent{}}
	err := s.db.view(ctx, func(tx *Tx) error {
		page = trellis.AuditPage{Items: []*trellis.AuditEvent{}}
		rows, err := tx.QueryContext(ctx, query, a...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanAudit(rows)
			if err != nil {
				return err
			}
			page.Items = append(page.Items, e)
		}
		return rows.Err()
	})
	if err != nil {
		return trellis.AuditPage{}, err
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		last := page.Items[limit-1]
		page.NextCursor = encodeCursor(formatTime(last.At), last.ID)
	}
	return page, nil
}

const auditColumns = `id, at, actor_id, actor_label, action, target_type, target_id, before, after, ip`

func scanAudit(rows *sql.Rows) (*trellis.AuditEvent, error) {
	e := new(trellis.AuditEvent)
	var actor sql.NullInt64
	var before, after sql.NullString
	if err := rows.Scan(&e.ID, scanTime(&e.At), &actor, &e.ActorLabel, &e.Action, &e.TargetType, &e.TargetID,
		&before, &after, &e.IP); err != nil {
		return nil, err
	}
	if actor.Valid {
		e.ActorID = &actor.Int64
	}
	for _, c := range []struct {
		src sql.NullString
		dst *map[string]any
	}{{before, &e.Before}, {after, &e.After}} {
		if !c.src.Valid {
			continue
		}
		if err := json.Unmarshal([]byte(c.src.String), c.dst); err != nil {
			return nil, fmt.Errorf("sqlstore: audit event %d: %w", e.ID, err)
		}
	}
	return e, nil
}

// recordAudit appends e to the audit log inside tx and sets its ID. Every
// service that changes something worth auditing calls it in the same
// transaction as the change, so the event exists exactly when the change
// does. A zero At becomes the transaction's time; an empty ActorLabel (with
// no ActorID) is filled from the actor of ctx.
func recordAudit(ctx context.Context, tx *Tx, e *trellis.AuditEvent) error {
	if e.At.IsZero() {
		e.At = tx.now
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	if e.ActorLabel == "" && e.ActorID == nil {
		e.ActorID, e.ActorLabel = auditActor(ctx)
	}
	if e.IP == "" {
		e.IP = trellis.OriginFromContext(ctx).IP
	}
	if err := e.Validate(); err != nil {
		return err
	}
	before, err := auditJSON(e.Before)
	if err != nil {
		return err
	}
	after, err := auditJSON(e.After)
	if err != nil {
		return err
	}
	return tx.QueryRowContext(ctx, `
		INSERT INTO audit_log (at, actor_id, actor_label, action, target_type, target_id, before, after, ip)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		formatTime(e.At), e.ActorID, e.ActorLabel, e.Action, e.TargetType, e.TargetID, before, after, e.IP).Scan(&e.ID)
}

// auditJSON encodes before/after fields; nil or empty maps are stored as NULL.
func auditJSON(m map[string]any) (*string, error) {
	if len(m) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, trellis.Errorf(trellis.EINVALID, "the audit event's before/after fields cannot be stored as JSON: %v", err)
	}
	s := string(b)
	return &s, nil
}

// auditActor names the actor of ctx for the audit log: the signed-in
// person's id and email, or no id and the origin's label ("cli"), or
// "system" (jobs and start-up).
func auditActor(ctx context.Context) (*int64, string) {
	if p := trellis.ActorFromContext(ctx).Person; p != nil {
		id := p.ID
		label := p.Email
		if label == "" {
			label = fmt.Sprintf("person %d", p.ID)
		}
		return &id, label
	}
	if l := trellis.OriginFromContext(ctx).Label; l != "" {
		return nil, l
	}
	return nil, "system"
}

// newAuditEvent is an event by the actor of ctx about one target.
func newAuditEvent(ctx context.Context, action, targetType, targetID string, before, after map[string]any) *trellis.AuditEvent {
	id, label := auditActor(ctx)
	return &trellis.AuditEvent{
		ActorID: id, ActorLabel: label, Action: action, TargetType: targetType, TargetID: targetID,
		Before: before, After: after,
	}
}
