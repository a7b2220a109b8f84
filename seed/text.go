package seed

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Word lists for synthetic people and journal entries. They read like a
// support organisation's week: customers, product areas, numbers.

var firstNames = []string{
	"Ada", "Aiko", "Alejandro", "Amara", "Anna", "Arjun", "Ayesha", "Bea", "Bram", "Carmen", "Chen", "Chiara",
	"Dara", "Diego", "Elif", "Emeka", "Emma", "Farah", "Felix", "Freya", "Gabriel", "Hana", "Hugo", "Ines",
	"Isak", "Jamal", "Jana", "Javier", "Kai", "Kaito", "Karin", "Lars", "Leila", "Lena", "Liam", "Lucia",
	"Malik", "Marta", "Mateo", "Maya", "Mei", "Milan", "Nadia", "Nia", "Noah", "Olga", "Omar", "Priya",
	"Rafael", "Rin", "Rosa", "Sami", "Sara", "Sofia", "Tariq", "Tess", "Tomas", "Uma", "Wei", "Yara", "Zoe",
}

var lastNames = []string{
	"Abara", "Andersen", "Bauer", "Becker", "Costa", "Dubois", "Eriksson", "Fernandes", "Fischer", "Garcia",
	"Haddad", "Hansen", "Ito", "Jansen", "Kaur", "Khan", "Kim", "Kowalski", "Larsen", "Lopez", "Mahlaba",
	"Martin", "Meyer", "Moreau", "Mwangi", "Nakamura", "Nguyen", "Novak", "Okafor", "Olsen", "Patel",
	"Pereira", "Petrov", "Rossi", "Santos", "Sato", "Schmidt", "Silva", "Singh", "Sousa", "Svensson",
	"Tanaka", "Tran", "Vargas", "Wagner", "Wang", "Weber", "Yilmaz", "Zhang", "Zimmermann",
}

var teamNames = []string{
	"Atlas", "Borealis", "Cascade", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Iris", "Juniper",
	"Kestrel", "Lumen", "Meridian", "Nimbus", "Orchid", "Pioneer", "Quartz", "Ridge", "Summit", "Tundra",
}

var regions = []string{"AMER", "EMEA", "APAC"}

var productAreas = []string{
	"CI pipelines", "the container registry", "merge request approvals", "LDAP sign-in", "backup and restore",
	"Geo replication", "runners on Kubernetes", "the package registry", "SAML single sign-on", "webhooks",
	"search indexing", "major upgrades", "object storage", "API rate limits", "personal access tokens",
	"audit events", "repository mirroring", "the Helm chart", "database migrations", "email notifications",
}

var customers = []string{
	"Acme Corp", "Globex", "Initech", "Umbrella Health", "Stark Logistics", "Wayne Finance", "Hooli",
	"Vandelay Imports", "Soylent Foods", "Tyrell Systems", "Cyberdyne", "Oscorp", "Wonka Industries",
	"Pied Piper", "Massive Dynamic", "Aperture Labs", "Blue Sun", "Nakatomi Trading", "Gringotts Bank",
	"Monarch Airlines",
}

var causes = []string{
	"a misconfigured load balancer", "an expired certificate", "a slow database query", "a race in the job queue",
	"a missing index", "a proxy that stripped headers", "a full disk on the Gitaly node", "a memory leak in Sidekiq",
	"an outdated runner version", "a DNS change", "a background migration that stalled", "a cache that never expired",
}

