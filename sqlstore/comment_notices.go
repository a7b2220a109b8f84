package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"trellis"
)

// Notices of comments on promotion documents, written in the transaction of
// the comment or the resolve: who hears of it is trellis.CommentAudience,
// kept to those who may still read the copy the thread is on
// (trellis.MayReadComments, asked of each person as the database knows them
// now). Delivery by e-mail or webhook follows each person's preferences
// through notify, a kind they muted staying in the inbox.

// personActor returns person id as the policy sees them: the stored person
// (nil when there is none), whether anyone reports to them and their chain.
func personActor(ctx context.Context, tx *Tx, id int64) (trellis.Actor, error) {
	p, err := findPerson(ctx, tx, id, false)
	if errors.Is(err, sql.ErrNoRows) {
		return trellis.Actor{}, nil
	} else if err != nil {
		return trellis.Actor{}, err
	}
	chain, err := managerChainIDs(ctx, tx, p.ID)
	if err != nil {
		return trellis.Actor{}, err
	}
	var reports bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM people WHERE manager_id = $1 AND active)`, p.ID).Scan(&reports); err != nil {
		return trellis.Actor{}, err
	}
	return trellis.Actor{Person: p, HasReports: reports, Chain: chain}, nil
}

// threadOf returns the comments of the thread rooted at root, oldest first,
// up to and including the comment upTo (0: all of them).
func threadOf(ctx context.Context, tx *Tx, root, upTo int64) ([]*trellis.Comment, error) {
	q := `SELECT ` + commentColumns + ` FROM document_comments WHERE (id = $1 OR thread_id = $1)`
	a := []any{root}
	if upTo > 0 {
		q += ` AND id <= $2`
		a = append(a, upTo)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY id`, a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*trellis.Comment
	for rows.Next() {
		c, err := scanComment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// notifyComment tells the people concerned of a comment event of kind on
// document d by the signed-in actor. c is the new comment (a new thread or
// a reply); thread is the thread up to it, its first comment first. For a
// resolve, c is the thread's first comment.
func (s *DocumentService) notifyComment(ctx context.Context, tx *Tx, kind string, d *trellis.Document, c *trellis.Comment, thread []*trellis.Comment) error {
	candidate, err := findPerson(ctx, tx, d.PersonID, false)
	if err != nil {
		return err
	}
	chain, err := managerChainIDs(ctx, tx, d.PersonID)
	if err != nil {
		return err
	}
	var manager *int64
	if len(chain) > 0 {
		manager = &chain[0]
	}
	var actorID int64
	actorName := "Someone"
	if id := trellis.ActorID(ctx); id != nil {
		actorID = *id
		if p, err := findPerson(ctx, tx, actorID, false); err == nil {
			actorName = p.Name
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	// The thread as it was before the new comment: the earlier authors.
	earlier := thread
	if kind == trellis.NoticeCommentReplied && len(earlier) > 0 && earlier[len(earlier)-1].ID == c.ID {
		earlier = earlier[:len(earlier)-1]
	}
	audience := trellis.CommentAudience(kind, candidate.ID, manager, earlier, actorID)
	if len(audience) == 0 {
		return nil
	}
	fw, err := s.frameworks.frameworkInTx(ctx, tx, d.FrameworkID, d.FrameworkVersion)
	if err != nil {
		return err
	}
	title, body := trellis.CommentNotice(kind, actorName, candidate.Name, d.SectionTitle(fw, c.SectionID), c.OnReviewCopy, c.Text)
	url := fmt.Sprintf("/documents/%d", d.ID)
	if c.OnReviewCopy {
		url += "/review"
	}
	url += "#s-" + c.SectionID
	for _, id := range audience {
		reader, err := personActor(ctx, tx, id)
		if err != nil {
			return err
		}
		if !trellis.MayReadComments(reader, candidate, chain, d, c.OnReviewCopy) {
			continue
		}
		if err := notify(ctx, tx, &trellis.Notification{PersonID: id, Kind: kind, Title: title, Body: body, URL: url}); err != nil {
			return err
		}
	}
	return nil
}
