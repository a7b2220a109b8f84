package trellis

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limits of growth plans, goals and conversations, in characters.
const (
	MaxReflectionText   = 4000
	MaxGoalTitle        = 200
	MaxGoalText         = 4000
	MaxConversationNote = 20000
	MaxAssessmentNote   = 4000
	// MaxGoalHorizon is how far past today a goal may be due.
	MaxGoalHorizon = 3 * 365 * 24 * time.Hour
)

// Focuses lists the valid growth-plan focuses.
var Focuses = []string{FocusDeepen, FocusMove, FocusManage}

// GoalStatuses lists the valid goal statuses in their natural order.
var GoalStatuses = []string{GoalNotStarted, GoalInProgress, GoalDone, GoalDropped}

var periodPattern = regexp.MustCompile(`^(\d{4})-H([12])$`)

// PeriodStart returns the first day of a half-year period ("2026-H2" is
// 2026-07-01), false when the text is not a period.
func PeriodStart(period string) (time.Time, bool) {
	m := periodPattern.FindStringSubmatch(period)
	if m == nil {
		return time.Time{}, false
	}
	y, _ := strconv.Atoi(m[1])
	month := time.January
	if m[2] == "2" {
		month = time.July
	}
	return time.Date(y, month, 1, 0, 0, 0, 0, time.UTC), true
}

// Normalize puts a plan in its stored form: text trimmed, focus lower-case,
// goals without an id numbered g1, g2 ... (skipping ids in use), goals
// without a status not started, due dates at UTC midnight.
func (p *GrowthPlan) Normalize() {
	p.Period = strings.TrimSpace(p.Period)
	p.TargetRoleID = strings.TrimSpace(p.TargetRoleID)
	p.TargetFramework = strings.TrimSpace(p.TargetFramework)
	r := &p.Reflection
	for _, s := range []*string{&r.Why, &r.Energises, &r.Drains, &r.LearnBest, &r.InTwoYears} {
		*s = strings.TrimSpace(*s)
	}
	r.Focus = strings.ToLower(strings.TrimSpace(r.Focus))
	used := map[string]bool{}
	for i := range p.Goals {
		g := &p.Goals[i]
		g.ID = strings.TrimSpace(g.ID)
		used[g.ID] = true
	}
	next := 1
	for i := range p.Goals {
		g := &p.Goals[i]
		for _, s := range []*string{&g.Title, &g.ActionSteps, &g.Support, &g.Helpers, &g.Obstacles, &g.SuccessMeasure} {
			*s = strings.TrimSpace(*s)
		}
		g.Status = strings.ToLower(strings.TrimSpace(g.Status))
		if g.Status == "" {
			g.Status = GoalNotStarted
		}
		if g.ID == "" {
			for used["g"+strconv.Itoa(next)] {
				next++
			}
			g.ID = "g" + strconv.Itoa(next)
			used[g.ID] = true
		}
		if g.Due != nil {
			if g.Due.IsZero() {
				g.Due = nil
			} else {
				d := Day(*g.Due)
				g.Due = &d
			}
		}
	}
	if p.Goals == nil {
		p.Goals = []Goal{}
	}
}

// Validate checks a plan as it would be stored (call Normalize first): the
// period's shape, the focus, at most MaxGoalsPerPeriod goals each with a
// title, a known status and a due date within reach, and a target role that
// fw defines. Goal fields are named goals[i].field, reflection fields
// reflection.field. A nil fw skips the target-role check.
func (p *GrowthPlan) Validate(fw *Framework, today time.Time) error {
	var d fieldErrors
	if p.Period == "" {
		d.add("period", "period is required: a half-year such as %q", Period(today))
	} else if _, ok := PeriodStart(p.Period); !ok {
		d.add("period", "period %q is not a half-year; write it as YEAR-H1 or YEAR-H2, such as %q", p.Period, Period(today))
	}
	r := p.Reflection
	d.text("reflection.why", "why", r.Why, false, MaxReflectionText, false)
	d.text("reflection.energises", "what energises you", r.Energises, false, MaxReflectionText, false)
	d.text("reflection.drains", "what drains you", r.Drains, false, MaxReflectionText, false)
	d.text("reflection.learn_best", "how you learn best", r.LearnBest, false, MaxReflectionText, false)
	d.text("reflection.in_two_years", "where you want to be in two to three years", r.InTwoYears, false, MaxReflectionText, false)
	if r.Focus != "" && !slices.Contains(Focuses, r.Focus) {
		d.add("reflection.focus", "focus %q is not known%s; use one of %s, or leave it empty", r.Focus, suggestion(r.Focus, Focuses), strings.Join(Focuses, ", "))
	}

	if len(p.Goals) > MaxGoalsPerPeriod {
		d.add("goals", "the plan has %d goals; a half-year holds at most %d, so drop or merge %d", len(p.Goals), MaxGoalsPerPeriod, len(p.Goals)-MaxGoalsPerPeriod)
	}
	ids := map[string]int{}
	for i, g := range p.Goals {
		f := func(name string) string { return fmt.Sprintf("goals[%d].%s", i, name) }
		if prev, dup := ids[g.ID]; dup && g.ID != "" {
			d.add(f("id"), "goal id %q is already used by goals[%d]; each goal needs its own id", g.ID, prev)
		}
		ids[g.ID] = i
		d.text(f("title"), fmt.Sprintf("goal %d's title", i+1), g.Title, true, MaxGoalTitle, true)
		d.text(f("action_steps"), "action steps", g.ActionSteps, false, MaxGoalText, false)
		d.text(f("support"), "support needed", g.Support, false, MaxGoalText, false)
		d.text(f("helpers"), "people who can help", g.Helpers, false, MaxGoalText, false)
		d.text(f("obstacles"), "expected obstacles", g.Obstacles, false, MaxGoalText, false)
		d.text(f("success_measure"), "how success will be known", g.SuccessMeasure, false, MaxGoalText, false)
		if !slices.Contains(GoalStatuses, g.Status) {
			if g.Status == "" {
				d.add(f("status"), "status is required; use one of %s", strings.Join(GoalStatuses, ", "))
			} else {
				d.add(f("status"), "status %q is not known%s; use one of %s", g.Status, suggestion(g.Status, GoalStatuses), strings.Join(GoalStatuses, ", "))
			}
		}
		if g.Due != nil && !g.Due.IsZero() {
			due := Day(*g.Due)
			switch {
			case due.Year() < 2000:
				d.add(f("due"), "due date %s is not a plausible date; use YYYY-MM-DD", due.Format(time.DateOnly))
			case due.After(Day(today).Add(MaxGoalHorizon)):
				d.add(f("due"), "due date %s is more than three years away; a half-year goal should be due by %s", due.Format(time.DateOnly), Day(today).Add(MaxGoalHorizon).Format(time.DateOnly))
			}
		}
	}

	if p.TargetRoleID != "" && fw != nil {
		if p.TargetFramework != "" && p.TargetFramework != fw.ID {
			d.add("target_framework", "target_framework is %q, but the plan is checked against framework %q", p.TargetFramework, fw.ID)
		} else if _, ok := fw.Role(p.TargetRoleID); !ok {
			d.add("target_role_id", "%s", unknownRef("role", p.TargetRoleID, roleIDs(fw), fw))
		}
	}
	return d.err("growth plan")
}

