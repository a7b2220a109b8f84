package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"trellis"
	"trellis/notify"
	"trellis/notify/notifytest"
	"trellis/sqlstore"
	"trellis/sqlstore/storetest"
)

// deliveryEnv is a store with a person to notify, a real SMTP server and a
// real webhook receiver.
type deliveryEnv struct {
	*env
	inbox *sqlstore.NotificationService
	out   *sqlstore.DeliveryService
	smtp  *notifytest.SMTPServer
	hook  *notifytest.Receiver
	dl    *notify.Deliverer
	eve   *trellis.Person
}

func newDeliveryEnv(t *testing.T) *deliveryEnv {
	e := &deliveryEnv{env: newEnv(t)}
	e.inbox = sqlstore.NewNotificationService(e.db)
	e.out = sqlstore.NewDeliveryService(e.db)
	e.smtp = notifytest.NewSMTPServer(t)
	e.hook = notifytest.NewReceiver(t)
	e.eve = e.add(t, "eve@example.com", "Eve Engineer", nil)
	e.dl = &notify.Deliverer{Outbox: e.out, Holder: "node-a", BaseURL: "https://trellis.example.com",
		Mail: &notify.SMTP{Addr: e.smtp.Addr, From: "trellis@example.com", Timeout: 5 * time.Second},
		Hook: &notify.Webhook{AllowPrivate: true, Timeout: 5 * time.Second}}
	return e
}

