package sqlstore_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"trellis"
	"trellis/sqlstore"
	"trellis/sqlstore/storetest"
)

// env is a migrated database with the test framework active and the
// services over it, on a clock the test controls.
type env struct {
	db     *sqlstore.DB
	clock  *trellis.FixedClock
	people *sqlstore.PersonService
	audit  *sqlstore.AuditService
	ctx    context.Context // acting as admin once env.admin exists
	admin  *trellis.Person
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := storetest.Open(t)
	e := &env{
		db:     db,
		clock:  &trellis.FixedClock{T: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)},
		people: sqlstore.NewPersonService(db),
		audit:  sqlstore.NewAuditService(db),
		ctx:    context.Background(),
	}
	db.Clock = e.clock
	if _, err := sqlstore.NewFrameworkService(db).ImportFramework(e.ctx, testFramework("support", "1"), false); err != nil {
		t.Fatal(err)
	}
	e.admin = e.add(t, "admin@example.com", "Ada Admin", nil)
	e.ctx = trellis.NewContextWithActor(e.ctx, trellis.Actor{Person: e.admin})
	return e
}

// add creates an active support engineer.
func (e *env) add(t *testing.T, email, name string, manager *int64) *trellis.Person {
	t.Helper()
	p := &trellis.Person{Email: email, Name: name, RoleID: "support-engineer", ManagerID: manager,
		Access: trellis.AccessEngineer, Active: true}
	if err := e.people.CreatePerson(e.ctx, p); err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	return p
}

// events returns every audit event matching f, newest first.
func (e *env) events(t *testing.T, f trellis.AuditFilter) []*trellis.AuditEvent {
	t.Helper()
	var all []*trellis.AuditEvent
	for {
		page, err := e.audit.ListAudit(e.ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all
		}
		f.Cursor = page.NextCursor
	}
}

