package trellis_test

import (
	"slices"
	"testing"
	"time"

	"trellis"
)

func TestDefaultCycles(t *testing.T) {
	cs := trellis.DefaultCycles(2027)
	if len(cs) != 2 || cs[0].Name != "2027 H1" || cs[1].Name != "2027 H2" {
		t.Fatalf("cycles %v", cs)
	}
	for _, c := range cs {
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v %v", c.Name, err, trellis.ErrorDetails(err))
		}
	}
	if !cs[0].Phases[trellis.PhaseEffective].Equal(ymd(2027, 4, 1)) || !cs[1].Phases[trellis.PhaseEffective].Equal(ymd(2027, 10, 1)) {
		t.Errorf("effective dates %v %v", cs[0].Phases[trellis.PhaseEffective], cs[1].Phases[trellis.PhaseEffective])
	}
	if !cs[0].Phases[trellis.PhaseDrafting].Before(cs[0].Phases[trellis.PhaseManagerReview]) || cs[1].Phases[trellis.PhaseDrafting].Month() != time.July {
		t.Errorf("drafting dates")
	}
}

func TestCycleValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(c *trellis.Cycle)
		fields []string
	}{
		{"no name", func(c *trellis.Cycle) { c.Name = "" }, []string{"name"}},
		{"phase undated", func(c *trellis.Cycle) { delete(c.Phases, trellis.PhaseCalibration) }, []string{"phases.calibration"}},
		{"phase zero", func(c *trellis.Cycle) { c.Phases[trellis.PhaseApprovals] = time.Time{} }, []string{"phases.approvals"}},
		{"out of order", func(c *trellis.Cycle) {
			c.Phases[trellis.PhaseCalibration] = c.Phases[trellis.PhaseNominationDeadline].AddDate(0, 0, -1)
		}, []string{"phases.calibration"}},
		{"same day", func(c *trellis.Cycle) { c.Phases[trellis.PhaseEffective] = c.Phases[trellis.PhaseCommunication] }, []string{"phases.effective"}},
		{"unknown phase", func(c *trellis.Cycle) { c.Phases["celebration"] = ymd(2027, 5, 1) }, []string{"phases.celebration"}},
		{"all at once", func(c *trellis.Cycle) { c.Name = ""; c.Phases = nil }, []string{"name", "phases.drafting", "phases.manager-review",
			"phases.nomination-deadline", "phases.calibration", "phases.approvals", "phases.communication", "phases.effective"}},
	}
	for _, tc := range tests {
		c := trellis.DefaultCycles(2027)[0]
		tc.edit(c)
		err := c.Validate()
		if trellis.ErrorCode(err) != trellis.EINVALID {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		var got []string
		for _, d := range trellis.ErrorDetails(err) {
			got = append(got, d.Field)
		}
		if !slices.Equal(got, tc.fields) {
			t.Errorf("%s: fields %v, want %v", tc.name, got, tc.fields)
		}
	}
}

func TestCyclePhaseAt(t *testing.T) {
	c := trellis.DefaultCycles(2027)[0]
	tests := []struct {
		at   time.Time
		want string
	}{
		{ymd(2026, 12, 31), ""},
		{ymd(2027, 1, 4).Add(23*time.Hour + 59*time.Minute), ""},
		{ymd(2027, 1, 5), trellis.PhaseDrafting},
		{ymd(2027, 2, 1), trellis.PhaseManagerReview},
		{ymd(2027, 2, 15).Add(12 * time.Hour), trellis.PhaseNominationDeadline},
		{ymd(2027, 2, 22), trellis.PhaseCalibration},
		{ymd(2027, 3, 8), trellis.PhaseApprovals},
		{ymd(2027, 3, 22), trellis.PhaseCommunication},
		{ymd(2027, 4, 1), trellis.PhaseEffective},
		{ymd(2028, 1, 1), trellis.PhaseEffective},
		// 01:00 on 1 April in Berlin is still 31 March in UTC.
		{time.Date(2027, 4, 1, 1, 0, 0, 0, time.FixedZone("CEST", 2*3600)), trellis.PhaseCommunication},
	}
	for _, tc := range tests {
		if got := c.PhaseAt(tc.at); got != tc.want {
			t.Errorf("PhaseAt(%v) = %q, want %q", tc.at, got, tc.want)
		}
	}
	if !c.Open(ymd(2027, 2, 15).Add(23*time.Hour)) || c.Open(ymd(2027, 2, 16)) {
		t.Errorf("Open around the deadline")
	}
}

