package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"trellis"
)

// The deadline of peer-manager review on pages: the comments-due day on
// the document and its review copy, with how many of the peer managers
// asked have commented (to those who may read the review copy), the day in
// the form that opens the review, and the managers' queue of reviews
// (/reviews), soonest due first. The rules are the domain's
// (trellis.PeerReview, trellis.CheckReviewDue); the store keeps the rounds.

// reviewInfo is a document's open round of peer-manager review as a page
// shows it.
type reviewInfo struct {
	Due      time.Time
	Long     string // "Friday 15 January 2027"
	Passed   bool
	Left     string // "due today", "due in 3 days"; "" once passed
	Tally    bool   // the viewer may see the counts below
	Asked    int    // peer managers asked
	Done     int    // ... who commented
	Comments int    // comments on the review copy in the round
	Late     int
	// Viewer: "asked" when the viewer is asked and has not commented,
	// "commented" when they have, "" otherwise.
	Viewer string
}

func dueLeft(now, due time.Time) string {
	days := int(trellis.Day(due).Sub(trellis.Day(now)).Hours() / 24)
	switch {
	case days < 0:
		return ""
	case days == 0:
		return "due today"
	case days == 1:
		return "due tomorrow"
	}
	return fmt.Sprintf("due in %d days", days)
}

// reviewInfoOf turns a round into its view for viewer me; tally says
// whether the viewer may see who commented.
func reviewInfoOf(p *trellis.PeerReview, now time.Time, me *trellis.Person, tally bool) *reviewInfo {
	v := &reviewInfo{Due: p.Due, Long: p.Due.Format("Monday 2 January 2006"), Passed: p.Passed(now), Tally: tally,
		Asked: len(p.Reviewers), Done: len(p.Commented), Comments: p.Comments, Late: p.Late}
	if !v.Passed {
		v.Left = dueLeft(now, p.Due)
	}
	if me != nil {
		switch {
		case slices.Contains(p.Commented, me.ID):
			v.Viewer = "commented"
		case slices.Contains(p.Reviewers, me.ID):
			v.Viewer = "asked"
		}
	}
	return v
}

// documentReview returns the open round of the document's peer-manager
// review as the viewer may see it, nil when the document is not in peer
// review. Who commented is shown only to whoever may read the review copy.
func (s *Server) documentReview(r *http.Request, dc *docCtx) (*reviewInfo, error) {
	if dc.D.State != trellis.DocPeerReview {
		return nil, nil
	}
	tally := s.can(r, trellis.ActionRead, reviewTarget(dc.T))
	p, err := s.documents.FindPeerReview(r.Context(), dc.D.ID)
	if trellis.ErrorCode(err) == trellis.ENOTFOUND || err == nil && !p.IsOpen() {
		if dc.D.ReviewDue == nil {
			return nil, nil
		}
		p = &trellis.PeerReview{Due: *dc.D.ReviewDue}
	} else if err != nil {
		return nil, err
	}
	v := reviewInfoOf(p, s.now(), s.actor(r).Person, tally)
	if !tally {
		v.Viewer = ""
	}
	return v, nil
}

// dueForm is the comments-due field of the move that opens peer-manager
// review: the default day, the days allowed and what the manager should
// know.
type dueForm struct {
	Value, Min, Max string
	Hint            string
	Error           string
}

