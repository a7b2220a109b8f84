package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"trellis"
	"trellis/sqlstore"
)

// inPeerReview takes alice's document to manager review, ready for maria
// to open peer-manager review.
func (e *promoEnv) inManagerReview(t *testing.T) *trellis.Document {
	t.Helper()
	d := e.fill(t, e.alice, e.newDoc(t))
	return e.move(t, e.alice, d, trellis.DocManagerReview, "")
}

func (e *promoEnv) openReview(t *testing.T, d *trellis.Document, due *time.Time) (*trellis.Document, error) {
	t.Helper()
	return e.docs.MoveDocumentWith(as(e.maria), d.ID, trellis.DocPeerReview, trellis.MoveOptions{ReviewDue: due}, d.Version)
}

func (e *promoEnv) round(t *testing.T, d *trellis.Document) *trellis.PeerReview {
	t.Helper()
	r, err := e.docs.FindPeerReview(context.Background(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// lastMove returns the audit record of the document's latest move.
func (e *promoEnv) lastMove(t *testing.T, d *trellis.Document) *trellis.AuditEvent {
	t.Helper()
	page, err := e.audit.ListAudit(context.Background(), trellis.AuditFilter{Action: "document.moved", TargetID: fmt.Sprint(d.ID), Limit: 1})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("no move audited: %v", err)
	}
	return page.Items[0]
}

func (e *promoEnv) at(y int, m time.Month, d, h int) {
	e.clock.T = time.Date(y, m, d, h, 0, 0, 0, time.UTC)
}

func TestPeerReviewDeadlineWithTheMove(t *testing.T) {
	e := newPromoEnv(t) // Sunday 10 January 2027; the cycle's nomination deadline is Monday 8 February
	ctx := context.Background()
	d := e.inManagerReview(t)

	// A day in the past or after the nomination deadline: refused with the
	// field named, and nothing changes.
	for _, c := range []struct {
		due    time.Time
		detail string
	}{
		{time.Date(2027, 1, 9, 0, 0, 0, 0, time.UTC), "in the past"},
		{time.Date(2027, 2, 9, 0, 0, 0, 0, time.UTC), "after the nomination deadline 2027-02-08"},
	} {
		_, err := e.openReview(t, d, &c.due)
		det := trellis.ErrorDetails(err)
		if trellis.ErrorCode(err) != trellis.ERULE || len(det) != 1 || det[0].Field != "review_due" || det[0].Message != c.detail {
			t.Fatalf("due %s: %v %+v", c.due.Format(time.DateOnly), err, det)
		}
	}
	if now, _ := e.docs.FindDocument(ctx, d.ID); now.State != trellis.DocManagerReview || now.Version != d.Version || now.ReviewDue != nil {
		t.Fatalf("a refused move changed the document: %+v", now)
	}
	if _, err := e.docs.FindPeerReview(ctx, d.ID); trellis.ErrorCode(err) != trellis.ENOTFOUND {
		t.Fatalf("a refused move left a round: %v", err)
	}
	// A comments-due day with another move: refused.
	ok := time.Date(2027, 1, 20, 0, 0, 0, 0, time.UTC)
	if _, err := e.docs.MoveDocumentWith(as(e.maria), d.ID, trellis.DocDraft, trellis.MoveOptions{Note: "More numbers.", ReviewDue: &ok}, d.Version); trellis.ErrorCode(err) != trellis.EINVALID {
		t.Fatalf("due with a return: %v", err)
	}

	// The default: five working days from Sunday, Friday 15 January.
	if due, err := e.docs.DefaultReviewDue(ctx, d.ID); err != nil || !due.Equal(time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("default due %s, %v", due, err)
	}
	d, err := e.openReview(t, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)
	if d.ReviewDue == nil || !d.ReviewDue.Equal(want) {
		t.Fatalf("review due %v", d.ReviewDue)
	}
	if got, _ := e.docs.FindDocument(ctx, d.ID); got.ReviewDue == nil || !got.ReviewDue.Equal(want) {
		t.Errorf("stored review due %v", got.ReviewDue)
	}
	page, err := e.docs.ListDocuments(ctx, trellis.DocumentFilter{PersonID: &e.alice.ID})
	if err != nil || len(page.Items) != 1 || page.Items[0].ReviewDue == nil || !page.Items[0].ReviewDue.Equal(want) {
		t.Errorf("listed review due: %+v %v", page.Items, err)
	}
	r := e.round(t, d)
	if !r.IsOpen() || !r.Due.Equal(want) || r.OpenedBy == nil || *r.OpenedBy != e.maria.ID || !slices.Equal(r.Reviewers, []int64{e.peter.ID}) {
		t.Errorf("round %+v", r)
	}
	if a := e.lastMove(t, d); a.After["review_due"] != "2027-01-15" || a.After["review_due_chosen"] != nil {
		t.Errorf("audited %+v", a.After)
	}
	// The peer manager's notice leads to the review copy and names the day.
	list, _ := e.inbox.ListNotifications(ctx, e.peter.ID, false, 10)
	if len(list) != 1 || list[0].URL != fmt.Sprintf("/documents/%d/review", d.ID) || !strings.Contains(list[0].Body, "Friday 15 January 2027") {
		t.Errorf("peter's notice %+v", list)
	}
	list, _ = e.inbox.ListNotifications(ctx, e.alice.ID, false, 10)
	if len(list) == 0 || list[0].URL != fmt.Sprintf("/documents/%d", d.ID) {
		t.Errorf("alice's notice %+v", list)
	}

	// Comments: peter's in time; sam's (the skip-level, who may comment but
	// is not asked) after the day, marked late and still taken.
	e.at(2027, 1, 14, 10)
	if err := e.docs.AddComment(as(e.peter), &trellis.Comment{DocumentID: d.ID, SectionID: "summary", Text: "Name the team size.", OnReviewCopy: true}); err != nil {
		t.Fatal(err)
	}
	e.at(2027, 1, 16, 10)
	late := &trellis.Comment{DocumentID: d.ID, SectionID: "summary", Text: "Agree with Peter.", OnReviewCopy: true}
	if err := e.docs.AddComment(as(e.sam), late); err != nil {
		t.Fatal(err)
	}
	if !late.Late {
		t.Error("a comment after the day is not late")
	}
	// On the document itself nothing is late.
	onDoc := &trellis.Comment{DocumentID: d.ID, SectionID: "summary", Text: "Thanks."}
	if err := e.docs.AddComment(as(e.alice), onDoc); err != nil || onDoc.Late {
		t.Errorf("a comment on the document: late %v, %v", onDoc.Late, err)
	}
	comments, err := e.docs.ListComments(ctx, d.ID, true)
	if err != nil || len(comments) != 2 || comments[0].Late || !comments[1].Late {
		t.Fatalf("review comments %+v %v", comments, err)
	}
	r = e.round(t, d)
	if !slices.Equal(r.Commented, []int64{e.peter.ID}) || r.Comments != 2 || r.Late != 1 || !r.Passed(e.clock.T) {
		t.Errorf("tally %+v", r)
	}

	// The deadline blocks nothing: maria closes the review after it.
	d, _ = e.docs.FindDocument(ctx, d.ID)
	d = e.move(t, e.maria, d, trellis.DocManagerReview, "")
	if d.ReviewDue != nil {
		t.Errorf("closed review still due %v", d.ReviewDue)
	}
	a := e.lastMove(t, d)
	tally, _ := a.After["peer_review"].(map[string]any)
	if a.Before["review_due"] != "2027-01-15" || tally == nil || fmt.Sprint(tally["commented"]) != "1" || fmt.Sprint(tally["late"]) != "1" ||
		tally["deadline_passed"] != true {
		t.Errorf("close audited %+v / %+v", a.Before, a.After)
	}
	if r = e.round(t, d); r.IsOpen() || r.ClosedAt == nil {
		t.Errorf("round not closed: %+v", r)
	}

	// A second round, on a day maria chooses, counts afresh.
	e.at(2027, 1, 18, 9)
	chosen := time.Date(2027, 1, 20, 0, 0, 0, 0, time.UTC)
	d, err = e.openReview(t, d, &chosen)
	if err != nil {
		t.Fatal(err)
	}
	r2 := e.round(t, d)
	if r2.ID == r.ID || !r2.Due.Equal(chosen) || r2.Comments != 0 || len(r2.Commented) != 0 {
		t.Errorf("second round %+v", r2)
	}
	if a := e.lastMove(t, d); a.After["review_due"] != "2027-01-20" || a.After["review_due_chosen"] != true {
		t.Errorf("chosen day audited %+v", a.After)
	}
	// The chain approves out of peer review: the round closes too.
	d = e.move(t, e.sam, d, trellis.DocApproved, "")
	if r2 = e.round(t, d); r2.IsOpen() || d.ReviewDue != nil {
		t.Errorf("approval left the round open: %+v", r2)
	}
	if open, err := e.docs.OpenPeerReviews(ctx); err != nil || len(open) != 0 {
		t.Errorf("open rounds %+v %v", open, err)
	}
}

// A document in a cycle: the nomination deadline bounds the default day
// when it comes sooner.
func TestPeerReviewDueBoundByTheCycle(t *testing.T) {
	e := newPromoEnv(t)
	d := e.inManagerReview(t)
	e.at(2027, 2, 3, 9) // Wednesday; five working days on is the 10th, the deadline the 8th
	d, err := e.openReview(t, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.ReviewDue == nil || !d.ReviewDue.Equal(time.Date(2027, 2, 8, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("due %v", d.ReviewDue)
	}
	// Out of cycle, the server's own number of working days.
	e.db.PeerReviewDays = 3
	other := &trellis.Document{PersonID: e.paul.ID, TargetRole: "senior-support-engineer", Visibility: trellis.VisManager}
	if err := e.docs.CreateDocument(as(e.paul), other); err != nil {
		t.Fatal(err)
	}
	other = e.fill(t, e.paul, other)
	other = e.move(t, e.paul, other, trellis.DocManagerReview, "")
	other, err = e.docs.MoveDocumentWith(as(e.peter), other.ID, trellis.DocPeerReview, trellis.MoveOptions{}, other.Version)
	if err != nil {
		t.Fatal(err)
	}
	if other.ReviewDue == nil || !other.ReviewDue.Equal(time.Date(2027, 2, 8, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("out of cycle, three working days from Wednesday: %v", other.ReviewDue)
	}
	// Both open, soonest first; maria is asked about paul's, peter about
	// alice's.
	open, err := e.docs.OpenPeerReviews(context.Background())
	if err != nil || len(open) != 2 {
		t.Fatalf("open %+v %v", open, err)
	}
	if open[0].DocumentID != d.ID || !slices.Equal(open[0].Reviewers, []int64{e.peter.ID}) || !slices.Equal(open[1].Reviewers, []int64{e.maria.ID}) {
		t.Errorf("open rounds %+v %+v", open[0], open[1])
	}
}

func TestPeerReviewReminders(t *testing.T) {
	e := newPromoEnv(t)
	ctx := context.Background()
	out := sqlstore.NewDeliveryService(e.db)
	if err := out.SetNotificationPrefs(ctx, &trellis.NotificationPrefs{PersonID: e.peter.ID, Email: true, WebhookURL: "https://chat.example.com/hooks/peter"}); err != nil {
		t.Fatal(err)
	}
	r := sqlstore.NewReminders(e.db)
	kinds := func(p *trellis.Person, kind string) []*trellis.Notification {
		list, err := e.inbox.ListNotifications(ctx, p.ID, false, 100)
		if err != nil {
			t.Fatal(err)
		}
		var got []*trellis.Notification
		for _, n := range list {
			if n.Kind == kind {
				got = append(got, n)
			}
		}
		return got
	}
	runs := func(want int) {
		t.Helper()
		n, err := r.PeerReviewDeadlines(ctx)
		if err != nil || n != want {
			t.Fatalf("at %s: %d sent, want %d (%v)", e.clock.T.Format(time.DateTime), n, want, err)
		}
	}
	d := e.inManagerReview(t)
	d, err := e.openReview(t, d, nil) // Sunday 10th: due Friday 15th, reminder Wednesday 13th
	if err != nil {
		t.Fatal(err)
	}
	e.at(2027, 1, 12, 23)
	runs(0)
	e.at(2027, 1, 13, 1)
	runs(1)
	runs(0) // once
	e.at(2027, 1, 15, 9)
	if err := r.RunAll(ctx); err != nil { // still once, whatever runs
		t.Fatal(err)
	}
	got := kinds(e.peter, "reminder.peer-review-due")
	if len(got) != 1 || got[0].URL != fmt.Sprintf("/documents/%d/review", d.ID) || !strings.Contains(got[0].Title, "Fri 15 Jan") ||
		!strings.Contains(got[0].Body, "0 of the 1 peer managers asked") {
		t.Fatalf("peter's reminders %+v", got)
	}
	// Through his channels too: e-mail and the webhook.
	channels := map[string]bool{}
	list, err := out.ListDeliveries(ctx, nil, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range list {
		if x.PersonID == e.peter.ID && x.Kind == "reminder.peer-review-due" {
			channels[x.Channel] = true
		}
	}
	if len(channels) != 2 {
		t.Errorf("delivered by %v", channels)
	}
	if len(kinds(e.maria, "reminder.peer-review-passed")) != 0 {
		t.Error("the manager was told before the day was over")
	}

	// The day passes: maria hears once, with the tally.
	e.at(2027, 1, 16, 0)
	runs(1)
	runs(0)
	passed := kinds(e.maria, "reminder.peer-review-passed")
	if len(passed) != 1 || passed[0].URL != fmt.Sprintf("/documents/%d", d.ID) || !strings.Contains(passed[0].Body, "0 of the 1 peer managers asked commented (0 comments, 0 late)") {
		t.Fatalf("maria's notice %+v", passed)
	}

	// A second round with a farther day: peter commented already, so he is
	// not reminded; the reminder belongs to the new round.
	d, _ = e.docs.FindDocument(ctx, d.ID)
	d = e.move(t, e.maria, d, trellis.DocManagerReview, "")
	e.at(2027, 1, 18, 9)
	due := time.Date(2027, 1, 25, 0, 0, 0, 0, time.UTC)
	if d, err = e.openReview(t, d, &due); err != nil {
		t.Fatal(err)
	}
	if err := e.docs.AddComment(as(e.peter), &trellis.Comment{DocumentID: d.ID, SectionID: "summary", Text: "Looks ready.", OnReviewCopy: true}); err != nil {
		t.Fatal(err)
	}
	e.at(2027, 1, 21, 9)
	runs(0)
	// The weekly reminder (sent the week before, while he had not
	// commented) leaves him out this week.
	if _, err := r.ReviewsWaiting(ctx); err != nil {
		t.Fatal(err)
	}
	weekly := kinds(e.peter, "reminder.review")
	if len(weekly) != 1 || !weekly[0].CreatedAt.Before(time.Date(2027, 1, 18, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("peter's weekly reminders %+v", weekly)
	}
}
