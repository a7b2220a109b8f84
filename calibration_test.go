package trellis_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"trellis"
)

func TestComputeCycleStats(t *testing.T) {
	now := ymd(2027, 3, 1)
	decided := ymd(2027, 2, 25)
	people := map[int64]*trellis.Person{}
	var docs []*trellis.Document
	var decisions []*trellis.Decision
	// Team "tier-2" (10 people): 5 nominated, 5 approved, far above the
	// overall rate. Team "tier-1" (40 people): 2 nominated, 1 approved.
	// Team "ops" (50 people): 3 nominated, 0 approved. Regions: emea for
	// tier-2 and tier-1, amer for ops.
	id := int64(0)
	add := func(team, region string, approved, decided_ bool, since time.Time, state string) {
		id++
		people[id] = &trellis.Person{ID: id, Name: fmt.Sprintf("P%d", id), Active: true, Teams: []string{team}, Regions: []string{region}, RoleSince: since}
		docs = append(docs, &trellis.Document{ID: id * 10, PersonID: id, State: state})
		if decided_ {
			decisions = append(decisions, &trellis.Decision{DocumentID: id * 10, Approved: approved, DecidedAt: decided})
		}
	}
	for i := range 5 {
		since := ymd(2025, 12, 1) // 15 months or so before the decision
		if i == 0 {
			since = ymd(2026, 12, 1) // under 3 months: flagged
		}
		add("tier-2", "emea", true, true, since, trellis.DocDecidedYes)
	}
	add("tier-1", "emea", true, true, ymd(2025, 11, 1), trellis.DocEffective)
	add("tier-1", "emea", false, true, ymd(2025, 1, 1), trellis.DocDecidedNo)
	for range 3 {
		add("ops", "amer", false, false, ymd(2024, 1, 1), trellis.DocInCalibration)
	}
	// A draft is not a nomination; a decision revised later counts once.
	docs = append(docs, &trellis.Document{ID: 999, PersonID: 1, State: trellis.DocDraft}, docs[0])
	decisions = append(decisions, &trellis.Decision{DocumentID: 70, Approved: false, DecidedAt: decided.Add(-time.Hour)})
	// Everyone else in the regions, for the regional headcount.
	for i := range 90 {
		region := "emea"
		if i >= 40 {
			region = "amer"
		}
		id++
		people[id] = &trellis.Person{ID: id, Active: true, Regions: []string{region}}
	}
	headcount := map[string]int{"tier-2": 10, "tier-1": 40, "ops": 50}

	st := trellis.ComputeCycleStats(docs, decisions, people, headcount, now)
	if st.Nominated != 10 || st.Approved != 6 || st.People != 100 {
		t.Fatalf("nominated %d approved %d people %d", st.Nominated, st.Approved, st.People)
	}
	if math.Abs(st.Rate-0.06) > 1e-9 || math.Abs(st.ApprovalRate-0.6) > 1e-9 {
		t.Errorf("rate %v approval %v", st.Rate, st.ApprovalRate)
	}
	// Times in role: 86 days, 4 x 451 days, 481 days: median 451 days.
	if want := decided.Sub(ymd(2025, 12, 1)); st.TimeInRoleMedian != want {
		t.Errorf("median %v, want %v", st.TimeInRoleMedian, want)
	}
	team := func(name string) trellis.GroupStat {
		i := slices.IndexFunc(st.ByTeam, func(g trellis.GroupStat) bool { return g.Group == name })
		if i < 0 {
			t.Fatalf("no team %s in %+v", name, st.ByTeam)
		}
		return st.ByTeam[i]
	}
	if g := team("tier-2"); g.Nominated != 5 || g.Approved != 5 || g.People != 10 || g.Rate != 0.5 || !g.Outlier {
		t.Errorf("tier-2 %+v", g)
	}
	if g := team("tier-1"); g.Approved != 1 || g.Outlier {
		t.Errorf("tier-1 %+v", g)
	}
	// Ops: 0 of 50 where 3 are expected; the binomial spread (1.7) makes
	// that within two standard deviations, so not flagged.
	if g := team("ops"); g.Approved != 0 || g.Nominated != 3 || g.Outlier {
		t.Errorf("ops %+v", g)
	}
	if names := []string{st.ByTeam[0].Group, st.ByTeam[1].Group, st.ByTeam[2].Group}; !slices.Equal(names, []string{"ops", "tier-1", "tier-2"}) {
		t.Errorf("teams by name: %v", names)
	}
	if len(st.ByRegion) != 2 || st.ByRegion[0].Group != "amer" || st.ByRegion[1].People != 47 {
		t.Errorf("regions %+v", st.ByRegion)
	}
	// Regions: amer 0 of 53 (3.2 expected, two deviations 3.5) and emea 6
	// of 47 (2.8 expected, two deviations 3.3) stay within the rule.
	want := []string{
		"Team tier-2: 5 promoted of 10 people (50%), far above the overall promotion rate of 6%; about 1 expected.",
		"P1 is promoted after 3 months in role, less than half the median of 15 months.",
	}
	if !slices.Equal(st.Outliers, want) {
		t.Errorf("outliers:\n%s\nwant\n%s", strings.Join(st.Outliers, "\n"), strings.Join(want, "\n"))
	}
}

func TestComputeCycleStatsWithoutHeadcount(t *testing.T) {
	// Without headcounts, groups are compared on the approval rate of their
	// nominations.
	people := map[int64]*trellis.Person{}
	var docs []*trellis.Document
	var decisions []*trellis.Decision
	for i := int64(1); i <= 20; i++ {
		team := "a"
		if i > 10 {
			team = "b"
		}
		people[i] = &trellis.Person{ID: i, Name: "x", Teams: []string{team}}
		docs = append(docs, &trellis.Document{ID: i, PersonID: i, State: trellis.DocDecidedNo})
		decisions = append(decisions, &trellis.Decision{DocumentID: i, Approved: team == "a"})
	}
	st := trellis.ComputeCycleStats(docs, decisions, people, nil, ymd(2027, 3, 1))
	if st.Rate != 0 || st.ApprovalRate != 0.5 || len(st.ByTeam) != 2 || !st.ByTeam[0].Outlier || !st.ByTeam[1].Outlier {
		t.Fatalf("%+v", st)
	}
	if !strings.Contains(st.Outliers[0], "10 promoted of 10 nominations (100%), far above the overall approval rate of 50%") {
		t.Errorf("%q", st.Outliers)
	}
	if st.TimeInRoleMedian != 0 {
		t.Errorf("no RoleSince known, median %v", st.TimeInRoleMedian)
	}
	empty := trellis.ComputeCycleStats(nil, nil, nil, nil, time.Time{})
	if empty.Nominated != 0 || empty.Rate != 0 || len(empty.Outliers) != 0 {
		t.Errorf("empty %+v", empty)
	}
}
