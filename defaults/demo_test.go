package defaults

import (
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	trellis "trellis"
	"trellis/markdown"
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

// demoNows are the days the sample is checked on: today's, the first and
// last days of half-years and quarters, and a leap day.
var demoNows = []time.Time{
	time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC),
	time.Date(2027, 1, 1, 0, 30, 0, 0, time.UTC),
	time.Date(2026, 6, 30, 23, 59, 0, 0, time.UTC),
	time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC),
	time.Date(2028, 2, 29, 15, 0, 0, 0, time.UTC),
	time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC),
}

func TestDemoSampleIsConsistentWithTheFramework(t *testing.T) {
	fw, err := Support()
	if err != nil {
		t.Fatal(err)
	}
	for _, now := range demoNows {
		t.Run(now.Format(time.DateOnly), func(t *testing.T) { checkDemoSample(t, fw, now) })
	}
}

func checkDemoSample(t *testing.T, fw *trellis.Framework, now time.Time) {
	today := trellis.Day(now)
	rows, _ := DemoOrganisation(now)
	people := map[string]trellis.PersonImportRow{}
	for _, r := range rows {
		people[r.Person.Email] = r
	}
	// The roles people hold once the sample's history has happened.
	role := func(email string) string {
		if email == DemoPromotedEarlier {
			return "senior-support-engineer"
		}
		return people[email].Person.RoleID
	}
	if people[DemoPromotedEarlier].Person.RoleID != "support-engineer" {
		t.Errorf("%s joins as %q; the earlier cycle promotes them from support engineer", DemoPromotedEarlier, people[DemoPromotedEarlier].Person.RoleID)
	}
	known := func(what, email string) {
		t.Helper()
		if _, ok := people[email]; !ok {
			t.Errorf("%s names %s, who is not in the demo organisation", what, email)
		}
	}
	reachable := func(from, to string) bool {
		for _, tr := range fw.From(from) {
			if tr.To == to {
				return true
			}
		}
		return false
	}
	notAfterToday := func(what string, d time.Time) {
		t.Helper()
		if d.After(now) {
			t.Errorf("%s is dated %s, after now (%s)", what, d, now)
		}
	}
	s := NewDemoSample(now)
	if again := NewDemoSample(now); !reflect.DeepEqual(s, again) {
		t.Error("two samples of the same instant differ")
	}

	// Cycles: the earlier one is over, the current one is in manager review
	// and takes nominations.
	if len(s.Cycles) != 2 {
		t.Fatalf("%d cycles, want the earlier and the current one", len(s.Cycles))
	}
	for _, c := range s.Cycles {
		c := c
		if err := c.Validate(); err != nil {
			t.Errorf("cycle %s: %v", c.Name, err)
		}
	}
	if e := s.Cycles[DemoEarlierCycle]; !e.Phases[trellis.PhaseEffective].Before(today) {
		t.Errorf("the earlier cycle takes effect on %s, not before today", e.Phases[trellis.PhaseEffective])
	}
	cur := s.Cycles[DemoCurrentCycle]
	if p := cur.PhaseAt(now); p != trellis.PhaseManagerReview || !cur.Open(now) {
		t.Errorf("the current cycle is in phase %q (open %v), want manager review and open", p, cur.Open(now))
	}
	if s.Cycles[0].Name == s.Cycles[1].Name {
		t.Errorf("both cycles are named %s", s.Cycles[0].Name)
	}

	// Journals.
	titles := map[string]map[string]trellis.Evidence{}
	activities, visibilities := map[string]bool{}, map[trellis.Visibility]bool{}
	total := 0
	for _, j := range s.Journals {
		known("a journal", j.Email)
		if n := len(j.Entries); n < 3 || n > 12 {
			t.Errorf("%s has %d entries, want 3 to 12", j.Email, n)
		}
		titles[j.Email] = map[string]trellis.Evidence{}
		for _, e := range j.Entries {
			e.Normalize()
			if err := e.Validate(fw, today); err != nil {
				t.Errorf("entry %q of %s: %v", e.Title, j.Email, err)
			}
			if e.Activity == "" || len(e.Competencies) == 0 || len(e.Values) == 0 || e.Result == "" || len(e.Links) == 0 {
				t.Errorf("entry %q of %s lacks an activity, competencies, values, a result or links", e.Title, j.Email)
			}
			for _, l := range e.Links {
				if u, err := url.Parse(l); err != nil || u.Host != "example.com" {
					t.Errorf("entry %q of %s links %s, outside example.com", e.Title, j.Email, l)
				}
			}
			if strings.ContainsAny(e.Title+e.What+e.Part+e.Result+strings.Join(e.Links, ""), "{}") {
				t.Errorf("entry %q of %s has a placeholder left", e.Title, j.Email)
			}
			if _, dup := titles[j.Email][e.Title]; dup {
				t.Errorf("%s has two entries titled %q", j.Email, e.Title)
			}
			titles[j.Email][e.Title] = e
			activities[e.Activity] = true
			visibilities[e.Visibility] = true
			total++
		}
	}
	if len(s.Journals) < 30 {
		t.Errorf("%d people keep a journal, want most of the forty engineers", len(s.Journals))
	}
	for _, a := range []string{"critical-escalation", "customer-call", "office-hours", "pairing-session", "documentation-contribution", "bug-fix", "process-improvement", "mentoring"} {
		if !activities[a] {
			t.Errorf("no entry of activity %s", a)
		}
	}
	if len(visibilities) < 3 {
		t.Errorf("visibilities %v, want a mix", visibilities)
	}

	// Growth plans and conversations.
	planned := map[string]string{}
	for _, p := range s.Plans {
		known("a plan", p.Email)
		plan := p.Plan
		plan.Normalize()
		if err := plan.Validate(fw, today); err != nil {
			t.Errorf("plan of %s: %v", p.Email, err)
		}
		if plan.TargetRoleID != "" && !reachable(role(p.Email), plan.TargetRoleID) {
			t.Errorf("plan of %s aims for %s, which no move leads to from %s", p.Email, plan.TargetRoleID, role(p.Email))
		}
		if plan.Reflection.Why == "" || plan.Period != trellis.Period(now) || len(plan.Goals) < 1 || len(plan.Goals) > 3 {
			t.Errorf("plan of %s: reflection %q, period %s, %d goals", p.Email, plan.Reflection.Why, plan.Period, len(plan.Goals))
		}
		for _, g := range plan.Goals {
			if g.Due == nil {
				t.Errorf("goal %q of %s has no due date", g.Title, p.Email)
			}
		}
		planned[p.Email] = plan.TargetRoleID
	}
	if len(s.Plans) < 25 {
		t.Errorf("%d growth plans", len(s.Plans))
	}
	confirmed := 0
	for i, c := range s.Conversations {
		known("a conversation", c.Email)
		if people[c.Email].ManagerEmail != c.Manager {
			t.Errorf("conversation %d with %s is recorded by %s, not their manager", i, c.Email, c.Manager)
		}
		conv := trellis.Conversation{PersonID: 1, ManagerID: 2, Date: c.Date, Notes: c.Notes}
		if err := conv.Validate(today); err != nil {
			t.Errorf("conversation %d with %s: %v", i, c.Email, err)
		}
		if c.Confirmed {
			confirmed++
		}
	}
	if confirmed == 0 || confirmed == len(s.Conversations) {
		t.Errorf("%d of %d conversations confirmed, want some", confirmed, len(s.Conversations))
	}

	// Readiness: assessments against each person's target, by the person or
	// their manager; a mix of ratings with some met.
	ratings := map[string]int{}
	for _, a := range s.Assessments {
		known("an assessment", a.Email)
		if _, ok := planned[a.Email]; !ok {
			t.Errorf("%s is assessed but has no growth plan", a.Email)
		}
		if want := planned[a.Email]; a.RoleID != want && a.Email != DemoPromotedEarlier {
			t.Errorf("%s is assessed against %s, not the plan's target %q", a.Email, a.RoleID, want)
		}
		if (a.By == trellis.BySelf) != (a.Assessor == a.Email) || a.By == trellis.ByManager && a.Assessor != people[a.Email].ManagerEmail {
			t.Errorf("%s's %s assessment on %s is by %s", a.Email, a.By, a.Competency, a.Assessor)
		}
		as := trellis.Assessment{FrameworkID: fw.ID, FrameworkVersion: fw.Version, RoleID: a.RoleID, Competency: a.Competency, By: a.By, Rating: a.Rating, Comment: a.Comment}
		if err := as.Validate(fw); err != nil {
			t.Errorf("assessment of %s: %v", a.Email, err)
		}
		notAfterToday("an assessment of "+a.Email, a.At)
		if a.By == trellis.ByManager {
			ratings[a.Rating]++
		}
	}
	if ratings[trellis.RatingMeets] < 20 || ratings[trellis.RatingDeveloping] < 10 {
		t.Errorf("manager ratings %v, want many met and some developing", ratings)
	}
	for _, it := range s.Checklist {
		item := trellis.ChecklistItem{FrameworkID: fw.ID, RoleID: it.RoleID, Kind: it.Kind, Key: it.Key, State: it.State}
		if err := item.Validate(fw); err != nil {
			t.Errorf("checklist item %s of %s: %v", it.Key, it.Email, err)
		}
		var comps []string
		if r, ok := fw.Role(it.RoleID); ok && it.Kind == trellis.ChecklistConsideration {
			var i int
			if _, err := fmt.Sscanf(it.Key, "c%d", &i); err == nil && i >= 1 && i <= len(r.Considerations) {
				comps = r.Considerations[i-1].Competencies
			} else if _, err := fmt.Sscanf(it.Key, "general-c%d", &i); err == nil && i >= 1 && i <= len(fw.Considerations) {
				comps = fw.Considerations[i-1].Competencies
			}
		}
		for _, title := range it.Evidence {
			e, ok := titles[it.Email][title]
			if !ok {
				t.Errorf("checklist item %s of %s is backed by %q, not in their journal", it.Key, it.Email, title)
			} else if len(comps) > 0 && !slices.ContainsFunc(e.Competencies, func(c string) bool { return slices.Contains(comps, c) }) {
				t.Errorf("checklist item %s of %s is backed by %q, which shows none of %v", it.Key, it.Email, title, comps)
			}
		}
	}

	// Projections: each manager's candidates.
	byManager := map[string]int{}
	for _, p := range s.Projections {
		known("a projection", p.Email)
		if people[p.Email].ManagerEmail != p.Manager {
			t.Errorf("the projection of %s is held by %s, not their manager", p.Email, p.Manager)
		}
		if !reachable(role(p.Email), p.TargetRole) || !slices.Contains(trellis.ProjectionStatuses, p.Status) || p.Cycle >= len(s.Cycles) {
			t.Errorf("projection of %s: %s -> %s, status %q, cycle %d", p.Email, role(p.Email), p.TargetRole, p.Status, p.Cycle)
		}
		byManager[p.Manager]++
	}
	if len(byManager) != 4 {
		t.Errorf("projections by manager: %v, want every manager's candidates", byManager)
	}

	// Documents: replayed on the workflow's table, their final texts run
	// through the document checks.
	states := map[string]bool{}
	for _, d := range s.Documents {
		known("a document", d.Candidate)
		from := people[d.Candidate].Person.RoleID
		if !reachable(from, d.TargetRole) {
			t.Errorf("the document of %s aims for %s, which no move leads to from %s", d.Candidate, d.TargetRole, from)
		}
		tpl, ok := fw.TemplateFor(d.TargetRole)
		if !ok {
			t.Fatalf("no template for %s", d.TargetRole)
		}
		doc := &trellis.Document{PersonID: 1, TargetRole: d.TargetRole, FrameworkID: fw.ID, TemplateID: tpl.ID, State: trellis.DocDraft}
		for _, sec := range tpl.Sections {
			doc.Sections = append(doc.Sections, trellis.DocumentSection{ID: sec.ID})
		}
		var last time.Time
		for i, st := range d.Steps {
			known("a document step", st.Actor)
			if st.At.Before(last) {
				t.Errorf("document of %s: step %d is dated before the one before it", d.Candidate, i)
			}
			last = st.At
			notAfterToday(fmt.Sprintf("step %d of the document of %s", i, d.Candidate), st.At)
			switch st.Do {
			case StepCreate:
				if i != 0 {
					t.Errorf("document of %s: created at step %d", d.Candidate, i)
				}
			case StepWrite:
				j := slices.IndexFunc(doc.Sections, func(x trellis.DocumentSection) bool { return x.ID == st.Section })
				if j < 0 {
					t.Errorf("document of %s: step %d writes section %q, not in the template", d.Candidate, i, st.Section)
					continue
				}
				doc.Sections[j].Text = st.Text
			case StepMove, StepDecide:
				to := st.To
				if st.Do == StepDecide {
					to = trellis.DocDecidedNo
					if st.Approved {
						to = trellis.DocDecidedYes
					}
				}
				if !slices.ContainsFunc(trellis.MovesFrom(doc), func(m trellis.Move) bool { return m.To == to }) {
					t.Errorf("document of %s: step %d moves from %s to %s, which the workflow has no move for", d.Candidate, i, doc.State, to)
				}
				doc.State = to
			case StepComment, StepReply, StepResolve:
				if st.Do != StepComment && (st.Thread >= i || d.Steps[st.Thread].Do != StepComment) {
					t.Errorf("document of %s: step %d answers step %d, which starts no thread", d.Candidate, i, st.Thread)
				}
			default:
				t.Errorf("document of %s: step %d does %q", d.Candidate, i, st.Do)
			}
		}
		states[doc.State] = true
		findings := markdown.CheckDocument(doc, fw, tpl)
		for _, f := range findings {
			// A draft may lack sections, and with them the values and areas
			// they would name; what is written must read well.
			if doc.State == trellis.DocDraft && (f.Check == markdown.CheckValues || f.Check == markdown.CheckAreas) {
				continue
			}
			t.Errorf("document of %s (%s), %s: %s: %q", d.Candidate, doc.State, f.Section, f.Message, f.Sentence)
		}
	}
	for _, st := range []string{trellis.DocDraft, trellis.DocManagerReview, trellis.DocInLibrary} {
		if !states[st] {
			t.Errorf("no document ends in state %s (states: %v)", st, states)
		}
	}

	// Openings, chats, sessions, mentorships, sessions of a role.
	for _, sub := range s.Subscriptions {
		known("a subscription", sub.Email)
		if _, ok := fw.Role(sub.RoleID); sub.RoleID != "" && !ok {
			t.Errorf("subscription of %s to unknown role %s", sub.Email, sub.RoleID)
		}
		if _, ok := fw.Track(sub.Track); sub.Track != "" && !ok {
			t.Errorf("subscription of %s to unknown track %s", sub.Email, sub.Track)
		}
	}
	for _, o := range s.Openings {
		op := o.Opening
		op.HiringManagerID = 1
		if err := op.Validate(); err != nil {
			t.Errorf("opening for %s: %v", op.RoleID, err)
		}
		if _, ok := fw.Role(op.RoleID); !ok || !op.IsOpenOn(now) {
			t.Errorf("opening for %s: role known %v, open today %v", op.RoleID, ok, op.IsOpenOn(now))
		}
		known("an opening", o.HiringManager)
		hasReports := false
		for _, r := range rows {
			hasReports = hasReports || r.ManagerEmail == o.HiringManager
		}
		if !hasReports {
			t.Errorf("the hiring manager %s manages nobody", o.HiringManager)
		}
		for _, in := range o.Interested {
			known("an interest", in.Email)
		}
	}
	for _, c := range s.Chats {
		known("a chat", c.From)
		known("a chat", c.To)
		ch := trellis.Chat{RequesterID: 1, RecipientID: 2, Kind: c.Kind, Note: c.Note}
		ch.Normalize()
		if err := ch.ValidateRequest(); err != nil {
			t.Errorf("chat from %s: %v", c.From, err)
		}
	}
	for _, se := range s.Sessions {
		known("a session", se.Host)
		ses := trellis.Session{HostID: 1, Kind: se.Kind, Date: se.Date, Topic: se.Topic, Minutes: se.Minutes, Link: se.Link}
		for i, a := range se.Attendees {
			known("a session", a)
			ses.AttendeeIDs = append(ses.AttendeeIDs, int64(i+2))
		}
		if err := ses.Validate(trellis.LatestDay(now)); err != nil {
			t.Errorf("session %q: %v", se.Topic, err)
		}
	}
	for _, m := range s.Mentorships {
		known("a mentorship", m.Mentor)
		known("a mentorship", m.Mentee)
		ms := trellis.Mentorship{MentorID: 1, MenteeID: 2, Goal: m.Goal, StartsOn: m.StartsOn}
		if err := ms.Validate(); err != nil {
			t.Errorf("mentorship of %s: %v", m.Mentor, err)
		}
		for _, ci := range m.CheckIns {
			notAfterToday("a check-in", ci.Date)
		}
	}
	for _, a := range s.AMAs {
		known("an ask-me-anything", a.Host)
		ama := trellis.AMA{FrameworkID: fw.ID, RoleID: a.RoleID, Date: a.Date, HostID: 1, Topic: a.Topic, RecordingURL: a.RecordingURL}
		if _, ok := fw.Role(a.RoleID); !ok {
			t.Errorf("ask-me-anything of unknown role %s", a.RoleID)
		}
		if err := ama.Validate(); err != nil {
			t.Errorf("ask-me-anything of %s: %v", a.Host, err)
		}
	}
	t.Logf("%s: %d entries in %d journals, %d plans, %d conversations, %d assessments", now.Format(time.DateOnly), total, len(s.Journals), len(s.Plans), len(s.Conversations), len(s.Assessments))
}
