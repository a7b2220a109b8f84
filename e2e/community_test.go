package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// signOut ends the session through the header's button.
func (b *browser) signOut() {
	b.t.Helper()
	b.clickAndLoad(`form[action="/signout"] button`)
	b.waitURL("/signin")
}

// An engineer asks their manager for a coffee chat; the manager sees it in
// the inbox and accepts.
func TestCoffeeChatJourney(t *testing.T) {
	srv := startServer(t)
	token := strings.Fields(trellisCLI(t, srv.DSN, "", "token", "create", "--email", manager.Email))[0]
	managerID := trellisPersonID(t, srv, token)
	b := newBrowser(t, srv.URL)

	b.signIn(engineer)
	b.do(chromedp.Navigate(fmt.Sprintf("%s/chats?to=%d", srv.URL, managerID)))
	b.fill("#chat-note", "Could we talk about how you moved into management?")
	b.clickAndLoad("#chat-request-submit")
	b.waitURL("/chats/")
	chat := strings.SplitN(b.location(), "?", 2)[0]
	if got := b.text("#chat-waiting"); !strings.Contains(got, manager.Name) {
		t.Fatalf("after the request the page says %q", got)
	}
	b.signOut()

	b.signIn(manager)
	b.do(chromedp.Navigate(srv.URL + "/inbox"))
	b.waitText("main", engineer.Name)
	b.do(chromedp.Navigate(chat))
	b.waitText("#chat-request-note", "moved into management")
	b.clickAndLoad("#chat-accept")
	b.waitText("#chat-status", "accepted")
	t.Logf("accepted chat: %s", b.screenshot("chat-accepted"))
	b.signOut()

	b.signIn(engineer)
	b.do(chromedp.Navigate(chat))
	b.waitText("#chat-status", "accepted")
}

// An engineer subscribes to openings for Senior; a manager's opening that
// closes too soon is refused with the reason, the corrected one is posted,
// and the subscriber hears of it in the inbox.
func TestOpeningSubscriptionJourney(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv.URL)

	b.signIn(engineer)
	b.do(chromedp.Navigate(srv.URL + "/openings/subscriptions"))
	b.do(chromedp.SetValue(chromedp.CSS("#s-role"), "senior-support-engineer"))
	b.clickAndLoad("#subscribe-role")
	b.waitText("#subscriptions", "Senior Support Engineer")
	b.signOut()

	b.signIn(manager)
	today := time.Now().UTC()
	post := func(closeAfterDays int) {
		t.Helper()
		b.do(
			chromedp.Navigate(srv.URL+"/openings/new"),
			chromedp.WaitVisible(chromedp.CSS("#opening-form")),
			chromedp.SetValue(chromedp.CSS("#o-role"), "senior-support-engineer"),
			chromedp.SetValue(chromedp.CSS("#o-opens"), today.Format("2006-01-02")),
			chromedp.SetValue(chromedp.CSS("#o-closes"), today.AddDate(0, 0, closeAfterDays).Format("2006-01-02")),
		)
		b.fill("#o-team", "escalations")
		b.fill("#o-description", "A senior for the enterprise escalations.")
		b.clickAndLoad("#opening-submit")
	}
	post(2)
	if got := b.text("#opening-error"); !strings.Contains(got, "five days") && !strings.Contains(got, "5 days") {
		t.Fatalf("an opening closing after two days: the page says %q", got)
	}
	post(10)
	b.waitText("main", "Senior Support Engineer")
	if b.count("#opening-error") != 0 {
		t.Fatalf("the corrected opening was refused: %s", b.text("#opening-error"))
	}
	b.signOut()

	b.signIn(engineer)
	b.do(chromedp.Navigate(srv.URL + "/inbox"))
	b.waitText("main", "Senior Support Engineer")
	t.Logf("inbox with the opening: %s", b.screenshot("opening-inbox"))
}
