package web

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"trellis"
	"trellis/defaults"
	"trellis/framework"
	"trellis/sqlstore"
	"trellis/sqlstore/storetest"
	"trellis/web/apitest"
)

// env is a server on a real, empty test database holding the default
// support framework.
type env struct {
	t   *testing.T
	srv *Server
	h   http.Handler
	fs  trellis.FrameworkService
	api *apitest.Validator
	log *bytes.Buffer

	db     *sqlstore.DB
	deps   Deps
	people *sqlstore.PersonService
	// admin is signed in on every request of do and get (cookie); anon
	// returns an env whose requests carry no session.
	admin  *trellis.Person
	cookie string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := storetest.Open(t)
	fs := sqlstore.NewFrameworkService(db)
	fw, err := defaults.Support()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.ImportFramework(context.Background(), fw, true); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	d := testDeps(t, db)
	d.Frameworks = fs
	d.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	d.Clock = trellis.SystemClock{}
	d.Version = "test-1.2.3"
	srv := NewServer(d)
	e := &env{t: t, srv: srv, h: srv.Handler(), fs: fs, api: apitest.New(t, OpenAPI()), log: &logs,
		db: db, deps: d, people: d.People.(*sqlstore.PersonService)}
	e.admin = addPerson(t, d.People, "admin@example.com", "Ada Admin", trellis.AccessAdmin, nil)
	e.cookie = sessionCookie(t, srv, e.admin)
	return e
}

// do serves one request through the real handler; API responses are
// checked against the OpenAPI document.
func (e *env) do(method, target string, body io.Reader, header ...string) *apitest.Response {
	e.t.Helper()
	req := httptest.NewRequest(method, target, body)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if e.cookie != "" && req.Header.Get("Cookie") == "" && req.Header.Get("Authorization") == "" {
		req.AddCookie(&http.Cookie{Name: SessionCookie, Value: e.cookie})
	}
	return e.api.Do(e.t, e.h, req)
}

func (e *env) get(target string) *apitest.Response {
	e.t.Helper()
	return e.do("GET", target, nil)
}

