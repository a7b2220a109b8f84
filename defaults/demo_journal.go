package defaults

import (
	"fmt"
	"slices"
	"strings"

	trellis "trellis"
)

// Journals of the demo: most engineers have three to twelve entries over
// the last six months, drawn from the shapes below with a product area, a
// customer and the numbers varied. The people whose promotion documents the
// sample holds also have the entries their documents rest on.

// demoArea is a product area tickets are about, with the path of its pages.
type demoArea struct{ name, slug string }

var demoAreas = []demoArea{
	{"backup restore", "backup-restore"},
	{"single sign-on", "single-sign-on"},
	{"runner autoscaling", "runner-autoscaling"},
	{"webhook delivery", "webhooks"},
	{"container registry", "container-registry"},
	{"object storage", "object-storage"},
	{"search indexing", "search-indexing"},
	{"repository mirroring", "repository-mirroring"},
	{"licence activation", "licensing"},
	{"major upgrade", "upgrades"},
	{"directory sync", "directory-sync"},
	{"incoming email", "incoming-email"},
	{"package registry", "package-registry"},
	{"replication", "replication"},
}

var demoCustomers = []string{
	"a regional bank", "a university", "a logistics company", "a game studio", "a hospital group",
	"a city council", "an online retailer", "a telecom operator", "a research institute", "an insurance company",
}

// demoEntry is the shape of an entry. In the texts, {area} and {Area} are
// the product area, {customer} and {Customer} the customer, {team} the
// person's team, {n} a small count, {m} a larger one, {hi} and {lo} a
// before and after with lo < hi, {pct} the percentage from hi to lo, {h}
// and {h2} hours with h < h2, {d} days, {mins} minutes; in links, {ticket},
// {issue}, {mr} and {slug}.
type demoEntry struct {
	activity                  string
	minRank, maxRank          int // the rungs of the ladder the entry fits
	title, what, part, result string
	links                     []string
	competencies, values      []string
	weeks                     int // > 0: the entry covers that many weeks
}

const (
	linkTicket   = "https://example.com/support/tickets/{ticket}"
	linkIssue    = "https://example.com/product/issues/{issue}"
	linkMR       = "https://example.com/product/merge_requests/{mr}"
	linkDocs     = "https://example.com/docs/{slug}"
	linkHandbook = "https://example.com/handbook/support/{slug}"
	linkVideo    = "https://example.com/recordings/{slug}-deep-dive"
)

