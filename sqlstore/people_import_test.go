package sqlstore_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"trellis"
)

func importRow(line int, email, name, role, manager string, teams ...string) trellis.PersonImportRow {
	return trellis.PersonImportRow{Line: line, ManagerEmail: manager, Person: trellis.Person{
		Email: email, Name: name, RoleID: role, Teams: teams, Regions: []string{"EMEA"},
		RoleSince: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC),
	}}
}

func TestImportPeopleCreatesAndUpdates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	director := e.add(t, "dana@example.com", "Dana Director", nil)
	if _, err := e.people.UpdatePerson(e.ctx, director.ID, trellis.PersonUpdate{Access: ptr(trellis.AccessDirector)}, 1); err != nil {
		t.Fatal(err)
	}
	// Managers named before or after their reports, in the file or stored;
	// an existing person (Dana) updated; spelling of emails varies.
	rows := []trellis.PersonImportRow{
		importRow(2, "eve@example.com", "Eve", "support-engineer", "MAX@example.com", "Ruby"),
		importRow(3, "max@example.com", "Max Manager", "senior-support-engineer", "dana@example.com", "Ruby"),
		importRow(4, "Dana@Example.com", "Dana D.", "senior-support-engineer", "", "Leads"),
		importRow(5, "finn@example.com", "Finn", "support-engineer", "eve@example.com", "Jade"),
	}
	res, err := e.people.ImportPeople(e.ctx, rows)
	if err != nil {
		t.Fatal(err)
	}
	if res != (trellis.PersonImportResult{Created: 3, Updated: 1}) {
		t.Errorf("result %+v", res)
	}
	get := func(email string) *trellis.Person {
		p, err := e.people.FindPersonByEmail(e.ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	eve, max, dana, finn := get("eve@example.com"), get("max@example.com"), get("dana@example.com"), get("finn@example.com")
	if *eve.ManagerID != max.ID || *max.ManagerID != dana.ID || *finn.ManagerID != eve.ID || dana.ManagerID != nil {
		t.Errorf("managers: eve %v max %v finn %v dana %v", eve.ManagerID, max.ManagerID, finn.ManagerID, dana.ManagerID)
	}
	if !eve.Active || eve.Access != trellis.AccessEngineer || eve.Version != 1 || !eve.RoleSince.Equal(rows[0].Person.RoleSince) {
		t.Errorf("new person %+v", eve)
	}
	if dana.Name != "Dana D." || dana.RoleID != "senior-support-engineer" || dana.Access != trellis.AccessDirector ||
		dana.Version != 3 || dana.Teams[0] != "Leads" {
		t.Errorf("updated person %+v; access must be kept", dana)
	}
	ev := e.events(t, trellis.AuditFilter{Action: trellis.AuditPeopleImported})
	if len(ev) != 1 || ev[0].After["created"] != float64(3) || ev[0].After["updated"] != float64(1) || *ev[0].ActorID != e.admin.ID {
		t.Errorf("import events %+v", ev)
	}
	if ev := e.events(t, trellis.AuditFilter{Action: trellis.AuditRoleChanged, TargetID: fmt.Sprint(dana.ID)}); len(ev) != 1 {
		t.Errorf("role change of an imported update: %d events", len(ev))
	}

	// The same file again changes nothing.
	res, err = e.people.ImportPeople(e.ctx, rows)
	if err != nil || res != (trellis.PersonImportResult{}) {
		t.Errorf("re-import = %+v, %v; want nothing created or updated", res, err)
	}
	if get("dana@example.com").Version != 3 {
		t.Error("re-import bumped a version")
	}
}

func TestImportPeopleAllOrNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	left := e.add(t, "left@example.com", "Left", nil)
	if _, err := e.people.UpdatePerson(e.ctx, left.ID, trellis.PersonUpdate{Active: ptr(false)}, 1); err != nil {
		t.Fatal(err)
	}
	var rows []trellis.PersonImportRow
	for i := range 50 {
		line := i + 2 // after the header
		rows = append(rows, importRow(line, fmt.Sprintf("p%02d@example.com", i), fmt.Sprintf("Person %02d", i),
			"support-engineer", "admin@example.com", "Ruby"))
	}
	bad := map[int]struct{ field, msg string }{}
	breakRow := func(i int, field, msg string, edit func(r *trellis.PersonImportRow)) {
		edit(&rows[i])
		bad[rows[i].Line] = struct{ field, msg string }{field, msg}
	}
	breakRow(3, "email", "exactly one '@'", func(r *trellis.PersonImportRow) { r.Person.Email = "not-an-email" })
	breakRow(9, "role_id", `did you mean "senior-support-engineer"`, func(r *trellis.PersonImportRow) { r.Person.RoleID = "senior-support-enginer" })
	breakRow(17, "manager_email", "nobody@example.com", func(r *trellis.PersonImportRow) { r.ManagerEmail = "nobody@example.com" })
	breakRow(22, "email", "already on row 3", func(r *trellis.PersonImportRow) { r.Person.Email = "P01@example.com" })
	breakRow(30, "name", "name is required", func(r *trellis.PersonImportRow) { r.Person.Name = "" })
	breakRow(36, "manager_email", "has left", func(r *trellis.PersonImportRow) { r.ManagerEmail = "left@example.com" })
	breakRow(41, "manager_email", "own manager", func(r *trellis.PersonImportRow) { r.ManagerEmail = r.Person.Email })
	breakRow(49, "teams", "commas", func(r *trellis.PersonImportRow) { r.Person.Teams = []string{"a,b"} })

	people, events := e.countPeople(t), len(e.events(t, trellis.AuditFilter{}))
	_, err := e.people.ImportPeople(e.ctx, rows)
	wantCode(t, err, trellis.EINVALID)
	for line, want := range bad {
		wantDetail(t, err, fmt.Sprintf("row %d: %s", line, want.field), want.msg)
	}
	if d := trellis.ErrorDetails(err); len(d) != len(bad) {
		t.Errorf("%d details for %d bad rows: %+v", len(d), len(bad), d)
	}
	if msg := trellis.ErrorMessage(err); !strings.Contains(msg, "8 rows") || !strings.Contains(msg, "nothing was imported") {
		t.Errorf("message %q", msg)
	}
	if n := e.countPeople(t); n != people {
		t.Errorf("%d people after a refused import, want %d", n, people)
	}
	if n := len(e.events(t, trellis.AuditFilter{})); n != events {
		t.Errorf("a refused import wrote %d audit events", n-events)
	}

	_, err = e.people.ImportPeople(e.ctx, nil)
	wantCode(t, err, trellis.EINVALID)
}

