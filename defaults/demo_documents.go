package defaults

import (
	"time"

	trellis "trellis"
)

// The promotion documents of the demo, each with its history: one approved
// in the earlier cycle and shared in the library, one nominated into the
// current cycle, one in manager review with comment threads, and a draft.
// Their texts follow the template's guidance and pass the document checks;
// their results are the entries of fixedEntries.

const (
	sanna  = "sanna.aalto@example.com"
	rafael = "rafael.mendes@example.com"
	petra  = "petra.dvorak@example.com"
	oscar  = "oscar.lund@example.com"
	morgan = "morgan.reyes@example.com"
	priya  = "priya.natarajan@example.com"
	greta  = DemoPromotedEarlier
	olga   = "olga.iyer@example.com"
	dev    = "dev.demir@example.com"
	chiara = "chiara.costa@example.com"
)

// phase is the day a phase of cycle c starts, plus days, at the hour.
func phase(c trellis.Cycle, p string, days, hour int) time.Time {
	return c.Phases[p].AddDate(0, 0, days).Add(time.Duration(hour) * time.Hour)
}

func (w *demoWorld) documents() []DemoDocument {
	e, c := w.cycles[DemoEarlierCycle], w.cycles[DemoCurrentCycle]
	draft, review, deadline := trellis.PhaseDrafting, trellis.PhaseManagerReview, trellis.PhaseNominationDeadline
	write := func(at time.Time, actor, section, text string) DemoStep {
		return DemoStep{At: at, Actor: actor, Do: StepWrite, Section: section, Text: text}
	}
	move := func(at time.Time, actor, to, note string) DemoStep {
		return DemoStep{At: at, Actor: actor, Do: StepMove, To: to, Note: note}
	}
	comment := func(at time.Time, actor, section, text string, reviewCopy bool) DemoStep {
		return DemoStep{At: at, Actor: actor, Do: StepComment, Section: section, Text: text, ReviewCopy: reviewCopy}
	}
	reply := func(at time.Time, actor string, thread int, text string) DemoStep {
		return DemoStep{At: at, Actor: actor, Do: StepReply, Thread: thread, Text: text}
	}
	resolve := func(at time.Time, actor string, thread int) DemoStep {
		return DemoStep{At: at, Actor: actor, Do: StepResolve, Thread: thread}
	}
	create := func(at time.Time, actor string) DemoStep { return DemoStep{At: at, Actor: actor, Do: StepCreate} }

	return []DemoDocument{
		{Candidate: greta, TargetRole: "senior-support-engineer", Cycle: DemoEarlierCycle, Visibility: trellis.VisManager, Steps: []DemoStep{
			create(phase(e, draft, 2, 10), greta),
			write(phase(e, draft, 2, 11), greta, "summary", gretaSummary),
			write(phase(e, draft, 5, 15), greta, "business-results", gretaResults),
			write(phase(e, draft, 8, 11), greta, "values-alignment", gretaValues),
			move(phase(e, draft, 12, 9), greta, trellis.DocManagerReview, ""),
			write(phase(e, review, 2, 14), sanna, "business-justification", gretaJustification),
			move(phase(e, review, 3, 10), sanna, trellis.DocPeerReview, ""),
			comment(phase(e, review, 5, 16), petra, "business-justification",
				"Clear case, and every number has its link. Say which areas Greta will own as a senior, so that the change in scope is visible.", true),
			write(phase(e, review, 6, 9), sanna, "business-justification", gretaJustification+gretaJustificationScope),
			reply(phase(e, review, 6, 10), sanna, 7, "Added: the backup and mirroring areas and two structured mentorships."),
			resolve(phase(e, review, 6, 11), sanna, 7),
			move(phase(e, deadline, -3, 11), morgan, trellis.DocApproved, ""),
			move(phase(e, deadline, -2, 15), sanna, trellis.DocNominated, ""),
			move(phase(e, trellis.PhaseCalibration, 0, 9), priya, trellis.DocInCalibration, ""),
			{At: phase(e, trellis.PhaseCalibration, 2, 16), Actor: morgan, Do: StepDecide, Approved: true,
				Note: "Approved. The case shows senior scope in Troubleshooting and Growing others, with a number and a link for every result. For a next step, look for a result that spans several teams."},
			move(phase(e, trellis.PhaseEffective, 0, 8), priya, trellis.DocEffective, ""),
			move(phase(e, trellis.PhaseEffective, 3, 10), greta, trellis.DocInLibrary, ""),
		}},
		{Candidate: olga, TargetRole: "senior-support-engineer", Cycle: DemoCurrentCycle, Visibility: trellis.VisManager, Steps: []DemoStep{
			create(phase(c, draft, 1, 9), olga),
			write(phase(c, draft, 2, 10), olga, "summary", olgaSummary),
			write(phase(c, draft, 4, 14), olga, "business-results", olgaResults),
			write(phase(c, draft, 6, 11), olga, "values-alignment", olgaValues),
			move(phase(c, draft, 9, 9), olga, trellis.DocManagerReview, ""),
			write(phase(c, draft, 13, 15), rafael, "business-justification", olgaJustification),
			move(phase(c, draft, 14, 10), rafael, trellis.DocPeerReview, ""),
			comment(phase(c, draft, 16, 11), oscar, "business-results",
				"The upgrade check is a strong result. Is the fall from 12 to 5 escalations a quarter over a similar number of upgrades?", true),
			reply(phase(c, draft, 16, 15), rafael, 7, "Yes, about 140 upgrades in each quarter. Olga is adding that to the text."),
			write(phase(c, draft, 17, 9), olga, "business-results", olgaResultsRevised),
			resolve(phase(c, draft, 17, 10), rafael, 7),
			move(phase(c, review, 1, 11), morgan, trellis.DocApproved, ""),
			move(phase(c, review, 5, 14), rafael, trellis.DocNominated, ""),
		}},
		{Candidate: dev, TargetRole: "senior-support-engineer", Cycle: DemoCurrentCycle, Visibility: trellis.VisManager, Steps: []DemoStep{
			create(phase(c, draft, 5, 10), dev),
			write(phase(c, draft, 6, 16), dev, "summary", devSummary),
			write(phase(c, draft, 9, 11), dev, "business-results", devResultsFirst),
			write(phase(c, draft, 13, 10), dev, "values-alignment", devValues),
			move(phase(c, draft, 26, 17), dev, trellis.DocManagerReview, ""),
			comment(phase(c, review, 2, 10), sanna, "business-results",
				"The runner escalation is your strongest result. Add the time to resolution before and after, and link the runbook.", false),
			write(phase(c, review, 3, 9), dev, "business-results", devResults),
			reply(phase(c, review, 3, 10), dev, 5, "Added: 14 hours before the runbook and 3 after, over 9 escalations, with the runbook linked."),
			resolve(phase(c, review, 3, 14), sanna, 5),
			write(phase(c, review, 4, 16), sanna, "business-justification", devJustification),
			comment(phase(c, review, 5, 11), sanna, "values-alignment",
				"Iteration is there, but the example is from last year. Is there one from this half-year?", false),
			reply(phase(c, review, 6, 9), dev, 10, "Yes: the webhook triage rule, rolled out team by team over two weeks. I will swap it in today."),
		}},
		{Candidate: chiara, TargetRole: "support-engineer", Cycle: DemoCurrentCycle, Visibility: trellis.VisManager, Steps: []DemoStep{
			create(phase(c, draft, 22, 10), chiara),
			write(phase(c, draft, 24, 15), chiara, "summary", chiaraSummary),
			write(phase(c, draft, 31, 11), chiara, "business-results", chiaraResults),
		}},
	}
}

