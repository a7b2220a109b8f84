package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"trellis"
)

// peerReviewEnv is the route fixture's organisation on a clock that stands
// still (at the time the test starts: the sessions expire by the wall
// clock), with the engineer's document filled in and in manager review.
type peerReviewEnv struct {
	e     *env
	o     *fixtureOrg
	clock *trellis.FixedClock
	today time.Time
	d     *trellis.Document
	doc   string
}

func day(t time.Time) string  { return t.Format(time.DateOnly) }
func long(t time.Time) string { return t.Format("Monday 2 January 2006") }

// dueWas moves the comments-due day of the open review to d, as if the
// review had been opened earlier: time passing, for pages whose sessions
// run on the wall clock.
func (p *peerReviewEnv) dueWas(t *testing.T, d time.Time) {
	t.Helper()
	ctx := context.Background()
	tx, err := p.e.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE peer_reviews SET due = $1 WHERE closed_at IS NULL`, day(d)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func newPeerReviewEnv(t *testing.T) *peerReviewEnv {
	t.Helper()
	e := newEnv(t)
	clock := &trellis.FixedClock{T: time.Now().UTC()}
	e.db.Clock, e.srv.clock = clock, clock
	o := newFixtureOrg(t, e)
	self := o.people[actSelf]
	d := createDoc(t, e, self, "senior-support-engineer", trellis.VisManager)
	var err error
	for _, s := range d.Sections {
		who := self
		if s.ID == "business-justification" {
			who = o.people[actManager]
		}
		if d, err = e.deps.Documents.SaveSection(actingAs(who), d.ID, s.ID, "Sam cut the median reply time from 9 to 4 hours ("+s.ID+").", s.Version, false); err != nil {
			t.Fatal(err)
		}
	}
	if d, err = e.deps.Documents.MoveDocument(actingAs(self), d.ID, trellis.DocManagerReview, "", d.Version); err != nil {
		t.Fatal(err)
	}
	return &peerReviewEnv{e: e, o: o, clock: clock, today: trellis.Day(clock.T), d: d, doc: documentURL(d.ID)}
}

func (p *peerReviewEnv) get(t *testing.T) *trellis.Document {
	t.Helper()
	d, err := p.e.deps.Documents.FindDocument(context.Background(), p.d.ID)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (p *peerReviewEnv) move(t *testing.T, actor, to, due string) *apitestResponse {
	t.Helper()
	f := url.Values{"to": {to}, "version": {strconv.Itoa(p.get(t).Version)}}
	if due != "" {
		f.Set("review_due", due)
	}
	return postAs(p.e, p.o, actor, p.doc+"/transitions", f)
}

// The manager opens peer-manager review with a comments-due day (the
// default five working days, or one they choose within the limits); the
// document, its review copy, the list and the queue show the day and how
// many peer managers commented; after the day comments are still taken,
// marked late, and closing the review is not blocked.
func TestPeerReviewDeadlinePages(t *testing.T) {
	p := newPeerReviewEnv(t)
	e, o, doc, today := p.e, p.o, p.doc, p.today
	self := o.people[actSelf]
	yesterday, chosen := today.AddDate(0, 0, -1), today.AddDate(0, 0, 3)

	// The move form offers the default day, five working days on, within
	// today and a year (the document is in no cycle).
	wantStatus(t, "document", o.as(e, actManager, "GET", doc, ""), 200,
		fmt.Sprintf(`name="review_due" value="%s" min="%s" max="%s"`, day(trellis.AddWorkingDays(today, 5)), day(today), day(today.AddDate(1, 0, 0))),
		"reminded 2 working days before")

	// A day in the past or not a date: the form again, with what is wrong;
	// nothing moves.
	wantStatus(t, "past day", p.move(t, actManager, trellis.DocPeerReview, day(yesterday)), 422,
		"Peer-manager review was not opened", "is in the past", `aria-invalid="true"`, `value="`+day(yesterday)+`"`)
	wantStatus(t, "not a date", p.move(t, actManager, trellis.DocPeerReview, "next week"), 400, "not a date")
	if d := p.get(t); d.State != trellis.DocManagerReview || d.ReviewDue != nil {
		t.Fatalf("moved anyway: %s %v", d.State, d.ReviewDue)
	}
	// Whoever may not open the review learns nothing of the day.
	wantStatus(t, "peer posts", p.move(t, actPeer, trellis.DocPeerReview, "next week"), 404)
	wantStatus(t, "candidate posts", p.move(t, actSelf, trellis.DocPeerReview, day(yesterday)), 403)

	wantStatus(t, "open", p.move(t, actManager, trellis.DocPeerReview, day(chosen)), 303)
	if d := p.get(t); d.State != trellis.DocPeerReview || d.ReviewDue == nil || day(*d.ReviewDue) != day(chosen) {
		t.Fatalf("opened: %s %v", d.State, d.ReviewDue)
	}

	// The document: the day for every reader; the tally for the line.
	wantStatus(t, "manager's document", o.as(e, actManager, "GET", doc, ""), 200,
		"Peer comments due", long(chosen), "due in 3 days", "0 of the 1 peer managers asked have commented; 0 comments arrived")
	body := wantStatus(t, "candidate's document", o.as(e, actSelf, "GET", doc, ""), 200, "Peer comments due", long(chosen))
	if strings.Contains(body, "peer managers asked") {
		t.Error("the candidate sees who commented on the review copy")
	}
	wantStatus(t, "list", o.as(e, actSelf, "GET", personURL(self.ID)+"/documents", ""), 200, "peer comments due "+chosen.Format("2 Jan 2006"))

	// The review copy and the queue of the peer manager asked.
	wantStatus(t, "review copy", o.as(e, actPeer, "GET", doc+"/review", ""), 200,
		"Comments due by the end of", long(chosen), "You are asked to comment.")
	body = wantStatus(t, "queue", o.as(e, actPeer, "GET", "/reviews", ""), 200, "Awaiting your comments", self.Name, long(chosen), "0 of 1")
	if strings.Contains(body, "You commented") {
		t.Error("queue: commented before commenting")
	}
	wantStatus(t, "manager's queue", o.as(e, actManager, "GET", "/reviews", ""), 200, "In your reporting line", self.Name, "No review waits for your comments.")
	body = wantStatus(t, "candidate's queue", o.as(e, actSelf, "GET", "/reviews", ""), 200, "No review waits for your comments.")
	if strings.Contains(body, self.Name+"</a>") {
		t.Error("the candidate's queue lists their own review")
	}
	if body := string(o.as(e, actPeer, "GET", "/frameworks", "").Body); !strings.Contains(body, `href="/reviews"`) {
		t.Error("no link to the queue for a manager")
	}

	// In time, then late.
	wantStatus(t, "comment", postAs(e, o, actPeer, doc+"/review/comments", url.Values{"section": {"summary"}, "text": {"Name the team size."}}), 303)
	wantStatus(t, "queue after", o.as(e, actPeer, "GET", "/reviews", ""), 200, "You commented", "1 of 1", "No review waits for your comments.")
	p.dueWas(t, yesterday)
	res := postAs(e, o, actPeer, doc+"/review/comments", url.Values{"section": {"summary"}, "text": {"And the queue size."}})
	wantStatus(t, "late comment", res, 303)
	wantStatus(t, "late notice", o.as(e, actPeer, "GET", res.Header.Get("Location"), ""), 200, "marked late", "the day has passed", `badge-warn">late</span>`)
	wantStatus(t, "passed", o.as(e, actManager, "GET", doc, ""), 200,
		"the day has passed", "1 of the 1 peer managers asked has commented; 2 comments arrived, 1 late", "The deadline blocks nothing")

	// Closing is the manager's decision, after the day as before it.
	wantStatus(t, "close", p.move(t, actManager, trellis.DocManagerReview, ""), 303)
	if d := p.get(t); d.ReviewDue != nil {
		t.Errorf("closed, still due %v", d.ReviewDue)
	}
	if body := wantStatus(t, "closed", o.as(e, actManager, "GET", doc, ""), 200); strings.Contains(body, "Peer comments due:") || strings.Contains(body, "peer managers asked") {
		t.Error("a closed review still shows its day")
	}
	wantStatus(t, "queue empty", o.as(e, actPeer, "GET", "/reviews", ""), 200, "No review waits for your comments.")
}

