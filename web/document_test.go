package web

import (
	"context"
	"encoding/json"
	"fmt"
	stdhtml "html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"

	"trellis"
	"trellis/markdown"
)

// docFixture is what the route x actor table needs of the promotion routes:
// a draft document of the engineer shared with the manager, a comment on it
// by the engineer, a comment on the review copy by the peer manager, a
// feedback request to the peer manager and a cycle.
type docFixture struct {
	doc, api, section, comment, reviewComment, feedback, cycle, apiCycle string
	version                                                              string
	line, above                                                          []string
}

// as returns ctx acting as p.
func actingAs(p *trellis.Person) context.Context {
	return trellis.NewContextWithActor(context.Background(), trellis.Actor{Person: p})
}

func newDocFixture(t *testing.T, e *env, o *fixtureOrg) docFixture {
	t.Helper()
	self := o.people[actSelf]
	senior := "senior-support-engineer"
	if _, err := e.deps.People.UpdatePerson(context.Background(), o.people[actPeer].ID, trellis.PersonUpdate{RoleID: &senior}, o.people[actPeer].Version); err != nil {
		t.Fatal(err)
	}
	d := createDoc(t, e, self, senior, trellis.VisManager)
	ctx := actingAs(self)
	c := &trellis.Comment{DocumentID: d.ID, SectionID: "summary", AuthorID: self.ID, Text: "Is the second sentence too long?"}
	if err := e.deps.Documents.AddComment(ctx, c); err != nil {
		t.Fatal(err)
	}
	rc := &trellis.Comment{DocumentID: d.ID, SectionID: "summary", AuthorID: o.people[actPeer].ID, Text: "Strong case.", OnReviewCopy: true}
	if err := e.deps.Documents.AddComment(actingAs(o.people[actPeer]), rc); err != nil {
		t.Fatal(err)
	}
	fr := &trellis.FeedbackRequest{DocumentID: d.ID, ReviewerID: o.people[actPeer].ID}
	if err := e.deps.Documents.RequestFeedback(ctx, fr); err != nil {
		t.Fatal(err)
	}
	cy := trellis.DefaultCycles(time.Now().Year() + 1)[0]
	if err := e.deps.Cycles.CreateCycle(actingAs(o.people[actDirector]), cy); err != nil {
		t.Fatal(err)
	}
	doc := documentURL(d.ID)
	return docFixture{doc: doc, api: "/api/v1" + doc, section: doc + "/sections/summary", comment: fmt.Sprintf("%s/comments/%d/resolve", doc, c.ID),
		reviewComment: fmt.Sprintf("%s/review/comments/%d/resolve", doc, rc.ID), feedback: fmt.Sprintf("%s/feedback/%d", doc, fr.ID),
		cycle: cycleURL(cy.ID), apiCycle: "/api/v1" + cycleURL(cy.ID), version: strconv.Itoa(d.Version),
		line: []string{actSelf, actManager, actSkip, actDirector}, above: []string{actManager, actSkip, actDirector}}
}

