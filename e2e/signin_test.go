package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Signing in and out: a page that needs an account sends the visitor to the
// sign-in form and back; a wrong password changes nothing; signing out ends
// the session.
func TestSignInAndOut(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv.URL)

	b.do(chromedp.Navigate(srv.URL + "/people"))
	b.waitURL("/signin")
	if loc := b.location(); !strings.Contains(loc, "next=") {
		t.Fatalf("the sign-in page does not remember where the visitor was going: %s", loc)
	}

	b.fill(`input[name="email"]`, engineer.Email)
	b.fill(`input[name="password"]`, "not-the-password")
	b.do(chromedp.Submit(chromedp.CSS(`input[name="password"]`)))
	b.waitURL("/signin")
	b.do(chromedp.WaitVisible(chromedp.CSS(`[role="alert"], .error, .flash-error`)))
	if msg := b.text("main"); !strings.Contains(msg, "do not match") {
		t.Fatalf("wrong password: the page says %q", msg)
	}
	t.Logf("refused sign-in screenshot: %s", b.screenshot("signin-refused"))

	b.fill(`input[name="email"]`, engineer.Email)
	b.fill(`input[name="password"]`, password)
	b.do(chromedp.Submit(chromedp.CSS(`input[name="password"]`)))
	b.waitURL("/people")
	if header := b.text("header"); !strings.Contains(header, engineer.Name) {
		t.Fatalf("after signing in the header does not name the person: %q", header)
	}
	t.Logf("signed-in screenshot: %s", b.screenshot("signed-in"))

	b.do(chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)))
	b.waitURL("/signin")
	b.do(chromedp.Navigate(srv.URL + "/people"))
	b.waitURL("/signin?next=")
}
