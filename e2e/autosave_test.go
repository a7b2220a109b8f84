package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// value returns the current value of the form field matching sel.
func (b *browser) value(sel string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`(() => { const n = document.querySelector(%q); if (!n) throw new Error("no element matches " + %q); return n.value; })()`, sel, sel)))
	if err != nil {
		b.t.Fatalf("browser: reading the value of %s: %v (screenshot: %s)", sel, err, b.screenshot("FAILED-"+b.t.Name()))
	}
	return v
}

// typeInto appends text at the end of the field, key by key, as a person
// typing there would (input events and all).
func (b *browser) typeInto(sel, text string) {
	b.t.Helper()
	b.do(
		chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Focus(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const n = document.querySelector(%q); n.selectionStart = n.selectionEnd = n.value.length; })()`, sel)),
		chromedp.SendKeys(chromedp.CSS(sel), text),
	)
}

// The document editor saves as one types: the text typed into a section is
// saved without pressing Save and is there after a reload; when someone
// else saved the same section meanwhile, the stale autosave stops, shows
// both texts, and neither text is lost.
func TestDocumentAutosave(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv.URL)
	b.signIn(engineer)
	b.do(chromedp.Click(chromedp.CSS(`header a[href$="/evidence"]`)))
	b.waitURL("/evidence")
	me := srv.URL + "/people/" + personURL.FindStringSubmatch(b.location())[1]

	// A journal entry to insert into the document later.
	b.do(chromedp.Navigate(me + "/evidence/new"))
	b.fill("#e-title", "Paired with two new engineers on a critical escalation")
	b.fill("#e-what", "Walked them through the logs and coached them to find the root cause.")
	b.do(
		chromedp.SetValue(chromedp.CSS("#e-activity"), "pairing-session"),
		chromedp.Click(chromedp.CSS(`button[name="intent"][value="suggest"]`)),
		chromedp.WaitVisible(chromedp.CSS("#s-growing-others")),
		chromedp.Click(chromedp.CSS("#s-growing-others")),
	)
	b.clickAndLoad(`button[name="intent"][value="save"]`)

	b.do(chromedp.Navigate(me + "/documents/new"))
	b.do(chromedp.Click(chromedp.CSS("#t-senior-support-engineer")))
	b.clickAndLoad(`form[action$="/documents"] button[type="submit"]`)
	doc := b.location()
	if i := strings.Index(doc, "/documents/"); i >= 0 {
		doc = srv.URL + "/documents/" + strings.SplitN(strings.SplitN(doc[i+len("/documents/"):], "/", 2)[0], "?", 2)[0]
	}
	// Shared with the manager, who may then edit it too.
	b.do(chromedp.Navigate(doc + "/settings"))
	b.do(chromedp.Click(chromedp.CSS("#v-manager")))
	b.clickAndLoad(`form[action$="/settings"] button[type="submit"]`)

	const area = `form[action$="/sections/summary"] textarea`
	const first = "Eli Engineer leads the enterprise escalations of the team."
	b.do(chromedp.Navigate(doc + "/edit"))
	b.waitURL("/edit")
	b.typeInto(area, first)
	b.waitText("#autosave-status", "Saved")
	if loc := b.location(); strings.Contains(loc, "saved=") {
		t.Fatalf("the form was submitted (at %s); autosave should save in the background", loc)
	}
	if b.count(".notice") != 0 {
		t.Fatalf("a page notice appeared, so the form was posted: %s", b.text(".notice"))
	}

	// A reload shows the saved text, and it is the server's: a fresh load of
	// the document shows it too.
	b.do(chromedp.Reload())
	b.waitURL("/edit")
	if got := b.value(area); got != first {
		t.Fatalf("after a reload the summary reads %q; want %q", got, first)
	}
	b.do(chromedp.Navigate(doc))
	b.waitText("main", first)

	// Typing on after a reload keeps saving: the version in the form is the
	// saved one, not what the page had before.
	b.do(chromedp.Navigate(doc + "/edit"))
	b.waitURL("/edit")
	b.do(chromedp.Reload())
	b.waitURL("/edit")
	const second = " Eli cut the time to resolve them from 9 to 4 hours."
	b.typeInto(area, second)
	b.waitText("#autosave-status", "Saved")
	if got := b.text("#autosave-status"); strings.Contains(strings.ToLower(got), "someone else") {
		t.Fatalf("a reload made the next autosave stale: %s", got)
	}
	b.do(chromedp.Navigate(doc))
	b.waitText("main", first+second)

	// Evidence inserted after an autosave of the same section lands on the
	// autosaved text: the evidence form carries the autosaved version too.
	const results = `form[action$="/sections/business-results"] textarea`
	const typed = "Eli led the escalation runbook rewrite."
	b.do(chromedp.Navigate(doc + "/edit"))
	b.waitURL("/edit")
	b.typeInto(results, typed)
	b.waitText("#autosave-status", "Saved")
	b.do(
		chromedp.Click(chromedp.CSS(`#s-business-results details.insert-evidence summary`)),
		chromedp.Click(chromedp.CSS(`#s-business-results input[name="evidence"]`)),
	)
	b.clickAndLoad(`#s-business-results details.insert-evidence button[type="submit"]`)
	if b.count(".alert") != 0 {
		t.Fatalf("inserting evidence after an autosave conflicts: %s", b.text(".alert"))
	}
	b.waitText(".notice", "Evidence inserted")
	if got := b.value(results); !strings.HasPrefix(got, typed) || !strings.Contains(got, "Paired with two new engineers") {
		t.Fatalf("after inserting evidence the section reads %q", got)
	}

	// A stale autosave: the candidate has the editor open; the manager saves
	// the same section in another browser; the candidate types on.
	b.do(chromedp.Navigate(doc + "/edit"))
	b.waitURL("/edit")
	m := newBrowser(t, srv.URL)
	m.signIn(manager)
	const theirs = "Eli Engineer owns the escalation runbook and teaches it to the team."
	m.do(chromedp.Navigate(doc + "/edit"))
	m.waitURL("/edit")
	m.fill(area, theirs)
	m.clickAndLoad(`form[action$="/sections/summary"] button[type="submit"]`)
	m.waitText(".notice", "Saved")

	const mine = " Customers of the enterprise plan name Eli in their reviews."
	b.typeInto(area, mine)
	b.waitText("#autosave-status", "saved this section meanwhile")
	// Both texts are shown at once, the typed one still in the form.
	b.waitText("#s-summary .conflict", theirs)
	b.waitText("#s-summary .conflict", first+second+mine)
	if got := b.value(area); got != first+second+mine {
		t.Fatalf("after the conflict the form holds %q; want the typed text", got)
	}
	// The manager's text is what is stored.
	m.do(chromedp.Navigate(doc))
	m.waitText("main", theirs)
	if strings.Contains(m.text("main"), mine) {
		t.Fatal("the stale autosave overwrote the manager's text")
	}
	t.Logf("conflict screenshot: %s", b.screenshot("autosave-conflict"))

	// Saving with the button shows both texts side by side (the page the
	// editor falls back on without JavaScript); saving the merge keeps it.
	b.clickAndLoad(`form[action$="/sections/summary"] button[type="submit"]`)
	b.waitText(".alert", "Saved by someone else")
	b.waitText("#s-summary .conflict", theirs)
	if got := b.value(area); got != first+second+mine {
		t.Fatalf("the conflict page holds %q in the form; want the typed text", got)
	}
	merged := theirs + mine
	b.fill(area, merged)
	b.clickAndLoad(`form[action$="/sections/summary"] button[type="submit"]`)
	b.waitText(".notice", "Saved")
	b.do(chromedp.Navigate(doc))
	b.waitText("main", merged)
}
