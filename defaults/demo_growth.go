package defaults

import (
	"slices"
	"time"

	trellis "trellis"
)

// Growth plans, career conversations, readiness assessments, checklists and
// projections of the demo.

// demoNextRole is the role a growth plan aims for by default: the next rung
// of the ladder.
var demoNextRole = map[string]string{
	"customer-support-representative": "associate-support-engineer",
	"associate-support-engineer":      "support-engineer",
	"support-engineer":                "senior-support-engineer",
	"senior-support-engineer":         "staff-support-engineer",
	"staff-support-engineer":          "principal-support-engineer",
}

// demoTargets are the targets that differ from the next rung; "" is no
// target: staying and deepening in the role, which for a senior is success.
var demoTargets = map[string]string{
	DemoPromotedEarlier:         "",
	"rosa.wood@example.com":     "",
	"amara.fischer@example.com": "",
	"leon.mendes@example.com":   "",
	"quinn.vogel@example.com":   "",
	"hiro.nguyen@example.com":   "support-engineering-manager",
	"carmen.lopez@example.com":  "support-engineering-manager",
	"kira.bello@example.com":    "support-engineering-manager",
	"tariq.silva@example.com":   "support-engineering-manager",
	"noor.sato@example.com":     "",
}

// demoNoPlan are people with a journal but no growth plan yet, one per
// team, so that the team page has someone to follow up with.
var demoNoPlan = []string{"elif.keller@example.com", "nikhil.haddad@example.com", "ximena.price@example.com", "jamal.ruiz@example.com"}

// demoReflection holds the texts a reflection is drawn from.
var demoReflection = struct {
	why, energises, drains, learnBest []string
	inTwoYears                        map[string]string
}{
	why: []string{
		"I want my next step to rest on evidence I collected along the way, not on a feeling that it is time.",
		"I do my best work when I own hard problems end to end, and I want more of that work.",
		"I want to know the product well enough that people come to me first with the hard questions.",
		"Helping newer colleagues has become the best part of my week, and I want to get better at it on purpose.",
		"I want a plan I can check every month, so that career conversations start from facts.",
		"The team is growing quickly and I want to grow with it rather than watch it happen.",
	},
	energises: []string{
		"Untangling a problem nobody understood yet, then writing the answer down so nobody has to untangle it again.",
		"A customer call where the customer leaves knowing more than when they joined.",
		"Pairing with someone and seeing the moment a log line starts to make sense to them.",
		"Shipping a small fix that closes a whole group of tickets at once.",
		"Turning a messy process into something the whole team can follow.",
	},
	drains: []string{
		"Long stretches of the same kind of ticket with no time to fix the cause behind it.",
		"Meetings without a written agenda or a written outcome.",
		"Waiting on other teams without knowing when they will answer.",
		"Juggling more than three urgent tickets at once.",
	},
	learnBest: []string{
		"Pairing on a real ticket, then trying the next one alone.",
		"Reading the source code with a concrete question in mind.",
		"Writing things down: explaining a topic on a documentation page shows me what I do not know yet.",
		"Short feedback loops: a review of my reply the same day beats a course next month.",
	},
	inTwoYears: map[string]string{
		"associate-support-engineer":  "An associate engineer who solves the common technical requests alone and knows when to ask for help.",
		"support-engineer":            "A support engineer who takes tickets across components end to end and handles emergencies on my own shift.",
		"senior-support-engineer":     "A senior engineer others bring their hardest tickets to, running office hours on my area.",
		"staff-support-engineer":      "A staff engineer for my domain, with a plan that several teams work from.",
		"principal-support-engineer":  "A principal engineer whose work changes how the whole company supports customers.",
		"support-engineering-manager": "Managing a small team, after an interim period with clear success criteria.",
		"":                            "Still in my role and deeper in it: the person new colleagues are sent to, and a mentor for new seniors.",
	},
}

