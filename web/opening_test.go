package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"trellis"
)

// openingFixture: an opening of the manager (who has the engineer as
// report), a subscription of the engineer, programmes with applications and
// an assignment of the engineer.
type openingFixture struct {
	opening               *trellis.Opening
	sub                   *trellis.OpeningSubscription
	approval, open        *trellis.Programme
	applied, placed       *trellis.Participation
	assignment            *trellis.Assignment
	today, inTen, inThree string
}

func newOpeningFixture(t *testing.T, e *env, o *fixtureOrg) openingFixture {
	t.Helper()
	ctx := context.Background()
	today := trellis.Day(time.Now().UTC())
	f := openingFixture{today: today.Format(trellis.DateLayout), inTen: today.AddDate(0, 0, 10).Format(trellis.DateLayout),
		inThree: today.AddDate(0, 0, 3).Format(trellis.DateLayout)}
	mgr, self := o.people[actManager], o.people[actSelf]
	f.opening = &trellis.Opening{RoleID: "support-engineering-manager", Team: "Platform", Region: "EMEA", OpensOn: today, ClosesOn: today.AddDate(0, 0, 10),
		Description: "Lead the **platform** team.", HiringManagerID: mgr.ID, CreatedBy: mgr.ID}
	if err := e.deps.Openings.CreateOpening(ctx, f.opening); err != nil {
		t.Fatal(err)
	}
	f.sub = &trellis.OpeningSubscription{PersonID: self.ID, Track: "management"}
	if err := e.deps.Openings.Subscribe(ctx, f.sub); err != nil {
		t.Fatal(err)
	}
	f.approval = &trellis.Programme{Name: "Aspiring leaders", ManagerApproval: true}
	f.open = &trellis.Programme{Name: "Open mentoring circle"}
	for _, p := range []*trellis.Programme{f.approval, f.open} {
		if err := e.deps.Programmes.CreateProgramme(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	if f.applied, err = e.deps.Programmes.Apply(ctx, f.approval.ID, self.ID, "Please"); err != nil {
		t.Fatal(err)
	}
	if f.placed, err = e.deps.Programmes.Apply(ctx, f.open.ID, self.ID, ""); err != nil {
		t.Fatal(err)
	}
	f.assignment = &trellis.Assignment{PersonID: self.ID, Kind: trellis.ArrangementActing, RoleID: "senior-support-engineer",
		StartsOn: today, EndsOn: today.AddDate(0, 0, 14), CreatedBy: mgr.ID}
	if err := e.deps.Assignments.CreateAssignment(ctx, f.assignment); err != nil {
		t.Fatal(err)
	}
	return f
}

func routeCasesForOpenings(t *testing.T, e *env, o *fixtureOrg) map[string]routeCase {
	f := newOpeningFixture(t, e, o)
	self, mgr := o.people[actSelf], o.people[actManager]
	op := openingURL(f.opening.ID)
	posters := []string{actManager, actSkip, actDirector, actAdmin} // the hiring manager, their line, admins
	participant := func(p *trellis.Programme, x *trellis.Participation, what string) string {
		return fmt.Sprintf("%s/participants/%d/%s", programmeURL(p.ID), x.ID, what)
	}
	assignments := fmt.Sprintf("/people/%d/assignments", self.ID)
	openingForm := url.Values{"role_id": {"senior-support-engineer"}, "hiring_manager_id": {strconv.FormatInt(mgr.ID, 10)},
		"opens_on": {f.today}, "closes_on": {f.inTen}, "team": {"Route"}}
	tooShort := url.Values{"role_id": {"support-engineering-manager"}, "opens_on": {f.today}, "closes_on": {f.inThree}, "version": {"1"}, "state": {"open"}}
	return map[string]routeCase{
		// Openings: everyone signed in reads them and says they are
		// interested (the hiring manager cannot: 422); the hiring manager,
		// their line and admins post and edit (an edit closing too soon is
		// the five-day rule: 422).
		"GET /openings":                {path: "/openings", want: htmlPage(200)},
		"GET /openings/new":            {path: "/openings/new", want: htmlPage(200)},
		"POST /openings":               {path: "/openings", form: openingForm, want: form(403).set(http.StatusSeeOther, posters...)},
		"GET /openings/{id}":           {path: op, want: htmlPage(200)},
		"GET /openings/{id}/edit":      {path: op + "/edit", want: htmlPage(403).set(200, posters...)},
		"POST /openings/{id}":          {path: op, form: tooShort, want: form(403).set(http.StatusUnprocessableEntity, posters...)},
		"POST /openings/{id}/interest": {path: op + "/interest", form: url.Values{"note": {"Me!"}}, want: form(http.StatusSeeOther).set(http.StatusUnprocessableEntity, actManager)},
		"GET /openings/subscriptions":  {path: "/openings/subscriptions", want: htmlPage(200)},
		"POST /openings/subscriptions": {path: "/openings/subscriptions", form: url.Values{"track": {"management"}}, want: form(http.StatusSeeOther)},
		"POST /openings/subscriptions/{sid}/delete": {path: fmt.Sprintf("/openings/subscriptions/%d/delete", f.sub.ID), form: url.Values{},
			want: form(404).set(http.StatusSeeOther, actSelf)},

		// Programmes: everyone reads and applies for themselves; leadership,
		// people partners and admins create them, name mentors and record
		// outcomes; the direct manager approves. Peer managers do not even
		// see the engineer's place.
		"GET /programmes":      {path: "/programmes", want: htmlPage(200)},
		"POST /programmes":     {path: "/programmes", form: url.Values{"name": {""}}, want: form(403).set(http.StatusBadRequest, actDirector, actPartner, actAdmin)},
		"GET /programmes/{id}": {path: programmeURL(f.approval.ID), want: htmlPage(200)},
		"POST /programmes/{id}/apply": {path: programmeURL(f.open.ID) + "/apply", form: url.Values{"note": {"x"}},
			want: form(http.StatusSeeOther).set(http.StatusConflict, actSelf)},
		"POST /programmes/{id}/participants/{xid}/approve": {path: participant(f.approval, f.applied, "approve"), form: url.Values{"decision": {"approve"}},
			want: form(404).set(403, actSelf, actSkip, actDirector, actPartner, actAdmin).set(http.StatusSeeOther, actManager)},
		"POST /programmes/{id}/participants/{xid}/mentor": {path: participant(f.open, f.placed, "mentor"), form: url.Values{"mentor_id": {strconv.FormatInt(mgr.ID, 10)}},
			want: form(404).set(403, actSelf, actManager, actSkip).set(http.StatusSeeOther, actDirector, actPartner, actAdmin)},
		"POST /programmes/{id}/participants/{xid}/outcome": {path: participant(f.open, f.placed, "outcome"), form: url.Values{"outcome": {"ready"}},
			want: form(404).set(403, actSelf, actManager, actSkip).set(http.StatusSeeOther, actDirector, actPartner, actAdmin)},

		// Assignments: the manager and admins set them; the person, their
		// line and people partners see them. A stale version is 409.
		"GET /people/{pid}/assignments": {path: assignments, want: htmlPage(404).set(200, actSelf, actManager, actSkip, actDirector, actPartner, actAdmin)},
		"POST /people/{pid}/assignments": {path: assignments, form: url.Values{"kind": {"acting"}, "role_id": {"senior-support-engineer"}, "starts_on": {f.today}, "ends_on": {f.inTen}},
			want: form(403).set(http.StatusSeeOther, actManager, actAdmin)},
		"POST /people/{pid}/assignments/{aid}": {path: fmt.Sprintf("%s/%d", assignments, f.assignment.ID), form: url.Values{"outcome": {"Went well"}, "version": {"99"}},
			want: form(404).set(403, actSelf, actSkip, actDirector, actPartner).set(http.StatusConflict, actManager, actAdmin)},

		// The openings API; the tokens are the admin's.
		"GET /api/v1/openings": {path: "/api/v1/openings", want: api(200)},
		"POST /api/v1/openings": {path: "/api/v1/openings", contentType: "application/json", body: func() string {
			return fmt.Sprintf(`{"role_id":"senior-support-engineer","hiring_manager_id":%d,"opens_on":%q,"closes_on":%q}`, mgr.ID, f.today, f.inTen)
		}, want: api(403).set(http.StatusCreated, actManager, actSkip, actDirector, actAdmin, actWriteTok)},
		"GET /api/v1/openings/{id}": {path: "/api/v1" + op, want: api(200)},
		"PATCH /api/v1/openings/{id}": {path: "/api/v1" + op, contentType: "application/json", body: func() string { return `{"team":"x"}` },
			want: api(403).set(http.StatusPreconditionRequired, actManager, actSkip, actDirector, actAdmin, actWriteTok)},

		// The programmes API: everyone reads; one applies for oneself (a
		// read-only token may not). Aspiring leaders needs a manager's
		// approval: those without a manager are refused by the rule (422),
		// the engineer has applied already (409).
		"GET /api/v1/programmes":      {path: "/api/v1/programmes", want: api(200)},
		"GET /api/v1/programmes/{id}": {path: "/api/v1" + programmeURL(f.approval.ID), want: api(200)},
		"POST /api/v1/programmes/{id}/applications": {path: "/api/v1" + programmeURL(f.approval.ID) + "/applications", contentType: "application/json",
			body: func() string { return `{"note":"route table"}` },
			want: api(http.StatusCreated).set(http.StatusConflict, actSelf).set(http.StatusUnprocessableEntity, actDirector, actPartner, actAdmin, actWriteTok).
				set(403, actReadTok)},

		// The assignments API: as the pages; the tokens are the admin's, and
		// a change without If-Match is 428.
		"GET /api/v1/people/{pid}/assignments": {path: "/api/v1" + assignments,
			want: api(404).set(200, actSelf, actManager, actSkip, actDirector, actPartner, actAdmin, actReadTok, actWriteTok)},
		"POST /api/v1/people/{pid}/assignments": {path: "/api/v1" + assignments, contentType: "application/json", body: func() string {
			return fmt.Sprintf(`{"kind":"acting","role_id":"senior-support-engineer","starts_on":%q,"ends_on":%q}`, f.today, f.inTen)
		}, want: api(403).set(http.StatusCreated, actManager, actAdmin, actWriteTok)},
		"PATCH /api/v1/assignments/{id}": {path: fmt.Sprintf("/api/v1/assignments/%d", f.assignment.ID), contentType: "application/json",
			body: func() string { return `{"outcome":"Went well"}` },
			want: api(404).set(403, actSelf, actSkip, actDirector, actPartner, actReadTok).set(http.StatusPreconditionRequired, actManager, actAdmin, actWriteTok)},
	}
}

func TestOpeningPages(t *testing.T) {
	e := newEnv(t)
	o := newFixtureOrg(t, e)
	f := newOpeningFixture(t, e, o)
	self, mgr, peer := o.people[actSelf], o.people[actManager], o.people[actPeer]
	ctx := context.Background()

	// The five-day rule on the form: refused with both dates and the
	// earliest close; nothing stored, nobody told.
	before, _ := e.deps.Openings.ListOpenings(ctx, trellis.OpeningFilter{})
	today := trellis.Day(time.Now().UTC())
	earliest := today.AddDate(0, 0, 5).Format(trellis.DateLayout)
	r := postAs(e, o, actManager, "/openings", url.Values{"role_id": {"support-engineering-manager"}, "hiring_manager_id": {strconv.FormatInt(mgr.ID, 10)},
		"opens_on": {f.today}, "closes_on": {f.inThree}})
	wantStatus(t, "too short", r, http.StatusUnprocessableEntity, f.today, f.inThree, earliest, `id="opening-error"`)
	after, _ := e.deps.Openings.ListOpenings(ctx, trellis.OpeningFilter{})
	if len(after) != len(before) {
		t.Fatal("a refused opening was stored")
	}

	// A new matching opening reaches the subscriber (management track);
	// a non-matching one (IC role) does not.
	inbox := func(p *trellis.Person, kind string) []*trellis.Notification {
		ns, err := e.deps.Notifications.ListNotifications(ctx, p.ID, false, 100)
		if err != nil {
			t.Fatal(err)
		}
		var out []*trellis.Notification
		for _, n := range ns {
			if n.Kind == kind {
				out = append(out, n)
			}
		}
		return out
	}
	n0 := len(inbox(self, "opening.posted"))
	r = postAs(e, o, actManager, "/openings", url.Values{"role_id": {"senior-support-engineer"}, "hiring_manager_id": {strconv.FormatInt(mgr.ID, 10)},
		"opens_on": {f.today}, "closes_on": {f.inTen}})
	wantStatus(t, "non-matching", r, http.StatusSeeOther)
	if got := len(inbox(self, "opening.posted")); got != n0 {
		t.Fatalf("subscriber told of a non-matching opening: %d", got)
	}
	r = postAs(e, o, actManager, "/openings", url.Values{"role_id": {"support-engineering-manager"}, "hiring_manager_id": {strconv.FormatInt(mgr.ID, 10)},
		"opens_on": {f.today}, "closes_on": {f.inTen}, "team": {"Night shift"}, "description": {"# Lead\n<script>alert(1)</script>"}})
	wantStatus(t, "matching", r, http.StatusSeeOther)
	loc := r.Header.Get("Location")
	if got := inbox(self, "opening.posted"); len(got) != n0+1 || !strings.HasPrefix(loc, got[0].URL) {
		t.Fatalf("subscriber inbox %+v, location %s", got, loc)
	}
	page := wantStatus(t, "opening page", o.as(e, actPeer, "GET", loc, ""), 200, "Night shift", "<h1>Lead</h1>", `id="interest-form"`)
	if strings.Contains(page, "<script>alert") {
		t.Error("the description is not sanitised")
	}

	// Interest notifies the hiring manager, who sees who is interested.
	r = postAs(e, o, actPeer, strings.SplitN(loc, "?", 2)[0]+"/interest", url.Values{"note": {"I led the incident rota."}})
	wantStatus(t, "interest", r, http.StatusSeeOther)
	got := inbox(mgr, "opening.interest")
	if len(got) != 1 || got[0].Body != "I led the incident rota." || !strings.Contains(got[0].Title, peer.Name) {
		t.Fatalf("hiring manager inbox %+v", got)
	}
	wantStatus(t, "manager view", o.as(e, actManager, "GET", strings.SplitN(loc, "?", 2)[0], ""), 200, `id="interested-people"`, peer.Name, "I led the incident rota.")
	if b := wantStatus(t, "peer view", o.as(e, actPeer, "GET", strings.SplitN(loc, "?", 2)[0], ""), 200, `id="my-interest"`); strings.Contains(b, `id="interested-people"`) {
		t.Error("someone else sees who is interested")
	}

	// Filters.
	wantStatus(t, "filter", o.as(e, actSelf, "GET", "/openings?team=Night+shift", ""), 200, "Night shift")
	if b := wantStatus(t, "filter", o.as(e, actSelf, "GET", "/openings?track=ic", ""), 200); strings.Contains(b, "Night shift") {
		t.Error("track filter")
	}

	// The target and readiness pages list open openings of the target role.
	plan := &trellis.GrowthPlan{PersonID: self.ID, Period: trellis.Period(time.Now()), TargetRoleID: "support-engineering-manager", Goals: []trellis.Goal{}}
	if err := e.deps.Growth.SavePlan(ctx, plan, 0); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "target page", o.as(e, actSelf, "GET", targetURL(self.ID), ""), 200, "Openings for this role", "Night shift", openingURL(f.opening.ID))
	wantStatus(t, "readiness page", o.as(e, actSelf, "GET", fmt.Sprintf("/people/%d/readiness", self.ID), ""), 200, `id="target-openings"`, "Night shift")

	// Subscribing by role through the page.
	r = postAs(e, o, actPeer, "/openings/subscriptions", url.Values{"role_id": {"senior-support-engineer"}})
	wantStatus(t, "subscribe", r, http.StatusSeeOther)
	wantStatus(t, "subscriptions", o.as(e, actPeer, "GET", "/openings/subscriptions", ""), 200, "Role: Senior Support Engineer")
	wantStatus(t, "subscribe nothing", postAs(e, o, actPeer, "/openings/subscriptions", url.Values{}), http.StatusBadRequest)
}

func TestOpeningAPI(t *testing.T) {
	e := newEnv(t)
	o := newFixtureOrg(t, e)
	f := newOpeningFixture(t, e, o)
	path := "/api/v1" + openingURL(f.opening.ID)
	r := o.as(e, actManager, "GET", path, "")
	wantStatus(t, "get", r, 200, `"opens_on":"`+f.today+`"`)
	etag := r.Header.Get("ETag")
	body := fmt.Sprintf(`{"closes_on":%q}`, f.inThree)
	wantStatus(t, "five days", o.as(e, actManager, "PATCH", path, body, "Content-Type", "application/json", "If-Match", etag), http.StatusUnprocessableEntity, f.inThree)
	r = o.as(e, actManager, "PATCH", path, `{"state":"filled"}`, "Content-Type", "application/json", "If-Match", etag)
	wantStatus(t, "patch", r, 200, `"state":"filled"`)
	wantStatus(t, "stale", o.as(e, actManager, "PATCH", path, `{"state":"closed"}`, "Content-Type", "application/json", "If-Match", etag), http.StatusConflict)
	wantStatus(t, "list", o.as(e, actSelf, "GET", "/api/v1/openings?state=filled", ""), 200, `"items":[{`)
	wantStatus(t, "post too short", o.as(e, actManager, "POST", "/api/v1/openings",
		fmt.Sprintf(`{"role_id":"senior-support-engineer","opens_on":%q,"closes_on":%q}`, f.today, f.inThree), "Content-Type", "application/json"),
		http.StatusUnprocessableEntity)
}

func TestProgrammeAndAssignmentPages(t *testing.T) {
	e := newEnv(t)
	o := newFixtureOrg(t, e)
	newOpeningFixture(t, e, o)
	ctx := context.Background()
	// Someone too new in role is refused with the date they may apply from.
	p := &trellis.Programme{Name: "Leaders", MinMonthsInRole: 12, ManagerApproval: true, Themes: []string{"Feedback", "Hiring", "Strategy"}}
	if err := e.deps.Programmes.CreateProgramme(ctx, p); err != nil {
		t.Fatal(err)
	}
	self := o.people[actSelf]
	since := trellis.Day(time.Now().UTC()).AddDate(0, -3, 0)
	if _, err := e.deps.People.UpdatePerson(ctx, self.ID, trellis.PersonUpdate{RoleSince: &since}, self.Version); err != nil {
		t.Fatal(err)
	}
	o.cookies[actSelf] = sessionCookie(t, e.srv, self)
	r := postAs(e, o, actSelf, programmeURL(p.ID)+"/apply", url.Values{"note": {"Keen"}})
	wantStatus(t, "too new", r, http.StatusUnprocessableEntity, "12 months", `id="programme-error"`)
	wantStatus(t, "programme", o.as(e, actSelf, "GET", programmeURL(p.ID), ""), 200, "Feedback", "Hiring", `id="apply-form"`)

	// Interim dates are checked on the profile page.
	path := fmt.Sprintf("/people/%d/assignments", self.ID)
	today := trellis.Day(time.Now().UTC())
	r = postAs(e, o, actManager, path, url.Values{"kind": {"interim"}, "role_id": {"support-engineering-manager"},
		"starts_on": {today.Format(trellis.DateLayout)}, "ends_on": {today.AddDate(0, 7, 0).Format(trellis.DateLayout)}})
	wantStatus(t, "interim too long", r, http.StatusUnprocessableEntity, "30 days to 6 months", `id="assignment-error"`)
	r = postAs(e, o, actManager, path, url.Values{"kind": {"interim"}, "role_id": {"support-engineering-manager"}, "success_criteria": {"One successful hire"},
		"starts_on": {today.Format(trellis.DateLayout)}, "ends_on": {today.AddDate(0, 3, 0).Format(trellis.DateLayout)}})
	wantStatus(t, "interim", r, http.StatusSeeOther)
	wantStatus(t, "person sees", o.as(e, actSelf, "GET", path, ""), 200, "One successful hire", "returns to support-engineer")
	wantStatus(t, "profile link", o.as(e, actSelf, "GET", fmt.Sprintf("/people/%d", self.ID), ""), 200, `id="assignments-link"`, `href="/openings"`)
	if b := wantStatus(t, "peer profile", o.as(e, actPeer, "GET", fmt.Sprintf("/people/%d", self.ID), ""), 200); strings.Contains(b, `id="assignments-link"`) {
		t.Error("a peer manager is offered the engineer's assignments")
	}
}
