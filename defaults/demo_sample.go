package defaults

import (
	"fmt"
	"math/rand/v2"
	"time"

	trellis "trellis"
)

// The demo sample: what the demo organisation has been doing over the last
// months, so that someone trying the demo finds journals, plans, readiness,
// a team heatmap, projections, cycles, documents and the library filled in.
// Everything here is plain data in our own words; cmd/trellis loads it
// through the store's services, with their checks and audit. People are
// named by email. Dates are relative to now, and the pseudo-random choices
// come from a fixed seed, so the same day gives the same sample.

// Indexes of the sample's two cycles in DemoSample.Cycles.
const (
	DemoEarlierCycle = 0 // all phases past: its approved case is in the library
	DemoCurrentCycle = 1 // in manager review today
)

// DemoPromotedEarlier is the person the earlier cycle promotes from support
// engineer to senior support engineer; DemoOrganisation lists them in their
// role before it.
const DemoPromotedEarlier = "greta.lindqvist@example.com"

// DemoSample is the life of the demo organisation.
type DemoSample struct {
	// Cycles are the earlier and the current promotion cycle, in that order.
	Cycles        []trellis.Cycle
	Journals      []DemoJournal
	Plans         []DemoPlan
	Conversations []DemoConversation
	Assessments   []DemoAssessment
	Checklist     []DemoChecklistItem
	Projections   []DemoProjection
	Documents     []DemoDocument
	Subscriptions []DemoSubscription
	Openings      []DemoOpening
	Chats         []DemoChat
	Sessions      []DemoSession
	Mentorships   []DemoMentorship
	AMAs          []DemoAMA
}

// DemoJournal is one person's journal entries, oldest first.
type DemoJournal struct {
	Email   string
	Entries []trellis.Evidence
}

// DemoPlan is one person's growth plan for the current half-year.
type DemoPlan struct {
	Email string
	Plan  trellis.GrowthPlan
}

// DemoConversation is a career conversation the manager records; the person
// confirms it when Confirmed.
type DemoConversation struct {
	Email, Manager string
	Date           time.Time
	Notes          string
	Confirmed      bool
}

// DemoAssessment is a self or manager rating against the person's target
// role; Assessor is the person themselves or their manager.
type DemoAssessment struct {
	Email, Assessor string
	RoleID          string
	Competency      string
	By              string // trellis.BySelf or trellis.ByManager
	Rating          string
	Comment         string
	At              time.Time // when it was made; zero is now
}

// DemoChecklistItem ticks a consideration or resource of the target role;
// Evidence names the person's own entries that back a consideration, by
// title.
type DemoChecklistItem struct {
	Email    string
	RoleID   string
	Kind     string // trellis.ChecklistConsideration or trellis.ChecklistResource
	Key      string
	State    string
	Evidence []string
}

// DemoProjection is a manager's projection for a candidate; Cycle is an
// index in DemoSample.Cycles, or -1 for none.
type DemoProjection struct {
	Email, Manager string
	TargetRole     string
	Cycle          int
	Status         string
	Note           string
}

// What a document step does.
const (
	StepCreate  = "create"  // start the document from the template
	StepWrite   = "write"   // save Section's Text
	StepMove    = "move"    // a workflow move To, with Note
	StepComment = "comment" // start a thread on Section
	StepReply   = "reply"   // reply to the thread started by step Thread
	StepResolve = "resolve" // resolve the thread started by step Thread
	StepDecide  = "decide"  // record the calibration decision, Note the rationale
)

// DemoDocument is a promotion document and its history, step by step.
// Cycle is an index in DemoSample.Cycles.
type DemoDocument struct {
	Candidate  string
	TargetRole string
	Cycle      int
	Visibility trellis.Visibility
	Steps      []DemoStep
}

// DemoStep is one thing someone did to a document, at a time in the past.
type DemoStep struct {
	At         time.Time
	Actor      string
	Do         string
	Section    string
	Text       string
	To         string
	Note       string
	Approved   bool
	Thread     int // the index of the step that started the thread
	ReviewCopy bool
}

// DemoSubscription asks to hear of openings for a role or a track.
type DemoSubscription struct {
	Email, RoleID, Track string
}

// DemoOpening is an internal opening, with the people who said they are
// interested.
type DemoOpening struct {
	Opening       trellis.Opening
	HiringManager string
	CreatedBy     string
	Interested    []DemoInterest
}

// DemoInterest is one "I'm interested" with its note.
type DemoInterest struct {
	Email, Note string
}

// DemoChat is a coffee chat request and, when Answer is set, the
// recipient's answer.
type DemoChat struct {
	From, To string
	Kind     string
	Note     string
	Answer   *trellis.ChatAnswer
}

