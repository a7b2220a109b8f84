package web

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"trellis"
	"trellis/notify"
	"trellis/notify/notifytest"
	"trellis/sqlstore"
)

func TestNotificationSettingsRefuseBadWebhook(t *testing.T) {
	e := newEnv(t)
	for _, u := range []string{"ftp://chat.example.com/hook", "javascript:alert(1)", "chat.example.com/hook"} {
		r := e.do("POST", "/settings/notifications", strings.NewReader(url.Values{"email": {"1"}, "webhook_url": {u}}.Encode()),
			"Content-Type", "application/x-www-form-urlencoded", "Sec-Fetch-Site", "same-origin")
		if r.Status != 400 || !strings.Contains(string(r.Body), "Chat webhook URL: the webhook URL must start with http:// or https://") {
			t.Errorf("%q: %d %s", u, r.Status, r.Body)
		}
		// What was typed is kept.
		if !strings.Contains(string(r.Body), `value="`+strings.ReplaceAll(u, ":", ":")) {
			t.Errorf("%q not kept in the form", u)
		}
	}
	r := e.do("PUT", "/api/v1/me/notification-settings", strings.NewReader(`{"email":true,"webhook_url":"gopher://x"}`), "Content-Type", "application/json")
	if r.Status != 400 || !strings.Contains(string(r.Body), `"field":"webhook_url"`) {
		t.Errorf("API: %d %s", r.Status, r.Body)
	}
	r = e.do("PUT", "/api/v1/me/notification-settings", strings.NewReader(`{"email":true,"digest":true,"webhook_url":"https://chat.example.com/hook","muted":["reminder.plan"]}`), "Content-Type", "application/json")
	if r.Status != 200 {
		t.Fatalf("API: %d %s", r.Status, r.Body)
	}
	page := e.get("/settings/notifications")
	if page.Status != 200 || !strings.Contains(string(page.Body), `value="https://chat.example.com/hook"`) {
		t.Errorf("settings page: %d", page.Status)
	}
}

// A refusing SMTP server: retries with backoff, then a failed delivery on
// the admin page, retried from there.
func TestAdminDeliveriesShowsFailure(t *testing.T) {
	e := newEnv(t)
	clock := &trellis.FixedClock{T: time.Now().UTC()}
	e.db.Clock = clock
	smtpd := notifytest.NewSMTPServer(t)
	smtpd.Refuse("421 4.3.2 service not available")
	out := sqlstore.NewDeliveryService(e.db)
	dl := &notify.Deliverer{Outbox: out, Holder: "test", Mail: &notify.SMTP{Addr: smtpd.Addr, From: "trellis@example.com"}}
	eve := addPerson(t, e.deps.People, "eve@example.com", "Eve Engineer", trellis.AccessEngineer, nil)
	if err := e.deps.Notifications.Notify(context.Background(), &trellis.Notification{PersonID: eve.ID, Kind: "document.moved", Title: "Refused message"}); err != nil {
		t.Fatal(err)
	}
	for range len(trellis.DeliveryBackoff) + 1 {
		if err := dl.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		clock.T = clock.T.Add(13 * time.Hour)
	}
	clock.T = time.Now().UTC() // the admin's session lives on the real clock
	page := string(e.get("/admin/deliveries").Body)
	for _, want := range []string{"Refused message", "eve@example.com", "failed", "421", "service not available", "Retry now"} {
		if !strings.Contains(page, want) {
			t.Errorf("admin page lacks %q", want)
		}
	}
	list, _ := out.ListDeliveries(context.Background(), []string{trellis.DeliveryFailed}, 10)
	if len(list) != 1 {
		t.Fatalf("%d failed", len(list))
	}
	smtpd.Refuse("")
	if st := e.postForm("/admin/deliveries/"+strconv.FormatInt(list[0].ID, 10)+"/retry", url.Values{}); st != 303 {
		t.Fatalf("retry: %d", st)
	}
	clock.T = time.Now().UTC().Add(time.Second)
	if err := dl.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if m := smtpd.Mails(); len(m) != 1 || m[0].Subject != "Refused message" {
		t.Errorf("after retry: %v", m)
	}
}
