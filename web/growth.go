package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"trellis"
	"trellis/importcsv"
)

// The growth plan: the reflection, up to three goals for the half-year, the
// half-yearly refresh with its history, career conversations (the manager
// records one, only the person confirms it) and the target role.

func planURL(pid int64) string   { return personURL(pid) + "/plan" }
func targetURL(pid int64) string { return personURL(pid) + "/target" }

// goalForm is one goal of the plan form, as typed.
type goalForm struct {
	ID, Title, ActionSteps, Support, Helpers, Obstacles, SuccessMeasure, Due, Status string
}

type planForm struct {
	Why, Energises, Drains, LearnBest, InTwoYears, Focus string
	Goals                                                []goalForm // always MaxGoalsPerPeriod, blanks for unused
	Version                                              int
}

func planFormOf(p *trellis.GrowthPlan) planForm {
	f := planForm{Why: p.Reflection.Why, Energises: p.Reflection.Energises, Drains: p.Reflection.Drains, LearnBest: p.Reflection.LearnBest,
		InTwoYears: p.Reflection.InTwoYears, Focus: p.Reflection.Focus, Version: p.Version}
	for _, g := range p.Goals {
		gf := goalForm{ID: g.ID, Title: g.Title, ActionSteps: g.ActionSteps, Support: g.Support, Helpers: g.Helpers, Obstacles: g.Obstacles,
			SuccessMeasure: g.SuccessMeasure, Status: g.Status}
		if g.Due != nil {
			gf.Due = g.Due.Format(importcsv.DateFormat)
		}
		f.Goals = append(f.Goals, gf)
	}
	for len(f.Goals) < trellis.MaxGoalsPerPeriod {
		f.Goals = append(f.Goals, goalForm{Status: trellis.GoalNotStarted})
	}
	return f
}

func readPlanForm(r *http.Request) planForm {
	f := planForm{Why: r.PostFormValue("why"), Energises: r.PostFormValue("energises"), Drains: r.PostFormValue("drains"),
		LearnBest: r.PostFormValue("learn_best"), InTwoYears: r.PostFormValue("in_two_years"), Focus: r.PostFormValue("focus")}
	f.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	for i := range trellis.MaxGoalsPerPeriod {
		g := func(k string) string { return r.PostFormValue(fmt.Sprintf("g%d_%s", i, k)) }
		f.Goals = append(f.Goals, goalForm{ID: g("id"), Title: g("title"), ActionSteps: g("action_steps"), Support: g("support"),
			Helpers: g("helpers"), Obstacles: g("obstacles"), SuccessMeasure: g("success_measure"), Due: strings.TrimSpace(g("due")), Status: g("status")})
	}
	return f
}

// blank reports whether nothing was typed into a goal's boxes.
func (g goalForm) blank() bool {
	return strings.TrimSpace(g.Title+g.ActionSteps+g.Support+g.Helpers+g.Obstacles+g.SuccessMeasure+g.Due) == ""
}

// apply writes the form onto a copy of the stored plan; goals left blank
// are dropped. Problems collects dates that cannot be read, named as the
// domain names them (goals[i].due).
func (f planForm) apply(p *trellis.GrowthPlan, problems *[]trellis.FieldError) *trellis.GrowthPlan {
	out := *p
	out.Reflection = trellis.Reflection{Why: f.Why, Energises: f.Energises, Drains: f.Drains, LearnBest: f.LearnBest, InTwoYears: f.InTwoYears, Focus: f.Focus}
	out.Goals = []trellis.Goal{}
	for i, g := range f.Goals {
		if g.blank() {
			continue
		}
		goal := trellis.Goal{ID: g.ID, Title: g.Title, ActionSteps: g.ActionSteps, Support: g.Support, Helpers: g.Helpers, Obstacles: g.Obstacles,
			SuccessMeasure: g.SuccessMeasure, Status: g.Status}
		if g.Due != "" {
			d, err := time.Parse(importcsv.DateFormat, g.Due)
			if err != nil {
				*problems = append(*problems, trellis.FieldError{Field: fmt.Sprintf("goals[%d].due", i), Message: fmt.Sprintf("%q is not a date (YYYY-MM-DD)", g.Due)})
			} else {
				goal.Due = &d
			}
		}
		out.Goals = append(out.Goals, goal)
	}
	return &out
}

type conversationRow struct {
	C          *trellis.Conversation
	Manager    string
	CanConfirm bool
}

type planView struct {
	Head          growthHeadView
	P             *trellis.Person
	Plan          *trellis.GrowthPlan
	F             planForm
	Target        roleInfo
	CanEdit       bool
	CanRecord     bool
	Focuses       []choice
	Statuses      []string
	History       []*trellis.GrowthPlan
	Conversations []conversationRow
	LastConfirmed *time.Time
	NextPeriod    string
	Today         string
	Message       string
	Errors        map[string]string
	Conflict      []conflictRow
	Notice        string
}

