package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"trellis"
)

func TestProgrammeAPI(t *testing.T) {
	e := newEnv(t)
	o := newFixtureOrg(t, e)
	f := newOpeningFixture(t, e, o)
	ctx := context.Background()
	self := o.people[actSelf]
	js := []string{"Content-Type", "application/json"}

	// The list, a page at a time.
	r := o.as(e, actPeer, "GET", "/api/v1/programmes?limit=1", "")
	first := wantStatus(t, "first page", r, 200)
	var page struct {
		Items      []trellis.Programme `json:"items"`
		NextCursor string              `json:"next_cursor"`
	}
	r.JSON(t, &page)
	if len(page.Items) != 1 || page.NextCursor == "" {
		t.Fatalf("first page %+v", page)
	}
	second := wantStatus(t, "second page", o.as(e, actPeer, "GET", "/api/v1/programmes?limit=1&cursor="+page.NextCursor, ""), 200, `"next_cursor":""`)
	if both := first + second; !strings.Contains(both, "Aspiring leaders") || !strings.Contains(both, "Open mentoring circle") {
		t.Errorf("the pages: %s %s", first, second)
	}
	wantStatus(t, "bad cursor", o.as(e, actPeer, "GET", "/api/v1/programmes?cursor=nope", ""), 400, `"field":"cursor"`)

	// One programme with the places the viewer may see: the engineer's own
	// place, seen by their manager, not by a peer manager.
	path := "/api/v1" + programmeURL(f.approval.ID)
	var detail programmeDetail
	o.as(e, actSelf, "GET", path, "").JSON(t, &detail)
	if detail.Mine == nil || detail.Mine.ID != f.applied.ID || detail.CanApply || len(detail.Participants) != 1 {
		t.Fatalf("the engineer's view %+v", detail)
	}
	wantStatus(t, "manager view", o.as(e, actManager, "GET", path, ""), 200, `"state":"applied"`, self.Name)
	var peerView programmeDetail
	o.as(e, actPeer, "GET", path, "").JSON(t, &peerView)
	if len(peerView.Participants) != 0 || peerView.Mine != nil || !peerView.CanApply {
		t.Fatalf("a peer manager's view %+v", peerView)
	}
	wantStatus(t, "no such programme", o.as(e, actSelf, "GET", "/api/v1/programmes/999999", ""), 404)

	// Applying: the place is approved at once without manager approval.
	apply := "/api/v1" + programmeURL(f.open.ID) + "/applications"
	r = o.as(e, actPeer, "POST", apply, `{"note":"Keen"}`, js...)
	wantStatus(t, "apply", r, http.StatusCreated, `"state":"approved"`, `"note":"Keen"`)
	if r.Header.Get("Location") != path[:strings.LastIndex(path, "/")+1]+fmt.Sprint(f.open.ID) {
		t.Errorf("location %q", r.Header.Get("Location"))
	}
	wantStatus(t, "again", o.as(e, actPeer, "POST", apply, `{}`, js...), http.StatusConflict)
	wantStatus(t, "unknown field", o.as(e, actSkip, "POST", apply, `{"reason":"x"}`, js...), 400, `"field":"body"`, "reason")
	wantStatus(t, "long note", o.as(e, actSkip, "POST", apply, fmt.Sprintf(`{"note":%q}`, strings.Repeat("x", 2001)), js...), 400, `"field":"note"`)
	wantStatus(t, "not JSON", o.as(e, actSkip, "POST", apply, `note=x`, "Content-Type", "application/x-www-form-urlencoded"), 400, `"field":"Content-Type"`)
	ro := e.do("POST", apply, strings.NewReader(`{}`), "Authorization", "Bearer "+o.tokens[actReadTok], "Content-Type", "application/json")
	wantStatus(t, "read-only token", ro, http.StatusForbidden)

	// The entry rules are 422 naming the rule.
	p := &trellis.Programme{Name: "Leaders", MinMonthsInRole: 12}
	if err := e.deps.Programmes.CreateProgramme(ctx, p); err != nil {
		t.Fatal(err)
	}
	since := trellis.Day(time.Now().UTC()).AddDate(0, -3, 0)
	if _, err := e.deps.People.UpdatePerson(ctx, self.ID, trellis.PersonUpdate{RoleSince: &since}, self.Version); err != nil {
		t.Fatal(err)
	}
	o.cookies[actSelf] = sessionCookie(t, e.srv, self)
	wantStatus(t, "too new", o.as(e, actSelf, "POST", "/api/v1"+programmeURL(p.ID)+"/applications", `{"note":"Keen"}`, js...),
		http.StatusUnprocessableEntity, `"code":"rule_broken"`, `"field":"min_months_in_role"`, "12 months")
	wantStatus(t, "no manager", o.as(e, actDirector, "POST", "/api/v1"+programmeURL(f.approval.ID)+"/applications", `{}`, js...),
		http.StatusUnprocessableEntity, `"field":"manager_approval"`)
}

