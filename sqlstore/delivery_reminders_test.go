package sqlstore_test

import (
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