// demoGoal is a goal of a growth plan without its dates and status.
type demoGoal struct{ title, steps, support, helpers, obstacles, success string }

// demoGoals are the goals a plan draws from, by target role ("" for no
// target).
var demoGoals = map[string][]demoGoal{
	"associate-support-engineer": {
		{"Solve simple technical requests myself", "Take two technical tickets a week from the engineering queue, with an engineer on standby.", "A named engineer to ask, and an hour a day kept free for it.", "My manager and an associate engineer in the team.", "Busy weeks in the licensing queue.", "Ten technical tickets solved without routing them on."},
		{"Install the product on a test instance and read its logs", "Follow the installation guide, break one thing on purpose each week and find it in the logs.", "A test instance.", "An engineer from the onboarding team.", "Finding the time between queue shifts.", "I can name where each main component logs and what a normal start looks like."},
		{"Join a pairing session every week", "Book one open pairing slot a week and write down one thing learned from each.", "Slots in my time zone.", "The seniors who run open pairing.", "Sessions clashing with queue shifts.", "Twelve sessions logged by the due date."},
	},
	"support-engineer": {
		{"Handle an emergency shift on my own", "Shadow two emergency shifts, then take one with a senior on standby.", "A place on the emergency rota.", "My manager and the rota lead.", "Emergencies are rare, so practice is too.", "One emergency handled alone with a hand-off that needed no questions."},
		{"Fix a documentation gap customers keep hitting", "Pick the page most linked from my tickets this quarter and rewrite it.", "A reviewer from the documentation team.", "The technical writers.", "Getting the review in time.", "The page is merged and tickets quoting it drop."},
		{"Pair with the newest associate every week", "Hold a weekly session on whatever ticket they are stuck on.", "Time in the week that is protected.", "My manager.", "Queue pressure in the weeks after releases.", "They take those tickets alone by the due date."},
	},
	"senior-support-engineer": {
		{"Run a six-week structured mentorship", "Agree a goal with a mentee, meet weekly for six weeks and write down the outcome.", "A mentee and my manager's agreement on the time.", "A senior who has mentored before.", "Keeping the weekly slot when escalations come in.", "The mentee reaches the goal we agreed, in writing."},
		{"Hold about five pairing sessions a week for a month", "Open pairing slots every day and log each session in the mentoring page.", "Colleagues who book the slots.", "The team lead, to announce them.", "Weeks with on-call duty.", "Twenty sessions logged, with what each person learned."},
		{"Lead one improvement with the product team", "Pick a ticket pattern, bring the data to the product team and agree a change.", "Access to the ticket data.", "A product manager and my manager.", "The product team's own priorities.", "The change ships and the tickets it targets fall, with numbers before and after."},
	},
	"staff-support-engineer": {
		{"Write a plan for my domain across several quarters", "Gather the ticket data, name the causes, propose fixes with owners and a way to measure them.", "Time away from the queue: a day a week.", "The other teams' managers and the product lead.", "Agreement on priorities across teams.", "The plan is reviewed and at least two teams work from it."},
		{"Lead a project that spans several teams", "With my manager, pick a problem no team owns and write a short plan with milestones.", "A sponsor at the director level.", "The managers of the teams involved.", "People's time in teams that are already busy.", "The project's measure moves, with the before and after written down."},
		{"Help a senior engineer lead their first project", "Coach them through the plan, the kick-off and the first report.", "A senior who wants to lead.", "Their manager.", "Doing it for them instead of coaching.", "The project delivers and they say they would lead the next one."},
	},
	"principal-support-engineer": {
		{"Write a one-year technical strategy for support", "Write the problem, the options, the choice and its measures, and ask engineering and product leaders to review it.", "Time and a reviewer from engineering leadership.", "The director and the principal engineers in engineering.", "Turning many opinions into one choice.", "The strategy is reviewed and its first measure is in the quarterly plan."},
		{"Represent support at a customer advisory session", "Prepare the three ticket patterns that matter most to customers and present them.", "A place in the next session.", "The customer success team.", "Scheduling across time zones.", "The session's notes include support's three points and their follow-ups."},
	},
	"support-engineering-manager": {
		{"Join the aspiring leaders programme", "Apply with my manager's approval and take part in the monthly themes.", "My manager's approval and a manager as mentor.", "My manager and a manager in another team.", "Fitting it around on-call weeks.", "Completed, with an outcome agreed with my mentor."},
		{"Interview for the next two hires with written feedback", "Join the interview panel and write structured feedback within a day of each interview.", "A place on the panel and interview training.", "The hiring manager.", "Interviews clash with customer calls.", "Two interviews done, and the hiring manager uses my feedback without follow-up questions."},
		{"Lead the onboarding of the next new starter", "Plan their first six weeks, pair with them daily in the first two and check in weekly after.", "My manager's agreement on the time.", "The onboarding team.", "Their start date moving.", "They solve their first tickets alone by week four."},
	},
	"": {
		{"Become the go-to engineer for one product area", "Take every escalation in the area for a quarter and keep its troubleshooting page current.", "My manager routing those escalations to me.", "The development team that owns the area.", "Escalations outside the area still arrive.", "Others send area questions to me, and the page is current."},
		{"Mentor one new senior", "Meet a new senior weekly for six weeks on how to balance the queue with pairing and projects.", "A mentee.", "My manager.", "Both of our calendars.", "The mentee says the first months were easier, in writing."},
	},
}

