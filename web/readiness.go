package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"trellis"
	"trellis/web/svg"
)

// Readiness for the target role, against a stated framework version: per
// expectation the evidence, the person's own assessment and the manager's,
// the considerations and resources as checklists, a summary, a radar chart
// per area, and what changed when a newer version is active than the one
// the assessments were made in.

func readinessURL(pid int64) string { return personURL(pid) + "/readiness" }

// readinessInputs is everything readiness is computed from, loaded for one
// person, target role and framework version.
type readinessInputs struct {
	FW      *trellis.Framework
	Ver     trellis.FrameworkVersion
	Active  trellis.FrameworkVersion // the active version of the same framework
	Plan    *trellis.GrowthPlan
	RoleID  string
	R       *trellis.Readiness
	Changes []trellis.ExpectationChange
	// ChangedFrom is the older version the person's assessments were made
	// in, when the page shows a newer one without any (or the version
	// itself, when an older version is shown).
	ChangedFrom string
}

// loadReadiness reads the target role (?target= or the plan's) and the
// framework version (?version= or the active one) and computes readiness.
func (s *Server) loadReadiness(r *http.Request, p *trellis.Person, target, version string) (*readinessInputs, error) {
	ctx := r.Context()
	plan, err := s.growth.FindPlan(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	in := &readinessInputs{Plan: plan, RoleID: target}
	fwID := plan.TargetFramework
	if in.RoleID == "" {
		in.RoleID = plan.TargetRoleID
	}
	if fwID == "" || target != "" {
		fw, _, err := s.growthFramework(ctx, p)
		if err != nil {
			return nil, err
		}
		fwID = fw.ID
	}
	in.FW, in.Ver, err = s.frameworks.FindFramework(ctx, trellis.Ref{ID: fwID, Version: version})
	if err != nil {
		return nil, err
	}
	if in.RoleID != "" {
		if _, ok := in.FW.Role(in.RoleID); !ok {
			return nil, &trellis.Error{Code: trellis.EINVALID, Message: fmt.Sprintf("%s %s has no role %q.", in.FW.ID, in.FW.Version, in.RoleID),
				Details: []trellis.FieldError{{Field: "target", Message: fmt.Sprintf("no role %q in %s@%s", in.RoleID, in.FW.ID, in.FW.Version)}}}
		}
	}
	in.Active = in.Ver
	if !in.Ver.Active {
		if _, av, err := s.frameworks.FindFramework(ctx, trellis.Ref{ID: fwID}); err == nil {
			in.Active = av
		}
	}
	ev, err := s.visibleEvidenceByCompetency(r, p)
	if err != nil {
		return nil, err
	}
	var as []*trellis.Assessment
	var items []*trellis.ChecklistItem
	if in.RoleID != "" {
		if as, err = s.readiness.ListAssessments(ctx, p.ID, trellis.Ref{ID: in.FW.ID, Version: in.FW.Version}, in.RoleID); err != nil {
			return nil, err
		}
		if items, err = s.readiness.ListChecklist(ctx, p.ID, in.FW.ID, in.RoleID); err != nil {
			return nil, err
		}
	}
	in.R = trellis.ComputeReadiness(trellis.ReadinessInput{Framework: in.FW, RoleID: in.RoleID, Evidence: ev, Assessments: as, Checklist: items, Today: s.now()})
	if in.RoleID == "" {
		return in, nil
	}
	// What changed: an older version is shown while a newer one is active,
	// or the active version has no assessments yet but an older one has.
	switch {
	case !in.Ver.Active && in.Active.Version != in.Ver.Version:
		active, _, err := s.frameworks.FindFramework(ctx, trellis.Ref{ID: fwID})
		if err == nil {
			in.Changes = trellis.TargetChanges(in.FW, active, in.RoleID)
			in.ChangedFrom = in.Ver.Version
		}
	case len(as) == 0:
		versions, err := s.frameworks.ListFrameworks(ctx)
		if err != nil {
			return nil, err
		}
		for i := len(versions) - 1; i >= 0; i-- {
			v := versions[i]
			if v.ID != fwID || v.Version == in.Ver.Version || v.ImportedAt.After(in.Ver.ImportedAt) {
				continue
			}
			old, err := s.readiness.ListAssessments(ctx, p.ID, trellis.Ref{ID: v.ID, Version: v.Version}, in.RoleID)
			if err != nil {
				return nil, err
			}
			if len(old) == 0 {
				continue
			}
			oldFW, _, err := s.frameworks.FindFramework(ctx, trellis.Ref{ID: v.ID, Version: v.Version})
			if err != nil {
				return nil, err
			}
			in.Changes = trellis.TargetChanges(oldFW, in.FW, in.RoleID)
			in.ChangedFrom = v.Version
			break
		}
	}
	return in, nil
}

type ratingChoice struct {
	ID, Label string
}

var ratingLabels = map[string]string{
	trellis.RatingNotYet:     "Not yet",
	trellis.RatingDeveloping: "Developing",
	trellis.RatingMeets:      "Meets",
	trellis.RatingExceeds:    "Exceeds",
}

func ratingLabel(r string) string {
	if l, ok := ratingLabels[r]; ok {
		return l
	}
	return r
}

type readinessRowView struct {
	trellis.ReadinessRow
	Name        string
	JournalURL  string
	SelfLabel   string
	ManagerLbl  string
	Met         bool
	NoEvidence  bool
	Anchor      string
	SelfComment string
	MgrComment  string
	SelfForm    assessForm
	MgrForm     assessForm
}

// assessForm is the data of one assessment form of a row.
type assessForm struct {
	P                                     *trellis.Person
	By, Competency, Name, Pinned, Current string
	Comment                               string
	Ratings                               []ratingChoice
}

type areaView struct {
	Name     string
	Coverage int // percent of expectations with evidence
	SVG      template.HTML
	Rows     []readinessRowView
}

type considerationView struct {
	trellis.ConsiderationStatus
	Evidence []choice // entries to pick from, checked when linked
	Linked   []choice
}

type resourceView struct {
	trellis.ResourceStatus
}

type changeView struct {
	trellis.ExpectationChange
	Name string
}

type readinessView struct {
	Head           growthHeadView
	P              *trellis.Person
	Target         roleInfo
	FW             *trellis.Framework
	Ver            trellis.FrameworkVersion
	Active         trellis.FrameworkVersion
	Versions       []trellis.FrameworkVersion
	Summary        trellis.ReadinessSummary
	Met            int
	Next           []readinessRowView
	Areas          []areaView
	Considerations []considerationView
	Resources      []resourceView
	Changes        []changeView
	ChangedFrom    string
	Ratings        []ratingChoice
	CanSelf        bool
	CanManager     bool
	CanChecklist   bool
	CanChoose      bool
	Notice         string
	Pinned         string // ?version= to carry in forms
	// Openings are the open postings for the target role.
	Openings []*trellis.Opening
}

func (s *Server) readinessPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t, p, ok := s.growthTarget(w, r, trellis.KindAssessment)
	if !ok {
		return
	}
	q := r.URL.Query()
	in, err := s.loadReadiness(r, p, strings.TrimSpace(q.Get("target")), strings.TrimSpace(q.Get("version")))
	if err != nil {
		s.fail(w, r, withHint(err, "See", []link{{"Readiness for the active version", readinessURL(p.ID)}}))
		return
	}
	gt := t
	gt.Kind = trellis.KindGrowthPlan
	v := readinessView{Head: s.growthHead(r, p, "readiness", "Readiness"), P: p, FW: in.FW, Ver: in.Ver, Active: in.Active,
		Summary: in.R.Summary, ChangedFrom: in.ChangedFrom, Pinned: q.Get("version"),
		CanSelf: s.can(r, trellis.ActionEdit, gt), CanManager: s.can(r, trellis.ActionCreate, t), CanChecklist: s.can(r, trellis.ActionEdit, gt)}
	v.CanChoose = v.CanSelf
	for _, rt := range trellis.Ratings {
		v.Ratings = append(v.Ratings, ratingChoice{ID: rt, Label: ratingLabel(rt)})
	}
	if all, err := s.frameworks.ListFrameworks(ctx); err == nil {
		for _, fv := range all {
			if fv.ID == in.FW.ID {
				v.Versions = append(v.Versions, fv)
			}
		}
	}
	if in.RoleID != "" {
		v.Target = roleInfo{ID: in.RoleID, Name: in.RoleID, FrameworkID: in.FW.ID}
		if role, ok := in.FW.Role(in.RoleID); ok {
			v.Target.Name, v.Target.Grade, v.Target.Track = role.Name, role.Grade, trackName(in.FW, role.Track)
		}
	}
	n := fwNames{in.FW}
	rowView := func(row trellis.ReadinessRow) readinessRowView {
		rv := readinessRowView{ReadinessRow: row, Name: n.competency(row.Competency), Met: row.Met(), NoEvidence: row.Evidence.Count == 0,
			JournalURL: journalURL(p.ID) + "?competency=" + url.QueryEscape(row.Competency), Anchor: "x-" + row.Competency}
		rv.SelfForm = assessForm{P: p, By: trellis.BySelf, Competency: row.Competency, Name: rv.Name, Pinned: v.Pinned, Ratings: v.Ratings}
		rv.MgrForm = rv.SelfForm
		rv.MgrForm.By = trellis.ByManager
		if row.Self != nil {
			rv.SelfLabel, rv.SelfComment = ratingLabel(row.Self.Rating), row.Self.Comment
			rv.SelfForm.Current, rv.SelfForm.Comment = row.Self.Rating, row.Self.Comment
		}
		if row.Manager != nil {
			rv.ManagerLbl, rv.MgrComment = ratingLabel(row.Manager.Rating), row.Manager.Comment
			rv.MgrForm.Current, rv.MgrForm.Comment = row.Manager.Rating, row.Manager.Comment
		}
		return rv
	}
	v.Met = in.R.Summary.MetByManager
	for _, row := range in.R.Summary.Next {
		v.Next = append(v.Next, rowView(row))
	}
	scale := make([]string, len(trellis.Ratings))
	for i, rt := range trellis.Ratings {
		scale[i] = strings.ToLower(ratingLabel(rt))
	}
	for _, a := range in.R.Areas {
		av := areaView{Name: a.Name, Coverage: int(a.Coverage*100 + 0.5)}
		var axes []svg.RadarAxis
		for _, row := range in.R.Rows {
			if row.Area != a.Area {
				continue
			}
			av.Rows = append(av.Rows, rowView(row))
			ax := svg.RadarAxis{Label: n.competency(row.Competency), Self: -1, Manager: -1}
			if row.Self != nil {
				ax.Self = float64(trellis.RatingScore(row.Self.Rating))
			}
			if row.Manager != nil {
				ax.Manager = float64(trellis.RatingScore(row.Manager.Rating))
			}
			axes = append(axes, ax)
		}
		if len(av.Rows) == 0 {
			continue
		}
		chart := svg.RadarOf(axes, svg.RadarOptions{Title: a.Name + ": self-assessment and manager's assessment", Scale: scale,
			SelfLabel: "Self-assessment", ManagerLabel: "Manager's assessment", IDPrefix: "r-" + a.Area + "-"})
		// The chart escapes every text it draws.
		av.SVG = template.HTML(chart.SVG())
		v.Areas = append(v.Areas, av)
	}
	// Evidence to back considerations: the person's recent entries, for the
	// person only (they tick them).
	var recent []*trellis.Evidence
	if v.CanChecklist && len(in.R.Considerations) > 0 {
		page, err := s.evidence.ListEvidence(ctx, trellis.EvidenceFilter{PersonID: p.ID, Limit: 30})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		recent = page.Items
	}
	for _, c := range in.R.Considerations {
		cv := considerationView{ConsiderationStatus: c}
		for _, e := range recent {
			cv.Evidence = append(cv.Evidence, choice{ID: strconv.FormatInt(e.ID, 10), Name: e.Date.Format("2 Jan 2006") + " · " + e.Title,
				Checked: slices.Contains(c.EvidenceIDs, e.ID)})
		}
		for _, id := range c.EvidenceIDs {
			cv.Linked = append(cv.Linked, choice{ID: strconv.FormatInt(id, 10), Name: "entry " + strconv.FormatInt(id, 10)})
		}
		for i, e := range recent {
			if slices.Contains(c.EvidenceIDs, e.ID) {
				for j := range cv.Linked {
					if cv.Linked[j].ID == cv.Evidence[i].ID {
						cv.Linked[j].Name = e.Title
					}
				}
			}
		}
		v.Considerations = append(v.Considerations, cv)
	}
	for _, rs := range in.R.Resources {
		v.Resources = append(v.Resources, resourceView{rs})
	}
	for _, c := range in.Changes {
		v.Changes = append(v.Changes, changeView{ExpectationChange: c, Name: n.competency(c.Competency)})
	}
	switch {
	case q.Get("saved") == "target":
		v.Notice = "The target role is saved."
	case q.Get("assessed") != "":
		v.Notice = "The assessment is saved."
	case q.Get("checked") != "":
		v.Notice = "The checklist is saved."
	}
	v.Openings = s.roleOpenings(ctx, v.Target.ID)
	s.render(w, r, http.StatusOK, "readiness", layoutPage("Readiness · "+p.Name, "readiness", v))
}

