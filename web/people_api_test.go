package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

type apiPersonJSON struct {
	ID        int64    `json:"id"`
	Email     string   `json:"email"`
	Name      string   `json:"name"`
	RoleID    string   `json:"role_id"`
	ManagerID *int64   `json:"manager_id"`
	RoleSince *string  `json:"role_since"`
	Teams     []string `json:"teams"`
	Regions   []string `json:"regions"`
	Access    *string  `json:"access"`
	Active    bool     `json:"active"`
	Version   int      `json:"version"`
}

func decode[T any](t *testing.T, r *responseText) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.raw, &v); err != nil {
		t.Fatalf("decoding %s: %v", r.Body, err)
	}
	return v
}

func errorFields(t *testing.T, r *responseText) []string {
	t.Helper()
	ae := decode[apiError](t, r)
	var out []string
	for _, d := range ae.Error.Details {
		out = append(out, d.Field)
	}
	return out
}

func TestAPIPeopleList(t *testing.T) {
	o := newPeopleOrg(t)
	list := func(key, q string) ([]string, string, *responseText) {
		t.Helper()
		res := o.as(key, "GET", "/api/v1/people"+q, nil)
		if res.Status != 200 {
			return nil, "", res
		}
		page := decode[struct {
			Items      []apiPersonJSON `json:"items"`
			NextCursor string          `json:"next_cursor"`
		}](t, res)
		var names []string
		for _, p := range page.Items {
			names = append(names, p.Name)
			if p.Access != nil && key != "admin" {
				t.Errorf("%s sees the access of %s", key, p.Name)
			}
			if p.Access == nil && key == "admin" {
				t.Errorf("admin does not see the access of %s", p.Name)
			}
		}
		return names, page.NextCursor, res
	}
	names, next, _ := list("erin", "")
	if len(names) != 9 || next != "" {
		t.Errorf("everyone: %q %q", names, next)
	}
	list("admin", "?q=dana")
	for q, want := range map[string][]string{
		"?q=ENGINEER":                        {"Eli Engineer", "Erin Engineer", "Esme Engineer"},
		"?team=beta":                         {"Esme Engineer", "Pat Peer", "Quinn Report"},
		"?region=amer&role=support-engineer": {"Eli Engineer"},
		"?manager=" + o.id("pat"):            {"Quinn Report"},
		"?team=alpha&include_inactive=true":  {"Eli Engineer", "Erin Engineer", "Lee Left", "Morgan Manager"},
		"?q=zzz":                             nil,
	} {
		if got, _, res := list("erin", q); !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q (%d)", q, got, want, res.Status)
		}
	}
	// Cursor pagination, no repeats or gaps.
	var all []string
	cursor := ""
	for range 10 {
		names, next, res := list("erin", "?limit=4&cursor="+cursor)
		if res.Status != 200 {
			t.Fatalf("page: %d", res.Status)
		}
		all = append(all, names...)
		if next == "" {
			break
		}
		cursor = next
	}
	if want, _, _ := list("erin", ""); !slices.Equal(all, want) {
		t.Errorf("paged %q", all)
	}
	for q, field := range map[string]string{"?limit=0": "limit", "?limit=501": "limit", "?limit=x": "limit", "?cursor=nope": "cursor",
		"?manager=x": "manager", "?include_inactive=maybe": "include_inactive"} {
		_, _, res := list("erin", q)
		if res.Status != 400 || !slices.Contains(errorFields(t, res), field) {
			t.Errorf("%s: %d %s", q, res.Status, res.Body)
		}
	}
}

