package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"trellis"
)

// The document, cycle and calibration API: documents with their version as
// ETag (If-Match on writes, 428 without it, 409 with the current document
// when stale), workflow transitions, exports, cycles and the calibration of
// a cycle as data.

func documentETag(d *trellis.Document) string { return `"v` + strconv.Itoa(d.Version) + `"` }

var errDocumentPrecondition = &trellis.Error{Code: trellis.EINVALID,
	Message: `Send If-Match with the ETag of the document you read (GET /api/v1/documents/{id}), e.g. If-Match: "v3", so that a change made meanwhile is not overwritten.`,
	Details: []trellis.FieldError{{Field: "If-Match", Message: "required"}}}

type documentConflictBody struct {
	Error   errorObject       `json:"error"`
	Current *trellis.Document `json:"current"`
}

func (s *Server) staleDocument(w http.ResponseWriter, r *http.Request, cur *trellis.Document, expected int) {
	msg := fmt.Sprintf("The document was changed meanwhile: you sent If-Match for version %d, the stored version is %d. Nothing was written; apply your change to current and send it with If-Match: %s.",
		expected, cur.Version, documentETag(cur))
	w.Header().Set("ETag", documentETag(cur))
	writeJSON(w, http.StatusConflict, documentConflictBody{Error: errorObject{Code: trellis.ECONFLICT, Message: msg, Details: []trellis.FieldError{}}, Current: cur})
}

func (s *Server) apiListDocuments(w http.ResponseWriter, r *http.Request) {
	if err := s.needDocuments(); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	var problems []trellis.FieldError
	f := trellis.DocumentFilter{TargetRole: q.Get("target_role"), Cursor: q.Get("cursor")}
	ids := map[string]**int64{"person": &f.PersonID, "cycle": &f.CycleID, "manager": &f.ManagerID}
	for _, k := range []string{"person", "cycle", "manager"} {
		if v := q.Get(k); v != "" {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				problems = append(problems, trellis.FieldError{Field: k, Message: "must be an id"})
				continue
			}
			*ids[k] = &id
		}
	}
	if st := q.Get("state"); st != "" {
		for _, x := range strings.Split(st, ",") {
			if !slicesContains(trellis.DocumentStates, x) {
				problems = append(problems, trellis.FieldError{Field: "state", Message: fmt.Sprintf("%q is not a state", x)})
			}
			f.States = append(f.States, x)
		}
	}
	limit, err := apiLimit(q)
	if err != nil {
		problems = append(problems, trellis.ErrorDetails(err)...)
	}
	if err := problemsError(problems); err != nil {
		s.fail(w, r, err)
		return
	}
	f.Limit = limit
	page, err := s.documents.ListDocuments(ctx, f)
	if err != nil {
		s.fail(w, r, cursorError(err, f.Cursor))
		return
	}
	out := listPage[*trellis.Document]{Items: []*trellis.Document{}, NextCursor: page.NextCursor}
	for _, d := range page.Items {
		t, _, err := s.personTarget(ctx, trellis.KindDocument, d.PersonID)
		if err != nil || !s.can(r, trellis.ActionRead, docTarget(t, d)) {
			continue
		}
		out.Items = append(out.Items, d)
	}
	writeJSON(w, http.StatusOK, out)
}

