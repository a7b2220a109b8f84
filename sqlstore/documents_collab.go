package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"trellis"
)

// Comments and feedback requests of promotion documents. Comments on the
// managers-only review copy (OnReviewCopy) are kept apart: a listing asks
// for one copy or the other, and a reply stays on its thread's copy. A
// review-copy comment made after the comments-due day of the document's
// peer review is kept, marked late.

const commentColumns = `id, document_id, section_id, thread_id, author_id, text, review_copy, resolved_at, created_at, late`

func scanComment(r rowScanner) (*trellis.Comment, error) {
	c := new(trellis.Comment)
	var thread sql.NullInt64
	if err := r.Scan(&c.ID, &c.DocumentID, &c.SectionID, &thread, &c.AuthorID, &c.Text, &c.OnReviewCopy,
		scanNullTime(&c.ResolvedAt), scanTime(&c.CreatedAt), &c.Late); err != nil {
		return nil, err
	}
	if thread.Valid {
		c.ThreadID = &thread.Int64
	}
	return c, nil
}

func commentNotFound(id int64) error {
	return trellis.Errorf(trellis.ENOTFOUND, "There is no comment with id %d.", id)
}

// AddComment adds a comment by the signed-in actor on a section of the
// document, starting a thread or replying to one (a reply to a reply joins
// the thread). A reply stays on the copy of its thread.
func (s *DocumentService) AddComment(ctx context.Context, c *trellis.Comment) error {
	if c == nil {
		return trellis.Errorf(trellis.EINVALID, "no comment to store")
	}
	actor := trellis.ActorID(ctx)
	if actor == nil {
		return trellis.Errorf(trellis.EUNAUTHORIZED, "Sign in to comment.")
	}
	o := *c
	o.Text = strings.TrimSpace(o.Text)
	switch {
	case o.Text == "":
		return &trellis.Error{Code: trellis.EINVALID, Message: "The comment is empty.",
			Details: []trellis.FieldError{{Field: "text", Message: "write the comment"}}}
	case utf8.RuneCountInString(o.Text) > trellis.MaxDocumentComment:
		return &trellis.Error{Code: trellis.EINVALID, Message: "The comment is too long.",
			Details: []trellis.FieldError{{Field: "text", Message: fmt.Sprintf("at most %d characters", trellis.MaxDocumentComment)}}}
	}
	err := s.db.update(ctx, func(tx *Tx) error {
		d, err := findDocument(ctx, tx, o.DocumentID, false)
		if err != nil {
			return err
		}
		if o.ThreadID != nil {
			parent, err := scanComment(tx.QueryRowContext(ctx, `SELECT `+commentColumns+` FROM document_comments WHERE id = $1`, *o.ThreadID))
			if errors.Is(err, sql.ErrNoRows) || err == nil && parent.DocumentID != o.DocumentID {
				return commentNotFound(*o.ThreadID)
			} else if err != nil {
				return err
			}
			root := parent.ID
			if parent.ThreadID != nil {
				root = *parent.ThreadID
			}
			o.ThreadID, o.SectionID, o.OnReviewCopy = &root, parent.SectionID, parent.OnReviewCopy
		}
		if !slices.ContainsFunc(d.Sections, func(sec trellis.DocumentSection) bool { return sec.ID == o.SectionID }) {
			return &trellis.Error{Code: trellis.EINVALID, Message: fmt.Sprintf("The document has no section %q.", o.SectionID),
				Details: []trellis.FieldError{{Field: "section_id", Message: "not a section of the document"}}}
		}
		o.AuthorID, o.CreatedAt, o.ResolvedAt, o.Late = *actor, tx.now, nil, false
		if o.OnReviewCopy {
			if o.Late, err = commentIsLate(ctx, tx, o.DocumentID); err != nil {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO document_comments (document_id, section_id, thread_id, author_id, text, review_copy, created_at, late)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			o.DocumentID, o.SectionID, o.ThreadID, o.AuthorID, o.Text, o.OnReviewCopy, formatTime(tx.now), o.Late).Scan(&o.ID); err != nil {
			return err
		}
		if o.ThreadID == nil {
			return s.notifyComment(ctx, tx, trellis.NoticeCommented, d, &o, []*trellis.Comment{&o})
		}
		thread, err := threadOf(ctx, tx, *o.ThreadID, o.ID)
		if err != nil {
			return err
		}
		return s.notifyComment(ctx, tx, trellis.NoticeCommentReplied, d, &o, thread)
	})
	if err != nil {
		return err
	}
	*c = o
	return nil
}

// ResolveComment resolves the thread the comment belongs to and tells the
// thread's author (unless they resolved it). Resolving a resolved thread
// changes nothing and tells nobody.
func (s *DocumentService) ResolveComment(ctx context.Context, id int64) error {
	return s.db.update(ctx, func(tx *Tx) error {
		c, err := scanComment(tx.QueryRowContext(ctx, `SELECT `+commentColumns+` FROM document_comments WHERE id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return commentNotFound(id)
		} else if err != nil {
			return err
		}
		root := c.ID
		if c.ThreadID != nil {
			root = *c.ThreadID
		}
		res, err := tx.ExecContext(ctx, `UPDATE document_comments SET resolved_at = $2 WHERE id = $1 AND resolved_at IS NULL`,
			root, formatTime(tx.now))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		d, err := findDocument(ctx, tx, c.DocumentID, false)
		if err != nil {
			return err
		}
		thread, err := threadOf(ctx, tx, root, 0)
		if err != nil || len(thread) == 0 {
			return err
		}
		return s.notifyComment(ctx, tx, trellis.NoticeCommentResolved, d, thread[0], thread)
	})
}

// ListComments returns the comments of the document on one copy (the
// document, or the managers' review copy), oldest first.
func (s *DocumentService) ListComments(ctx context.Context, docID int64, reviewCopy bool) ([]*trellis.Comment, error) {
	list := []*trellis.Comment{}
	err := s.db.view(ctx, func(tx *Tx) error {
		list = list[:0]
		if err := documentExists(ctx, tx, docID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+commentColumns+` FROM document_comments
			WHERE document_id = $1 AND review_copy = $2 ORDER BY id`, docID, reviewCopy)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanComment(rows)
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

const feedbackColumns = `id, document_id, reviewer_id, requested_by, start_text, stop_text, continue_text, support, due,
	answered_at, created_at`

func scanFeedback(r rowScanner) (*trellis.FeedbackRequest, error) {
	f := new(trellis.FeedbackRequest)
	var due sql.NullString
	if err := r.Scan(&f.ID, &f.DocumentID, &f.ReviewerID, &f.RequestedBy, &f.Start, &f.Stop, &f.Continue, &f.Support,
		&due, scanNullTime(&f.AnsweredAt), scanTime(&f.CreatedAt)); err != nil {
		return nil, err
	}
	if due.Valid {
		d, err := time.Parse(dateFormat, due.String)
		if err != nil {
			return nil, err
		}
		f.Due = &d
	}
	return f, nil
}

func listFeedback(ctx context.Context, tx *Tx, docID int64) ([]*trellis.FeedbackRequest, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+feedbackColumns+` FROM feedback_requests WHERE document_id = $1 ORDER BY id`, docID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list := []*trellis.FeedbackRequest{}
	for rows.Next() {
		f, err := scanFeedback(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, f)
	}
	return list, rows.Err()
}

// RequestFeedback asks a reviewer for feedback on the document, in the
// name of the signed-in actor: someone outside the candidate's reporting
// line (not the candidate, not one of their managers) whose role is at or
// above the target role's grade when both have one. One request per
// reviewer and document. The reviewer is notified.
func (s *DocumentService) RequestFeedback(ctx context.Context, r *trellis.FeedbackRequest) error {
	if r == nil {
		return trellis.Errorf(trellis.EINVALID, "no feedback request to store")
	}
	actor := trellis.ActorID(ctx)
	if actor == nil {
		return trellis.Errorf(trellis.EUNAUTHORIZED, "Sign in to ask for feedback.")
	}
	o := *r
	err := s.db.update(ctx, func(tx *Tx) error {
		d, err := findDocument(ctx, tx, o.DocumentID, false)
		if err != nil {
			return err
		}
		reviewer, err := findPerson(ctx, tx, o.ReviewerID, false)
		if errors.Is(err, sql.ErrNoRows) {
			return personNotFound(o.ReviewerID)
		} else if err != nil {
			return err
		}
		chain, err := managerChainIDs(ctx, tx, d.PersonID)
		if err != nil {
			return err
		}
		if reviewer.ID == d.PersonID || slices.Contains(chain, reviewer.ID) || !reviewer.Active {
			return &trellis.Error{Code: trellis.ERULE,
				Message: fmt.Sprintf("%s cannot give feedback on this case: feedback comes from active people outside the candidate's reporting line.", reviewer.Name),
				Details: []trellis.FieldError{{Field: "reviewer_id", Message: "inside the reporting line, the candidate or inactive"}}}
		}
		fw, err := s.frameworks.frameworkInTx(ctx, tx, d.FrameworkID, d.FrameworkVersion)
		if err != nil {
			return err
		}
		target, _ := fw.Role(d.TargetRole)
		own, _ := fw.Role(reviewer.RoleID)
		if target != nil && own != nil && target.Grade != nil && own.Grade != nil && *own.Grade < *target.Grade {
			return &trellis.Error{Code: trellis.ERULE,
				Message: fmt.Sprintf("%s (%s) is below the target role %s; feedback comes from people at or above it.", reviewer.Name, own.Name, target.Name),
				Details: []trellis.FieldError{{Field: "reviewer_id", Message: "below the target level"}}}
		}
		o.RequestedBy, o.CreatedAt, o.AnsweredAt = *actor, tx.now, nil
		o.Start, o.Stop, o.Continue, o.Support = "", "", "", ""
		var due any
		if o.Due != nil {
			day := trellis.Day(*o.Due)
			o.Due = &day
			due = storedDate(day)
		}
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO feedback_requests (document_id, reviewer_id, requested_by, due, created_at) VALUES ($1, $2, $3, $4, $5)
			RETURNING id`, o.DocumentID, o.ReviewerID, o.RequestedBy, due, formatTime(tx.now)).Scan(&o.ID); err != nil {
			if trellis.ErrorCode(translate(err)) == trellis.ECONFLICT {
				return trellis.Errorf(trellis.ECONFLICT, "%s was already asked for feedback on this document.", reviewer.Name)
			}
			return err
		}
		if err := recordAudit(ctx, tx, newAuditEvent(ctx, auditFeedbackAsked, trellis.AuditTargetDocument, fmt.Sprint(d.ID),
			nil, map[string]any{"reviewer_id": o.ReviewerID})); err != nil {
			return err
		}
		return notify(ctx, tx, &trellis.Notification{PersonID: o.ReviewerID, Kind: auditFeedbackAsked,
			Title: "Feedback asked on a promotion document: " + d.Title,
			Body:  "Start, stop, continue and a statement of support, from outside the reporting line.",
			URL:   fmt.Sprintf("/documents/%d/feedback/%d", d.ID, o.ID)})
	})
	if err != nil {
		return err
	}
	*r = o
	return nil
}

// AnswerFeedback stores the reviewer's answer to request r.ID. Only the
// reviewer, signed in, may answer; they may revise their answer. The person
// who asked is notified.
func (s *DocumentService) AnswerFeedback(ctx context.Context, r *trellis.FeedbackRequest) error {
	if r == nil {
		return trellis.Errorf(trellis.EINVALID, "no feedback to store")
	}
	actor := trellis.ActorID(ctx)
	if actor == nil {
		return trellis.Errorf(trellis.EUNAUTHORIZED, "Sign in to answer a feedback request.")
	}
	o := *r
	o.Start, o.Stop, o.Continue, o.Support = strings.TrimSpace(o.Start), strings.TrimSpace(o.Stop), strings.TrimSpace(o.Continue), strings.TrimSpace(o.Support)
	if o.Start == "" && o.Stop == "" && o.Continue == "" && o.Support == "" {
		return &trellis.Error{Code: trellis.EINVALID, Message: "The answer is empty.",
			Details: []trellis.FieldError{{Field: "support", Message: "write start, stop, continue or a statement of support"}}}
	}
	for _, f := range []struct{ field, text string }{{"start", o.Start}, {"stop", o.Stop}, {"continue", o.Continue}, {"support", o.Support}} {
		if utf8.RuneCountInString(f.text) > trellis.MaxDocumentComment {
			return &trellis.Error{Code: trellis.EINVALID, Message: "The answer is too long.",
				Details: []trellis.FieldError{{Field: f.field, Message: fmt.Sprintf("at most %d characters", trellis.MaxDocumentComment)}}}
		}
	}
	err := s.db.update(ctx, func(tx *Tx) error {
		old, err := scanFeedback(tx.QueryRowContext(ctx, `SELECT `+feedbackColumns+` FROM feedback_requests WHERE id = $1`+tx.forUpdate(), o.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return trellis.Errorf(trellis.ENOTFOUND, "There is no feedback request with id %d.", o.ID)
		} else if err != nil {
			return err
		}
		if old.ReviewerID != *actor {
			return trellis.Errorf(trellis.EFORBIDDEN, "Only the person asked for this feedback may answer it.")
		}
		now := tx.now
		if _, err := tx.ExecContext(ctx, `
			UPDATE feedback_requests SET start_text = $2, stop_text = $3, continue_text = $4, support = $5, answered_at = $6
			WHERE id = $1`, o.ID, o.Start, o.Stop, o.Continue, o.Support, formatTime(now)); err != nil {
			return err
		}
		start, stop, cont, support := o.Start, o.Stop, o.Continue, o.Support
		o = *old
		o.Start, o.Stop, o.Continue, o.Support, o.AnsweredAt = start, stop, cont, support, &now
		if err := recordAudit(ctx, tx, newAuditEvent(ctx, auditFeedbackGiven, trellis.AuditTargetDocument, fmt.Sprint(o.DocumentID),
			nil, map[string]any{"reviewer_id": o.ReviewerID})); err != nil {
			return err
		}
		if o.RequestedBy == o.ReviewerID {
			return nil
		}
		return notify(ctx, tx, &trellis.Notification{PersonID: o.RequestedBy, Kind: auditFeedbackGiven,
			Title: "Feedback given on a promotion document", URL: fmt.Sprintf("/documents/%d", o.DocumentID)})
	})
	if err != nil {
		return err
	}
	*r = o
	return nil
}

// ListFeedback returns the document's feedback requests, oldest first.
func (s *DocumentService) ListFeedback(ctx context.Context, docID int64) ([]*trellis.FeedbackRequest, error) {
	var list []*trellis.FeedbackRequest
	err := s.db.view(ctx, func(tx *Tx) error {
		if err := documentExists(ctx, tx, docID); err != nil {
			return err
		}
		var err error
		list, err = listFeedback(ctx, tx, docID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}
