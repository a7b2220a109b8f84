package web

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"trellis"
)

// Comments posted through the pages notify the people concerned in their
// inbox: a new thread the candidate and the manager, a reply the earlier
// authors and the candidate, a resolve the thread's author; the review
// copy's comments never reach the candidate; the settings page lets each
// kind be kept to the inbox.
func TestCommentNotificationsThroughThePages(t *testing.T) {
	e := newEnv(t)
	o := newFixtureOrg(t, e)
	self := o.people[actSelf]
	d := createDoc(t, e, self, "senior-support-engineer", trellis.VisManager)
	doc := documentURL(d.ID)
	ctx := context.Background()
	// kinds returns the unread kinds of actor's inbox, oldest first, and
	// marks them read.
	kinds := func(actor string) []string {
		t.Helper()
		p := o.people[actor]
		list, err := e.deps.Notifications.ListNotifications(ctx, p.ID, true, 100)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, n := range slices.Backward(list) {
			if strings.HasPrefix(n.Kind, "document.comment") {
				out = append(out, n.Kind)
			}
		}
		if err := e.deps.Notifications.MarkRead(ctx, p.ID, nil); err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := func(step string, w map[string][]string) {
		t.Helper()
		for _, a := range signedInActors {
			if got := kinds(a); !slices.Equal(got, w[a]) {
				t.Errorf("%s: %s got %v, want %v", step, a, got, w[a])
			}
		}
	}
	want("before", nil)

	// The manager starts a thread; the candidate reads it in the inbox.
	wantStatus(t, "manager comments", postAs(e, o, actManager, doc+"/comments", url.Values{"section": {"summary"}, "text": {"Name the customers."}}), 303)
	wantStatus(t, "inbox", o.as(e, actSelf, "GET", "/inbox", ""), 200, "commented on Summary in the promotion document of", "Name the customers.")
	want("manager's thread", map[string][]string{actSelf: {trellis.NoticeCommented}})
	list, err := e.deps.Documents.ListComments(ctx, d.ID, false)
	if err != nil || len(list) != 1 {
		t.Fatalf("comments %v, %v", list, err)
	}
	root := fmt.Sprint(list[0].ID)

	// The skip-level replies: the manager and the candidate.
	wantStatus(t, "skip replies", postAs(e, o, actSkip, doc+"/comments", url.Values{"section": {"summary"}, "thread": {root}, "text": {"And the ticket volume."}}), 303)
	want("skip-level reply", map[string][]string{actManager: {trellis.NoticeCommentReplied}, actSelf: {trellis.NoticeCommentReplied}})

	// The candidate resolves it: the thread's author hears.
	wantStatus(t, "resolve", postAs(e, o, actSelf, doc+"/comments/"+root+"/resolve", url.Values{}), 303)
	want("resolved", map[string][]string{actManager: {trellis.NoticeCommentResolved}})

	// A peer manager's comment on the review copy: the manager, never the
	// candidate.
	wantStatus(t, "peer comments on the copy", postAs(e, o, actPeer, doc+"/review/comments", url.Values{"section": {"summary"}, "text": {"Strong case."}}), 303)
	want("review copy", map[string][]string{actManager: {trellis.NoticeCommented}})

	// Each kind can be kept to the inbox.
	wantStatus(t, "settings", o.as(e, actSelf, "GET", "/settings/notifications", ""), 200,
		trellis.NoticeCommented, trellis.NoticeCommentReplied, trellis.NoticeCommentResolved)
}