// assessSubmit saves one assessment: by the person (self) or the manager.
// The routes let in only who may: the growth plan's editor for the person's
// own view, the assessment's author for the manager's.
func (s *Server) assessSubmit(by string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := s.needGrowth(); err != nil {
			s.fail(w, r, err)
			return
		}
		ctx := r.Context()
		_, p, err := s.personTarget(ctx, trellis.KindAssessment, personID(r))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		version := strings.TrimSpace(r.PostFormValue("version"))
		in, err := s.loadReadiness(r, p, "", version)
		back := readinessURL(p.ID)
		if version != "" {
			back += "?version=" + url.QueryEscape(version)
		}
		if err != nil {
			s.fail(w, r, withHint(err, "Back to", []link{{"Readiness", back}}))
			return
		}
		if in.RoleID == "" {
			s.fail(w, r, withHint(trellis.Errorf(trellis.ERULE, "Choose a target role first; readiness is measured against it."), "Choose", []link{{"Target role", targetURL(p.ID)}}))
			return
		}
		a := &trellis.Assessment{PersonID: p.ID, FrameworkID: in.FW.ID, FrameworkVersion: in.FW.Version, RoleID: in.RoleID,
			Competency: strings.TrimSpace(r.PostFormValue("competency")), By: by, Rating: strings.TrimSpace(r.PostFormValue("rating")),
			Comment: strings.TrimSpace(r.PostFormValue("comment")), AssessorID: s.actor(r).Person.ID}
		if err := s.readiness.SaveAssessment(ctx, a); err != nil {
			s.fail(w, r, withHint(err, "Back to", []link{{"Readiness", back}}))
			return
		}
		sep := "?"
		if strings.Contains(back, "?") {
			sep = "&"
		}
		http.Redirect(w, r, back+sep+"assessed=1#x-"+url.QueryEscape(a.Competency), http.StatusSeeOther)
	}
}

