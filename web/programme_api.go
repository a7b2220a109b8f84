package web

import (
	"fmt"
	"net/http"
	"strconv"

	"trellis"
)

// The API of programmes (list, one with the participants the viewer may
// see, apply) and of interim and acting assignments (a person's list, set
// one, PATCH one with its version as ETag and If-Match). Dates in bodies
// are YYYY-MM-DD.

// programmeDetail is a programme with the places the viewer may see and
// the viewer's own.
type programmeDetail struct {
	*trellis.Programme
	Participants []*trellis.Participation `json:"participants"`
	Mine         *trellis.Participation   `json:"mine,omitempty"`
	CanApply     bool                     `json:"can_apply"`
}

func (s *Server) apiListProgrammes(w http.ResponseWriter, r *http.Request) {
	if err := s.needProgrammes(); err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.programmes.ListProgrammes(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := paginate(r, list, func(p *trellis.Programme) string { return strconv.FormatInt(p.ID, 10) })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) apiGetProgramme(w http.ResponseWriter, r *http.Request) {
	if err := s.needProgrammes(); err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.loadProgramme(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.programmes.ListParticipants(r.Context(), p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows, mine, canApply := s.programmeParticipants(r, list)
	out := programmeDetail{Programme: p, Participants: []*trellis.Participation{}, Mine: mine, CanApply: canApply}
	for _, row := range rows {
		out.Participants = append(out.Participants, row.X)
	}
	writeJSON(w, http.StatusOK, out)
}

type applicationBody struct {
	Note string `json:"note"`
}

func (s *Server) apiApply(w http.ResponseWriter, r *http.Request) {
	if err := s.needProgrammes(); err != nil {
		s.fail(w, r, err)
		return
	}
	var b applicationBody
	if err := decodeStrict(r, "application", &b); err != nil {
		s.fail(w, r, err)
		return
	}
	p, x, err := s.applyToProgramme(r, b.Note)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/programmes/"+strconv.FormatInt(p.ID, 10))
	writeJSON(w, http.StatusCreated, x)
}

// Assignments.

func assignmentETag(a *trellis.Assignment) string { return `"v` + strconv.Itoa(a.Version) + `"` }

func (s *Server) apiListAssignments(w http.ResponseWriter, r *http.Request) {
	_, _, list, err := s.personAssignments(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := paginate(r, list, func(a *trellis.Assignment) string { return strconv.FormatInt(a.ID, 10) })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

var assignmentCreateFields = []string{"kind", "role_id", "starts_on", "ends_on", "success_criteria", "return_role_id"}
var assignmentPatchFields = []string{"starts_on", "ends_on", "success_criteria", "outcome", "return_role_id"}

// applyAssignmentBody sets the fields the body names on a.
func applyAssignmentBody(r *http.Request, a *trellis.Assignment, known []string) error {
	raw, problems, err := decodeObject(r, "assignment", known, "application/json", "application/merge-patch+json")
	if err != nil {
		return err
	}
	j := &jsonFields{raw: raw, problems: problems}
	for k, dst := range map[string]*string{"kind": &a.Kind, "role_id": &a.RoleID, "success_criteria": &a.SuccessCriteria,
		"outcome": &a.Outcome, "return_role_id": &a.ReturnRoleID} {
		if v := j.str(k); v != nil {
			*dst = *v
		}
	}
	if d, _ := j.date("starts_on", false); d != nil {
		a.StartsOn = *d
	}
	if d, _ := j.date("ends_on", false); d != nil {
		a.EndsOn = *d
	}
	return problemsError(j.problems)
}

func (s *Server) apiCreateAssignment(w http.ResponseWriter, r *http.Request) {
	if err := s.needAssignments(); err != nil {
		s.fail(w, r, err)
		return
	}
	a := &trellis.Assignment{}
	if err := applyAssignmentBody(r, a, assignmentCreateFields); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.createAssignment(r, a); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", assignmentETag(a))
	w.Header().Set("Location", fmt.Sprintf("/api/v1/assignments/%d", a.ID))
	writeJSON(w, http.StatusCreated, a)
}

var errAssignmentPrecondition = &trellis.Error{Code: trellis.EINVALID,
	Message: `Send If-Match with the ETag of the assignment you read (GET /api/v1/people/{pid}/assignments), e.g. If-Match: "v3", so that a change made meanwhile is not overwritten.`,
	Details: []trellis.FieldError{{Field: "If-Match", Message: "required"}}}

// assignmentConflictBody is the answer to a stale write: the error and the
// assignment as stored now.
type assignmentConflictBody struct {
	Error   errorObject         `json:"error"`
	Current *trellis.Assignment `json:"current"`
}

func (s *Server) staleAssignment(w http.ResponseWriter, cur *trellis.Assignment, expected int) {
	msg := fmt.Sprintf("The assignment was changed meanwhile: you sent If-Match for version %d, the stored version is %d. Nothing was written; apply your change to current and send it with If-Match: %s.",
		expected, cur.Version, assignmentETag(cur))
	w.Header().Set("ETag", assignmentETag(cur))
	writeJSON(w, http.StatusConflict, assignmentConflictBody{
		Error:   errorObject{Code: trellis.ECONFLICT, Message: msg, Details: []trellis.FieldError{}},
		Current: cur})
}

func (s *Server) apiPatchAssignment(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, trellis.Errorf(trellis.ENOTFOUND, "No such assignment."))
		return
	}
	cur, err := s.loadAssignment(r, id, 0, trellis.ActionEdit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	expected, ok := s.ifMatch(w, r, cur.Version, errAssignmentPrecondition)
	if !ok {
		return
	}
	if expected != cur.Version {
		s.staleAssignment(w, cur, expected)
		return
	}
	next := *cur
	if err := applyAssignmentBody(r, &next, assignmentPatchFields); err != nil {
		s.fail(w, r, err)
		return
	}
	err = s.assignments.UpdateAssignment(r.Context(), &next, expected)
	if trellis.ErrorCode(err) == trellis.ECONFLICT {
		if now, ferr := s.assignments.FindAssignment(r.Context(), id); ferr == nil {
			s.staleAssignment(w, now, expected)
			return
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", assignmentETag(&next))
	writeJSON(w, http.StatusOK, &next)
}