func (e *env) countPeople(t *testing.T) int {
	t.Helper()
	var n int
	if err := sqlstore.RawDB(e.db).QueryRow(`SELECT COUNT(*) FROM people`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func ptr[T any](v T) *T { return &v }

func wantDetail(t *testing.T, err error, field, contains string) {
	t.Helper()
	for _, d := range trellis.ErrorDetails(err) {
		if d.Field == field && strings.Contains(d.Message, contains) {
			return
		}
	}
	t.Errorf("error %v has no detail %s: ...%s...; details %+v", err, field, contains, trellis.ErrorDetails(err))
}

func TestPersonCreateAndFind(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	since := time.Date(2025, 6, 15, 13, 30, 0, 0, time.FixedZone("CEST", 2*3600))
	p := &trellis.Person{
		Email: "  Bo.Berg@Example.COM ", Name: " Bo Berg ", RoleID: "senior-support-engineer", ManagerID: &e.admin.ID,
		RoleSince: since, Teams: []string{"Ruby", "emerald", "ruby"}, Regions: []string{"EMEA"},
		Access: trellis.AccessDirector, Active: true,
	}
	if err := e.people.CreatePerson(e.ctx, p); err != nil {
		t.Fatal(err)
	}
	if p.ID == 0 || p.Version != 1 || !p.CreatedAt.Equal(e.clock.T) || !p.UpdatedAt.Equal(e.clock.T) {
		t.Errorf("created %+v; want id, version 1, timestamps", p)
	}
	want := *p
	want.Email, want.Name = "bo.berg@example.com", "Bo Berg"
	want.Teams = []string{"Ruby", "emerald"}
	want.RoleSince = time.Date(2025, 6, 15, 0, 0, 0, 0, time.UTC)
	for _, find := range []func() (*trellis.Person, error){
		func() (*trellis.Person, error) { return e.people.FindPerson(e.ctx, p.ID) },
		func() (*trellis.Person, error) { return e.people.FindPersonByEmail(e.ctx, " BO.BERG@example.com") },
	} {
		got, err := find()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("found\n%+v\nwant\n%+v", *got, want)
		}
	}
	got, _ := e.people.FindPerson(e.ctx, e.admin.ID)
	if got.Teams == nil || got.Regions == nil || got.ManagerID != nil || !got.RoleSince.IsZero() {
		t.Errorf("admin read back as %+v; want empty non-nil tags, no manager, no date", got)
	}

	ev := e.events(t, trellis.AuditFilter{Action: trellis.AuditPersonCreated, TargetID: fmt.Sprint(p.ID)})
	if len(ev) != 1 || ev[0].ActorID == nil || *ev[0].ActorID != e.admin.ID || ev[0].ActorLabel != "admin@example.com" ||
		ev[0].After["role_id"] != "senior-support-engineer" || ev[0].After["access"] != "director" {
		t.Errorf("person.created events = %+v", ev)
	}

	_, err := e.people.FindPerson(e.ctx, 9999)
	wantCode(t, err, trellis.ENOTFOUND)
	_, err = e.people.FindPersonByEmail(e.ctx, "nobody@example.com")
	wantCode(t, err, trellis.ENOTFOUND)
}

func TestPersonCreateRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	left := e.add(t, "left@example.com", "Lee Left", nil)
	if _, err := e.people.UpdatePerson(e.ctx, left.ID, trellis.PersonUpdate{Active: ptr(false)}, left.Version); err != nil {
		t.Fatal(err)
	}
	before := e.countPeople(t)
	eventsBefore := len(e.events(t, trellis.AuditFilter{}))
	for _, tc := range []struct {
		name        string
		edit        func(p *trellis.Person)
		code, field string
		msg         string
	}{
		{"invalid fields", func(p *trellis.Person) { p.Email, p.Name = "nope", "" }, trellis.EINVALID, "email", "exactly one '@'"},
		{"unknown role", func(p *trellis.Person) { p.RoleID = "support-enginer" }, trellis.EINVALID, "role_id", `did you mean "support-engineer"`},
		{"taken email", func(p *trellis.Person) { p.Email = "ADMIN@example.com" }, trellis.ECONFLICT, "email", "taken"},
		{"unknown manager", func(p *trellis.Person) { p.ManagerID = ptr(int64(4242)) }, trellis.EINVALID, "manager_id", "no person"},
		{"manager who left", func(p *trellis.Person) { p.ManagerID = &left.ID }, trellis.EINVALID, "manager_id", "has left"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &trellis.Person{Email: "new@example.com", Name: "New Person", RoleID: "support-engineer",
				Access: trellis.AccessEngineer, Active: true}
			tc.edit(p)
			err := e.people.CreatePerson(e.ctx, p)
			wantCode(t, err, tc.code)
			wantDetail(t, err, tc.field, tc.msg)
			if p.ID != 0 {
				t.Errorf("refused person got id %d", p.ID)
			}
		})
	}
	if n := e.countPeople(t); n != before {
		t.Errorf("%d people after refused creates, want %d", n, before)
	}
	if n := len(e.events(t, trellis.AuditFilter{})); n != eventsBefore {
		t.Errorf("%d audit events after refused creates, want %d", n, eventsBefore)
	}

	// Without any active framework, no role is known.
	bare := sqlstore.NewPersonService(storetest.Open(t))
	err := bare.CreatePerson(context.Background(), &trellis.Person{Email: "a@example.com", Name: "A", RoleID: "support-engineer",
		Access: trellis.AccessEngineer, Active: true})
	wantCode(t, err, trellis.EINVALID)
	wantDetail(t, err, "role_id", "no framework is active")
}