const gretaSummary = `Greta Lindqvist already works at the level of a Senior Support Engineer. Over the last two quarters Greta became the person the escalations team brings its hardest backup and mirroring tickets to.

Three results stand out. A backup restore playbook cut time to resolution from 19 to 8 hours. A pairing rota more than halved the time new associates need to solve their first ticket. A fix closed 23 linked tickets at once.`

const gretaResults = `**1. Backup restores: a playbook that more than halved time to resolution.** Critical escalations about failed backup restores took 19 hours on average. Greta wrote a playbook with two developers and trained the escalations rota on it. Time to resolution fell from 19 to 8 hours over the next 31 escalations ([playbook](https://example.com/handbook/support/backup-restore-playbook), [issue](https://example.com/product/issues/4412)). A failed restore blocks a customer's recovery from an outage, so every hour counts. Greta was directly responsible; the result shows Incident and escalation handling, Troubleshooting and the value Results.

**2. A pairing rota for new associates.** New associates waited for someone to have time before they could pair. Greta set up a rota so that each new associate pairs twice a week in their first two months. Four associates joined since, and their time to a first solved ticket fell from 15 to 6 working days ([rota](https://example.com/handbook/support/pairing-rota), [survey](https://example.com/support/surveys/onboarding)). Faster onboarding keeps the queue healthy while the team grows. Greta led it; it shows Growing others and Collaboration.

**3. The repository mirroring timeout.** Mirroring timed out for large repositories, and 23 open tickets traced back to it. Greta reproduced the timeout, found the cause in the retry logic and submitted the fix ([merge request](https://example.com/product/merge_requests/27114)). The 23 tickets closed within a week of the release and new reports stopped ([issue](https://example.com/product/issues/3981)). Greta was directly responsible for the diagnosis and the fix, which shows Troubleshooting and Customer advocacy.`