func slicesContains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Server) apiCreateDocument(w http.ResponseWriter, r *http.Request) {
	if err := s.needDocuments(); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	raw, problems, err := decodeObject(r, "document", []string{"person_id", "target_role", "title", "visibility"}, "application/json")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	j := &jsonFields{raw: raw, problems: problems}
	var pid int64
	if b, ok := raw["person_id"]; !ok || json.Unmarshal(b, &pid) != nil || pid <= 0 {
		j.add("person_id", "the candidate's id is required")
	}
	role := j.str("target_role")
	if role == nil || *role == "" {
		j.add("target_role", "required: a role reachable from the candidate's")
	}
	title, vis := j.str("title"), j.str("visibility")
	if vis != nil && !trellis.Visibility(*vis).Valid() {
		j.add("visibility", "one of private, manager, organisation-viewer, organisation-commenter, organisation-editor")
	}
	if err := problemsError(j.problems); err != nil {
		s.fail(w, r, err)
		return
	}
	t, p, err := s.personTarget(ctx, trellis.KindDocument, pid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t.Kind = trellis.KindDocument
	if err := s.check(r, trellis.ActionCreate, t); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.newDocumentFor(ctx, p, *role)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if title != nil || vis != nil {
		next := *d
		if title != nil {
			next.Title = strings.TrimSpace(*title)
		}
		if vis != nil {
			next.Visibility = trellis.Visibility(*vis)
		}
		if err := s.documents.UpdateDocument(ctx, &next, d.Version); err != nil {
			s.fail(w, r, err)
			return
		}
		if d, err = s.documents.FindDocument(ctx, d.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	w.Header().Set("Location", "/api/v1/documents/"+strconv.FormatInt(d.ID, 10))
	w.Header().Set("ETag", documentETag(d))
	writeJSON(w, http.StatusCreated, d)
}

func (s *Server) apiGetDocument(w http.ResponseWriter, r *http.Request) {
	dc, err := s.loadDocument(r, trellis.ActionRead)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	tag := documentETag(dc.D)
	w.Header().Set("ETag", tag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeJSON(w, http.StatusOK, dc.D)
}

// apiPatchDocument changes the title, visibility, library consent and
// section texts of a document at the version If-Match names.
func (s *Server) apiPatchDocument(w http.ResponseWriter, r *http.Request) {
	dc, err := s.loadDocument(r, trellis.ActionRead)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	raw, problems, err := decodeObject(r, "document", []string{"title", "visibility", "share_in_library", "sections"}, "application/merge-patch+json", "application/json")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	j := &jsonFields{raw: raw, problems: problems}
	title, vis := j.str("title"), j.str("visibility")
	var share *bool
	if b, ok := raw["share_in_library"]; ok {
		var v bool
		if json.Unmarshal(b, &v) != nil {
			j.add("share_in_library", "must be true or false")
		} else {
			share = &v
		}
	}
	var sections map[string]string
	if b, ok := raw["sections"]; ok {
		if json.Unmarshal(b, &sections) != nil {
			j.add("sections", `must be an object of section id to Markdown text, e.g. {"summary": "..."}`)
		}
		for id := range sections {
			if _, _, ok := dc.section(id); !ok {
				j.add("sections."+id, "the document has no such section")
			}
		}
	}
	if vis != nil && !trellis.Visibility(*vis).Valid() {
		j.add("visibility", "one of private, manager, organisation-viewer, organisation-commenter, organisation-editor")
	}
	if err := problemsError(j.problems); err != nil {
		s.fail(w, r, err)
		return
	}
	settings := title != nil || vis != nil || share != nil
	if settings {
		if err := s.check(r, trellis.ActionChangeVisibility, dc.T); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if len(sections) > 0 {
		if err := s.check(r, trellis.ActionEdit, dc.T); err != nil {
			s.fail(w, r, err)
			return
		}
		if !editableState(dc.D.State) {
			s.fail(w, r, trellis.Errorf(trellis.ECONFLICT, "The document is %s; its text no longer changes.", strings.ToLower(stateLabel(dc.D.State))))
			return
		}
	}
	if !settings && len(sections) == 0 {
		if err := s.check(r, trellis.ActionEdit, dc.T); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	expected, ok := s.ifMatch(w, r, dc.D.Version, errDocumentPrecondition)
	if !ok {
		return
	}
	if expected != dc.D.Version {
		s.staleDocument(w, r, dc.D, expected)
		return
	}
	version := expected
	if settings {
		next := *dc.D
		if title != nil {
			next.Title = strings.TrimSpace(*title)
		}
		if vis != nil {
			next.Visibility = trellis.Visibility(*vis)
		}
		if share != nil {
			next.ShareInLibrary = *share
		}
		if err := s.documents.UpdateDocument(ctx, &next, version); err != nil {
			if trellis.ErrorCode(err) == trellis.ECONFLICT {
				if now, ferr := s.documents.FindDocument(ctx, dc.D.ID); ferr == nil && now.Version != version {
					s.staleDocument(w, r, now, expected)
					return
				}
			}
			s.fail(w, r, err)
			return
		}
	}
	cur := dc.D
	if settings {
		if cur, err = s.documents.FindDocument(ctx, dc.D.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	for _, sec := range dc.Tpl.Sections {
		text, ok := sections[sec.ID]
		if !ok {
			continue
		}
		sv := 0
		for _, x := range cur.Sections {
			if x.ID == sec.ID {
				sv = x.Version
			}
		}
		if cur, err = s.documents.SaveSection(ctx, dc.D.ID, sec.ID, strings.ReplaceAll(text, "\r\n", "\n"), sv, false); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	saved, err := s.documents.FindDocument(ctx, dc.D.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", documentETag(saved))
	writeJSON(w, http.StatusOK, saved)
}

// apiTransition moves a document: {"to": "...", "note": "...", "cycle_id": 3,
// "review_due": "2027-01-15"} at the version If-Match names. 409 when the
// move does not exist from the state, 403 when not by this caller, 422
// when a guard fails or the comments-due day is not allowed (past, after
// the nomination deadline of the document's cycle).
func (s *Server) apiTransition(w http.ResponseWriter, r *http.Request) {
	dc, err := s.loadDocument(r, trellis.ActionRead)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	raw, problems, err := decodeObject(r, "transition", []string{"to", "note", "cycle_id", "out_of_cycle", "review_due"}, "application/json")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	j := &jsonFields{raw: raw, problems: problems}
	to, note := j.str("to"), j.str("note")
	if to == nil || *to == "" {
		j.add("to", "required: the state to move to")
	}
	due, _ := j.date("review_due", false)
	d := *dc.D
	changed := false
	if b, ok := raw["cycle_id"]; ok {
		var id int64
		if json.Unmarshal(b, &id) != nil || id <= 0 {
			j.add("cycle_id", "must be a cycle's id")
		} else {
			d.CycleID, d.OutOfCycle, changed = &id, false, true
		}
	}
	if b, ok := raw["out_of_cycle"]; ok {
		var v bool
		if json.Unmarshal(b, &v) != nil {
			j.add("out_of_cycle", "must be true or false")
		} else if v {
			d.CycleID, d.OutOfCycle, changed = nil, true, true
		}
	}
	if err := problemsError(j.problems); err != nil {
		s.fail(w, r, err)
		return
	}
	n := ""
	if note != nil {
		n = strings.TrimSpace(*note)
	}
	if changed && *to != trellis.DocNominated {
		s.fail(w, r, &trellis.Error{Code: trellis.EINVALID, Message: "cycle_id and out_of_cycle go with the move to nominated only.",
			Details: []trellis.FieldError{{Field: "cycle_id", Message: "only when nominating"}}})
		return
	}
	opts := trellis.MoveOptions{Note: n, ReviewDue: due}
	if err := s.checkMoveWith(r, dc, &d, *to, opts); err != nil {
		s.fail(w, r, err)
		return
	}
	expected, ok := s.ifMatch(w, r, dc.D.Version, errDocumentPrecondition)
	if !ok {
		return
	}
	if expected != dc.D.Version {
		s.staleDocument(w, r, dc.D, expected)
		return
	}
	version := expected
	if changed {
		if err := s.documents.UpdateDocument(ctx, &d, version); err != nil {
			s.fail(w, r, err)
			return
		}
		now, err := s.documents.FindDocument(ctx, d.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		version = now.Version
	}
	moved, err := s.moveDocumentWith(ctx, dc.D.ID, *to, opts, version)
	if err != nil {
		if trellis.ErrorCode(err) == trellis.ECONFLICT {
			if now, ferr := s.documents.FindDocument(ctx, dc.D.ID); ferr == nil && now.Version != version {
				s.staleDocument(w, r, now, expected)
				return
			}
		}
		s.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", documentETag(moved))
	writeJSON(w, http.StatusOK, moved)
}

// Cycles.

func (s *Server) apiListCycles(w http.ResponseWriter, r *http.Request) {
	if err := s.needCycles(); err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.cycles.ListCycles(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := paginate(r, list, func(c *trellis.Cycle) string { return strconv.FormatInt(c.ID, 10) })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) apiCreateCycle(w http.ResponseWriter, r *http.Request) {
	if err := s.needCycles(); err != nil {
		s.fail(w, r, err)
		return
	}
	raw, problems, err := decodeObject(r, "cycle", []string{"name", "phases"}, "application/json")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	j := &jsonFields{raw: raw, problems: problems}
	c := &trellis.Cycle{Phases: map[string]time.Time{}}
	if name := j.str("name"); name != nil {
		c.Name = *name
	}
	if b, ok := raw["phases"]; ok {
		var phases map[string]string
		if json.Unmarshal(b, &phases) != nil {
			j.add("phases", "must be an object of phase to date YYYY-MM-DD")
		}
		for p, v := range phases {
			d, err := time.Parse(time.DateOnly, v)
			if err != nil {
				j.add("phases."+p, fmt.Sprintf("%q is not a date YYYY-MM-DD", v))
				continue
			}
			c.Phases[p] = d
		}
	}
	if err := problemsError(j.problems); err != nil {
		s.fail(w, r, err)
		return
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.cycles.CreateCycle(r.Context(), c); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/cycles/"+strconv.FormatInt(c.ID, 10))
	w.Header().Set("ETag", `"v`+strconv.Itoa(c.Version)+`"`)
	writeJSON(w, http.StatusCreated, c)
}

func (s *Server) apiGetCycle(w http.ResponseWriter, r *http.Request) {
	c, err := s.loadCycle(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", `"v`+strconv.Itoa(c.Version)+`"`)
	writeJSON(w, http.StatusOK, c)
}

// apiCalibrationCase is one nomination in the calibration of a cycle.
type apiCalibrationCase struct {
	Document     *trellis.Document  `json:"document"`
	Candidate    string             `json:"candidate"`
	CurrentRole  string             `json:"current_role"`
	TargetRole   string             `json:"target_role"`
	Grade        int                `json:"grade"`
	TimeInRole   string             `json:"time_in_role"`
	Readiness    *trellis.Readiness `json:"readiness"`
	CheckErrors  int                `json:"check_errors"`
	CheckWarning int                `json:"check_warnings"`
	Feedback     int                `json:"feedback_answered"`
	Decision     *trellis.Decision  `json:"decision"`
}

type apiCalibrationBody struct {
	Cycle *trellis.Cycle       `json:"cycle"`
	Cases []apiCalibrationCase `json:"cases"`
	Stats trellis.CycleStats   `json:"stats"`
}

func (s *Server) apiCalibration(w http.ResponseWriter, r *http.Request) {
	c, err := s.loadCycle(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cal, err := s.loadCalibration(r, c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := apiCalibrationBody{Cycle: c, Cases: []apiCalibrationCase{}, Stats: cal.Stats}
	if out.Stats.ByTeam == nil {
		out.Stats.ByTeam = []trellis.GroupStat{}
	}
	if out.Stats.ByRegion == nil {
		out.Stats.ByRegion = []trellis.GroupStat{}
	}
	if out.Stats.Outliers == nil {
		out.Stats.Outliers = []string{}
	}
	for _, cc := range cal.Cases {
		out.Cases = append(out.Cases, apiCalibrationCase{Document: cc.D, Candidate: cc.P.Name, CurrentRole: cc.CurrentRole, TargetRole: cc.Role,
			Grade: cc.Grade, TimeInRole: cc.TimeInRole, Readiness: cc.Readiness, CheckErrors: cc.Errors, CheckWarning: cc.Warnings,
			Feedback: len(cc.Feedback), Decision: cc.Decision})
	}
	writeJSON(w, http.StatusOK, out)
}

// apiExportDocument is the export of the pages, under the API.
func (s *Server) apiExportDocument(w http.ResponseWriter, r *http.Request) { s.exportDocument(w, r) }
