package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"trellis"
	"trellis/sqlstore"
)

// notices returns the unread notifications of p of the comment kinds, oldest
// first, and marks them read so that the next look sees only new ones.
func (e *promoEnv) notices(t *testing.T, p *trellis.Person) []*trellis.Notification {
	t.Helper()
	ctx := context.Background()
	list, err := e.inbox.ListNotifications(ctx, p.ID, true, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []*trellis.Notification
	for _, n := range slices.Backward(list) {
		if strings.HasPrefix(n.Kind, "document.comment") {
			out = append(out, n)
		}
	}
	if err := e.inbox.MarkRead(ctx, p.ID, nil); err != nil {
		t.Fatal(err)
	}
	return out
}

func (e *promoEnv) comment(t *testing.T, who *trellis.Person, c *trellis.Comment) *trellis.Comment {
	t.Helper()
	if err := e.docs.AddComment(as(who), c); err != nil {
		t.Fatalf("%s commenting: %v", who.Name, err)
	}
	return c
}

// wantNotices checks who got which notice kinds since the last look.
func (e *promoEnv) wantNotices(t *testing.T, step string, want map[*trellis.Person][]string) {
	t.Helper()
	for _, p := range []*trellis.Person{e.dana, e.sam, e.maria, e.peter, e.alice, e.paul, e.rita, e.pat, e.eve} {
		var got []string
		for _, n := range e.notices(t, p) {
			got = append(got, n.Kind)
		}
		if !slices.Equal(got, want[p]) {
			t.Errorf("%s: %s got %v, want %v", step, p.Name, got, want[p])
		}
	}
}

// Comments notify the people concerned: a new thread the candidate and
// their manager, a reply everyone earlier in the thread and the candidate,
// a resolve the thread's author; never the actor, never anyone who may not
// read the copy the thread is on.
func TestCommentNotifications(t *testing.T) {
	t.Parallel()
	e := newPromoEnv(t)
	d := e.newDoc(t) // alice's, shared with her manager maria
	const (
		commented = trellis.NoticeCommented
		replied   = trellis.NoticeCommentReplied
		resolved  = trellis.NoticeCommentResolved
	)

	// The manager starts a thread: the candidate hears of it, with who
	// wrote what where, and a link to the section.
	root := e.comment(t, e.maria, &trellis.Comment{DocumentID: d.ID, SectionID: "summary", Text: "Say how many customers the runbook reached."})
	got := e.notices(t, e.alice)
	if len(got) != 1 || got[0].Kind != commented {
		t.Fatalf("alice got %+v", got)
	}
	n := got[0]
	if n.Title != "Maria commented on Summary in the promotion document of Alice" || n.Body != "Say how many customers the runbook reached." ||
		n.URL != fmt.Sprintf("/documents/%d#s-summary", d.ID) {
		t.Errorf("notice %+v", n)
	}
	e.wantNotices(t, "manager's thread", nil)

	// The candidate starts one: her manager hears of it, not she.
	own := e.comment(t, e.alice, &trellis.Comment{DocumentID: d.ID, SectionID: "business-results", Text: "Is the second result strong enough?"})
	e.wantNotices(t, "candidate's thread", map[*trellis.Person][]string{e.maria: {commented}})

	// The skip-level manager replies to the manager's thread: the manager
	// (earlier in the thread) and the candidate; the candidate replies:
	// the manager and the skip-level.
	e.comment(t, e.sam, &trellis.Comment{DocumentID: d.ID, ThreadID: &root.ID, Text: "Agreed, and the ticket volume."})
	e.wantNotices(t, "skip-level reply", map[*trellis.Person][]string{e.maria: {replied}, e.alice: {replied}})
	reply := e.comment(t, e.alice, &trellis.Comment{DocumentID: d.ID, ThreadID: &root.ID, Text: "Added both."})
	e.wantNotices(t, "candidate's reply", map[*trellis.Person][]string{e.maria: {replied}, e.sam: {replied}})

	// Resolving (through any comment of the thread) tells the thread's
	// author; resolving again tells nobody; resolving one's own thread
	// tells nobody either.
	if err := e.docs.ResolveComment(as(e.alice), reply.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.notices(t, e.maria); len(got) != 1 || got[0].Kind != resolved || !strings.Contains(got[0].Title, "Alice resolved your comment on Summary") ||
		got[0].Body != "Say how many customers the runbook reached." {
		t.Errorf("maria got %+v", got)
	}
	e.wantNotices(t, "resolved", nil)
	if err := e.docs.ResolveComment(as(e.maria), root.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.docs.ResolveComment(as(e.alice), own.ID); err != nil {
		t.Fatal(err)
	}
	e.wantNotices(t, "resolved again, and one's own", nil)

	// The candidate narrows the document to herself: the reply of the
	// manager's earlier thread reaches nobody who can no longer read it.
	d, err := e.docs.FindDocument(context.Background(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	d.Visibility = trellis.VisPrivate
	if err := e.docs.UpdateDocument(as(e.alice), d, d.Version); err != nil {
		t.Fatal(err)
	}
	e.comment(t, e.alice, &trellis.Comment{DocumentID: d.ID, ThreadID: &own.ID, Text: "Noted for later."})
	e.comment(t, e.alice, &trellis.Comment{DocumentID: d.ID, SectionID: "summary", Text: "A note to myself."})
	e.wantNotices(t, "private document", nil)
}

// The review copy is the managers': the candidate never hears of its
// comments, her manager does; people who left hear nothing; a muted kind
// stays in the inbox without an e-mail.
func TestCommentNotificationsReviewCopyLeaversAndMutes(t *testing.T) {
	t.Parallel()
	e := newPromoEnv(t)
	ctx := context.Background()
	d := e.newDoc(t)
	const (
		commented = trellis.NoticeCommented
		replied   = trellis.NoticeCommentReplied
	)
	peer := e.comment(t, e.peter, &trellis.Comment{DocumentID: d.ID, SectionID: "summary", Text: "Strong case.", OnReviewCopy: true})
	got := e.notices(t, e.maria)
	if len(got) != 1 || got[0].Kind != commented || !strings.Contains(got[0].Title, "review copy of Alice's promotion document") ||
		!strings.HasSuffix(got[0].URL, "/review#s-summary") {
		t.Fatalf("maria got %+v", got)
	}
	e.wantNotices(t, "peer comment on the review copy", nil)
	e.comment(t, e.maria, &trellis.Comment{DocumentID: d.ID, ThreadID: &peer.ID, Text: "Will add it."})
	e.wantNotices(t, "manager's reply on the review copy", map[*trellis.Person][]string{e.peter: {replied}})

	// Maria mutes new threads: still in her inbox, no e-mail.
	out := sqlstore.NewDeliveryService(e.db)
	if err := out.SetNotificationPrefs(ctx, &trellis.NotificationPrefs{PersonID: e.maria.ID, Email: true, Muted: []string{commented}}); err != nil {
		t.Fatal(err)
	}
	before := deliveriesOf(t, out, e.maria.ID)
	e.comment(t, e.alice, &trellis.Comment{DocumentID: d.ID, SectionID: "summary", Text: "Over to you."})
	e.wantNotices(t, "muted", map[*trellis.Person][]string{e.maria: {commented}})
	if after := deliveriesOf(t, out, e.maria.ID); after != before {
		t.Errorf("a muted kind was delivered: %d deliveries, had %d", after, before)
	}
	// Alice's own notices go out by e-mail as other notices do.
	beforeAlice := deliveriesOf(t, out, e.alice.ID)
	e.comment(t, e.maria, &trellis.Comment{DocumentID: d.ID, SectionID: "summary", Text: "Read it."})
	if deliveriesOf(t, out, e.alice.ID) != beforeAlice+1 {
		t.Error("the candidate's notice was not delivered by e-mail")
	}
	e.wantNotices(t, "clear", map[*trellis.Person][]string{e.alice: {commented}})

	// Maria leaves: she hears nothing more.
	off := false
	maria, err := e.people.FindPerson(ctx, e.maria.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.people.UpdatePerson(as(e.dana), maria.ID, trellis.PersonUpdate{Active: &off}, maria.Version); err != nil {
		t.Fatal(err)
	}
	e.comment(t, e.alice, &trellis.Comment{DocumentID: d.ID, SectionID: "summary", Text: "Anyone?"})
	e.wantNotices(t, "manager left", nil)
}

func deliveriesOf(t *testing.T, out *sqlstore.DeliveryService, personID int64) int {
	t.Helper()
	list, err := out.ListDeliveries(context.Background(), nil, 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range list {
		if d.PersonID == personID {
			n++
		}
	}
	return n
}