// importFW stores a framework directly.
func (e *env) importFW(fw *trellis.Framework, activate bool) {
	e.t.Helper()
	if _, err := e.fs.ImportFramework(context.Background(), fw, activate); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) versions() []trellis.FrameworkVersion {
	e.t.Helper()
	v, err := e.fs.ListFrameworks(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

func support(t *testing.T) *trellis.Framework {
	t.Helper()
	fw, err := defaults.Support()
	if err != nil {
		t.Fatal(err)
	}
	return fw
}

// nextVersion is the default framework with a new version and a few
// changes.
func nextVersion(t *testing.T, version string) *trellis.Framework {
	fw := support(t)
	fw.Version = version
	r, _ := fw.Role("support-engineer")
	r.Summary = "A changed summary."
	fw.Areas = append(fw.Areas, trellis.Area{ID: "remote-work", Name: "Remote work"})
	fw.Competencies = append(fw.Competencies, trellis.Competency{ID: "handbook-first", Area: "remote-work", Name: "Handbook first"})
	return fw
}

func TestPages(t *testing.T) {
	e := newEnv(t)
	e.importFW(nextVersion(t, "2026.2"), false)
	cases := []struct {
		name    string
		path    string
		status  int
		want    []string
		notWant []string
	}{
		{"list", "/frameworks", 200, []string{"Support engineering career framework", "2026.1", "2026.2", "active", "Make active",
			`action="/frameworks/support/versions/2026.2/activate"`, "Trellis test-1.2.3"}, nil},
		{"matrix", "/frameworks/support/matrix", 200, []string{"Competency matrix", "Customer Support Representative",
			"Director of Support", "Leadership", "Technical", "Values alignment", "Troubleshooting", "Level 3 · Modelling",
			`href="/frameworks/support/roles/senior-support-engineer"`, `<option value="management">Management</option>`}, []string{"Handbook first"}},
		{"matrix old version", "/frameworks/support/matrix?version=2026.2", 200, []string{"Handbook first", "Remote work",
			"not the active version", `href="/frameworks/support/roles/support-engineer?version=2026.2"`}, nil},
		{"matrix track filter", "/frameworks/support/matrix?track=management", 200,
			[]string{"Support Engineering Manager", "Director of Support", `<option value="management" selected>`},
			[]string{`href="/frameworks/support/roles/associate-support-engineer"`, `href="/frameworks/support/roles/staff-support-engineer"`}},
		{"matrix area filter", "/frameworks/support/matrix?area=technical", 200,
			[]string{"Troubleshooting", "Tooling and automation"}, []string{">Communication<", ">Ambiguity and delivery<"}},
		{"matrix bad track", "/frameworks/support/matrix?track=wizards", 400,
			[]string{`no track &#34;wizards&#34;`, "Individual contributor", "Management"}, nil},
		{"matrix bad area", "/frameworks/support/matrix?area=magic", 400, []string{"no area", "Values alignment"}, nil},
		{"role", "/frameworks/support/roles/senior-support-engineer", 200, []string{"Senior Support Engineer", "Grade</span> 7",
			"Destination: a role people happily stay in", "Where one can go next", "Staff Support Engineer", "Business need",
			"Where one arrives from", "Support Engineer", "Merit", "Considerations", "Resources", "<svg", `class="node node-current"`,
			"What this role shows", "Evidence that shows it"}, nil},
		{"role pinned version", "/frameworks/support/roles/support-engineer?version=2026.2", 200, []string{"A changed summary."}, nil},
		{"graph", "/frameworks/support/graph", 200, []string{"<svg", `role="img"`, "Individual contributor", "Management",
			"All moves", "Interim", `href="/frameworks/support/graph.svg"`}, nil},
		{"diff form", "/frameworks/support/diff", 200, []string{"Compare versions", `<option value="2026.2"`}, nil},
		{"diff", "/frameworks/support/diff?from=2026.1&to=2026.2", 200, []string{"changes from", "Remote work", "Handbook first",
			"added", "changed", "A changed summary.", "Before (2026.1)", "After (2026.2)"}, nil},
		{"diff same", "/frameworks/support/diff?from=2026.1&to=2026.1", 200, []string{"say the same thing"}, nil},
		{"import form", "/frameworks/import", 200, []string{`enctype="multipart/form-data"`, `name="file"`, `name="text"`,
			`name="activate"`, "Markdown with front matter"}, nil},
		{"unknown framework", "/frameworks/nope/matrix", 404, []string{"Not found", `href="/frameworks/support/matrix"`, "Support engineering career framework (support)"}, nil},
		{"unknown version", "/frameworks/support/matrix?version=1999", 404, []string{"Versions of support", "2026.1 (active)", "2026.2"}, nil},
		{"unknown role", "/frameworks/support/roles/senior-support-enginer", 404, []string{"has no role", `Did you mean &#34;senior-support-engineer&#34;`,
			"Roles in Support engineering career framework", `href="/frameworks/support/roles/director-of-support"`}, nil},
		{"unknown diff version", "/frameworks/support/diff?from=2026.1&to=3000", 404, []string{"no version", "2026.2"}, nil},
		{"unknown diff framework", "/frameworks/nope/diff", 404, []string{"no framework", "support"}, nil},
		{"unknown page", "/no/such/page", 404, []string{"There is no page at /no/such/page", "Skip to content", "Frameworks"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := e.get(c.path)
			body := string(res.Body)
			if res.Status != c.status {
				t.Fatalf("status %d, want %d\n%s", res.Status, c.status, body)
			}
			if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("content type %q", ct)
			}
			for _, w := range append(c.want, "<title>", `<a class="skip-link" href="#main">`, "</html>") {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(body, w) {
					t.Errorf("page should not contain %q", w)
				}
			}
			if strings.Contains(body, "goroutine") || strings.Contains(body, ".go:") {
				t.Error("page leaks internals")
			}
		})
	}
}

func TestRedirects(t *testing.T) {
	e := newEnv(t)
	for path, want := range map[string]string{
		"/":                             "/frameworks",
		"/matrix":                       "/frameworks/support/matrix",
		"/graph":                        "/frameworks/support/graph",
		"/frameworks/support":           "/frameworks/support/matrix",
		"/frameworks/support?version=1": "/frameworks/support/matrix?version=1",
	} {
		res := e.get(path)
		if res.Status != http.StatusFound || res.Header.Get("Location") != want {
			t.Errorf("%s: %d to %q, want 302 to %q", path, res.Status, res.Header.Get("Location"), want)
		}
	}
}

func TestEmptyInstance(t *testing.T) {
	db := storetest.Open(t)
	d := testDeps(t, db)
	d.Frameworks = sqlstore.NewFrameworkService(db)
	// The store adds people only in a role of the active framework, and an
	// empty instance has none: the signed-in admin comes from a stub.
	admin := &trellis.Person{ID: 1, Email: "admin@example.com", Name: "Ada Admin", Access: trellis.AccessAdmin, Active: true}
	d.People = onePerson{admin}
	srv := NewServer(d)
	cookie := sessionCookie(t, srv, admin)
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, withCookie(httptest.NewRequest("GET", "/frameworks", nil), cookie))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "No frameworks yet") {
		t.Errorf("empty list: %d %s", rec.Code, rec.Body)
	}
	// With no framework the navigation's Matrix link still leads somewhere.
	rec = httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, withCookie(httptest.NewRequest("GET", "/matrix", nil), cookie))
	if rec.Code != http.StatusFound || rec.Header().Get("Location") != "/frameworks" {
		t.Errorf("/matrix on an empty instance: %d %s", rec.Code, rec.Header().Get("Location"))
	}
}

