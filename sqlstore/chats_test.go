package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"trellis"
	"trellis/sqlstore"
)

func TestChatRequestAnswersAndNotes(t *testing.T) {
	e := newGrowthEnv(t)
	ctx := context.Background()
	chats := sqlstore.NewChatService(e.db)
	inbox := sqlstore.NewNotificationService(e.db)

	// A request to oneself is refused with a clear message.
	err := chats.RequestChat(ctx, &trellis.Chat{RequesterID: e.alice.ID, RecipientID: e.alice.ID, Note: "hi"})
	if trellis.ErrorCode(err) != trellis.EINVALID || !strings.Contains(trellis.ErrorMessage(err), "cannot ask yourself") {
		t.Fatalf("request to oneself: %v", err)
	}

	c := &trellis.Chat{RequesterID: e.alice.ID, RecipientID: e.manager.ID, Note: "How did you move into management?"}
	if err := chats.RequestChat(ctx, c); err != nil {
		t.Fatal(err)
	}
	if c.Status != trellis.ChatRequested || c.Kind != trellis.ChatCoffee || c.Version != 1 {
		t.Fatalf("%+v", c)
	}
	n, _ := inbox.ListNotifications(ctx, e.manager.ID, true, 10)
	if len(n) != 1 || n[0].Kind != "chat.requested" || !strings.Contains(n[0].Title, "alice asks you for a coffee chat") {
		t.Fatalf("recipient's inbox: %+v", n)
	}

	// The requester cannot answer their own request.
	if _, err := chats.AnswerChat(ctx, c.ID, e.alice.ID, trellis.ChatAnswer{Answer: trellis.AnswerAccept}, 0); trellis.ErrorCode(err) != trellis.ECONFLICT {
		t.Fatalf("requester accepting: %v", err)
	}
	// Someone else does not see it.
	if _, err := chats.AnswerChat(ctx, c.ID, e.bob.ID, trellis.ChatAnswer{Answer: trellis.AnswerAccept}, 0); trellis.ErrorCode(err) != trellis.ENOTFOUND {
		t.Fatalf("outsider: %v", err)
	}
	// The recipient proposes another time; the requester accepts it.
	when := e.clock.T.Add(48 * time.Hour)
	if _, err := chats.AnswerChat(ctx, c.ID, e.manager.ID, trellis.ChatAnswer{Answer: trellis.AnswerPropose}, 1); trellis.ErrorCode(err) != trellis.EINVALID {
		t.Fatalf("propose without time: %v", err)
	}
	got, err := chats.AnswerChat(ctx, c.ID, e.manager.ID, trellis.ChatAnswer{Answer: trellis.AnswerPropose, ProposedAt: &when, Message: "Thursday?"}, 1)
	if err != nil || got.Status != trellis.ChatProposed || got.WaitingFor() != e.alice.ID || !got.ProposedAt.Equal(when) {
		t.Fatalf("propose: %+v %v", got, err)
	}
	if _, err := chats.AnswerChat(ctx, c.ID, e.alice.ID, trellis.ChatAnswer{Answer: trellis.AnswerAccept}, 1); trellis.ErrorCode(err) != trellis.ECONFLICT {
		t.Fatalf("stale version: %v", err)
	}
	got, err = chats.AnswerChat(ctx, c.ID, e.alice.ID, trellis.ChatAnswer{Answer: trellis.AnswerAccept}, 2)
	if err != nil || got.Status != trellis.ChatAccepted || got.WaitingFor() != 0 {
		t.Fatalf("accept: %+v %v", got, err)
	}
	if _, err := chats.AnswerChat(ctx, c.ID, e.manager.ID, trellis.ChatAnswer{Answer: trellis.AnswerDecline}, 0); trellis.ErrorCode(err) != trellis.ECONFLICT {
		t.Fatalf("answer after accepting: %v", err)
	}
	n, _ = inbox.ListNotifications(ctx, e.alice.ID, false, 10)
	if len(n) != 1 || n[0].Kind != "chat.answered" || !strings.Contains(n[0].Title, "proposes") {
		t.Fatalf("requester's inbox: %+v", n)
	}
	n, _ = inbox.ListNotifications(ctx, e.manager.ID, false, 10)
	if len(n) != 2 || !strings.Contains(n[0].Title, "accepted") {
		t.Fatalf("recipient's inbox: %+v", n)
	}

	// Declining.
	d := &trellis.Chat{RequesterID: e.bob.ID, RecipientID: e.alice.ID, Kind: "ama"}
	if err := chats.RequestChat(ctx, d); err != nil {
		t.Fatal(err)
	}
	if got, err := chats.AnswerChat(ctx, d.ID, e.alice.ID, trellis.ChatAnswer{Answer: trellis.AnswerDecline}, 0); err != nil || got.Status != trellis.ChatDeclined {
		t.Fatalf("decline: %+v %v", got, err)
	}

	// Private notes: each side reads their own only.
	if err := chats.SaveChatNote(ctx, c.ID, e.alice.ID, "Alice's secret"); err != nil {
		t.Fatal(err)
	}
	if err := chats.SaveChatNote(ctx, c.ID, e.manager.ID, "Maria's secret"); err != nil {
		t.Fatal(err)
	}
	if note, _ := chats.ChatNote(ctx, c.ID, e.alice.ID); note != "Alice's secret" {
		t.Fatalf("alice reads %q", note)
	}
	if note, _ := chats.ChatNote(ctx, c.ID, e.manager.ID); note != "Maria's secret" {
		t.Fatalf("maria reads %q", note)
	}
	if _, err := chats.ChatNote(ctx, c.ID, e.bob.ID); trellis.ErrorCode(err) != trellis.ENOTFOUND {
		t.Fatalf("outsider reading notes: %v", err)
	}

	// Lists.
	in, err := chats.ListChats(ctx, trellis.ChatFilter{PersonID: e.alice.ID, Direction: "incoming"})
	if err != nil || len(in.Items) != 1 || in.Items[0].ID != d.ID {
		t.Fatalf("incoming: %+v %v", in, err)
	}
	all, err := chats.ListChats(ctx, trellis.ChatFilter{PersonID: e.alice.ID, Limit: 1})
	if err != nil || len(all.Items) != 1 || all.NextCursor == "" {
		t.Fatalf("first page: %+v %v", all, err)
	}
	next, err := chats.ListChats(ctx, trellis.ChatFilter{PersonID: e.alice.ID, Limit: 1, Cursor: all.NextCursor})
	if err != nil || len(next.Items) != 1 || next.Items[0].ID != c.ID || next.NextCursor != "" {
		t.Fatalf("second page: %+v %v", next, err)
	}
}