var demoEntries = []demoEntry{
	{activity: "customer-call", minRank: 0, maxRank: 1,
		title:  "Licence call with {customer}",
		what:   "{Customer} could not activate their renewed licence two days before their old one ran out. Called their administrator, checked the subscription record with them and walked through the activation step by step.",
		part:   "Handled the call and the follow-up on my own.",
		result: "Licence active {h} hours after the first reply; no interruption for their {m} users.",
		links:  []string{linkTicket}, competencies: []string{"communication", "customer-advocacy", "product-knowledge"}, values: []string{"results"}},
	{activity: "process-improvement", minRank: 0, maxRank: 2,
		title:  "Saved reply for {area} questions",
		what:   "The team answered the same {area} question by hand several times a week. Wrote a saved reply with the three checks customers can make themselves and a link to the right documentation page.",
		part:   "Wrote the reply and asked two engineers to review it.",
		result: "Used {m} times in its first month; median time to first reply on those tickets fell from {h2} to {h} hours.",
		links:  []string{linkHandbook}, competencies: []string{"efficiency", "tooling-and-automation", "communication"}, values: []string{"efficiency", "iteration"}},
	{activity: "documentation-contribution", minRank: 0, maxRank: 2,
		title:  "Fixed an outdated {area} documentation page",
		what:   "A customer followed the {area} page and hit an error because a setting had been renamed two releases ago. Updated the page with the new name and a note for older versions.",
		part:   "Found the problem and opened the merge request.",
		result: "Merged in {d} days; no ticket has quoted the old wording since.",
		links:  []string{linkDocs, linkMR}, competencies: []string{"documentation", "customer-advocacy"}, values: []string{"transparency", "efficiency"}},
	{activity: "customer-call", minRank: 0, maxRank: 2,
		title:  "Turned around an unhappy {area} ticket",
		what:   "{Customer} had waited a week on a {area} question and wrote that they were losing patience. Replied within the hour, set a time for the next update and kept every promise until the ticket closed.",
		part:   "Took the ticket over and owned it to the end.",
		result: "Closed in {d} days; the customer's survey answer went from 1 to 5.",
		links:  []string{linkTicket}, competencies: []string{"customer-advocacy", "communication"}, values: []string{"results", "collaboration"}},
	{activity: "pairing-session", minRank: 1, maxRank: 2,
		title:  "Paired with a senior engineer on {area} tickets",
		what:   "Joined {n} pairing sessions on {area} tickets to learn how to read the logs and form a hypothesis before asking for help.",
		part:   "Drove the keyboard in the last three sessions.",
		result: "Solved the next {m} {area} tickets without routing them on, using a checklist written during the sessions.",
		links:  []string{linkHandbook}, competencies: []string{"growing-others", "troubleshooting", "product-knowledge"}, values: []string{"collaboration", "iteration"}},
	{activity: "critical-escalation", minRank: 1, maxRank: 2,
		title:  "Second engineer on a {area} escalation",
		what:   "Joined a critical escalation for {customer} as the second engineer: kept the timeline, collected logs and drafted the customer updates for review.",
		part:   "Supporting role; the timeline and the updates were mine.",
		result: "The customer had an update every 30 minutes as promised; the timeline became the base of the incident review.",
		links:  []string{linkTicket}, competencies: []string{"incident-handling", "communication", "collaboration"}, values: []string{"collaboration", "transparency"}},
	{activity: "cross-team-collaboration", minRank: 1, maxRank: 2,
		title:  "Filed a {area} bug with a clear reproduction",
		what:   "Turned a vague customer report about {area} into a bug report with exact steps, versions and log lines, and linked the {n} tickets it explained.",
		part:   "Reproduced the problem and wrote the issue.",
		result: "The development team scheduled it the same week; {n} tickets now wait on one fix instead of {n} separate answers.",
		links:  []string{linkIssue}, competencies: []string{"troubleshooting", "customer-advocacy", "collaboration"}, values: []string{"collaboration", "results"}},
	{activity: "critical-escalation", minRank: 2, maxRank: 4,
		title:  "Critical escalation: {area} failing for {customer}",
		what:   "{Customer} reported {area} failing for all their users after a change on their side. Led the escalation with the development team, traced it to a configuration default and gave the customer a workaround while the fix was prepared.",
		part:   "Directly responsible: ran the calls, wrote every update and the hand-off.",
		result: "Restored in {h} hours against a {h2}-hour target; the default changed in the next patch release.",
		links:  []string{linkTicket, linkIssue}, competencies: []string{"incident-handling", "troubleshooting", "communication", "customer-advocacy"}, values: []string{"results", "collaboration", "transparency"}},
	{activity: "emergency", minRank: 2, maxRank: 4,
		title:  "Emergency on call: {area} outage",
		what:   "Took an emergency page on a weekend shift: {customer} could not use {area} after a failed maintenance window. Joined their call within 15 minutes, found the stuck background job and cleared it with their administrator.",
		part:   "On call and alone on the shift; handed over to the next region with a written summary.",
		result: "Back in service {mins} minutes after the page; the incident review added one check to the maintenance runbook.",
		links:  []string{linkTicket, linkHandbook}, competencies: []string{"incident-handling", "troubleshooting", "communication"}, values: []string{"results", "transparency"}},
	{activity: "bug-fix", minRank: 2, maxRank: 4,
		title:  "Fixed a {area} bug customers kept hitting",
		what:   "{n} open tickets described the same {area} error in different words. Reproduced it on a test instance, found the mistake in the retry code and submitted a fix with a test.",
		part:   "Found the cause and wrote the fix; a developer reviewed it.",
		result: "Released {d} days later; the {n} linked tickets closed with a link to the release.",
		links:  []string{linkIssue, linkMR}, competencies: []string{"troubleshooting", "customer-advocacy", "results"}, values: []string{"results", "iteration"}},
	{activity: "documentation-contribution", minRank: 2, maxRank: 4,
		title:  "Rewrote the {area} troubleshooting page",
		what:   "The {area} troubleshooting page listed symptoms without causes. Rewrote it as a path from the error message to the fix, with the log lines to search for at each step.",
		part:   "Wrote the page and collected reviews from three engineers.",
		result: "Tickets about {area} fell from {hi} to {lo} a month in the two months after it went live.",
		links:  []string{linkDocs, linkMR}, competencies: []string{"documentation", "efficiency", "customer-advocacy"}, values: []string{"efficiency", "transparency"}},
	{activity: "process-improvement", minRank: 2, maxRank: 4,
		title:  "Triage rule for {area} tickets",
		what:   "{Area} tickets sat in the general queue for hours before someone who knew the area saw them. Proposed a rule that tags and routes them on arrival, tried it for two weeks and shared the numbers with the team.",
		part:   "Proposed it, built the rule and wrote the change announcement.",
		result: "Median time to first reply on {area} tickets fell from {h2} to {h} hours; the team kept the rule.",
		links:  []string{linkHandbook, linkIssue}, competencies: []string{"efficiency", "iteration", "influence", "tooling-and-automation"}, values: []string{"efficiency", "iteration"}},
	{activity: "pairing-session", minRank: 2, maxRank: 4, weeks: 3,
		title:  "Open pairing slots on {area} tickets",
		what:   "Offered open pairing slots on {area} tickets for three weeks and announced them in the team channel, so anyone stuck could book one.",
		part:   "Hosted every session.",
		result: "{n} sessions with four different engineers; two of them now take {area} tickets alone.",
		links:  []string{linkHandbook}, competencies: []string{"growing-others", "troubleshooting", "collaboration"}, values: []string{"collaboration", "diversity-inclusion-belonging"}},
	{activity: "onboarding-material", minRank: 2, maxRank: 4,
		title:  "Onboarding module on {area}",
		what:   "Wrote a self-paced onboarding module on {area}: a short reading list, a lab on a test instance and five real tickets to solve.",
		part:   "Wrote the module; two new starters tried it first and their comments went in.",
		result: "Used by {n} new engineers; their first {area} ticket now comes in week 3 instead of week 7.",
		links:  []string{linkHandbook, linkMR}, competencies: []string{"documentation", "growing-others"}, values: []string{"efficiency", "diversity-inclusion-belonging"}},
	{activity: "cross-team-collaboration", minRank: 2, maxRank: 4,
		title:  "Clearer {area} error messages with the product team",
		what:   "Brought the product team the {n} {area} error messages customers found most confusing, with example tickets, and agreed new wording together.",
		part:   "Collected the examples and wrote the proposal.",
		result: "The new messages shipped in the next release; tickets quoting the old ones fell from {hi} to {lo} a month.",
		links:  []string{linkIssue, linkMR}, competencies: []string{"collaboration", "influence", "communication", "customer-advocacy"}, values: []string{"collaboration", "transparency"}},
	{activity: "deep-dive-training", minRank: 2, maxRank: 3,
		title:  "Team demo: what changed in {area} this release",
		what:   "Read the release notes and the merged changes for {area} and showed the team, in twenty minutes, what will change in tickets.",
		part:   "Prepared and gave the demo.",
		result: "{n} engineers attended; the notes are linked from the release checklist.",
		links:  []string{linkHandbook}, competencies: []string{"product-knowledge", "communication"}, values: []string{"transparency"}},
	{activity: "office-hours", minRank: 3, maxRank: 4, weeks: 6,
		title:  "Weekly office hours on {area}",
		what:   "Ran a weekly half-hour slot where anyone could bring a stuck {area} ticket, at a time that works in both the Americas and Europe.",
		part:   "Hosted every week and kept the notes.",
		result: "{m} tickets unblocked in six weeks; attendance grew from {lo} to {hi} people.",
		links:  []string{linkHandbook, linkVideo}, competencies: []string{"growing-others", "communication", "collaboration"}, values: []string{"collaboration", "diversity-inclusion-belonging", "transparency"}},
	{activity: "deep-dive-training", minRank: 3, maxRank: 4,
		title:  "Deep dive: how {area} works",
		what:   "Prepared and recorded a one-hour deep dive on the inside of {area}: the moving parts, where each one logs, and the five failures seen most in tickets.",
		part:   "Wrote and presented it; answered the questions in the issue afterwards.",
		result: "{n} engineers attended live and the recording has {m} views; two teams added it to their onboarding.",
		links:  []string{linkVideo, linkHandbook}, competencies: []string{"growing-others", "product-knowledge", "communication"}, values: []string{"transparency", "collaboration"}},
	{activity: "mentoring", minRank: 3, maxRank: 4, weeks: 6,
		title:  "Six-week mentorship on {area} tickets",
		what:   "Met an associate engineer weekly for six weeks with one agreed goal: take {area} tickets end to end alone.",
		part:   "Mentor: agreed the goal, reviewed replies and held the weekly check-ins.",
		result: "By the last week they had solved {n} {area} tickets alone, up from none.",
		links:  []string{linkHandbook}, competencies: []string{"growing-others", "diversity-inclusion-belonging"}, values: []string{"collaboration", "diversity-inclusion-belonging"}},
	{activity: "hiring", minRank: 3, maxRank: 4,
		title:  "Interviews for the {team} team",
		what:   "Took part in {n} technical interviews for support engineers and wrote structured feedback against the role's criteria within a day of each.",
		part:   "Interviewer; paired with a newer interviewer on two of them.",
		result: "Two people hired; the hiring manager used the written feedback in the debrief without follow-up questions.",
		links:  []string{"https://example.com/hiring/issues/{issue}"}, competencies: []string{"growing-others", "diversity-inclusion-belonging"}, values: []string{"diversity-inclusion-belonging", "collaboration"}},
	{activity: "project-led", minRank: 3, maxRank: 4, weeks: 8,
		title:  "Led the {area} ticket-reduction project",
		what:   "Set up a small project with product and documentation to cut {area} tickets: grouped last quarter's tickets by cause, picked the three biggest causes and removed one each month.",
		part:   "Project lead: wrote the plan, ran the fortnightly check-ins and reported the numbers.",
		result: "{Area} tickets fell by {pct}% over the quarter, from {hi} to {lo} a month.",
		links:  []string{linkIssue, "https://example.com/support/dashboards/{slug}"}, competencies: []string{"ambiguity-and-delivery", "influence", "results"}, values: []string{"results", "collaboration", "iteration"}},
	{activity: "customer-meeting", minRank: 3, maxRank: 4,
		title:  "Quarterly review with {customer} on {area}",
		what:   "Joined the account team's quarterly review with {customer} to go through their {area} tickets and the fixes coming in the next two releases.",
		part:   "Prepared the ticket summary and answered the technical questions.",
		result: "The customer closed {n} long-running tickets after the meeting and agreed a test plan for their next upgrade.",
		links:  []string{"https://example.com/support/accounts/reviews/{ticket}"}, competencies: []string{"communication", "customer-advocacy", "influence"}, values: []string{"transparency", "results"}},
	{activity: "feature-contribution", minRank: 3, maxRank: 4,
		title:  "Diagnostic check for {area}",
		what:   "Added a check to the support diagnostics tool that spots the {area} misconfiguration behind many tickets and prints the fix.",
		part:   "Wrote the check and its tests; the tooling team reviewed it.",
		result: "The check fired on {m} tickets in its first month and saved about {h} hours of back-and-forth on each.",
		links:  []string{linkMR}, competencies: []string{"tooling-and-automation", "product-knowledge", "customer-advocacy", "iteration"}, values: []string{"efficiency", "iteration"}},
	{activity: "process-improvement", minRank: 3, maxRank: 4,
		title:  "Log collection script for {area} tickets",
		what:   "Wrote a small script customers run to collect the logs and settings a {area} ticket needs, instead of three rounds of questions.",
		part:   "Wrote and documented the script.",
		result: "On {m} tickets so far, the first real answer came after one reply instead of three.",
		links:  []string{linkMR, linkDocs}, competencies: []string{"tooling-and-automation", "efficiency", "customer-advocacy"}, values: []string{"efficiency", "iteration"}},
	{activity: "project-led", minRank: 4, maxRank: 4, weeks: 10,
		title:  "Support-wide plan for {area}",
		what:   "Wrote a plan over three quarters for {area} across all four support teams: the ticket data, the causes, the fixes with owners, and how progress is measured.",
		part:   "Author and owner; reviewed it with each team's manager and the product lead.",
		result: "Four teams work from the plan; the first quarter's milestones are done and {area} tickets are down {pct}%.",
		links:  []string{linkIssue, linkHandbook}, competencies: []string{"ambiguity-and-delivery", "influence", "results", "collaboration"}, values: []string{"results", "transparency", "collaboration"}},
	{activity: "cross-team-collaboration", minRank: 4, maxRank: 4,
		title:  "Support's voice in the {area} design review",
		what:   "Reviewed the product team's redesign of {area} with a list of the ticket patterns it would change, and joined two design meetings to talk them through.",
		part:   "Wrote the review and represented support in the meetings.",
		result: "Three of the {n} proposed changes to the design were adopted before building started.",
		links:  []string{linkIssue}, competencies: []string{"influence", "customer-advocacy", "product-knowledge"}, values: []string{"collaboration", "transparency"}},
}

