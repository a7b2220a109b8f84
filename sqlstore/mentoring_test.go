package sqlstore_test

import (
	"context"
	"strings"
	"testing"

	"trellis"
	"trellis/sqlstore"
)

func TestSessionBecomesEvidenceInOneStep(t *testing.T) {
	e := newGrowthEnv(t)
	ctx := context.Background()
	m := sqlstore.NewMentoringService(e.db)
	day := trellis.Day(e.clock.T)
	s := &trellis.Session{HostID: e.alice.ID, Date: day, Topic: "Reading Rails logs", Minutes: 45,
		Link: "https://tickets.example.com/123", AttendeeIDs: []int64{e.bob.ID, e.bob.ID}}
	if err := m.LogSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	if s.Kind != trellis.SessionPairing || len(s.AttendeeIDs) != 1 {
		t.Fatalf("%+v", s)
	}
	bad := &trellis.Session{HostID: e.alice.ID, Date: day.AddDate(0, 0, 3), Topic: "x", Minutes: 0, Link: "javascript:alert(1)"}
	if err := m.LogSession(ctx, bad); trellis.ErrorCode(err) != trellis.EINVALID || len(err.(*trellis.Error).Details) != 3 {
		t.Fatalf("bad session: %v", err)
	}
	ev, err := m.SessionToEvidence(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ev.PersonID != e.alice.ID || ev.Activity != "pairing-session" || len(ev.Competencies) != 1 || ev.Competencies[0] != "growing-others" ||
		ev.Visibility != trellis.VisPrivate || len(ev.Links) != 1 || !strings.Contains(ev.Title, "Reading Rails logs") {
		t.Fatalf("entry: %+v", ev)
	}
	stored, err := e.evidence.FindEvidence(ctx, ev.ID)
	if err != nil || stored.Title != ev.Title {
		t.Fatalf("stored: %+v %v", stored, err)
	}
	got, _ := m.FindSession(ctx, s.ID)
	if got.EvidenceID == nil || *got.EvidenceID != ev.ID {
		t.Fatalf("session not linked: %+v", got)
	}
	if _, err := m.SessionToEvidence(ctx, s.ID); trellis.ErrorCode(err) != trellis.ECONFLICT {
		t.Fatalf("twice: %v", err)
	}
	// Bob attended: it is on his list too.
	page, err := m.ListSessions(ctx, trellis.SessionFilter{PersonID: e.bob.ID})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("attendee's list: %+v %v", page, err)
	}
}

func TestPairingCadence(t *testing.T) {
	e := newGrowthEnv(t)
	ctx := context.Background()
	m := sqlstore.NewMentoringService(e.db)
	today := trellis.Day(e.clock.T)
	// 12 pairing sessions over the last four weeks, office hours and an
	// older session that do not count.
	for i := range 12 {
		if err := m.LogSession(ctx, &trellis.Session{HostID: e.alice.ID, Date: today.AddDate(0, 0, -2*i), Topic: "pairing", Minutes: 30}); err != nil {
			t.Fatal(err)
		}
	}
	m.LogSession(ctx, &trellis.Session{HostID: e.alice.ID, Kind: "office-hours", Date: today, Topic: "oh", Minutes: 60})
	m.LogSession(ctx, &trellis.Session{HostID: e.alice.ID, Date: today.AddDate(0, 0, -60), Topic: "old", Minutes: 60})
	c, err := m.PairingCadence(ctx, e.alice.ID, 4)
	if err != nil {
		t.Fatal(err)
	}
	if c.Sessions != 12 || c.PerWeek != 3 || c.Norm != 5 || len(c.PerWeekCounts) != 4 {
		t.Fatalf("%+v", c)
	}
	if s := c.Sentence(); !strings.Contains(s, "about 3.0 a week") || !strings.Contains(s, "not a target") {
		t.Fatal(s)
	}
}

func TestMentorshipCheckInsAndOutcome(t *testing.T) {
	e := newGrowthEnv(t)
	ctx := context.Background()
	m := sqlstore.NewMentoringService(e.db)
	inbox := sqlstore.NewNotificationService(e.db)
	day := trellis.Day(e.clock.T)
	if err := m.StartMentorship(ctx, &trellis.Mentorship{MentorID: e.alice.ID, MenteeID: e.alice.ID, Goal: "x", StartsOn: day}); trellis.ErrorCode(err) != trellis.EINVALID {
		t.Fatalf("self mentorship: %v", err)
	}
	ms := &trellis.Mentorship{MentorID: e.alice.ID, MenteeID: e.bob.ID, Goal: "Lead a customer call on my own", StartsOn: day}
	if err := m.StartMentorship(ctx, ms); err != nil {
		t.Fatal(err)
	}
	if !ms.EndsOn.Equal(day.AddDate(0, 0, 42)) {
		t.Fatalf("six weeks: %v", ms.EndsOn)
	}
	if n, _ := inbox.ListNotifications(ctx, e.bob.ID, true, 5); len(n) != 1 || n[0].Kind != "mentorship.started" {
		t.Fatalf("mentee inbox: %+v", n)
	}
	for _, who := range []int64{e.alice.ID, e.bob.ID} {
		if err := m.AddCheckIn(ctx, ms.ID, &trellis.CheckIn{AuthorID: who, Notes: "Week went well"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.AddCheckIn(ctx, ms.ID, &trellis.CheckIn{AuthorID: e.manager.ID, Notes: "x"}); trellis.ErrorCode(err) != trellis.ENOTFOUND {
		t.Fatalf("outsider check-in: %v", err)
	}
	got, err := m.CloseMentorship(ctx, ms.ID, "Bob led two calls alone.")
	if err != nil || len(got.CheckIns) != 2 || got.Outcome == "" || got.Version != 4 {
		t.Fatalf("%+v %v", got, err)
	}
	list, err := m.ListMentorships(ctx, e.bob.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("%+v %v", list, err)
	}
}
