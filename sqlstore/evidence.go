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

// EvidenceService keeps evidence journals. It implements
// trellis.EvidenceService. Every write checks the entry against the active
// version of its framework inside the transaction that stores it, keeps the
// per-competency index and the full-text index in step, and is audited in
// the same transaction.
type EvidenceService struct {
	db         *DB
	frameworks *FrameworkService
}

var _ trellis.EvidenceService = (*EvidenceService)(nil)

// NewEvidenceService returns an EvidenceService over db.
func NewEvidenceService(db *DB) *EvidenceService {
	return &EvidenceService{db: db, frameworks: NewFrameworkService(db)}
}

// DefaultFrameworkID is the framework an entry is checked against when it
// names none.
const DefaultFrameworkID = "support"

const evidenceColumns = `e.id, e.person_id, e.date, e.end_date, e.title, e.what, e.part, e.result, e.links,
	e.competencies, e.activity, e."values", e.visibility, e.framework_id, e.created_at, e.updated_at, e.version`

func scanEvidence(r rowScanner, extra ...any) (*trellis.Evidence, error) {
	e := new(trellis.Evidence)
	var date string
	var end sql.NullString
	var links, comps, values, vis string
	dest := []any{&e.ID, &e.PersonID, &date, &end, &e.Title, &e.What, &e.Part, &e.Result, &links,
		&comps, &e.Activity, &values, &vis, &e.FrameworkID, scanTime(&e.CreatedAt), scanTime(&e.UpdatedAt), &e.Version}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	e.Visibility = trellis.Visibility(vis)
	var err error
	if e.Date, err = time.Parse(dateFormat, date); err != nil {
		return nil, fmt.Errorf("sqlstore: evidence %d: date %q: %w", e.ID, date, err)
	}
	if end.Valid && end.String != "" {
		d, err := time.Parse(dateFormat, end.String)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: evidence %d: end_date %q: %w", e.ID, end.String, err)
		}
		e.EndDate = &d
	}
	for _, c := range []struct {
		src string
		dst *[]string
	}{{links, &e.Links}, {comps, &e.Competencies}, {values, &e.Values}} {
		if err := json.Unmarshal([]byte(c.src), c.dst); err != nil {
			return nil, fmt.Errorf("sqlstore: evidence %d: %w", e.ID, err)
		}
		if *c.dst == nil {
			*c.dst = []string{}
		}
	}
	return e, nil
}

// jsonList is the stored form of a list of strings: a JSON array, never null.
func jsonList(xs []string) string {
	if len(xs) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(xs) // strings always encode
	return string(b)
}

func storedDate(t time.Time) string { return t.UTC().Format(dateFormat) }

func storedEndDate(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return storedDate(*t)
}

// frameworkInTx returns the active version of framework id as seen by tx,
// decoded once and cached by the FrameworkService. ENOTFOUND when it is not
// stored.
func (s *FrameworkService) frameworkInTx(ctx context.Context, tx *Tx, id, version string) (*trellis.Framework, error) {
	var v, hash string
	var err error
	if version == "" {
		err = tx.QueryRowContext(ctx, `
			SELECT v.version, v.hash FROM frameworks f
			JOIN framework_versions v ON v.framework_id = f.id AND v.version = f.active_version
			WHERE f.id = $1`, id).Scan(&v, &hash)
	} else {
		v = version
		err = tx.QueryRowContext(ctx, `SELECT hash FROM framework_versions WHERE framework_id = $1 AND version = $2`,
			id, version).Scan(&hash)
	}
	if errors.Is(err, sql.ErrNoRows) {
		var active string
		if version != "" && tx.QueryRowContext(ctx, `SELECT active_version FROM frameworks WHERE id = $1`, id).Scan(&active) == nil {
			return nil, unknownVersion(ctx, tx, id, version)
		}
		return nil, unknownFramework(ctx, tx, id)
	} else if err != nil {
		return nil, err
	}
	key := id + "@" + v + "#" + hash
	s.mu.RLock()
	fw := s.cache[key]
	s.mu.RUnlock()
	if fw != nil {
		return fw, nil
	}
	var content string
	if err := tx.QueryRowContext(ctx, `SELECT content FROM framework_versions WHERE framework_id = $1 AND version = $2`,
		id, v).Scan(&content); err != nil {
		return nil, err
	}
	fw = new(trellis.Framework)
	if err := json.Unmarshal([]byte(content), fw); err != nil {
		return nil, fmt.Errorf("sqlstore: decoding framework %s@%s: %w", id, v, err)
	}
	s.mu.Lock()
	s.cache[key] = fw
	s.mu.Unlock()
	return fw, nil
}

