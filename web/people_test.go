package web

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"trellis"
)

// peopleOrg is the organisation of the people tests:
//
//	Dana Director (director) ─┬─ Morgan Manager ─┬─ Erin Engineer  (Alpha; EMEA)
//	                          │                  ├─ Eli Engineer   (Alpha; AMER)
//	                          │                  └─ Esme Engineer  (Beta; EMEA, APAC)
//	                          └─ Pat Peer ── Quinn Report (Beta; AMER)
//	Ada Admin (admin), Pia Partner (people partner), Lee Left (has left)
type peopleOrg struct {
	e       *env
	byKey   map[string]*trellis.Person
	cookies map[string]string
}

func newPeopleOrg(t *testing.T) *peopleOrg {
	t.Helper()
	e := newEnv(t)
	o := &peopleOrg{e: e, byKey: map[string]*trellis.Person{"admin": e.admin}, cookies: map[string]string{"admin": e.cookie}}
	ctx := context.Background()
	add := func(key, name, role, access, manager string, teams, regions []string, since string) {
		p := &trellis.Person{Email: key + "@example.com", Name: name, RoleID: role, Access: access, Active: true, Teams: teams, Regions: regions}
		if manager != "" {
			p.ManagerID = &o.byKey[manager].ID
		}
		if since != "" {
			p.RoleSince, _ = time.Parse("2006-01-02", since)
		}
		if err := e.people.CreatePerson(ctx, p); err != nil {
			t.Fatalf("adding %s: %v", key, err)
		}
		o.byKey[key] = p
	}
	add("dana", "Dana Director", "director-of-support", trellis.AccessDirector, "", []string{"Leadership"}, []string{"EMEA"}, "2019-04-01")
	add("morgan", "Morgan Manager", "support-engineering-manager", trellis.AccessEngineer, "dana", []string{"Alpha"}, []string{"EMEA"}, "2022-01-10")
	add("erin", "Erin Engineer", "senior-support-engineer", trellis.AccessEngineer, "morgan", []string{"Alpha"}, []string{"EMEA"}, "2023-03-15")
	add("eli", "Eli Engineer", "support-engineer", trellis.AccessEngineer, "morgan", []string{"Alpha"}, []string{"AMER"}, "")
	add("esme", "Esme Engineer", "support-engineer", trellis.AccessEngineer, "morgan", []string{"Beta"}, []string{"EMEA", "APAC"}, "2025-06-01")
	add("pat", "Pat Peer", "support-engineering-manager", trellis.AccessEngineer, "dana", []string{"Beta"}, []string{"AMER"}, "")
	add("quinn", "Quinn Report", "associate-support-engineer", trellis.AccessEngineer, "pat", []string{"Beta"}, []string{"AMER"}, "")
	add("pia", "Pia Partner", "support-engineer", trellis.AccessPeople, "", nil, nil, "")
	add("lee", "Lee Left", "support-engineer", trellis.AccessEngineer, "", []string{"Alpha"}, nil, "")
	for _, k := range []string{"dana", "morgan", "erin", "eli", "esme", "pat", "quinn", "pia", "lee"} {
		o.cookies[k] = sessionCookie(t, e.srv, o.byKey[k])
	}
	no := false
	lee := o.byKey["lee"]
	if _, err := e.people.UpdatePerson(ctx, lee.ID, trellis.PersonUpdate{Active: &no}, lee.Version); err != nil {
		t.Fatal(err)
	}
	return o
}

// as serves a request as the person with key.
func (o *peopleOrg) as(key, method, target string, body io.Reader, header ...string) *responseText {
	o.e.t.Helper()
	header = append(header, "Cookie", SessionCookie+"="+o.cookies[key])
	res := o.e.do(method, target, body, header...)
	return &responseText{Status: res.Status, Header: res.Header, Body: string(res.Body), raw: res.Body}
}