const gretaJustification = `The escalations team grew from 8 to 11 engineers this year, and the senior share of its work grew with it. Greta already carries part of that share: 2 of the 3 playbooks the team relies on are hers ([playbook index](https://example.com/handbook/support/escalations)).

The results above match the senior expectations for Troubleshooting, Growing others and Influence in the framework ([senior role](https://example.com/frameworks/support/roles/senior-support-engineer)).`

const gretaJustificationScope = `

As a Senior Support Engineer, Greta will own the backup and mirroring areas for all four teams and run two structured six-week mentorships a year ([team plan](https://example.com/support/team/issues/790)).`

const gretaValues = `- **Collaboration**: wrote the backup playbook together with two developers and credited both in it ([playbook](https://example.com/handbook/support/backup-restore-playbook)).
- **Results**: time to resolution for restore escalations fell from 19 to 8 hours ([dashboard](https://example.com/support/dashboards/escalations)).
- **Efficiency**: reused the existing runbook format instead of building a new tool, so the playbook was live in two weeks ([merge request](https://example.com/handbook/merge_requests/3120)).
- **Diversity, inclusion and belonging**: runs office hours in two time slots so that engineers in the Americas and in Europe can both attend ([schedule](https://example.com/handbook/support/office-hours)).
- **Iteration**: started the pairing rota in one team, then took it to all four after a month of feedback ([issue](https://example.com/support/team/issues/812)).
- **Transparency**: wrote up a mistake in an escalation hand-off and the change that prevents it ([write-up](https://example.com/handbook/support/handoff-review)).`

const olgaSummary = `Olga Iyer already works at the level of a Senior Support Engineer in the self-managed team. Engineers across support bring Olga their upgrade and replication questions.

Three results show it. An upgrade readiness check cut upgrade escalations from 12 to 5 a quarter. After a six-week mentorship, Olga's mentee solved 18 upgrade tickets alone. Two teams now use Olga's replication deep dive in onboarding.`