// checkEvidence normalises e and validates it against the active version of
// its framework and the transaction's day.
func (s *EvidenceService) checkEvidence(ctx context.Context, tx *Tx, e *trellis.Evidence) error {
	e.Normalize()
	if e.FrameworkID == "" {
		e.FrameworkID = DefaultFrameworkID
	}
	fw, err := s.frameworks.frameworkInTx(ctx, tx, e.FrameworkID, "")
	if trellis.ErrorCode(err) == trellis.ENOTFOUND {
		return &trellis.Error{Code: trellis.EINVALID, Message: "The entry names a framework that is not stored.",
			Details: []trellis.FieldError{{Field: "framework_id", Message: trellis.ErrorMessage(err)}}}
	} else if err != nil {
		return err
	}
	return e.Validate(fw, trellis.LatestDay(tx.now))
}

func evidenceNotFound(id int64) error {
	return trellis.Errorf(trellis.ENOTFOUND, "There is no evidence entry with id %d.", id)
}

// insertEvidence stores a checked entry with its competency rows and its
// full-text row, stamping it with the transaction's time.
func insertEvidence(ctx context.Context, tx *Tx, e *trellis.Evidence) error {
	e.CreatedAt, e.UpdatedAt, e.Version = tx.now, tx.now, 1
	if err := tx.QueryRowContext(ctx, `
		INSERT INTO evidence (person_id, date, end_date, title, what, part, result, links, competencies, activity,
			"values", visibility, framework_id, created_at, updated_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
		e.PersonID, storedDate(e.Date), storedEndDate(e.EndDate), e.Title, e.What, e.Part, e.Result,
		jsonList(e.Links), jsonList(e.Competencies), e.Activity, jsonList(e.Values), string(e.Visibility),
		e.FrameworkID, formatTime(tx.now), formatTime(tx.now), e.Version).Scan(&e.ID); err != nil {
		return err
	}
	if err := writeEvidenceCompetencies(ctx, tx, e); err != nil {
		return err
	}
	return searchIndexAdd(ctx, tx, e)
}

func writeEvidenceCompetencies(ctx context.Context, tx *Tx, e *trellis.Evidence) error {
	if len(e.Competencies) == 0 {
		return nil
	}
	var a args
	rows := make([]string, len(e.Competencies))
	for i, c := range e.Competencies {
		rows[i] = "(" + a.placeholders(e.ID, c, e.PersonID, storedDate(e.Date)) + ")"
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO evidence_competencies (evidence_id, competency, person_id, date) VALUES `+
		strings.Join(rows, ", "), a...)
	return err
}

// findEvidence reads one entry; sql.ErrNoRows when there is none.
func findEvidence(ctx context.Context, tx *Tx, id int64, lock bool) (*trellis.Evidence, error) {
	q := `SELECT ` + evidenceColumns + ` FROM evidence e WHERE e.id = $1`
	if lock {
		q += tx.forUpdate()
	}
	return scanEvidence(tx.QueryRowContext(ctx, q, id))
}