// post sends a urlencoded form as key.
func (o *peopleOrg) post(key, target string, form url.Values) *responseText {
	o.e.t.Helper()
	return o.as(key, "POST", target, strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
}

type responseText struct {
	Status int
	Header http.Header
	Body   string
	raw    []byte
}

func (r *responseText) has(t *testing.T, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(r.Body, w) {
			t.Errorf("response lacks %q", w)
		}
	}
}

func (r *responseText) hasNot(t *testing.T, want ...string) {
	t.Helper()
	for _, w := range want {
		if strings.Contains(r.Body, w) {
			t.Errorf("response should not contain %q", w)
		}
	}
}

func (o *peopleOrg) id(key string) string { return strconv.FormatInt(o.byKey[key].ID, 10) }

func (o *peopleOrg) find(t *testing.T, key string) *trellis.Person {
	t.Helper()
	p, err := o.e.people.FindPerson(context.Background(), o.byKey[key].ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var profileLink = regexp.MustCompile(`<th scope="row"><a href="/people/(\d+)">([^<]+)</a>`)

// names lists the people a directory page shows, in order.
func names(body string) []string {
	var out []string
	for _, m := range profileLink.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[2]))
	}
	return out
}

func TestPeopleDirectory(t *testing.T) {
	o := newPeopleOrg(t)
	res := o.as("erin", "GET", "/people", nil)
	if res.Status != 200 {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	want := []string{"Ada Admin", "Dana Director", "Eli Engineer", "Erin Engineer", "Esme Engineer", "Morgan Manager", "Pat Peer", "Pia Partner", "Quinn Report"}
	if got := names(res.Body); !slices.Equal(got, want) {
		t.Errorf("directory = %q, want %q", got, want)
	}
	res.has(t, `href="/frameworks/support/roles/senior-support-engineer">Senior Support Engineer</a>`, `<a href="/people/`+o.id("morgan")+`">Morgan Manager</a>`,
		`role="search"`, `<option value="Alpha">Alpha</option>`, `<option value="APAC">APAC</option>`,
		`<option value="`+o.id("morgan")+`">Morgan Manager</option>`, "Time in role", ` aria-current="page">People</a>`, `href="/org"`)
	res.hasNot(t, "Lee Left", "Add a person", `href="/admin/audit"`)

	cases := []struct {
		query string
		want  []string
	}{
		{"q=engineer", []string{"Eli Engineer", "Erin Engineer", "Esme Engineer"}},
		{"q=ERIN%40example", []string{"Erin Engineer"}},
		{"team=alpha", []string{"Eli Engineer", "Erin Engineer", "Morgan Manager"}},
		{"region=APAC", []string{"Esme Engineer"}},
		{"role=support-engineering-manager", []string{"Morgan Manager", "Pat Peer"}},
		{"manager=" + o.id("morgan"), []string{"Eli Engineer", "Erin Engineer", "Esme Engineer"}},
		{"team=Alpha&region=EMEA", []string{"Erin Engineer", "Morgan Manager"}},
		{"team=Alpha&left=1", []string{"Eli Engineer", "Erin Engineer", "Lee Left", "Morgan Manager"}},
		{"q=nobody-at-all", nil},
	}
	for _, c := range cases {
		res := o.as("erin", "GET", "/people?"+c.query, nil)
		if res.Status != 200 {
			t.Errorf("%s: %d", c.query, res.Status)
			continue
		}
		if got := names(res.Body); !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", c.query, got, c.want)
		}
	}
	o.as("erin", "GET", "/people?q=nobody-at-all", nil).has(t, "Nobody found", `href="/people">Show everyone`)
	o.as("erin", "GET", "/people?team=alpha&left=1", nil).has(t, `<span class="badge badge-warn">left</span>`)
	if res := o.as("erin", "GET", "/people?manager=boss", nil); res.Status != 400 {
		t.Errorf("bad manager filter: %d", res.Status)
	}
	if res := o.as("erin", "GET", "/people?cursor=garbage", nil); res.Status != 400 || !strings.Contains(res.Body, "First page") {
		t.Errorf("bad cursor: %d", res.Status)
	}

	// Pagination by "Next page" links, keeping the filters, without
	// repeats or gaps.
	var seen []string
	next := "/people?limit=2&q=e"
	for range 10 {
		res := o.as("erin", "GET", next, nil)
		seen = append(seen, names(res.Body)...)
		m := regexp.MustCompile(`<a href="([^"]+)" rel="next">Next page</a>`).FindStringSubmatch(res.Body)
		if m == nil {
			break
		}
		next = html.UnescapeString(m[1])
		if !strings.Contains(next, "q=e") || !strings.Contains(next, "cursor=") {
			t.Errorf("next link %q loses the filter", next)
		}
		next += "&limit=2"
	}
	all := names(o.as("erin", "GET", "/people?q=e", nil).Body)
	if !slices.Equal(seen, all) || len(all) < 5 {
		t.Errorf("paged %q, all at once %q", seen, all)
	}

	// Admins get the add and import links, and the audit log in the navigation.
	o.as("admin", "GET", "/people", nil).has(t, `href="/people/new"`, `href="/people/import"`, `href="/admin/audit"`)
	o.as("pia", "GET", "/people", nil).has(t, `href="/admin/audit"`)
}

