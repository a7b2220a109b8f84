package trellis_test

import (
	"strings"
	"testing"
	"time"

	"trellis"
)

func goodPlan() trellis.GrowthPlan {
	return trellis.GrowthPlan{
		PersonID: 7,
		Period:   "2026-H1",
		Reflection: trellis.Reflection{
			Why:   "I want to help the team grow.",
			Focus: trellis.FocusManage,
		},
		TargetRoleID:    "support-engineering-manager",
		TargetFramework: "support",
		Goals: []trellis.Goal{
			{ID: "g1", Title: "Run six weeks of mentoring", Status: trellis.GoalInProgress, Due: ptr(day("2026-06-30"))},
			{ID: "g2", Title: "Lead the upgrade-runbook project", Status: trellis.GoalNotStarted},
		},
	}
}

func TestGrowthPlanValidate(t *testing.T) {
	fw := support(t)
	tests := []struct {
		name   string
		change func(p *trellis.GrowthPlan)
		want   map[string]string
	}{
		{"valid", func(p *trellis.GrowthPlan) {}, nil},
		{"valid empty", func(p *trellis.GrowthPlan) { *p = trellis.GrowthPlan{Period: "2026-H2"} }, nil},
		{"valid three goals, overdue one", func(p *trellis.GrowthPlan) {
			p.Goals = append(p.Goals, trellis.Goal{ID: "g3", Title: "x", Status: trellis.GoalDone, Due: ptr(day("2025-01-01"))})
		}, nil},
		{"period missing", func(p *trellis.GrowthPlan) { p.Period = "" }, map[string]string{"period": `"2026-H1"`}},
		{"period shape", func(p *trellis.GrowthPlan) { p.Period = "2026-Q1" }, map[string]string{"period": `"2026-Q1" is not a half-year; write it as YEAR-H1 or YEAR-H2`}},
		{"period H3", func(p *trellis.GrowthPlan) { p.Period = "2026-H3" }, map[string]string{"period": "not a half-year"}},
		{"focus unknown", func(p *trellis.GrowthPlan) { p.Reflection.Focus = "mange" }, map[string]string{"reflection.focus": `did you mean "manage"?`}},
		{"reflection too long", func(p *trellis.GrowthPlan) { p.Reflection.Drains = strings.Repeat("a", 4001) }, map[string]string{"reflection.drains": "at most 4000"}},
		{"four goals", func(p *trellis.GrowthPlan) {
			p.Goals = append(p.Goals, trellis.Goal{ID: "g3", Title: "c", Status: "done"}, trellis.Goal{ID: "g4", Title: "d", Status: "done"})
		}, map[string]string{"goals": "4 goals; a half-year holds at most 3"}},
		{"goal without title", func(p *trellis.GrowthPlan) { p.Goals[1].Title = "" }, map[string]string{"goals[1].title": "goal 2's title is required"}},
		{"goal title too long", func(p *trellis.GrowthPlan) { p.Goals[0].Title = strings.Repeat("a", 201) }, map[string]string{"goals[0].title": "at most 200"}},
		{"goal status unknown", func(p *trellis.GrowthPlan) { p.Goals[0].Status = "doen" }, map[string]string{"goals[0].status": `did you mean "done"?`}},
		{"goal status missing", func(p *trellis.GrowthPlan) { p.Goals[0].Status = "" }, map[string]string{"goals[0].status": "required"}},
		{"goal due far away", func(p *trellis.GrowthPlan) { p.Goals[0].Due = ptr(day("2030-01-01")) }, map[string]string{"goals[0].due": "more than three years away"}},
		{"goal due implausible", func(p *trellis.GrowthPlan) { p.Goals[0].Due = ptr(day("0026-06-30")) }, map[string]string{"goals[0].due": "not a plausible date"}},
		{"goal ids repeat", func(p *trellis.GrowthPlan) { p.Goals[1].ID = "g1" }, map[string]string{"goals[1].id": "already used by goals[0]"}},
		{"goal text too long", func(p *trellis.GrowthPlan) { p.Goals[1].Obstacles = strings.Repeat("a", 4001) }, map[string]string{"goals[1].obstacles": "at most 4000"}},
		{"target role unknown", func(p *trellis.GrowthPlan) { p.TargetRoleID = "staff-support-enginer" },
			map[string]string{"target_role_id": `role "staff-support-enginer" is not in framework support@2026.1 (did you mean "staff-support-engineer"?)`}},
		{"target framework other", func(p *trellis.GrowthPlan) { p.TargetFramework = "eng" }, map[string]string{"target_framework": `"eng"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := goodPlan()
			tt.change(&p)
			checkDetails(t, p.Validate(fw, today), tt.want)
		})
	}
}

func TestGrowthPlanNormalize(t *testing.T) {
	p := trellis.GrowthPlan{
		Period:     " 2026-H1 ",
		Reflection: trellis.Reflection{Why: " why ", Focus: " Deepen "},
		Goals: []trellis.Goal{
			{Title: " first "},
			{ID: "g1", Title: "second", Status: "Done"},
			{Title: "third", Due: ptr(time.Date(2026, 5, 1, 22, 0, 0, 0, time.UTC))},
		},
	}
	p.Normalize()
	if p.Period != "2026-H1" || p.Reflection.Why != "why" || p.Reflection.Focus != "deepen" {
		t.Errorf("not trimmed: %+v", p)
	}
	var ids, statuses []string
	for _, g := range p.Goals {
		ids = append(ids, g.ID)
		statuses = append(statuses, g.Status)
	}
	if strings.Join(ids, ",") != "g2,g1,g3" {
		t.Errorf("goal ids = %v, want new ids that skip g1", ids)
	}
	if strings.Join(statuses, ",") != "not-started,done,not-started" {
		t.Errorf("statuses = %v", statuses)
	}
	if p.Goals[0].Title != "first" || !p.Goals[2].Due.Equal(day("2026-05-01")) {
		t.Errorf("goals = %+v", p.Goals)
	}
	if err := p.Validate(support(t), today); err != nil {
		t.Errorf("normalised plan invalid: %v", err)
	}
}

func TestPeriodStart(t *testing.T) {
	for in, want := range map[string]string{"2026-H1": "2026-01-01", "2026-H2": "2026-07-01", "2026-h1": "", "26-H1": "", "2026-H2x": ""} {
		got, ok := trellis.PeriodStart(in)
		if want == "" {
			if ok {
				t.Errorf("PeriodStart(%q) = %v, want not a period", in, got)
			}
			continue
		}
		if !ok || got.Format(time.DateOnly) != want {
			t.Errorf("PeriodStart(%q) = %v %v, want %s", in, got, ok, want)
		}
		if trellis.Period(got) != in {
			t.Errorf("Period(PeriodStart(%q)) = %q", in, trellis.Period(got))
		}
	}
}

func goodAssessment() trellis.Assessment {
	return trellis.Assessment{
		PersonID: 7, FrameworkID: "support", FrameworkVersion: "2026.1",
		RoleID: "senior-support-engineer", Competency: "growing-others",
		By: trellis.BySelf, Rating: trellis.RatingDeveloping, AssessorID: 7,
	}
}

func TestAssessmentValidate(t *testing.T) {
	fw := support(t)
	// A framework whose role lacks one expectation.
	partial := *fw
	partial.Roles = append([]trellis.Role(nil), fw.Roles...)
	for i := range partial.Roles {
		if partial.Roles[i].ID == "senior-support-engineer" {
			partial.Roles[i].Expectations = partial.Roles[i].Expectations[:2]
		}
	}
	tests := []struct {
		name   string
		fw     *trellis.Framework
		change func(a *trellis.Assessment)
		want   map[string]string
	}{
		{"valid self", fw, func(a *trellis.Assessment) {}, nil},
		{"valid manager", fw, func(a *trellis.Assessment) { a.By, a.Rating = trellis.ByManager, trellis.RatingExceeds }, nil},
		{"role missing", fw, func(a *trellis.Assessment) { a.RoleID = "" }, map[string]string{"role_id": "required"}},
		{"role unknown", fw, func(a *trellis.Assessment) { a.RoleID = "senior-support-enginer" }, map[string]string{"role_id": `did you mean "senior-support-engineer"?`}},
		{"competency missing", fw, func(a *trellis.Assessment) { a.Competency = "" }, map[string]string{"competency": "required"}},
		{"competency unknown", fw, func(a *trellis.Assessment) { a.Competency = "growing-other" }, map[string]string{"competency": `did you mean "growing-others"?`}},
		{"no expectation", &partial, func(a *trellis.Assessment) { a.Competency = "transparency" },
			map[string]string{"competency": `role "senior-support-engineer" has no expectation for competency "transparency"; it has expectations for communication, ambiguity-and-delivery`}},
		{"rating off scale", fw, func(a *trellis.Assessment) { a.Rating = "meet" }, map[string]string{"rating": `did you mean "meets"?`}},
		{"rating missing", fw, func(a *trellis.Assessment) { a.Rating = "" }, map[string]string{"rating": "not-yet, developing, meets, exceeds"}},
		{"by unknown", fw, func(a *trellis.Assessment) { a.By = "peer" }, map[string]string{"by": `use "self" or "manager"`}},
		{"comment too long", fw, func(a *trellis.Assessment) { a.Comment = strings.Repeat("a", 4001) }, map[string]string{"comment": "at most 4000"}},
		{"other version", fw, func(a *trellis.Assessment) { a.FrameworkVersion = "2025.2" }, map[string]string{"framework_version": `"2025.2"`}},
		{"other framework", fw, func(a *trellis.Assessment) { a.FrameworkID = "eng" }, map[string]string{"framework_id": `"eng"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := goodAssessment()
			tt.change(&a)
			checkDetails(t, a.Validate(tt.fw), tt.want)
		})
	}
}