// The people without a journal: new in their role, or simply not writing
// one yet.
var demoNoJournal = []string{"kemi.ivanov@example.com", "pablo.das@example.com", "zoe.moreau@example.com", "ivy.horvat@example.com"}

// journals builds every journal: the fixed entries of the people with a
// promotion document, then entries drawn from demoEntries.
func (w *demoWorld) journals() []DemoJournal {
	fixed := w.fixedEntries()
	var out []DemoJournal
	for _, p := range w.people {
		rank := rankOf(p.role)
		if rank < 0 || !slices.Contains(demoTeams, p.team) || slices.Contains(demoNoJournal, p.email) {
			continue
		}
		own := fixed[p.email]
		n := min(3+w.rng.IntN(4)+rank*2, 12) // 3-6 for representatives up to 11-12 for staff
		if slices.ContainsFunc(demoAssessed, func(a demoAssessee) bool { return a.email == p.email }) {
			n = 12 // the people with readiness assessments show more
		}
		n -= len(own)
		var eligible []int
		for i, e := range demoEntries {
			if e.minRank <= rank && rank <= e.maxRank {
				eligible = append(eligible, i)
			}
		}
		w.rng.Shuffle(len(eligible), func(i, j int) { eligible[i], eligible[j] = eligible[j], eligible[i] })
		if n > len(eligible) {
			n = len(eligible)
		}
		// Dates spread over the last six months, the newest within the
		// last two weeks for most people.
		newest := 1 + w.rng.IntN(14)
		if w.rng.IntN(4) == 0 {
			newest = 20 + w.rng.IntN(25)
		}
		entries := slices.Clone(own)
		used := map[string]bool{}
		for i := 0; i < n; i++ {
			ago := newest + i*(175-newest)/max(n, 1) + w.rng.IntN(6)
			entries = append(entries, w.entry(demoEntries[eligible[i]], p, ago, used))
		}
		slices.SortStableFunc(entries, func(a, b trellis.Evidence) int { return a.Date.Compare(b.Date) })
		out = append(out, DemoJournal{Email: p.email, Entries: entries})
	}
	return out
}

