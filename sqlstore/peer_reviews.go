package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"trellis"
)

// Rounds of peer-manager review (migration 00017): the move into
// peer-review opens one with its comments-due day, the move out of it
// closes it, in the transaction of the move (documents_move.go). Who is
// asked to comment is the policy's (trellis.PeerReviewers) over the
// organisation as it stands when the round is read; who commented and how
// many comments came (late ones among them) are counted from the review
// copy's comments made while the round ran.

// scanNullDate reads a nullable YYYY-MM-DD column.
func scanNullDate(t **time.Time) sql.Scanner { return nullDateScanner{t} }

type nullDateScanner struct{ t **time.Time }

func (s nullDateScanner) Scan(src any) error {
	if src == nil {
		*s.t = nil
		return nil
	}
	var d time.Time
	if err := scanDate(&d).Scan(src); err != nil {
		return err
	}
	*s.t = &d
	return nil
}

// peerReviewDays is the server's number of working days for the default
// comments-due day.
func (db *DB) peerReviewDays() int {
	if db.PeerReviewDays > 0 {
		return db.PeerReviewDays
	}
	return trellis.DefaultPeerReviewDays
}

const peerReviewColumns = `pr.id, pr.document_id, d.person_id, pr.due, pr.opened_by, pr.opened_at, pr.closed_at`

func scanPeerReview(r rowScanner) (*trellis.PeerReview, error) {
	p := &trellis.PeerReview{Reviewers: []int64{}, Commented: []int64{}}
	var by sql.NullInt64
	if err := r.Scan(&p.ID, &p.DocumentID, &p.PersonID, scanDate(&p.Due), &by, scanTime(&p.OpenedAt), scanNullTime(&p.ClosedAt)); err != nil {
		return nil, err
	}
	if by.Valid {
		p.OpenedBy = &by.Int64
	}
	return p, nil
}

