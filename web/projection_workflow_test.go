package web

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"trellis"
)

// approvedDoc stores p's document towards Senior with every section
// written, taken to approved by the manager and the manager's manager.
func approvedDoc(t *testing.T, e *env, o *fixtureOrg, p *trellis.Person, manager, skip string) *trellis.Document {
	t.Helper()
	d := createDoc(t, e, p, "senior-support-engineer", trellis.VisManager)
	var err error
	for _, s := range d.Sections {
		if d, err = e.deps.Documents.SaveSection(actingAs(p), d.ID, s.ID, "Sam cut the median reply time from 9 to 4 hours ([report](https://docs.example/q)).", s.Version, false); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []struct {
		who *trellis.Person
		to  string
	}{{p, trellis.DocManagerReview}, {o.people[manager], trellis.DocPeerReview}, {o.people[skip], trellis.DocApproved}} {
		if d, err = e.deps.Documents.MoveDocument(actingAs(step.who), d.ID, step.to, "", d.Version); err != nil {
			t.Fatalf("%s: %v", step.to, err)
		}
	}
	return d
}

// openCycle stores a cycle whose nomination deadline is ahead.
func openCycle(t *testing.T, e *env, o *fixtureOrg) *trellis.Cycle {
	t.Helper()
	cy := trellis.DefaultCycles(time.Now().Year() + 1)[0]
	for i, p := range trellis.CyclePhases {
		cy.Phases[p] = time.Now().AddDate(0, 0, -20+10*i)
	}
	cy.Normalize()
	if err := e.deps.Cycles.CreateCycle(actingAs(o.people[actDirector]), cy); err != nil {
		t.Fatal(err)
	}
	return cy
}

// The projections page follows the workflow through the pages: the
// nomination makes the candidate's projection nominated in the cycle (made
// for the manager, who had none), a decision not to approve makes it not
// this cycle with the nomination kept in its history; an out-of-cycle
// promotion taking effect makes the other candidate's promoted, the target
// still shown now that it is the person's role.
func TestProjectionsFollowTheWorkflow(t *testing.T) {
	e := newEnv(t)
	o := newFixtureOrg(t, e)
	self := o.people[actSelf]
	cy := openCycle(t, e, o)
	d := approvedDoc(t, e, o, self, actManager, actSkip)
	doc := documentURL(d.ID)
	id := strconv.FormatInt(d.ID, 10)
	row := func(body string, p *trellis.Person) string {
		t.Helper()
		i := strings.Index(body, `<tr id="p-`+strconv.FormatInt(p.ID, 10)+`"`)
		if i < 0 {
			t.Fatalf("no row of %s on the page:\n%s", p.Name, body)
		}
		return body[i : i+strings.Index(body[i:], "</tr>")]
	}

	body := wantStatus(t, "projections before", o.as(e, actManager, "GET", "/projections", ""), 200)
	if r := row(body, self); strings.Contains(r, "Set by the workflow") || !strings.Contains(r, `<option value="on-track" selected>`) {
		t.Errorf("before the nomination the row reads:\n%s", r)
	}
	wantStatus(t, "nominate", postAs(e, o, actManager, doc+"/transitions", url.Values{"to": {"nominated"}, "version": {strconv.Itoa(d.Version)},
		"cycle": {strconv.FormatInt(cy.ID, 10)}}), 303)
	r := row(wantStatus(t, "projections nominated", o.as(e, actManager, "GET", "/projections", ""), 200), self)
	for _, want := range []string{`<option value="nominated" selected>`, `<option value="` + strconv.FormatInt(cy.ID, 10) + `" selected>`,
		`<option value="senior-support-engineer" selected>`, "Set by the workflow", `href="` + doc + `">nominated</a>`, "1 change"} {
		if !strings.Contains(r, want) {
			t.Errorf("after the nomination the row lacks %q:\n%s", want, r)
		}
	}

	// Calibration decides not to approve.
	cal := cycleURL(cy.ID) + "/calibration"
	wantStatus(t, "open calibration", postAs(e, o, actPartner, cal+"/open", url.Values{"document_id": {id}}), 303)
	wantStatus(t, "decide", postAs(e, o, actDirector, cal+"/decisions", url.Values{"document_id": {id}, "outcome": {"not-approve"},
		"rationale": {"Not yet across teams."}}), 303)
	r = row(wantStatus(t, "projections not approved", o.as(e, actManager, "GET", "/projections", ""), 200), self)
	for _, want := range []string{`<option value="not-this-cycle" selected>`, "not approved in calibration", "2 changes", "<strong>nominated</strong>",
		"<strong>not this cycle</strong>"} {
		if !strings.Contains(r, want) {
			t.Errorf("after the decision the row lacks %q:\n%s", want, r)
		}
	}
	all := row(wantStatus(t, "leadership view", o.as(e, actDirector, "GET", "/projections/all?status=not-this-cycle", ""), 200), self)
	if !strings.Contains(all, "not this cycle") || !strings.Contains(all, cy.Name) {
		t.Errorf("leadership's row:\n%s", all)
	}
	// The manager may still change it by hand, from the version shown.
	pr, err := e.deps.Cycles.ListProjections(context.Background(), &o.people[actManager].ID)
	if err != nil || len(pr) != 1 || pr[0].Version != 2 {
		t.Fatalf("projections %+v, %v", pr, err)
	}
	wantStatus(t, "by hand", postAs(e, o, actManager, "/projections", url.Values{"person_id": {strconv.FormatInt(self.ID, 10)},
		"target_role": {"senior-support-engineer"}, "status": {"on-track"}, "version": {"2"}}), 303)

	// Out of cycle, by the director: promoted once it takes effect.
	other := o.people["peer-report"]
	od := approvedDoc(t, e, o, other, actPeer, actDirector)
	odoc := documentURL(od.ID)
	wantStatus(t, "nominate out of cycle", postAs(e, o, actDirector, odoc+"/transitions", url.Values{"to": {"nominated"},
		"version": {strconv.Itoa(od.Version)}, "cycle": {"out"}, "note": {"The enterprise team starts next month."}}), 303)
	for _, to := range []string{trellis.DocInCalibration, trellis.DocDecidedYes, trellis.DocEffective} {
		cur, err := e.deps.Documents.FindDocument(context.Background(), od.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, to, postAs(e, o, actDirector, odoc+"/transitions", url.Values{"to": {to}, "version": {strconv.Itoa(cur.Version)},
			"note": {"Works at the senior level."}}), 303)
	}
	r = row(wantStatus(t, "projections promoted", o.as(e, actPeer, "GET", "/projections", ""), 200), other)
	for _, want := range []string{`<option value="promoted" selected>`, `<option value="senior-support-engineer" selected>Senior Support Engineer</option>`,
		"promotion took effect", "2 changes"} {
		if !strings.Contains(r, want) {
			t.Errorf("after the promotion the row lacks %q:\n%s", want, r)
		}
	}
}
