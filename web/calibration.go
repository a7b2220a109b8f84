package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"trellis"
	"trellis/markdown"
	"trellis/web/svg"
)

// Calibration: leadership and the people partner review all nominations of
// a cycle side by side, grouped by target level: the summary, readiness
// against the framework version frozen at nomination, the checks, the
// feedback and the time in role. Directors of the candidate's department
// decide, with a rationale either way. The cycle's health figures come
// with it: promotion rate, time in role at promotion, the spread across
// teams and regions with the outliers flagged.

// calibrationStates are the states a document shows in calibration.
var calibrationStates = []string{trellis.DocNominated, trellis.DocInCalibration, trellis.DocDecidedYes, trellis.DocDecidedNo,
	trellis.DocEffective, trellis.DocInLibrary}

type calibCase struct {
	D           *trellis.Document
	P           *trellis.Person
	Role        string
	Grade       int
	CurrentRole string
	TimeInRole  string
	Teams       string
	Summary     template.HTML
	Readiness   *trellis.Readiness
	Errors      int
	Warnings    int
	Findings    []findingView
	Feedback    []feedbackView
	Decision    *trellis.Decision
	DecidedBy   string
	State       string
	StateClass  string
	CanDecide   bool
	CanOpen     bool // open calibration (nominated -> in calibration)
	CanRead     bool
}

type calibGroup struct {
	Level string
	Grade int
	Cases []calibCase
}

type calibView struct {
	C        *trellis.Cycle
	Groups   []calibGroup
	Stats    trellis.CycleStats
	Median   string
	TeamSVG  template.HTML
	RegSVG   template.HTML
	Count    int
	Message  string
	Notice   string
	Form     decisionForm
	Decided  int
	Approved int
	// RatePct and ApprovalPct are the rates as people read them.
	RatePct, ApprovalPct string
}

type decisionForm struct {
	DocID     int64
	Outcome   string
	Rationale string
}

// calibration is the data of the page and of the API.
type calibration struct {
	Cycle     *trellis.Cycle
	Cases     []calibCase
	Stats     trellis.CycleStats
	Decisions []*trellis.Decision
}

func humanDuration(d time.Duration) string {
	if d <= 0 {
		return "unknown"
	}
	months := int(d.Hours() / 24 / 30.44)
	switch {
	case months < 1:
		return "less than a month"
	case months < 24:
		return fmt.Sprintf("%d months", months)
	}
	return fmt.Sprintf("%d years %d months", months/12, months%12)
}