func TestPersonUpdateAndAudit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	boss := e.add(t, "boss@example.com", "Boss", nil)
	p := e.add(t, "cy@example.com", "Cy", nil)

	e.clock.T = e.clock.T.Add(time.Hour)
	got, err := e.people.UpdatePerson(e.ctx, p.ID, trellis.PersonUpdate{
		Name: ptr("Cy Young"), RoleID: ptr("senior-support-engineer"), ManagerID: &boss.ID,
		Access: ptr(trellis.AccessPeople), Teams: &[]string{"Jade"}, RoleSince: ptr(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)),
	}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || got.Name != "Cy Young" || *got.ManagerID != boss.ID || got.Access != "people" ||
		!got.UpdatedAt.Equal(e.clock.T) || !got.CreatedAt.Equal(p.CreatedAt) || !slices.Equal(got.Teams, []string{"Jade"}) {
		t.Errorf("updated to %+v", got)
	}
	stored, _ := e.people.FindPerson(e.ctx, p.ID)
	if !reflect.DeepEqual(stored, got) {
		t.Errorf("stored %+v\nreturned %+v", stored, got)
	}

	target := fmt.Sprint(p.ID)
	actions := func() []string {
		var out []string
		for _, ev := range e.events(t, trellis.AuditFilter{TargetType: trellis.AuditTargetPerson, TargetID: target}) {
			out = append(out, ev.Action)
		}
		slices.Sort(out)
		return out
	}
	want := []string{trellis.AuditAccessChanged, trellis.AuditPersonCreated, trellis.AuditManagerChanged,
		trellis.AuditRoleChanged, trellis.AuditPersonUpdated}
	slices.Sort(want)
	if a := actions(); !slices.Equal(a, want) {
		t.Errorf("audit actions %v, want %v", a, want)
	}
	ev := e.events(t, trellis.AuditFilter{Action: trellis.AuditRoleChanged, TargetID: target})[0]
	if ev.Before["role_id"] != "support-engineer" || ev.After["role_id"] != "senior-support-engineer" ||
		ev.After["role_since"] != "2026-03-01" || !ev.At.Equal(e.clock.T) || *ev.ActorID != e.admin.ID {
		t.Errorf("role event %+v", ev)
	}
	ev = e.events(t, trellis.AuditFilter{Action: trellis.AuditManagerChanged, TargetID: target})[0]
	if ev.Before["manager_id"] != nil || ev.After["manager_id"] != float64(boss.ID) {
		t.Errorf("manager event %+v", ev)
	}
	ev = e.events(t, trellis.AuditFilter{Action: trellis.AuditPersonUpdated, TargetID: target})[0]
	if _, ok := ev.After["role_id"]; ok || ev.After["name"] != "Cy Young" || ev.Before["name"] != "Cy" {
		t.Errorf("basics event %+v", ev)
	}

	// A stale version is refused, names the race, and changes nothing.
	_, err = e.people.UpdatePerson(e.ctx, p.ID, trellis.PersonUpdate{Name: ptr("Stale")}, 1)
	wantCode(t, err, trellis.ECONFLICT)
	if msg := trellis.ErrorMessage(err); !strings.Contains(msg, "meanwhile") || !strings.Contains(msg, "Reload") {
		t.Errorf("stale message %q", msg)
	}
	if s, _ := e.people.FindPerson(e.ctx, p.ID); s.Name != "Cy Young" || s.Version != 2 {
		t.Errorf("after stale write: %+v", s)
	}

	// No change: nothing written.
	same, err := e.people.UpdatePerson(e.ctx, p.ID, trellis.PersonUpdate{Name: ptr(" Cy Young ")}, 2)
	if err != nil || same.Version != 2 {
		t.Errorf("no-op update = %+v, %v; want version 2 kept", same, err)
	}

	// Leaving and coming back; clearing the manager.
	got, err = e.people.UpdatePerson(e.ctx, p.ID, trellis.PersonUpdate{Active: ptr(false), ClearManager: true}, 2)
	if err != nil || got.Active || got.ManagerID != nil || got.Version != 3 {
		t.Fatalf("deactivate = %+v, %v", got, err)
	}
	if _, err := e.people.UpdatePerson(e.ctx, p.ID, trellis.PersonUpdate{Active: ptr(true)}, 3); err != nil {
		t.Fatal(err)
	}
	want = append(want, trellis.AuditManagerChanged, trellis.AuditPersonDeactivated, trellis.AuditPersonReactivated)
	slices.Sort(want)
	if a := actions(); !slices.Equal(a, want) {
		t.Errorf("audit actions %v, want %v", a, want)
	}

	// Refusals write nothing.
	n := len(actions())
	for _, tc := range []struct {
		name string
		upd  trellis.PersonUpdate
		code string
	}{
		{"unknown role", trellis.PersonUpdate{RoleID: ptr("wizard")}, trellis.EINVALID},
		{"taken email", trellis.PersonUpdate{Email: ptr("boss@example.com")}, trellis.ECONFLICT},
		{"bad access", trellis.PersonUpdate{Access: ptr("root")}, trellis.EINVALID},
		{"self manager", trellis.PersonUpdate{ManagerID: &p.ID}, trellis.EINVALID},
		{"unknown manager", trellis.PersonUpdate{ManagerID: ptr(int64(777))}, trellis.EINVALID},
		{"set and clear", trellis.PersonUpdate{ManagerID: &boss.ID, ClearManager: true}, trellis.EINVALID},
	} {
		_, err := e.people.UpdatePerson(e.ctx, p.ID, tc.upd, 4)
		if trellis.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	_, err = e.people.UpdatePerson(e.ctx, 9999, trellis.PersonUpdate{Name: ptr("X")}, 1)
	wantCode(t, err, trellis.ENOTFOUND)
	if len(actions()) != n {
		t.Errorf("refused updates wrote audit events")
	}
	if s, _ := e.people.FindPerson(e.ctx, p.ID); s.Version != 4 {
		t.Errorf("refused updates changed the version to %d", s.Version)
	}
}

func TestPersonManagerLoopRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.add(t, "a@example.com", "A", nil)
	b := e.add(t, "b@example.com", "B", &a.ID)
	c := e.add(t, "c@example.com", "C", &b.ID)
	n := len(e.events(t, trellis.AuditFilter{}))
	_, err := e.people.UpdatePerson(e.ctx, a.ID, trellis.PersonUpdate{ManagerID: &c.ID}, a.Version)
	wantCode(t, err, trellis.ERULE)
	loop := fmt.Sprintf("%d -> %d -> %d -> %d", a.ID, c.ID, b.ID, a.ID)
	if !strings.Contains(trellis.ErrorMessage(err), loop) {
		t.Errorf("message %q does not name the loop %s", trellis.ErrorMessage(err), loop)
	}
	if got, _ := e.people.FindPerson(e.ctx, a.ID); got.ManagerID != nil || got.Version != a.Version {
		t.Errorf("refused loop changed %+v", got)
	}
	if len(e.events(t, trellis.AuditFilter{})) != n {
		t.Error("refused loop wrote audit events")
	}
	// Moving a whole branch elsewhere is fine.
	if _, err := e.people.UpdatePerson(e.ctx, b.ID, trellis.PersonUpdate{ManagerID: &e.admin.ID}, b.Version); err != nil {
		t.Fatal(err)
	}
}

