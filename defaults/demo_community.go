package defaults

import (
	"time"

	trellis "trellis"
)

// Openings, subscriptions, coffee chats, pairing sessions, a mentorship and
// a recorded ask-me-anything of the demo.

const (
	hiro   = "hiro.nguyen@example.com"
	bruno  = "bruno.mensah@example.com"
	carmen = "carmen.lopez@example.com"
	sven   = "sven.dvorak@example.com"
	kira   = "kira.bello@example.com"
	ines   = "ines.garcia@example.com"
)

func (w *demoWorld) openings() ([]DemoSubscription, []DemoOpening) {
	subs := []DemoSubscription{
		{Email: carmen, Track: "management"},
		{Email: kira, Track: "management"},
		{Email: sven, RoleID: "staff-support-engineer"},
		{Email: "mina.novak@example.com", RoleID: "staff-support-engineer"},
	}
	openings := []DemoOpening{
		{
			Opening: trellis.Opening{RoleID: "support-engineering-manager", Team: "saas", Region: "emea", Arrangement: trellis.ArrangementInterim,
				OpensOn: w.daysAgo(3), ClosesOn: w.daysAgo(-11),
				Description: "The saas team has grown past ten people and splits in two next quarter. This opening leads the new team in Europe, the Middle East and Africa.\n\n" +
					"It starts with an interim period of three months. Success criteria: career conversations held with every report, one hire made with the team, and the queue's response targets kept."},
			HiringManager: morgan, CreatedBy: morgan,
			Interested: []DemoInterest{
				{Email: carmen, Note: "I have onboarded our last two hires and run the saas team's career conversations pilot. I would like to try the interim period."},
				{Email: kira, Note: "Interested, and happy to talk about timing: I am in the aspiring leaders programme until the end of next month."},
			},
		},
		{
			Opening: trellis.Opening{RoleID: "staff-support-engineer", Team: "self-managed", Arrangement: trellis.ArrangementPermanent,
				OpensOn: w.daysAgo(9), ClosesOn: w.daysAgo(-5),
				Description: "A staff engineer for upgrades and replication across the self-managed and onboarding teams. The business need is agreed for next year: upgrade tickets doubled with the new major version.\n\n" +
					"You would write the plan for the area, work with the product teams on the causes, and help senior engineers lead parts of it."},
			HiringManager: morgan, CreatedBy: morgan,
			Interested: []DemoInterest{
				{Email: sven, Note: "Upgrades have been my area for two years; my journal has the ticket-reduction project and the deep dive."},
			},
		},
	}
	return subs, openings
}

func (w *demoWorld) community() ([]DemoChat, []DemoSession, []DemoMentorship, []DemoAMA) {
	proposed := w.today.AddDate(0, 0, 4).Add(15 * time.Hour)
	chats := []DemoChat{
		{From: dev, To: "rosa.wood@example.com", Kind: trellis.ChatCoffee,
			Note:   "I am working towards senior. Could we talk about how you balance the queue with mentoring and projects?",
			Answer: &trellis.ChatAnswer{Answer: trellis.AnswerAccept, Message: "Happy to. Thursday afternoon works for me; I will send an invite."}},
		{From: carmen, To: rafael, Kind: trellis.ChatCoffee,
			Note:   "I am applying to the manager opening. What surprised you in your first months as a manager?",
			Answer: &trellis.ChatAnswer{Answer: trellis.AnswerPropose, ProposedAt: &proposed, Message: "Gladly. Next week suits me better: does this time work?"}},
		{From: chiara, To: hiro, Kind: trellis.ChatCoffee,
			Note: "I am aiming for support engineer. Could you tell me how you learned to debug across components?"},
	}
	topics := []struct{ topic, link string }{
		{"Reading runner logs from the start of a job", "#46211"},
		{"Why a backup restore stops at 90 percent", "#46305"},
		{"Single sign-on errors after a certificate change", "#46377"},
		{"Writing the first reply on an escalation", "https://example.com/handbook/support/escalations"},
		{"Finding a slow query in the database logs", "#46420"},
		{"Webhook retries and what the customer sees", "#46481"},
		{"Object storage permissions on upload", "#46502"},
		{"Runner cache misses", "#46544"},
	}
	attendees := [][]string{{bruno}, {chiara}, {bruno, "ada.tanaka@example.com"}, {chiara}, {dev}, {bruno}, {"elif.keller@example.com"}, {bruno}}
	var sessions []DemoSession
	for i, t := range topics {
		sessions = append(sessions, DemoSession{Host: hiro, Attendees: attendees[i], Kind: trellis.SessionPairing,
			Date: w.daysAgo(1 + i*2 + i/3), Topic: t.topic, Minutes: 30 + 15*(i%3), Link: t.link, ToEvidence: i == 2})
	}
	sessions = append(sessions, DemoSession{Host: ines, Kind: trellis.SessionOfficeHours, Date: w.daysAgo(6), Minutes: 45,
		Topic:     "Escalation office hours: bring a stuck ticket",
		Attendees: []string{bruno, chiara, dev, "elif.keller@example.com", "farid.park@example.com", "ada.tanaka@example.com"},
		Link:      "https://example.com/handbook/support/office-hours"})
	mentorships := []DemoMentorship{{
		Mentor: hiro, Mentee: bruno, StartsOn: w.daysAgo(21),
		Goal: "Take runner tickets end to end alone by the end of the six weeks.",
		CheckIns: []DemoCheckIn{
			{Author: hiro, Date: w.daysAgo(14), Notes: "Went through three runner tickets together; Bruno drove the second and the third."},
			{Author: bruno, Date: w.daysAgo(7), Notes: "Solved two runner tickets alone this week. Stuck on a cache question, which we look at on Thursday."},
		},
	}}
	amas := []DemoAMA{{Host: ines, RoleID: "senior-support-engineer", Date: w.daysAgo(40),
		Topic:        "What changed when I became a senior, and what did not",
		RecordingURL: "https://example.com/recordings/ama-senior-engineers"}}
	return chats, sessions, mentorships, amas
}