func TestPersonProfile(t *testing.T) {
	o := newPeopleOrg(t)
	erin := "/people/" + o.id("erin")
	res := o.as("eli", "GET", erin, nil)
	if res.Status != 200 {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	res.has(t, "<h1>Erin Engineer", "erin@example.com", `href="/frameworks/support/roles/senior-support-engineer">Senior Support Engineer</a>`,
		"<dt>Grade</dt><dd>7</dd>", "Individual contributor", "since <time datetime=\"2023-03-15\">15 Mar 2023</time>",
		`href="/people?team=Alpha">Alpha</a>`, `>EMEA</a>`, `badge-ok">active`,
		`<li><a href="/people/`+o.id("dana")+`">Dana Director</a></li>`, `<li><a href="/people/`+o.id("morgan")+`">Morgan Manager</a></li>`,
		"Nobody reports to Erin Engineer.")
	res.hasNot(t, "<dt>Access</dt>", `/edit"`)
	// The chain reads from the top down.
	if strings.Index(res.Body, "Dana Director") > strings.Index(res.Body, ">Morgan Manager<") {
		t.Error("the chain should start at the top")
	}
	// Time in role is in years and months.
	if !regexp.MustCompile(`\d+ years?( \d+ months?)? <span class="muted">\(since`).MatchString(res.Body) {
		t.Error("no time in role")
	}
	o.as("erin", "GET", erin, nil).has(t, `<span class="badge">you</span>`, `href="`+erin+`/edit"`)
	o.as("admin", "GET", erin, nil).has(t, "<dt>Access</dt><dd><span class=\"badge\">engineer</span>", `href="`+erin+`/edit"`)
	// A people partner may not assign access, so the policy hides it.
	o.as("pia", "GET", erin, nil).hasNot(t, "<dt>Access</dt>")

	o.as("erin", "GET", "/people/"+o.id("morgan"), nil).has(t, "Direct reports", ">Eli Engineer<", ">Erin Engineer<", ">Esme Engineer<",
		`href="/org?root=`+o.id("morgan")+`"`, `href="/people?manager=`+o.id("morgan")+`"`)
	o.as("erin", "GET", "/people/"+o.id("dana"), nil).has(t, "at the top of the organisation")
	o.as("erin", "GET", "/people/"+o.id("lee"), nil).has(t, "left the organisation")
	for _, path := range []string{"/people/999999", "/people/abc", "/people/0"} {
		if res := o.as("erin", "GET", path, nil); res.Status != 404 {
			t.Errorf("%s: %d", path, res.Status)
		}
	}
}

func editForm(p *trellis.Person) url.Values {
	return url.Values{"name": {p.Name}, "teams": {strings.Join(p.Teams, ", ")}, "regions": {strings.Join(p.Regions, ", ")},
		"version": {strconv.Itoa(p.Version)}}
}

func TestPersonEditPermissions(t *testing.T) {
	o := newPeopleOrg(t)
	erin := "/people/" + o.id("erin")

	// Self: name, teams and regions only.
	res := o.as("erin", "GET", erin+"/edit", nil)
	if res.Status != 200 {
		t.Fatalf("%d", res.Status)
	}
	res.has(t, `name="name" value="Erin Engineer"`, `name="teams" value="Alpha"`, `name="regions" value="EMEA"`,
		`name="version" value="1"`, "set by an admin")
	res.hasNot(t, `name="role"`, `name="manager"`, `name="access"`, `name="email"`, `name="assign"`)
	// Admin: everything.
	o.as("admin", "GET", erin+"/edit", nil).has(t, `name="role"`, `<option value="senior-support-engineer" selected>`,
		`name="manager" value="morgan@example.com"`, `list="people-list"`, `<option value="dana@example.com">Dana Director</option>`,
		`name="access"`, `name="status"`, `name="role_since" value="2023-03-15"`, `name="assign" value="1"`)
	// Others: read yes, edit no (403); her manager neither; an unknown id 404.
	for _, k := range []string{"eli", "morgan", "dana", "pia"} {
		if res := o.as(k, "GET", erin+"/edit", nil); res.Status != 403 {
			t.Errorf("%s editing erin: %d", k, res.Status)
		}
		if res := o.post(k, erin, editForm(o.find(t, "erin"))); res.Status != 403 {
			t.Errorf("%s saving erin: %d", k, res.Status)
		}
	}
	if res := o.as("erin", "GET", "/people/424242/edit", nil); res.Status != 404 {
		t.Errorf("unknown person: %d", res.Status)
	}

	// Self saves their basics.
	f := editForm(o.find(t, "erin"))
	f.Set("name", "  Erin E. Engineer ")
	f.Set("teams", "Alpha; Tooling, ")
	res = o.post("erin", erin, f)
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != erin+"?saved=1" {
		t.Fatalf("self save: %d %s %s", res.Status, res.Header.Get("Location"), res.Body)
	}
	p := o.find(t, "erin")
	if p.Name != "Erin E. Engineer" || !slices.Equal(p.Teams, []string{"Alpha", "Tooling"}) || p.Version != 2 {
		t.Errorf("after self save: %+v", p)
	}
	o.as("erin", "GET", erin+"?saved=1", nil).has(t, `role="status">Saved.`)
	// Self cannot slip in the admin fields.
	f = editForm(p)
	f.Set("assign", "1")
	f.Set("role", "staff-support-engineer")
	f.Set("access", "admin")
	if res := o.post("erin", erin, f); res.Status != 403 {
		t.Errorf("self assigning: %d", res.Status)
	}
	if p := o.find(t, "erin"); p.RoleID != "senior-support-engineer" || p.Access != trellis.AccessEngineer {
		t.Errorf("self changed their role or access: %+v", p)
	}
	// Invalid input keeps what was typed and names the field.
	f = editForm(p)
	f.Set("name", "")
	f.Set("teams", "Alpha, "+strings.Repeat("x", 70))
	res = o.post("erin", erin, f)
	if res.Status != 400 {
		t.Fatalf("invalid save: %d", res.Status)
	}
	res.has(t, `id="e-name"`, `id="e-teams"`, `aria-invalid="true"`, strings.Repeat("x", 70), "were not saved")

	// Admin changes role, manager, date and access.
	f = editForm(o.find(t, "erin"))
	f.Set("assign", "1")
	f.Set("email", "erin@example.com")
	f.Set("role", "staff-support-engineer")
	f.Set("manager", "pat@example.com")
	f.Set("role_since", "2026-01-05")
	f.Set("access", "director")
	f.Set("status", "active")
	res = o.post("admin", erin, f)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("admin save: %d %s", res.Status, res.Body)
	}
	p = o.find(t, "erin")
	if p.RoleID != "staff-support-engineer" || *p.ManagerID != o.byKey["pat"].ID || p.Access != trellis.AccessDirector ||
		p.RoleSince.Format("2006-01-02") != "2026-01-05" {
		t.Errorf("after admin save: %+v", p)
	}
	// A manager loop is refused (422) and the form keeps the input.
	f = editForm(o.find(t, "dana"))
	f.Set("assign", "1")
	f.Set("email", "dana@example.com")
	f.Set("role", "director-of-support")
	f.Set("manager", "erin@example.com")
	f.Set("access", "director")
	res = o.post("admin", "/people/"+o.id("dana"), f)
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("loop: %d %s", res.Status, res.Body)
	}
	res.has(t, "reporting loop", `value="erin@example.com"`)
	// An unknown manager names the field.
	f.Set("manager", "ghost@example.com")
	res = o.post("admin", "/people/"+o.id("dana"), f)
	if res.Status != 400 || !strings.Contains(res.Body, "nobody has the email ghost@example.com") {
		t.Errorf("unknown manager: %d", res.Status)
	}
	// Leaving.
	f = editForm(o.find(t, "eli"))
	f.Set("assign", "1")
	f.Set("email", "eli@example.com")
	f.Set("role", "support-engineer")
	f.Set("manager", "")
	f.Set("access", "engineer")
	f.Set("status", "left")
	if res := o.post("admin", "/people/"+o.id("eli"), f); res.Status != http.StatusSeeOther {
		t.Fatalf("leaving: %d %s", res.Status, res.Body)
	}
	if p := o.find(t, "eli"); p.Active || p.ManagerID != nil {
		t.Errorf("eli = %+v", p)
	}
}