var demoConversationNotes = []string{
	"Went through the growth plan together. The first goal is on track; next step is to agree the dates for the second.",
	"Looked at the readiness page: strongest in Troubleshooting and Customer advocacy, next focus is Growing others.",
	"Talked about what energises and drains at the moment. Agreed to move one queue shift a week to project time.",
	"Reviewed the journal since the last conversation: good numbers, a few entries still without links.",
	"Talked about the next two to three years. Management is an option to explore, not a decision yet.",
	"Checked the considerations of the target role; two are clearly met, one needs an example from this half.",
	"Short conversation after a hard escalation week. Agreed on a lighter queue for the next two weeks.",
}

// plans builds the growth plans and the career conversations.
func (w *demoWorld) plans() ([]DemoPlan, []DemoConversation) {
	var plans []DemoPlan
	var convs []DemoConversation
	qStart := time.Date(w.today.Year(), time.Month((int(w.today.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
	pick := func(xs []string) string { return xs[w.rng.IntN(len(xs))] }
	for _, p := range w.people {
		if rankOf(p.role) < 0 || !slices.Contains(demoTeams, p.team) || slices.Contains(demoNoJournal, p.email) || slices.Contains(demoNoPlan, p.email) {
			continue
		}
		target, ok := demoTargets[p.email]
		if !ok {
			target = demoNextRole[p.role]
		}
		focus := trellis.FocusDeepen
		switch {
		case target == "support-engineering-manager":
			focus = trellis.FocusManage
		case target == "" && w.rng.IntN(3) == 0:
			focus = trellis.FocusMove
		}
		plan := trellis.GrowthPlan{
			Period: trellis.Period(w.now),
			Reflection: trellis.Reflection{
				Why: pick(demoReflection.why), Energises: pick(demoReflection.energises), Drains: pick(demoReflection.drains),
				LearnBest: pick(demoReflection.learnBest), InTwoYears: demoReflection.inTwoYears[target], Focus: focus,
			},
			TargetRoleID: target,
		}
		if target != "" {
			plan.TargetFramework = "support"
		}
		bank := demoGoals[target]
		n := min([]int{1, 2, 2, 3, 3}[w.rng.IntN(5)], len(bank))
		overdue := w.rng.IntN(10) < 3
		for i, g := range bank[:n] {
			due := w.daysAgo(-(25 + 45*i + w.rng.IntN(30)))
			status := trellis.GoalNotStarted
			switch {
			case i == 0 && overdue:
				due, status = w.daysAgo(5+w.rng.IntN(25)), trellis.GoalInProgress
			case i == 0:
				status = trellis.GoalInProgress
			case w.rng.IntN(4) == 0:
				due, status = w.daysAgo(10+w.rng.IntN(40)), trellis.GoalDone
			}
			plan.Goals = append(plan.Goals, trellis.Goal{Title: g.title, ActionSteps: g.steps, Support: g.support, Helpers: g.helpers,
				Obstacles: g.obstacles, SuccessMeasure: g.success, Due: &due, Status: status})
		}
		plans = append(plans, DemoPlan{Email: p.email, Plan: plan})

		if p.manager == "" {
			continue
		}
		// Last quarter's conversation, confirmed; this quarter's for most,
		// not yet confirmed by some.
		convs = append(convs, DemoConversation{Email: p.email, Manager: p.manager, Date: qStart.AddDate(0, 0, -15-w.rng.IntN(45)),
			Notes: pick(demoConversationNotes), Confirmed: true})
		if w.rng.IntN(10) < 7 {
			d := w.daysAgo(2 + w.rng.IntN(40))
			if d.Before(qStart) {
				d = qStart
			}
			if d.After(w.today) {
				d = w.today
			}
			convs = append(convs, DemoConversation{Email: p.email, Manager: p.manager, Date: d,
				Notes: pick(demoConversationNotes), Confirmed: w.rng.IntN(4) != 0})
		}
	}
	return plans, convs
}

// demoCompetencies are the competencies of the support framework; every
// role has an expectation for each.
var demoCompetencies = []string{
	"communication", "ambiguity-and-delivery", "growing-others", "influence", "customer-advocacy",
	"troubleshooting", "product-knowledge", "incident-handling", "documentation", "tooling-and-automation",
	"collaboration", "results", "efficiency", "diversity-inclusion-belonging", "iteration", "transparency",
}

// demoAssessed are the people with readiness assessments: how close they
// are to the target role (the share of competencies the manager sees as
// met) and whether the manager has assessed yet.
type demoAssessee struct {
	email   string
	ready   float64
	manager bool
}

var demoAssessed = []demoAssessee{
	{"dev.demir@example.com", 0.85, true},
	{"olga.iyer@example.com", 0.95, true},
	{"chiara.costa@example.com", 0.6, true},
	{"farid.park@example.com", 0.6, true},
	{"ines.garcia@example.com", 0.55, true},
	{"yusuf.khan@example.com", 0.75, true},
	{"hassan.petrova@example.com", 0.5, true},
	{"gwen.kowalski@example.com", 0.7, true},
	{"mina.novak@example.com", 0.6, true},
	{"maya.aalto@example.com", 0.5, false},
	{"hiro.nguyen@example.com", 0.6, false},
	{DemoPromotedEarlier, 0.95, true},
}

// assessedFor returns the role a person was assessed against when it is
// not their plan's target, and when ("" and zero otherwise): the person
// promoted in the earlier cycle was assessed for senior in its manager
// review.
func (w *demoWorld) assessedFor(email string) (string, time.Time) {
	if email == DemoPromotedEarlier {
		c := w.cycles[DemoEarlierCycle]
		return "senior-support-engineer", c.Phases[trellis.PhaseManagerReview].AddDate(0, 0, 1).Add(11 * time.Hour)
	}
	return "", time.Time{}
}

var demoAssessmentComments = map[string][]string{
	trellis.RatingExceeds:    {"Others already copy this: it sets the standard in the team.", "Clearly at the next level; the journal has several examples this half."},
	trellis.RatingMeets:      {"Seen consistently this half; the journal entries back it.", "At the level of the target role in the last two quarters."},
	trellis.RatingDeveloping: {"Good examples inside the team; the target role needs the same across teams.", "Growing: one strong example so far, the next step is a second one."},
	trellis.RatingNotYet:     {"No example yet at this level; worth a goal next half-year."},
}

// demoChecklistPicks are the considerations of each target role the sample
// ticks, with the competencies an entry must show to back them.
var demoChecklistPicks = map[string][]struct {
	key   string
	comps []string
}{
	"support-engineer":            {{"c1", []string{"troubleshooting", "product-knowledge"}}, {"c3", []string{"documentation"}}, {"c4", []string{"growing-others"}}},
	"senior-support-engineer":     {{"c1", []string{"growing-others"}}, {"c2", []string{"troubleshooting"}}, {"c6", []string{"documentation"}}},
	"staff-support-engineer":      {{"c2", []string{"influence", "results"}}, {"c3", []string{"growing-others"}}},
	"support-engineering-manager": {{"c2", []string{"growing-others", "ambiguity-and-delivery"}}, {"c3", []string{"diversity-inclusion-belonging"}}},
}

// demoResourcePicks are the resources of each target role the sample marks
// done and planned.
var demoResourcePicks = map[string][2]string{
	"support-engineer":            {"book-debugging", "coffee-chat-support-engineer"},
	"senior-support-engineer":     {"ama-senior", "pairing-challenge"},
	"staff-support-engineer":      {"book-staff-engineer", "lead-cross-team-project"},
	"support-engineering-manager": {"book-managers-path", "aspiring-leaders-programme"},
}

// readiness builds the assessments and checklist items of demoAssessed,
// against the target of their plan.
func (w *demoWorld) readiness(journals []DemoJournal) ([]DemoAssessment, []DemoChecklistItem) {
	var as []DemoAssessment
	var items []DemoChecklistItem
	for _, a := range demoAssessed {
		p := w.person(a.email)
		target, ok := demoTargets[p.email]
		if !ok {
			target = demoNextRole[p.role]
		}
		role, when := w.assessedFor(p.email)
		if role != "" {
			target = role
		}
		var entries []trellis.Evidence
		for _, j := range journals {
			if j.Email == p.email {
				entries = j.Entries
			}
		}
		// The manager rates what the journal shows them: a competency
		// without an entry they may read is at most developing.
		shown := map[string]int{}
		for _, e := range entries {
			if e.Visibility != trellis.VisPrivate && (when.IsZero() || e.Date.Before(when)) {
				for _, c := range e.Competencies {
					shown[c]++
				}
			}
		}
		for _, c := range demoCompetencies {
			mgr := trellis.RatingDeveloping
			r := w.rng.Float64()
			switch {
			case shown[c] == 0 && r < 0.3:
				mgr = trellis.RatingNotYet
			case shown[c] == 0:
			case r < a.ready*0.2 && shown[c] > 1:
				mgr = trellis.RatingExceeds
			case r < a.ready:
				mgr = trellis.RatingMeets
			}
			// People rate themselves close to their manager: a step more
			// generous or more modest now and then, never exceeds by
			// themselves.
			score := slices.Index(trellis.Ratings, mgr)
			switch r := w.rng.IntN(20); {
			case r < 5 && score < 2:
				score++
			case r < 8 && score > 0:
				score--
			}
			self := trellis.Ratings[score]
			as = append(as, DemoAssessment{Email: p.email, Assessor: p.email, RoleID: target, Competency: c, By: trellis.BySelf, Rating: self, At: when})
			if a.manager {
				d := DemoAssessment{Email: p.email, Assessor: p.manager, RoleID: target, Competency: c, By: trellis.ByManager, Rating: mgr, At: when}
				if w.rng.IntN(4) == 0 && (shown[c] > 0 || mgr == trellis.RatingNotYet) {
					cs := demoAssessmentComments[mgr]
					d.Comment = cs[w.rng.IntN(len(cs))]
				}
				as = append(as, d)
			}
		}
		if role != "" {
			continue // no checklist for a role the plan does not aim for
		}
		backing := func(comps []string) []string {
			var titles []string
			for i := len(entries) - 1; i >= 0 && len(titles) < 2; i-- {
				if slices.ContainsFunc(entries[i].Competencies, func(c string) bool { return slices.Contains(comps, c) }) {
					titles = append(titles, entries[i].Title)
				}
			}
			return titles
		}
		for _, c := range demoChecklistPicks[target] {
			it := DemoChecklistItem{Email: p.email, RoleID: target, Kind: trellis.ChecklistConsideration, Key: c.key, State: trellis.ItemPlanned}
			if titles := backing(c.comps); len(titles) > 0 {
				it.State, it.Evidence = trellis.ItemDone, titles
			}
			items = append(items, it)
		}
		items = append(items, DemoChecklistItem{Email: p.email, RoleID: target, Kind: trellis.ChecklistConsideration, Key: "general-c1",
			State: trellis.ItemDone, Evidence: backing([]string{"results", "transparency"})})
		if r, ok := demoResourcePicks[target]; ok {
			items = append(items,
				DemoChecklistItem{Email: p.email, RoleID: target, Kind: trellis.ChecklistResource, Key: r[0], State: trellis.ItemDone},
				DemoChecklistItem{Email: p.email, RoleID: target, Kind: trellis.ChecklistResource, Key: r[1], State: trellis.ItemPlanned})
		}
		items = append(items, DemoChecklistItem{Email: p.email, RoleID: target, Kind: trellis.ChecklistResource, Key: "accomplishment-tracker", State: trellis.ItemDone})
	}
	return as, items
}

// projections are the managers' projections for their candidates. The
// candidates whose documents move through the workflow get theirs from the
// workflow (nominated, promoted).
func (w *demoWorld) projections() []DemoProjection {
	return []DemoProjection{
		{"dev.demir@example.com", "sanna.aalto@example.com", "senior-support-engineer", DemoCurrentCycle, "on-track", "Strong case. The justification is in progress; peer review next week."},
		{"chiara.costa@example.com", "sanna.aalto@example.com", "support-engineer", DemoCurrentCycle, "at-risk", "Draft started late; may move to the next cycle if the results section is not ready by the deadline."},
		{"hiro.nguyen@example.com", "sanna.aalto@example.com", "support-engineering-manager", -1, "not-this-cycle", "Interested in management. Aspiring leaders programme first, then an interim period when a team opens."},
		{"maya.aalto@example.com", "rafael.mendes@example.com", "support-engineer", -1, "not-this-cycle", "Another half-year of end-to-end tickets; the mentorship with Olga helped a lot."},
		{"sven.dvorak@example.com", "rafael.mendes@example.com", "staff-support-engineer", -1, "not-this-cycle", "No open staff need in self-managed yet; the staff opening may change that."},
		{"yusuf.khan@example.com", "petra.dvorak@example.com", "senior-support-engineer", DemoCurrentCycle, "on-track", "Evidence is there; the document starts this week."},
		{"wen.clarke@example.com", "petra.dvorak@example.com", "support-engineer", DemoCurrentCycle, "on-track", "Ready on most expectations; emergencies on their own shift still to show."},
		{"carmen.lopez@example.com", "petra.dvorak@example.com", "support-engineering-manager", -1, "on-track", "Applying to the manager opening; an interim period would start next quarter."},
		{"hassan.petrova@example.com", "oscar.lund@example.com", "senior-support-engineer", DemoCurrentCycle, "at-risk", "Thin on growing others; agreed the pairing challenge for the next month."},
		{"gwen.kowalski@example.com", "oscar.lund@example.com", "support-engineer", DemoCurrentCycle, "on-track", "Draft due next week."},
		{"mina.novak@example.com", "oscar.lund@example.com", "staff-support-engineer", -1, "not-this-cycle", "Needs an open staff need in onboarding; the cross-team project is the evidence to build meanwhile."},
	}
}
