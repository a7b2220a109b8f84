package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"trellis"
	"trellis/auth"
	"trellis/framework"
)

// The kinds of actor every route is tried with.
const (
	actAnon     = "anonymous"
	actSelf     = "engineer"   // the owner of the person-scoped resources below
	actManager  = "manager"    // the engineer's direct manager
	actSkip     = "skip-level" // the manager's manager
	actPeer     = "peer-manager"
	actDirector = "director" // top of the engineer's line, director access
	actPartner  = "people-partner"
	actAdmin    = "admin"
	actLeft     = "left" // has a session from before they left
	actReadTok  = "read-token"
	actWriteTok = "write-token"
)

var allActors = []string{actAnon, actSelf, actManager, actSkip, actPeer, actDirector, actPartner, actAdmin, actLeft, actReadTok, actWriteTok}

// signedInActors are the actors a session or token makes a person of.
var signedInActors = []string{actSelf, actManager, actSkip, actPeer, actDirector, actPartner, actAdmin}

// want is the expected status per actor.
type want map[string]int

// set returns a copy of w with some actors' statuses changed.
func (w want) set(code int, actors ...string) want {
	out := want{}
	for k, v := range w {
		out[k] = v
	}
	for _, a := range actors {
		out[a] = code
	}
	return out
}

// everyone: the same status for every actor.
func everyone(code int) want {
	w := want{}
	for _, a := range allActors {
		w[a] = code
	}
	return w
}

// page: an HTML page for the signed-in; the rest go to the sign-in page
// (tokens count for nothing outside /api/).
func htmlPage(code int) want {
	return everyone(code).set(http.StatusSeeOther, actAnon, actLeft, actReadTok, actWriteTok)
}

// pageAdmin: an HTML page for admins only.
func htmlPageAdmin(code int) want {
	return htmlPage(http.StatusForbidden).set(code, actAdmin)
}

// form: an HTML form post for the signed-in; nobody else gets a redirect
// for a post, they get the 401 page.
func form(code int) want {
	return everyone(code).set(http.StatusUnauthorized, actAnon, actLeft, actReadTok, actWriteTok)
}

func formAdmin(code int) want {
	return form(http.StatusForbidden).set(code, actAdmin)
}

// api: an API route for anyone signed in, by session or token.
func api(code int) want {
	return everyone(code).set(http.StatusUnauthorized, actAnon, actLeft)
}

// apiAdminWrite: an API write for admins; the tokens are the admin's.
func apiAdminWrite(code int) want {
	return api(http.StatusForbidden).set(code, actAdmin, actWriteTok)
}

// routeCase says how to call one route and what each actor gets.
type routeCase struct {
	path string
	// form is sent urlencoded with a POST; body/contentType otherwise.
	form        url.Values
	body        func() string
	contentType string
	want        want
	// endsSessions: the route signs out, so the actors get new sessions
	// after it.
	endsSessions bool
}

// fixtureOrg is the organisation of the route test:
//
//	director ─┬─ skip ── manager ── engineer
//	          └─ peer ── peer-report
//	people-partner, admin, left (has left)
type fixtureOrg struct {
	people map[string]*trellis.Person
	// victimToken is a token of the engineer that actors try to revoke.
	victimToken *auth.APIToken
	cookies     map[string]string
	tokens      map[string]string
}