// Validate checks an assessment against the framework version it rates in:
// the role and competency exist, the role has an expectation for the
// competency, the rating is on the scale and By is self or manager.
func (a *Assessment) Validate(fw *Framework) error {
	var d fieldErrors
	if fw != nil {
		if a.FrameworkID != "" && a.FrameworkID != fw.ID {
			d.add("framework_id", "framework_id is %q, but the assessment is checked against framework %q", a.FrameworkID, fw.ID)
		}
		if a.FrameworkVersion != "" && a.FrameworkVersion != fw.Version {
			d.add("framework_version", "framework_version is %q, but the assessment is checked against version %q", a.FrameworkVersion, fw.Version)
		}
	}
	var role *Role
	switch {
	case a.RoleID == "":
		d.add("role_id", "role_id is required: the target role the assessment is for")
	case fw != nil:
		var ok bool
		if role, ok = fw.Role(a.RoleID); !ok {
			d.add("role_id", "%s", unknownRef("role", a.RoleID, roleIDs(fw), fw))
		}
	}
	switch {
	case a.Competency == "":
		d.add("competency", "competency is required: the competency the rating is for")
	case fw != nil:
		comps := make([]string, len(fw.Competencies))
		for i, c := range fw.Competencies {
			comps[i] = c.ID
		}
		if !slices.Contains(comps, a.Competency) {
			d.add("competency", "%s", unknownRef("competency", a.Competency, comps, fw))
		} else if role != nil {
			if _, ok := role.Expectation(a.Competency); !ok {
				var expected []string
				for _, e := range role.Expectations {
					expected = append(expected, e.Competency)
				}
				d.add("competency", "role %q has no expectation for competency %q; it has expectations for %s", role.ID, a.Competency, strings.Join(expected, ", "))
			}
		}
	}
	if !slices.Contains(Ratings, a.Rating) {
		if a.Rating == "" {
			d.add("rating", "rating is required; use one of %s", strings.Join(Ratings, ", "))
		} else {
			d.add("rating", "rating %q is not on the scale%s; use one of %s", a.Rating, suggestion(a.Rating, Ratings), strings.Join(Ratings, ", "))
		}
	}
	if a.By != BySelf && a.By != ByManager {
		d.add("by", "by %q is not known; use %q or %q", a.By, BySelf, ByManager)
	}
	d.text("comment", "comment", a.Comment, false, MaxAssessmentNote, false)
	return d.err("assessment")
}

// Validate checks a career conversation as the manager records it: it has
// a person and a manager who are two people, a date that is not after today
// and notes of bounded length.
func (c *Conversation) Validate(today time.Time) error {
	var d fieldErrors
	if c.PersonID <= 0 {
		d.add("person_id", "person_id is required: the team member the conversation was with")
	}
	if c.ManagerID <= 0 {
		d.add("manager_id", "manager_id is required: the manager who held the conversation")
	} else if c.ManagerID == c.PersonID {
		d.add("manager_id", "a person cannot hold a career conversation with themselves; manager_id must be someone else")
	}
	if c.Date.IsZero() {
		d.add("date", "date is required: the day the conversation took place, as YYYY-MM-DD")
	} else {
		d.notAfter("date", "date", c.Date, today)
	}
	d.text("notes", "notes", c.Notes, false, MaxConversationNote, false)
	if c.ConfirmedAt != nil && !c.Date.IsZero() && Day(*c.ConfirmedAt).Before(Day(c.Date)) {
		d.add("confirmed_at", "confirmed_at %s is before the conversation's date %s", Day(*c.ConfirmedAt).Format(time.DateOnly), Day(c.Date).Format(time.DateOnly))
	}
	return d.err("conversation")
}

func roleIDs(fw *Framework) []string {
	ids := make([]string, len(fw.Roles))
	for i, r := range fw.Roles {
		ids[i] = r.ID
	}
	return ids
}
