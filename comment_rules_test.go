package trellis_test

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"trellis"
)

func TestCommentAudience(t *testing.T) {
	const candidate, manager, skip, peer = 1, 2, 3, 4
	m := int64(manager)
	thread := []*trellis.Comment{{ID: 10, AuthorID: manager}, {ID: 11, AuthorID: skip}, {ID: 12, AuthorID: manager}, {ID: 13, AuthorID: peer}}
	for _, tc := range []struct {
		name    string
		kind    string
		manager *int64
		thread  []*trellis.Comment
		actor   int64
		want    []int64
	}{
		{"a new thread by a peer: the candidate and the manager", trellis.NoticeCommented, &m, thread[:1], peer, []int64{candidate, manager}},
		{"a new thread by the manager: the candidate", trellis.NoticeCommented, &m, thread[:1], manager, []int64{candidate}},
		{"a new thread by the candidate: the manager", trellis.NoticeCommented, &m, thread[:1], candidate, []int64{manager}},
		{"a new thread, no manager", trellis.NoticeCommented, nil, thread[:1], peer, []int64{candidate}},
		{"a reply: earlier authors once each, then the candidate", trellis.NoticeCommentReplied, &m, thread, candidate, []int64{manager, skip, peer}},
		{"a reply by someone in the thread", trellis.NoticeCommentReplied, &m, thread[:3], skip, []int64{manager, candidate}},
		{"a reply does not go to the manager outside the thread", trellis.NoticeCommentReplied, &m, thread[1:2], peer, []int64{skip, candidate}},
		{"resolve: the thread's author", trellis.NoticeCommentResolved, &m, thread, candidate, []int64{manager}},
		{"resolve by the author: nobody", trellis.NoticeCommentResolved, &m, thread, manager, nil},
		{"resolve of no thread: nobody", trellis.NoticeCommentResolved, &m, nil, candidate, nil},
		{"an unknown kind: nobody", "document.moved", &m, thread, peer, nil},
	} {
		if got := trellis.CommentAudience(tc.kind, candidate, tc.manager, tc.thread, tc.actor); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestMayReadComments(t *testing.T) {
	director := &trellis.Person{ID: 1, Active: true, Access: trellis.AccessDirector}
	manager := &trellis.Person{ID: 2, Active: true, ManagerID: &director.ID}
	candidate := &trellis.Person{ID: 3, Active: true, ManagerID: &manager.ID}
	peer := &trellis.Person{ID: 4, Active: true, ManagerID: &director.ID}
	other := &trellis.Person{ID: 5, Active: true}
	left := &trellis.Person{ID: 6, ManagerID: &director.ID}
	chain := []int64{manager.ID, director.ID}
	actor := func(p *trellis.Person, reports bool, chain ...int64) trellis.Actor {
		return trellis.Actor{Person: p, HasReports: reports, Chain: chain}
	}
	readers := map[string]trellis.Actor{
		"candidate": actor(candidate, false, manager.ID, director.ID), "manager": actor(manager, true, director.ID),
		"director": actor(director, true), "peer": actor(peer, true, director.ID), "other": actor(other, false), "left": actor(left, true, director.ID),
		"nobody": {},
	}
	for _, tc := range []struct {
		vis    trellis.Visibility
		state  string
		review bool
		want   []string
	}{
		{trellis.VisPrivate, trellis.DocDraft, false, []string{"candidate"}},
		{trellis.VisManager, trellis.DocDraft, false, []string{"candidate", "director", "manager"}},
		{trellis.VisOrganisationViewer, trellis.DocDraft, false, []string{"candidate", "director", "manager", "other", "peer"}},
		{trellis.VisPrivate, trellis.DocInLibrary, false, []string{"candidate", "director", "manager", "other", "peer"}},
		{trellis.VisManager, trellis.DocPeerReview, true, []string{"director", "manager", "peer"}},
	} {
		d := &trellis.Document{PersonID: candidate.ID, Visibility: tc.vis, State: tc.state}
		var got []string
		for name, a := range readers {
			if trellis.MayReadComments(a, candidate, chain, d, tc.review) {
				got = append(got, name)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s %s review=%v: readers %v, want %v", tc.vis, tc.state, tc.review, got, tc.want)
		}
	}
	// A read-only token reads as well as any.
	ro := readers["manager"]
	ro.ReadOnly = true
	if !trellis.MayReadComments(ro, candidate, chain, &trellis.Document{Visibility: trellis.VisManager, State: trellis.DocDraft}, false) {
		t.Error("a read-only actor may not read")
	}
}

func TestCommentNotice(t *testing.T) {
	title, body := trellis.CommentNotice(trellis.NoticeCommentReplied, "Maria", "Alice", "Summary", false, "  Add the numbers.  ")
	if title != "Maria replied on Summary in the promotion document of Alice" || body != "Add the numbers." {
		t.Errorf("reply notice %q / %q", title, body)
	}
	title, _ = trellis.CommentNotice(trellis.NoticeCommented, "Peter", "Alice", "Summary", true, "x")
	if title != "Peter commented on Summary in the review copy of Alice's promotion document" {
		t.Errorf("review-copy notice %q", title)
	}
	long := strings.Repeat("word ", 400)
	title, body = trellis.CommentNotice(trellis.NoticeCommentResolved, strings.Repeat("N", 400), "Alice", "Summary", false, long)
	if utf8.RuneCountInString(body) > 501 || !strings.HasSuffix(body, "word…") {
		t.Errorf("long body cut to %d characters: %q", utf8.RuneCountInString(body), body[len(body)-20:])
	}
	if utf8.RuneCountInString(title) > 300 {
		t.Errorf("title of %d characters", utf8.RuneCountInString(title))
	}
}