// createDoc stores a new document of p for role with a summary.
func createDoc(t *testing.T, e *env, p *trellis.Person, role string, vis trellis.Visibility) *trellis.Document {
	t.Helper()
	fw, ver, err := e.fs.FindFramework(context.Background(), trellis.Ref{ID: "support"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := trellis.NewDocument(fw, ver.Version, p, role, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ctx := actingAs(p)
	if err := e.deps.Documents.CreateDocument(ctx, d); err != nil {
		t.Fatal(err)
	}
	if vis != d.Visibility {
		d.Visibility = vis
		if err := e.deps.Documents.UpdateDocument(ctx, d, d.Version); err != nil {
			t.Fatal(err)
		}
	}
	v := 0
	for _, s := range d.Sections {
		if s.ID == "summary" {
			v = s.Version
		}
	}
	d, err = e.deps.Documents.SaveSection(ctx, d.ID, "summary", "Sam already leads the queue. Sam cut the median reply time from 9 to 4 hours.", v, false)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// routeCasesForDocuments are the promotion routes of the route x actor
// table: the engineer's draft shared with the manager is read by their
// line and hidden (404) from everyone else; the engineer and the direct
// manager edit it; only the engineer chooses who sees it; managers outside
// the line see the review copy, the engineer does not; leadership and the
// people partner plan cycles and calibrate.
func routeCasesForDocuments(t *testing.T, e *env, o *fixtureOrg) map[string]routeCase {
	f := newDocFixture(t, e, o)
	self := o.people[actSelf]
	people := personURL(self.ID) + "/documents"
	js := func(s string) func() string { return func() string { return s } }
	return map[string]routeCase{
		"GET /people/{pid}/documents":                  {path: people, want: htmlPage(200)},
		"GET /people/{pid}/documents/new":              {path: people + "/new", want: htmlPage(403).set(200, actSelf, actManager)},
		"POST /people/{pid}/documents":                 {path: people, form: url.Values{"target": {""}}, want: form(403).set(400, actSelf, actManager)},
		"GET /documents/{id}":                          {path: f.doc, want: htmlPage(404).set(200, f.line...)},
		"GET /documents/{id}/edit":                     {path: f.doc + "/edit", want: htmlPage(404).set(403, actSkip, actDirector).set(200, actSelf, actManager)},
		"POST /documents/{id}/sections/{sid}":          {path: f.section, form: url.Values{"text": {"typed"}, "version": {"999"}}, want: form(404).set(403, actSkip, actDirector).set(409, actSelf, actManager)},
		"POST /documents/{id}/sections/{sid}/evidence": {path: f.section + "/evidence", form: url.Values{"version": {"1"}}, want: form(404).set(403, actSkip, actDirector).set(400, actSelf, actManager)},
		"GET /documents/{id}/history":                  {path: f.doc + "/history", want: htmlPage(404).set(200, f.line...)},
		"GET /documents/{id}/settings":                 {path: f.doc + "/settings", want: htmlPage(404).set(403, f.above...).set(200, actSelf)},
		"POST /documents/{id}/settings":                {path: f.doc + "/settings", form: url.Values{"visibility": {"everyone"}, "title": {"x"}}, want: form(404).set(403, f.above...).set(400, actSelf)},
		"POST /documents/{id}/comments":                {path: f.doc + "/comments", form: url.Values{"section": {"summary"}, "text": {""}}, want: form(404).set(400, f.line...)},
		"POST /documents/{id}/comments/{cid}/resolve":  {path: f.comment, form: url.Values{}, want: form(404).set(403, actSkip, actDirector).set(303, actSelf, actManager)},
		"GET /documents/{id}/review":                   {path: f.doc + "/review", want: htmlPage(404).set(200, actManager, actSkip, actPeer, actDirector)},
		// The queue of peer reviews lists what the viewer takes part in,
		// and nothing to anyone else.
		"GET /reviews":                                       {path: "/reviews", want: htmlPage(200)},
		"POST /documents/{id}/review/comments":               {path: f.doc + "/review/comments", form: url.Values{"section": {"summary"}, "text": {""}}, want: form(404).set(400, actManager, actSkip, actPeer, actDirector)},
		"POST /documents/{id}/review/comments/{cid}/resolve": {path: f.reviewComment, form: url.Values{}, want: form(404).set(403, actSkip, actDirector).set(303, actManager, actPeer)},
		"GET /documents/{id}/feedback":                       {path: f.doc + "/feedback", want: htmlPage(404).set(200, f.line...)},
		"POST /documents/{id}/feedback":                      {path: f.doc + "/feedback", form: url.Values{"email": {"x@example.com"}}, want: form(404).set(403, actSkip, actDirector).set(422, actSelf, actManager)},
		"GET /documents/{id}/feedback/{fid}":                 {path: f.feedback, want: htmlPage(404).set(200, actPeer)},
		"POST /documents/{id}/feedback/{fid}":                {path: f.feedback, form: url.Values{"start": {""}}, want: form(404).set(400, actPeer)},
		"POST /documents/{id}/transitions":                   {path: f.doc + "/transitions", form: url.Values{"to": {"peer-review"}, "version": {f.version}}, want: form(404).set(409, f.line...)},
		"GET /documents/{id}/export":                         {path: f.doc + "/export?format=md", want: htmlPage(404).set(200, f.line...)},
		"GET /cycles":                                        {path: "/cycles", want: htmlPage(200)},
		"GET /cycles/new":                                    {path: "/cycles/new", want: htmlPage(403).set(200, actDirector, actPartner)},
		"POST /cycles":                                       {path: "/cycles", form: url.Values{"name": {""}}, want: form(403).set(400, actDirector, actPartner)},
		"POST /cycles/defaults":                              {path: "/cycles/defaults", form: url.Values{"year": {"soon"}}, want: form(403).set(400, actDirector, actPartner)},
		"GET /cycles/{id}":                                   {path: f.cycle, want: htmlPage(200)},
		"POST /cycles/{id}":                                  {path: f.cycle, form: url.Values{"name": {"x"}, "version": {"999"}}, want: form(403).set(409, actDirector, actPartner)},
		"GET /cycles/{id}/calibration":                       {path: f.cycle + "/calibration", want: htmlPage(404).set(200, actDirector, actPartner)},
		// The draft is no nomination of the cycle: 404 for whoever may
		// calibrate, and the route is hidden from everyone else.
		"POST /cycles/{id}/calibration/open":      {path: f.cycle + "/calibration/open", form: url.Values{"document_id": {strings.TrimPrefix(f.doc, "/documents/")}}, want: form(404)},
		"POST /cycles/{id}/calibration/decisions": {path: f.cycle + "/calibration/decisions", form: url.Values{"document_id": {strings.TrimPrefix(f.doc, "/documents/")}}, want: form(404)},
		"GET /projections":                        {path: "/projections", want: htmlPage(200)},
		"POST /projections": {path: "/projections", form: url.Values{"person_id": {strconv.FormatInt(self.ID, 10)}, "status": {"on-track"}, "version": {"0"}, "target_role": {"senior-support-engineer"}},
			want: form(404).set(403, actSelf, actSkip, actDirector).set(303, actManager)},
		"GET /projections/all": {path: "/projections/all", want: htmlPage(404).set(200, actDirector, actPartner)},
		"GET /library":         {path: "/library?q=queue", want: htmlPage(200)},
		"GET /inbox":           {path: "/inbox", want: htmlPage(200)},
		"POST /inbox/read":     {path: "/inbox/read", form: url.Values{"all": {"1"}}, want: form(303)},

		"GET /api/v1/documents":      {path: "/api/v1/documents?person=" + strconv.FormatInt(self.ID, 10), want: api(200)},
		"POST /api/v1/documents":     {path: "/api/v1/documents", body: js("{}"), contentType: "application/json", want: api(400)},
		"GET /api/v1/documents/{id}": {path: f.api, want: api(404).set(200, f.line...)},
		"PATCH /api/v1/documents/{id}": {path: f.api, body: js(`{"title":"x"}`), contentType: "application/merge-patch+json",
			want: api(404).set(403, f.above...).set(428, actSelf)},
		"POST /api/v1/documents/{id}/transitions": {path: f.api + "/transitions", body: js(`{"to":"peer-review"}`), contentType: "application/json", want: api(404).set(409, f.line...)},
		"GET /api/v1/documents/{id}/export":       {path: f.api + "/export?format=md", want: api(404).set(200, f.line...)},
		"GET /api/v1/cycles":                      {path: "/api/v1/cycles", want: api(200)},
		"POST /api/v1/cycles":                     {path: "/api/v1/cycles", body: js("{}"), contentType: "application/json", want: api(403).set(400, actDirector, actPartner)},
		"GET /api/v1/cycles/{id}":                 {path: f.apiCycle, want: api(200)},
		"GET /api/v1/cycles/{id}/calibration":     {path: f.apiCycle + "/calibration", want: api(404).set(200, actDirector, actPartner)},
		"GET /api/v1/library":                     {path: "/api/v1/library?q=queue", want: api(200)},
	}
}

// xssPayloads are Markdown and HTML that try to run script.
var xssPayloads = []string{
	`<script>alert(1)</script>`,
	`<img src=x onerror=alert(1)>`,
	`[click](javascript:alert(1))`,
	`[click](JaVaScRiPt:alert(1))`,
	`<a href="javascript:alert(1)">x</a>`,
	`<svg onload=alert(1)>`,
	`<iframe src="javascript:alert(1)"></iframe>`,
	`![x](javascript:alert(1))`,
	`<div style="background:url(javascript:alert(1))">x</div>`,
	`"><script>alert(1)</script>`,
	`<body onload=alert(1)>`,
	"```\n</code><script>alert(1)</script>\n```",
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	`[x](&#106;avascript:alert(1))`,
	`<details open ontoggle=alert(1)>`,
}

var (
	unsafeScript = regexp.MustCompile(`(?i)<script`)
	unsafeOn     = regexp.MustCompile(`(?i)<[^>]*\son[a-z]+\s*=`)
	unsafeJS     = regexp.MustCompile(`(?i)(href|src|action|formaction)\s*=\s*["']?\s*javascript:`)
)

// assertHarmless fails when a page could run script from user text.
func assertHarmless(t *testing.T, what, body string) {
	t.Helper()
	// The editor's own script tag is ours.
	body = regexp.MustCompile(`<script src="/static/editor\.[0-9a-f]+\.js" defer></script>`).ReplaceAllString(body, "")
	for _, re := range []*regexp.Regexp{unsafeScript, unsafeOn, unsafeJS} {
		if m := re.FindString(body); m != "" {
			t.Errorf("%s renders unsafe markup %q", what, m)
		}
	}
}

// TestDocumentJourney walks a promotion through the real router: create
// from the template, fill in, checks, submit with confirmation, manager
// review, peer comments on the review copy, approval, nomination into a
// cycle, calibration and the decision with its rationale, the role change
// and the library.
func TestDocumentJourney(t *testing.T) {
	e := newEnv(t)
	o := newFixtureOrg(t, e)
	self := o.people[actSelf]
	ctx := context.Background()
	// The engineer is a Support Engineer since two years ago, in a team.
	since := time.Now().AddDate(-2, 0, 0)
	teams := []string{"emea-support"}
	if _, err := e.deps.People.UpdatePerson(ctx, self.ID, trellis.PersonUpdate{RoleSince: &since, Teams: &teams}, self.Version); err != nil {
		t.Fatal(err)
	}
	ev := &trellis.Evidence{PersonID: self.ID, FrameworkID: "support", Date: trellis.Day(time.Now().UTC()).AddDate(0, 0, -10), Title: "Led the escalation on the login outage",
		Result: "Time to resolution fell from 9 to 4 hours", Links: []string{"https://tickets.example/42"}, Competencies: []string{"troubleshooting", "incident-handling"}, Visibility: trellis.VisManager}
	if err := e.deps.Evidence.CreateEvidence(actingAs(self), ev); err != nil {
		t.Fatal(err)
	}

	// Create from the template: only reachable roles; the draft opens in
	// the editor with every section of the template.
	people := personURL(self.ID) + "/documents"
	wantStatus(t, "new form", o.as(e, actSelf, "GET", people+"/new", ""), 200, "Senior Support Engineer", `name="target"`)
	wantStatus(t, "unreachable", postAs(e, o, actSelf, people, url.Values{"target": {"wizard"}}), 400, "not a role reachable")
	res := postAs(e, o, actSelf, people, url.Values{"target": {"senior-support-engineer"}})
	wantStatus(t, "create", res, 303)
	edit := res.Header.Get("Location")
	doc := strings.TrimSuffix(strings.Split(edit, "?")[0], "/edit")
	body := wantStatus(t, "editor", o.as(e, actSelf, "GET", edit, ""), 200, "Summary", "Business results", "Business justification", "Values alignment",
		"Insert evidence from the journal", "Led the escalation on the login outage", `data-autosave=`, "Guidance", "Checks")
	id, _ := strconv.ParseInt(strings.TrimPrefix(doc, "/documents/"), 10, 64)
	get := func() *trellis.Document {
		d, err := e.deps.Documents.FindDocument(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	sec := func(d *trellis.Document, sid string) trellis.DocumentSection {
		for _, s := range d.Sections {
			if s.ID == sid {
				return s
			}
		}
		t.Fatalf("no section %s", sid)
		return trellis.DocumentSection{}
	}
	_ = body

	// Insert evidence: the chosen entry is appended as Markdown.
	d := get()
	res = postAs(e, o, actSelf, doc+"/sections/business-results/evidence", url.Values{"evidence": {strconv.FormatInt(ev.ID, 10)}, "version": {strconv.Itoa(sec(d, "business-results").Version)}})
	wantStatus(t, "insert evidence", res, 303)
	d = get()
	if !strings.Contains(sec(d, "business-results").Text, "Led the escalation on the login outage") {
		t.Fatalf("evidence not inserted: %q", sec(d, "business-results").Text)
	}

	// The candidate shares it with the manager (settings, audited).
	d = get()
	wantStatus(t, "share", postAs(e, o, actSelf, doc+"/settings", url.Values{"title": {d.Title}, "visibility": {"manager"}, "version": {strconv.Itoa(d.Version)}}), 303)
	d = get()

	// Autosave answers JSON with the new version.
	v := sec(d, "summary").Version
	res = postAs(e, o, actSelf, doc+"/sections/summary?autosave=1", url.Values{"text": {"I lead the queue and my team loves it."}, "version": {strconv.Itoa(v)}})
	wantStatus(t, "autosave", res, 200)
	var reply autosaveReply
	if err := json.Unmarshal(res.Body, &reply); err != nil || reply.Version <= v {
		t.Fatalf("autosave reply %s (%v)", res.Body, err)
	}
	// A stale save of the same section: both texts, nothing lost.
	res = postAs(e, o, actManager, doc+"/sections/summary", url.Values{"text": {"The manager's summary of Sam."}, "version": {strconv.Itoa(v)}})
	wantStatus(t, "stale save", res, 409, "I lead the queue and my team loves it.", "The manager&#39;s summary of Sam.", "Saved now by")
	if got := sec(get(), "summary").Text; got != "I lead the queue and my team loves it." {
		t.Fatalf("the stale save overwrote the text: %q", got)
	}
	// The checks show the first person, quoting the sentence.
	body = wantStatus(t, "document", o.as(e, actSelf, "GET", doc, ""), 200, "Checks", "I lead the queue and my team loves it.")
	if !strings.Contains(body, "finding-error") {
		t.Error("no error finding for the first person")
	}

	// Fill every section and submit: errors remain, so the submit asks.
	fill := map[string]string{
		"summary":                "I lead the queue. Sam cut the median reply time from 9 to 4 hours ([queue report](https://docs.example/q)).",
		"business-results":       "Sam led the escalation on the login outage; time to resolution fell from 9 to 4 hours ([ticket](https://tickets.example/42)).",
		"business-justification": "The team grows by 4 engineers in 2027 and needs Sam to lead escalations ([plan](https://docs.example/plan)).",
		"values-alignment":       "Sam shares every postmortem openly ([postmortem](https://docs.example/pm)).",
	}
	d = get()
	for sid, text := range fill {
		who := actSelf
		if sid == "business-justification" {
			who = actManager
		}
		wantStatus(t, "save "+sid, postAs(e, o, who, doc+"/sections/"+sid, url.Values{"text": {text}, "version": {strconv.Itoa(sec(d, sid).Version)}}), 303)
		d = get()
	}
	body = wantStatus(t, "submit asks", postAs(e, o, actSelf, doc+"/transitions", url.Values{"to": {"manager-review"}, "version": {strconv.Itoa(d.Version)}}), 200,
		"Submit anyway", "to fix")
	if get().State != trellis.DocDraft {
		t.Fatal("submitted without confirmation")
	}
	// Not by this actor: 403; not from this state: 409.
	wantStatus(t, "skip submits", postAs(e, o, actSkip, doc+"/transitions", url.Values{"to": {"manager-review"}, "version": {strconv.Itoa(d.Version)}}), 403)
	wantStatus(t, "approve a draft", postAs(e, o, actSkip, doc+"/transitions", url.Values{"to": {"approved"}, "version": {strconv.Itoa(d.Version)}}), 409)
	wantStatus(t, "submit confirmed", postAs(e, o, actSelf, doc+"/transitions", url.Values{"to": {"manager-review"}, "version": {strconv.Itoa(d.Version)}, "confirm": {"1"}}), 303)
	if get().State != trellis.DocManagerReview {
		t.Fatalf("state %s", get().State)
	}
	// The manager finds it in the inbox.
	wantStatus(t, "inbox", o.as(e, actManager, "GET", "/inbox", ""), 200, "badge-count")

	// Peer review: the peer manager comments on the review copy, which the
	// candidate does not see.
	d = get()
	wantStatus(t, "open peer review", postAs(e, o, actManager, doc+"/transitions", url.Values{"to": {"peer-review"}, "version": {strconv.Itoa(d.Version)}}), 303)
	wantStatus(t, "peer comment", postAs(e, o, actPeer, doc+"/review/comments", url.Values{"section": {"summary"}, "text": {"Name the team size."}}), 303)
	wantStatus(t, "review copy", o.as(e, actManager, "GET", doc+"/review", ""), 200, "Name the team size.")
	wantStatus(t, "candidate no review copy", o.as(e, actSelf, "GET", doc+"/review", ""), 404)
	if strings.Contains(string(o.as(e, actSelf, "GET", doc, "").Body), "Name the team size.") {
		t.Error("the candidate sees a review-copy comment")
	}

	// The manager's manager approves; the manager nominates into a cycle.
	cy := trellis.DefaultCycles(time.Now().Year() + 1)[0]
	cy.Phases[trellis.PhaseDrafting] = time.Now().AddDate(0, 0, -20)
	cy.Phases[trellis.PhaseManagerReview] = time.Now().AddDate(0, 0, -10)
	cy.Phases[trellis.PhaseNominationDeadline] = time.Now().AddDate(0, 0, 5)
	cy.Phases[trellis.PhaseCalibration] = time.Now().AddDate(0, 0, 10)
	cy.Phases[trellis.PhaseApprovals] = time.Now().AddDate(0, 0, 20)
	cy.Phases[trellis.PhaseCommunication] = time.Now().AddDate(0, 0, 30)
	cy.Phases[trellis.PhaseEffective] = time.Now().AddDate(0, 0, 40)
	cy.Normalize()
	if err := e.deps.Cycles.CreateCycle(actingAs(o.people[actDirector]), cy); err != nil {
		t.Fatal(err)
	}
	d = get()
	wantStatus(t, "approve", postAs(e, o, actSkip, doc+"/transitions", url.Values{"to": {"approved"}, "version": {strconv.Itoa(d.Version)}}), 303)
	d = get()
	wantStatus(t, "choose cycle", postAs(e, o, actManager, doc+"/transitions", url.Values{"to": {"nominated"}, "version": {strconv.Itoa(d.Version)}}), 200, cy.Name, "Out of cycle")
	wantStatus(t, "nominate", postAs(e, o, actManager, doc+"/transitions", url.Values{"to": {"nominated"}, "version": {strconv.Itoa(d.Version)}, "cycle": {strconv.FormatInt(cy.ID, 10)}}), 303)
	d = get()
	if d.State != trellis.DocNominated || !d.Frozen || d.CycleID == nil || *d.CycleID != cy.ID {
		t.Fatalf("nominated: %+v", d)
	}
	wantStatus(t, "cycle page", o.as(e, actSelf, "GET", cycleURL(cy.ID), ""), 200, "phase-current", self.Name)

	// Calibration: leadership only; decision needs a rationale and a director.
	cal := cycleURL(cy.ID) + "/calibration"
	wantStatus(t, "calibration hidden", o.as(e, actManager, "GET", cal, ""), 404)
	wantStatus(t, "open calibration", postAs(e, o, actPartner, cal+"/open", url.Values{"document_id": {strconv.FormatInt(id, 10)}}), 303)
	wantStatus(t, "calibration", o.as(e, actDirector, "GET", cal, ""), 200, self.Name, "Grade 7", "Time in role", "Readiness", "Record the decision", "Health of the cycle")
	wantStatus(t, "no rationale", postAs(e, o, actDirector, cal+"/decisions", url.Values{"document_id": {strconv.FormatInt(id, 10)}, "outcome": {"approve"}}), 400, "rationale")
	wantStatus(t, "partner decides", postAs(e, o, actPartner, cal+"/decisions", url.Values{"document_id": {strconv.FormatInt(id, 10)}, "outcome": {"approve"}, "rationale": {"Ready."}}), 403)
	wantStatus(t, "decide", postAs(e, o, actDirector, cal+"/decisions", url.Values{"document_id": {strconv.FormatInt(id, 10)}, "outcome": {"approve"}, "rationale": {"Ready: leads escalations across the team."}}), 303)
	if st := get().State; st != trellis.DocDecidedYes {
		t.Fatalf("after the decision: %s", st)
	}
	api := e.do("GET", "/api/v1/cycles/"+strconv.FormatInt(cy.ID, 10)+"/calibration", nil, "Cookie", SessionCookie+"="+o.cookies[actDirector])
	wantStatus(t, "calibration api", api, 200, `"approved":1`)

	// Export: the same text in Markdown and HTML; audited.
	md := wantStatus(t, "export md", o.as(e, actSelf, "GET", doc+"/export?format=md", ""), 200)
	html := wantStatus(t, "export html", o.as(e, actSelf, "GET", doc+"/export?format=html", ""), 200, "<style>")
	if strings.Contains(html, "<script") {
		t.Error("the HTML export has a script")
	}
	mainHTML := html[strings.Index(html, "<main>"):]
	mainHTML = mainHTML[:strings.Index(mainHTML, "</main>")]
	mdText := md[:strings.LastIndex(md, "\n---\n")]
	if a, b := markdownText(mdText), htmlText(mainHTML); a != b {
		t.Errorf("Markdown and HTML exports differ:\n md: %s\nhtml: %s", a, b)
	}
	if res := o.as(e, actSelf, "GET", doc+"/export?format=pdf", ""); res.Status != 200 && res.Status != 503 {
		t.Errorf("pdf export: %d", res.Status)
	} else if res.Status == 200 && !strings.HasPrefix(string(res.Body), "%PDF") {
		t.Error("the PDF export is no PDF")
	}
	events, err := e.deps.Audit.ListAudit(ctx, trellis.AuditFilter{Action: trellis.AuditExport})
	if err != nil || len(events.Items) < 2 {
		t.Errorf("exports not audited: %v %v", events, err)
	}

	// History: revisions and a readable diff.
	revs, err := e.deps.Documents.Revisions(ctx, id)
	if err != nil || len(revs) < 2 {
		t.Fatalf("revisions: %d %v", len(revs), err)
	}
	first, last := revs[0].Revision, revs[0].Revision
	for _, r := range revs {
		first, last = min(first, r.Revision), max(last, r.Revision)
	}
	wantStatus(t, "history", o.as(e, actSelf, "GET", fmt.Sprintf("%s/history?from=%d&to=%d", doc, first, last), ""), 200, "Changes from revision", "diff-line diff-add", "Business results")
}

// TestDocumentSafety puts a corpus of cross-site-scripting payloads into
// every user-written text of a document and checks that no page shows
// them as markup.
func TestDocumentSafety(t *testing.T) {
	e := newEnv(t)
	o := newFixtureOrg(t, e)
	self := o.people[actSelf]
	d := createDoc(t, e, self, "senior-support-engineer", trellis.VisOrganisationCommenter)
	payload := strings.Join(xssPayloads, "\n\n")
	ctx := actingAs(self)
	d.Title = `<script>alert("t")</script> title`
	if err := e.deps.Documents.UpdateDocument(ctx, d, d.Version); err != nil {
		t.Fatal(err)
	}
	d, _ = e.deps.Documents.FindDocument(context.Background(), d.ID)
	for _, s := range d.Sections {
		if _, err := e.deps.Documents.SaveSection(ctx, d.ID, s.ID, payload, s.Version, false); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.deps.Documents.AddComment(ctx, &trellis.Comment{DocumentID: d.ID, SectionID: "summary", AuthorID: self.ID, Text: payload}); err != nil {
		t.Fatal(err)
	}
	doc := documentURL(d.ID)
	for _, path := range []string{doc, doc + "/edit", doc + "/history?from=1&to=2", doc + "/settings", doc + "/export?format=html", doc + "/feedback",
		personURL(self.ID) + "/documents", "/library?q=script"} {
		res := o.as(e, actSelf, "GET", path, "")
		if res.Status != 200 {
			t.Errorf("%s: %d", path, res.Status)
			continue
		}
		assertHarmless(t, path, string(res.Body))
	}
	res := o.as(e, actManager, "GET", doc+"/review", "")
	assertHarmless(t, "review", string(res.Body))
}

// TestLibraryVisibility: the library shows documents their candidates put
// there and in-progress documents open to everyone, never a private draft.
func TestLibraryVisibility(t *testing.T) {
	e := newEnv(t)
	o := newFixtureOrg(t, e)
	private := createDoc(t, e, o.people[actSelf], "senior-support-engineer", trellis.VisPrivate)
	open := createDoc(t, e, o.people["peer-report"], "senior-support-engineer", trellis.VisOrganisationViewer)
	body := wantStatus(t, "library", o.as(e, actSkip, "GET", "/library?q=queue", ""), 200)
	if strings.Contains(body, documentURL(private.ID)+`"`) {
		t.Error("a private draft is in the library")
	}
	_ = open
	res := e.do("GET", "/api/v1/library?q=queue", nil, "Cookie", SessionCookie+"="+o.cookies[actSkip])
	wantStatus(t, "library api", res, 200)
	if strings.Contains(string(res.Body), fmt.Sprintf(`"id":%d,`, private.ID)) {
		t.Error("a private draft is in the API library")
	}
}

// markdownText renders Markdown to its visible text.
func markdownText(src string) string { return htmlText(string(markdown.HTML(src))) }

// htmlText is the visible text of an HTML fragment, whitespace collapsed.
func htmlText(h string) string {
	h = regexp.MustCompile(`<[^>]*>`).ReplaceAllString(h, " ")
	return strings.Join(strings.Fields(stdhtml.UnescapeString(h)), " ")
}

func init() {
	// The exports are text and files; the OpenAPI checks read them as such.
	openapi3filter.RegisterBodyDecoder("text/markdown", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("application/pdf", openapi3filter.FileBodyDecoder)
}
