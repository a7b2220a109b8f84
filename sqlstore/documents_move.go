package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"trellis"
)

// MoveDocument applies a workflow transition: trellis.CheckMove decides with
// the relations the signed-in actor holds to the candidate (and the
// candidate's manager chain), then, in the same transaction, the move's
// effects (trellis.MoveEffects): the framework version frozen at nomination,
// drafting reopened, the candidate's role changed at effective (through the
// people code path, so person.role_changed is audited too), the library
// entered or left, the candidate's projection following the workflow
// (nominated, promoted, not this cycle: see followWorkflow); a round of
// peer-manager review opened with its comments-due day or closed
// (peer_reviews.go); a revision, the audit event document.moved with the
// state before and after (After.move names the move's own action, such as
// document.nominate; review_due the comments-due day a peer review opened
// with, or closed with its tally in peer_review), and a notification to
// each person concerned but the actor. A refused move changes nothing.
// expectedVersion is the document's version the actor saw; a stale one is
// ECONFLICT.
func (s *DocumentService) MoveDocument(ctx context.Context, docID int64, to string, note string, expectedVersion int) (*trellis.Document, error) {
	var out *trellis.Document
	err := s.db.update(ctx, func(tx *Tx) error {
		var err error
		out, err = s.move(ctx, tx, docID, to, note, expectedVersion)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// storedActor returns the actor of ctx as the database knows them now: the
// stored person (a deactivated person holds no relation), their managers
// and whether anyone reports to them.
func storedActor(ctx context.Context, tx *Tx) (trellis.Actor, error) {
	a := trellis.ActorFromContext(ctx)
	if a.Person == nil {
		return a, nil
	}
	p, err := findPerson(ctx, tx, a.Person.ID, false)
	if errors.Is(err, sql.ErrNoRows) {
		return trellis.Actor{ReadOnly: a.ReadOnly}, nil
	} else if err != nil {
		return a, err
	}
	chain, err := managerChainIDs(ctx, tx, p.ID)
	if err != nil {
		return a, err
	}
	var reports bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM people WHERE manager_id = $1 AND active)`, p.ID).Scan(&reports); err != nil {
		return a, err
	}
	return trellis.Actor{Person: p, HasReports: reports, Chain: chain, ReadOnly: a.ReadOnly}, nil
}

// move is MoveDocument inside tx; expectedVersion < 0 skips the version
// check (a decision moves the document it names, whatever its version).
func (s *DocumentService) move(ctx context.Context, tx *Tx, docID int64, to, note string, expectedVersion int) (*trellis.Document, error) {
	return s.moveWith(ctx, tx, docID, to, trellis.MoveOptions{Note: note}, expectedVersion)
}

// moveWith is MoveDocumentWith inside tx.
func (s *DocumentService) moveWith(ctx context.Context, tx *Tx, docID int64, to string, opts trellis.MoveOptions, expectedVersion int) (*trellis.Document, error) {
	note := strings.TrimSpace(opts.Note)
	if len(note) > maxCommentBytes {
		return nil, &trellis.Error{Code: trellis.EINVALID, Message: "The note is too long.",
			Details: []trellis.FieldError{{Field: "note", Message: "at most 20,000 characters"}}}
	}
	d, err := findDocument(ctx, tx, docID, true)
	if err != nil {
		return nil, err
	}
	if expectedVersion >= 0 && d.Version != expectedVersion {
		return nil, staleDocument(docID, expectedVersion, d.Version)
	}
	candidate, err := findPerson(ctx, tx, d.PersonID, true)
	if err != nil {
		return nil, err
	}
	chain, err := managerChainIDs(ctx, tx, d.PersonID)
	if err != nil {
		return nil, err
	}
	actor, err := storedActor(ctx, tx)
	if err != nil {
		return nil, err
	}
	if actor.ReadOnly {
		return nil, trellis.Errorf(trellis.EFORBIDDEN, "A read-only token cannot move a document.")
	}
	rels := trellis.Relations(actor, candidate, chain)
	var cycle *trellis.Cycle
	if d.CycleID != nil {
		if cycle, err = findCycle(ctx, tx, *d.CycleID, false); err != nil {
			return nil, err
		}
	}
	fw, err := s.frameworks.frameworkInTx(ctx, tx, d.FrameworkID, d.FrameworkVersion)
	if err != nil {
		return nil, err
	}
	feedback, err := listFeedback(ctx, tx, docID)
	if err != nil {
		return nil, err
	}
	if err := trellis.CheckMove(d, to, rels, trellis.MoveContext{Now: tx.now, Cycle: cycle, Note: note,
		Framework: fw, Feedback: feedback, ReviewDue: opts.ReviewDue}); err != nil {
		return nil, err
	}
	name := to
	for _, m := range trellis.MovesFrom(d) {
		if m.To == to {
			name = m.Name
		}
	}
	eff := trellis.MoveEffects(d, to)
	before := *d
	wasListed := libraryListed(d)
	// The round of peer review this move closes, with its tally for the
	// audit record; the one it opens, with its comments-due day.
	var closing *trellis.PeerReview
	if eff.ClosePeerReview {
		if closing, err = latestRound(ctx, tx, d.ID); err != nil {
			return nil, err
		}
		if closing != nil && closing.IsOpen() {
			org, err := orgPeople(ctx, tx)
			if err != nil {
				return nil, err
			}
			if err := fillRound(ctx, tx, closing, org); err != nil {
				return nil, err
			}
		} else {
			closing = nil
		}
		if err := closeRound(ctx, tx, d.ID); err != nil {
			return nil, err
		}
		d.ReviewDue = nil
	}
	if eff.OpenPeerReview {
		due := trellis.DefaultReviewDue(tx.now, s.db.peerReviewDays(), cycle)
		if opts.ReviewDue != nil {
			due = trellis.Day(*opts.ReviewDue)
		}
		if err := openRound(ctx, tx, d, due); err != nil {
			return nil, err
		}
		d.ReviewDue = &due
	}

	d.State = to
	if eff.Freeze {
		d.Frozen = true
	}
	if eff.Reopen {
		d.Frozen, d.CycleID, d.OutOfCycle = false, nil, false
		active, err := s.frameworks.frameworkInTx(ctx, tx, d.FrameworkID, "")
		if err != nil {
			return nil, err
		}
		d.FrameworkVersion = active.Version
	}
	if eff.Submitted {
		now := tx.now
		d.SubmittedAt = &now
	}
	if eff.ToLibrary {
		d.ShareInLibrary = true
	}
	if eff.FromLibrary {
		d.ShareInLibrary = false
	}
	d.UpdatedAt, d.Version = tx.now, d.Version+1
	if err := writeDocument(ctx, tx, d, wasListed); err != nil {
		return nil, err
	}
	if eff.ChangeRole {
		since := trellis.Day(tx.now) // out of cycle: the day it takes effect
		if !d.OutOfCycle {
			since = effectiveDay(cycle, tx.now)
		}
		role := d.TargetRole
		if _, err := updatePerson(ctx, tx, candidate.ID, trellis.PersonUpdate{RoleID: &role, RoleSince: &since}, candidate.Version); err != nil {
			return nil, err
		}
	}
	if err := followWorkflow(ctx, tx, d, chain, eff); err != nil {
		return nil, err
	}
	revNote := "moved to " + to + " (" + name + ")"
	if note != "" {
		revNote += ": " + note
	}
	if err := addRevision(ctx, tx, d, trellis.ActorID(ctx), revNote, false); err != nil {
		return nil, err
	}
	after := map[string]any{"state": d.State, "version": d.Version, "move": eff.Audit, "framework_version": d.FrameworkVersion,
		"frozen": d.Frozen, "listed": libraryListed(d)}
	if d.CycleID != nil {
		after["cycle_id"] = *d.CycleID
	}
	beforeAudit := map[string]any{"state": before.State, "version": before.Version, "framework_version": before.FrameworkVersion,
		"frozen": before.Frozen, "listed": wasListed}
	if d.ReviewDue != nil {
		after["review_due"] = storedDate(*d.ReviewDue)
		if opts.ReviewDue != nil {
			after["review_due_chosen"] = true
		}
	}
	if closing != nil {
		beforeAudit["review_due"] = storedDate(closing.Due)
		after["peer_review"] = map[string]any{"reviewers": len(closing.Reviewers), "commented": len(closing.Commented),
			"comments": closing.Comments, "late": closing.Late, "deadline_passed": closing.Passed(tx.now)}
	}
	if err := recordAudit(ctx, tx, newAuditEvent(ctx, auditDocumentMoved, trellis.AuditTargetDocument, fmt.Sprint(d.ID),
		beforeAudit, after)); err != nil {
		return nil, err
	}
	people, err := concerned(ctx, tx, eff.Notify, candidate, chain, actor)
	if err != nil {
		return nil, err
	}
	body := fmt.Sprintf("%s: %s, now %s.", d.Title, name, to)
	if d.ReviewDue != nil {
		body += fmt.Sprintf(" Peer managers' comments are due by the end of %s.", d.ReviewDue.Format("Monday 2 January 2006"))
	}
	if note != "" {
		body += "\n\n" + note
	}
	// The peer managers asked to comment cannot read the document itself:
	// their notice leads to the review copy.
	var reviewers []int64
	if eff.OpenPeerReview {
		if reviewers, err = peerReviewerIDs(ctx, tx, candidate.ID, chain); err != nil {
			return nil, err
		}
	}
	for _, id := range people {
		url := fmt.Sprintf("/documents/%d", d.ID)
		if slices.Contains(reviewers, id) {
			url += "/review"
		}
		n := &trellis.Notification{PersonID: id, Kind: auditDocumentMoved,
			Title: fmt.Sprintf("Promotion document of %s: %s", candidate.Name, name),
			Body:  body, URL: url}
		if err := notify(ctx, tx, n); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// concerned returns the active people a move's notice goes to, as ids in
// the order of rels, without repeats and without the actor:
//   - self: the candidate; manager: the direct manager; manager-chain: the
//     manager's manager;
//   - peer-manager: the peer managers asked to comment on the review copy,
//     whom the policy lets comment on it as peer managers
//     (trellis.PeerReviewers);
//   - director: the directors in the candidate's chain;
//   - people-partner: every people partner.
func concerned(ctx context.Context, tx *Tx, rels []trellis.Relation, candidate *trellis.Person, chain []int64, actor trellis.Actor) ([]int64, error) {
	var out []int64
	add := func(ids ...int64) {
		for _, id := range ids {
			if !slices.Contains(out, id) && (actor.Person == nil || actor.Person.ID != id) {
				out = append(out, id)
			}
		}
	}
	query := func(q string, a ...any) error {
		rows, err := tx.QueryContext(ctx, q, a...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			add(id)
		}
		return rows.Err()
	}
	for _, r := range rels {
		switch r {
		case trellis.RelSelf:
			if candidate.Active {
				add(candidate.ID)
			}
		case trellis.RelManager:
			if len(chain) > 0 {
				add(chain[0])
			}
		case trellis.RelManagerChain:
			if len(chain) > 1 {
				add(chain[1])
			}
		case trellis.RelPeerManager:
			ids, err := peerReviewerIDs(ctx, tx, candidate.ID, chain)
			if err != nil {
				return nil, err
			}
			add(ids...)
		case trellis.RelDirector:
			if len(chain) > 0 {
				var a args
				if err := query(`SELECT id FROM people WHERE access = `+a.add(trellis.AccessDirector)+
					` AND active AND id IN (`+a.placeholders(anys(chain)...)+`) ORDER BY id`, a...); err != nil {
					return nil, err
				}
			}
		case trellis.RelPeoplePartner:
			if err := query(`SELECT id FROM people WHERE access = $1 AND active ORDER BY id`, trellis.AccessPeople); err != nil {
				return nil, err
			}
		}
	}
	// The manager and chain ids come from the reporting line; drop any who
	// have left.
	if len(out) == 0 {
		return out, nil
	}
	var a args
	rows, err := tx.QueryContext(ctx, `SELECT id FROM people WHERE active AND id IN (`+a.placeholders(anys(out)...)+`)`, a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	active := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		active[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return slices.DeleteFunc(out, func(id int64) bool { return !active[id] }), nil
}

// effectiveDay is the day a promotion of the cycle takes effect: its
// effective phase, or today when the cycle has none.
func effectiveDay(c *trellis.Cycle, now time.Time) time.Time {
	if c != nil {
		if t, ok := c.Phases[trellis.PhaseEffective]; ok && !t.IsZero() {
			return trellis.Day(t)
		}
	}
	return trellis.Day(now)
}
