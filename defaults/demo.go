package defaults

import (
	"fmt"
	"strings"
	"time"

	trellis "trellis"
)

// DemoPassword signs in every demo account. The demo runs on a throwaway
// database on the person's own machine, so a shared, printed password is
// the point, not a risk.
const DemoPassword = "trellis-demo-2026"

// DemoLogin is an account worth trying in the demo, with what it shows.
type DemoLogin struct {
	Email string
	What  string
}

// demoDomain is reserved for examples, so demo addresses never reach anyone.
const demoDomain = "example.com"

var (
	demoTeams   = []string{"escalations", "self-managed", "saas", "onboarding"}
	demoRegions = []string{"amer", "emea"}
	firstNames  = []string{
		"Ada", "Bruno", "Chiara", "Dev", "Elif", "Farid", "Greta", "Hiro", "Ines", "Jonas",
		"Kemi", "Luca", "Maya", "Nikhil", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tariq",
		"Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoe", "Amara", "Bastian", "Carmen", "Dmitri",
		"Esme", "Felix", "Gwen", "Hassan", "Ivy", "Jamal", "Kira", "Leon", "Mina", "Noor",
		"Oscar", "Petra", "Rafael", "Sanna",
	}
	lastNames = []string{
		"Okafor", "Lindqvist", "Moreau", "Tanaka", "Silva", "Novak", "Haddad", "Kowalski", "Nguyen", "Fischer",
		"Mensah", "Rossi", "Sato", "Iyer", "Petrova", "Garcia", "Murphy", "Costa", "Berg", "Rahman",
		"Das", "Horvat", "Zhang", "Lopez", "Demir", "Clarke", "Eze", "Vogel", "Ruiz", "Ivanov",
		"Hughes", "Keller", "Price", "Aziz", "Wood", "Bello", "Ota", "Sauer", "Park", "Khan",
		"Lund", "Dvorak", "Mendes", "Aalto",
	}
)

// team member roles of one team of ten, bottom of the ladder first.
var teamLadder = []string{
	"customer-support-representative",
	"associate-support-engineer", "associate-support-engineer",
	"support-engineer", "support-engineer", "support-engineer",
	"senior-support-engineer", "senior-support-engineer", "senior-support-engineer",
	"staff-support-engineer",
}

// DemoOrganisation returns the people of the demo: a director of support, a
// people partner, an administrator, four support engineering managers and
// forty engineers across the ladder in four teams and two regions. Managers
// are named by email so the rows can be imported in one all-or-nothing step.
// Dates are relative to now so time in role looks plausible on any day. One
// senior, DemoPromotedEarlier, joins as a support engineer: the sample's
// earlier cycle (NewDemoSample) promotes them through the workflow.
func DemoOrganisation(now time.Time) ([]trellis.PersonImportRow, []DemoLogin) {
	day := now.UTC().Truncate(24 * time.Hour)
	monthsAgo := func(m int) time.Time { return day.AddDate(0, -m, 0) }
	var rows []trellis.PersonImportRow
	add := func(name, role, access, manager string, teams, regions []string, since time.Time) string {
		email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@" + demoDomain
		rows = append(rows, trellis.PersonImportRow{
			Line: len(rows) + 1,
			Person: trellis.Person{
				Email: email, Name: name, RoleID: role, Access: access, Active: true,
				Teams: teams, Regions: regions, RoleSince: since,
			},
			ManagerEmail: manager,
		})
		return email
	}
	director := add("Morgan Reyes", "director-of-support", trellis.AccessDirector, "", nil, []string{"amer"}, monthsAgo(30))
	partner := add("Priya Natarajan", "support-engineer", trellis.AccessPeople, "", []string{"people"}, []string{"emea"}, monthsAgo(20))
	admin := add("Sam Adeyemi", "senior-support-engineer", trellis.AccessAdmin, director, []string{"operations"}, []string{"emea"}, monthsAgo(26))
	var managers, engineers []string
	n := 0
	for i, team := range demoTeams {
		region := demoRegions[i%len(demoRegions)]
		mgrName := firstNames[len(firstNames)-1-i] + " " + lastNames[len(lastNames)-1-i]
		mgr := add(mgrName, "support-engineering-manager", trellis.AccessEngineer, director, []string{team}, []string{region}, monthsAgo(14+6*i))
		managers = append(managers, mgr)
		for j, role := range teamLadder {
			name := fmt.Sprintf("%s %s", firstNames[n], lastNames[(n*7+3)%len(lastNames)])
			n++
			// Staff engineers report to the director, as in practice; the
			// others to their team's manager. Every other person sits in the
			// team's second region, so both regions appear in every team.
			boss := mgr
			if role == "staff-support-engineer" {
				boss = director
			}
			r := region
			if j%3 == 2 {
				r = demoRegions[(i+1)%len(demoRegions)]
			}
			since := monthsAgo(3 + (j*5+i*3)%28)
			if i == 0 && j == 6 {
				// The sample's earlier cycle promotes this person to senior
				// through the workflow (DemoPromotedEarlier), so they join as
				// a support engineer.
				role, since = "support-engineer", monthsAgo(22)
			}
			engineers = append(engineers, add(name, role, trellis.AccessEngineer, boss, []string{team}, []string{r}, since))
		}
	}
	logins := []DemoLogin{
		{director, "director of support: calibration of this cycle and the last, every team's projections"},
		{managers[0], "manager of the escalations team: team heatmap, projections, a promotion document to review"},
		{engineers[3], "support engineer aiming for senior: journal, readiness, a document in manager review"},
		{engineers[7], "senior support engineer: pairing sessions, a mentorship, a coffee chat request to answer"},
		{engineers[6], "senior since the last cycle: the promotion document is in the library"},
		{partner, "people partner: decisions and the audit log"},
		{admin, "administrator: frameworks, people, audit log"},
	}
	return rows, logins
}