func TestCycleNormalize(t *testing.T) {
	c := &trellis.Cycle{Name: "  2027 H1 ", Phases: map[string]time.Time{trellis.PhaseDrafting: time.Date(2027, 1, 5, 15, 4, 0, 0, time.UTC)}}
	c.Normalize()
	if c.Name != "2027 H1" || !c.Phases[trellis.PhaseDrafting].Equal(ymd(2027, 1, 5)) {
		t.Errorf("%+v", c)
	}
}

func TestProjectionAfterMove(t *testing.T) {
	cycle, other := int64(7), int64(8)
	d := &trellis.Document{ID: 3, PersonID: 1, TargetRole: "senior-support-engineer", CycleID: &cycle}
	// None yet: made for the manager, in the document's cycle.
	p, changed := trellis.ProjectionAfterMove(nil, d, trellis.ProjectionNominated, 2)
	if !changed || p.PersonID != 1 || p.ManagerID != 2 || p.TargetRole != "senior-support-engineer" || *p.CycleID != cycle ||
		p.Status != trellis.ProjectionNominated || p.ID != 0 {
		t.Fatalf("made %+v, %v", p, changed)
	}
	// Nobody to hold it: nothing made.
	if p, changed := trellis.ProjectionAfterMove(nil, d, trellis.ProjectionNominated, 0); changed || p != nil {
		t.Errorf("made without a manager: %+v", p)
	}
	// An existing one changes target, cycle and status, keeps its note and
	// id; the manager now takes it over.
	old := &trellis.Projection{ID: 5, PersonID: 1, ManagerID: 9, TargetRole: "staff-support-engineer", CycleID: &other,
		Status: trellis.ProjectionAtRisk, Note: "Owns the runbook.", Version: 4}
	p, changed = trellis.ProjectionAfterMove(old, d, trellis.ProjectionNominated, 2)
	if !changed || p.ID != 5 || p.ManagerID != 2 || p.TargetRole != d.TargetRole || *p.CycleID != cycle || p.Note != old.Note ||
		p.Version != 4 || old.Status != trellis.ProjectionAtRisk {
		t.Errorf("updated %+v (old %+v)", p, old)
	}
	// Manager 0 keeps the one it has.
	if p, _ := trellis.ProjectionAfterMove(old, d, trellis.ProjectionNotThisCycle, 0); p.ManagerID != 9 || *p.CycleID != cycle {
		t.Errorf("not this cycle: %+v", p)
	}
	// Already so: no change. No status: no change.
	same := &trellis.Projection{ID: 5, PersonID: 1, ManagerID: 2, TargetRole: d.TargetRole, CycleID: &cycle, Status: trellis.ProjectionNominated}
	if _, changed := trellis.ProjectionAfterMove(same, d, trellis.ProjectionNominated, 2); changed {
		t.Error("an unchanged projection reported a change")
	}
	if _, changed := trellis.ProjectionAfterMove(old, d, "", 2); changed {
		t.Error("no status changed it")
	}
	// Out of cycle: no cycle, whatever the document still names.
	out := *d
	out.OutOfCycle = true
	if p, _ := trellis.ProjectionAfterMove(old, &out, trellis.ProjectionNominated, 2); p.CycleID != nil {
		t.Errorf("out of cycle in cycle %d", *p.CycleID)
	}
}