// nodeYs reads the top of each role's box from a career graph SVG.
func nodeYs(t *testing.T, svgText []byte) map[string]float64 {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svgText))
	ys := map[string]float64{}
	current := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("graph is not well-formed XML: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		attr := map[string]string{}
		for _, a := range se.Attr {
			attr[a.Name.Local] = a.Value
		}
		switch se.Name.Local {
		case "g":
			if r, ok := attr["data-role"]; ok {
				current = r
			}
		case "rect":
			if current != "" {
				y, err := strconv.ParseFloat(attr["y"], 64)
				if err != nil {
					t.Fatal(err)
				}
				ys[current] = y
				current = ""
			}
		}
	}
	return ys
}

func TestGraphSVG(t *testing.T) {
	e := newEnv(t)
	res := e.get("/frameworks/support/graph.svg")
	if res.Status != 200 || res.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("%d %s", res.Status, res.Header.Get("Content-Type"))
	}
	ys := nodeYs(t, res.Body)
	if len(ys) != 9 {
		t.Fatalf("nodes = %v", ys)
	}
	// Higher grades higher up, on both tracks.
	ladders := [][]string{
		{"principal-support-engineer", "staff-support-engineer", "senior-support-engineer", "support-engineer", "associate-support-engineer"},
		{"director-of-support", "senior-support-engineering-manager", "support-engineering-manager"},
	}
	for _, l := range ladders {
		for i := 1; i < len(l); i++ {
			if !(ys[l[i-1]] < ys[l[i]]) {
				t.Errorf("%s (y=%v) should sit above %s (y=%v)", l[i-1], ys[l[i-1]], l[i], ys[l[i]])
			}
		}
	}
	// Same grade, same row: staff engineer and manager are peers.
	if ys["staff-support-engineer"] != ys["support-engineering-manager"] {
		t.Errorf("grade 8 roles on different rows: %v", ys)
	}
	body := string(res.Body)
	for _, w := range []string{`role="img"`, "<title", `href="/frameworks/support/roles/senior-support-engineer"`, `stroke-dasharray="9 5"`, "Business need"} {
		if !strings.Contains(body, w) {
			t.Errorf("graph lacks %s", w)
		}
	}
	if res := e.get("/frameworks/nope/graph.svg"); res.Status != 404 {
		t.Errorf("unknown framework graph: %d", res.Status)
	}
}

func TestEscaping(t *testing.T) {
	e := newEnv(t)
	fw := support(t)
	fw.Version = "evil"
	r, _ := fw.Role("senior-support-engineer")
	r.Name = `<script>alert("x")</script> Senior`
	r.Summary = `<img src=x onerror=alert(1)>`
	fw.Competencies[0].Name = `<b>bold</b>`
	fw.Description = "Read **this** first.\n\n<script>alert(2)</script> [x](javascript:alert(3))"
	e.importFW(fw, true)
	matrix := string(e.get("/frameworks/support/matrix").Body)
	if !strings.Contains(matrix, "<strong>this</strong>") {
		t.Error("the framework description's Markdown is not rendered")
	}
	if strings.Contains(matrix, "alert(2)") || strings.Contains(matrix, "javascript:") {
		t.Error("the framework description lets raw HTML or a javascript: link through")
	}
	for _, path := range []string{"/frameworks/support/matrix", "/frameworks/support/roles/senior-support-engineer",
		"/frameworks/support/graph", "/frameworks/support/graph.svg", "/frameworks/support/roles/staff-support-engineer"} {
		body := string(e.get(path).Body)
		if strings.Contains(body, "<script>") || strings.Contains(body, "<img src=x") || strings.Contains(body, "<b>bold") {
			t.Errorf("%s renders markup from framework text", path)
		}
		if !strings.Contains(body, "&lt;script&gt;") {
			t.Errorf("%s does not show the escaped role name", path)
		}
	}
}