// reviewDueForm prepares the field for the document; value, when not
// empty, is what the manager typed.
func (s *Server) reviewDueForm(ctx context.Context, d *trellis.Document, value string) (*dueForm, error) {
	var cycle *trellis.Cycle
	if d.CycleID != nil && s.cycles != nil {
		c, err := s.cycles.FindCycle(ctx, *d.CycleID)
		if err != nil && trellis.ErrorCode(err) != trellis.ENOTFOUND {
			return nil, err
		}
		cycle = c
	}
	now := s.now()
	earliest, latest := trellis.ReviewDueLimits(now, cycle)
	f := &dueForm{Value: value, Min: earliest.Format(time.DateOnly), Max: latest.Format(time.DateOnly)}
	if f.Value == "" {
		due, err := s.documents.DefaultReviewDue(ctx, d.ID)
		if err != nil {
			return nil, err
		}
		f.Value = due.Format(time.DateOnly)
	}
	f.Hint = fmt.Sprintf("Peer managers who have not commented are reminded %d working days before; later comments are still taken, marked late. The day blocks nothing: you close the review when you are ready.",
		trellis.PeerReviewReminderDays)
	if cycle != nil {
		if dl, ok := cycle.Phases[trellis.PhaseNominationDeadline]; ok && !trellis.Day(dl).Before(trellis.Day(now)) {
			f.Hint = fmt.Sprintf("At the latest %s, the nomination deadline of cycle %s. ", dl.Format("2 January 2006"), cycle.Name) + f.Hint
		}
	}
	return f, nil
}

// parseReviewDue reads the comments-due field of a form: nil when empty.
func parseReviewDue(v string) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return nil, &trellis.Error{Code: trellis.EINVALID, Message: fmt.Sprintf("%q is not a date; give the comments-due day as YYYY-MM-DD.", v),
			Details: []trellis.FieldError{{Field: "review_due", Message: "not a date YYYY-MM-DD"}}}
	}
	return &d, nil
}

// dueFieldError returns the message of an error about the comments-due
// field, "" when err is about something else.
func dueFieldError(err error) string {
	for _, d := range trellis.ErrorDetails(err) {
		if d.Field == "review_due" {
			return trellis.ErrorMessage(err)
		}
	}
	return ""
}

// The queue.

type reviewRow struct {
	D      *trellis.Document
	P      *trellis.Person
	Role   string
	Review *reviewInfo
	URL    string
}

type reviewsView struct {
	Awaiting  []reviewRow // asked, not commented yet
	Commented []reviewRow // asked, commented
	Own       []reviewRow // documents of the viewer's reporting line
}

// reviewsPage lists the open peer reviews the viewer takes part in,
// soonest due first: those waiting for their comments, those they
// commented on, and those of their own reports and reporting line with
// how many peer managers commented. Every row is one the policy lets the
// viewer read the review copy of.
func (s *Server) reviewsPage(w http.ResponseWriter, r *http.Request) {
	if err := s.needDocuments(); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	me := s.actor(r).Person
	rounds, err := s.documents.OpenPeerReviews(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var v reviewsView
	now := s.now()
	for _, p := range rounds {
		asked := slices.Contains(p.Reviewers, me.ID)
		d, err := s.documents.FindDocument(ctx, p.DocumentID)
		if trellis.ErrorCode(err) == trellis.ENOTFOUND {
			continue
		} else if err != nil {
			s.fail(w, r, err)
			return
		}
		t, owner, err := s.personTarget(ctx, trellis.KindDocument, d.PersonID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !s.can(r, trellis.ActionRead, reviewTarget(docTarget(t, d))) {
			continue
		}
		rels := trellis.Relations(s.actor(r), owner, t.OwnerChain)
		line := slices.Contains(rels, trellis.RelManager) || slices.Contains(rels, trellis.RelManagerChain) || slices.Contains(rels, trellis.RelDirector)
		if !asked && !line {
			continue
		}
		row := reviewRow{D: d, P: owner, Role: s.roleNameIn(ctx, d.FrameworkID, d.FrameworkVersion, d.TargetRole),
			Review: reviewInfoOf(p, now, me, true), URL: documentURL(d.ID) + "/review"}
		switch {
		case asked && row.Review.Viewer == "commented":
			v.Commented = append(v.Commented, row)
		case asked:
			v.Awaiting = append(v.Awaiting, row)
		default:
			v.Own = append(v.Own, row)
		}
	}
	s.render(w, r, http.StatusOK, "peer_reviews", layoutPage("Peer reviews", "reviews", v))
}