func TestImportPeopleRefusesLoops(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// A loop within the file.
	_, err := e.people.ImportPeople(e.ctx, []trellis.PersonImportRow{
		importRow(2, "b@example.com", "B", "support-engineer", "c@example.com"),
		importRow(3, "a@example.com", "A", "support-engineer", "b@example.com"),
		importRow(4, "c@example.com", "C", "support-engineer", "a@example.com"),
		importRow(5, "d@example.com", "D", "support-engineer", "a@example.com"),
	})
	wantCode(t, err, trellis.EINVALID)
	wantDetail(t, err, "row 2: manager_email", "a@example.com -> b@example.com -> c@example.com -> a@example.com")
	if d := trellis.ErrorDetails(err); len(d) != 1 {
		t.Errorf("details %+v; want the one loop", d)
	}

	// A loop through stored people: x manages y; the file puts y above x.
	x := e.add(t, "x@example.com", "X", nil)
	e.add(t, "y@example.com", "Y", &x.ID)
	people := e.countPeople(t)
	_, err = e.people.ImportPeople(e.ctx, []trellis.PersonImportRow{
		importRow(2, "new@example.com", "New", "support-engineer", ""),
		importRow(3, "x@example.com", "X", "support-engineer", "y@example.com"),
	})
	wantCode(t, err, trellis.EINVALID)
	wantDetail(t, err, "row 3: manager_email", "x@example.com -> y@example.com -> x@example.com")
	if e.countPeople(t) != people {
		t.Error("a refused import created people")
	}
	if got, _ := e.people.FindPerson(e.ctx, x.ID); got.ManagerID != nil {
		t.Error("a refused import changed a manager")
	}

	// Turning the pair around in one file is fine.
	if _, err := e.people.ImportPeople(e.ctx, []trellis.PersonImportRow{
		importRow(2, "x@example.com", "X", "support-engineer", "y@example.com"),
		importRow(3, "y@example.com", "Y", "support-engineer", ""),
	}); err != nil {
		t.Fatal(err)
	}
}