// entry fills in one shape for a person, dated ago days before today (its
// first day, for ranges that end by today).
func (w *demoWorld) entry(t demoEntry, p demoPerson, ago int, used map[string]bool) trellis.Evidence {
	area := demoAreas[w.rng.IntN(len(demoAreas))]
	for tries := 0; used[area.slug] && tries < 5; tries++ {
		area = demoAreas[w.rng.IntN(len(demoAreas))]
	}
	used[area.slug] = true
	customer := demoCustomers[w.rng.IntN(len(demoCustomers))]
	n := 3 + w.rng.IntN(10)
	hi := 12 + w.rng.IntN(30)
	pct := 25 + w.rng.IntN(40)
	lo := hi * (100 - pct) / 100
	h := 2 + w.rng.IntN(5)
	team := strings.ReplaceAll(p.team, "-", " ")
	r := strings.NewReplacer(
		"{area}", area.name, "{Area}", capitalise(area.name), "{customer}", customer, "{Customer}", capitalise(customer),
		"{team}", team, "{n}", fmt.Sprint(n), "{m}", fmt.Sprint(n+6+w.rng.IntN(40)), "{hi}", fmt.Sprint(hi), "{lo}", fmt.Sprint(lo),
		"{pct}", fmt.Sprint(pct), "{h}", fmt.Sprint(h), "{h2}", fmt.Sprint(h+4+w.rng.IntN(10)), "{d}", fmt.Sprint(3+w.rng.IntN(10)),
		"{mins}", fmt.Sprint(35+w.rng.IntN(80)), "{ticket}", fmt.Sprint(41000+w.rng.IntN(9000)),
		"{issue}", fmt.Sprint(1200+w.rng.IntN(8000)), "{mr}", fmt.Sprint(21000+w.rng.IntN(7000)), "{slug}", area.slug)
	e := trellis.Evidence{
		Title: r.Replace(t.title), What: r.Replace(t.what), Part: r.Replace(t.part), Result: r.Replace(t.result),
		Activity: t.activity, Competencies: slices.Clone(t.competencies), Values: slices.Clone(t.values),
		Visibility: w.visibility(),
	}
	for _, l := range t.links {
		e.Links = append(e.Links, r.Replace(l))
	}
	if t.weeks > 0 {
		ago = max(ago, 7*t.weeks)
		end := w.daysAgo(ago - 7*t.weeks + 1)
		e.EndDate = &end
	}
	e.Date = w.daysAgo(ago)
	return e
}

