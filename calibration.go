package trellis

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"
)

// PromotionRateGuideline is the share of people promoted in a year that the
// domain calls healthy: a guideline, not a cap. With two cycles a year, a
// cycle's own rate is about half of it.
const PromotionRateGuideline = 0.15

// CycleStats are the health figures of a cycle (or any set of nominations)
// for calibration.
type CycleStats struct {
	// Nominated counts the documents that reached nomination; Approved those
	// with an approving decision (the latest decision per document counts).
	Nominated int `json:"nominated"`
	Approved  int `json:"approved"`
	// Rate is the promotion rate of the period: Approved over the headcount
	// (the sum of the headcount per team). Zero when no headcount is known.
	Rate float64 `json:"rate"`
	// ApprovalRate is Approved over Nominated.
	ApprovalRate float64 `json:"approval_rate"`
	People       int     `json:"people"`
	// TimeInRoleMedian is the median time in role at promotion of the
	// approved candidates: from Person.RoleSince to the decision. Candidates
	// whose RoleSince is unknown or later than the decision (the role has
	// already changed) are left out; a decision without a date counts as now.
	TimeInRoleMedian time.Duration `json:"time_in_role_median"`
	ByTeam           []GroupStat   `json:"by_team"`
	ByRegion         []GroupStat   `json:"by_region"`
	// Outliers are human sentences, one per flagged group or candidate.
	Outliers []string `json:"outliers"`
}

// GroupStat is the spread of a cycle over one team or region.
type GroupStat struct {
	Group     string  `json:"group"`
	Nominated int     `json:"nominated"`
	Approved  int     `json:"approved"`
	People    int     `json:"people"`
	Rate      float64 `json:"rate"`
	Outlier   bool    `json:"outlier"`
}

// nominatedStates are the states of a document that has been nominated.
var nominatedStates = []string{DocNominated, DocInCalibration, DocDecidedYes, DocDecidedNo, DocEffective, DocInLibrary}

