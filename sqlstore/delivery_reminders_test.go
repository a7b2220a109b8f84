package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"trellis"
	"trellis/sqlstore"
)

func TestRemindersOncePerPeriod(t *testing.T) {
	e := newDeliveryEnv(t)
	mgr := e.add(t, "mia@example.com", "Mia Manager", nil)
	e.add(t, "ann@example.com", "Ann Report", &mgr.ID)
	e.add(t, "bob@example.com", "Bob Report", &mgr.ID)
	r := sqlstore.NewReminders(e.db)
	if err := r.RunAll(e.ctx); err != nil {
		t.Fatal(err)
	}
	list, err := e.inbox.ListNotifications(e.ctx, mgr.ID, false, 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("manager got %d notifications, %v", len(list), err)
	}
	n := list[0]
	if n.Kind != "reminder.conversation" || !strings.Contains(n.Title, "2026-Q1") || !strings.Contains(n.Body, "Ann Report, Bob Report") {
		t.Errorf("reminder %+v", n)
	}
	// The reminder went to the outbox too, and reaches the SMTP server.
	e.run(t)
	if m := e.smtp.Mails(); len(m) != 1 || m[0].To[0] != "mia@example.com" {
		t.Errorf("mails %v", m)
	}
	// Again in the same quarter: nothing; next quarter: again.
	e.clock.T = e.clock.T.Add(24 * time.Hour)
	if err := r.RunAll(e.ctx); err != nil {
		t.Fatal(err)
	}
	if list, _ := e.inbox.ListNotifications(e.ctx, mgr.ID, false, 10); len(list) != 1 {
		t.Errorf("reminded %d times in one quarter", len(list))
	}
	e.clock.T = time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC)
	if n, err := r.ConversationsDue(e.ctx); err != nil || n != 1 {
		t.Errorf("next quarter: %d, %v", n, err)
	}
	// Muting the kind keeps it in the inbox only.
	if err := e.out.SetNotificationPrefs(e.ctx, &trellis.NotificationPrefs{PersonID: mgr.ID, Email: true, Muted: []string{"reminder.conversation"}}); err != nil {
		t.Fatal(err)
	}
	e.clock.T = time.Date(2026, 7, 2, 9, 0, 0, 0, time.UTC)
	if n, err := r.ConversationsDue(e.ctx); err != nil || n != 1 {
		t.Errorf("third quarter: %d, %v", n, err)
	}
	e.run(t)
	if m := e.smtp.Mails(); len(m) != 2 {
		t.Errorf("%d mails, want 2 (the muted one stays in the inbox)", len(m))
	}
}

func TestRemindersPlanRefreshDue(t *testing.T) {
	e := newDeliveryEnv(t)
	growth := sqlstore.NewGrowthService(e.db)
	ctx := trellis.NewContextWithActor(e.ctx, trellis.Actor{Person: e.eve})
	if err := growth.SavePlan(ctx, &trellis.GrowthPlan{PersonID: e.eve.ID, Period: "2026-H1", Goals: []trellis.Goal{}}, 0); err != nil {
		t.Fatal(err)
	}
	r := sqlstore.NewReminders(e.db)
	if n, err := r.PlansDue(e.ctx); err != nil || n != 0 {
		t.Fatalf("plan of this half-year: %d, %v", n, err)
	}
	e.clock.T = time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	for range 2 {
		if err := r.RunAll(e.ctx); err != nil {
			t.Fatal(err)
		}
	}
	list, _ := e.inbox.ListNotifications(e.ctx, e.eve.ID, false, 10)
	if len(list) != 1 || list[0].Kind != "reminder.plan" || !strings.Contains(list[0].Body, "2026-H1") || !strings.Contains(list[0].Body, "2026-H2") {
		t.Fatalf("eve got %+v", list)
	}
}

func TestRemindersReviewsAndDeadline(t *testing.T) {
	e := newPromoEnv(t)
	r := sqlstore.NewReminders(e.db)
	kinds := func(p *trellis.Person) []string {
		list, err := e.inbox.ListNotifications(context.Background(), p.ID, false, 50)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, n := range list {
			if strings.HasPrefix(n.Kind, "reminder.") {
				out = append(out, n.Kind+": "+n.Title)
			}
		}
		return out
	}
	d := e.fill(t, e.alice, e.newDoc(t))
	d = e.move(t, e.alice, d, trellis.DocManagerReview, "")
	for range 2 {
		if _, err := r.ReviewsWaiting(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := kinds(e.maria); len(got) != 1 || !strings.Contains(got[0], "wait for your review") {
		t.Errorf("maria: %q", got)
	}
	d = e.move(t, e.maria, d, trellis.DocPeerReview, "")
	if _, err := r.ReviewsWaiting(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := kinds(e.peter); len(got) != 1 || !strings.Contains(got[0], "peer review") {
		t.Errorf("peter: %q", got)
	}
	e.move(t, e.sam, d, trellis.DocApproved, "")

	// Ten days before the deadline: nothing; two days before: once.
	e.clock.T = time.Date(2027, 1, 29, 9, 0, 0, 0, time.UTC)
	if n, err := r.Deadlines(context.Background()); err != nil || n != 0 {
		t.Fatalf("early: %d, %v", n, err)
	}
	e.clock.T = time.Date(2027, 2, 6, 9, 0, 0, 0, time.UTC)
	for range 2 {
		if err := r.RunAll(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	var deadline []string
	for _, k := range kinds(e.maria) {
		if strings.HasPrefix(k, "reminder.deadline") {
			deadline = append(deadline, k)
		}
	}
	if len(deadline) != 1 || !strings.Contains(deadline[0], "8 Feb 2027") {
		t.Errorf("maria's deadline reminders: %q", deadline)
	}
}