func TestAPIPersonGetAndPatch(t *testing.T) {
	o := newPeopleOrg(t)
	erin := "/api/v1/people/" + o.id("erin")
	res := o.as("eli", "GET", erin, nil)
	if res.Status != 200 || res.Header.Get("ETag") != `"v1"` {
		t.Fatalf("get: %d %q", res.Status, res.Header.Get("ETag"))
	}
	p := decode[apiPersonJSON](t, res)
	if p.Name != "Erin Engineer" || p.RoleID != "senior-support-engineer" || p.ManagerID == nil || *p.ManagerID != o.byKey["morgan"].ID ||
		p.RoleSince == nil || !strings.HasPrefix(*p.RoleSince, "2023-03-15") || p.Access != nil || p.Version != 1 {
		t.Errorf("erin = %+v", p)
	}
	if res := o.as("eli", "GET", erin, nil, "If-None-Match", `"v1"`); res.Status != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", res.Status)
	}
	for _, path := range []string{"/api/v1/people/99999", "/api/v1/people/abc"} {
		if res := o.as("eli", "GET", path, nil); res.Status != 404 {
			t.Errorf("%s: %d", path, res.Status)
		}
	}

	patch := func(key, body string, header ...string) *responseText {
		t.Helper()
		return o.as(key, "PATCH", erin, strings.NewReader(body), append([]string{"Content-Type", "application/merge-patch+json"}, header...)...)
	}
	// If-Match is required (428) and must be an ETag (400).
	if res := patch("erin", `{"name":"E"}`); res.Status != http.StatusPreconditionRequired || !slices.Contains(errorFields(t, res), "If-Match") {
		t.Errorf("no If-Match: %d %s", res.Status, res.Body)
	}
	if res := patch("erin", `{"name":"E"}`, "If-Match", "v1"); res.Status != 400 || !slices.Contains(errorFields(t, res), "If-Match") {
		t.Errorf("bad If-Match: %d %s", res.Status, res.Body)
	}
	// Self changes their basics.
	res = patch("erin", `{"name":"Erin Patched","teams":["Alpha","Tooling"]}`, "If-Match", `"v1"`)
	if res.Status != 200 || res.Header.Get("ETag") != `"v2"` {
		t.Fatalf("self patch: %d %s", res.Status, res.Body)
	}
	if p := decode[apiPersonJSON](t, res); p.Name != "Erin Patched" || !slices.Equal(p.Teams, []string{"Alpha", "Tooling"}) ||
		!slices.Equal(p.Regions, []string{"EMEA"}) || p.RoleID != "senior-support-engineer" {
		t.Errorf("after patch: %+v", p)
	}
	// Stale: 409 with the stored person, nothing written.
	res = patch("erin", `{"name":"Lost?"}`, "If-Match", `"v1"`)
	if res.Status != http.StatusConflict || res.Header.Get("ETag") != `"v2"` {
		t.Fatalf("stale: %d %s", res.Status, res.Body)
	}
	conflict := decode[struct {
		Error   struct{ Code string } `json:"error"`
		Current apiPersonJSON         `json:"current"`
	}](t, res)
	if conflict.Error.Code != "conflict" || conflict.Current.Version != 2 || conflict.Current.Name != "Erin Patched" {
		t.Errorf("conflict body: %+v", conflict)
	}
	// Self may not change role, manager or access: 403, nothing written.
	for _, body := range []string{`{"role_id":"staff-support-engineer"}`, `{"access":"admin"}`, `{"manager_id":null}`, `{"active":false}`} {
		if res := patch("erin", body, "If-Match", `"v2"`); res.Status != 403 {
			t.Errorf("self %s: %d", body, res.Status)
		}
	}
	// Others may not edit at all.
	if res := patch("morgan", `{"name":"X"}`, "If-Match", `"v2"`); res.Status != 403 {
		t.Errorf("manager patch: %d", res.Status)
	}
	// Validation: every wrong field.
	res = patch("admin", `{"name":"","email":"nope","teams":"Alpha","colour":"red","role_since":"March"}`, "If-Match", `"v2"`)
	if res.Status != 400 {
		t.Fatalf("invalid: %d %s", res.Status, res.Body)
	}
	if f := errorFields(t, res); !slices.Contains(f, "teams") || !slices.Contains(f, "colour") || !slices.Contains(f, "role_since") {
		t.Errorf("fields = %q", f)
	}
	res = patch("admin", `{"name":"","email":"nope"}`, "If-Match", `"v2"`)
	if f := errorFields(t, res); res.Status != 400 || !slices.Contains(f, "name") || !slices.Contains(f, "email") {
		t.Errorf("store validation: %d %q", res.Status, f)
	}
	if res := patch("admin", `[1,2]`, "If-Match", `"v2"`); res.Status != 400 {
		t.Errorf("not an object: %d", res.Status)
	}
	if res := o.as("admin", "PATCH", erin, strings.NewReader(`{}`), "Content-Type", "text/plain", "If-Match", `"v2"`); res.Status != 400 {
		t.Errorf("wrong content type: %d", res.Status)
	}
	// Admin assigns; null clears the manager; * means the stored version.
	res = patch("admin", `{"role_id":"staff-support-engineer","manager_id":null,"role_since":"2026-01-05","access":"director"}`, "If-Match", `W/"v2"`)
	if res.Status != 200 {
		t.Fatalf("admin patch: %d %s", res.Status, res.Body)
	}
	if p := decode[apiPersonJSON](t, res); p.RoleID != "staff-support-engineer" || p.ManagerID != nil || p.Access == nil || *p.Access != "director" ||
		p.RoleSince == nil || !strings.HasPrefix(*p.RoleSince, "2026-01-05") || p.Version != 3 {
		t.Errorf("after admin patch: %+v", p)
	}
	res = patch("admin", `{"manager_id":`+o.id("erin")+`}`, "If-Match", "*")
	if res.Status != http.StatusUnprocessableEntity && res.Status != 400 {
		t.Errorf("own manager: %d %s", res.Status, res.Body)
	}
	// A loop: Dana under Erin while Erin is under... Erin reports to nobody
	// now, so put Erin under Dana first, then Dana under Erin.
	if res := patch("admin", `{"manager_id":`+o.id("dana")+`}`, "If-Match", "*"); res.Status != 200 {
		t.Fatalf("move erin: %d", res.Status)
	}
	res = o.as("admin", "PATCH", "/api/v1/people/"+o.id("dana"), strings.NewReader(`{"manager_id":`+o.id("erin")+`}`),
		"Content-Type", "application/json", "If-Match", `"v1"`)
	if res.Status != http.StatusUnprocessableEntity {
		t.Errorf("loop: %d %s", res.Status, res.Body)
	}
}