// activityTexts gives each activity kind of the default framework a few
// title patterns (%[1]s product area, %[2]s customer) and a sentence.
var activityTexts = map[string]struct {
	titles []string
	what   string
}{
	"critical-escalation":        {[]string{"Critical escalation for %[2]s: %[1]s down", "Led the %[2]s escalation on %[1]s"}, "%[2]s escalated a production outage in %[1]s; I took the lead, found %[3]s and kept their team informed every hour."},
	"customer-call":              {[]string{"Customer call with %[2]s about %[1]s", "Troubleshooting call: %[1]s at %[2]s"}, "Ran a call with %[2]s engineers to debug %[1]s live; we traced it to %[3]s."},
	"emergency":                  {[]string{"Weekend emergency: %[1]s for %[2]s", "Emergency on %[1]s"}, "Took the emergency page from %[2]s out of hours: %[1]s was failing because of %[3]s."},
	"customer-meeting":           {[]string{"Quarterly review with %[2]s", "Roadmap meeting with %[2]s on %[1]s"}, "Presented the support view of %[1]s to %[2]s and collected the three issues that hurt them most."},
	"office-hours":               {[]string{"Office hours on %[1]s", "Ran office hours: %[1]s deep questions"}, "Held open office hours on %[1]s for the team; twelve people brought their hardest tickets."},
	"pairing-session":            {[]string{"Pairing on a %[1]s ticket", "Pairing session: %[1]s with a new colleague"}, "Paired with a newer engineer on a %[2]s ticket about %[1]s and walked through the logs together until we found %[3]s."},
	"deep-dive-training":         {[]string{"Deep dive training: %[1]s internals", "Recorded a deep dive on %[1]s"}, "Prepared and recorded a ninety-minute deep dive on how %[1]s works, with exercises from real tickets."},
	"mentoring":                  {[]string{"Six-week mentorship: %[1]s", "Mentoring an associate on %[1]s"}, "Mentored an associate for six weeks with the goal of handling %[1]s tickets alone; we met twice a week."},
	"documentation-contribution": {[]string{"Docs: troubleshooting %[1]s", "Rewrote the %[1]s documentation page"}, "Customers kept asking the same question about %[1]s, so I rewrote the docs page with the steps we use in tickets."},
	"bug-fix":                    {[]string{"Fixed a %[1]s bug customers hit", "Bug fix merged: %[1]s"}, "Found the bug behind several %[2]s tickets in %[1]s, wrote the fix with a test and got it merged."},
	"feature-contribution":       {[]string{"Feature contribution to %[1]s", "Shipped a small %[1]s improvement"}, "Built a small improvement to %[1]s that %[2]s had asked for and that removes a common ticket cause."},
	"process-improvement":        {[]string{"Improved the %[1]s triage workflow", "New macro for %[1]s tickets"}, "Proposed and rolled out a change to how we triage %[1]s tickets, backed by a month of ticket data."},
	"onboarding-material":        {[]string{"Onboarding module for %[1]s", "Training material: %[1]s basics"}, "Wrote an onboarding module with exercises on %[1]s for new support engineers."},
	"hiring":                     {[]string{"Interviewed candidates for the support team", "Technical interview panel"}, "Ran technical interviews for support engineer candidates and wrote structured feedback the same day."},
	"project-led":                {[]string{"Led the %[1]s readiness project", "Project lead: %[1]s migration support"}, "Led a cross-functional project to prepare support for changes to %[1]s, with a plan, owners and weekly updates."},
	"cross-team-collaboration":   {[]string{"Worked with product on %[1]s", "Joint investigation with engineering on %[1]s"}, "Worked with the product and engineering teams on %[1]s issues raised by %[2]s and agreed a fix plan."},
}

var parts = []string{
	"Directly responsible end to end.", "Led the work; two colleagues helped with testing.", "Paired with a colleague; I drove.",
	"Owned the customer communication while engineering fixed the code.", "Did the investigation and wrote the summary.",
	"Organised it and presented most of it.",
}

var results = []string{
	"Time to resolution went from %d hours to %d.", "%d customers unblocked, %d tickets closed the same week.",
	"Tickets on this topic dropped by %d%% over %d weeks.", "Customer satisfaction %d%% on %d follow-up surveys.",
	"Saved about %d engineer hours a month, measured over %d months.", "%d people attended, %d watched the recording.",
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// entryText writes the title, what, part and result of a journal entry of
// an activity kind, with a marker of a competency it shows.
func entryText(r *rand.Rand, activity, marker string) (title, what, part, result string) {
	t, ok := activityTexts[activity]
	if !ok {
		t = activityTexts["customer-call"]
	}
	area, cust, cause := pick(r, productAreas), pick(r, customers), pick(r, causes)
	title = fmt.Sprintf(pick(r, t.titles), area, cust)
	var b strings.Builder
	fmt.Fprintf(&b, t.what, area, cust, cause)
	if marker != "" {
		b.WriteString(" ")
		b.WriteString(marker)
		b.WriteString(".")
	}
	what = b.String()
	part = pick(r, parts)
	a := 2 + r.IntN(40)
	result = fmt.Sprintf(pick(r, results), a+r.IntN(60), 1+r.IntN(a))
	return title, what, part, result
}