func TestPersonEditConflict(t *testing.T) {
	o := newPeopleOrg(t)
	erin := "/people/" + o.id("erin")
	stale := o.find(t, "erin")
	// An admin saves first.
	f := editForm(stale)
	f.Set("name", "Erin Saved-By-Admin")
	if res := o.post("admin", erin, f); res.Status != http.StatusSeeOther {
		t.Fatalf("admin: %d", res.Status)
	}
	// Erin saves the page she loaded before: a conflict, both texts kept.
	f = editForm(stale)
	f.Set("name", "Erin Typed-This")
	f.Set("regions", "EMEA, APAC")
	res := o.post("erin", erin, f)
	if res.Status != http.StatusConflict {
		t.Fatalf("stale save: %d %s", res.Status, res.Body)
	}
	res.has(t, "Saved by someone else meanwhile", "<td>Erin Saved-By-Admin</td><td>Erin Typed-This</td>",
		`name="name" value="Erin Typed-This"`, `name="regions" value="EMEA, APAC"`, `name="version" value="2"`, "differs")
	if p := o.find(t, "erin"); p.Name != "Erin Saved-By-Admin" || p.Version != 2 {
		t.Errorf("stale save wrote: %+v", p)
	}
	// Saving the conflict form again replaces the saved values knowingly.
	f.Set("version", "2")
	if res := o.post("erin", erin, f); res.Status != http.StatusSeeOther {
		t.Fatalf("second save: %d", res.Status)
	}
	if p := o.find(t, "erin"); p.Name != "Erin Typed-This" || !slices.Equal(p.Regions, []string{"EMEA", "APAC"}) {
		t.Errorf("after second save: %+v", p)
	}
	// A form without a version is refused.
	f.Del("version")
	if res := o.post("erin", erin, f); res.Status != 400 {
		t.Errorf("no version: %d", res.Status)
	}
}

