package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The promotion process end to end in the browser: the candidate writes the
// document from the template, the checks speak, the manager reviews and
// justifies, a peer manager comments on the review copy, the director
// approves, nominates out of cycle, calibrates and approves; the role
// changes and the candidate puts the document in the library.
func TestPromotionJourney(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv.URL)
	b.signIn(engineer)
	b.do(chromedp.Click(chromedp.CSS(`header a[href$="/evidence"]`)))
	b.waitURL("/evidence")
	me := srv.URL + "/people/" + personURL.FindStringSubmatch(b.location())[1]

	// Create from the template for Senior.
	b.do(chromedp.Navigate(me + "/documents/new"))
	b.do(chromedp.Click(chromedp.CSS("#t-senior-support-engineer")))
	b.clickAndLoad(`form[action$="/documents"] button[type="submit"]`)
	doc := b.location()
	if i := strings.Index(doc, "/documents/"); i >= 0 {
		doc = srv.URL + "/documents/" + strings.SplitN(strings.SplitN(doc[i+len("/documents/"):], "/", 2)[0], "?", 2)[0]
	}

	// Fill the candidate's sections; the first version breaks the style rules.
	section := func(id, text string) {
		t.Helper()
		b.do(chromedp.Navigate(doc + "/edit"))
		b.fill(fmt.Sprintf(`form[action$="/sections/%s"] textarea`, id), text)
		b.clickAndLoad(fmt.Sprintf(`form[action$="/sections/%s"] button[type="submit"]`, id))
	}
	section("summary", "I fixed many things and my team loved it.")
	b.do(chromedp.Navigate(doc))
	b.waitText(".checks", "third person")
	section("summary", "Eli Engineer resolves the hardest escalations of the team and teaches others to do the same. In the last year Eli cut the time to resolve critical escalations from 9 to 4 hours.")
	section("business-results", "- Led the [escalation runbook](https://docs.example.com/runbook) rewrite; time to resolve fell from 9 to 4 hours across 120 escalations.\n- Ran [office hours](https://docs.example.com/office-hours) every week for 30 engineers; 12 of them now handle escalations alone.\n- Fixed the [export bug](https://tracker.example.com/issues/42) that caused 80 tickets a month; tickets fell to 3.")
	section("values-alignment", "Collaboration, results, efficiency, diversity, inclusion and belonging, iteration and transparency show in every result above: Eli shares the work openly and iterates in small steps.")

	// Visibility for the manager, consent to the library; then submit.
	b.do(chromedp.Navigate(doc + "/settings"))
	b.do(
		chromedp.Click(chromedp.CSS("#v-manager")),
		chromedp.Click(chromedp.CSS("#share")),
	)
	b.clickAndLoad(`form[action$="/settings"] button[type="submit"]`)
	move := func(to, note string) {
		t.Helper()
		b.do(chromedp.Navigate(doc))
		form := fmt.Sprintf(`form.move-form:has(input[name="to"][value="%s"])`, to)
		if b.count(form) == 0 {
			t.Fatalf("no %q step offered; the page says:\n%s (screenshot %s)", to, b.text("main"), b.screenshot("FAILED-move-"+to))
		}
		if note != "" {
			b.fill(form+" textarea", note)
		}
		b.clickAndLoad(form + " button")
		// A submission with findings asks to confirm; a nomination asks where.
		if b.count(`form:has(input[name="confirm"]) button`) > 0 {
			b.clickAndLoad(`form:has(input[name="confirm"]) button`)
		}
		if b.count("#c-out") > 0 {
			b.do(chromedp.Click(chromedp.CSS("#c-out")))
			b.fill("#note", note)
			b.clickAndLoad(`form:has(#c-out) button[type="submit"]`)
		}
		if b.count(".error-page, .alert[role=alert]") > 0 || strings.Contains(b.text("main"), "ERROR") {
			t.Fatalf("moving to %s failed: %s (screenshot %s)", to, b.text("main"), b.screenshot("FAILED-move-"+to))
		}
	}
	move("manager-review", "")
	b.do(chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)))
	b.waitURL("/signin")

	// The manager writes the justification and opens peer review.
	b.signIn(manager)
	section("business-justification", "The team needs a second senior for the enterprise escalations; Eli already leads them and will own the runbook and the office hours.")
	move("peer-review", "")
	b.do(chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)))
	b.waitURL("/signin")

	// A peer manager comments on the review copy.
	b.signIn(peer)
	b.do(chromedp.Navigate(doc + "/review"))
	b.fill(`form.comment-form:has(input[value="business-results"]) textarea`, "Strong results; add the customer count.")
	b.clickAndLoad(`form.comment-form:has(input[value="business-results"]) button`)
	b.waitText("main", "Strong results")
	b.do(chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)))
	b.waitURL("/signin")

	// The director approves, nominates out of cycle, calibrates and decides.
	b.signIn(director)
	move("approved", "")
	move("nominated", "The enterprise team starts next month and needs a senior now.")
	move("in-calibration", "")
	move("promotion-approved", "Performs at senior level: results with numbers, teaches others, owns the runbook.")
	move("effective", "")
	b.do(chromedp.Navigate(me))
	b.waitText("main", "Senior Support Engineer")
	t.Logf("profile after promotion: %s", b.screenshot("promoted-profile"))
	b.do(chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)))
	b.waitURL("/signin")

	// The candidate shares it; it appears in the library.
	b.signIn(engineer)
	move("in-library", "")
	b.do(chromedp.Navigate(srv.URL + "/library?q=runbook"))
	b.waitText("main", "Eli Engineer")
	t.Logf("library screenshot: %s", b.screenshot("library"))
}