func (e *deliveryEnv) notify(t *testing.T, p *trellis.Person, title string) *trellis.Notification {
	t.Helper()
	n := &trellis.Notification{PersonID: p.ID, Kind: "document.moved", Title: title, Body: "Body of " + title, URL: "/documents/7"}
	if err := e.inbox.Notify(e.ctx, n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *deliveryEnv) run(t *testing.T) {
	t.Helper()
	if err := e.dl.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (e *deliveryEnv) deliveries(t *testing.T, states ...string) []*trellis.Delivery {
	t.Helper()
	list, err := e.out.ListDeliveries(context.Background(), states, 100)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestDeliveryEmailAndWebhookArrive(t *testing.T) {
	e := newDeliveryEnv(t)
	if err := e.out.SetNotificationPrefs(e.ctx, &trellis.NotificationPrefs{PersonID: e.eve.ID, Email: true, WebhookURL: e.hook.URL + "/hooks/T1"}); err != nil {
		t.Fatal(err)
	}
	e.notify(t, e.eve, "Your document moved to manager review")
	e.run(t)

	mails := e.smtp.Mails()
	if len(mails) != 1 {
		t.Fatalf("got %d mails, want 1", len(mails))
	}
	m := mails[0]
	if m.From != "trellis@example.com" || len(m.To) != 1 || m.To[0] != "eve@example.com" {
		t.Errorf("envelope from %q to %q", m.From, m.To)
	}
	if m.Subject != "Your document moved to manager review" {
		t.Errorf("subject %q", m.Subject)
	}
	if !strings.Contains(m.Body, "Body of Your document moved") || !strings.Contains(m.Body, "https://trellis.example.com/documents/7") {
		t.Errorf("body %q", m.Body)
	}
	if m.Header.Get("Message-ID") == "" {
		t.Error("no Message-ID")
	}
	texts := e.hook.Texts()
	if len(texts) != 1 || !strings.HasPrefix(texts[0], "Your document moved to manager review\n") ||
		!strings.Contains(texts[0], "https://trellis.example.com/documents/7") {
		t.Errorf("webhook got %q", texts)
	}
	if bad := e.hook.Bad(); len(bad) > 0 {
		t.Errorf("webhook posts not Slack-style: %v", bad)
	}
	if n := len(e.deliveries(t, trellis.DeliverySent)); n != 2 {
		t.Errorf("%d deliveries sent, want 2", n)
	}
	// Running again sends nothing more.
	e.run(t)
	if len(e.smtp.Mails()) != 1 || len(e.hook.Texts()) != 1 {
		t.Error("a sent delivery was sent again")
	}
}

func TestDeliveryMutedKindAndLeftPerson(t *testing.T) {
	e := newDeliveryEnv(t)
	if err := e.out.SetNotificationPrefs(e.ctx, &trellis.NotificationPrefs{PersonID: e.eve.ID, Email: true, Muted: []string{"document.moved"}}); err != nil {
		t.Fatal(err)
	}
	e.notify(t, e.eve, "Muted")
	if n := len(e.deliveries(t)); n != 0 {
		t.Errorf("muted kind enqueued %d deliveries", n)
	}
	list, _ := e.inbox.ListNotifications(e.ctx, e.eve.ID, true, 10)
	if len(list) != 1 {
		t.Errorf("the inbox is always on: got %d", len(list))
	}
}

func TestDeliveryPrefsRefuseBadWebhook(t *testing.T) {
	e := newDeliveryEnv(t)
	for _, u := range []string{"ftp://example.com/hook", "javascript:alert(1)", "hooks.slack.com/services/x", "http://", "file:///etc/passwd"} {
		err := e.out.SetNotificationPrefs(e.ctx, &trellis.NotificationPrefs{PersonID: e.eve.ID, Email: true, WebhookURL: u})
		wantDetail(t, err, "webhook_url", "http:// or https://")
	}
	p, err := e.out.NotificationPrefs(e.ctx, e.eve.ID)
	if err != nil || p.WebhookURL != "" || !p.Email {
		t.Errorf("prefs after refusals: %+v, %v", p, err)
	}
}

func TestDeliveryRefusedRetriesThenFails(t *testing.T) {
	e := newDeliveryEnv(t)
	e.smtp.Refuse("550 5.7.1 relaying denied")
	e.notify(t, e.eve, "Refused")
	start := e.clock.T
	e.run(t)
	var waited time.Duration
	for i, b := range trellis.DeliveryBackoff {
		list := e.deliveries(t, trellis.DeliveryPending)
		if len(list) != 1 {
			t.Fatalf("after attempt %d: %d pending", i+1, len(list))
		}
		d := list[0]
		waited += b
		if d.Attempts != i+1 || !d.NextAt.Equal(e.clock.T.Add(b)) || !strings.Contains(d.LastError, "550") {
			t.Fatalf("after attempt %d: %+v", i+1, d)
		}
		// Not due before its time.
		e.clock.T = d.NextAt.Add(-time.Second)
		e.run(t)
		if got := e.deliveries(t, trellis.DeliveryPending); len(got) != 1 || got[0].Attempts != i+1 {
			t.Fatalf("retried before the backoff")
		}
		e.clock.T = d.NextAt
		e.run(t)
	}
	failed := e.deliveries(t, trellis.DeliveryFailed)
	if len(failed) != 1 || failed[0].Attempts != len(trellis.DeliveryBackoff)+1 || !strings.Contains(failed[0].LastError, "550") || !strings.Contains(failed[0].LastError, "relaying denied") {
		for _, f := range failed {
			t.Logf("%+v", *f)
		}
		t.Fatalf("failed: %d", len(failed))
	}
	if e.clock.T.Sub(start) < waited {
		t.Errorf("retries took %v, backoff sums to %v", e.clock.T.Sub(start), waited)
	}
	attempts, err := e.out.DeliveryAttempts(e.ctx, failed[0].ID)
	if err != nil || len(attempts) != len(trellis.DeliveryBackoff)+1 {
		t.Fatalf("attempts %d, %v", len(attempts), err)
	}
	// Retry now, with the server accepting again.
	e.smtp.Refuse("")
	if err := e.out.RetryDelivery(e.ctx, failed[0].ID); err != nil {
		t.Fatal(err)
	}
	e.run(t)
	if len(e.smtp.Mails()) != 1 || len(e.deliveries(t, trellis.DeliverySent)) != 1 {
		t.Error("retry now did not send")
	}
	if err := e.out.RetryDelivery(e.ctx, failed[0].ID); trellis.ErrorCode(err) != trellis.ECONFLICT {
		t.Errorf("retrying a sent delivery: %v", err)
	}
}

func TestDeliveryWebhook500ThenOK(t *testing.T) {
	e := newDeliveryEnv(t)
	if err := e.out.SetNotificationPrefs(e.ctx, &trellis.NotificationPrefs{PersonID: e.eve.ID, WebhookURL: e.hook.URL}); err != nil {
		t.Fatal(err)
	}
	e.hook.FailNext(1)
	e.notify(t, e.eve, "Flaky")
	e.run(t)
	p := e.deliveries(t, trellis.DeliveryPending)
	if len(p) != 1 || !strings.Contains(p[0].LastError, "500") {
		t.Fatalf("after a 500: %+v", p)
	}
	e.clock.T = p[0].NextAt
	e.run(t)
	if texts := e.hook.Texts(); len(texts) != 1 || !strings.HasPrefix(texts[0], "Flaky") {
		t.Errorf("webhook got %q", texts)
	}
}

func TestDeliveryCrashedClaimIsRetried(t *testing.T) {
	e := newDeliveryEnv(t)
	e.notify(t, e.eve, "Crash")
	// A node claims and dies before sending.
	got, err := e.out.ClaimDeliveries(e.ctx, "dead-node", 10, 5*time.Minute)
	if err != nil || len(got) != 1 {
		t.Fatal(got, err)
	}
	e.run(t)
	if len(e.smtp.Mails()) != 0 {
		t.Fatal("sent under another node's live claim")
	}
	e.clock.T = e.clock.T.Add(5*time.Minute + time.Second)
	e.run(t)
	if len(e.smtp.Mails()) != 1 {
		t.Fatal("an expired claim was not retried")
	}
	// The dead node coming back cannot overwrite the outcome.
	if err := e.out.FinishDelivery(e.ctx, got[0], "dead-node", fmt.Errorf("late")); err != nil {
		t.Fatal(err)
	}
	if len(e.deliveries(t, trellis.DeliverySent)) != 1 {
		t.Error("a stale claim changed a sent delivery")
	}
}

func TestDeliveryDigest(t *testing.T) {
	e := newDeliveryEnv(t)
	if err := e.out.SetNotificationPrefs(e.ctx, &trellis.NotificationPrefs{PersonID: e.eve.ID, Email: true, Digest: true}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		e.notify(t, e.eve, fmt.Sprintf("Event %d", i+1))
	}
	e.run(t)
	if len(e.smtp.Mails()) != 0 {
		t.Fatal("a digest e-mail was sent one by one")
	}
	n, err := e.out.CollectDigests(e.ctx)
	if err != nil || n != 1 {
		t.Fatal(n, err)
	}
	if n, _ := e.out.CollectDigests(e.ctx); n != 0 {
		t.Error("a second collection made another digest")
	}
	e.run(t)
	mails := e.smtp.Mails()
	if len(mails) != 1 {
		t.Fatalf("%d mails, want one digest", len(mails))
	}
	m := mails[0]
	if m.To[0] != "eve@example.com" || !strings.Contains(m.Subject, "3 notifications") {
		t.Errorf("digest %q to %q", m.Subject, m.To)
	}
	for i := range 3 {
		if !strings.Contains(m.Body, fmt.Sprintf("Event %d", i+1)) {
			t.Errorf("digest lacks event %d: %q", i+1, m.Body)
		}
	}
}

// Two nodes on one database, each with its scheduler and sender, send every
// message once.
func TestDeliveryTwoNodesSendOnce(t *testing.T) {
	dsn := storetest.DSN(t)
	ctx := context.Background()
	clock := &trellis.FixedClock{T: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	smtpd := notifytest.NewSMTPServer(t)
	type node struct {
		db    *sqlstore.DB
		sched *sqlstore.Scheduler
		job   sqlstore.Job
		dl    *notify.Deliverer
	}
	var nodes []*node
	for i := range 2 {
		db, err := sqlstore.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		db.Clock = clock
		n := &node{db: db, sched: sqlstore.NewScheduler(db)}
		n.sched.Holder = fmt.Sprintf("node-%d", i)
		n.dl = &notify.Deliverer{Outbox: sqlstore.NewDeliveryService(db), Holder: n.sched.Holder, Batch: 3,
			Mail: &notify.SMTP{Addr: smtpd.Addr, From: "trellis@example.com"}}
		n.job = sqlstore.Job{Name: "deliver notifications", Period: 30 * time.Second, Run: n.dl.Run}
		nodes = append(nodes, n)
	}
	if _, err := sqlstore.NewFrameworkService(nodes[0].db).ImportFramework(ctx, testFramework("support", "1"), false); err != nil {
		t.Fatal(err)
	}
	people := sqlstore.NewPersonService(nodes[0].db)
	var ps []*trellis.Person
	for i := range 4 {
		p := &trellis.Person{Email: fmt.Sprintf("p%d@example.com", i), Name: fmt.Sprintf("P%d", i), RoleID: "support-engineer", Access: trellis.AccessEngineer, Active: true}
		if err := people.CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	inbox := []*sqlstore.NotificationService{sqlstore.NewNotificationService(nodes[0].db), sqlstore.NewNotificationService(nodes[1].db)}
	want := 0
	for round := range 4 {
		for i, p := range ps {
			if err := inbox[i%2].Notify(ctx, &trellis.Notification{PersonID: p.ID, Kind: "document.moved", Title: fmt.Sprintf("round %d for %d", round, p.ID)}); err != nil {
				t.Fatal(err)
			}
			want++
		}
		// Both schedulers tick together; then both senders run at once
		// outside the scheduler too, so only the claims keep them apart.
		var wg sync.WaitGroup
		for _, n := range nodes {
			wg.Add(2)
			go func() { defer wg.Done(); n.sched.RunDue(ctx, n.job) }()
			go func() {
				defer wg.Done()
				if err := n.dl.Run(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		clock.T = clock.T.Add(30 * time.Second)
	}
	for _, n := range nodes {
		if err := n.dl.Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]int{}
	for _, m := range smtpd.Mails() {
		seen[m.To[0]+" "+m.Subject]++
	}
	if len(seen) != want {
		t.Errorf("%d distinct messages arrived, want %d", len(seen), want)
	}
	for k, c := range seen {
		if c != 1 {
			t.Errorf("%q arrived %d times", k, c)
		}
	}
}

func TestDeliveryEmailOffOnServer(t *testing.T) {
	e := newDeliveryEnv(t)
	sqlstore.SetEmailEnabled(e.db, false)
	defer sqlstore.SetEmailEnabled(e.db, true)
	e.notify(t, e.eve, "Inbox only")
	if n := len(e.deliveries(t)); n != 0 {
		t.Errorf("%d deliveries enqueued on a server without e-mail", n)
	}
}