func TestAddPerson(t *testing.T) {
	o := newPeopleOrg(t)
	o.as("admin", "GET", "/people/new", nil).has(t, `action="/people"`, `name="email"`, `name="role"`, `<option value="engineer" selected>`)
	if res := o.as("erin", "GET", "/people/new", nil); res.Status != 403 {
		t.Errorf("engineer: %d", res.Status)
	}
	f := url.Values{"name": {"Nia New"}, "email": {"Nia@Example.com"}, "role": {"associate-support-engineer"}, "manager": {"morgan@example.com"},
		"role_since": {"2026-02-01"}, "access": {"engineer"}, "status": {"active"}, "teams": {"Alpha"}, "regions": {"EMEA"}}
	res := o.post("admin", "/people", f)
	if res.Status != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "?created=1") {
		t.Fatalf("add: %d %s", res.Status, res.Body)
	}
	o.as("admin", "GET", res.Header.Get("Location"), nil).has(t, "Nia New was added.", "nia@example.com", "Morgan Manager")
	// The same email again: a conflict on the email field, input kept.
	res = o.post("admin", "/people", f)
	if res.Status != http.StatusConflict {
		t.Fatalf("duplicate: %d", res.Status)
	}
	res.has(t, "already has the email", `value="Nia New"`, `id="e-email"`)
	f.Set("email", "nia2@example.com")
	f.Set("role", "wizard")
	f.Set("role_since", "01/02/2026")
	res = o.post("admin", "/people", f)
	if res.Status != 400 {
		t.Fatalf("bad date: %d", res.Status)
	}
	res.has(t, "is not a date")
	f.Set("role_since", "")
	res = o.post("admin", "/people", f)
	if res.Status != 400 || !strings.Contains(res.Body, "not a role of the active framework") {
		t.Errorf("unknown role: %d", res.Status)
	}
	if res := o.post("erin", "/people", f); res.Status != 403 {
		t.Errorf("engineer adding: %d", res.Status)
	}
}