func TestAssignmentAPI(t *testing.T) {
	e := newEnv(t)
	o := newFixtureOrg(t, e)
	f := newOpeningFixture(t, e, o)
	self := o.people[actSelf]
	js := []string{"Content-Type", "application/json"}
	list := fmt.Sprintf("/api/v1/people/%d/assignments", self.ID)

	// Reading: the person and their line; not a peer manager.
	wantStatus(t, "own", o.as(e, actSelf, "GET", list, ""), 200, `"role_id":"senior-support-engineer"`, `"next_cursor":""`)
	wantStatus(t, "skip-level", o.as(e, actSkip, "GET", list, ""), 200, `"kind":"acting"`)
	wantStatus(t, "peer manager", o.as(e, actPeer, "GET", list, ""), 404)

	// Setting one: the manager; the interim rule is 422 naming ends_on.
	today := trellis.Day(time.Now().UTC())
	body := func(kind, start, end string) string {
		return fmt.Sprintf(`{"kind":%q,"role_id":"support-engineering-manager","starts_on":%q,"ends_on":%q,"success_criteria":"One hire"}`, kind, start, end)
	}
	d := func(t time.Time) string { return t.Format(trellis.DateLayout) }
	wantStatus(t, "interim too long", o.as(e, actManager, "POST", list, body("interim", d(today), d(today.AddDate(0, 7, 0))), js...),
		http.StatusUnprocessableEntity, `"field":"ends_on"`, "30 days to 6 months")
	wantStatus(t, "bad kind", o.as(e, actManager, "POST", list, body("permanent", d(today), d(today.AddDate(0, 2, 0))), js...), 400, `"field":"kind"`)
	wantStatus(t, "bad date", o.as(e, actManager, "POST", list, body("interim", "soon", d(today.AddDate(0, 2, 0))), js...), 400, `"field":"starts_on"`)
	wantStatus(t, "unknown field", o.as(e, actManager, "POST", list, `{"person_id":1}`, js...), 400, `"field":"person_id"`)
	wantStatus(t, "self", o.as(e, actSelf, "POST", list, body("interim", d(today), d(today.AddDate(0, 2, 0))), js...), http.StatusForbidden)
	r := o.as(e, actManager, "POST", list, body("interim", d(today), d(today.AddDate(0, 2, 0))), js...)
	wantStatus(t, "interim", r, http.StatusCreated, `"kind":"interim"`, `"success_criteria":"One hire"`, `"return_role_id":"support-engineer"`)
	if r.Header.Get("ETag") != `"v1"` || !strings.HasPrefix(r.Header.Get("Location"), "/api/v1/assignments/") {
		t.Errorf("headers %v", r.Header)
	}

	// Changing one: If-Match required, stale is 409 with current.
	path := fmt.Sprintf("/api/v1/assignments/%d", f.assignment.ID)
	wantStatus(t, "no If-Match", o.as(e, actManager, "PATCH", path, `{"outcome":"Went well"}`, js...), http.StatusPreconditionRequired, `"field":"If-Match"`)
	wantStatus(t, "self", o.as(e, actSelf, "PATCH", path, `{"outcome":"Went well"}`, append(js, "If-Match", `"v1"`)...), http.StatusForbidden)
	wantStatus(t, "peer manager", o.as(e, actPeer, "PATCH", path, `{"outcome":"Went well"}`, append(js, "If-Match", `"v1"`)...), http.StatusNotFound)
	wantStatus(t, "kind is fixed", o.as(e, actManager, "PATCH", path, `{"kind":"interim"}`, append(js, "If-Match", `"v1"`)...), 400, `"field":"kind"`)
	wantStatus(t, "bad If-Match", o.as(e, actManager, "PATCH", path, `{"outcome":"x"}`, append(js, "If-Match", `v1`)...), 400, `"field":"If-Match"`)
	r = o.as(e, actManager, "PATCH", path, `{"outcome":"Went well"}`, "Content-Type", "application/merge-patch+json", "If-Match", `"v1"`)
	wantStatus(t, "outcome", r, 200, `"outcome":"Went well"`, `"version":2`)
	if r.Header.Get("ETag") != `"v2"` {
		t.Errorf("ETag %q", r.Header.Get("ETag"))
	}
	r = o.as(e, actAdmin, "PATCH", path, `{"outcome":"Overwritten"}`, append(js, "If-Match", `"v1"`)...)
	wantStatus(t, "stale", r, http.StatusConflict, `"code":"conflict"`, `"current":{`, `"outcome":"Went well"`)
	var conflict assignmentConflictBody
	r.JSON(t, &conflict)
	if conflict.Current == nil || conflict.Current.Version != 2 || r.Header.Get("ETag") != `"v2"` {
		t.Errorf("conflict %+v", conflict)
	}
	wantStatus(t, "ends before start", o.as(e, actAdmin, "PATCH", path, fmt.Sprintf(`{"ends_on":%q}`, d(today.AddDate(0, 0, -1))), append(js, "If-Match", `"v2"`)...),
		http.StatusUnprocessableEntity, `"field":"ends_on"`)
	wantStatus(t, "no such assignment", o.as(e, actAdmin, "PATCH", "/api/v1/assignments/999999", `{}`, append(js, "If-Match", `"v1"`)...), 404)
	var got struct {
		Items []trellis.Assignment `json:"items"`
	}
	if err := json.Unmarshal(o.as(e, actSelf, "GET", list, "").Body, &got); err != nil || len(got.Items) != 2 {
		t.Fatalf("list after %v %+v", err, got)
	}
}