func newFixtureOrg(t *testing.T, e *env) *fixtureOrg {
	t.Helper()
	ctx := context.Background()
	o := &fixtureOrg{people: map[string]*trellis.Person{actAdmin: e.admin}, cookies: map[string]string{}, tokens: map[string]string{}}
	add := func(key, access string, manager string) *trellis.Person {
		var m *int64
		if manager != "" {
			m = &o.people[manager].ID
		}
		p := addPerson(t, e.deps.People, key+"@example.com", strings.ToUpper(key[:1])+key[1:]+" Person", access, m)
		o.people[key] = p
		return p
	}
	add(actDirector, trellis.AccessDirector, "")
	add(actSkip, trellis.AccessEngineer, actDirector)
	add(actManager, trellis.AccessEngineer, actSkip)
	add(actSelf, trellis.AccessEngineer, actManager)
	add(actPeer, trellis.AccessEngineer, actDirector)
	add("peer-report", trellis.AccessEngineer, actPeer)
	add(actPartner, trellis.AccessPeople, "")
	left := add(actLeft, trellis.AccessEngineer, "")
	for _, a := range append(slices.Clone(signedInActors), actLeft) {
		o.cookies[a] = sessionCookie(t, e.srv, o.people[a])
	}
	no := false
	if _, err := e.deps.People.UpdatePerson(ctx, left.ID, trellis.PersonUpdate{Active: &no}, left.Version); err != nil {
		t.Fatal(err)
	}
	for a, scope := range map[string]string{actReadTok: auth.ScopeRead, actWriteTok: auth.ScopeWrite} {
		o.tokens[a] = newToken(t, e, e.admin.ID, a, scope)
	}
	newToken(t, e, o.people[actSelf].ID, "victim", auth.ScopeRead)
	list, err := e.deps.Tokens.ListTokens(ctx, o.people[actSelf].ID)
	if err != nil || len(list) != 1 {
		t.Fatal(list, err)
	}
	o.victimToken = list[0]
	return o
}