// orgPeople returns every person as the policy needs them to find peer
// managers: id, manager, access and whether they are active.
func orgPeople(ctx context.Context, tx *Tx) ([]*trellis.Person, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, manager_id, access, active FROM people ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*trellis.Person
	for rows.Next() {
		p := new(trellis.Person)
		var m sql.NullInt64
		if err := rows.Scan(&p.ID, &m, &p.Access, &p.Active); err != nil {
			return nil, err
		}
		if m.Valid {
			p.ManagerID = &m.Int64
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// reviewersOf returns the peer managers asked to comment on the review
// copy of candidate's document (trellis.PeerReviewers) within org.
func reviewersOf(org []*trellis.Person, candidateID int64, chain []int64) []int64 {
	i := slices.IndexFunc(org, func(p *trellis.Person) bool { return p.ID == candidateID })
	if i < 0 {
		return []int64{}
	}
	out := trellis.PeerReviewers(org, org[i], chain)
	if out == nil {
		out = []int64{}
	}
	return out
}

// peerReviewerIDs returns the peer managers asked to comment on the review
// copy of the candidate's document now.
func peerReviewerIDs(ctx context.Context, tx *Tx, candidateID int64, chain []int64) ([]int64, error) {
	org, err := orgPeople(ctx, tx)
	if err != nil {
		return nil, err
	}
	return reviewersOf(org, candidateID, chain), nil
}

// fillRound works out who was asked to comment in round p and who did,
// with org the organisation (orgPeople).
func fillRound(ctx context.Context, tx *Tx, p *trellis.PeerReview, org []*trellis.Person) error {
	chain, err := managerChainIDs(ctx, tx, p.PersonID)
	if err != nil {
		return err
	}
	p.Reviewers = reviewersOf(org, p.PersonID, chain)
	var a args
	q := `SELECT author_id, late FROM document_comments WHERE document_id = ` + a.add(p.DocumentID) +
		` AND review_copy AND created_at >= ` + a.add(formatTime(p.OpenedAt))
	if p.ClosedAt != nil {
		q += ` AND created_at <= ` + a.add(formatTime(*p.ClosedAt))
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY id`, a...)
	if err != nil {
		return err
	}
	defer rows.Close()
	p.Commented, p.Comments, p.Late = []int64{}, 0, 0
	for rows.Next() {
		var author int64
		var late bool
		if err := rows.Scan(&author, &late); err != nil {
			return err
		}
		p.Comments++
		if late {
			p.Late++
		}
		if slices.Contains(p.Reviewers, author) && !slices.Contains(p.Commented, author) {
			p.Commented = append(p.Commented, author)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	slices.Sort(p.Commented)
	return nil
}

// latestRound returns the document's latest round (open or closed), nil
// when it never had one.
func latestRound(ctx context.Context, tx *Tx, docID int64) (*trellis.PeerReview, error) {
	p, err := scanPeerReview(tx.QueryRowContext(ctx, `SELECT `+peerReviewColumns+`
		FROM peer_reviews pr JOIN documents d ON d.id = pr.document_id
		WHERE pr.document_id = $1 ORDER BY pr.id DESC LIMIT 1`, docID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return p, err
}

// openRound starts a round of d with its comments-due day, closing any
// round left open.
func openRound(ctx context.Context, tx *Tx, d *trellis.Document, due time.Time) error {
	if err := closeRound(ctx, tx, d.ID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO peer_reviews (document_id, due, opened_by, opened_at) VALUES ($1, $2, $3, $4)`,
		d.ID, storedDate(due), trellis.ActorID(ctx), formatTime(tx.now))
	return err
}

// closeRound ends the document's open round, if any.
func closeRound(ctx context.Context, tx *Tx, docID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE peer_reviews SET closed_at = $2, closed_by = $3 WHERE document_id = $1 AND closed_at IS NULL`,
		docID, formatTime(tx.now), trellis.ActorID(ctx))
	return err
}

// commentIsLate says whether a review-copy comment on the document made
// now comes after the due day of its latest round.
func commentIsLate(ctx context.Context, tx *Tx, docID int64) (bool, error) {
	var due string
	err := tx.QueryRowContext(ctx, `SELECT due FROM peer_reviews WHERE document_id = $1 ORDER BY id DESC LIMIT 1`, docID).Scan(&due)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	d, err := time.Parse(dateFormat, due)
	if err != nil {
		return false, fmt.Errorf("sqlstore: stored due day %q: %w", due, err)
	}
	return trellis.CommentLate(d, tx.now), nil
}

// MoveDocumentWith is MoveDocument with the move's options: opening
// peer-manager review, opts.ReviewDue is the comments-due day the manager
// chose (checked by trellis.CheckReviewDue; nil takes DefaultReviewDue).
func (s *DocumentService) MoveDocumentWith(ctx context.Context, docID int64, to string, opts trellis.MoveOptions, expectedVersion int) (*trellis.Document, error) {
	var out *trellis.Document
	err := s.db.update(ctx, func(tx *Tx) error {
		var err error
		out, err = s.moveWith(ctx, tx, docID, to, opts, expectedVersion)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DefaultReviewDue returns the comments-due day a peer review of the
// document opened now would get: the server's working days
// (DB.PeerReviewDays), or the nomination deadline of the document's cycle
// when that comes sooner.
func (s *DocumentService) DefaultReviewDue(ctx context.Context, docID int64) (time.Time, error) {
	var due time.Time
	err := s.db.view(ctx, func(tx *Tx) error {
		d, err := findDocument(ctx, tx, docID, false)
		if err != nil {
			return err
		}
		cycle, err := documentCycle(ctx, tx, d)
		if err != nil {
			return err
		}
		due = trellis.DefaultReviewDue(tx.now, s.db.peerReviewDays(), cycle)
		return nil
	})
	return due, err
}

// documentCycle returns the document's cycle, nil when it has none.
func documentCycle(ctx context.Context, tx *Tx, d *trellis.Document) (*trellis.Cycle, error) {
	if d.CycleID == nil {
		return nil, nil
	}
	return findCycle(ctx, tx, *d.CycleID, false)
}

// FindPeerReview returns the document's latest round of peer-manager
// review, open or closed, with the peer managers asked, those who
// commented, and the comments of the round; ENOTFOUND when the document
// never was in peer review.
func (s *DocumentService) FindPeerReview(ctx context.Context, docID int64) (*trellis.PeerReview, error) {
	var out *trellis.PeerReview
	err := s.db.view(ctx, func(tx *Tx) error {
		if err := documentExists(ctx, tx, docID); err != nil {
			return err
		}
		p, err := latestRound(ctx, tx, docID)
		if err != nil {
			return err
		}
		if p == nil {
			return trellis.Errorf(trellis.ENOTFOUND, "Promotion document %d was never in peer-manager review.", docID)
		}
		org, err := orgPeople(ctx, tx)
		if err != nil {
			return err
		}
		if err := fillRound(ctx, tx, p, org); err != nil {
			return err
		}
		out = p
		return nil
	})
	return out, err
}

// OpenPeerReviews returns every round still open, soonest due first, each
// with who was asked and who commented.
func (s *DocumentService) OpenPeerReviews(ctx context.Context) ([]*trellis.PeerReview, error) {
	var out []*trellis.PeerReview
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		out, err = openRounds(ctx, tx)
		return err
	})
	return out, err
}

func openRounds(ctx context.Context, tx *Tx) ([]*trellis.PeerReview, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+peerReviewColumns+`
		FROM peer_reviews pr JOIN documents d ON d.id = pr.document_id
		WHERE pr.closed_at IS NULL AND d.state = $1 ORDER BY pr.due, pr.id`, trellis.DocPeerReview)
	if err != nil {
		return nil, err
	}
	out := []*trellis.PeerReview{}
	for rows.Next() {
		p, err := scanPeerReview(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	org, err := orgPeople(ctx, tx)
	if err != nil {
		return nil, err
	}
	for _, p := range out {
		if err := fillRound(ctx, tx, p, org); err != nil {
			return nil, err
		}
	}
	return out, nil
}