// visibility picks who may read an entry: mostly the manager, often the
// whole organisation, sometimes the person alone.
func (w *demoWorld) visibility() trellis.Visibility {
	switch r := w.rng.IntN(10); {
	case r < 2:
		return trellis.VisPrivate
	case r < 6:
		return trellis.VisManager
	default:
		return trellis.VisOrganisationViewer
	}
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// fixedEntries are the entries the sample's promotion documents point at,
// by person.
func (w *demoWorld) fixedEntries() map[string][]trellis.Evidence {
	e := func(ago, weeks int, activity, title, what, part, result string, links, comps, values []string, vis trellis.Visibility) trellis.Evidence {
		ev := trellis.Evidence{Date: w.daysAgo(ago), Title: title, What: what, Part: part, Result: result, Links: links,
			Activity: activity, Competencies: comps, Values: values, Visibility: vis}
		if weeks > 0 {
			end := w.daysAgo(ago - 7*weeks + 1)
			ev.EndDate = &end
		}
		return ev
	}
	org, mgr := trellis.VisOrganisationViewer, trellis.VisManager
	return map[string][]trellis.Evidence{
		DemoPromotedEarlier: {
			e(330, 4, "process-improvement", "Pairing rota for new associates",
				"New associates waited for someone to have time before they could pair. Set up a rota so every new associate pairs with a senior or support engineer twice a week in their first two months.",
				"Designed the rota, recruited the first six volunteers and keeps it running.",
				"Four associates joined since; their time to a first solved ticket fell from 15 to 6 working days.",
				[]string{"https://example.com/handbook/support/pairing-rota", "https://example.com/support/surveys/onboarding"},
				[]string{"growing-others", "collaboration", "efficiency"}, []string{"collaboration", "iteration"}, org),
			e(305, 0, "bug-fix", "Fixed the repository mirroring timeout",
				"Mirroring timed out for large repositories, and 23 open tickets traced back to it. Reproduced the timeout, found the cause in the retry logic and submitted a fix.",
				"Directly responsible for the diagnosis and the fix; a developer reviewed it.",
				"The 23 linked tickets closed within a week of the release, and new reports stopped.",
				[]string{"https://example.com/product/merge_requests/27114", "https://example.com/product/issues/3981"},
				[]string{"troubleshooting", "customer-advocacy", "results"}, []string{"results", "collaboration"}, org),
			e(285, 6, "project-led", "Backup restore escalation playbook",
				"Critical escalations about failed backup restores took 19 hours on average. Wrote a playbook with two developers: the checks to run first, the known failures and who to page.",
				"Author; trained the escalations rota on it in two sessions.",
				"Time to resolution fell from 19 to 8 hours over the next 31 escalations.",
				[]string{"https://example.com/handbook/support/backup-restore-playbook", "https://example.com/product/issues/4412"},
				[]string{"ambiguity-and-delivery", "incident-handling", "troubleshooting", "results"}, []string{"results", "collaboration"}, org),
		},
		"dev.demir@example.com": {
			e(120, 0, "critical-escalation", "Runner autoscaling escalation for a logistics company",
				"A logistics company's build runners stopped scaling up during their busiest week. Led the escalation, found a cloud quota that the autoscaler hid behind a generic error, and wrote the diagnosis steps down as a runbook.",
				"Directly responsible: ran the escalation and wrote the runbook.",
				"Resolved in 3 hours. Across the 9 runner escalations since, time to resolution fell from 14 to 3 hours with the runbook.",
				[]string{"https://example.com/support/tickets/46120", "https://example.com/handbook/support/runner-autoscaling-runbook"},
				[]string{"incident-handling", "troubleshooting", "documentation", "customer-advocacy"}, []string{"results", "transparency"}, org),
			e(90, 6, "office-hours", "Office hours on runner tickets",
				"Ran six weeks of office hours on runner and pipeline tickets, in a slot that suits engineers in the Americas and in Europe.",
				"Hosted every session and kept the notes in the handbook.",
				"11 engineers came at least once and 27 stuck tickets were unblocked.",
				[]string{"https://example.com/handbook/support/office-hours-runners"},
				[]string{"growing-others", "communication", "collaboration"}, []string{"collaboration", "diversity-inclusion-belonging"}, org),
			e(58, 0, "process-improvement", "Triage rule for webhook delivery tickets",
				"Webhook delivery tickets waited in the general queue. Proposed a triage rule that routes them to the engineers who know the area, tried it for two weeks and shared the numbers.",
				"Proposed and built the rule, then rolled it out team by team.",
				"Median time to first reply on webhook tickets fell from 9 to 4 hours.",
				[]string{"https://example.com/handbook/support/triage-rules", "https://example.com/support/team/issues/844"},
				[]string{"efficiency", "iteration", "influence", "tooling-and-automation"}, []string{"efficiency", "iteration"}, mgr),
		},
		"olga.iyer@example.com": {
			e(140, 0, "feature-contribution", "Upgrade readiness check in the diagnostics tool",
				"Most failed major upgrades came from three settings customers had not changed. Added a readiness check to the diagnostics tool that names them before the upgrade starts.",
				"Wrote the check and its tests; the tooling team reviewed and released it.",
				"The check fired on 64 tickets in two months; upgrade escalations fell from 12 to 5 a quarter.",
				[]string{"https://example.com/product/merge_requests/25873", "https://example.com/docs/upgrades"},
				[]string{"tooling-and-automation", "troubleshooting", "customer-advocacy", "product-knowledge"}, []string{"results", "efficiency"}, org),
			e(100, 6, "mentoring", "Six-week mentorship: upgrade tickets end to end",
				"Mentored an associate engineer for six weeks with one goal: solve upgrade tickets end to end alone. Met weekly and reviewed each reply the same day.",
				"Mentor: agreed the goal, held the weekly check-ins and wrote the outcome.",
				"By the end the mentee had solved 18 upgrade tickets alone, up from none.",
				[]string{"https://example.com/handbook/support/mentorships"},
				[]string{"growing-others", "diversity-inclusion-belonging"}, []string{"collaboration", "diversity-inclusion-belonging"}, mgr),
			e(70, 0, "deep-dive-training", "Deep dive: how replication works",
				"Prepared and recorded a one-hour deep dive on replication: the moving parts, where each one logs and the failures tickets show most.",
				"Wrote and presented it, and answered the follow-up questions in writing.",
				"34 engineers attended live, the recording has 210 views, and two teams added it to onboarding.",
				[]string{"https://example.com/recordings/replication-deep-dive"},
				[]string{"growing-others", "product-knowledge", "communication"}, []string{"transparency", "collaboration"}, org),
		},
		"chiara.costa@example.com": {
			e(85, 12, "customer-call", "Licence and sign-in tickets end to end",
				"Took licence and sign-in tickets from the engineering queue for a quarter instead of routing them, with a senior engineer to ask when stuck.",
				"Solved them myself and asked for review on the hardest five.",
				"41 tickets solved end to end; only 3 needed help from an engineer.",
				[]string{"https://example.com/support/views/chiara-solved"},
				[]string{"troubleshooting", "product-knowledge", "customer-advocacy"}, []string{"results"}, mgr),
			e(40, 0, "documentation-contribution", "Fixed the outdated single sign-on page",
				"Customers following the single sign-on page hit an error because a setting had been renamed. Updated the page and added a note for older versions.",
				"Found the problem and opened the merge request.",
				"Merged in 2 days; no ticket has quoted the old wording since.",
				[]string{"https://example.com/docs/single-sign-on", "https://example.com/product/merge_requests/26990"},
				[]string{"documentation", "customer-advocacy"}, []string{"transparency", "efficiency"}, org),
		},
	}
}