func (s *Server) loadCalibration(r *http.Request, c *trellis.Cycle) (*calibration, error) {
	ctx := r.Context()
	cid := c.ID
	var docs []*trellis.Document
	cursor := ""
	for {
		page, err := s.documents.ListDocuments(ctx, trellis.DocumentFilter{CycleID: &cid, States: calibrationStates, Limit: trellis.MaxListLimit, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		docs = append(docs, page.Items...)
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	decisions, err := s.cycles.ListDecisions(ctx, cid)
	if err != nil {
		return nil, err
	}
	latest := map[int64]*trellis.Decision{}
	for _, d := range decisions {
		if cur, ok := latest[d.DocumentID]; !ok || !d.DecidedAt.Before(cur.DecidedAt) {
			latest[d.DocumentID] = d
		}
	}
	out := &calibration{Cycle: c, Decisions: decisions}
	people := map[int64]*trellis.Person{}
	n := s.nameCache()
	fws := map[string]*trellis.Framework{}
	for _, d := range docs {
		dc, err := s.loadDocumentID(r, d.ID, "")
		if err != nil {
			if trellis.ErrorCode(err) == trellis.ENOTFOUND {
				continue
			}
			return nil, err
		}
		key := d.FrameworkID + "@" + d.FrameworkVersion
		if fw, ok := fws[key]; ok {
			dc.FW = fw
		} else {
			fws[key] = dc.FW
		}
		people[dc.P.ID] = dc.P
		cc := s.calibCase(r, dc, n)
		if dec, ok := latest[d.ID]; ok {
			cc.Decision = dec
			cc.DecidedBy = n.of(ctx, dec.DecidedBy)
		}
		out.Cases = append(out.Cases, cc)
	}
	all, err := s.activePeople(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range all {
		if _, ok := people[p.ID]; !ok {
			people[p.ID] = p
		}
	}
	out.Stats = trellis.ComputeCycleStats(docs, decisions, people, nil, s.now())
	return out, nil
}

// activePeople lists everyone active, for the headcounts of the cycle's
// figures.
func (s *Server) activePeople(ctx context.Context) ([]*trellis.Person, error) {
	var out []*trellis.Person
	cursor := ""
	for {
		page, err := s.people.ListPeople(ctx, trellis.PersonFilter{Limit: trellis.MaxListLimit, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" || len(out) > 100000 {
			return out, nil
		}
		cursor = page.NextCursor
	}
}

func (s *Server) calibCase(r *http.Request, dc *docCtx, n *nameCache) calibCase {
	ctx := r.Context()
	d := dc.D
	cc := calibCase{D: d, P: dc.P, Role: dc.roleName(), State: stateLabel(d.State), StateClass: stateClass(d.State),
		CanRead: s.can(r, trellis.ActionRead, dc.T), Summary: markdown.HTML(d.Section("summary"))}
	if dc.Role != nil && dc.Role.Grade != nil {
		cc.Grade = *dc.Role.Grade
	}
	if role, ok := dc.FW.Role(dc.P.RoleID); ok {
		cc.CurrentRole = role.Name
	} else {
		cc.CurrentRole = dc.P.RoleID
	}
	if !dc.P.RoleSince.IsZero() {
		cc.TimeInRole = humanDuration(s.now().Sub(dc.P.RoleSince))
	} else {
		cc.TimeInRole = "unknown"
	}
	cc.Teams = strings.Join(append(slices.Clone(dc.P.Teams), dc.P.Regions...), ", ")
	// Readiness against the frozen framework version, from the evidence
	// the viewer may read and the assessments in that version.
	var ev []trellis.CompetencyEvidence
	if s.evidence != nil {
		owner := dc.T
		owner.Kind = trellis.KindEvidence
		if vis := s.readableVisibilities(r, owner); len(vis) > 0 {
			ev, _ = s.evidence.EvidenceByCompetency(ctx, dc.P.ID, vis)
		}
	}
	var as []*trellis.Assessment
	if s.readiness != nil {
		as, _ = s.readiness.ListAssessments(ctx, dc.P.ID, trellis.Ref{ID: d.FrameworkID, Version: d.FrameworkVersion}, d.TargetRole)
	}
	cc.Readiness = trellis.ComputeReadiness(trellis.ReadinessInput{Framework: dc.FW, RoleID: d.TargetRole, Evidence: ev, Assessments: as, Today: s.now()})
	cc.Findings = s.findings(dc)
	for _, f := range cc.Findings {
		if f.Error {
			cc.Errors++
		} else {
			cc.Warnings++
		}
	}
	if fb, err := s.documents.ListFeedback(ctx, d.ID); err == nil {
		var answered []*trellis.FeedbackRequest
		for _, f := range fb {
			if f.AnsweredAt != nil {
				answered = append(answered, f)
			}
		}
		cc.Feedback = s.feedbackViews(r, answered, true)
	}
	decide := trellis.Target{Kind: trellis.KindDecision, Owner: dc.T.Owner, OwnerChain: dc.T.OwnerChain}
	cc.CanDecide = d.State == trellis.DocInCalibration && s.can(r, trellis.ActionDecide, decide) && !s.actor(r).ReadOnly
	cc.CanOpen = d.State == trellis.DocNominated && s.mayTry(r, dc, d, trellis.DocInCalibration) == nil
	return cc
}

func (s *Server) calibrationPage(w http.ResponseWriter, r *http.Request) {
	c, err := s.loadCycle(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := calibView{}
	switch q := r.URL.Query(); {
	case q.Get("decided") != "":
		v.Notice = "Decision recorded; the candidate and their manager are told, with the rationale."
	case q.Get("opened") != "":
		v.Notice = "Calibration opened for the nomination."
	}
	s.renderCalibration(w, r, http.StatusOK, c, v)
}

func (s *Server) renderCalibration(w http.ResponseWriter, r *http.Request, status int, c *trellis.Cycle, v calibView) {
	cal, err := s.loadCalibration(r, c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.C, v.Stats, v.Count = c, cal.Stats, len(cal.Cases)
	v.Median = humanDuration(cal.Stats.TimeInRoleMedian)
	v.RatePct = fmt.Sprintf("%.1f%%", cal.Stats.Rate*100)
	v.ApprovalPct = fmt.Sprintf("%.0f%%", cal.Stats.ApprovalRate*100)
	groups := map[int]*calibGroup{}
	for _, cc := range cal.Cases {
		g, ok := groups[cc.Grade]
		if !ok {
			g = &calibGroup{Grade: cc.Grade, Level: "Grade " + strconv.Itoa(cc.Grade)}
			if cc.Grade == 0 {
				g.Level = "No grade"
			}
			groups[cc.Grade] = g
		}
		g.Cases = append(g.Cases, cc)
		if cc.Decision != nil {
			v.Decided++
			if cc.Decision.Approved {
				v.Approved++
			}
		}
	}
	for _, g := range groups {
		slices.SortFunc(g.Cases, func(a, b calibCase) int { return strings.Compare(a.Role+a.P.Name, b.Role+b.P.Name) })
		v.Groups = append(v.Groups, *g)
	}
	slices.SortFunc(v.Groups, func(a, b calibGroup) int { return b.Grade - a.Grade })
	v.TeamSVG = groupBars("Nominated and approved by team", cal.Stats.ByTeam)
	v.RegSVG = groupBars("Nominated and approved by region", cal.Stats.ByRegion)
	s.render(w, r, status, "calibration", layoutPage("Calibration · "+c.Name, "cycles", v))
}

func groupBars(title string, groups []trellis.GroupStat) template.HTML {
	if len(groups) == 0 {
		return ""
	}
	bars := make([]svg.Bar, 0, len(groups))
	for _, g := range groups {
		bars = append(bars, svg.Bar{Label: g.Group, Whole: g.Nominated, Part: g.Approved, Flagged: g.Outlier})
	}
	return template.HTML(svg.Bars(title, bars)) // drawn by our svg package, every text escaped
}

// decisionSubmit records a decision with its rationale: only a director of
// the candidate's department decides, and the rationale is required either
// way.
func (s *Server) decisionSubmit(w http.ResponseWriter, r *http.Request) {
	c, err := s.loadCycle(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back := []link{{"Calibration", cycleURL(c.ID) + "/calibration"}}
	docID, err := strconv.ParseInt(r.PostFormValue("document_id"), 10, 64)
	if err != nil || docID <= 0 {
		s.fail(w, r, withHint(errNoDocument, "Back", back))
		return
	}
	dc, err := s.loadDocumentID(r, docID, "")
	if err != nil {
		s.fail(w, r, withHint(err, "Back", back))
		return
	}
	if dc.D.CycleID == nil || *dc.D.CycleID != c.ID {
		s.fail(w, r, withHint(trellis.Errorf(trellis.ENOTFOUND, "The document is not a nomination of %s.", c.Name), "Back", back))
		return
	}
	outcome := r.PostFormValue("outcome")
	rationale := strings.TrimSpace(r.PostFormValue("rationale"))
	form := decisionForm{DocID: docID, Outcome: outcome, Rationale: rationale}
	decide := trellis.Target{Kind: trellis.KindDecision, Owner: dc.T.Owner, OwnerChain: dc.T.OwnerChain}
	if err := s.check(r, trellis.ActionDecide, decide); err != nil {
		if trellis.ErrorCode(err) == trellis.ENOTFOUND {
			err = trellis.Errorf(trellis.EFORBIDDEN, "Only a director of the candidate's department decides.")
		}
		s.fail(w, r, withHint(err, "Back", back))
		return
	}
	var problem string
	switch {
	case outcome != "approve" && outcome != "not-approve":
		problem = "Choose approve or not approve."
	case rationale == "":
		problem = "Write the rationale: the candidate reads it, whether the promotion is approved or not."
	}
	if problem != "" {
		s.renderCalibration(w, r, http.StatusBadRequest, c, calibView{Message: problem, Form: form})
		return
	}
	to := trellis.DocDecidedNo
	if outcome == "approve" {
		to = trellis.DocDecidedYes
	}
	if err := s.checkMove(r, dc, dc.D, to, rationale); err != nil {
		if code := trellis.ErrorCode(err); code == trellis.ERULE || code == trellis.EINVALID {
			s.renderCalibration(w, r, ErrorStatus(err), c, calibView{Message: trellis.ErrorMessage(err), Form: form})
			return
		}
		s.fail(w, r, withHint(err, "Back", back))
		return
	}
	dec := &trellis.Decision{DocumentID: docID, CycleID: &c.ID, Approved: outcome == "approve", Rationale: rationale,
		DecidedBy: s.actor(r).Person.ID, DecidedAt: s.now()}
	if err := s.cycles.RecordDecision(r.Context(), dec); err != nil {
		if code := trellis.ErrorCode(err); code == trellis.EINVALID || code == trellis.ERULE {
			s.renderCalibration(w, r, ErrorStatus(err), c, calibView{Message: trellis.ErrorMessage(err), Form: form})
			return
		}
		s.fail(w, r, withHint(err, "Back", back))
		return
	}
	http.Redirect(w, r, cycleURL(c.ID)+"/calibration?decided=1#d-"+strconv.FormatInt(docID, 10), http.StatusSeeOther)
}

// openCalibrationSubmit moves a nomination into calibration.
func (s *Server) openCalibrationSubmit(w http.ResponseWriter, r *http.Request) {
	c, err := s.loadCycle(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back := []link{{"Calibration", cycleURL(c.ID) + "/calibration"}}
	docID, err := strconv.ParseInt(r.PostFormValue("document_id"), 10, 64)
	if err != nil || docID <= 0 {
		s.fail(w, r, withHint(errNoDocument, "Back", back))
		return
	}
	dc, err := s.loadDocumentID(r, docID, "")
	if err != nil {
		s.fail(w, r, withHint(err, "Back", back))
		return
	}
	if dc.D.CycleID == nil || *dc.D.CycleID != c.ID {
		s.fail(w, r, withHint(trellis.Errorf(trellis.ENOTFOUND, "The document is not a nomination of %s.", c.Name), "Back", back))
		return
	}
	if err := s.checkMove(r, dc, dc.D, trellis.DocInCalibration, ""); err != nil {
		s.fail(w, r, withHint(err, "Back", back))
		return
	}
	if _, err := s.documents.MoveDocument(r.Context(), docID, trellis.DocInCalibration, "", dc.D.Version); err != nil {
		s.fail(w, r, withHint(err, "Back", back))
		return
	}
	http.Redirect(w, r, cycleURL(c.ID)+"/calibration?opened=1#d-"+strconv.FormatInt(docID, 10), http.StatusSeeOther)
}