var focusLabels = map[string]string{
	trellis.FocusDeepen: "Stay and deepen in my role",
	trellis.FocusMove:   "Move to another team or job family",
	trellis.FocusManage: "Move into management",
}

// nextPeriod is the half-year a refresh moves the plan to: the one after
// the plan's, or the current one when the plan is older.
func nextPeriod(cur string, now time.Time) string {
	start, ok := trellis.PeriodStart(cur)
	if !ok {
		return trellis.Period(now)
	}
	next := trellis.Period(start.AddDate(0, 6, 0))
	if nowStart, _ := trellis.PeriodStart(trellis.Period(now)); nowStart.After(start.AddDate(0, 6, 0)) {
		return trellis.Period(now)
	}
	return next
}

func (v *planView) setError(err error) {
	v.Message = trellis.ErrorMessage(err)
	v.Errors = map[string]string{}
	for _, d := range trellis.ErrorDetails(err) {
		if v.Errors[d.Field] != "" {
			v.Errors[d.Field] += "; "
		}
		v.Errors[d.Field] += d.Message
	}
}

func (s *Server) renderPlan(w http.ResponseWriter, r *http.Request, status int, v planView) {
	ctx := r.Context()
	t, _, err := s.personTarget(ctx, trellis.KindGrowthPlan, v.P.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Head = s.growthHead(r, v.P, "plan", "Growth plan")
	v.CanEdit = s.can(r, trellis.ActionEdit, t)
	at := t
	at.Kind = trellis.KindAssessment
	v.CanRecord = s.can(r, trellis.ActionCreate, at)
	for _, f := range trellis.Focuses {
		v.Focuses = append(v.Focuses, choice{ID: f, Name: focusLabels[f], Checked: f == v.F.Focus})
	}
	v.Statuses = trellis.GoalStatuses
	v.Today = s.now().Format(importcsv.DateFormat)
	v.NextPeriod = nextPeriod(v.Plan.Period, s.now())
	if v.Plan.TargetRoleID != "" {
		roles, err := s.roles(ctx)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v.Target = roles.of(v.Plan.TargetRoleID)
	}
	if v.History, err = s.growth.PlanHistory(ctx, v.P.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	convs, err := s.growth.ListConversations(ctx, v.P.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	me := s.actor(r).Person
	names := map[int64]string{}
	for _, c := range convs {
		row := conversationRow{C: c, CanConfirm: c.ConfirmedAt == nil && v.CanEdit && me != nil && me.ID == c.PersonID}
		if _, ok := names[c.ManagerID]; !ok {
			if m, err := s.people.FindPerson(ctx, c.ManagerID); err == nil {
				names[c.ManagerID] = m.Name
			}
		}
		row.Manager = names[c.ManagerID]
		if c.ConfirmedAt != nil && (v.LastConfirmed == nil || c.Date.After(*v.LastConfirmed)) {
			d := c.Date
			v.LastConfirmed = &d
		}
		v.Conversations = append(v.Conversations, row)
	}
	s.render(w, r, status, "plan", layoutPage("Growth plan · "+v.P.Name, "plan", v))
}

func (s *Server) planPage(w http.ResponseWriter, r *http.Request) {
	_, p, ok := s.growthTarget(w, r, trellis.KindGrowthPlan)
	if !ok {
		return
	}
	plan, err := s.growth.FindPlan(r.Context(), p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := planView{P: p, Plan: plan, F: planFormOf(plan)}
	switch q := r.URL.Query(); {
	case q.Get("saved") != "":
		v.Notice = "Saved."
	case q.Get("refreshed") != "":
		v.Notice = "A new half-year has started: " + plan.Period + ". Goals that were done or dropped are in the history below."
	case q.Get("recorded") != "":
		v.Notice = "The conversation is recorded. " + p.Name + " confirms it on their plan."
	case q.Get("confirmed") != "":
		v.Notice = "Thank you: the conversation is confirmed."
	case q.Get("target") != "":
		v.Notice = "Your target role is saved."
	}
	s.renderPlan(w, r, http.StatusOK, v)
}

func (s *Server) savePlanSubmit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	_, p, ok := s.growthTarget(w, r, trellis.KindGrowthPlan)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domainFormError(err))
		return
	}
	cur, err := s.growth.FindPlan(ctx, p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := readPlanForm(r)
	v := planView{P: p, Plan: cur, F: f}
	var problems []trellis.FieldError
	next := f.apply(cur, &problems)
	if err := problemsError(problems); err != nil {
		v.setError(err)
		s.renderPlan(w, r, http.StatusBadRequest, v)
		return
	}
	if f.Version != cur.Version {
		s.planConflict(w, r, v, cur)
		return
	}
	err = s.growth.SavePlan(ctx, next, f.Version)
	if err == nil {
		http.Redirect(w, r, planURL(p.ID)+"?saved=1", http.StatusSeeOther)
		return
	}
	if trellis.ErrorCode(err) == trellis.ECONFLICT {
		if now, ferr := s.growth.FindPlan(ctx, p.ID); ferr == nil && now.Version != f.Version {
			s.planConflict(w, r, v, now)
			return
		}
	}
	if c := trellis.ErrorCode(err); c != trellis.EINVALID && c != trellis.ERULE && c != trellis.ECONFLICT {
		s.fail(w, r, err)
		return
	}
	v.setError(err)
	s.renderPlan(w, r, ErrorStatus(err), v)
}

// planConflict shows a stale save of the plan: what is saved now next to
// what was typed; the typed text stays in the form at the saved version.
func (s *Server) planConflict(w http.ResponseWriter, r *http.Request, v planView, saved *trellis.GrowthPlan) {
	sf, tf := planFormOf(saved), v.F
	rows := []conflictRow{
		{Label: "Why", Saved: sf.Why, Typed: tf.Why},
		{Label: "What energises me", Saved: sf.Energises, Typed: tf.Energises},
		{Label: "What drains me", Saved: sf.Drains, Typed: tf.Drains},
		{Label: "How I learn best", Saved: sf.LearnBest, Typed: tf.LearnBest},
		{Label: "In two to three years", Saved: sf.InTwoYears, Typed: tf.InTwoYears},
		{Label: "Focus", Saved: sf.Focus, Typed: tf.Focus},
	}
	for i := range tf.Goals {
		var sg goalForm
		if i < len(sf.Goals) {
			sg = sf.Goals[i]
		}
		tg := tf.Goals[i]
		rows = append(rows,
			conflictRow{Label: fmt.Sprintf("Goal %d", i+1), Saved: sg.Title, Typed: tg.Title},
			conflictRow{Label: fmt.Sprintf("Goal %d: action steps", i+1), Saved: sg.ActionSteps, Typed: tg.ActionSteps},
			conflictRow{Label: fmt.Sprintf("Goal %d: status", i+1), Saved: sg.Status, Typed: tg.Status},
			conflictRow{Label: fmt.Sprintf("Goal %d: due", i+1), Saved: sg.Due, Typed: tg.Due})
	}
	for i := range rows {
		rows[i].Differs = strings.TrimSpace(rows[i].Saved) != strings.TrimSpace(rows[i].Typed)
	}
	rows = slices.DeleteFunc(rows, func(c conflictRow) bool { return !c.Differs && c.Saved == "" })
	v.Conflict = rows
	v.Plan = saved
	v.F.Version = saved.Version
	v.Message = "The plan was saved by someone else while you were editing it. The saved text and what you typed are side by side below; your text is still in the form. Save again to replace the saved plan with yours, or reload the page to start from it."
	s.renderPlan(w, r, http.StatusConflict, v)
}

func (s *Server) refreshPlanSubmit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	_, p, ok := s.growthTarget(w, r, trellis.KindGrowthPlan)
	if !ok {
		return
	}
	cur, err := s.growth.FindPlan(ctx, p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	period := r.PostFormValue("period")
	if period == "" {
		period = nextPeriod(cur.Period, s.now())
	}
	if _, err := s.growth.RefreshPlan(ctx, p.ID, period); err != nil {
		s.fail(w, r, withHint(err, "Back to", []link{{"The growth plan", planURL(p.ID)}}))
		return
	}
	http.Redirect(w, r, planURL(p.ID)+"?refreshed=1", http.StatusSeeOther)
}

// Career conversations.

func (s *Server) recordConversationSubmit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	_, p, ok := s.growthTarget(w, r, trellis.KindGrowthPlan)
	if !ok {
		return
	}
	var problems []trellis.FieldError
	date, ok := parseDate("date", strings.TrimSpace(r.PostFormValue("date")), &problems)
	if !ok && len(problems) == 0 {
		problems = append(problems, trellis.FieldError{Field: "date", Message: "the date of the conversation is required"})
	}
	if err := problemsError(problems); err != nil {
		s.fail(w, r, withHint(err, "Back to", []link{{"The growth plan", planURL(p.ID)}}))
		return
	}
	c := &trellis.Conversation{PersonID: p.ID, ManagerID: s.actor(r).Person.ID, Date: date, Notes: strings.TrimSpace(r.PostFormValue("notes"))}
	if err := s.growth.RecordConversation(ctx, c); err != nil {
		s.fail(w, r, withHint(err, "Back to", []link{{"The growth plan", planURL(p.ID)}}))
		return
	}
	http.Redirect(w, r, planURL(p.ID)+"?recorded=1#conversations", http.StatusSeeOther)
}

// confirmConversationSubmit is for the team member: only they can say a
// conversation happened. The route lets only the plan's owner in.
func (s *Server) confirmConversationSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.needGrowth(); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	pid := personID(r)
	cid, err := strconv.ParseInt(r.PathValue("cid"), 10, 64)
	if err != nil || cid <= 0 {
		s.fail(w, r, trellis.Errorf(trellis.ENOTFOUND, "No such conversation."))
		return
	}
	convs, err := s.growth.ListConversations(ctx, pid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !slices.ContainsFunc(convs, func(c *trellis.Conversation) bool { return c.ID == cid }) {
		s.fail(w, r, trellis.Errorf(trellis.ENOTFOUND, "No such conversation."))
		return
	}
	if err := s.growth.ConfirmConversation(ctx, cid); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, planURL(pid)+"?confirmed=1#conversations", http.StatusSeeOther)
}

