package defaults

import (
	"testing"
	"time"

	trellis "trellis"
)

func TestDemoOrganisation(t *testing.T) {
	fw, err := Support()
	if err != nil {
		t.Fatal(err)
	}
	rows, logins := DemoOrganisation(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC))
	emails := map[string]bool{}
	managers := map[string]string{}
	teams, regions, access := map[string]int{}, map[string]int{}, map[string]int{}
	reports := map[string]int{}
	roles := map[string]int{}
	for _, r := range rows {
		p := r.Person
		p.Normalize()
		if err := p.Validate(); err != nil {
			t.Errorf("row %d (%s): %v", r.Line, p.Email, err)
		}
		if _, ok := fw.Role(p.RoleID); !ok {
			t.Errorf("%s has role %q, which the support framework lacks", p.Email, p.RoleID)
		}
		if emails[p.Email] {
			t.Errorf("%s appears twice", p.Email)
		}
		emails[p.Email] = true
		managers[p.Email] = r.ManagerEmail
		for _, tm := range p.Teams {
			teams[tm]++
		}
		for _, rg := range p.Regions {
			regions[rg]++
		}
		access[p.Access]++
		roles[p.RoleID]++
		if r.ManagerEmail != "" {
			reports[r.ManagerEmail]++
		}
	}
	for e, m := range managers {
		if m != "" && !emails[m] {
			t.Errorf("%s reports to %s, who is not in the organisation", e, m)
		}
		if m == "" {
			delete(managers, e)
		}
	}
	if cycles := trellis.ManagerCycles(managers); len(cycles) > 0 {
		t.Errorf("reporting loops: %v", cycles)
	}
	if access[trellis.AccessDirector] != 1 || access[trellis.AccessPeople] != 1 || access[trellis.AccessAdmin] != 1 {
		t.Errorf("access levels: %v", access)
	}
	if roles["support-engineering-manager"] != 4 {
		t.Errorf("%d managers, want 4", roles["support-engineering-manager"])
	}
	engineers := len(rows) - 4 - 3
	if engineers < 38 || engineers > 45 {
		t.Errorf("%d engineers, want about forty", engineers)
	}
	for _, team := range demoTeams {
		if teams[team] < 10 {
			t.Errorf("team %s has %d people", team, teams[team])
		}
	}
	if len(regions) != 2 {
		t.Errorf("regions: %v", regions)
	}
	for _, role := range []string{"customer-support-representative", "associate-support-engineer", "support-engineer", "senior-support-engineer", "staff-support-engineer", "director-of-support"} {
		if roles[role] == 0 {
			t.Errorf("nobody holds %s", role)
		}
	}
	if len(logins) < 5 {
		t.Fatalf("%d demo logins", len(logins))
	}
	for _, l := range logins {
		if !emails[l.Email] {
			t.Errorf("demo login %s is not in the organisation", l.Email)
		}
	}
}