func (o *peopleOrg) count(t *testing.T) int {
	t.Helper()
	page, err := o.e.people.ListPeople(context.Background(), trellis.PersonFilter{IncludeInactive: true, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return len(page.Items)
}

func TestPeopleImportPage(t *testing.T) {
	o := newPeopleOrg(t)
	o.as("admin", "GET", "/people/import", nil).has(t, `enctype="multipart/form-data"`, "name,email,role,manager_email,team,region,role_since")
	if res := o.as("erin", "GET", "/people/import", nil); res.Status != 403 {
		t.Errorf("engineer: %d", res.Status)
	}
	before := o.count(t)
	upload := func(name, csv string) *responseText {
		body, ct := multipartForm(t, nil, name, []byte(csv))
		return o.as("admin", "POST", "/people/import", body, "Content-Type", ct)
	}
	// File errors: every bad row, nothing written.
	res := upload("bad.csv", "name,email,role,manager_email,team\n"+
		"Good One,good1@example.com,support-engineer,,\n"+
		",bad,support-engineer,,\n"+
		"Short,short@example.com\n")
	if res.Status != 400 {
		t.Fatalf("bad file: %d %s", res.Status, res.Body)
	}
	res.has(t, "Nobody was imported", "bad.csv has", `<td class="num">3</td><td><code>name</code>`, `<td class="num">3</td><td><code>email</code>`,
		`<td class="num">4</td><td><code>row</code>`)
	res.hasNot(t, `<td class="num">2</td>`)
	// Store errors: unknown role, unknown manager and a loop, by row.
	res = upload("store.csv", "name,email,role,manager_email\n"+
		"A,a@example.com,wizard,\n"+
		"B,b@example.com,support-engineer,ghost@example.com\n"+
		"C,c@example.com,support-engineer,d@example.com\n"+
		"D,d@example.com,support-engineer,c@example.com\n")
	if res.Status != 400 {
		t.Fatalf("store errors: %d %s", res.Status, res.Body)
	}
	res.has(t, `<td class="num">2</td><td><code>role</code>`, "ghost@example.com", "reporting loop")
	// Unknown columns name the expected ones.
	res = upload("cols.csv", "name,email,salary\nA,a@example.com,1\n")
	res.has(t, "unknown column", "name, email, role, manager_email, team, region, role_since")
	if n := o.count(t); n != before {
		t.Fatalf("failed imports wrote: %d people, want %d", n, before)
	}
	// Pasted text works too; success shows the counts.
	form := url.Values{"text": {"name,email,role,manager_email,team,region,role_since\n" +
		"New Lead,lead@example.com,support-engineering-manager,dana@example.com,Gamma,AMER;EMEA,2026-01-01\n" +
		"New Hire,hire@example.com,associate-support-engineer,lead@example.com,Gamma,AMER,\n" +
		"Erin Engineer,erin@example.com,staff-support-engineer,morgan@example.com,Alpha,EMEA,2026-02-01\n"}}
	res = o.post("admin", "/people/import", form)
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/people/import?created=2&updated=1" {
		t.Fatalf("import: %d %s %s", res.Status, res.Header.Get("Location"), res.Body)
	}
	o.as("admin", "GET", res.Header.Get("Location"), nil).has(t, "Import done: 2 added, 1 updated.")
	if n := o.count(t); n != before+2 {
		t.Errorf("%d people after import, want %d", n, before+2)
	}
	if p := o.find(t, "erin"); p.RoleID != "staff-support-engineer" {
		t.Errorf("erin not updated: %+v", p)
	}
	if res := o.post("admin", "/people/import", url.Values{"text": {"  "}}); res.Status != 400 || !strings.Contains(res.Body, "Choose a CSV file") {
		t.Errorf("empty: %d", res.Status)
	}
}

// svgOf cuts the inline <svg> out of a page.
func svgOf(t *testing.T, body string) string {
	t.Helper()
	i, j := strings.Index(body, "<svg"), strings.LastIndex(body, "</svg>")
	if i < 0 || j < i {
		t.Fatalf("no svg in the page")
	}
	return body[i : j+len("</svg>")]
}

func TestOrgChartPage(t *testing.T) {
	o := newPeopleOrg(t)
	res := o.as("erin", "GET", "/org", nil)
	if res.Status != 200 {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	doc := svgOf(t, res.Body)
	dec := xml.NewDecoder(strings.NewReader(doc))
	var text bytes.Buffer
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the org chart is not well-formed XML: %v", err)
		}
		if c, ok := tok.(xml.CharData); ok {
			text.Write(c)
			text.WriteString("\n")
		}
	}
	for k, p := range o.byKey {
		if k == "lee" {
			if strings.Contains(text.String(), p.Name) {
				t.Errorf("someone who left is on the chart")
			}
			continue
		}
		if !strings.Contains(text.String(), p.Name) {
			t.Errorf("%s is not on the chart", p.Name)
		}
		if !strings.Contains(doc, `href="/people/`+o.id(k)+`"`) {
			t.Errorf("%s has no link", p.Name)
		}
	}
	res.has(t, `role="img"`, "<title id=\"org-title\">Org chart: the organisation</title>", `class="person person-current" data-person="`+o.id("erin")+`"`,
		"As a list", `<li><a href="/people/`+o.id("dana")+`">Dana Director</a>, Director of Support<ul>`, "9 people", ` aria-current="page">Org chart</a>`)
	// One subtree.
	res = o.as("erin", "GET", "/org?root="+o.id("morgan"), nil)
	if res.Status != 200 {
		t.Fatalf("subtree: %d", res.Status)
	}
	res.has(t, "Morgan Manager and their reports", "4 people", "Erin Engineer", `href="/org">Show the whole organisation`)
	res.hasNot(t, `href="/people/`+o.id("dana")+`"`, "Quinn Report")
	for q, status := range map[string]int{"?root=999999": 404, "?root=" + o.id("lee"): 404, "?root=x": 400} {
		if res := o.as("erin", "GET", "/org"+q, nil); res.Status != status {
			t.Errorf("/org%s: %d, want %d", q, res.Status, status)
		}
	}
}

