package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"trellis"
	"trellis/importcsv"
)

// Promotion cycles with their dated phases and nominations, out-of-cycle
// nominations with their longer approval chain, and projections: each
// manager's list of candidates (replacing the spreadsheet) and the
// leadership view across teams.

func cycleURL(id int64) string { return "/cycles/" + strconv.FormatInt(id, 10) }

func (s *Server) needCycles() error {
	if s.cycles == nil || s.documents == nil {
		return trellis.Errorf(trellis.EUNAVAILABLE, "Promotion cycles are not available on this server.")
	}
	return nil
}

var phaseLabels = map[string]string{
	trellis.PhaseDrafting:           "Drafting",
	trellis.PhaseManagerReview:      "Manager review",
	trellis.PhaseNominationDeadline: "Nomination deadline",
	trellis.PhaseCalibration:        "Calibration",
	trellis.PhaseApprovals:          "Approvals",
	trellis.PhaseCommunication:      "Communication",
	trellis.PhaseEffective:          "Effective date",
}

func phaseLabel(p string) string {
	if l, ok := phaseLabels[p]; ok {
		return l
	}
	if p == "" {
		return "Not started"
	}
	return p
}

type phaseView struct {
	ID, Label, Date, Value string
	Current, Past          bool
	Error                  string
}

func (s *Server) phases(c *trellis.Cycle) []phaseView {
	cur := ""
	if c.ID != 0 {
		cur = c.PhaseAt(s.now())
	}
	past := cur != ""
	var out []phaseView
	for _, p := range trellis.CyclePhases {
		pv := phaseView{ID: p, Label: phaseLabel(p), Current: p == cur}
		if p == cur {
			past = false
		} else {
			pv.Past = past
		}
		if t, ok := c.Phases[p]; ok && !t.IsZero() {
			pv.Date, pv.Value = t.Format("Mon 2 Jan 2006"), t.Format(importcsv.DateFormat)
		}
		out = append(out, pv)
	}
	return out
}

type cycleRow struct {
	C       *trellis.Cycle
	Phase   string
	Open    bool
	Current bool
}

type nominationRow struct {
	D          *trellis.Document
	Candidate  string
	Role       string
	State      string
	StateClass string
	Chain      string
}

type cyclesView struct {
	Rows       []cycleRow
	OutOfCycle []nominationRow
	CanCreate  bool
	Year       int
	Notice     string
	Message    string
}

// outOfCycleChain says who approves a nomination outside any cycle: the
// longer chain ends with a director of the department.
const outOfCycleChain = "manager → manager's manager → director of the department (with a written reason) → calibration"

