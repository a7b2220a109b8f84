package trellis

import (
	"fmt"
	"slices"
	"time"
)

// Peer-manager review has a deadline: when the manager opens it (the move
// into peer-review), a comments-due day is set, and the review runs as one
// round until the move out of peer-review. This file holds the rules of
// that day, of who is asked, of reminders and of late comments; the store
// keeps the rounds (PeerReview) and the workflow (workflow.go) checks a
// chosen day with the move.
//
// Days are calendar days in UTC, like the cycle's phases: comments are due
// by the end of the due day. Working days are Monday to Friday; the product
// knows no public holidays, so a manager who knows of one picks the day by
// hand.

// DefaultPeerReviewDays is how many working days peer managers have to
// comment when the manager does not choose a day (the server's
// --peer-review-days changes it).
const DefaultPeerReviewDays = 5

// PeerReviewReminderDays is how many working days before the due day the
// peer managers who have not commented are reminded.
const PeerReviewReminderDays = 2

// MaxPeerReviewDays bounds the server setting of working days.
const MaxPeerReviewDays = 30

// IsWorkingDay reports whether t's day is Monday to Friday.
func IsWorkingDay(t time.Time) bool {
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AddWorkingDays returns the day n working days after t's day (before it
// when n is negative), as UTC midnight. n = 0 is t's day itself, working
// day or not.
func AddWorkingDays(t time.Time, n int) time.Time {
	d := Day(t)
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDate(0, 0, step)
		if IsWorkingDay(d) {
			n--
		}
	}
	return d
}

// reviewBound is the day that bounds a peer review of a document in
// cycle c: the cycle's nomination deadline, by which the document must be
// approved and nominated, so comments cannot be due later. A cycle without
// one, or whose deadline has already passed (the document will go to a
// later cycle or out of cycle), bounds nothing.
func reviewBound(c *Cycle, now time.Time) (time.Time, bool) {
	if c == nil {
		return time.Time{}, false
	}
	dl, ok := c.Phases[PhaseNominationDeadline]
	if !ok || dl.IsZero() {
		return time.Time{}, false
	}
	dl = Day(dl)
	if dl.Before(Day(now)) {
		return time.Time{}, false
	}
	return dl, true
}

// DefaultReviewDue returns the comments-due day of a peer review opened at
// now: days working days ahead (DefaultPeerReviewDays when days is not
// positive), or the nomination deadline of the document's cycle c when that
// comes sooner. c is nil for a document in no cycle.
func DefaultReviewDue(now time.Time, days int, c *Cycle) time.Time {
	if days <= 0 {
		days = DefaultPeerReviewDays
	}
	due := AddWorkingDays(now, days)
	if dl, ok := reviewBound(c, now); ok && dl.Before(due) {
		due = dl
	}
	return due
}

// ReviewDueLimits returns the earliest and latest day a manager may choose
// at now: today, and the nomination deadline of cycle c (a year ahead
// without one).
func ReviewDueLimits(now time.Time, c *Cycle) (earliest, latest time.Time) {
	earliest = Day(now)
	latest = earliest.AddDate(1, 0, 0)
	if dl, ok := reviewBound(c, now); ok {
		latest = dl
	}
	return earliest, latest
}

// CheckReviewDue checks a comments-due day the manager chose at now for a
// document in cycle c (nil: none). It returns nil or an ERULE *Error whose
// detail names the field review_due:
//   - the day is today or later (today counts whole);
//   - not after the nomination deadline of the cycle, when it has one that
//     has not passed: the comments must be in before the nomination;
//   - at most a year ahead, so that a mistyped year is caught.
func CheckReviewDue(due, now time.Time, c *Cycle) error {
	due = Day(due)
	earliest, latest := ReviewDueLimits(now, c)
	rule := func(msg, field string) error {
		return &Error{Code: ERULE, Message: msg, Details: []FieldError{{Field: "review_due", Message: field}}}
	}
	if due.Before(earliest) {
		return rule(fmt.Sprintf("The comments-due date %s is in the past; choose today (%s) or a later day.",
			due.Format(time.DateOnly), earliest.Format(time.DateOnly)), "in the past")
	}
	if due.After(latest) {
		if _, bounded := reviewBound(c, now); bounded {
			return rule(fmt.Sprintf("Comments must be in by the nomination deadline of cycle %s, %s; choose that day or an earlier one.",
				c.Name, latest.Format(time.DateOnly)), "after the nomination deadline "+latest.Format(time.DateOnly))
		}
		return rule(fmt.Sprintf("The comments-due date %s is more than a year ahead; choose a day by %s.",
			due.Format(time.DateOnly), latest.Format(time.DateOnly)), "more than a year ahead")
	}
	return nil
}

