package trellis_test

import (
	"slices"
	"testing"
	"time"

	"trellis"
)

func TestAddWorkingDays(t *testing.T) {
	at := func(d time.Time) time.Time { return d.Add(15*time.Hour + 30*time.Minute) }
	for _, c := range []struct {
		from time.Time
		n    int
		want time.Time
	}{
		{ymd(2027, 1, 11), 0, ymd(2027, 1, 11)},  // Monday: itself
		{ymd(2027, 1, 11), 5, ymd(2027, 1, 18)},  // Monday + 5: next Monday
		{ymd(2027, 1, 14), 2, ymd(2027, 1, 18)},  // Thursday + 2: over the weekend
		{ymd(2027, 1, 15), 1, ymd(2027, 1, 18)},  // Friday + 1: Monday
		{ymd(2027, 1, 16), 5, ymd(2027, 1, 22)},  // Saturday + 5: Friday
		{ymd(2027, 1, 17), 1, ymd(2027, 1, 18)},  // Sunday + 1: Monday
		{ymd(2027, 1, 18), -2, ymd(2027, 1, 14)}, // Monday - 2: Thursday
		{ymd(2027, 1, 23), -2, ymd(2027, 1, 21)}, // Saturday - 2: Thursday
		{ymd(2026, 12, 30), 5, ymd(2027, 1, 6)},  // over the new year
	} {
		if got := trellis.AddWorkingDays(at(c.from), c.n); !got.Equal(c.want) {
			t.Errorf("AddWorkingDays(%s %s, %d) = %s %s, want %s", c.from.Format(time.DateOnly), c.from.Weekday(), c.n,
				got.Format(time.DateOnly), got.Weekday(), c.want.Format(time.DateOnly))
		}
	}
	if trellis.IsWorkingDay(ymd(2027, 1, 16)) || !trellis.IsWorkingDay(ymd(2027, 1, 15)) {
		t.Error("Saturday is a working day or Friday is not")
	}
}

func TestDefaultReviewDue(t *testing.T) {
	c := trellis.DefaultCycles(2027)[0] // nomination deadline Monday 15 February
	now := time.Date(2027, 1, 11, 16, 0, 0, 0, time.UTC)
	for _, x := range []struct {
		name  string
		now   time.Time
		days  int
		cycle *trellis.Cycle
		want  time.Time
	}{
		{"out of cycle: five working days", now, 5, nil, ymd(2027, 1, 18)},
		{"zero days: the default five", now, 0, nil, ymd(2027, 1, 18)},
		{"configured: three", now, 3, nil, ymd(2027, 1, 14)},
		{"in cycle, deadline far", now, 5, c, ymd(2027, 1, 18)},
		{"in cycle, deadline sooner", ymd(2027, 2, 10), 5, c, ymd(2027, 2, 15)},
		{"deadline today", time.Date(2027, 2, 15, 8, 0, 0, 0, time.UTC), 5, c, ymd(2027, 2, 15)},
		{"deadline passed: bounds nothing", ymd(2027, 2, 16), 5, c, ymd(2027, 2, 23)},
		{"cycle without a deadline", now, 5, &trellis.Cycle{Name: "x", Phases: map[string]time.Time{}}, ymd(2027, 1, 18)},
	} {
		if got := trellis.DefaultReviewDue(x.now, x.days, x.cycle); !got.Equal(x.want) {
			t.Errorf("%s: %s, want %s", x.name, got.Format(time.DateOnly), x.want.Format(time.DateOnly))
		}
	}
}