// DemoSession is a pairing session or office hours; ToEvidence makes it an
// entry of the host's journal.
type DemoSession struct {
	Host       string
	Attendees  []string
	Kind       string
	Date       time.Time
	Topic      string
	Minutes    int
	Link       string
	ToEvidence bool
}

// DemoMentorship is a structured mentorship with its check-ins.
type DemoMentorship struct {
	Mentor, Mentee string
	Goal           string
	StartsOn       time.Time
	CheckIns       []DemoCheckIn
}

// DemoCheckIn is one check-in of a mentorship.
type DemoCheckIn struct {
	Author string
	Date   time.Time
	Notes  string
}

// DemoAMA is a recorded ask-me-anything session of a role.
type DemoAMA struct {
	Host, RoleID, Topic string
	Date                time.Time
	RecordingURL        string
}

// demoSeed makes the sample's choices repeatable.
const demoSeed = 20261127

// demoPerson is one person of DemoOrganisation as the sample sees them.
type demoPerson struct {
	email, role, manager, team string
}

// demoWorld is what the builders of the sample share.
type demoWorld struct {
	now, today time.Time
	rng        *rand.Rand
	people     []demoPerson
	byEmail    map[string]demoPerson
	cycles     []trellis.Cycle
}

// rankOf places a role on the individual-contributor ladder, 0 for the
// representative to 4 for staff; -1 for other roles.
func rankOf(role string) int {
	switch role {
	case "customer-support-representative":
		return 0
	case "associate-support-engineer":
		return 1
	case "support-engineer":
		return 2
	case "senior-support-engineer":
		return 3
	case "staff-support-engineer":
		return 4
	}
	return -1
}

// daysAgo is the day n days before today; negative n is after it.
func (w *demoWorld) daysAgo(n int) time.Time { return w.today.AddDate(0, 0, -n) }

func (w *demoWorld) person(email string) demoPerson {
	p, ok := w.byEmail[email]
	if !ok {
		panic("demo sample: no person " + email) // a mistake in the sample's own data
	}
	return p
}

// NewDemoSample returns the sample for the organisation of
// DemoOrganisation(now).
func NewDemoSample(now time.Time) DemoSample {
	now = now.UTC()
	rows, _ := DemoOrganisation(now)
	w := &demoWorld{now: now, today: trellis.Day(now), rng: rand.New(rand.NewPCG(demoSeed, 7)), byEmail: map[string]demoPerson{}}
	for _, r := range rows {
		p := demoPerson{email: r.Person.Email, role: r.Person.RoleID, manager: r.ManagerEmail}
		if len(r.Person.Teams) > 0 {
			p.team = r.Person.Teams[0]
		}
		if p.email == DemoPromotedEarlier {
			p.role = "senior-support-engineer" // after the earlier cycle
		}
		w.people = append(w.people, p)
		w.byEmail[p.email] = p
	}
	w.cycles = demoCycles(now)
	s := DemoSample{Cycles: w.cycles}
	s.Journals = w.journals()
	s.Plans, s.Conversations = w.plans()
	s.Assessments, s.Checklist = w.readiness(s.Journals)
	s.Projections = w.projections()
	s.Documents = w.documents()
	s.Subscriptions, s.Openings = w.openings()
	s.Chats, s.Sessions, s.Mentorships, s.AMAs = w.community()
	return s
}

// demoCycles returns the earlier and the current cycle: the shape of the
// first of DefaultCycles (the gaps between its phases), moved so that today
// falls in the current cycle's manager review, a week before its nomination
// deadline, and the earlier cycle six months before it. They are named after
// the half-year their promotions take effect in.
func demoCycles(now time.Time) []trellis.Cycle {
	today := trellis.Day(now)
	shape := trellis.DefaultCycles(today.Year())[0]
	start := shape.Phases[trellis.PhaseDrafting]
	review := shape.Phases[trellis.PhaseManagerReview]
	drafting := today.AddDate(0, 0, -int(review.Sub(start).Hours()/24)-7)
	cycleFrom := func(first time.Time) trellis.Cycle {
		c := trellis.Cycle{Phases: map[string]time.Time{}}
		for _, p := range trellis.CyclePhases {
			c.Phases[p] = first.Add(shape.Phases[p].Sub(start))
		}
		return c
	}
	cur := cycleFrom(drafting)
	eff := cur.Phases[trellis.PhaseEffective]
	year, half := eff.Year(), 1
	if eff.Month() > time.June {
		half = 2
	}
	cur.Name = fmt.Sprintf("%d H%d", year, half)
	earlier := cycleFrom(drafting.AddDate(0, -6, 0))
	if half == 1 {
		earlier.Name = fmt.Sprintf("%d H2", year-1)
	} else {
		earlier.Name = fmt.Sprintf("%d H1", year)
	}
	return []trellis.Cycle{earlier, cur}
}
