package trellis

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// MaxCycleName is the longest cycle name, in characters.
const MaxCycleName = 100

// Normalize puts a cycle in its stored form: the name trimmed and every
// phase date at UTC midnight of its day.
func (c *Cycle) Normalize() {
	c.Name = strings.TrimSpace(c.Name)
	for p, t := range c.Phases {
		if !t.IsZero() {
			c.Phases[p] = Day(t)
		}
	}
}

// Validate checks a cycle: a name, every phase of CyclePhases dated and no
// other, and each phase starting on a later day than the one before it. It
// reports every problem at once as EINVALID; fields are "name" and
// "phases.<phase>".
func (c *Cycle) Validate() error {
	var d fieldErrors
	d.text("name", "name", c.Name, true, MaxCycleName, true)
	for p := range c.Phases {
		if !slices.Contains(CyclePhases, p) {
			d.add("phases."+p, "phase %q is not known; the phases are %s%s", p, strings.Join(CyclePhases, ", "), suggestion(p, CyclePhases))
		}
	}
	var prev string
	for _, p := range CyclePhases {
		t, ok := c.Phases[p]
		if !ok || t.IsZero() {
			d.add("phases."+p, "%s needs a date", phaseTitle(p))
			continue
		}
		if prev != "" && !Day(t).After(Day(c.Phases[prev])) {
			d.add("phases."+p, "%s (%s) must come after %s (%s)", phaseTitle(p), t.Format(time.DateOnly), phaseTitle(prev), c.Phases[prev].Format(time.DateOnly))
		}
		prev = p
	}
	if c.Version < 0 {
		d.add("version", "version cannot be negative")
	}
	return d.err("cycle")
}

// phaseTitle is a phase as people say it: "the nomination deadline".
func phaseTitle(p string) string {
	switch p {
	case PhaseNominationDeadline:
		return "the nomination deadline"
	case PhaseEffective:
		return "the effective date"
	}
	return "the " + strings.ReplaceAll(p, "-", " ") + " phase"
}

// PhaseAt returns the phase in force at t: the latest phase whose day has
// begun (in UTC), "" before drafting begins. From the effective date on, it
// stays PhaseEffective.
func (c *Cycle) PhaseAt(t time.Time) string {
	cur := ""
	for _, p := range CyclePhases {
		start, ok := c.Phases[p]
		if !ok || start.IsZero() {
			continue
		}
		if !t.Before(Day(start)) {
			cur = p
		}
	}
	return cur
}

// Open reports whether the cycle still takes nominations at t: its
// nomination deadline day has not ended.
func (c *Cycle) Open(t time.Time) bool {
	dl, ok := c.Phases[PhaseNominationDeadline]
	return ok && !dl.IsZero() && t.Before(Day(dl).AddDate(0, 0, 1))
}

// DefaultCycles returns the two cycles of a year as Trellis proposes them;
// an admin adapts the dates. H1 drafts in January and takes effect on
// 1 April; H2 drafts in July and takes effect on 1 October. Between the
// nomination deadline and calibration there is a week to read the cases,
// and approvals and communication leave time for pay processing outside the
// product.
func DefaultCycles(year int) []*Cycle {
	d := func(m time.Month, day int) time.Time { return time.Date(year, m, day, 0, 0, 0, 0, time.UTC) }
	mk := func(half string, first time.Month) *Cycle {
		return &Cycle{
			Name: fmt.Sprintf("%d %s", year, half),
			Phases: map[string]time.Time{
				PhaseDrafting:           d(first, 5),
				PhaseManagerReview:      d(first+1, 1),
				PhaseNominationDeadline: d(first+1, 15),
				PhaseCalibration:        d(first+1, 22),
				PhaseApprovals:          d(first+2, 8),
				PhaseCommunication:      d(first+2, 22),
				PhaseEffective:          d(first+3, 1),
			},
		}
	}
	return []*Cycle{mk("H1", time.January), mk("H2", time.July)}
}

// ProjectionAfterMove returns the candidate's projection after a workflow
// move of their document d that sets status (MoveEffect.Projection), and
// whether it changed. old is the projection before (nil when the manager
// had none: one is made); managerID is the candidate's manager now, who
// owns the projection from then on (0 keeps old's; with neither, there is
// no one to hold it and nothing is made).
//
//   - nominated: the document's target role and cycle (none out of cycle);
//   - promoted: the target role the candidate now holds, and the cycle;
//   - not-this-cycle: the target role stays the document's and the cycle the
//     one it was not approved in, so the row still says which cycle it was
//     (the history keeps the nomination before it).
//
// The manager's note is kept. Status "" changes nothing.
func ProjectionAfterMove(old *Projection, d *Document, status string, managerID int64) (*Projection, bool) {
	if d == nil || status == "" {
		return old, false
	}
	var p Projection
	if old != nil {
		p = *old
	} else {
		p = Projection{PersonID: d.PersonID}
	}
	if managerID > 0 {
		p.ManagerID = managerID
	}
	if p.ManagerID <= 0 {
		return old, false
	}
	p.TargetRole, p.Status = d.TargetRole, status
	p.CycleID = nil
	if d.CycleID != nil && !d.OutOfCycle {
		c := *d.CycleID
		p.CycleID = &c
	}
	if old != nil && old.ManagerID == p.ManagerID && old.TargetRole == p.TargetRole && old.Status == p.Status &&
		sameID(old.CycleID, p.CycleID) {
		return old, false
	}
	return &p, true
}

func sameID(a, b *int64) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}