// CreateEvidence checks and stores a new entry for e.PersonID, setting its
// ID, times and version.
func (s *EvidenceService) CreateEvidence(ctx context.Context, e *trellis.Evidence) error {
	if e == nil {
		return trellis.Errorf(trellis.EINVALID, "no evidence entry to store")
	}
	c := cloneEvidence(e)
	err := s.db.update(ctx, func(tx *Tx) error {
		c = cloneEvidence(e)
		if err := personExists(ctx, tx, c.PersonID); err != nil {
			return err
		}
		if err := s.checkEvidence(ctx, tx, c); err != nil {
			return err
		}
		if err := insertEvidence(ctx, tx, c); err != nil {
			return err
		}
		return recordAudit(ctx, tx, newAuditEvent(ctx, trellis.AuditEvidenceCreated, trellis.AuditTargetEvidence,
			fmt.Sprint(c.ID), nil, map[string]any{"person_id": c.PersonID, "visibility": string(c.Visibility)}))
	})
	if err != nil {
		return err
	}
	*e = *c
	return nil
}

func cloneEvidence(e *trellis.Evidence) *trellis.Evidence {
	c := *e
	c.Links = slices.Clone(e.Links)
	c.Competencies = slices.Clone(e.Competencies)
	c.Values = slices.Clone(e.Values)
	if e.EndDate != nil {
		d := *e.EndDate
		c.EndDate = &d
	}
	return &c
}