func TestConversationValidate(t *testing.T) {
	good := func() trellis.Conversation {
		return trellis.Conversation{PersonID: 7, ManagerID: 3, Date: day("2026-03-01"), Notes: "Talked about the interim period."}
	}
	tests := []struct {
		name   string
		change func(c *trellis.Conversation)
		want   map[string]string
	}{
		{"valid", func(c *trellis.Conversation) {}, nil},
		{"valid today, confirmed", func(c *trellis.Conversation) { c.Date = today; c.ConfirmedAt = ptr(today) }, nil},
		{"no person", func(c *trellis.Conversation) { c.PersonID = 0 }, map[string]string{"person_id": "required"}},
		{"no manager", func(c *trellis.Conversation) { c.ManagerID = 0 }, map[string]string{"manager_id": "required"}},
		{"with oneself", func(c *trellis.Conversation) { c.ManagerID = 7 }, map[string]string{"manager_id": "themselves"}},
		{"no date", func(c *trellis.Conversation) { c.Date = time.Time{} }, map[string]string{"date": "required"}},
		{"future", func(c *trellis.Conversation) { c.Date = day("2026-03-16") }, map[string]string{"date": "in the future"}},
		{"notes too long", func(c *trellis.Conversation) { c.Notes = strings.Repeat("a", 20001) }, map[string]string{"notes": "at most 20000"}},
		{"confirmed before", func(c *trellis.Conversation) { c.ConfirmedAt = ptr(day("2026-02-01")) }, map[string]string{"confirmed_at": "before"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good()
			tt.change(&c)
			checkDetails(t, c.Validate(today), tt.want)
		})
	}
}