// The API: the document carries review_due, the transition takes it, and
// a wrong one is refused with the field named.
func TestPeerReviewDeadlineAPI(t *testing.T) {
	p := newPeerReviewEnv(t)
	e, o, today := p.e, p.o, p.today
	api := "/api/v1" + p.doc
	send := func(body string) *apitestResponse {
		t.Helper()
		return o.as(e, actManager, "POST", api+"/transitions", body, "Content-Type", "application/json",
			"If-Match", fmt.Sprintf(`"v%d"`, p.get(t).Version))
	}
	field := func(what string, res *apitestResponse, status int, msg string) {
		t.Helper()
		wantStatus(t, what, res, status)
		var b struct {
			Error struct {
				Code    string               `json:"code"`
				Details []trellis.FieldError `json:"details"`
			} `json:"error"`
		}
		if err := json.Unmarshal(res.Body, &b); err != nil || len(b.Error.Details) != 1 || b.Error.Details[0].Field != "review_due" ||
			!strings.Contains(b.Error.Details[0].Message, msg) {
			t.Errorf("%s: %s", what, res.Body)
		}
	}
	field("not a date", send(`{"to":"peer-review","review_due":"soon"}`), 400, "YYYY-MM-DD")
	field("in the past", send(`{"to":"peer-review","review_due":"`+day(today.AddDate(0, 0, -1))+`"}`), 422, "in the past")
	field("more than a year on", send(`{"to":"peer-review","review_due":"`+day(today.AddDate(1, 0, 1))+`"}`), 422, "more than a year ahead")
	field("with a return", send(`{"to":"draft","note":"More numbers.","review_due":"`+day(today)+`"}`), 400, "only when opening peer-manager review")
	if d := p.get(t); d.State != trellis.DocManagerReview {
		t.Fatalf("moved by a refused request: %s", d.State)
	}

	chosen, def := today.AddDate(0, 0, 9), trellis.AddWorkingDays(today, 5)
	res := send(`{"to":"peer-review","review_due":"` + day(chosen) + `"}`)
	wantStatus(t, "open", res, 200, `"review_due":"`+day(chosen)+`T00:00:00Z"`)
	wantStatus(t, "read", o.as(e, actSelf, "GET", api, ""), 200, `"review_due":"`+day(chosen)+`T00:00:00Z"`)
	// Without a day: the default; the day is audited with the move.
	wantStatus(t, "close", send(`{"to":"manager-review"}`), 200)
	if strings.Contains(string(o.as(e, actSelf, "GET", api, "").Body), "review_due") {
		t.Error("a closed review still has review_due")
	}
	wantStatus(t, "reopen", send(`{"to":"peer-review"}`), 200, `"review_due":"`+day(def)+`T00:00:00Z"`)
	events, err := e.deps.Audit.ListAudit(context.Background(), trellis.AuditFilter{Action: "document.moved", TargetID: strconv.FormatInt(p.d.ID, 10)})
	if err != nil {
		t.Fatal(err)
	}
	var days []string
	for _, ev := range events.Items {
		if v, ok := ev.After["review_due"]; ok {
			days = append(days, fmt.Sprint(v))
		}
	}
	if strings.Join(days, ",") != day(def)+","+day(chosen) {
		t.Errorf("audited days %v", days)
	}
}