func TestAPIPersonCreate(t *testing.T) {
	o := newPeopleOrg(t)
	post := func(key, body string) *responseText {
		return o.as(key, "POST", "/api/v1/people", strings.NewReader(body), "Content-Type", "application/json")
	}
	body := `{"email":"New@Example.com","name":"New Person","role_id":"support-engineer","manager_id":` + o.id("morgan") + `,"teams":["Alpha"],"role_since":"2026-02-01"}`
	res := post("admin", body)
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	p := decode[apiPersonJSON](t, res)
	if res.Header.Get("Location") != "/api/v1/people/"+itoa64(p.ID) || res.Header.Get("ETag") != `"v1"` {
		t.Errorf("headers: %v", res.Header)
	}
	if p.Email != "new@example.com" || p.Access == nil || *p.Access != "engineer" || !p.Active || !slices.Equal(p.Regions, []string{}) {
		t.Errorf("created %+v", p)
	}
	if res := o.as("erin", "GET", res.Header.Get("Location"), nil); res.Status != 200 {
		t.Errorf("location: %d", res.Status)
	}
	if res := post("admin", body); res.Status != http.StatusConflict {
		t.Errorf("duplicate: %d", res.Status)
	}
	res = post("admin", `{"email":"x@example.com","name":"X","role_id":"wizard","manager_id":99999}`)
	if f := errorFields(t, res); res.Status != 400 || len(f) == 0 {
		t.Errorf("bad role: %d %q", res.Status, f)
	}
	res = post("admin", `{"name":"X","access":"god","active":"yes"}`)
	if f := errorFields(t, res); res.Status != 400 || !slices.Contains(f, "active") {
		t.Errorf("bad types: %d %q", res.Status, f)
	}
	if res := post("erin", body); res.Status != 403 {
		t.Errorf("engineer: %d", res.Status)
	}
}

func TestAPIAudit(t *testing.T) {
	o := newPeopleOrg(t)
	res := o.as("pia", "GET", "/api/v1/audit?action=person.&limit=3", nil)
	if res.Status != 200 {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	page := decode[struct {
		Items []struct {
			Action   string `json:"action"`
			TargetID string `json:"target_id"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}](t, res)
	if len(page.Items) != 3 || page.NextCursor == "" || page.Items[0].Action != "person.deactivated" {
		t.Errorf("page = %+v", page)
	}
	res = o.as("admin", "GET", "/api/v1/audit?action=person.created&target_type=person&target_id="+o.id("erin")+"&since=2000-01-01", nil)
	if res.Status != 200 || strings.Count(res.Body, `"action":"person.created"`) != 1 {
		t.Errorf("filtered: %d %s", res.Status, res.Body)
	}
	for q, field := range map[string]string{"since=soon": "since", "actor_id=me": "actor_id", "limit=0": "limit"} {
		res := o.as("admin", "GET", "/api/v1/audit?"+q, nil)
		if res.Status != 400 || !slices.Contains(errorFields(t, res), field) {
			t.Errorf("%s: %d %s", q, res.Status, res.Body)
		}
	}
	if res := o.as("admin", "GET", "/api/v1/audit?cursor=zz", nil); res.Status != 400 || !slices.Contains(errorFields(t, res), "cursor") {
		t.Errorf("cursor: %d", res.Status)
	}
	if res := o.as("erin", "GET", "/api/v1/audit", nil); res.Status != 404 {
		t.Errorf("engineer: %d", res.Status)
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
