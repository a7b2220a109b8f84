package web

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"trellis"
	"trellis/web/apitest"
)

type apitestResponse = apitest.Response

// growthFixture is what the route x actor table needs of the growth
// routes: an entry of the engineer shared with the manager, a private one,
// and a career conversation the manager recorded.
type growthFixture struct {
	person, journal, entry, private, apiEntry, plan, confirm, team, today string
	entryForm, assess                                                     url.Values
	// line is the engineer and their reporting line; above is the line
	// without the engineer.
	line, above []string
}

func newGrowthFixture(t *testing.T, e *env, o *fixtureOrg) growthFixture {
	t.Helper()
	ctx := context.Background()
	self := o.people[actSelf]
	today := trellis.Day(time.Now().UTC())
	shared := &trellis.Evidence{PersonID: self.ID, FrameworkID: "support", Date: today.AddDate(0, 0, -3), Title: "Fixed the login outage",
		Competencies: []string{"troubleshooting"}, Visibility: trellis.VisManager}
	private := &trellis.Evidence{PersonID: self.ID, FrameworkID: "support", Date: today, Title: "A private note",
		Competencies: []string{}, Visibility: trellis.VisPrivate}
	for _, ev := range []*trellis.Evidence{shared, private} {
		if err := e.deps.Evidence.CreateEvidence(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	c := &trellis.Conversation{PersonID: self.ID, ManagerID: o.people[actManager].ID, Date: today, Notes: "Talked about staff"}
	if err := e.deps.Growth.RecordConversation(ctx, c); err != nil {
		t.Fatal(err)
	}
	person := personURL(self.ID)
	return growthFixture{
		person:   person,
		journal:  journalURL(self.ID),
		entry:    entryURL(self.ID, shared.ID),
		private:  entryURL(self.ID, private.ID),
		apiEntry: "/api/v1/evidence/" + strconv.FormatInt(shared.ID, 10),
		plan:     planURL(self.ID),
		confirm:  fmt.Sprintf("%s/conversations/%d/confirm", person, c.ID),
		team:     personURL(o.people[actManager].ID) + "/team",
		today:    today.Format("2006-01-02"),
		entryForm: url.Values{"title": {"Fixed the login outage for good"}, "date": {shared.Date.Format("2006-01-02")},
			"competencies": {"troubleshooting"}, "visibility": {"manager"}, "version": {"1"}, "intent": {"save"}},
		assess: url.Values{"competency": {"troubleshooting"}, "rating": {"meets"}, "comment": {"solid"}},
		line:   []string{actSelf, actManager, actSkip, actDirector},
		above:  []string{actManager, actSkip, actDirector},
	}
}

// as serves a request as one of the fixture's people.
func (o *fixtureOrg) as(e *env, actor, method, path string, body string, header ...string) *apitestResponse {
	e.t.Helper()
	h := append([]string{"Cookie", SessionCookie + "=" + o.cookies[actor]}, header...)
	var r *apitestResponse
	if body == "" && method == "GET" {
		r = e.do(method, path, nil, h...)
	} else {
		r = e.do(method, path, strings.NewReader(body), h...)
	}
	return r
}

func postAs(e *env, o *fixtureOrg, actor, path string, f url.Values) *apitestResponse {
	e.t.Helper()
	return o.as(e, actor, "POST", path, f.Encode(), "Content-Type", "application/x-www-form-urlencoded")
}

func wantStatus(t *testing.T, what string, r *apitestResponse, status int, contains ...string) string {
	t.Helper()
	body := string(r.Body)
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.Status, status, body)
	}
	for _, c := range contains {
		if !strings.Contains(body, c) {
			t.Errorf("%s: lacks %q", what, c)
		}
	}
	return body
}

