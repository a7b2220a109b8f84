package e2e

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

var personURL = regexp.MustCompile(`/people/(\d+)/`)

// An engineer writes down an example, accepts a suggested competency, aims
// for Senior, rates themselves; their manager confirms, and the readiness
// summary counts the expectation as met.
func TestEvidenceToReadinessJourney(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv.URL)
	b.signIn(engineer)

	b.do(chromedp.Click(chromedp.CSS(`header a[href$="/evidence"]`)))
	b.waitURL("/evidence")
	m := personURL.FindStringSubmatch(b.location())
	if m == nil {
		t.Fatalf("the journal is at %s; want /people/ID/evidence", b.location())
	}
	me := srv.URL + "/people/" + m[1]

	// Write an entry and ask for suggestions; nothing is ticked for us.
	b.do(chromedp.Navigate(me + "/evidence/new"))
	b.fill("#e-title", "Paired with two new engineers on a critical escalation")
	b.fill("#e-what", "Walked them through the logs, formed hypotheses together and coached them to find the root cause.")
	b.do(
		chromedp.SetValue(chromedp.CSS("#e-activity"), "pairing-session"),
		chromedp.Click(chromedp.CSS(`button[name="intent"][value="suggest"]`)),
		chromedp.WaitVisible(chromedp.CSS("fieldset.suggestions")),
	)
	if checked := b.count("fieldset.suggestions input:checked"); checked != 0 {
		t.Fatalf("%d suggestions were ticked without asking", checked)
	}
	if b.count("#s-growing-others") != 1 {
		t.Fatalf("growing-others is not suggested; suggestions: %s", b.text("fieldset.suggestions"))
	}
	if reasons := b.text("fieldset.suggestions"); !strings.Contains(reasons, "Matches") {
		t.Fatalf("suggestions come without reasons: %s", reasons)
	}
	t.Logf("suggestions screenshot: %s", b.screenshot("evidence-suggestions"))
	b.do(
		chromedp.Click(chromedp.CSS("#s-growing-others")),
	)
	b.clickAndLoad(`button[name="intent"][value="save"]`)
	b.waitText("main", "Paired with two new engineers")
	if b.count("fieldset.suggestions") != 0 {
		t.Fatal("still on the form after saving")
	}
	if body := b.text("main"); !strings.Contains(body, "Growing others") {
		t.Fatalf("the journal does not show the accepted competency:\n%s", body)
	}

	// Aim for Senior.
	b.do(
		chromedp.Navigate(me+"/target"),
		chromedp.Click(chromedp.CSS("#t-senior-support-engineer")),
	)
	b.clickAndLoad(`form[action$="/target"] button[type="submit"]:not([name])`)
	b.waitText("main", "The target role is saved.")
	b.waitText("#h-summary + ul", "0 of")

	// Self-assessment.
	b.do(chromedp.Click(chromedp.CSS("#a-self-growing-others-meets")))
	b.clickAndLoad(`form[action$="/readiness/self"]:has(input[name="competency"][value="growing-others"]) button`)
	b.waitText("main", "The assessment is saved.")
	if got := b.text("#h-summary + ul"); !strings.Contains(got, "0 of") {
		t.Fatalf("a self-assessment alone counted as met: %q", got)
	}

	// The manager confirms.
	b.signOut()
	b.signIn(manager)
	b.do(chromedp.Navigate(me + "/readiness"))
	b.waitURL("/readiness")
	b.do(chromedp.Click(chromedp.CSS("#a-manager-growing-others-meets")))
	b.clickAndLoad(`form[action$="/readiness/manager"]:has(input[name="competency"][value="growing-others"]) button`)
	b.waitText("#h-summary + ul", "1 of")
	t.Logf("readiness screenshot: %s", b.screenshot("readiness"))
}