// Target role.

type pathStep struct {
	From, To roleInfo
	Kind     string
	Note     string
}

type pathView struct {
	Role    roleInfo
	Steps   []pathStep
	Current bool // the plan's target
	// Openings are the open postings for the role.
	Openings []*trellis.Opening
}

type targetView struct {
	Head        growthHeadView
	P           *trellis.Person
	Plan        *trellis.GrowthPlan
	Role        roleInfo
	Paths       []pathView
	Target      roleInfo
	Stale       bool // the stored target is not reachable (any more)
	CanEdit     bool
	FrameworkID string
	Message     string
}

func (s *Server) targetPage(w http.ResponseWriter, r *http.Request) {
	s.renderTarget(w, r, http.StatusOK, "")
}

func (s *Server) renderTarget(w http.ResponseWriter, r *http.Request, status int, message string) {
	ctx := r.Context()
	t, p, ok := s.growthTarget(w, r, trellis.KindGrowthPlan)
	if !ok {
		return
	}
	plan, err := s.growth.FindPlan(ctx, p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fw, _, err := s.growthFramework(ctx, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	info := func(id string) roleInfo {
		ri := roleInfo{ID: id, Name: id, FrameworkID: fw.ID}
		if role, ok := fw.Role(id); ok {
			ri.Name, ri.Track, ri.Grade = role.Name, trackName(fw, role.Track), role.Grade
		}
		return ri
	}
	v := targetView{Head: s.growthHead(r, p, "target", "Target role"), P: p, Plan: plan, Role: info(p.RoleID), CanEdit: s.can(r, trellis.ActionEdit, t),
		FrameworkID: fw.ID, Message: message}
	if plan.TargetRoleID != "" {
		v.Target = info(plan.TargetRoleID)
		v.Stale = true
	}
	for _, path := range trellis.Reachable(fw, p.RoleID) {
		pv := pathView{Role: info(path.RoleID), Current: path.RoleID == plan.TargetRoleID, Openings: s.roleOpenings(ctx, path.RoleID)}
		if pv.Current {
			v.Stale = false
		}
		for _, st := range path.Steps {
			pv.Steps = append(pv.Steps, pathStep{From: info(st.From), To: info(st.To), Kind: st.Kind, Note: st.Note})
		}
		v.Paths = append(v.Paths, pv)
	}
	s.render(w, r, status, "target", layoutPage("Target role · "+p.Name, "plan", v))
}

func (s *Server) targetSubmit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	_, p, ok := s.growthTarget(w, r, trellis.KindGrowthPlan)
	if !ok {
		return
	}
	plan, err := s.growth.FindPlan(ctx, p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fw, _, err := s.growthFramework(ctx, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	role := strings.TrimSpace(r.PostFormValue("target"))
	if role != "" && !slices.ContainsFunc(trellis.Reachable(fw, p.RoleID), func(path trellis.Path) bool { return path.RoleID == role }) {
		s.renderTarget(w, r, http.StatusBadRequest, fmt.Sprintf("%q is not a role reachable from %s; choose one of the roles listed.", role, p.RoleID))
		return
	}
	next := *plan
	next.TargetRoleID, next.TargetFramework = role, fw.ID
	if role == "" {
		next.TargetFramework = ""
	}
	if err := s.growth.SavePlan(ctx, &next, plan.Version); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, readinessURL(p.ID)+"?saved=target", http.StatusSeeOther)
}

// growthTarget opens a growth route about the person in the path: the
// growth services must be on and the person must be there. When not, it
// has answered the request and ok is false.
func (s *Server) growthTarget(w http.ResponseWriter, r *http.Request, kind trellis.Kind) (t trellis.Target, p *trellis.Person, ok bool) {
	if err := s.needGrowth(); err != nil {
		s.fail(w, r, err)
		return t, nil, false
	}
	t, p, err := s.personTarget(r.Context(), kind, personID(r))
	if err != nil {
		s.fail(w, r, err)
		return t, nil, false
	}
	return t, p, true
}
