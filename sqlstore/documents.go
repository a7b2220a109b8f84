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
	"unicode/utf8"

	"trellis"
)

// DocumentService keeps promotion documents: one row per document with its
// settings and workflow state, one row per section with a version of its
// own, a revision per save, comments, feedback requests and the library
// index. It implements trellis.DocumentService.
//
// A stale section save is an ECONFLICT whose Details carry both texts:
// {Field: "saved", Message: the text now stored} and {Field: "yours",
// Message: the text that was not saved}, so that the page can show both and
// nothing is lost (see SaveSection).
type DocumentService struct {
	db         *DB
	frameworks *FrameworkService
}

var _ trellis.DocumentService = (*DocumentService)(nil)

// NewDocumentService returns a DocumentService over db.
func NewDocumentService(db *DB) *DocumentService {
	return &DocumentService{db: db, frameworks: NewFrameworkService(db)}
}

// Audit actions of documents.
const (
	auditDocumentCreated = "document.created"
	auditDocumentUpdated = "document.updated"
	auditDocumentMoved   = "document.moved"
	auditFeedbackAsked   = "feedback.requested"
	auditFeedbackGiven   = "feedback.answered"
)

// maxCommentBytes bounds a projection note or a decision's rationale.
const maxCommentBytes = 20_000

// autosaveWindow is how long consecutive autosaves of one person are
// coalesced into one revision, counted from the first of them.
const autosaveWindow = 10 * time.Minute

// editableStates are the states in which a document's text may change:
// while it is written and reviewed. From the manager's manager's approval on
// it is the case that was approved.
var editableStates = []string{trellis.DocDraft, trellis.DocManagerReview, trellis.DocPeerReview}

// documentColumns are the columns scanDocument reads, the comments-due day
// of the open peer review (peer_reviews.go) among them.
const documentColumns = `d.id, d.person_id, d.manager_id, d.target_role, d.framework_id, d.framework_version, d.frozen,
	d.template_id, d.title, d.state, d.visibility, d.share_in_library, d.cycle_id, d.out_of_cycle,
	d.created_at, d.updated_at, d.submitted_at, d.version,
	(SELECT prv.due FROM peer_reviews prv WHERE prv.document_id = d.id AND prv.closed_at IS NULL)`

func scanDocument(r rowScanner, extra ...any) (*trellis.Document, error) {
	d := new(trellis.Document)
	var manager, cycle sql.NullInt64
	var vis string
	dest := []any{&d.ID, &d.PersonID, &manager, &d.TargetRole, &d.FrameworkID, &d.FrameworkVersion, &d.Frozen,
		&d.TemplateID, &d.Title, &d.State, &vis, &d.ShareInLibrary, &cycle, &d.OutOfCycle,
		scanTime(&d.CreatedAt), scanTime(&d.UpdatedAt), scanNullTime(&d.SubmittedAt), &d.Version, scanNullDate(&d.ReviewDue)}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	d.Visibility = trellis.Visibility(vis)
	if manager.Valid {
		d.ManagerID = &manager.Int64
	}
	if cycle.Valid {
		d.CycleID = &cycle.Int64
	}
	d.Sections = []trellis.DocumentSection{}
	return d, nil
}

func documentNotFound(id int64) error {
	return trellis.Errorf(trellis.ENOTFOUND, "There is no promotion document with id %d.", id)
}