// PeerReview is one round of peer-manager review of a document: from the
// move into peer-review until the move out of it. Reviewers, Commented,
// Comments and Late are worked out by the store when it reads the round.
type PeerReview struct {
	ID         int64 `json:"id"`
	DocumentID int64 `json:"document_id"`
	PersonID   int64 `json:"person_id"` // the candidate
	// Due is the comments-due day (UTC midnight): comments are due by its
	// end.
	Due      time.Time  `json:"due"`
	OpenedBy *int64     `json:"opened_by,omitempty"`
	OpenedAt time.Time  `json:"opened_at"`
	ClosedAt *time.Time `json:"closed_at,omitempty"`
	// Reviewers are the peer managers asked to comment (PeerReviewers), as
	// the organisation stands now.
	Reviewers []int64 `json:"reviewers"`
	// Commented are the reviewers who commented on the review copy during
	// the round.
	Commented []int64 `json:"commented"`
	// Comments counts the comments on the review copy during the round, by
	// anyone; Late those made after the due day.
	Comments int `json:"comments"`
	Late     int `json:"late"`
}

// IsOpen reports whether the round still runs.
func (r *PeerReview) IsOpen() bool { return r.ClosedAt == nil }

// Passed reports whether the due day is over at now.
func (r *PeerReview) Passed(now time.Time) bool { return CommentLate(r.Due, now) }

// Pending returns the reviewers who have not commented yet.
func (r *PeerReview) Pending() []int64 {
	var out []int64
	for _, id := range r.Reviewers {
		if !slices.Contains(r.Commented, id) {
			out = append(out, id)
		}
	}
	return out
}

// RemindOn is the day the reviewers who have not commented are reminded:
// PeerReviewReminderDays working days before the due day.
func (r *PeerReview) RemindOn() time.Time { return AddWorkingDays(r.Due, -PeerReviewReminderDays) }

// ReminderDue reports whether the reminder to the reviewers who have not
// commented is due at now: the round is open, the reminder day has come and
// the due day is not over. A round opened on or after the reminder day
// (a due day chosen close) gets no reminder: the notice of the opening
// told the reviewers the day just now.
func (r *PeerReview) ReminderDue(now time.Time) bool {
	remind := r.RemindOn()
	return r.IsOpen() && !Day(now).Before(remind) && !r.Passed(now) && Day(r.OpenedAt).Before(remind)
}

// CommentLate reports whether a comment made at the instant at comes after
// the comments-due day due.
func CommentLate(due, at time.Time) bool { return !at.Before(Day(due).AddDate(0, 0, 1)) }

// PeerReviewers returns, in id order, the people asked to comment on the
// review copy of the candidate's document: every active person whom the
// policy lets comment on the copy as a peer manager (RelPeerManager: a
// manager outside the candidate's chain and not below the candidate, or a
// director of another department). The manager and the chain above may
// comment too, but they are not asked: the review is the other managers'.
// org is every person, with ManagerID, Access and Active set; candidateChain
// is the candidate's managers, direct manager first.
func PeerReviewers(org []*Person, candidate *Person, candidateChain []int64) []int64 {
	byID := make(map[int64]*Person, len(org))
	reports := map[int64]bool{}
	for _, p := range org {
		byID[p.ID] = p
		if p.Active && p.ManagerID != nil {
			reports[*p.ManagerID] = true
		}
	}
	chainOf := func(p *Person) []int64 {
		var chain []int64
		for m := p.ManagerID; m != nil && len(chain) <= len(org); {
			if slices.Contains(chain, *m) || *m == p.ID {
				break
			}
			chain = append(chain, *m)
			next, ok := byID[*m]
			if !ok {
				break
			}
			m = next.ManagerID
		}
		return chain
	}
	var out []int64
	for _, p := range org {
		if p == nil || !p.Active || p.ID == candidate.ID {
			continue
		}
		a := Actor{Person: p, HasReports: reports[p.ID], Chain: chainOf(p)}
		rels := Relations(a, candidate, candidateChain)
		if slices.Contains(rels, RelPeerManager) && Allowed(rels, ActionComment, KindPeerReview, "") {
			out = append(out, p.ID)
		}
	}
	slices.Sort(out)
	return out
}
