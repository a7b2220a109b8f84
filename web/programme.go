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
	v := programmeView{P: p, Outcomes: trellis.ProgrammeOutcomes, Notice: notice, Error: message, Managers: s.managerChoices(ctx)}
	v.Rows, v.Mine, v.CanApply = s.programmeParticipants(r, list)
	s.render(w, r, status, "programme", layoutPage(p.Name, "openings", v))
}

// programmeParticipants keeps the participants the viewer may see, with
// what they may do to each; mine is the viewer's own place, and canApply
// says whether the viewer may still apply.
func (s *Server) programmeParticipants(r *http.Request, list []*trellis.Participation) (rows []participantRow, mine *trellis.Participation, canApply bool) {
	ctx := r.Context()
	me := s.actor(r)
	canApply = s.can(r, trellis.ActionCreate, trellis.Target{Kind: trellis.KindParticipation, Owner: me.Person, OwnerChain: me.Chain})
	for _, x := range list {
		if x.PersonID == me.Person.ID {
			mine, canApply = x, false
		}
		t, _, err := s.personTarget(ctx, trellis.KindParticipation, x.PersonID)
		if err != nil || !s.can(r, trellis.ActionRead, t) {
			continue
		}
		rows = append(rows, participantRow{X: x, CanApprove: x.State == trellis.ParticipationApplied && s.can(r, trellis.ActionDecide, t),
			CanEdit: x.State == trellis.ParticipationApproved && s.can(r, trellis.ActionEdit, t)})
	}
	return rows, mine, canApply
}

func (s *Server) applySubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.needProgrammes(); err != nil {
		s.fail(w, r, err)
		return
	}
	p, _, err := s.applyToProgramme(r, r.PostFormValue("note"))
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

// applyToProgramme applies the signed-in person to the programme of the
// path; the entry rule refuses with ERULE.
func (s *Server) applyToProgramme(r *http.Request, note string) (*trellis.Programme, *trellis.Participation, error) {
	p, err := s.loadProgramme(r)
	if err != nil {
		return nil, nil, err
	}
	x, err := s.programmes.Apply(r.Context(), p.ID, s.actor(r).Person.ID, note)
	return p, x, err
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

func (s *Server) needAssignments() error {
	if s.assignments == nil {
		return trellis.Errorf(trellis.EUNAVAILABLE, "Assignments are not available on this server.")
	}
	return nil
}

// personAssignments loads the person of the path, the target of their
// assignments (the route's access has checked it) and their assignments.
func (s *Server) personAssignments(r *http.Request) (trellis.Target, *trellis.Person, []*trellis.Assignment, error) {
	if err := s.needAssignments(); err != nil {
		return trellis.Target{}, nil, nil, err
	}
	t, p, err := s.personTarget(r.Context(), trellis.KindAssignment, personID(r))
	if err != nil {
		return t, nil, nil, err
	}
	list, err := s.assignments.ListAssignments(r.Context(), p.ID)
	return t, p, list, err
}

func (s *Server) renderAssignments(w http.ResponseWriter, r *http.Request, status int, notice, message string) {
	ctx := r.Context()
	t, p, list, err := s.personAssignments(r)
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

// createAssignment stores a for the person of the path, set by the
// signed-in person (the route's access has asked the policy).
func (s *Server) createAssignment(r *http.Request, a *trellis.Assignment) error {
	if err := s.needAssignments(); err != nil {
		return err
	}
	a.PersonID, a.CreatedBy = personID(r), s.actor(r).Person.ID
	return s.assignments.CreateAssignment(r.Context(), a)
}

// loadAssignment loads assignment id and asks the policy for action on it
// (one the viewer may not read is a 404); pid, when not 0, is the person
// the path names, whose assignment it must be.
func (s *Server) loadAssignment(r *http.Request, id, pid int64, action trellis.Action) (*trellis.Assignment, error) {
	if err := s.needAssignments(); err != nil {
		return nil, err
	}
	a, err := s.assignments.FindAssignment(r.Context(), id)
	if err == nil && pid != 0 && a.PersonID != pid {
		err = trellis.Errorf(trellis.ENOTFOUND, "No such assignment.")
	}
	if err != nil {
		return nil, err
	}
	t, _, err := s.personTarget(r.Context(), trellis.KindAssignment, a.PersonID)
	if err == nil {
		err = s.check(r, trellis.ActionRead, t)
	}
	if err == nil && action != trellis.ActionRead {
		err = s.check(r, action, t)
	}
	if err != nil {
		return nil, err
	}
	return a, nil
}

func (s *Server) createAssignmentSubmit(w http.ResponseWriter, r *http.Request) {
	a := &trellis.Assignment{Kind: r.PostFormValue("kind"), RoleID: r.PostFormValue("role_id"),
		StartsOn: parseFormDate(r.PostFormValue("starts_on")), EndsOn: parseFormDate(r.PostFormValue("ends_on")),
		SuccessCriteria: r.PostFormValue("success_criteria"), ReturnRoleID: r.PostFormValue("return_role_id")}
	err := s.createAssignment(r, a)
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
	id, _ := strconv.ParseInt(r.PathValue("aid"), 10, 64)
	a, err := s.loadAssignment(r, id, personID(r), trellis.ActionEdit)
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