// newToken stores an API token and returns its secret.
func newToken(t testing.TB, e *env, personID int64, name, scope string) string {
	t.Helper()
	tok, plain, err := auth.NewAPIToken(personID, name, scope, e.srv.now(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.deps.Tokens.CreateToken(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	return plain
}

// request serves one request as actor.
func (o *fixtureOrg) request(e *env, actor, method, path string, body io.Reader, header ...string) int {
	switch actor {
	case actAnon:
		header = append(header, "Cookie", "")
	case actReadTok, actWriteTok:
		header = append(header, "Authorization", "Bearer "+o.tokens[actor])
	default:
		header = append(header, "Cookie", SessionCookie+"="+o.cookies[actor])
	}
	anon := *e
	anon.cookie = ""
	return anon.do(method, path, body, header...).Status
}

var routeWildcard = regexp.MustCompile(`\{[^}]+\}`)

// TestRouteActorTable walks every registered route with every kind of actor
// and checks the status each gets. A route without an entry here fails the
// test: new routes must say who may use them.
func TestRouteActorTable(t *testing.T) {
	e := newEnv(t)
	o := newFixtureOrg(t, e)
	self := o.people[actSelf]
	css, _ := e.srv.assets.url("app.css")
	native, err := framework.Export(support(t))
	if err != nil {
		t.Fatal(err)
	}
	bogusReset := auth.ResetLinkPrefix + strings.Repeat("a", 52)
	g := newGrowthFixture(t, e, o)
	fx := newForgeFixture(t, e, o)

	cases := map[string]routeCase{
		// Framework pages: everyone signed in reads; admins import and activate.
		"GET /{$}":                          {path: "/", want: htmlPage(http.StatusFound)},
		"GET /frameworks":                   {path: "/frameworks", want: htmlPage(200)},
		"GET /frameworks/import":            {path: "/frameworks/import", want: htmlPageAdmin(200)},
		"POST /frameworks/import":           {path: "/frameworks/import", form: url.Values{"text": {""}}, want: formAdmin(400)},
		"GET /matrix":                       {path: "/matrix", want: htmlPage(http.StatusFound)},
		"GET /graph":                        {path: "/graph", want: htmlPage(http.StatusFound)},
		"GET /frameworks/{id}":              {path: "/frameworks/support", want: htmlPage(http.StatusFound)},
		"GET /frameworks/{id}/matrix":       {path: "/frameworks/support/matrix", want: htmlPage(200)},
		"GET /frameworks/{id}/roles/{role}": {path: "/frameworks/support/roles/support-engineer", want: htmlPage(200)},
		"GET /frameworks/{id}/graph":        {path: "/frameworks/support/graph", want: htmlPage(200)},
		"GET /frameworks/{id}/graph.svg":    {path: "/frameworks/support/graph.svg", want: htmlPage(200)},
		"GET /frameworks/{id}/diff":         {path: "/frameworks/support/diff", want: htmlPage(200)},
		"GET /frameworks/{id}/export":       {path: "/frameworks/support/export", want: htmlPage(200)},
		"POST /frameworks/{id}/versions/{version}/activate": {path: "/frameworks/support/versions/2026.1/activate",
			want: formAdmin(http.StatusSeeOther)},
		"GET /static/{file}": {path: css, want: everyone(200)},

		// Signing in and out: open to all. Someone signed in is sent on from
		// the sign-in form; an empty sign-in form is a 400 for anyone.
		"GET /signin":         {path: "/signin", want: everyone(200).set(http.StatusSeeOther, signedInActors...)},
		"POST /signin":        {path: "/signin", form: url.Values{"email": {""}}, want: everyone(400)},
		"POST /signout":       {path: "/signout", form: url.Values{}, want: everyone(http.StatusSeeOther), endsSessions: true},
		"GET /reset/{token}":  {path: "/reset/" + bogusReset, want: everyone(200)},
		"POST /reset/{token}": {path: "/reset/" + bogusReset, form: url.Values{"password": {"short"}, "confirm": {"short"}}, want: everyone(400)},
		// Single sign-on is not configured in this server: 404 for all.
		"GET /signin/sso":          {path: "/signin/sso", want: everyone(404)},
		"GET /signin/sso/callback": {path: "/signin/sso/callback?state=x&code=y", want: everyone(404)},

		// Personal tokens: one's own; an admin may revoke anyone's, others
		// do not even see the engineer's tokens.
		"GET /settings/tokens":  {path: "/settings/tokens", want: htmlPage(200)},
		"POST /settings/tokens": {path: "/settings/tokens", form: url.Values{"name": {"route test"}, "scope": {"read"}}, want: form(http.StatusCreated)},
		"POST /settings/tokens/{tid}/revoke": {path: fmt.Sprintf("/settings/tokens/%d/revoke", o.victimToken.ID),
			form: url.Values{"person_id": {strconv.FormatInt(self.ID, 10)}},
			want: form(404).set(http.StatusSeeOther, actSelf, actAdmin)},

		// People: everyone signed in reads the directory, profiles and the
		// org chart; the engineer and admins edit the engineer's basics;
		// admins add and import; the audit log is for admins and people
		// partners (hidden, 404, from everyone else). An empty add or import
		// form is a 400 for an admin.
		"GET /people":            {path: "/people", want: htmlPage(200)},
		"GET /people/new":        {path: "/people/new", want: htmlPageAdmin(200)},
		"POST /people":           {path: "/people", form: url.Values{"name": {""}}, want: formAdmin(400)},
		"GET /people/import":     {path: "/people/import", want: htmlPageAdmin(200)},
		"POST /people/import":    {path: "/people/import", form: url.Values{"text": {""}}, want: formAdmin(400)},
		"GET /people/{pid}":      {path: fmt.Sprintf("/people/%d", self.ID), want: htmlPage(200)},
		"GET /people/{pid}/edit": {path: fmt.Sprintf("/people/%d/edit", self.ID), want: htmlPage(403).set(200, actSelf, actAdmin)},
		"POST /people/{pid}": {path: fmt.Sprintf("/people/%d", self.ID),
			form: url.Values{"name": {self.Name}, "version": {strconv.Itoa(self.Version)}},
			want: form(403).set(http.StatusSeeOther, actSelf, actAdmin)},
		"GET /org":         {path: "/org", want: htmlPage(200)},
		"GET /admin/audit": {path: "/admin/audit", want: htmlPage(404).set(200, actAdmin, actPartner)},

		// Growth (growth_test.go has the fixture). The engineer writes their
		// journal and plan and self-assesses; their reporting line reads
		// entries shared with the manager, the plan and readiness (403 on
		// writes); everyone else sees the journal's collection (empty for
		// them) and gets 404 for the rest. The direct manager alone records
		// conversations and assesses; only the engineer confirms.
		"GET /people/{pid}/evidence":                     {path: g.journal, want: htmlPage(200)},
		"GET /people/{pid}/evidence/new":                 {path: g.journal + "/new", want: htmlPage(403).set(200, actSelf)},
		"POST /people/{pid}/evidence":                    {path: g.journal, form: url.Values{"title": {""}}, want: form(403).set(400, actSelf)},
		"GET /people/{pid}/evidence/import":              {path: g.journal + "/import", want: htmlPage(403).set(200, actSelf)},
		"POST /people/{pid}/evidence/import":             {path: g.journal + "/import", form: url.Values{"text": {""}}, want: form(403).set(400, actSelf)},
		"GET /people/{pid}/evidence/{eid}":               {path: g.entry, want: htmlPage(404).set(200, g.line...)},
		"GET /people/{pid}/evidence/{eid}/edit":          {path: g.entry + "/edit", want: htmlPage(404).set(403, g.above...).set(200, actSelf)},
		"POST /people/{pid}/evidence/{eid}":              {path: g.entry, form: g.entryForm, want: form(404).set(403, g.above...).set(http.StatusSeeOther, actSelf)},
		"GET /people/{pid}/evidence/{eid}/delete":        {path: g.entry + "/delete", want: htmlPage(404).set(403, g.above...).set(200, actSelf)},
		"POST /people/{pid}/evidence/{eid}/delete":       {path: g.private + "/delete", form: url.Values{}, want: form(404).set(http.StatusSeeOther, actSelf)},
		"GET /people/{pid}/plan":                         {path: g.plan, want: htmlPage(404).set(200, g.line...)},
		"POST /people/{pid}/plan":                        {path: g.plan, form: url.Values{"version": {"0"}, "why": {"grow"}}, want: form(404).set(403, g.above...).set(http.StatusSeeOther, actSelf)},
		"POST /people/{pid}/plan/refresh":                {path: g.plan + "/refresh", form: url.Values{}, want: form(404).set(403, g.above...).set(http.StatusSeeOther, actSelf)},
		"POST /people/{pid}/conversations":               {path: g.person + "/conversations", form: url.Values{"date": {g.today}}, want: form(403).set(http.StatusSeeOther, actManager)},
		"POST /people/{pid}/conversations/{cid}/confirm": {path: g.confirm, form: url.Values{}, want: form(404).set(403, g.above...).set(http.StatusSeeOther, actSelf)},
		"GET /people/{pid}/target":                       {path: g.person + "/target", want: htmlPage(404).set(200, g.line...)},
		"POST /people/{pid}/target":                      {path: g.person + "/target", form: url.Values{"target": {"senior-support-engineer"}}, want: form(404).set(403, g.above...).set(http.StatusSeeOther, actSelf)},
		"GET /people/{pid}/readiness":                    {path: g.person + "/readiness", want: htmlPage(404).set(200, g.line...)},
		"POST /people/{pid}/readiness/self":              {path: g.person + "/readiness/self", form: g.assess, want: form(404).set(403, g.above...).set(http.StatusSeeOther, actSelf)},
		"POST /people/{pid}/readiness/manager":           {path: g.person + "/readiness/manager", form: g.assess, want: form(403).set(http.StatusSeeOther, actManager)},
		"POST /people/{pid}/readiness/checklist":         {path: g.person + "/readiness/checklist", form: url.Values{"kind": {"nonsense"}}, want: form(404).set(403, g.above...).set(400, actSelf)},
		"GET /team":                                      {path: "/team", want: htmlPage(200)},
		"GET /people/{pid}/team":                         {path: g.team, want: htmlPage(404).set(200, g.line...)},

		// Connections and imported work (forge_test.go has the fixture):
		// the engineer's own, refused to everyone else.
		"GET /people/{pid}/connections":               {path: fx.connections, want: htmlPage(403).set(200, actSelf)},
		"POST /people/{pid}/connections":              {path: fx.connections, form: url.Values{"kind": {"gitlab"}, "username": {""}}, want: form(403).set(400, actSelf)},
		"POST /people/{pid}/connections/{cid}/delete": {path: fx.remove, form: url.Values{}, want: form(403).set(http.StatusSeeOther, actSelf)},
		"POST /people/{pid}/connections/sync":         {path: fx.connections + "/sync", form: url.Values{}, want: form(403).set(http.StatusSeeOther, actSelf)},
		"GET /people/{pid}/imports":                   {path: fx.imports, want: htmlPage(403).set(200, actSelf)},
		"POST /people/{pid}/imports/{iid}/accept":     {path: fx.accept, form: url.Values{"visibility": {"private"}}, want: form(403).set(http.StatusSeeOther, actSelf)},
		"POST /people/{pid}/imports/{iid}/dismiss":    {path: fx.dismiss, form: url.Values{}, want: form(403).set(http.StatusSeeOther, actSelf)},

		// The API.
		"GET /api/v1/openapi.json": {path: "/api/v1/openapi.json", want: everyone(200)},
		"GET /api/v1/me":           {path: "/api/v1/me", want: api(200)},
		"GET /api/v1/frameworks":   {path: "/api/v1/frameworks", want: api(200)},
		"POST /api/v1/frameworks": {path: "/api/v1/frameworks", body: func() string { return string(native) },
			contentType: "application/yaml", want: apiAdminWrite(200)},
		"GET /api/v1/frameworks/{id}":                    {path: "/api/v1/frameworks/support", want: api(200)},
		"GET /api/v1/frameworks/{id}/versions/{version}": {path: "/api/v1/frameworks/support/versions/2026.1", want: api(200)},
		"GET /api/v1/frameworks/{id}/diff":               {path: "/api/v1/frameworks/support/diff?from=2026.1&to=2026.1", want: api(200)},

		"GET /api/v1/people":       {path: "/api/v1/people", want: api(200)},
		"POST /api/v1/people":      {path: "/api/v1/people", body: func() string { return "{}" }, contentType: "application/json", want: apiAdminWrite(400)},
		"GET /api/v1/people/{pid}": {path: fmt.Sprintf("/api/v1/people/%d", self.ID), want: api(200)},
		// Without If-Match a permitted change is refused with 428.
		"PATCH /api/v1/people/{pid}": {path: fmt.Sprintf("/api/v1/people/%d", self.ID), body: func() string { return `{"name":"x"}` },
			contentType: "application/merge-patch+json", want: api(403).set(http.StatusPreconditionRequired, actSelf, actAdmin, actWriteTok)},
		"GET /api/v1/audit": {path: "/api/v1/audit", want: api(404).set(200, actAdmin, actPartner, actReadTok, actWriteTok)},

		// Growth over the API; the tokens are the admin's, who sees nothing
		// of the engineer's growth but the (empty) journal collection.
		"GET /api/v1/people/{pid}/evidence":  {path: "/api/v1" + g.journal, want: api(200)},
		"POST /api/v1/people/{pid}/evidence": {path: "/api/v1" + g.journal, body: func() string { return "{}" }, contentType: "application/json", want: api(403).set(400, actSelf)},
		"GET /api/v1/evidence/{id}":          {path: g.apiEntry, want: api(404).set(200, g.line...)},
		"PATCH /api/v1/evidence/{id}": {path: g.apiEntry, body: func() string { return `{"title":"x"}` }, contentType: "application/merge-patch+json",
			want: api(404).set(403, g.above...).set(http.StatusPreconditionRequired, actSelf)},
		"DELETE /api/v1/evidence/{id}":       {path: g.apiEntry, want: api(404).set(403, g.above...).set(http.StatusPreconditionRequired, actSelf)},
		"POST /api/v1/evidence/suggestions":  {path: "/api/v1/evidence/suggestions", body: func() string { return `{"title":"Debugged a customer's outage"}` }, contentType: "application/json", want: api(200)},
		"GET /api/v1/people/{pid}/plan":      {path: "/api/v1" + g.plan, want: api(404).set(200, g.line...)},
		"PUT /api/v1/people/{pid}/plan":      {path: "/api/v1" + g.plan, body: func() string { return "{}" }, contentType: "application/json", want: api(404).set(403, g.above...).set(http.StatusPreconditionRequired, actSelf)},
		"GET /api/v1/people/{pid}/readiness": {path: "/api/v1" + g.person + "/readiness", want: api(404).set(200, g.line...)},
		"POST /api/v1/people/{pid}/sync":     {path: "/api/v1" + g.person + "/sync", body: func() string { return "{}" }, contentType: "application/json", want: api(403).set(200, actSelf)},
		"GET /api/v1/people/{pid}/imports":   {path: "/api/v1" + g.person + "/imports", want: api(403).set(200, actSelf)},

		// Operations: liveness and readiness are open to all; /metrics is
		// served over loopback or with the metrics token only, and these
		// requests come from elsewhere (192.0.2.1) with neither.
		"GET /healthz": {path: "/healthz", want: everyone(200)},
		"GET /readyz":  {path: "/readyz", want: everyone(200)},
		"GET /metrics": {path: "/metrics", want: everyone(http.StatusForbidden)},

		// Notification settings (self) and failed deliveries (admins).
		"GET /settings/notifications":          {path: "/settings/notifications", want: htmlPage(200)},
		"POST /settings/notifications":         {path: "/settings/notifications", form: url.Values{"email": {"1"}}, want: form(http.StatusSeeOther)},
		"GET /api/v1/me/notification-settings": {path: "/api/v1/me/notification-settings", want: api(200)},
		"PUT /api/v1/me/notification-settings": {path: "/api/v1/me/notification-settings", body: func() string { return `{"email":true}` }, contentType: "application/json", want: api(200).set(http.StatusForbidden, actReadTok)},
		"GET /admin/deliveries":                {path: "/admin/deliveries", want: htmlPage(404).set(200, actAdmin)},
		"POST /admin/deliveries/{id}/retry":    {path: "/admin/deliveries/999999/retry", form: url.Values{}, want: form(404)},

		// Catch-alls answer 404 to everyone.
		" /api/": {path: "/api/v1/no-such-thing", want: everyone(404)},
		" /":     {path: "/no/such/page", want: everyone(404)},
	}

	// Community (chat_test.go has the fixture).
	for k, c := range routeCasesForCommunity(t, e, o) {
		cases[k] = c
	}

	// Promotions (document_test.go has the fixture).
	for k, c := range routeCasesForDocuments(t, e, o) {
		cases[k] = c
	}
	// Openings, programmes and assignments (opening_test.go has the fixture).
	for k, c := range routeCasesForOpenings(t, e, o) {
		cases[k] = c
	}

	routes := e.srv.Routes()
	seen := map[string]bool{}
	n := 0
	for _, rt := range routes {
		key := rt.Method + " " + rt.Pattern
		seen[key] = true
		c, ok := cases[key]
		if !ok {
			t.Errorf("route %s (%s, %s) has no entry in the route x actor table", key, rt.Name, rt.Access)
			continue
		}
		for _, a := range allActors {
			if _, ok := c.want[a]; !ok {
				t.Errorf("route %s: no expected status for %s", key, a)
			}
		}
		method := cmpOr(rt.Method, "GET")
		if routeWildcard.MatchString(c.path) {
			t.Errorf("route %s: the path %s still has a wildcard", key, c.path)
		}
		for _, a := range allActors {
			var body io.Reader
			var header []string
			switch {
			case c.form != nil:
				body = strings.NewReader(c.form.Encode())
				header = []string{"Content-Type", "application/x-www-form-urlencoded"}
			case c.body != nil:
				body = strings.NewReader(c.body())
				header = []string{"Content-Type", c.contentType}
			}
			got := o.request(e, a, method, c.path, body, header...)
			n++
			if got != c.want[a] {
				t.Errorf("%s %s as %s: %d, want %d", method, c.path, a, got, c.want[a])
			}
		}
		if c.endsSessions {
			for _, a := range signedInActors {
				o.cookies[a] = sessionCookie(t, e.srv, o.people[a])
			}
		}
	}
	for key := range cases {
		if !seen[key] {
			t.Errorf("the table has an entry for %s, which no route serves", key)
		}
	}
	t.Logf("route x actor table: %d routes x %d actors = %d cases", len(routes), len(allActors), n)
}