func TestCheckReviewDue(t *testing.T) {
	c := trellis.DefaultCycles(2027)[0]
	now := time.Date(2027, 2, 10, 17, 0, 0, 0, time.UTC)
	for _, x := range []struct {
		name   string
		due    time.Time
		cycle  *trellis.Cycle
		detail string // "" when allowed
	}{
		{"today", ymd(2027, 2, 10), c, ""},
		{"the deadline itself", ymd(2027, 2, 15), c, ""},
		{"a weekend day", ymd(2027, 2, 13), c, ""},
		{"yesterday", ymd(2027, 2, 9), c, "in the past"},
		{"after the deadline", ymd(2027, 2, 16), c, "after the nomination deadline 2027-02-15"},
		{"out of cycle, a month on", ymd(2027, 3, 10), nil, ""},
		{"out of cycle, mistyped year", ymd(2207, 3, 10), nil, "more than a year ahead"},
		{"deadline passed: later days allowed", ymd(2027, 3, 10), trellis.DefaultCycles(2026)[1], ""},
	} {
		err := trellis.CheckReviewDue(x.due, now, x.cycle)
		if x.detail == "" {
			if err != nil {
				t.Errorf("%s: %v", x.name, err)
			}
			continue
		}
		d := trellis.ErrorDetails(err)
		if trellis.ErrorCode(err) != trellis.ERULE || len(d) != 1 || d[0].Field != "review_due" || d[0].Message != x.detail {
			t.Errorf("%s: %v %+v", x.name, err, d)
		}
	}
	_, latest := trellis.ReviewDueLimits(now, c)
	if !latest.Equal(ymd(2027, 2, 15)) {
		t.Errorf("latest %s", latest)
	}
}

func TestPeerReviewRound(t *testing.T) {
	r := &trellis.PeerReview{Due: ymd(2027, 1, 18), OpenedAt: time.Date(2027, 1, 11, 10, 0, 0, 0, time.UTC),
		Reviewers: []int64{4, 5, 6}, Commented: []int64{5}}
	if got := r.Pending(); !slices.Equal(got, []int64{4, 6}) {
		t.Errorf("pending %v", got)
	}
	if !r.RemindOn().Equal(ymd(2027, 1, 14)) { // two working days before Monday: Thursday
		t.Errorf("remind on %s", r.RemindOn())
	}
	for _, x := range []struct {
		now            time.Time
		remind, passed bool
	}{
		{time.Date(2027, 1, 13, 23, 0, 0, 0, time.UTC), false, false},
		{time.Date(2027, 1, 14, 0, 0, 0, 0, time.UTC), true, false},
		{time.Date(2027, 1, 18, 23, 59, 0, 0, time.UTC), true, false}, // the whole due day counts
		{time.Date(2027, 1, 19, 0, 0, 0, 0, time.UTC), false, true},
	} {
		if got := r.ReminderDue(x.now); got != x.remind {
			t.Errorf("reminder due at %s: %v", x.now, got)
		}
		if got := r.Passed(x.now); got != x.passed {
			t.Errorf("passed at %s: %v", x.now, got)
		}
	}
	// Opened on the reminder day (a near due day): the opening told them.
	late := *r
	late.OpenedAt = time.Date(2027, 1, 14, 9, 0, 0, 0, time.UTC)
	if late.ReminderDue(time.Date(2027, 1, 15, 9, 0, 0, 0, time.UTC)) {
		t.Error("a round opened on its reminder day reminds")
	}
	closed := *r
	now := time.Date(2027, 1, 15, 9, 0, 0, 0, time.UTC)
	closed.ClosedAt = &now
	if closed.ReminderDue(now) {
		t.Error("a closed round reminds")
	}
	if trellis.CommentLate(r.Due, time.Date(2027, 1, 18, 23, 0, 0, 0, time.UTC)) || !trellis.CommentLate(r.Due, ymd(2027, 1, 19)) {
		t.Error("late is not after the due day")
	}
}