func TestManagerChainReportsAndDepth(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const depth = 15
	chain := []*trellis.Person{e.admin}
	for i := 1; i <= depth; i++ {
		chain = append(chain, e.add(t, fmt.Sprintf("level%02d@example.com", i), fmt.Sprintf("Level %02d", i), &chain[i-1].ID))
	}
	bottom := chain[depth]
	got, err := e.people.ManagerChain(e.ctx, bottom.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != depth {
		t.Fatalf("chain of the bottom has %d managers, want %d", len(got), depth)
	}
	for i, m := range got {
		if want := chain[depth-1-i]; m.ID != want.ID || m.Email != want.Email {
			t.Errorf("chain[%d] = %s, want %s", i, m.Email, want.Email)
		}
	}
	if top, err := e.people.ManagerChain(e.ctx, e.admin.ID); err != nil || len(top) != 0 {
		t.Errorf("chain of the top = %v, %v; want empty", top, err)
	}
	_, err = e.people.ManagerChain(e.ctx, 9999)
	wantCode(t, err, trellis.ENOTFOUND)

	// Reports: active ones, by name.
	mid := chain[5]
	z := e.add(t, "zed@example.com", "zed", &mid.ID)
	a := e.add(t, "amy@example.com", "Amy", &mid.ID)
	gone := e.add(t, "gone@example.com", "Gone", &mid.ID)
	if _, err := e.people.UpdatePerson(e.ctx, gone.ID, trellis.PersonUpdate{Active: ptr(false)}, 1); err != nil {
		t.Fatal(err)
	}
	reports, err := e.people.ListReports(e.ctx, mid.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range reports {
		names = append(names, r.Name)
	}
	if want := []string{"Amy", chain[6].Name, "zed"}; !slices.Equal(names, want) {
		t.Errorf("reports %v, want %v", names, want)
	}
	_ = z
	_ = a
	for _, tc := range []struct {
		id   int64
		want bool
	}{{mid.ID, true}, {bottom.ID, false}} {
		if has, err := e.people.HasReports(e.ctx, tc.id); err != nil || has != tc.want {
			t.Errorf("HasReports(%d) = %v, %v; want %v", tc.id, has, err, tc.want)
		}
	}
	// Only a report who has left: no reports.
	if _, err := e.people.UpdatePerson(e.ctx, bottom.ID, trellis.PersonUpdate{Active: ptr(false)}, 1); err != nil {
		t.Fatal(err)
	}
	if has, _ := e.people.HasReports(e.ctx, chain[depth-1].ID); has {
		t.Error("a manager whose only report left still has reports")
	}
	_, err = e.people.ListReports(e.ctx, 9999)
	wantCode(t, err, trellis.ENOTFOUND)
	_, err = e.people.HasReports(e.ctx, 9999)
	wantCode(t, err, trellis.ENOTFOUND)
}

func TestListPeopleFiltersAndPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	boss := e.add(t, "boss@example.com", "Boss", nil)
	var all []*trellis.Person
	all = append(all, e.admin, boss)
	names := []string{"ada", "Ada", "bob", "Bob", "Émile", "zoë", "Zack", "mia", "Mia", "Noor"}
	for i := range 57 {
		p := &trellis.Person{
			Email: fmt.Sprintf("p%02d@example.com", i), Name: fmt.Sprintf("%s %d", names[i%len(names)], i%4),
			RoleID: []string{"support-engineer", "senior-support-engineer"}[i%2], Access: trellis.AccessEngineer, Active: true,
			Teams: []string{[]string{"Ruby", "Jade", "Opal"}[i%3]}, Regions: []string{[]string{"EMEA", "AMER"}[i%2]},
		}
		if i%5 == 0 {
			p.ManagerID = &boss.ID
		}
		if err := e.people.CreatePerson(e.ctx, p); err != nil {
			t.Fatal(err)
		}
		all = append(all, p)
	}
	// Three people leave.
	for _, p := range all[10:13] {
		got, err := e.people.UpdatePerson(e.ctx, p.ID, trellis.PersonUpdate{Active: ptr(false)}, 1)
		if err != nil {
			t.Fatal(err)
		}
		*p = *got
	}

	sorted := func(ps []*trellis.Person) []int64 {
		ps = slices.Clone(ps)
		slices.SortFunc(ps, func(a, b *trellis.Person) int {
			if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
				return c
			}
			return int(a.ID - b.ID)
		})
		var ids []int64
		for _, p := range ps {
			ids = append(ids, p.ID)
		}
		return ids
	}
	pages := func(f trellis.PersonFilter) (ids []int64, n int) {
		for {
			page, err := e.people.ListPeople(e.ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			n++
			for _, p := range page.Items {
				ids = append(ids, p.ID)
			}
			if page.NextCursor == "" {
				return ids, n
			}
			f.Cursor = page.NextCursor
		}
	}
	filterAll := func(keep func(p *trellis.Person) bool) []*trellis.Person {
		var out []*trellis.Person
		for _, p := range all {
			if keep(p) {
				out = append(out, p)
			}
		}
		return out
	}
	active := func(p *trellis.Person) bool { return p.Active }
	for _, tc := range []struct {
		name string
		f    trellis.PersonFilter
		keep func(p *trellis.Person) bool
	}{
		{"everyone active", trellis.PersonFilter{Limit: 7}, active},
		{"with inactive", trellis.PersonFilter{Limit: 10, IncludeInactive: true}, func(*trellis.Person) bool { return true }},
		{"query name", trellis.PersonFilter{Query: "ADA", Limit: 3}, func(p *trellis.Person) bool {
			return active(p) && strings.Contains(strings.ToLower(p.Name), "ada")
		}},
		{"query non-ascii", trellis.PersonFilter{Query: "ÉMILE"}, func(p *trellis.Person) bool {
			return active(p) && strings.HasPrefix(p.Name, "Émile")
		}},
		{"query email", trellis.PersonFilter{Query: "p1", Limit: 4}, func(p *trellis.Person) bool {
			return active(p) && strings.HasPrefix(p.Email, "p1")
		}},
		{"query wildcard is literal", trellis.PersonFilter{Query: "%"}, func(*trellis.Person) bool { return false }},
		{"team", trellis.PersonFilter{Team: "ruby", Limit: 5}, func(p *trellis.Person) bool { return active(p) && slices.Contains(p.Teams, "Ruby") }},
		{"team and region", trellis.PersonFilter{Team: "Jade", Region: "emea"}, func(p *trellis.Person) bool {
			return active(p) && slices.Contains(p.Teams, "Jade") && slices.Contains(p.Regions, "EMEA")
		}},
		{"role", trellis.PersonFilter{RoleID: "senior-support-engineer", Limit: 6}, func(p *trellis.Person) bool {
			return active(p) && p.RoleID == "senior-support-engineer"
		}},
		{"manager", trellis.PersonFilter{ManagerID: &boss.ID, Limit: 2}, func(p *trellis.Person) bool {
			return active(p) && p.ManagerID != nil && *p.ManagerID == boss.ID
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := sorted(filterAll(tc.keep))
			got, n := pages(tc.f)
			if !slices.Equal(got, want) {
				t.Errorf("listed %v\nwant   %v", got, want)
			}
			if limit := trellis.ClampLimit(tc.f.Limit); len(want) > limit && n < (len(want)+limit-1)/limit {
				t.Errorf("%d pages for %d people at %d a page", n, len(want), limit)
			}
		})
	}

	// People added behind the cursor do not shift later pages.
	first, err := e.people.ListPeople(e.ctx, trellis.PersonFilter{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	want := sorted(filterAll(active))
	all = append(all, e.add(t, "aaron@example.com", "Aaron", nil)) // sorts before the cursor
	rest, _ := pages(trellis.PersonFilter{Limit: 20, Cursor: first.NextCursor})
	var seen []int64
	for _, p := range first.Items {
		seen = append(seen, p.ID)
	}
	if got := append(seen, rest...); !slices.Equal(got, want) {
		t.Errorf("pages around an insert: %v\nwant %v", got, want)
	}

	for _, bad := range []string{"x", "!!!", "WyJhIl0"} {
		_, err := e.people.ListPeople(e.ctx, trellis.PersonFilter{Cursor: bad})
		wantCode(t, err, trellis.EINVALID)
	}
	want = sorted(filterAll(active))
	page, err := e.people.ListPeople(e.ctx, trellis.PersonFilter{Limit: 100000})
	if err != nil || len(page.Items) != len(want) || page.NextCursor != "" {
		t.Errorf("huge limit: %d items, cursor %q, %v", len(page.Items), page.NextCursor, err)
	}
}

// Two concurrent moves that would each close half of a loop: one wins, the
// other sees the first and is refused.
func TestConcurrentManagerMovesCannotMakeALoop(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for round := range 10 {
		a := e.add(t, fmt.Sprintf("a%d@example.com", round), "A", nil)
		b := e.add(t, fmt.Sprintf("b%d@example.com", round), "B", nil)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Go(func() { _, errs[0] = e.people.UpdatePerson(e.ctx, a.ID, trellis.PersonUpdate{ManagerID: &b.ID}, 1) })
		wg.Go(func() { _, errs[1] = e.people.UpdatePerson(e.ctx, b.ID, trellis.PersonUpdate{ManagerID: &a.ID}, 1) })
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if trellis.ErrorCode(err) != trellis.ERULE {
				t.Errorf("round %d: %v", round, err)
			}
		}
		if ok != 1 {
			t.Errorf("round %d: %d of two opposite moves succeeded (%v), want 1", round, ok, errs)
		}
	}
}