// checklistSubmit saves one consideration or resource of the checklist.
func (s *Server) checklistSubmit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	_, p, ok := s.growthTarget(w, r, trellis.KindGrowthPlan)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domainFormError(err))
		return
	}
	version := strings.TrimSpace(r.PostFormValue("version"))
	in, err := s.loadReadiness(r, p, "", version)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if in.RoleID == "" {
		s.fail(w, r, withHint(trellis.Errorf(trellis.ERULE, "Choose a target role first."), "Choose", []link{{"Target role", targetURL(p.ID)}}))
		return
	}
	it := &trellis.ChecklistItem{PersonID: p.ID, FrameworkID: in.FW.ID, RoleID: in.RoleID, Kind: r.PostFormValue("kind"),
		Key: r.PostFormValue("key"), State: r.PostFormValue("state")}
	for _, sid := range r.PostForm["evidence"] {
		id, err := strconv.ParseInt(sid, 10, 64)
		if err != nil || id <= 0 {
			s.fail(w, r, fieldError("evidence", "%q is not an evidence entry", sid))
			return
		}
		// Only the person's own entries back their considerations.
		if e, err := s.evidence.FindEvidence(ctx, id); err != nil || e.PersonID != p.ID {
			s.fail(w, r, fieldError("evidence", "entry %d is not in %s's journal", id, p.Name))
			return
		}
		it.EvidenceIDs = append(it.EvidenceIDs, id)
	}
	if err := s.readiness.SaveChecklistItem(ctx, it); err != nil {
		s.fail(w, r, withHint(err, "Back to", []link{{"Readiness", readinessURL(p.ID)}}))
		return
	}
	back := readinessURL(p.ID) + "?checked=1"
	if version != "" {
		back += "&version=" + url.QueryEscape(version)
	}
	http.Redirect(w, r, back+"#checklist", http.StatusSeeOther)
}