func TestSecurityHeadersAndStatic(t *testing.T) {
	e := newEnv(t)
	page := e.get("/frameworks")
	for h, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "same-origin",
		"X-Frame-Options":        "DENY",
	} {
		if got := page.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	csp := page.Header.Get("Content-Security-Policy")
	for _, w := range []string{"frame-ancestors 'none'", "script-src 'self'", "default-src 'none'"} {
		if !strings.Contains(csp, w) {
			t.Errorf("CSP %q lacks %s", csp, w)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Error("CSP allows inline code")
	}
	// Pages carry no inline script or style.
	if regexp.MustCompile(`<script|<style|\sstyle="|\son[a-z]+=`).Match(page.Body) {
		t.Error("page has inline script or style")
	}
	css := regexp.MustCompile(`href="(/static/app\.[0-9a-f]{10}\.css)"`).FindSubmatch(page.Body)
	if css == nil {
		t.Fatal("no hashed stylesheet URL")
	}
	res := e.get(string(css[1]))
	if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") ||
		!strings.Contains(res.Header.Get("Cache-Control"), "immutable") || !bytes.Contains(res.Body, []byte("@media print")) {
		t.Errorf("stylesheet: %d %v", res.Status, res.Header)
	}
	if res := e.get("/static/app.css"); res.Status != 404 {
		t.Errorf("unhashed asset name should be 404, got %d", res.Status)
	}
	if res := e.get("/static/app.0000000000.css"); res.Status != 404 {
		t.Errorf("stale hash should be 404, got %d", res.Status)
	}
}

func TestMethodNotAllowed(t *testing.T) {
	e := newEnv(t)
	res := e.do("DELETE", "/frameworks/import", nil)
	if res.Status != 405 || !strings.Contains(res.Header.Get("Allow"), "GET") || !strings.Contains(res.Header.Get("Allow"), "POST") {
		t.Errorf("%d %v", res.Status, res.Header)
	}
	if !strings.Contains(string(res.Body), "</html>") {
		t.Error("405 page should be HTML")
	}
}

func TestExport(t *testing.T) {
	e := newEnv(t)
	res := e.get("/frameworks/support/export?version=2026.1")
	if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/yaml") ||
		res.Header.Get("Content-Disposition") != `attachment; filename="support-2026-1.yaml"` {
		t.Fatalf("%d %v", res.Status, res.Header)
	}
	fw, err := framework.Read("support.yaml", res.Body, framework.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if fw.Hash() != support(t).Hash() {
		t.Error("export does not round-trip")
	}
	page, err := e.deps.Audit.ListAudit(context.Background(), trellis.AuditFilter{Action: trellis.AuditExport})
	if err != nil || len(page.Items) != 1 || page.Items[0].TargetID != "support@2026.1" || page.Items[0].ActorLabel != "admin@example.com" {
		t.Errorf("the export is not in the audit log: %+v %v", page.Items, err)
	}
	if res := e.get("/frameworks/support/export?version=0.0"); res.Status != 404 {
		t.Errorf("unknown version: %d", res.Status)
	}
}

// multipartForm builds an import form.
func multipartForm(t *testing.T, fields map[string]string, fileName string, file []byte) (io.Reader, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if fileName != "" {
		fw, err := w.CreateFormFile("file", fileName)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(file)
	}
	w.Close()
	return &b, w.FormDataContentType()
}

const badYAML = `apiVersion: trellis/v1
kind: Framework
id: broken
name: Broken
version: "1"
areas:
  - {id: technical, name: Technical}
competencies:
  - {id: troubleshooting, area: technicl, name: Troubleshooting}
tracks:
  - {id: ic, name: IC}
roles:
  - id: engineer
    name: Engineer
    track: ic
    expectations:
      - {competency: trubleshooting, text: Fixes things}
`

func TestImportPage(t *testing.T) {
	e := newEnv(t)
	before := len(e.versions())

	// A file with errors: every error with its position, nothing stored.
	body, ct := multipartForm(t, map[string]string{"format": ""}, "broken.yaml", []byte(badYAML))
	res := e.do("POST", "/frameworks/import", body, "Content-Type", ct)
	page := string(res.Body)
	if res.Status != 400 {
		t.Fatalf("status %d\n%s", res.Status, page)
	}
	for _, w := range []string{"was not imported", "broken.yaml:9:", "broken.yaml:17:", "technicl", "trubleshooting", "Nothing was stored"} {
		if !strings.Contains(page, w) {
			t.Errorf("error page lacks %q", w)
		}
	}
	if n := len(e.versions()); n != before {
		t.Errorf("a failed import stored something: %d versions, was %d", n, before)
	}

	// Pasted CSV with id and version, activated.
	csv := "area,competency,description,role,grade,expectation\n" +
		"Technical,Troubleshooting,Finding causes,Junior Analyst,1,Follows runbooks\n" +
		"Technical,Troubleshooting,,Senior Analyst,2,Writes runbooks\n"
	body, ct = multipartForm(t, map[string]string{"text": csv, "format": "csv", "id": "analysts", "version": "7", "name": "Analysts", "activate": "1"}, "", nil)
	res = e.do("POST", "/frameworks/import", body, "Content-Type", ct)
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/frameworks?") {
		t.Fatalf("import: %d %v\n%s", res.Status, res.Header, res.Body)
	}
	loc := res.Header.Get("Location")
	if !strings.Contains(string(e.get(loc).Body), "Imported analysts@7.") {
		t.Errorf("no notice after import: %s", loc)
	}
	if res := e.get("/frameworks/analysts/roles/senior-analyst"); res.Status != 200 || !strings.Contains(string(res.Body), "Writes runbooks") {
		t.Errorf("imported role page: %d", res.Status)
	}

	// The same again is a no-op; different content under the same version a conflict.
	body, ct = multipartForm(t, map[string]string{"text": csv, "format": "csv", "id": "analysts", "version": "7", "name": "Analysts"}, "", nil)
	res = e.do("POST", "/frameworks/import", body, "Content-Type", ct)
	if res.Status != http.StatusSeeOther || !strings.Contains(string(e.get(res.Header.Get("Location")).Body), "already stored") {
		t.Errorf("re-import: %d %v", res.Status, res.Header)
	}
	body, ct = multipartForm(t, map[string]string{"text": strings.Replace(csv, "Writes", "Owns", 1), "format": "csv", "id": "analysts", "version": "7", "name": "Analysts"}, "", nil)
	res = e.do("POST", "/frameworks/import", body, "Content-Type", ct)
	if res.Status != http.StatusConflict || !strings.Contains(string(res.Body), "was not imported") {
		t.Errorf("conflicting import: %d\n%s", res.Status, res.Body)
	}

	// Nothing to import, and an unknown format.
	body, ct = multipartForm(t, map[string]string{"text": "  "}, "", nil)
	if res := e.do("POST", "/frameworks/import", body, "Content-Type", ct); res.Status != 400 || !strings.Contains(string(res.Body), "Choose a file") {
		t.Errorf("empty import: %d", res.Status)
	}
	body, ct = multipartForm(t, map[string]string{"text": csv, "format": "xls"}, "", nil)
	if res := e.do("POST", "/frameworks/import", body, "Content-Type", ct); res.Status != 400 {
		t.Errorf("unknown format: %d", res.Status)
	}
	// A plain urlencoded form works too.
	form := url.Values{"text": {badYAML}}
	res = e.do("POST", "/frameworks/import", strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
	if res.Status != 400 || !strings.Contains(string(res.Body), "pasted text:9:") {
		t.Errorf("urlencoded import: %d\n%s", res.Status, res.Body)
	}
}

func TestImportBodyLimit(t *testing.T) {
	e := newEnv(t)
	d := e.deps
	d.MaxBodyBytes = 1024
	srv := NewServer(d)
	body, ct := multipartForm(t, nil, "big.yaml", bytes.Repeat([]byte("a: b\n"), 2000))
	req := withCookie(httptest.NewRequest("POST", "/frameworks/import", body), sessionCookie(t, srv, e.admin))
	req.Header.Set("Content-Type", ct)
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "larger than") {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
}

func TestActivate(t *testing.T) {
	e := newEnv(t)
	e.importFW(nextVersion(t, "2026.2"), false)

	// A cross-origin browser post is refused and changes nothing.
	res := e.do("POST", "/frameworks/support/versions/2026.2/activate", nil, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if res.Status != http.StatusForbidden {
		t.Errorf("cross-origin activate: %d", res.Status)
	}
	if _, v, _ := e.fs.FindFramework(context.Background(), trellis.Ref{ID: "support"}); v.Version != "2026.1" {
		t.Fatalf("active version changed to %s", v.Version)
	}

	res = e.do("POST", "/frameworks/support/versions/2026.2/activate", nil, "Sec-Fetch-Site", "same-origin")
	if res.Status != http.StatusSeeOther {
		t.Fatalf("activate: %d %s", res.Status, res.Body)
	}
	if _, v, _ := e.fs.FindFramework(context.Background(), trellis.Ref{ID: "support"}); v.Version != "2026.2" {
		t.Errorf("active version is %s", v.Version)
	}
	if !strings.Contains(string(e.get(res.Header.Get("Location")).Body), "support@2026.2 is now the active version") {
		t.Error("no notice after activation")
	}
	if res := e.do("POST", "/frameworks/support/versions/9/activate", nil); res.Status != 404 {
		t.Errorf("activating an unknown version: %d", res.Status)
	}
}

func TestPanicRecovery(t *testing.T) {
	e := newEnv(t)
	h := e.srv.securityHeaders(e.srv.logRequests(e.srv.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("secret internal detail")
	}))))
	for _, path := range []string{"/frameworks", "/api/v1/frameworks"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		body := rec.Body.String()
		if rec.Code != 500 || strings.Contains(body, "secret") || strings.Contains(body, "goroutine") {
			t.Errorf("%s: %d %s", path, rec.Code, body)
		}
		if strings.HasPrefix(path, "/api/") {
			e.api.CheckSchema(t, "Error", rec.Body.Bytes())
		} else if !strings.Contains(body, "Something went wrong") {
			t.Errorf("no error page: %s", body)
		}
	}
	if !strings.Contains(e.log.String(), "secret internal detail") {
		t.Error("panic not logged")
	}
}