// TestGrowthJourney walks the journey of the issue through the real router:
// add evidence, ask for suggestions and accept one, search, set the target,
// self-assess, the manager assesses, and the readiness summary changes.
func TestGrowthJourney(t *testing.T) {
	e := newEnv(t)
	o := newFixtureOrg(t, e)
	self := o.people[actSelf]
	journal := journalURL(self.ID)
	today := trellis.Day(time.Now().UTC()).Format("2006-01-02")

	// Suggestions re-render the form; nothing is saved or ticked.
	f := url.Values{"title": {"Debugged a customer outage from the logs"}, "date": {today},
		"what":     {"Formed and tested hypotheses with the logs and code, found the root cause and fixed the bug."},
		"activity": {"critical-escalation"}, "visibility": {"manager"}, "intent": {"suggest"}}
	body := wantStatus(t, "suggest", postAs(e, o, actSelf, journal, f), 200, "Suggested competencies", `name="competencies" value="troubleshooting"`, "Matches:")
	if strings.Contains(body, `value="troubleshooting" checked`) {
		t.Error("a suggestion came ticked")
	}
	if list, _ := e.deps.Evidence.ListEvidence(context.Background(), trellis.EvidenceFilter{PersonID: self.ID}); len(list.Items) != 0 {
		t.Fatal("asking for suggestions saved the entry")
	}
	// Accepting is ticking; saving adds the entry.
	f.Set("intent", "save")
	f["competencies"] = []string{"troubleshooting"}
	f.Set("links", "https://tickets.example/1\nhttps://mr.example/2")
	res := postAs(e, o, actSelf, journal, f)
	wantStatus(t, "save", res, 303)
	body = wantStatus(t, "journal", o.as(e, actSelf, "GET", res.Header.Get("Location"), ""), 200, "Added to the journal.", "Debugged a customer outage", "Troubleshooting")

	// Bad input: a future date, an unknown competency and a link that is not
	// http(s), every field named and nothing written.
	bad := url.Values{"title": {"Bad"}, "date": {"2999-01-01"}, "competencies": {"wizardry"}, "links": {"javascript:alert(1)"}, "intent": {"save"}}
	wantStatus(t, "bad entry", postAs(e, o, actSelf, journal, bad), 400, "links", "javascript:alert(1)")
	bad.Set("links", "")
	wantStatus(t, "bad entry", postAs(e, o, actSelf, journal, bad), 400, "date", "wizardry")

	// Search: ranked, highlighted, and a title with markup stays text.
	evil := &trellis.Evidence{PersonID: self.ID, FrameworkID: "support", Date: trellis.Day(time.Now().UTC()), Title: `<script>alert("x")</script> outage review`,
		What: `<img src=x onerror=alert(1)> outage notes`, Competencies: []string{}, Visibility: trellis.VisPrivate}
	if err := e.deps.Evidence.CreateEvidence(context.Background(), evil); err != nil {
		t.Fatal(err)
	}
	body = wantStatus(t, "search", o.as(e, actSelf, "GET", journal+"?q=outage", ""), 200, "<mark>", "&lt;script&gt;", "Best matches first")
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
		t.Error("search results render markup from entries")
	}
	// The manager does not see the private entry, in the list or by id.
	body = wantStatus(t, "manager's view", o.as(e, actManager, "GET", journal, ""), 200, "Debugged a customer outage")
	if strings.Contains(body, "outage review") {
		t.Error("the manager sees a private entry")
	}
	wantStatus(t, "private by id", o.as(e, actManager, "GET", entryURL(self.ID, evil.ID), ""), 404)

	// Target, then a self-assessment and the manager's.
	wantStatus(t, "target page", o.as(e, actSelf, "GET", targetURL(self.ID), ""), 200, "Senior Support Engineer", "Merit", "Openings for this role")
	wantStatus(t, "target", postAs(e, o, actSelf, targetURL(self.ID), url.Values{"target": {"senior-support-engineer"}}), 303)
	wantStatus(t, "unreachable target", postAs(e, o, actSelf, targetURL(self.ID), url.Values{"target": {"nope"}}), 400, "not a role reachable")
	before := wantStatus(t, "readiness", o.as(e, actSelf, "GET", readinessURL(self.ID), ""), 200, "<strong>0</strong> of", "Next three things", `class="chart radar"`, "My assessment")
	_ = before
	wantStatus(t, "self", postAs(e, o, actSelf, readinessURL(self.ID)+"/self", url.Values{"competency": {"troubleshooting"}, "rating": {"meets"}, "comment": {"I think so"}}), 303)
	wantStatus(t, "manager", postAs(e, o, actManager, readinessURL(self.ID)+"/manager", url.Values{"competency": {"troubleshooting"}, "rating": {"exceeds"}, "comment": {"Clearly"}}), 303)
	wantStatus(t, "self by manager", postAs(e, o, actManager, readinessURL(self.ID)+"/self", url.Values{"competency": {"troubleshooting"}, "rating": {"meets"}}), 403)
	body = wantStatus(t, "readiness after", o.as(e, actSelf, "GET", readinessURL(self.ID), ""), 200, "<strong>1</strong> of", "Exceeds", "Clearly", "I think so")
	for _, svgDoc := range regexp.MustCompile(`(?s)<svg.*?</svg>`).FindAllString(body, -1) {
		if err := xmlWellFormed(svgDoc); err != nil {
			t.Errorf("radar SVG: %v", err)
		}
	}
	api := o.as(e, actManager, "GET", "/api/v1"+readinessURL(self.ID), "")
	wantStatus(t, "readiness api", api, 200, `"met_by_manager":1`, `"role_id":"senior-support-engineer"`)

	// The team page of the manager: the heatmap names the rating.
	body = wantStatus(t, "team", o.as(e, actManager, "GET", "/team", ""), 200, "My team", `class="chart heatmap"`, "Exceeds", "Engineer Person")
	for _, svgDoc := range regexp.MustCompile(`(?s)<svg.*?</svg>`).FindAllString(body, -1) {
		if err := xmlWellFormed(svgDoc); err != nil {
			t.Errorf("heatmap SVG: %v", err)
		}
	}
	wantStatus(t, "team of another", o.as(e, actPeer, "GET", personURL(o.people[actManager].ID)+"/team", ""), 404)
}