// ComputeCycleStats computes the health figures of a cycle from its
// documents, their decisions, the people concerned and the headcount per
// team.
//
// people should hold at least the candidates; it may hold everyone active,
// and then it also gives the headcount per region. A team's headcount
// comes from headcount and, when a team is missing there, from the active
// people of the map. A person in several teams or regions counts in each.
//
// The outlier rule: a group is flagged when its number of promotions is far
// from what the overall rate predicts for its size — more than two standard
// deviations of the binomial count n·p·(1−p) away, and at least two
// promotions away so that tiny groups are not flagged for one person. n is
// the group's headcount and p the overall promotion rate; when headcounts
// are unknown, n is the group's nominations and p the overall approval rate.
// A candidate is flagged when promoted after less than half the median time
// in role.
func ComputeCycleStats(docs []*Document, decisions []*Decision, people map[int64]*Person, headcount map[string]int, now time.Time) CycleStats {
	var st CycleStats
	latest := map[int64]*Decision{}
	for _, d := range decisions {
		if d == nil {
			continue
		}
		if cur, ok := latest[d.DocumentID]; !ok || !d.DecidedAt.Before(cur.DecidedAt) {
			latest[d.DocumentID] = d
		}
	}

	type group struct{ nominated, approved, people int }
	teams, regions := map[string]*group{}, map[string]*group{}
	get := func(m map[string]*group, k string) *group {
		g, ok := m[k]
		if !ok {
			g = &group{}
			m[k] = g
		}
		return g
	}
	for team, n := range headcount {
		get(teams, team).people = n
		st.People += n
	}
	for _, p := range people {
		if p == nil || !p.Active {
			continue
		}
		for _, t := range p.Teams {
			if _, known := headcount[t]; !known {
				get(teams, t).people++
			}
		}
		for _, r := range p.Regions {
			get(regions, r).people++
		}
	}
	if len(headcount) == 0 {
		st.People = 0
		for _, p := range people {
			if p != nil && p.Active {
				st.People++
			}
		}
	}

	type promoted struct {
		name string
		in   time.Duration
	}
	var times []promoted
	seen := map[int64]bool{}
	for _, d := range docs {
		if d == nil || seen[d.ID] {
			continue
		}
		dec, decided := latest[d.ID]
		if !slices.Contains(nominatedStates, d.State) && !decided {
			continue
		}
		seen[d.ID] = true
		st.Nominated++
		approved := decided && dec.Approved
		if approved {
			st.Approved++
		}
		p := people[d.PersonID]
		if p == nil {
			continue
		}
		for _, t := range p.Teams {
			g := get(teams, t)
			g.nominated++
			if approved {
				g.approved++
			}
		}
		for _, r := range p.Regions {
			g := get(regions, r)
			g.nominated++
			if approved {
				g.approved++
			}
		}
		if approved {
			at := dec.DecidedAt
			if at.IsZero() {
				at = now
			}
			if !p.RoleSince.IsZero() && !p.RoleSince.After(at) {
				times = append(times, promoted{p.Name, at.Sub(p.RoleSince)})
			}
		}
	}
	if st.People > 0 {
		st.Rate = float64(st.Approved) / float64(st.People)
	}
	if st.Nominated > 0 {
		st.ApprovalRate = float64(st.Approved) / float64(st.Nominated)
	}
	if len(times) > 0 {
		ds := make([]time.Duration, len(times))
		for i, t := range times {
			ds[i] = t.in
		}
		slices.Sort(ds)
		if n := len(ds); n%2 == 1 {
			st.TimeInRoleMedian = ds[n/2]
		} else {
			st.TimeInRoleMedian = (ds[n/2-1] + ds[n/2]) / 2
		}
	}

	spread := func(kind string, m map[string]*group) []GroupStat {
		var out []GroupStat
		names := make([]string, 0, len(m))
		for name := range m {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			g := m[name]
			gs := GroupStat{Group: name, Nominated: g.nominated, Approved: g.approved, People: g.people}
			var n int
			var p float64
			switch {
			case g.people > 0 && st.People > 0:
				gs.Rate = float64(g.approved) / float64(g.people)
				n, p = g.people, st.Rate
			case g.nominated > 0:
				n, p = g.nominated, st.ApprovalRate
			}
			if n > 0 {
				expected := float64(n) * p
				diff := float64(g.approved) - expected
				sd := math.Sqrt(float64(n) * p * (1 - p))
				if math.Abs(diff) >= 2 && math.Abs(diff) > 2*sd {
					gs.Outlier = true
					dir := "above"
					if diff < 0 {
						dir = "below"
					}
					of := "people"
					overall := "promotion rate"
					if n == g.nominated && (g.people == 0 || st.People == 0) {
						of = "nominations"
						overall = "approval rate"
					}
					st.Outliers = append(st.Outliers, fmt.Sprintf("%s %s: %d promoted of %d %s (%s), far %s the overall %s of %s; about %.0f expected.",
						kind, name, g.approved, n, of, percent(float64(g.approved)/float64(n)), dir, overall, percent(p), expected))
				}
			}
			out = append(out, gs)
		}
		return out
	}
	st.ByTeam = spread("Team", teams)
	st.ByRegion = spread("Region", regions)
	if st.TimeInRoleMedian > 0 {
		slices.SortFunc(times, func(a, b promoted) int { return cmp.Or(cmp.Compare(a.in, b.in), cmp.Compare(a.name, b.name)) })
		for _, t := range times {
			if t.in*2 < st.TimeInRoleMedian {
				st.Outliers = append(st.Outliers, fmt.Sprintf("%s is promoted after %s in role, less than half the median of %s.",
					t.name, months(t.in), months(st.TimeInRoleMedian)))
			}
		}
	}
	return st
}

func percent(f float64) string {
	return fmt.Sprintf("%.0f%%", f*100)
}

// months renders a duration as whole months (30.44 days each).
func months(d time.Duration) string {
	m := int(math.Round(d.Hours() / 24 / 30.44))
	if m == 1 {
		return "1 month"
	}
	return fmt.Sprintf("%d months", m)
}