// The people asked to comment are the policy's peer managers of the
// candidate: managers outside the chain, not below the candidate, and
// directors of other departments; never the candidate, the chain, people
// without reports or people who left.
func TestPeerReviewers(t *testing.T) {
	var org []*trellis.Person
	add := func(id int64, access string, manager int64) *trellis.Person {
		p := &trellis.Person{ID: id, Access: access, Active: true}
		if manager != 0 {
			p.ManagerID = &manager
		}
		org = append(org, p)
		return p
	}
	add(1, trellis.AccessDirector, 0)         // dana, director of the candidate's department
	add(2, trellis.AccessEngineer, 1)         // sam, skip-level
	add(3, trellis.AccessEngineer, 2)         // maria, the manager
	cand := add(4, trellis.AccessEngineer, 3) // alice, the candidate, a manager herself
	add(5, trellis.AccessEngineer, 4)         // alice's report, who manages someone: below her
	add(6, trellis.AccessEngineer, 5)         // ...
	add(7, trellis.AccessEngineer, 2)         // peter, a sibling manager
	add(8, trellis.AccessEngineer, 7)         // peter's report
	add(9, trellis.AccessEngineer, 1)         // rita, no reports
	add(10, trellis.AccessDirector, 0)        // another department's director, no reports
	add(11, trellis.AccessEngineer, 10)
	add(12, trellis.AccessEngineer, 11) // a manager in the other department
	gone := add(13, trellis.AccessEngineer, 10)
	add(14, trellis.AccessEngineer, 13) // reports to someone who left
	gone.Active = false
	add(15, trellis.AccessPeople, 0)
	add(16, trellis.AccessAdmin, 0)
	got := trellis.PeerReviewers(org, cand, []int64{3, 2, 1})
	if want := []int64{7, 10, 11}; !slices.Equal(got, want) {
		t.Errorf("reviewers %v, want %v", got, want)
	}
}

// The workflow checks a chosen comments-due day with the move into
// peer-review, refuses one with any other move, and never blocks the move
// out of peer-review on the deadline.
func TestCheckMoveReviewDue(t *testing.T) {
	fw := supportFramework(t)
	d := filledDocument(t, fw, trellis.DocManagerReview)
	ctx := goodContext(fw, trellis.DocPeerReview) // 10 February 2027, deadline the 15th
	mgr := []trellis.Relation{trellis.RelManager}
	ok := ymd(2027, 2, 12)
	ctx.ReviewDue = &ok
	if err := trellis.CheckMove(d, trellis.DocPeerReview, mgr, ctx); err != nil {
		t.Fatalf("a good day: %v", err)
	}
	late := ymd(2027, 2, 16)
	ctx.ReviewDue = &late
	if err := trellis.CheckMove(d, trellis.DocPeerReview, mgr, ctx); trellis.ErrorCode(err) != trellis.ERULE {
		t.Errorf("after the deadline: %v", err)
	}
	// Who may move is decided first: a peer learns nothing of the day.
	if err := trellis.CheckMove(d, trellis.DocPeerReview, []trellis.Relation{trellis.RelPeerManager}, ctx); trellis.ErrorCode(err) != trellis.EFORBIDDEN {
		t.Errorf("a peer: %v", err)
	}
	ctx.ReviewDue = &ok
	if err := trellis.CheckMove(d, trellis.DocDraft, mgr, ctx); trellis.ErrorCode(err) != trellis.EINVALID ||
		trellis.ErrorDetails(err)[0].Field != "review_due" {
		t.Errorf("with another move: %v", err)
	}
	// Out of peer review, long after the day: allowed.
	in := filledDocument(t, fw, trellis.DocPeerReview)
	past := ymd(2027, 1, 4)
	in.ReviewDue = &past
	after := goodContext(fw, trellis.DocManagerReview)
	if err := trellis.CheckMove(in, trellis.DocManagerReview, mgr, after); err != nil {
		t.Errorf("closing after the deadline: %v", err)
	}
	if err := trellis.CheckMove(in, trellis.DocApproved, []trellis.Relation{trellis.RelManagerChain}, after); err != nil {
		t.Errorf("approving after the deadline: %v", err)
	}
}

func TestMoveEffectsPeerReviewRound(t *testing.T) {
	for _, x := range []struct {
		from, to    string
		open, close bool
	}{
		{trellis.DocManagerReview, trellis.DocPeerReview, true, false},
		{trellis.DocPeerReview, trellis.DocManagerReview, false, true},
		{trellis.DocPeerReview, trellis.DocApproved, false, true},
		{trellis.DocPeerReview, trellis.DocDraft, false, true},
		{trellis.DocPeerReview, trellis.DocWithdrawn, false, true},
		{trellis.DocDraft, trellis.DocManagerReview, false, false},
	} {
		e := trellis.MoveEffects(&trellis.Document{State: x.from}, x.to)
		if e.OpenPeerReview != x.open || e.ClosePeerReview != x.close {
			t.Errorf("%s > %s: open %v close %v", x.from, x.to, e.OpenPeerReview, e.ClosePeerReview)
		}
	}
}