func xmlWellFormed(doc string) error {
	d := xml.NewDecoder(strings.NewReader(doc))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func TestEvidenceEditConflictAndDelete(t *testing.T) {
	e := newEnv(t)
	o := newFixtureOrg(t, e)
	g := newGrowthFixture(t, e, o)
	f := g.entryForm
	// Someone saves first (the API with the version read).
	res := o.as(e, actSelf, "PATCH", g.apiEntry, `{"result":"errors down 90%"}`, "Content-Type", "application/merge-patch+json", "If-Match", `"v1"`)
	wantStatus(t, "patch", res, 200, `"version":2`)
	if res.Header.Get("ETag") != `"v2"` {
		t.Errorf("ETag %q", res.Header.Get("ETag"))
	}
	// A stale API write: 409 with the current entry, nothing written.
	wantStatus(t, "stale patch", o.as(e, actSelf, "PATCH", g.apiEntry, `{"title":"x"}`, "Content-Type", "application/json", "If-Match", `"v1"`), 409, `"current"`, "errors down 90%")
	// A stale form save shows both texts and keeps the typed one.
	f.Set("title", "My own new title")
	body := wantStatus(t, "stale form", postAs(e, o, actSelf, g.entry, f), 409, "Saved by someone else meanwhile", "Fixed the login outage", "My own new title", `name="version" value="2"`)
	_ = body
	f.Set("version", "2")
	wantStatus(t, "save again", postAs(e, o, actSelf, g.entry, f), 303)
	// The manager may read but not edit; an API edit of someone else's entry is refused.
	wantStatus(t, "manager edit", o.as(e, actManager, "PATCH", g.apiEntry, `{"title":"x"}`, "Content-Type", "application/json", "If-Match", `"v3"`), 403)
	// API bad input names the field and writes nothing.
	res = o.as(e, actSelf, "POST", "/api/v1"+g.journal, `{"title":"t","date":"2999-01-01","competencies":["nope"],"links":["ftp://x"]}`, "Content-Type", "application/json")
	wantStatus(t, "api bad", res, 400, `"field":"links"`)
	res = o.as(e, actSelf, "POST", "/api/v1"+g.journal, `{"title":"t","date":"2999-01-01","competencies":["nope"]}`, "Content-Type", "application/json")
	wantStatus(t, "api bad", res, 400, `"field":"date"`, "nope")
	res = o.as(e, actSelf, "POST", "/api/v1"+g.journal, `{"title":"Pairing","date":"2026-01-05","competencies":["troubleshooting"],"activity":"pairing-session"}`, "Content-Type", "application/json")
	wantStatus(t, "api create", res, 201, `"visibility":"manager"`)
	list := o.as(e, actManager, "GET", "/api/v1"+g.journal+"?limit=1", "")
	wantStatus(t, "api list", list, 200, `"next_cursor":"`)
	wantStatus(t, "suggestions", o.as(e, actSelf, "POST", "/api/v1/evidence/suggestions", `{"title":"Ran office hours and a deep dive","activity":"office-hours"}`, "Content-Type", "application/json"), 200, `"reasons"`)
	// Delete: a confirmation page, then the post.
	wantStatus(t, "confirm page", o.as(e, actSelf, "GET", g.entry+"/delete", ""), 200, "Delete this entry?")
	wantStatus(t, "delete", postAs(e, o, actSelf, g.entry+"/delete", url.Values{}), 303)
	wantStatus(t, "gone", o.as(e, actSelf, "GET", g.entry, ""), 404)
	// Import: every bad row named, nothing written; then a good file.
	csv := "title,date,competencies,links\nOk,2026-01-02,troubleshooting,\n,2026-01-03,,\nBad,2026-01-04,wizardry,javascript:x\n"
	body = wantStatus(t, "bad import", postAs(e, o, actSelf, g.journal+"/import", url.Values{"text": {csv}}), 400, "Nothing was imported", "title", "links")
	csv = "title,date,competencies\nOk,2026-01-02,troubleshooting\nAlso ok,2026-01-03,communication;troubleshooting\n"
	wantStatus(t, "import", postAs(e, o, actSelf, g.journal+"/import", url.Values{"text": {csv}}), 303)
}

func TestPlanAndConversations(t *testing.T) {
	e := newEnv(t)
	o := newFixtureOrg(t, e)
	g := newGrowthFixture(t, e, o)
	// A goal without a title is refused, the field named.
	f := url.Values{"version": {"0"}, "why": {"Grow into staff"}, "focus": {"deepen"}, "g0_action_steps": {"Pair daily"}, "g0_status": {"in-progress"}}
	wantStatus(t, "goal without title", postAs(e, o, actSelf, g.plan, f), 400, "goals[0].title")
	f.Set("g0_title", "Run office hours")
	f.Set("g0_due", "2020-01-01")
	wantStatus(t, "plan", postAs(e, o, actSelf, g.plan, f), 303)
	// API: ETag and a stale PUT.
	res := o.as(e, actSelf, "GET", "/api/v1"+g.plan, "")
	wantStatus(t, "api plan", res, 200, "Run office hours")
	if res.Header.Get("ETag") != `"v1"` {
		t.Errorf("ETag %q", res.Header.Get("ETag"))
	}
	wantStatus(t, "api put no title", o.as(e, actSelf, "PUT", "/api/v1"+g.plan, `{"goals":[{"title":""}]}`, "Content-Type", "application/json", "If-Match", `"v1"`), 400, "goals[0].title")
	wantStatus(t, "api put", o.as(e, actSelf, "PUT", "/api/v1"+g.plan, `{"reflection":{"why":"x"},"goals":[{"title":"Run office hours","status":"in-progress","due":"2020-01-01T00:00:00Z"}]}`, "Content-Type", "application/json", "If-Match", `"v1"`), 200, `"version":2`)
	wantStatus(t, "api stale", o.as(e, actSelf, "PUT", "/api/v1"+g.plan, `{}`, "Content-Type", "application/json", "If-Match", `"v1"`), 409, `"current"`)
	// The manager records, sees the overdue goal; only the person confirms.
	wantStatus(t, "record", postAs(e, o, actManager, g.person+"/conversations", url.Values{"date": {g.today}, "notes": {"Talked"}}), 303)
	body := wantStatus(t, "manager's view", o.as(e, actManager, "GET", g.plan, ""), 200, "not confirmed yet", "Record a conversation")
	if strings.Contains(body, "Confirm it happened") {
		t.Error("the manager is offered to confirm")
	}
	wantStatus(t, "manager confirms", postAs(e, o, actManager, g.confirm, url.Values{}), 403)
	wantStatus(t, "team", o.as(e, actManager, "GET", "/team", ""), 200, "Overdue goals", "Run office hours")
	wantStatus(t, "person's view", o.as(e, actSelf, "GET", g.plan, ""), 200, "Confirm it happened")
	wantStatus(t, "confirm", postAs(e, o, actSelf, g.confirm, url.Values{}), 303)
	res = postAs(e, o, actSelf, g.plan+"/refresh", url.Values{})
	wantStatus(t, "refresh", res, 303)
	wantStatus(t, "history", o.as(e, actSelf, "GET", res.Header.Get("Location"), ""), 200, "Earlier half-years", "A new half-year has started")
}

func TestMarkOnly(t *testing.T) {
	for in, want := range map[string]string{
		"a <mark>b</mark> c":                      "a <mark>b</mark> c",
		"&lt;script&gt; <mark>x</mark>":           "&lt;script&gt; <mark>x</mark>",
		"<script>alert(1)</script><mark>x</mark>": "&lt;script&gt;alert(1)&lt;/script&gt;<mark>x</mark>",
		"<mark><b>x</b></mark>":                   "<mark>&lt;b&gt;x&lt;/b&gt;</mark>",
		"x</mark> y":                              "x y",
	} {
		if got := string(markOnly(in)); got != want {
			t.Errorf("markOnly(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGrowthNavigation(t *testing.T) {
	e := newEnv(t)
	o := newFixtureOrg(t, e)
	self := o.people[actSelf]
	body := wantStatus(t, "own profile", o.as(e, actSelf, "GET", personURL(self.ID), ""), 200,
		`href="/people/`+strconv.FormatInt(self.ID, 10)+`/plan"`, ">My journal<", ">My plan<", ">Readiness<")
	if strings.Contains(body, ">My team<") {
		t.Error("an engineer without reports gets a team link")
	}
	wantStatus(t, "manager header", o.as(e, actManager, "GET", personURL(self.ID), ""), 200, ">My team<", ">Growth plan<")
	body = wantStatus(t, "peer's view", o.as(e, actPeer, "GET", personURL(self.ID), ""), 200, ">Journal<")
	if strings.Contains(body, ">Growth plan<") {
		t.Error("a peer manager is offered the plan they may not read")
	}
}

// Readiness counts only the entries the viewer may read: a private entry
// shows in the person's own counts and not, even as a number, to the manager.
func TestReadinessCountsOnlyReadableEvidence(t *testing.T) {
	e := newEnv(t)
	o := newFixtureOrg(t, e)
	g := newGrowthFixture(t, e, o)
	self := o.people[actSelf]
	secret := &trellis.Evidence{PersonID: self.ID, FrameworkID: "support", Date: trellis.Day(time.Now().UTC()), Title: "Kept to myself",
		Competencies: []string{"communication"}, Visibility: trellis.VisPrivate}
	if err := e.deps.Evidence.CreateEvidence(context.Background(), secret); err != nil {
		t.Fatal(err)
	}
	count := func(actor string) int {
		t.Helper()
		res := o.as(e, actor, "GET", "/api/v1"+g.person+"/readiness?target=senior-support-engineer", "")
		body := wantStatus(t, actor+" readiness", res, 200)
		m := regexp.MustCompile(`"competency":"communication","count":(\d+)`).FindStringSubmatch(body)
		if m == nil {
			return 0
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	if n := count(actSelf); n != 1 {
		t.Errorf("the person sees %d communication entries, want 1", n)
	}
	if n := count(actManager); n != 0 {
		t.Errorf("the manager sees %d communication entries, want 0: the only one is private", n)
	}
}
