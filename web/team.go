package web

import (
	"html/template"
	"net/http"
	"slices"
	"time"

	"trellis"
	"trellis/web/svg"
)

// The manager's view of a team: a heatmap of the reports against the
// competencies of each one's target role, and the lists that need action:
// no plan, overdue goals, no confirmed career conversation this quarter,
// evidence added this month. A report whose readiness the viewer may not
// read (the policy's assessment/read) is left out.

type teamPerson struct {
	P    *trellis.Person
	Plan *trellis.GrowthPlan
	Goal trellis.Goal // for overdue goals
	Last *time.Time   // last confirmed conversation
	N    int          // entries added this month
}

type teamView struct {
	Manager        *trellis.Person
	Self           bool
	Reports        int
	SVG            template.HTML
	NoPlan         []teamPerson
	Overdue        []teamPerson
	NoConversation []teamPerson
	Evidence       []teamPerson
	Quarter        string
	Month          string
	Hidden         int // reports the viewer may not see here
}

// quarterStart returns the first day of t's quarter.
func quarterStart(t time.Time) time.Time {
	m := time.Month((int(t.Month())-1)/3*3 + 1)
	return time.Date(t.Year(), m, 1, 0, 0, 0, 0, time.UTC)
}

func (s *Server) myTeamPage(w http.ResponseWriter, r *http.Request) {
	s.teamPage(w, r, s.actor(r).Person)
}

func (s *Server) personTeamPage(w http.ResponseWriter, r *http.Request) {
	_, p, err := s.personTarget(r.Context(), trellis.KindPerson, personID(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.teamPage(w, r, p)
}

func (s *Server) teamPage(w http.ResponseWriter, r *http.Request, m *trellis.Person) {
	if err := s.needGrowth(); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	reports, err := s.people.ListReports(ctx, m.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	chain, err := s.people.ManagerChain(ctx, m.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	reportChain := append([]int64{m.ID}, personIDs(chain)...)
	now := s.now()
	me := s.actor(r).Person
	v := teamView{Manager: m, Self: me != nil && me.ID == m.ID, Quarter: quarterStart(now).Format("2 Jan 2006"), Month: now.Format("January 2006")}
	monthStart := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	qStart := quarterStart(now)
	roles, err := s.roles(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var fw *trellis.Framework
	var heat []trellis.HeatmapPerson
	var rows []svg.HeatRow
	var firstRefusal error
	for _, p := range reports {
		if !p.Active {
			continue
		}
		t := trellis.Target{Kind: trellis.KindAssessment, Owner: p, OwnerChain: reportChain}
		if err := s.check(r, trellis.ActionRead, t); err != nil {
			v.Hidden++
			if firstRefusal == nil {
				firstRefusal = err
			}
			continue
		}
		v.Reports++
		plan, err := s.growth.FindPlan(ctx, p.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if plan.Version == 0 {
			v.NoPlan = append(v.NoPlan, teamPerson{P: p})
		}
		for _, g := range plan.Goals {
			if g.Due != nil && g.Due.Before(trellis.Day(now)) && g.Status != trellis.GoalDone && g.Status != trellis.GoalDropped {
				v.Overdue = append(v.Overdue, teamPerson{P: p, Goal: g})
			}
		}
		convs, err := s.growth.ListConversations(ctx, p.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		tp := teamPerson{P: p}
		for _, c := range convs {
			if c.ConfirmedAt != nil && (tp.Last == nil || c.Date.After(*tp.Last)) {
				d := c.Date
				tp.Last = &d
			}
		}
		if tp.Last == nil || tp.Last.Before(qStart) {
			v.NoConversation = append(v.NoConversation, tp)
		}
		// Entries added this month, among those the viewer may read.
		et := trellis.Target{Kind: trellis.KindEvidence, Owner: p, OwnerChain: reportChain}
		if vis := s.readableVisibilities(r, et); len(vis) > 0 {
			page, err := s.evidence.ListEvidence(ctx, trellis.EvidenceFilter{PersonID: p.ID, From: monthStart, Visibilities: vis, Limit: trellis.MaxListLimit})
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if n := len(page.Items); n > 0 {
				v.Evidence = append(v.Evidence, teamPerson{P: p, N: n})
			}
		}
		// The heatmap: the target role, else the current one.
		if fw == nil {
			if fw, _, err = s.growthFramework(ctx, p); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		role, sub := plan.TargetRoleID, ""
		if role == "" || (plan.TargetFramework != "" && plan.TargetFramework != fw.ID) {
			role, sub = p.RoleID, "no target role: current role"
		} else {
			sub = "aims for " + roles.of(role).Name
		}
		ev, err := s.visibleEvidenceByCompetency(r, p)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		as, err := s.readiness.ListAssessments(ctx, p.ID, trellis.Ref{ID: fw.ID, Version: fw.Version}, role)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		heat = append(heat, trellis.HeatmapPerson{PersonID: p.ID, RoleID: role, Evidence: ev, Assessments: as})
		rows = append(rows, svg.HeatRow{Label: p.Name, Sub: sub, Href: readinessURL(p.ID)})
	}
	if v.Reports == 0 && firstRefusal != nil {
		s.fail(w, r, firstRefusal)
		return
	}
	if len(heat) > 0 {
		comps, cells := trellis.Heatmap(fw, heat)
		n := fwNames{fw}
		cols := make([]string, len(comps))
		for i, c := range comps {
			cols[i] = n.competency(c)
		}
		for i := range rows {
			for _, c := range cells[i] {
				rows[i].Cells = append(rows[i].Cells, svg.HeatCell{Step: trellis.RatingScore(c.Rating), Evidence: c.Evidence, Expected: c.Expected})
			}
		}
		chart := svg.HeatmapOf(cols, rows, svg.HeatmapOptions{Title: "Team of " + m.Name + ": readiness by competency"})
		// The chart escapes every text it draws.
		v.SVG = template.HTML(chart.SVG())
	}
	for _, l := range [][]teamPerson{v.NoPlan, v.Overdue, v.NoConversation, v.Evidence} {
		slices.SortStableFunc(l, func(a, b teamPerson) int { return compareNames(a.P.Name, b.P.Name) })
	}
	title := "My team"
	if !v.Self {
		title = "Team of " + m.Name
	}
	s.render(w, r, http.StatusOK, "team", layoutPage(title, "team", v))
}

func compareNames(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
