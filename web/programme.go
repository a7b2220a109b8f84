package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"trellis"
)

// Programmes (apply, approve, mentor, outcome) and interim or acting
// assignments on a person's profile.

func (s *Server) needProgrammes() error {
	if s.programmes == nil || s.people == nil {
		return trellis.Errorf(trellis.EUNAVAILABLE, "Programmes are not available on this server.")
	}
	return nil
}

func programmeURL(id int64) string { return "/programmes/" + strconv.FormatInt(id, 10) }

type programmesView struct {
	List      []*trellis.Programme
	CanCreate bool
	Error     string
}

func (s *Server) programmesPage(w http.ResponseWriter, r *http.Request) {
	if err := s.needProgrammes(); err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderProgrammes(w, r, http.StatusOK, "")
}

func (s *Server) renderProgrammes(w http.ResponseWriter, r *http.Request, status int, message string) {
	list, err := s.programmes.ListProgrammes(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := programmesView{List: list, CanCreate: s.can(r, trellis.ActionCreate, trellis.Target{Kind: trellis.KindProgramme}), Error: message}
	s.render(w, r, status, "programmes", layoutPage("Programmes", "openings", v))
}

func (s *Server) createProgrammeSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.needProgrammes(); err != nil {
		s.fail(w, r, err)
		return
	}
	months, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("min_months_in_role")))
	if err != nil {
		months = -1
	}
	p := &trellis.Programme{Name: r.PostFormValue("name"), Description: r.PostFormValue("description"), MinMonthsInRole: months,
		ManagerApproval: r.PostFormValue("manager_approval") != "", Themes: strings.Split(strings.ReplaceAll(r.PostFormValue("themes"), "\r\n", "\n"), "\n")}
	err = s.programmes.CreateProgramme(r.Context(), p)
	if trellis.ErrorCode(err) == trellis.EINVALID {
		s.renderProgrammes(w, r, ErrorStatus(err), trellis.ErrorMessage(err)+" "+detailText(err))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, programmeURL(p.ID), http.StatusSeeOther)
}

func detailText(err error) string {
	var parts []string
	for _, d := range trellis.ErrorDetails(err) {
		parts = append(parts, d.Field+": "+d.Message)
	}
	return strings.Join(parts, "; ")
}

type participantRow struct {
	X          *trellis.Participation
	CanApprove bool
	CanEdit    bool
}

type programmeView struct {
	P        *trellis.Programme
	Rows     []participantRow
	Mine     *trellis.Participation
	CanApply bool
	Managers []*trellis.Person
	Outcomes []string
	Notice   string
	Error    string
}

func (s *Server) loadProgramme(r *http.Request) (*trellis.Programme, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, trellis.Errorf(trellis.ENOTFOUND, "No such programme.")
	}
	return s.programmes.FindProgramme(r.Context(), id)
}

func (s *Server) programmePage(w http.ResponseWriter, r *http.Request) {
	if err := s.needProgrammes(); err != nil {
		s.fail(w, r, err)
		return
	}
	notice := ""
	switch {
	case r.URL.Query().Get("applied") != "":
		notice = "Your application is in."
	case r.URL.Query().Get("saved") != "":
		notice = "Saved."
	}
	s.renderProgramme(w, r, http.StatusOK, notice, "")
}