// findDocument reads one document with its sections; ENOTFOUND when there is
// none. lock takes the row lock (PostgreSQL) for a read-then-write.
func findDocument(ctx context.Context, tx *Tx, id int64, lock bool) (*trellis.Document, error) {
	q := `SELECT ` + documentColumns + ` FROM documents d WHERE d.id = $1`
	if lock {
		q += tx.forUpdate()
	}
	d, err := scanDocument(tx.QueryRowContext(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, documentNotFound(id)
	} else if err != nil {
		return nil, err
	}
	if err := loadSections(ctx, tx, []*trellis.Document{d}); err != nil {
		return nil, err
	}
	return d, nil
}

// loadSections fills the sections of the documents, in template order, with
// one query.
func loadSections(ctx context.Context, tx *Tx, docs []*trellis.Document) error {
	if len(docs) == 0 {
		return nil
	}
	byID := make(map[int64]*trellis.Document, len(docs))
	ids := make([]any, 0, len(docs))
	for _, d := range docs {
		byID[d.ID] = d
		ids = append(ids, d.ID)
	}
	var a args
	rows, err := tx.QueryContext(ctx, `
		SELECT document_id, section_id, text, version, edited_by, edited_at FROM document_sections
		WHERE document_id IN (`+a.placeholders(ids...)+`) ORDER BY document_id, position`, a...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var docID int64
		var s trellis.DocumentSection
		var by sql.NullInt64
		if err := rows.Scan(&docID, &s.ID, &s.Text, &s.Version, &by, scanTime(&s.EditedAt)); err != nil {
			return err
		}
		if by.Valid {
			s.EditedBy = &by.Int64
		}
		if d := byID[docID]; d != nil {
			d.Sections = append(d.Sections, s)
		}
	}
	return rows.Err()
}

// documentBody is the searchable text of a document: its sections in order.
func documentBody(d *trellis.Document) string {
	parts := make([]string, 0, len(d.Sections))
	for _, s := range d.Sections {
		if t := strings.TrimSpace(s.Text); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, "\n\n")
}

// libraryListed says whether a document belongs in the library: a completed
// document whose owner consented, or a document still in progress that its
// owner opened to the whole organisation. Decided, effective and withdrawn
// documents are not in progress; they are shown only once in the library
// state, and only with consent.
func libraryListed(d *trellis.Document) bool {
	switch d.State {
	case trellis.DocInLibrary:
		return d.ShareInLibrary
	case trellis.DocDraft, trellis.DocManagerReview, trellis.DocPeerReview, trellis.DocApproved,
		trellis.DocNominated, trellis.DocInCalibration:
		return slices.Index(trellis.Visibilities, d.Visibility) >= slices.Index(trellis.Visibilities, trellis.VisOrganisationViewer)
	}
	return false
}

// writeDocument stores the document row of d (not its sections) at
// d.Version, sets listed and the search text, and keeps the library index in
// step: wasListed says whether the stored row was listed before.
func writeDocument(ctx context.Context, tx *Tx, d *trellis.Document, wasListed bool) error {
	listed := libraryListed(d)
	body := documentBody(d)
	_, err := tx.ExecContext(ctx, `
		UPDATE documents SET title = $2, body = $3, state = $4, visibility = $5, share_in_library = $6, listed = $7,
			cycle_id = $8, out_of_cycle = $9, framework_version = $10, frozen = $11, updated_at = $12,
			submitted_at = $13, version = $14
		WHERE id = $1`,
		d.ID, d.Title, body, d.State, string(d.Visibility), d.ShareInLibrary, listed, d.CycleID, d.OutOfCycle,
		d.FrameworkVersion, d.Frozen, formatTime(d.UpdatedAt), nullTime(d.SubmittedAt), d.Version)
	if err != nil {
		return err
	}
	return libraryIndex(ctx, tx, d.ID, d.Title, body, wasListed, listed)
}

func nullTime(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return formatTime(*t)
}

// CreateDocument starts a promotion document for d.PersonID from the
// framework's template for d.TargetRole, in draft. d.Sections may carry the
// pre-filled text of some template sections (by id); every other section
// starts empty. The framework is the active version of d.FrameworkID (the
// default framework when empty); the manager is the candidate's manager.
func (s *DocumentService) CreateDocument(ctx context.Context, d *trellis.Document) error {
	if d == nil {
		return trellis.Errorf(trellis.EINVALID, "no document to store")
	}
	var out *trellis.Document
	err := s.db.update(ctx, func(tx *Tx) error {
		c := *d
		if c.FrameworkID == "" {
			c.FrameworkID = DefaultFrameworkID
		}
		c.TargetRole = strings.TrimSpace(c.TargetRole)
		candidate, err := findPerson(ctx, tx, c.PersonID, false)
		if errors.Is(err, sql.ErrNoRows) {
			return personNotFound(c.PersonID)
		} else if err != nil {
			return err
		}
		fw, err := s.frameworks.frameworkInTx(ctx, tx, c.FrameworkID, "")
		if err != nil {
			return err
		}
		nd, err := trellis.NewDocument(fw, "", candidate, c.TargetRole, tx.now)
		if err != nil {
			return err
		}
		tmpl, _ := fw.TemplateFor(c.TargetRole)
		actor := trellis.ActorID(ctx)
		for _, sec := range c.Sections {
			i := slices.IndexFunc(nd.Sections, func(x trellis.DocumentSection) bool { return x.ID == sec.ID })
			if i < 0 {
				return &trellis.Error{Code: trellis.EINVALID, Message: fmt.Sprintf("The template has no section %q.", sec.ID),
					Details: []trellis.FieldError{{Field: "sections", Message: fmt.Sprintf("unknown section %q", sec.ID)}}}
			}
			nd.Sections[i].Text = sec.Text
			if sec.Text != "" {
				nd.Sections[i].EditedBy = actor
			}
		}
		if t := strings.TrimSpace(c.Title); t != "" {
			nd.Title = t
		}
		if c.Visibility != "" {
			nd.Visibility = c.Visibility
		}
		nd.ShareInLibrary, nd.CycleID, nd.OutOfCycle = c.ShareInLibrary, c.CycleID, c.OutOfCycle
		for i := range nd.Sections {
			nd.Sections[i].Version = 1
		}
		nd.Version = 1
		if err := nd.Validate(fw); err != nil {
			return err
		}
		c = *nd
		if c.CycleID != nil {
			if _, err := findCycle(ctx, tx, *c.CycleID, false); err != nil {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO documents (person_id, manager_id, target_role, framework_id, framework_version, frozen, template_id,
				title, body, state, visibility, share_in_library, listed, cycle_id, out_of_cycle, created_at, updated_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '', $9, $10, $11, FALSE, $12, $13, $14, $14, 1) RETURNING id`,
			c.PersonID, c.ManagerID, c.TargetRole, c.FrameworkID, c.FrameworkVersion, c.Frozen, c.TemplateID,
			c.Title, c.State, string(c.Visibility), c.ShareInLibrary, c.CycleID, c.OutOfCycle, formatTime(tx.now)).Scan(&c.ID); err != nil {
			return err
		}
		for i, sec := range c.Sections {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO document_sections (document_id, section_id, position, text, version, edited_by, edited_at)
				VALUES ($1, $2, $3, $4, 1, $5, $6)`, c.ID, sec.ID, i, sec.Text, sec.EditedBy, formatTime(tx.now)); err != nil {
				return err
			}
		}
		var comps []string
		for _, ts := range tmpl.Sections {
			for _, comp := range ts.Competencies {
				if !slices.Contains(comps, comp) {
					comps = append(comps, comp)
				}
			}
		}
		for _, comp := range comps {
			if _, err := tx.ExecContext(ctx, `INSERT INTO document_competencies (document_id, competency) VALUES ($1, $2)`,
				c.ID, comp); err != nil {
				return err
			}
		}
		if err := writeDocument(ctx, tx, &c, false); err != nil {
			return err
		}
		if err := addRevision(ctx, tx, &c, actor, "created", false); err != nil {
			return err
		}
		out = &c
		return recordAudit(ctx, tx, newAuditEvent(ctx, auditDocumentCreated, trellis.AuditTargetDocument, fmt.Sprint(c.ID),
			nil, map[string]any{"person_id": c.PersonID, "target_role": c.TargetRole, "visibility": string(c.Visibility)}))
	})
	if err != nil {
		return err
	}
	*d = *out
	return nil
}

// FindDocument returns the document with its sections.
func (s *DocumentService) FindDocument(ctx context.Context, id int64) (*trellis.Document, error) {
	var d *trellis.Document
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		d, err = findDocument(ctx, tx, id, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// ListDocuments returns one page of documents matching f, newest first,
// with their sections.
func (s *DocumentService) ListDocuments(ctx context.Context, f trellis.DocumentFilter) (trellis.DocumentPage, error) {
	var a args
	var where []string
	if f.PersonID != nil {
		where = append(where, "d.person_id = "+a.add(*f.PersonID))
	}
	if f.ManagerID != nil {
		where = append(where, "d.person_id IN (SELECT id FROM people WHERE manager_id = "+a.add(*f.ManagerID)+")")
	}
	if f.CycleID != nil {
		where = append(where, "d.cycle_id = "+a.add(*f.CycleID))
	}
	if len(f.States) > 0 {
		where = append(where, "d.state IN ("+a.placeholders(anys(f.States)...)+")")
	}
	if f.TargetRole != "" {
		where = append(where, "d.target_role = "+a.add(f.TargetRole))
	}
	if f.Cursor != "" {
		var id int64
		if err := decodeCursor(f.Cursor, &id); err != nil {
			return trellis.DocumentPage{}, err
		}
		where = append(where, "d.id < "+a.add(id))
	}
	limit := trellis.ClampLimit(f.Limit)
	q := `SELECT ` + documentColumns + ` FROM documents d`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY d.id DESC LIMIT ` + a.add(limit+1)
	page := trellis.DocumentPage{Items: []*trellis.Document{}}
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		page.Items, err = queryDocuments(ctx, tx, q, a...)
		if err != nil {
			return err
		}
		return loadSections(ctx, tx, page.Items)
	})
	if err != nil {
		return trellis.DocumentPage{}, err
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		page.NextCursor = encodeCursor(page.Items[limit-1].ID)
	}
	return page, nil
}

func queryDocuments(ctx context.Context, tx *Tx, q string, a ...any) ([]*trellis.Document, error) {
	rows, err := tx.QueryContext(ctx, q, a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list := []*trellis.Document{}
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, d)
	}
	return list, rows.Err()
}

// staleSection is the conflict of a save based on an old version of a
// section: its Details carry the stored text ("saved") and the text that
// was not saved ("yours").
func staleSection(ctx context.Context, tx *Tx, sectionID string, sec trellis.DocumentSection, yours string) error {
	who := "Someone else"
	if sec.EditedBy != nil {
		if p, err := findPerson(ctx, tx, *sec.EditedBy, false); err == nil {
			who = p.Name
		}
		if id := trellis.ActorID(ctx); id != nil && *id == *sec.EditedBy {
			who = "You (in another window)"
		}
	}
	return &trellis.Error{Code: trellis.ECONFLICT,
		Message: fmt.Sprintf("%s saved the section %q at %s UTC, after you opened it. Both texts are kept below: compare them, then save again.",
			who, sectionID, sec.EditedAt.Format("2006-01-02 15:04")),
		Details: []trellis.FieldError{{Field: "saved", Message: sec.Text}, {Field: "yours", Message: yours}}}
}

// SaveSection stores one section's text if the section is still at
// expectedVersion. A stale version is ECONFLICT with both texts in Details
// ("saved" and "yours"); nothing is written then. Every save adds a
// revision, except that consecutive autosaves by the same person within ten
// minutes of the first of them update that autosave's revision.
func (s *DocumentService) SaveSection(ctx context.Context, docID int64, sectionID, text string, expectedVersion int, autosave bool) (*trellis.Document, error) {
	if utf8.RuneCountInString(text) > trellis.MaxSectionText {
		return nil, &trellis.Error{Code: trellis.EINVALID,
			Message: fmt.Sprintf("The section is longer than %d characters; nothing was saved.", trellis.MaxSectionText),
			Details: []trellis.FieldError{{Field: "text", Message: fmt.Sprintf("at most %d characters", trellis.MaxSectionText)}}}
	}
	if !utf8.ValidString(text) {
		return nil, trellis.Errorf(trellis.EINVALID, "The text is not valid UTF-8.")
	}
	var out *trellis.Document
	err := s.db.update(ctx, func(tx *Tx) error {
		d, err := findDocument(ctx, tx, docID, true)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(d.Sections, func(sec trellis.DocumentSection) bool { return sec.ID == sectionID })
		if i < 0 {
			return trellis.Errorf(trellis.ENOTFOUND, "The document has no section %q.", sectionID)
		}
		sec := d.Sections[i]
		if sec.Version != expectedVersion {
			return staleSection(ctx, tx, sectionID, sec, text)
		}
		if !slices.Contains(editableStates, d.State) {
			return trellis.Errorf(trellis.ERULE, "The document is %s: its text no longer changes.", d.State)
		}
		if sec.Text == text {
			out = d // nothing changed: nothing written
			return nil
		}
		actor := trellis.ActorID(ctx)
		res, err := tx.ExecContext(ctx, `
			UPDATE document_sections SET text = $3, version = version + 1, edited_by = $4, edited_at = $5
			WHERE document_id = $1 AND section_id = $2 AND version = $6`,
			docID, sectionID, text, actor, formatTime(tx.now), expectedVersion)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return staleSection(ctx, tx, sectionID, sec, text)
		}
		d.Sections[i] = trellis.DocumentSection{ID: sectionID, Text: text, Version: expectedVersion + 1, EditedBy: actor, EditedAt: tx.now}
		wasListed := libraryListed(d)
		d.UpdatedAt = tx.now
		if err := writeDocument(ctx, tx, d, wasListed); err != nil {
			return err
		}
		note := ""
		if autosave {
			note = "autosave"
		}
		if err := addRevision(ctx, tx, d, actor, note, autosave); err != nil {
			return err
		}
		out = d
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// addRevision snapshots d. An autosave by the same person as the newest
// revision, itself an autosave begun less than autosaveWindow ago, updates
// that revision instead of adding one.
func addRevision(ctx context.Context, tx *Tx, d *trellis.Document, author *int64, note string, autosave bool) error {
	snap, err := json.Marshal(d.Sections)
	if err != nil {
		return err
	}
	var last int
	var lastAuthor sql.NullInt64
	var lastAuto bool
	var started time.Time
	err = tx.QueryRowContext(ctx, `
		SELECT revision, author_id, autosave, started_at FROM document_revisions
		WHERE document_id = $1 ORDER BY revision DESC LIMIT 1`, d.ID).Scan(&last, &lastAuthor, &lastAuto, scanTime(&started))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if autosave && lastAuto && author != nil && lastAuthor.Valid && lastAuthor.Int64 == *author &&
		tx.now.Sub(started) < autosaveWindow {
		_, err := tx.ExecContext(ctx, `
			UPDATE document_revisions SET sections = $3, state = $4, at = $5 WHERE document_id = $1 AND revision = $2`,
			d.ID, last, string(snap), d.State, formatTime(tx.now))
		return err
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO document_revisions (document_id, revision, sections, state, author_id, started_at, at, note, autosave)
		VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8)`,
		d.ID, last+1, string(snap), d.State, author, formatTime(tx.now), note, autosave)
	return err
}

// Revisions returns the document's revisions, oldest first.
func (s *DocumentService) Revisions(ctx context.Context, docID int64) ([]*trellis.DocumentRevision, error) {
	list := []*trellis.DocumentRevision{}
	err := s.db.view(ctx, func(tx *Tx) error {
		list = list[:0]
		if err := documentExists(ctx, tx, docID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `
			SELECT revision, sections, state, author_id, at, note FROM document_revisions
			WHERE document_id = $1 ORDER BY revision`, docID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r := &trellis.DocumentRevision{DocumentID: docID}
			var snap string
			var author sql.NullInt64
			if err := rows.Scan(&r.Revision, &snap, &r.State, &author, scanTime(&r.At), &r.Note); err != nil {
				return err
			}
			if author.Valid {
				r.AuthorID = &author.Int64
			}
			if err := json.Unmarshal([]byte(snap), &r.Sections); err != nil {
				return fmt.Errorf("sqlstore: document %d revision %d: %w", docID, r.Revision, err)
			}
			list = append(list, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}

func documentExists(ctx context.Context, tx *Tx, id int64) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM documents WHERE id = $1`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return documentNotFound(id)
	}
	return err
}

func staleDocument(id int64, expected, stored int) error {
	return trellis.Errorf(trellis.ECONFLICT,
		"Promotion document %d was changed meanwhile (you had version %d, it is now at version %d). Reload it to see the change, then make yours again.",
		id, expected, stored)
}

// UpdateDocument changes the document's settings (title, visibility, library
// consent, and the cycle while it is not yet nominated) if it is still at
// expectedVersion. A change of visibility is audited as visibility.changed.
func (s *DocumentService) UpdateDocument(ctx context.Context, d *trellis.Document, expectedVersion int) error {
	if d == nil {
		return trellis.Errorf(trellis.EINVALID, "no document to store")
	}
	var out *trellis.Document
	err := s.db.update(ctx, func(tx *Tx) error {
		old, err := findDocument(ctx, tx, d.ID, true)
		if err != nil {
			return err
		}
		if old.Version != expectedVersion {
			return staleDocument(d.ID, expectedVersion, old.Version)
		}
		c := *old
		c.Sections = slices.Clone(old.Sections)
		c.Title, c.Visibility, c.ShareInLibrary = strings.TrimSpace(d.Title), d.Visibility, d.ShareInLibrary
		if !sameID(old.CycleID, d.CycleID) || old.OutOfCycle != d.OutOfCycle {
			if !slices.Contains([]string{trellis.DocDraft, trellis.DocManagerReview, trellis.DocPeerReview, trellis.DocApproved}, old.State) {
				return trellis.Errorf(trellis.ERULE, "The document is %s: its cycle no longer changes.", old.State)
			}
			if d.CycleID != nil {
				if _, err := findCycle(ctx, tx, *d.CycleID, false); err != nil {
					return err
				}
			}
			c.CycleID, c.OutOfCycle = d.CycleID, d.OutOfCycle
		}
		fw, err := s.frameworks.frameworkInTx(ctx, tx, c.FrameworkID, c.FrameworkVersion)
		if err != nil {
			return err
		}
		if err := c.Validate(fw); err != nil {
			return err
		}
		c.UpdatedAt, c.Version = tx.now, old.Version+1
		if err := writeDocument(ctx, tx, &c, libraryListed(old)); err != nil {
			return err
		}
		target := fmt.Sprint(c.ID)
		before, after := documentSettings(old), documentSettings(&c)
		if err := recordAudit(ctx, tx, newAuditEvent(ctx, auditDocumentUpdated, trellis.AuditTargetDocument, target, before, after)); err != nil {
			return err
		}
		if old.Visibility != c.Visibility {
			if err := recordAudit(ctx, tx, newAuditEvent(ctx, trellis.AuditVisibilityChanged, trellis.AuditTargetDocument, target,
				map[string]any{"visibility": string(old.Visibility)}, map[string]any{"visibility": string(c.Visibility)})); err != nil {
				return err
			}
		}
		out = &c
		return nil
	})
	if err != nil {
		return err
	}
	*d = *out
	return nil
}

func documentSettings(d *trellis.Document) map[string]any {
	m := map[string]any{"version": d.Version, "title": d.Title, "share_in_library": d.ShareInLibrary}
	if d.CycleID != nil {
		m["cycle_id"] = *d.CycleID
	}
	return m
}

func sameID(a, b *int64) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}