// apiReadiness is the readiness of a person for a target role.
type apiReadinessBody struct {
	PersonID int64 `json:"person_id"`
	*trellis.Readiness
	Changes     []trellis.ExpectationChange `json:"changes"`
	ChangedFrom string                      `json:"changed_from,omitempty"`
}

func (s *Server) apiReadiness(w http.ResponseWriter, r *http.Request) {
	_, p, ok := s.growthTarget(w, r, trellis.KindAssessment)
	if !ok {
		return
	}
	q := r.URL.Query()
	in, err := s.loadReadiness(r, p, strings.TrimSpace(q.Get("target")), strings.TrimSpace(q.Get("version")))
	if err != nil {
		if trellis.ErrorCode(err) == trellis.ENOTFOUND && q.Get("version") != "" {
			err = &trellis.Error{Code: trellis.ENOTFOUND, Message: trellis.ErrorMessage(err),
				Details: []trellis.FieldError{{Field: "version", Message: "no such framework version"}}}
		}
		s.fail(w, r, err)
		return
	}
	changes := in.Changes
	if changes == nil {
		changes = []trellis.ExpectationChange{}
	}
	writeJSON(w, http.StatusOK, apiReadinessBody{PersonID: p.ID, Readiness: in.R, Changes: changes, ChangedFrom: in.ChangedFrom})
}

// visibleEvidenceByCompetency counts the person's evidence per competency
// among the entries the viewer may read, so that neither counts nor dates
// reveal entries the owner keeps from the viewer.
func (s *Server) visibleEvidenceByCompetency(r *http.Request, p *trellis.Person) ([]trellis.CompetencyEvidence, error) {
	t, _, err := s.personTarget(r.Context(), trellis.KindEvidence, p.ID)
	if err != nil {
		return nil, err
	}
	vis := s.readableVisibilities(r, t)
	if len(vis) == 0 {
		return nil, nil
	}
	return s.evidence.EvidenceByCompetency(r.Context(), p.ID, vis)
}