func (s *Server) renderProgramme(w http.ResponseWriter, r *http.Request, status int, notice, message string) {
	ctx := r.Context()
	p, err := s.loadProgramme(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.programmes.ListParticipants(ctx, p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	me := s.actor(r)
	v := programmeView{P: p, Outcomes: trellis.ProgrammeOutcomes, Notice: notice, Error: message, Managers: s.managerChoices(ctx)}
	v.CanApply = s.can(r, trellis.ActionCreate, trellis.Target{Kind: trellis.KindParticipation, Owner: me.Person, OwnerChain: me.Chain})
	for _, x := range list {
		if x.PersonID == me.Person.ID {
			v.Mine, v.CanApply = x, false
		}
		t, _, err := s.personTarget(ctx, trellis.KindParticipation, x.PersonID)
		if err != nil || !s.can(r, trellis.ActionRead, t) {
			continue
		}
		v.Rows = append(v.Rows, participantRow{X: x, CanApprove: x.State == trellis.ParticipationApplied && s.can(r, trellis.ActionDecide, t),
			CanEdit: x.State == trellis.ParticipationApproved && s.can(r, trellis.ActionEdit, t)})
	}
	s.render(w, r, status, "programme", layoutPage(p.Name, "openings", v))
}

func (s *Server) applySubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.needProgrammes(); err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.loadProgramme(r)
	if err == nil {
		_, err = s.programmes.Apply(r.Context(), p.ID, s.actor(r).Person.ID, r.PostFormValue("note"))
	}
	if c := trellis.ErrorCode(err); c == trellis.EINVALID || c == trellis.ERULE || c == trellis.ECONFLICT {
		s.renderProgramme(w, r, ErrorStatus(err), "", trellis.ErrorMessage(err))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, programmeURL(p.ID)+"?applied=1", http.StatusSeeOther)
}

// participant loads the participation of the path in the programme of the
// path and asks the policy for action on it.
func (s *Server) participant(r *http.Request, action trellis.Action) (*trellis.Participation, error) {
	p, err := s.loadProgramme(r)
	if err != nil {
		return nil, err
	}
	id, _ := strconv.ParseInt(r.PathValue("xid"), 10, 64)
	x, err := s.programmes.FindParticipation(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if x.ProgrammeID != p.ID {
		return nil, trellis.Errorf(trellis.ENOTFOUND, "No such application.")
	}
	t, _, err := s.personTarget(r.Context(), trellis.KindParticipation, x.PersonID)
	if err != nil {
		return nil, err
	}
	if err := s.check(r, trellis.ActionRead, t); err != nil {
		return nil, err
	}
	return x, s.check(r, action, t)
}

// participantAction runs one change on a participant and shows the
// programme again.
func (s *Server) participantAction(action trellis.Action, do func(ctx context.Context, r *http.Request, x *trellis.Participation) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := s.needProgrammes(); err != nil {
			s.fail(w, r, err)
			return
		}
		x, err := s.participant(r, action)
		if err == nil {
			err = do(r.Context(), r, x)
		}
		if c := trellis.ErrorCode(err); c == trellis.EINVALID || c == trellis.ERULE {
			s.renderProgramme(w, r, ErrorStatus(err), "", trellis.ErrorMessage(err))
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		http.Redirect(w, r, programmeURL(x.ProgrammeID)+"?saved=1", http.StatusSeeOther)
	}
}

func (s *Server) approveSubmit(ctx context.Context, r *http.Request, x *trellis.Participation) error {
	return s.programmes.Approve(ctx, x.ID, s.actor(r).Person.ID, r.PostFormValue("decision") != "decline")
}

func (s *Server) mentorSubmit(ctx context.Context, r *http.Request, x *trellis.Participation) error {
	id, _ := strconv.ParseInt(r.PostFormValue("mentor_id"), 10, 64)
	return s.programmes.SetMentor(ctx, x.ID, id)
}

func (s *Server) programmeOutcomeSubmit(ctx context.Context, r *http.Request, x *trellis.Participation) error {
	return s.programmes.RecordOutcome(ctx, x.ID, r.PostFormValue("outcome"), r.PostFormValue("outcome_note"))
}

// Assignments.

type assignmentsView struct {
	P         *trellis.Person
	List      []*trellis.Assignment
	Roles     []trellis.Role
	CanCreate bool
	CanEdit   bool
	Today     string
	Notice    string
	Error     string
}

func (s *Server) assignmentsPage(w http.ResponseWriter, r *http.Request) {
	notice := ""
	if r.URL.Query().Get("saved") != "" {
		notice = "Saved; the person was told."
	}
	s.renderAssignments(w, r, http.StatusOK, notice, "")
}

func (s *Server) renderAssignments(w http.ResponseWriter, r *http.Request, status int, notice, message string) {
	if s.assignments == nil {
		s.fail(w, r, trellis.Errorf(trellis.EUNAVAILABLE, "Assignments are not available on this server."))
		return
	}
	ctx := r.Context()
	t, p, err := s.personTarget(ctx, trellis.KindAssignment, personID(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.assignments.ListAssignments(ctx, p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fw, _, err := s.growthFramework(ctx, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := assignmentsView{P: p, List: list, Roles: sortedRoles(fw), CanCreate: s.can(r, trellis.ActionCreate, t), CanEdit: s.can(r, trellis.ActionEdit, t),
		Today: s.now().UTC().Format(trellis.DateLayout), Notice: notice, Error: message}
	s.render(w, r, status, "assignments", layoutPage("Assignments · "+p.Name, "people", v))
}

func parseFormDate(v string) time.Time {
	t, _ := time.Parse(trellis.DateLayout, strings.TrimSpace(v))
	return t
}

func (s *Server) createAssignmentSubmit(w http.ResponseWriter, r *http.Request) {
	if s.assignments == nil {
		s.fail(w, r, trellis.Errorf(trellis.EUNAVAILABLE, "Assignments are not available on this server."))
		return
	}
	a := &trellis.Assignment{PersonID: personID(r), Kind: r.PostFormValue("kind"), RoleID: r.PostFormValue("role_id"),
		StartsOn: parseFormDate(r.PostFormValue("starts_on")), EndsOn: parseFormDate(r.PostFormValue("ends_on")),
		SuccessCriteria: r.PostFormValue("success_criteria"), ReturnRoleID: r.PostFormValue("return_role_id"), CreatedBy: s.actor(r).Person.ID}
	err := s.assignments.CreateAssignment(r.Context(), a)
	if c := trellis.ErrorCode(err); c == trellis.EINVALID || c == trellis.ERULE {
		s.renderAssignments(w, r, ErrorStatus(err), "", trellis.ErrorMessage(err))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/people/"+strconv.FormatInt(a.PersonID, 10)+"/assignments?saved=1", http.StatusSeeOther)
}

func (s *Server) updateAssignmentSubmit(w http.ResponseWriter, r *http.Request) {
	if s.assignments == nil {
		s.fail(w, r, trellis.Errorf(trellis.EUNAVAILABLE, "Assignments are not available on this server."))
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("aid"), 10, 64)
	a, err := s.assignments.FindAssignment(r.Context(), id)
	if err == nil && a.PersonID != personID(r) {
		err = trellis.Errorf(trellis.ENOTFOUND, "No such assignment.")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	a.Outcome = r.PostFormValue("outcome")
	if v := r.PostFormValue("success_criteria"); v != "" {
		a.SuccessCriteria = v
	}
	err = s.assignments.UpdateAssignment(r.Context(), a, version)
	if c := trellis.ErrorCode(err); c == trellis.EINVALID || c == trellis.ERULE || c == trellis.ECONFLICT {
		s.renderAssignments(w, r, ErrorStatus(err), "", trellis.ErrorMessage(err))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/people/"+strconv.FormatInt(a.PersonID, 10)+"/assignments?saved=1", http.StatusSeeOther)
}