const olgaResults = `**1. An upgrade readiness check.** Most failed major upgrades came from three settings customers had not changed. Olga added a check to the diagnostics tool that names them before the upgrade starts ([merge request](https://example.com/product/merge_requests/25873)). The check fired on 64 tickets in two months, and upgrade escalations fell from 12 to 5 a quarter ([upgrade guide](https://example.com/docs/upgrades)). A failed upgrade can stop a customer's whole company, so preventing one matters more than fixing it fast. Olga was directly responsible; it shows Tooling and automation, Troubleshooting and Customer advocacy.

**2. A structured mentorship.** Olga mentored an associate engineer for six weeks with one goal: solve upgrade tickets end to end alone. By the end the mentee had solved 18 upgrade tickets alone, up from none ([mentorship notes](https://example.com/handbook/support/mentorships)). More engineers who can take upgrade tickets means shorter waits for customers. Olga led the mentorship; it shows Growing others.

**3. A replication deep dive.** Olga prepared and recorded a one-hour deep dive on how replication works and where it fails. 34 engineers attended live, the recording has 210 views, and two teams added it to onboarding ([recording](https://example.com/recordings/replication-deep-dive)). Replication tickets are among the longest to solve, and this shortens the learning curve for everyone. It shows Product knowledge and Communication.`

const olgaResultsRevised = `**1. An upgrade readiness check.** Most failed major upgrades came from three settings customers had not changed. Olga added a check to the diagnostics tool that names them before the upgrade starts ([merge request](https://example.com/product/merge_requests/25873)). The check fired on 64 tickets in two months. Over about 140 upgrades in each quarter, upgrade escalations fell from 12 to 5 ([upgrade guide](https://example.com/docs/upgrades)). A failed upgrade can stop a customer's whole company, so preventing one matters more than fixing it fast. Olga was directly responsible; it shows Tooling and automation, Troubleshooting and Customer advocacy.

**2. A structured mentorship.** Olga mentored an associate engineer for six weeks with one goal: solve upgrade tickets end to end alone. By the end the mentee had solved 18 upgrade tickets alone, up from none ([mentorship notes](https://example.com/handbook/support/mentorships)). More engineers who can take upgrade tickets means shorter waits for customers. Olga led the mentorship; it shows Growing others.

**3. A replication deep dive.** Olga prepared and recorded a one-hour deep dive on how replication works and where it fails. 34 engineers attended live, the recording has 210 views, and two teams added it to onboarding ([recording](https://example.com/recordings/replication-deep-dive)). Replication tickets are among the longest to solve, and this shortens the learning curve for everyone. It shows Product knowledge and Communication.`

const olgaJustification = `The self-managed team takes most upgrade tickets in support, and upgrades doubled this year with the new major version ([upgrade dashboard](https://example.com/support/dashboards/upgrades)). The team has one senior engineer for nine people.

As a Senior Support Engineer, Olga will own upgrades and replication for the team, run the upgrade office hours and mentor one associate each half-year ([team plan](https://example.com/support/team/issues/861)). The results above match the senior expectations for Troubleshooting, Growing others and Influence in the framework ([senior role](https://example.com/frameworks/support/roles/senior-support-engineer)).`

const olgaValues = `- **Collaboration**: wrote the readiness check with the tooling team and asked two senior engineers to review its messages ([merge request](https://example.com/product/merge_requests/25873)).
- **Results**: upgrade escalations fell from 12 to 5 a quarter ([upgrade dashboard](https://example.com/support/dashboards/upgrades)).
- **Efficiency**: recorded the deep dive once instead of repeating it for every new starter ([recording](https://example.com/recordings/replication-deep-dive)).
- **Diversity, inclusion and belonging**: held the mentorship check-ins asynchronously in writing when the time zones did not match ([notes](https://example.com/handbook/support/mentorships)).
- **Iteration**: shipped the readiness check with one setting first, then added the other two after a month ([issue](https://example.com/product/issues/5120)).
- **Transparency**: published the ticket data behind the check so that anyone can question it ([dashboard](https://example.com/support/dashboards/upgrade-settings)).`

const devSummary = `Dev Demir already works at the level of a Senior Support Engineer in the escalations team. Engineers bring Dev their runner and pipeline escalations, and the runbook Dev wrote is now the team's first step on them.

Three results show it: a runner escalation runbook, six weeks of office hours that unblocked 27 tickets, and a triage rule that halved the wait for webhook tickets.`