// FindEvidence returns the entry with the id.
func (s *EvidenceService) FindEvidence(ctx context.Context, id int64) (*trellis.Evidence, error) {
	var e *trellis.Evidence
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		e, err = findEvidence(ctx, tx, id, false)
		if errors.Is(err, sql.ErrNoRows) {
			return evidenceNotFound(id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// UpdateEvidence replaces the content of entry e.ID if it is still at
// expectedVersion. The owner and creation time never change. A change of
// visibility is audited as visibility.changed with before and after.
func (s *EvidenceService) UpdateEvidence(ctx context.Context, e *trellis.Evidence, expectedVersion int) error {
	if e == nil {
		return trellis.Errorf(trellis.EINVALID, "no evidence entry to store")
	}
	var c *trellis.Evidence
	err := s.db.update(ctx, func(tx *Tx) error {
		c = cloneEvidence(e)
		old, err := findEvidence(ctx, tx, c.ID, true)
		if errors.Is(err, sql.ErrNoRows) {
			return evidenceNotFound(c.ID)
		} else if err != nil {
			return err
		}
		if old.Version != expectedVersion {
			return staleEvidence(c.ID, expectedVersion, old.Version)
		}
		c.PersonID, c.CreatedAt = old.PersonID, old.CreatedAt
		if err := s.checkEvidence(ctx, tx, c); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			UPDATE evidence SET date = $2, end_date = $3, title = $4, what = $5, part = $6, result = $7, links = $8,
				competencies = $9, activity = $10, "values" = $11, visibility = $12, framework_id = $13,
				updated_at = $14, version = version + 1
			WHERE id = $1 AND version = $15`,
			c.ID, storedDate(c.Date), storedEndDate(c.EndDate), c.Title, c.What, c.Part, c.Result, jsonList(c.Links),
			jsonList(c.Competencies), c.Activity, jsonList(c.Values), string(c.Visibility), c.FrameworkID,
			formatTime(tx.now), expectedVersion)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return staleEvidence(c.ID, expectedVersion, old.Version)
		}
		c.UpdatedAt, c.Version = tx.now, expectedVersion+1
		if _, err := tx.ExecContext(ctx, `DELETE FROM evidence_competencies WHERE evidence_id = $1`, c.ID); err != nil {
			return err
		}
		if err := writeEvidenceCompetencies(ctx, tx, c); err != nil {
			return err
		}
		if err := searchIndexRemove(ctx, tx, old); err != nil {
			return err
		}
		if err := searchIndexAdd(ctx, tx, c); err != nil {
			return err
		}
		target := fmt.Sprint(c.ID)
		if err := recordAudit(ctx, tx, newAuditEvent(ctx, trellis.AuditEvidenceUpdated, trellis.AuditTargetEvidence,
			target, map[string]any{"version": old.Version}, map[string]any{"version": c.Version})); err != nil {
			return err
		}
		if old.Visibility != c.Visibility {
			return recordAudit(ctx, tx, newAuditEvent(ctx, trellis.AuditVisibilityChanged, trellis.AuditTargetEvidence,
				target, map[string]any{"visibility": string(old.Visibility)}, map[string]any{"visibility": string(c.Visibility)}))
		}
		return nil
	})
	if err != nil {
		return err
	}
	*e = *c
	return nil
}

func staleEvidence(id int64, expected, stored int) error {
	return trellis.Errorf(trellis.ECONFLICT,
		"Evidence entry %d was changed meanwhile (you edited version %d, it is now at version %d). Reload it to see the change, then make yours again.",
		id, expected, stored)
}

// DeleteEvidence removes an entry with its index rows.
func (s *EvidenceService) DeleteEvidence(ctx context.Context, id int64) error {
	return s.db.update(ctx, func(tx *Tx) error {
		old, err := findEvidence(ctx, tx, id, true)
		if errors.Is(err, sql.ErrNoRows) {
			return evidenceNotFound(id)
		} else if err != nil {
			return err
		}
		if err := searchIndexRemove(ctx, tx, old); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM evidence_competencies WHERE evidence_id = $1`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM evidence WHERE id = $1`, id); err != nil {
			return err
		}
		return recordAudit(ctx, tx, newAuditEvent(ctx, trellis.AuditEvidenceDeleted, trellis.AuditTargetEvidence,
			fmt.Sprint(id), map[string]any{"person_id": old.PersonID, "title": old.Title}, nil))
	})
}

// ListEvidence returns one page of a person's journal: newest first (date,
// then id), or ranked by relevance when the filter has a query.
func (s *EvidenceService) ListEvidence(ctx context.Context, f trellis.EvidenceFilter) (trellis.EvidencePage, error) {
	if f.PersonID <= 0 {
		return trellis.EvidencePage{}, trellis.Errorf(trellis.EINVALID, "A journal listing needs the person whose journal it is.")
	}
	for _, v := range f.Visibilities {
		if !v.Valid() {
			return trellis.EvidencePage{}, trellis.Errorf(trellis.EINVALID, "visibility %q is not known", v)
		}
	}
	if f.Visibilities != nil && len(f.Visibilities) == 0 {
		return trellis.EvidencePage{Items: []*trellis.Evidence{}}, nil
	}
	if strings.TrimSpace(f.Query) != "" {
		return s.search(ctx, f)
	}
	var a args
	where := []string{"e.person_id = " + a.add(f.PersonID)}
	where = append(where, evidenceFilterSQL(&a, f)...)
	if f.Cursor != "" {
		var date string
		var id int64
		if err := decodeCursor(f.Cursor, &date, &id); err != nil {
			return trellis.EvidencePage{}, err
		}
		where = append(where, "(e.date < "+a.add(date)+" OR (e.date = "+a.add(date)+" AND e.id < "+a.add(id)+"))")
	}
	limit := trellis.ClampLimit(f.Limit)
	q := `SELECT ` + evidenceColumns + ` FROM evidence e WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY e.date DESC, e.id DESC LIMIT ` + a.add(limit+1)
	var page trellis.EvidencePage
	err := s.db.view(ctx, func(tx *Tx) error {
		page = trellis.EvidencePage{Items: []*trellis.Evidence{}}
		rows, err := tx.QueryContext(ctx, q, a...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEvidence(rows)
			if err != nil {
				return err
			}
			page.Items = append(page.Items, e)
		}
		return rows.Err()
	})
	if err != nil {
		return trellis.EvidencePage{}, err
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		last := page.Items[limit-1]
		page.NextCursor = encodeCursor(storedDate(last.Date), last.ID)
	}
	return page, nil
}

// evidenceFilterSQL returns the conditions of f other than the person, the
// query and the cursor, on the alias e.
func evidenceFilterSQL(a *args, f trellis.EvidenceFilter) []string {
	var where []string
	if c := strings.TrimSpace(f.Competency); c != "" {
		where = append(where, `EXISTS (SELECT 1 FROM evidence_competencies c WHERE c.evidence_id = e.id AND c.competency = `+a.add(c)+`)`)
	}
	if act := strings.TrimSpace(f.Activity); act != "" {
		where = append(where, "e.activity = "+a.add(act))
	}
	// An entry belongs to a period when its days overlap it.
	if !f.From.IsZero() {
		where = append(where, "COALESCE(e.end_date, e.date) >= "+a.add(storedDate(trellis.Day(f.From))))
	}
	if !f.To.IsZero() {
		where = append(where, "e.date <= "+a.add(storedDate(trellis.Day(f.To))))
	}
	if len(f.Visibilities) > 0 {
		vs := make([]any, len(f.Visibilities))
		for i, v := range f.Visibilities {
			vs[i] = string(v)
		}
		where = append(where, "e.visibility IN ("+a.placeholders(vs...)+")")
	}
	return where
}

// ImportEvidence adds every row for the person, or none: every row is
// checked against the active framework first and each problem names its
// row ("row 7: date").
func (s *EvidenceService) ImportEvidence(ctx context.Context, personID int64, rows []trellis.EvidenceImportRow) (int, error) {
	if len(rows) == 0 {
		return 0, trellis.Errorf(trellis.EINVALID, "The import has no entries in it.")
	}
	n := 0
	err := s.db.update(ctx, func(tx *Tx) error {
		n = 0
		if err := personExists(ctx, tx, personID); err != nil {
			return err
		}
		var problems importProblems
		items := make([]*trellis.Evidence, len(rows))
		for i, r := range rows {
			line := r.Line
			if line <= 0 {
				line = i + 1
			}
			e := cloneEvidence(&r.Evidence)
			e.ID, e.PersonID = 0, personID
			err := s.checkEvidence(ctx, tx, e)
			if d := trellis.ErrorDetails(err); len(d) > 0 {
				for _, f := range d {
					problems.add(line, f.Field, "%s", f.Message)
				}
			} else if err != nil {
				return err
			}
			items[i] = e
		}
		if err := problems.err(); err != nil {
			return err
		}
		for _, e := range items {
			if err := insertEvidence(ctx, tx, e); err != nil {
				return err
			}
		}
		n = len(items)
		return recordAudit(ctx, tx, newAuditEvent(ctx, trellis.AuditEvidenceImported, trellis.AuditTargetPerson,
			fmt.Sprint(personID), nil, map[string]any{"created": n}))
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// EvidenceByCompetency counts a person's entries per competency with the
// newest entry's date, in competency order. Counting every entry (the
// owner's view) reads only the covering index evidence_competencies_person;
// counting some visibilities joins the person's entries by primary key.
func (s *EvidenceService) EvidenceByCompetency(ctx context.Context, personID int64, visibilities []trellis.Visibility) ([]trellis.CompetencyEvidence, error) {
	var out []trellis.CompetencyEvidence
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		out, err = evidenceByCompetency(ctx, tx, personID, visibilities)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func evidenceByCompetency(ctx context.Context, tx *Tx, personID int64, visibilities []trellis.Visibility) ([]trellis.CompetencyEvidence, error) {
	out := []trellis.CompetencyEvidence{}
	query := `
		SELECT competency, COUNT(*), MAX(date) FROM evidence_competencies
		WHERE person_id = $1 GROUP BY competency ORDER BY competency`
	a := args{personID}
	if len(visibilities) > 0 && len(visibilities) < len(trellis.Visibilities) {
		vs := make([]any, len(visibilities))
		for i, v := range visibilities {
			vs[i] = string(v)
		}
		query = `
		SELECT ec.competency, COUNT(*), MAX(ec.date) FROM evidence_competencies ec
		JOIN evidence e ON e.id = ec.evidence_id
		WHERE ec.person_id = $1 AND e.visibility IN (` + a.placeholders(vs...) + `)
		GROUP BY ec.competency ORDER BY ec.competency`
	}
	rows, err := tx.QueryContext(ctx, query, a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c trellis.CompetencyEvidence
		var newest string
		if err := rows.Scan(&c.Competency, &c.Count, &newest); err != nil {
			return nil, err
		}
		if c.Newest, err = time.Parse(dateFormat, newest); err != nil {
			return nil, fmt.Errorf("sqlstore: evidence date %q: %w", newest, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