func (s *Server) cyclesPage(w http.ResponseWriter, r *http.Request) {
	if err := s.needCycles(); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	list, err := s.cycles.ListCycles(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := cyclesView{CanCreate: s.can(r, trellis.ActionCreate, trellis.Target{Kind: trellis.KindCycle}), Year: s.now().Year()}
	for _, c := range list {
		ph := c.PhaseAt(s.now())
		v.Rows = append(v.Rows, cycleRow{C: c, Phase: phaseLabel(ph), Open: c.Open(s.now()), Current: ph != "" && ph != trellis.PhaseEffective})
	}
	page, err := s.documents.ListDocuments(ctx, trellis.DocumentFilter{States: []string{trellis.DocApproved, trellis.DocNominated, trellis.DocInCalibration,
		trellis.DocDecidedYes, trellis.DocDecidedNo}, Limit: trellis.MaxListLimit})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, d := range page.Items {
		if !d.OutOfCycle {
			continue
		}
		if row, ok := s.nominationRow(r, d); ok {
			row.Chain = outOfCycleChain
			v.OutOfCycle = append(v.OutOfCycle, row)
		}
	}
	switch q := r.URL.Query(); {
	case q.Get("created") != "":
		v.Notice = "Created " + q.Get("created") + "."
	}
	s.render(w, r, http.StatusOK, "cycles", layoutPage("Promotion cycles", "cycles", v))
}

// nominationRow shows a document in a cycle's lists when the viewer may
// read it.
func (s *Server) nominationRow(r *http.Request, d *trellis.Document) (nominationRow, bool) {
	ctx := r.Context()
	t, p, err := s.personTarget(ctx, trellis.KindDocument, d.PersonID)
	if err != nil || !s.can(r, trellis.ActionRead, docTarget(t, d)) {
		return nominationRow{}, false
	}
	return nominationRow{D: d, Candidate: p.Name, Role: s.roleNameIn(ctx, d.FrameworkID, d.FrameworkVersion, d.TargetRole),
		State: stateLabel(d.State), StateClass: stateClass(d.State)}, true
}

type cycleView struct {
	C           *trellis.Cycle
	Phases      []phaseView
	Current     string
	Open        bool
	Nominations []nominationRow
	Hidden      int
	CanEdit     bool
	CanCalib    bool
	Name        string
	Message     string
	Notice      string
}

func (s *Server) loadCycle(r *http.Request) (*trellis.Cycle, error) {
	if err := s.needCycles(); err != nil {
		return nil, err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, trellis.Errorf(trellis.ENOTFOUND, "No such cycle.")
	}
	c, err := s.cycles.FindCycle(r.Context(), id)
	if err != nil {
		if trellis.ErrorCode(err) == trellis.ENOTFOUND {
			return nil, withHint(trellis.Errorf(trellis.ENOTFOUND, "No such cycle."), "See", []link{{"All cycles", "/cycles"}})
		}
		return nil, err
	}
	return c, nil
}

func (s *Server) cyclePage(w http.ResponseWriter, r *http.Request) {
	c, err := s.loadCycle(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	notice := ""
	if r.URL.Query().Get("saved") != "" {
		notice = "Saved."
	}
	s.renderCycle(w, r, http.StatusOK, c, c, nil, notice)
}

func (s *Server) renderCycle(w http.ResponseWriter, r *http.Request, status int, stored, shown *trellis.Cycle, formErr error, notice string) {
	ctx := r.Context()
	cid := stored.ID
	page, err := s.documents.ListDocuments(ctx, trellis.DocumentFilter{CycleID: &cid, Limit: trellis.MaxListLimit})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := cycleView{C: stored, Phases: s.phases(shown), Current: phaseLabel(stored.PhaseAt(s.now())), Open: stored.Open(s.now()),
		CanEdit:  s.can(r, trellis.ActionEdit, trellis.Target{Kind: trellis.KindCycle}),
		CanCalib: s.can(r, trellis.ActionRead, trellis.Target{Kind: trellis.KindCalibration}), Name: shown.Name, Notice: notice}
	if formErr != nil {
		v.Phases, v.Message = phaseErrors(withRaw(r, s.phases(shown)), formErr), trellis.ErrorMessage(formErr)
	}
	for _, d := range page.Items {
		if row, ok := s.nominationRow(r, d); ok {
			v.Nominations = append(v.Nominations, row)
		} else {
			v.Hidden++
		}
	}
	s.render(w, r, status, "cycle", layoutPage(stored.Name, "cycles", v))
}

type cycleFormView struct {
	Name    string
	Phases  []phaseView
	Message string
	Year    int
}

func (s *Server) newCycleForm(w http.ResponseWriter, r *http.Request) {
	if err := s.needCycles(); err != nil {
		s.fail(w, r, err)
		return
	}
	year := s.now().Year()
	c := trellis.DefaultCycles(year + 1)[0]
	c.Name = ""
	s.render(w, r, http.StatusOK, "cycle_form", layoutPage("New cycle", "cycles", cycleFormView{Phases: s.phases(c), Year: year}))
}

// readCycleForm reads the name and phase dates of a cycle form.
func readCycleForm(r *http.Request, c *trellis.Cycle) []trellis.FieldError {
	var problems []trellis.FieldError
	c.Name = strings.TrimSpace(r.PostFormValue("name"))
	c.Phases = map[string]time.Time{}
	for _, p := range trellis.CyclePhases {
		v := strings.TrimSpace(r.PostFormValue(p))
		if v == "" {
			continue
		}
		d, err := time.Parse(importcsv.DateFormat, v)
		if err != nil {
			problems = append(problems, trellis.FieldError{Field: "phases." + p, Message: v + " is not a date (YYYY-MM-DD)"})
			continue
		}
		c.Phases[p] = d
	}
	return problems
}

// phaseErrors puts a cycle error's field messages on the phases.
func phaseErrors(phases []phaseView, err error) []phaseView {
	for _, d := range trellis.ErrorDetails(err) {
		for i := range phases {
			if d.Field == "phases."+phases[i].ID {
				phases[i].Error = d.Message
			}
		}
	}
	return phases
}

// withRaw keeps the dates as typed in the form, also those that did not
// parse.
func withRaw(r *http.Request, phases []phaseView) []phaseView {
	for i := range phases {
		phases[i].Value = strings.TrimSpace(r.PostFormValue(phases[i].ID))
	}
	return phases
}

func (s *Server) createCycleSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.needCycles(); err != nil {
		s.fail(w, r, err)
		return
	}
	c := &trellis.Cycle{}
	problems := readCycleForm(r, c)
	err := problemsError(problems)
	if err == nil {
		c.Normalize()
		if err = c.Validate(); err == nil {
			err = s.cycles.CreateCycle(r.Context(), c)
		}
	}
	if err != nil {
		if code := trellis.ErrorCode(err); code != trellis.EINVALID && code != trellis.ERULE && code != trellis.ECONFLICT {
			s.fail(w, r, err)
			return
		}
		v := cycleFormView{Name: c.Name, Phases: phaseErrors(withRaw(r, s.phases(c)), err), Message: trellis.ErrorMessage(err), Year: s.now().Year()}
		s.render(w, r, ErrorStatus(err), "cycle_form", layoutPage("New cycle", "cycles", v))
		return
	}
	http.Redirect(w, r, cycleURL(c.ID)+"?saved=1", http.StatusSeeOther)
}

// createDefaultCyclesSubmit creates the year's two default cycles, leaving
// out any whose name is taken.
func (s *Server) createDefaultCyclesSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.needCycles(); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	year, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("year")))
	if err != nil || year < 2000 || year > 2200 {
		s.fail(w, r, withHint(&trellis.Error{Code: trellis.EINVALID, Message: "Give the year as four digits, such as 2027.",
			Details: []trellis.FieldError{{Field: "year", Message: "not a year"}}}, "Back", []link{{"Cycles", "/cycles"}}))
		return
	}
	existing, err := s.cycles.ListCycles(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var made []string
	for _, c := range trellis.DefaultCycles(year) {
		if slices.ContainsFunc(existing, func(x *trellis.Cycle) bool { return x.Name == c.Name }) {
			continue
		}
		if err := s.cycles.CreateCycle(ctx, c); err != nil {
			s.fail(w, r, err)
			return
		}
		made = append(made, c.Name)
	}
	if len(made) == 0 {
		s.fail(w, r, withHint(trellis.Errorf(trellis.ECONFLICT, "The cycles of %d exist already.", year), "See", []link{{"Cycles", "/cycles"}}))
		return
	}
	http.Redirect(w, r, "/cycles?created="+strings.Join(made, "+and+"), http.StatusSeeOther)
}