func TestFinderCountsOnlyOrganisationWideEvidence(t *testing.T) {
	e := newGrowthEnv(t)
	ctx := context.Background()
	chats := sqlstore.NewChatService(e.db)
	day := trellis.Day(e.clock.T)
	add := func(p *trellis.Person, comp string, vis trellis.Visibility) {
		ev := &trellis.Evidence{PersonID: p.ID, Date: day, Title: "Entry " + comp, Competencies: []string{comp}, Visibility: vis}
		if err := e.evidence.CreateEvidence(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		add(e.alice, "troubleshooting", trellis.VisPrivate)
		add(e.bob, "growing-others", trellis.VisManager)
	}
	add(e.alice, "growing-others", trellis.VisOrganisationViewer)

	// Asking for every level still counts only organisation-wide entries.
	res, err := chats.FindPeople(ctx, trellis.FinderFilter{Competency: "growing-others", Visibilities: trellis.Visibilities})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Person.ID != e.alice.ID || len(res[0].Top) != 1 || res[0].Top[0].Competency != "growing-others" || res[0].Top[0].Count != 1 {
		t.Fatalf("finder: %+v", res)
	}
	res, err = chats.FindPeople(ctx, trellis.FinderFilter{Competency: "troubleshooting"})
	if err != nil || len(res) != 0 {
		t.Fatalf("private evidence counted: %+v %v", res, err)
	}
	res, err = chats.FindPeople(ctx, trellis.FinderFilter{RoleIDs: []string{"support-engineering-manager"}})
	if err != nil || len(res) != 1 || res[0].Person.ID != e.manager.ID || len(res[0].Top) != 0 {
		t.Fatalf("by role: %+v %v", res, err)
	}
}

func TestAMAs(t *testing.T) {
	e := newGrowthEnv(t)
	ctx := context.Background()
	chats := sqlstore.NewChatService(e.db)
	a := &trellis.AMA{FrameworkID: "support", RoleID: "staff-support-engineer", Date: trellis.Day(e.clock.T), HostID: e.manager.ID,
		Topic: "Life as a staff engineer", RecordingURL: "javascript:alert(1)", CreatedBy: e.manager.ID}
	if err := chats.CreateAMA(ctx, a); trellis.ErrorCode(err) != trellis.EINVALID {
		t.Fatalf("non-http recording: %v", err)
	}
	a.RecordingURL = "https://videos.example.com/ama-1"
	if err := chats.CreateAMA(ctx, a); err != nil {
		t.Fatal(err)
	}
	list, err := chats.ListAMAs(ctx, "support", "staff-support-engineer")
	if err != nil || len(list) != 1 || list[0].RecordingURL != a.RecordingURL {
		t.Fatalf("%+v %v", list, err)
	}
}