const devResultsFirst = `**1. Runner autoscaling escalations.** A logistics company's build runners stopped scaling during their busiest week. Dev led the escalation, found a cloud quota hidden behind a generic error, and wrote the diagnosis down as a runbook that the team now uses on every runner escalation ([ticket](https://example.com/support/tickets/46120)). It shows Incident and escalation handling and Troubleshooting.

**2. Office hours on runner tickets.** Dev ran six weeks of office hours on runner and pipeline tickets. 11 engineers came at least once and 27 stuck tickets were unblocked ([notes](https://example.com/handbook/support/office-hours-runners)). It shows Growing others.

**3. A triage rule for webhook tickets.** Dev proposed a rule that routes webhook delivery tickets to the engineers who know the area, tried it for two weeks and shared the numbers. Median time to first reply fell from 9 to 4 hours ([rule](https://example.com/handbook/support/triage-rules)). It shows Influence and the value Efficiency.`

const devResults = `**1. Runner autoscaling escalations.** A logistics company's build runners stopped scaling during their busiest week. Dev led the escalation, found a cloud quota hidden behind a generic error, and wrote the diagnosis down as a runbook ([ticket](https://example.com/support/tickets/46120)). Over the 9 runner escalations since, time to resolution fell from 14 to 3 hours ([runbook](https://example.com/handbook/support/runner-autoscaling-runbook)). Customers cannot ship while their runners are down. Dev was directly responsible; it shows Incident and escalation handling and Troubleshooting.

**2. Office hours on runner tickets.** Dev ran six weeks of office hours on runner and pipeline tickets. 11 engineers came at least once and 27 stuck tickets were unblocked ([notes](https://example.com/handbook/support/office-hours-runners)). It shows Growing others.

**3. A triage rule for webhook tickets.** Dev proposed a rule that routes webhook delivery tickets to the engineers who know the area, tried it for two weeks and shared the numbers. Median time to first reply fell from 9 to 4 hours ([rule](https://example.com/handbook/support/triage-rules)). It shows Influence and the value Efficiency.`

const devJustification = `Runner and pipeline tickets are a third of the escalations team's volume this year ([escalations dashboard](https://example.com/support/dashboards/escalations)). Nobody in the team owns the area yet.

As a Senior Support Engineer, Dev would own runner escalations for the team and keep the runbook current. The results above match the senior expectations for Troubleshooting and Growing others ([senior role](https://example.com/frameworks/support/roles/senior-support-engineer)).`

const devValues = `- **Collaboration**: wrote the runner runbook with the two developers who own the autoscaler ([runbook](https://example.com/handbook/support/runner-autoscaling-runbook)).
- **Results**: time to resolution on runner escalations fell from 14 to 3 hours ([escalations dashboard](https://example.com/support/dashboards/escalations)).
- **Efficiency**: the triage rule removed a manual hand-off from every webhook ticket ([rule](https://example.com/handbook/support/triage-rules)).
- **Diversity, inclusion and belonging**: held the office hours at a time that works in the Americas and in Europe ([notes](https://example.com/handbook/support/office-hours-runners)).
- **Iteration**: improved the runbook after each of the first three escalations it was used on ([history](https://example.com/handbook/support/runner-autoscaling-runbook/history)).
- **Transparency**: shared the office hours notes in the handbook so that people who missed a week could catch up ([notes](https://example.com/handbook/support/office-hours-runners)).`

const chiaraSummary = `Chiara Costa already works at the level of a Support Engineer. In the last quarter Chiara solved 41 licence and sign-in tickets end to end, and only 3 needed help from an engineer.`

const chiaraResults = `**1. Technical tickets end to end.** For a quarter Chiara took licence and sign-in tickets from the engineering queue instead of routing them. Chiara solved 41 of them end to end, and only 3 needed an engineer's help ([solved tickets](https://example.com/support/views/chiara-solved)). It shows Troubleshooting and Product knowledge.`