func TestErrorStatusTable(t *testing.T) {
	for code, want := range map[string]int{
		trellis.EINVALID: 400, trellis.EUNAUTHORIZED: 401, trellis.EFORBIDDEN: 403, trellis.ENOTFOUND: 404,
		trellis.ECONFLICT: 409, trellis.ERULE: 422, trellis.EUNAVAILABLE: 503, trellis.EINTERNAL: 500,
	} {
		if got := ErrorStatus(trellis.Errorf(code, "x")); got != want {
			t.Errorf("%s -> %d, want %d", code, got, want)
		}
	}
	if got := ErrorStatus(io.EOF); got != 500 {
		t.Errorf("plain error -> %d", got)
	}
}

func TestRoutesRegistry(t *testing.T) {
	e := newEnv(t)
	seen := map[string]bool{}
	for _, r := range e.srv.Routes() {
		key := r.Method + " " + r.Pattern
		if seen[key] {
			t.Errorf("route %s registered twice", key)
		}
		seen[key] = true
		if r.Name == "" || (!r.Access.Public && (r.Access.Kind == "" || r.Access.Action == "")) {
			t.Errorf("route %s lacks a name or access", key)
		}
	}
	for _, want := range []string{"GET /frameworks/{id}/matrix", "GET /frameworks/{id}/roles/{role}", "GET /frameworks/{id}/graph",
		"GET /frameworks/{id}/graph.svg", "GET /frameworks/{id}/diff", "POST /frameworks/import", "GET /frameworks/import",
		"POST /frameworks/{id}/versions/{version}/activate", "GET /frameworks/{id}/export", "GET /api/v1/frameworks"} {
		if !seen[want] {
			t.Errorf("no route %s", want)
		}
	}
}