func (s *Server) updateCycleSubmit(w http.ResponseWriter, r *http.Request) {
	c, err := s.loadCycle(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	next := *c
	problems := readCycleForm(r, &next)
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	err = problemsError(problems)
	if err == nil && version != c.Version {
		err = trellis.Errorf(trellis.ECONFLICT, "Someone changed the cycle while you were editing it (it is at version %d). Your dates are still in the form; save again to replace theirs.", c.Version)
	}
	if err == nil {
		next.Normalize()
		if err = next.Validate(); err == nil {
			err = s.cycles.UpdateCycle(r.Context(), &next, version)
		}
	}
	if err != nil {
		if code := trellis.ErrorCode(err); code != trellis.EINVALID && code != trellis.ERULE && code != trellis.ECONFLICT {
			s.fail(w, r, err)
			return
		}
		s.renderCycle(w, r, ErrorStatus(err), c, &next, err, "")
		return
	}
	http.Redirect(w, r, cycleURL(c.ID)+"?saved=1", http.StatusSeeOther)
}

// Projections.

type projectionRow struct {
	P        *trellis.Person
	Pr       *trellis.Projection
	Role     string
	Targets  []choice
	Cycles   []choice
	Statuses []choice
	Note     string
	Version  int
	CanEdit  bool
	Manager  string
	Cycle    string
	Status   string
	Target   string
	// History is the projection's saved states, newest first; Workflow
	// is the newest when a move of the candidate's document set it.
	History  []projectionStep
	Workflow *projectionStep
}

// projectionStep is one saved state of a projection, as the page shows it.
type projectionStep struct {
	When   string
	Status string
	Target string
	Cycle  string
	By     string
	Note   string
	Move   string // what in the workflow set it; "" by hand
	DocURL string // the document whose move set it
}

// projectionMoves names the workflow moves that set projections.
var projectionMoves = map[string]string{
	"document.nominate":  "nominated",
	"document.decide":    "not approved in calibration",
	"document.effective": "promotion took effect",
	"document.withdraw":  "nomination withdrawn",
}

// addProjectionHistory fills in the history of each row's projection.
func (s *Server) addProjectionHistory(r *http.Request, rows []projectionRow) {
	ctx := r.Context()
	var ids []int64
	for _, row := range rows {
		if row.Pr != nil {
			ids = append(ids, row.P.ID)
		}
	}
	if len(ids) == 0 {
		return
	}
	list, err := s.cycles.ProjectionHistory(ctx, ids)
	if err != nil {
		return
	}
	cycles := map[int64]string{}
	if all, err := s.cycles.ListCycles(ctx); err == nil {
		for _, c := range all {
			cycles[c.ID] = c.Name
		}
	}
	names := s.nameCache()
	byPerson := map[int64][]*trellis.ProjectionChange{}
	for _, c := range list {
		byPerson[c.PersonID] = append(byPerson[c.PersonID], c)
	}
	for i := range rows {
		row := &rows[i]
		roles := map[string]string{}
		for _, t := range row.Targets {
			roles[t.ID] = t.Name
		}
		changes := byPerson[row.P.ID]
		for j := len(changes) - 1; j >= 0; j-- {
			c := changes[j]
			st := projectionStep{When: c.ChangedAt.Format("2 Jan 2006"), Status: strings.ReplaceAll(c.Status, "-", " "),
				Target: c.TargetRole, Note: c.Note, By: "—"}
			if n, ok := roles[c.TargetRole]; ok {
				st.Target = n
			}
			if c.CycleID != nil {
				st.Cycle = cycles[*c.CycleID]
			}
			if c.ChangedBy != nil {
				st.By = names.of(ctx, *c.ChangedBy)
			}
			if c.DocumentID != nil {
				st.DocURL = documentURL(*c.DocumentID)
				st.Move = projectionMoves[c.Move]
				if st.Move == "" {
					st.Move = "the promotion workflow"
				}
			}
			row.History = append(row.History, st)
		}
		if len(row.History) > 0 && row.History[0].DocURL != "" {
			row.Workflow = &row.History[0]
		}
	}
}

type projectionsView struct {
	Rows     []projectionRow
	All      bool
	Team     string
	Status   string
	Cycle    string
	Manager  string
	Teams    []string
	Statuses []choice
	Cycles   []choice
	Notice   string
	Message  string
	Saved    int64
}

func (s *Server) cycleChoices(ctx context.Context, chosen *int64) []choice {
	list, err := s.cycles.ListCycles(ctx)
	if err != nil {
		return nil
	}
	var out []choice
	for _, c := range list {
		out = append(out, choice{ID: strconv.FormatInt(c.ID, 10), Name: c.Name, Checked: chosen != nil && *chosen == c.ID})
	}
	return out
}

func statusChoices(chosen string) []choice {
	var out []choice
	for _, st := range trellis.ProjectionStatuses {
		out = append(out, choice{ID: st, Name: strings.ReplaceAll(st, "-", " "), Checked: st == chosen})
	}
	return out
}

// projectionRowFor builds the row of one person with their projection.
func (s *Server) projectionRowFor(r *http.Request, p *trellis.Person, pr *trellis.Projection) projectionRow {
	ctx := r.Context()
	row := projectionRow{P: p, Pr: pr}
	fw, _, err := s.growthFramework(ctx, p)
	target := ""
	var cycle *int64
	status := "on-track"
	if pr != nil {
		target, cycle, status, row.Note, row.Version = pr.TargetRole, pr.CycleID, pr.Status, pr.Note, pr.Version
	}
	row.Status = strings.ReplaceAll(status, "-", " ")
	if err == nil {
		if role, ok := fw.Role(p.RoleID); ok {
			row.Role = role.Name
		}
		for _, path := range trellis.Reachable(fw, p.RoleID) {
			name := path.RoleID
			if role, ok := fw.Role(path.RoleID); ok {
				name = role.Name
			}
			row.Targets = append(row.Targets, choice{ID: path.RoleID, Name: name, Checked: path.RoleID == target})
			if path.RoleID == target {
				row.Target = name
			}
		}
		// A target no longer ahead of the person (the role a promotion
		// gave them) stays the projection's and the form's.
		if target != "" && row.Target == "" {
			name := target
			if role, ok := fw.Role(target); ok {
				name = role.Name
			}
			row.Target = name
			row.Targets = append([]choice{{ID: target, Name: name, Checked: true}}, row.Targets...)
		}
	}
	row.Cycles = s.cycleChoices(ctx, cycle)
	for _, c := range row.Cycles {
		if c.Checked {
			row.Cycle = c.Name
		}
	}
	row.Statuses = statusChoices(status)
	t, _, err := s.personTarget(ctx, trellis.KindAssessment, p.ID)
	row.CanEdit = err == nil && s.can(r, trellis.ActionEdit, t)
	return row
}

func (s *Server) projectionsPage(w http.ResponseWriter, r *http.Request) {
	if err := s.needCycles(); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	me := s.actor(r).Person
	reports, err := s.people.ListPeople(ctx, trellis.PersonFilter{ManagerID: &me.ID, Limit: trellis.MaxListLimit})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.cycles.ListProjections(ctx, &me.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	byPerson := map[int64]*trellis.Projection{}
	for _, p := range list {
		byPerson[p.PersonID] = p
	}
	v := projectionsView{}
	for _, p := range reports.Items {
		v.Rows = append(v.Rows, s.projectionRowFor(r, p, byPerson[p.ID]))
	}
	s.addProjectionHistory(r, v.Rows)
	if id, err := strconv.ParseInt(r.URL.Query().Get("saved"), 10, 64); err == nil {
		v.Saved, v.Notice = id, "Saved."
	}
	s.render(w, r, http.StatusOK, "projections", layoutPage("Projections", "projections", v))
}

func (s *Server) saveProjectionSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.needCycles(); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	back := []link{{"Projections", "/projections"}}
	pid, err := strconv.ParseInt(r.PostFormValue("person_id"), 10, 64)
	if err != nil || pid <= 0 {
		s.fail(w, r, withHint(trellis.Errorf(trellis.ENOTFOUND, "No such person."), "Back", back))
		return
	}
	t, p, err := s.personTarget(ctx, trellis.KindAssessment, pid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.check(r, trellis.ActionEdit, t); err != nil {
		s.fail(w, r, err)
		return
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	pr := &trellis.Projection{PersonID: p.ID, ManagerID: s.actor(r).Person.ID, TargetRole: strings.TrimSpace(r.PostFormValue("target_role")),
		Status: r.PostFormValue("status"), Note: strings.TrimSpace(r.PostFormValue("note"))}
	if c := r.PostFormValue("cycle"); c != "" {
		id, err := strconv.ParseInt(c, 10, 64)
		if err != nil {
			s.fail(w, r, withHint(&trellis.Error{Code: trellis.EINVALID, Message: "Choose a cycle from the list.",
				Details: []trellis.FieldError{{Field: "cycle", Message: "not a cycle"}}}, "Back", back))
			return
		}
		pr.CycleID = &id
	}
	if err := s.cycles.SaveProjection(ctx, pr, version); err != nil {
		s.fail(w, r, withHint(err, "Back", back))
		return
	}
	http.Redirect(w, r, "/projections?saved="+strconv.FormatInt(p.ID, 10)+"#p-"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}

// allProjectionsPage is leadership's view across teams, with filters.
func (s *Server) allProjectionsPage(w http.ResponseWriter, r *http.Request) {
	if err := s.needCycles(); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	v := projectionsView{All: true, Team: q.Get("team"), Status: q.Get("status"), Cycle: q.Get("cycle"), Manager: q.Get("manager")}
	list, err := s.cycles.ListProjections(ctx, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	teams := map[string]bool{}
	n := s.nameCache()
	for _, pr := range list {
		p, err := s.people.FindPerson(ctx, pr.PersonID)
		if err != nil {
			continue
		}
		for _, t := range p.Teams {
			teams[t] = true
		}
		if v.Team != "" && !slices.Contains(p.Teams, v.Team) {
			continue
		}
		if v.Status != "" && pr.Status != v.Status {
			continue
		}
		if v.Cycle != "" && (pr.CycleID == nil || strconv.FormatInt(*pr.CycleID, 10) != v.Cycle) {
			continue
		}
		if v.Manager != "" && strconv.FormatInt(pr.ManagerID, 10) != v.Manager {
			continue
		}
		row := s.projectionRowFor(r, p, pr)
		row.CanEdit = false
		row.Manager = n.of(ctx, pr.ManagerID)
		v.Rows = append(v.Rows, row)
	}
	s.addProjectionHistory(r, v.Rows)
	for t := range teams {
		v.Teams = append(v.Teams, t)
	}
	slices.Sort(v.Teams)
	v.Statuses = statusChoices(v.Status)
	var chosen *int64
	if id, err := strconv.ParseInt(v.Cycle, 10, 64); err == nil {
		chosen = &id
	}
	v.Cycles = s.cycleChoices(ctx, chosen)
	s.render(w, r, http.StatusOK, "projections", layoutPage("Projections across teams", "projections", v))
}