func TestAuditPage(t *testing.T) {
	o := newPeopleOrg(t)
	ctx := trellis.NewContextWithActor(context.Background(), trellis.Actor{Person: o.e.admin})
	erin := o.find(t, "erin")
	role := "staff-support-engineer"
	if _, err := o.e.people.UpdatePerson(ctx, erin.ID, trellis.PersonUpdate{RoleID: &role}, erin.Version); err != nil {
		t.Fatal(err)
	}
	res := o.as("admin", "GET", "/admin/audit", nil)
	if res.Status != 200 {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	res.has(t, "<code>person.role_changed</code>", `<a href="/people/`+o.id("erin")+`">Erin Engineer</a>`,
		`<th scope="row">role id</th><td class="before-val">senior-support-engineer</td><td class="after-val">staff-support-engineer</td>`,
		`<a href="/people/`+o.id("admin")+`">admin@example.com</a>`, "<code>person.created</code>", "<code>person.deactivated</code>",
		`<option value="person.">person.*</option>`, ` aria-current="page">Audit log</a>`)
	// Newest first.
	if strings.Index(res.Body, "person.role_changed") > strings.Index(res.Body, "<code>person.created</code>") {
		t.Error("not newest first")
	}
	filtered := func(q string) *responseText {
		res := o.as("pia", "GET", "/admin/audit?"+q, nil)
		if res.Status != 200 {
			t.Fatalf("%s: %d %s", q, res.Status, res.Body)
		}
		return res
	}
	r := filtered("action=person.role_changed")
	r.has(t, "<code>person.role_changed</code>", `<option value="person.role_changed" selected>`)
	r.hasNot(t, "<code>person.created</code>")
	filtered("action=person.").has(t, "<code>person.created</code>", "<code>person.role_changed</code>")
	filtered("actor=admin%40example.com&action=person.role_changed").has(t, "<code>person.role_changed</code>")
	filtered("actor="+o.id("erin")).has(t, "No events")
	filtered("target_type=person&target_id="+o.id("erin")).has(t, "<code>person.role_changed</code>")
	today := time.Now().UTC().Format("2006-01-02")
	filtered("since="+today+"&until="+today).has(t, "<code>person.role_changed</code>")
	filtered("until=2000-01-01").has(t, "No events")
	for _, q := range []string{"since=yesterday", "actor=ghost%40example.com", "since=2026-02-02&until=2026-01-01", "action=DROP%20TABLE"} {
		if res := o.as("admin", "GET", "/admin/audit?"+q, nil); res.Status != 400 {
			t.Errorf("%s: %d", q, res.Status)
		}
	}
	// Pages of 50, older events through the "Older events" link.
	for i := range 55 {
		if err := o.e.deps.Audit.RecordAudit(ctx, &trellis.AuditEvent{Action: trellis.AuditExport, ActorLabel: "cli", TargetType: "framework", TargetID: fmt.Sprintf("support@%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	res = filtered("action=export")
	m := regexp.MustCompile(`<a href="([^"]+)" rel="next">Older events</a>`).FindStringSubmatch(res.Body)
	if m == nil || strings.Count(res.Body, "<code>export</code>") != 50 {
		t.Fatalf("first page: %d events, next %v", strings.Count(res.Body, "<code>export</code>"), m)
	}
	res = o.as("pia", "GET", html.UnescapeString(m[1]), nil)
	if n := strings.Count(res.Body, "<code>export</code>"); n != 5 || !strings.Contains(res.Body, ">Newest</a>") {
		t.Errorf("second page: %d events", n)
	}
	// Everyone else: hidden.
	for _, k := range []string{"erin", "morgan", "dana"} {
		if res := o.as(k, "GET", "/admin/audit", nil); res.Status != 404 {
			t.Errorf("%s: %d", k, res.Status)
		}
	}
	o.as("erin", "GET", "/people", nil).hasNot(t, `href="/admin/audit"`)
}

func TestTimeIn(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	for from, want := range map[string]string{
		"2024-03-10": "2 years", "2024-01-15": "2 years 1 month", "2025-03-11": "11 months", "2026-02-10": "1 month",
		"2026-02-20": "2 weeks", "2026-03-09": "1 day", "2026-03-10": "0 days", "2026-04-01": "from 1 Apr 2026",
	} {
		d, _ := time.Parse("2006-01-02", from)
		if got := timeIn(d, now); got != want {
			t.Errorf("timeIn(%s) = %q, want %q", from, got, want)
		}
	}
	if timeIn(time.Time{}, now) != "" {
		t.Error("unknown date")
	}
}
