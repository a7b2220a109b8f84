package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"trellis"
	"trellis/importcsv"
)

// The evidence API: a person's journal as a list with filters and search,
// one entry with its version as ETag, and competency suggestions for a text.

// apiEvidence is an entry as the API shows it, with the search snippet when
// the list was a search.
type apiEvidence struct {
	*trellis.Evidence
	Snippet string `json:"snippet,omitempty"`
}

func evidenceETag(e *trellis.Evidence) string { return `"v` + strconv.Itoa(e.Version) + `"` }

func (s *Server) apiListEvidence(w http.ResponseWriter, r *http.Request) {
	t, p, ok := s.growthTarget(w, r, trellis.KindEvidence)
	if !ok {
		return
	}
	q := r.URL.Query()
	var problems []trellis.FieldError
	f := evidenceFilter(q, &problems)
	limit, err := apiLimit(q)
	if err != nil {
		problems = append(problems, trellis.ErrorDetails(err)...)
	}
	if err := problemsError(problems); err != nil {
		s.fail(w, r, err)
		return
	}
	f.PersonID, f.Limit = p.ID, limit
	f.Visibilities = s.readableVisibilities(r, t)
	out := listPage[apiEvidence]{Items: []apiEvidence{}}
	if len(f.Visibilities) > 0 {
		page, err := s.evidence.ListEvidence(r.Context(), f)
		if err != nil {
			s.fail(w, r, cursorError(err, f.Cursor))
			return
		}
		out.NextCursor = page.NextCursor
		for _, e := range page.Items {
			item := apiEvidence{Evidence: e}
			if sn, ok := page.Snippets[e.ID]; ok {
				item.Snippet = string(markOnly(sn))
			}
			out.Items = append(out.Items, item)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// evidenceBody is a JSON body of entry fields, as sent.
type evidenceBody struct {
	Title, What, Part, Result, Activity, Visibility *string
	Date                                            *time.Time
	EndDate                                         *time.Time
	ClearEndDate                                    bool
	Links, Competencies, Values                     *[]string
}

var evidenceBodyFields = []string{"title", "date", "end_date", "what", "part", "result", "links", "competencies", "activity", "values", "visibility"}

// decodeObject reads a JSON object body of one of contentTypes, naming
// unknown fields.
func decodeObject(r *http.Request, what string, known []string, contentTypes ...string) (map[string]json.RawMessage, []trellis.FieldError, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if !slices.Contains(contentTypes, mt) {
		return nil, nil, &trellis.Error{Code: trellis.EINVALID, Message: "Send the body as " + strings.Join(contentTypes, " or ") + ".",
			Details: []trellis.FieldError{{Field: "Content-Type", Message: "use " + strings.Join(contentTypes, " or ")}}}
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, nil, domainError(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil || raw == nil {
		return nil, nil, &trellis.Error{Code: trellis.EINVALID, Message: "The body must be a JSON object of " + what + " fields.",
			Details: []trellis.FieldError{{Field: "body", Message: "not a JSON object"}}}
	}
	var problems []trellis.FieldError
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(known, k) {
			problems = append(problems, trellis.FieldError{Field: k, Message: "unknown field; the fields are " + strings.Join(known, ", ")})
		}
	}
	return raw, problems, nil
}

func isJSONNull(b json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(b), []byte("null")) }

// jsonFields reads typed fields out of a decoded object, collecting
// problems by field name.
type jsonFields struct {
	raw      map[string]json.RawMessage
	problems []trellis.FieldError
}

func (j *jsonFields) add(field, msg string) {
	j.problems = append(j.problems, trellis.FieldError{Field: field, Message: msg})
}

func (j *jsonFields) str(k string) *string {
	b, ok := j.raw[k]
	if !ok {
		return nil
	}
	var v string
	if isJSONNull(b) || json.Unmarshal(b, &v) != nil {
		j.add(k, "must be a string")
		return nil
	}
	return &v
}

func (j *jsonFields) list(k string) *[]string {
	b, ok := j.raw[k]
	if !ok {
		return nil
	}
	var v []string
	if isJSONNull(b) || json.Unmarshal(b, &v) != nil {
		j.add(k, "must be an array of strings")
		return nil
	}
	if v == nil {
		v = []string{}
	}
	return &v
}

// date reads a date YYYY-MM-DD; null is allowed when nullable, reported
// through isNull.
func (j *jsonFields) date(k string, nullable bool) (d *time.Time, isNull bool) {
	b, ok := j.raw[k]
	if !ok {
		return nil, false
	}
	if isJSONNull(b) {
		if !nullable {
			j.add(k, "must be a date YYYY-MM-DD")
		}
		return nil, nullable
	}
	var s string
	if json.Unmarshal(b, &s) != nil {
		j.add(k, "must be a date YYYY-MM-DD")
		return nil, false
	}
	t, err := time.Parse(importcsv.DateFormat, s)
	if err != nil {
		j.add(k, fmt.Sprintf("%q is not a date YYYY-MM-DD", s))
		return nil, false
	}
	return &t, false
}

func readEvidenceBody(r *http.Request, contentTypes ...string) (evidenceBody, error) {
	var b evidenceBody
	raw, problems, err := decodeObject(r, "evidence", evidenceBodyFields, contentTypes...)
	if err != nil {
		return b, err
	}
	j := &jsonFields{raw: raw, problems: problems}
	b.Title, b.What, b.Part, b.Result = j.str("title"), j.str("what"), j.str("part"), j.str("result")
	b.Activity, b.Visibility = j.str("activity"), j.str("visibility")
	b.Links, b.Competencies, b.Values = j.list("links"), j.list("competencies"), j.list("values")
	b.Date, _ = j.date("date", false)
	b.EndDate, b.ClearEndDate = j.date("end_date", true)
	if b.Links != nil {
		checkLinks(*b.Links, &j.problems)
	}
	if len(j.problems) > 0 {
		return b, &trellis.Error{Code: trellis.EINVALID, Message: "The body has " + strconv.Itoa(len(j.problems)) + " wrong field(s).", Details: j.problems}
	}
	return b, nil
}

// apply writes the fields the body carries onto e.
func (b evidenceBody) apply(e *trellis.Evidence) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&e.Title, b.Title)
	set(&e.What, b.What)
	set(&e.Part, b.Part)
	set(&e.Result, b.Result)
	set(&e.Activity, b.Activity)
	if b.Visibility != nil {
		e.Visibility = trellis.Visibility(*b.Visibility)
	}
	if b.Date != nil {
		e.Date = *b.Date
	}
	if b.EndDate != nil {
		e.EndDate = b.EndDate
	}
	if b.ClearEndDate {
		e.EndDate = nil
	}
	if b.Links != nil {
		e.Links = *b.Links
	}
	if b.Competencies != nil {
		e.Competencies = *b.Competencies
	}
	if b.Values != nil {
		e.Values = *b.Values
	}
}

func (s *Server) apiCreateEvidence(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	_, p, ok := s.growthTarget(w, r, trellis.KindEvidence)
	if !ok {
		return
	}
	b, err := readEvidenceBody(r, "application/json")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fw, _, err := s.growthFramework(ctx, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	e := &trellis.Evidence{PersonID: p.ID, FrameworkID: fw.ID, Visibility: importcsv.DefaultEvidenceVisibility, Competencies: []string{}}
	b.apply(e)
	if b.Date == nil {
		s.fail(w, r, &trellis.Error{Code: trellis.EINVALID, Message: "The entry needs a date.",
			Details: []trellis.FieldError{{Field: "date", Message: "a date is required (YYYY-MM-DD)"}}})
		return
	}
	if err := s.evidence.CreateEvidence(ctx, e); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/evidence/"+strconv.FormatInt(e.ID, 10))
	w.Header().Set("ETag", evidenceETag(e))
	writeJSON(w, http.StatusCreated, apiEvidence{Evidence: e})
}

func (s *Server) apiGetEvidence(w http.ResponseWriter, r *http.Request) {
	e, _, _, err := s.evidenceFromPath(r, trellis.ActionRead)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	tag := evidenceETag(e)
	w.Header().Set("ETag", tag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeJSON(w, http.StatusOK, apiEvidence{Evidence: e})
}

var errEvidencePrecondition = &trellis.Error{Code: trellis.EINVALID,
	Message: `Send If-Match with the ETag of the entry you read (GET /api/v1/evidence/{id}), e.g. If-Match: "v3", so that a change made meanwhile is not overwritten.`,
	Details: []trellis.FieldError{{Field: "If-Match", Message: "required"}}}

// evidenceConflictBody is the answer to a stale write: the error and the
// entry as stored now.
type evidenceConflictBody struct {
	Error   errorObject `json:"error"`
	Current apiEvidence `json:"current"`
}

func (s *Server) staleEvidence(w http.ResponseWriter, r *http.Request, cur *trellis.Evidence, expected int) {
	msg := fmt.Sprintf("The entry was changed meanwhile: you sent If-Match for version %d, the stored version is %d. Nothing was written; apply your change to current and send it with If-Match: %s.",
		expected, cur.Version, evidenceETag(cur))
	w.Header().Set("ETag", evidenceETag(cur))
	writeJSON(w, http.StatusConflict, evidenceConflictBody{
		Error:   errorObject{Code: trellis.ECONFLICT, Message: msg, Details: []trellis.FieldError{}},
		Current: apiEvidence{Evidence: cur}})
}

// ifMatch reads the If-Match of a write; a missing one is 428.
func (s *Server) ifMatch(w http.ResponseWriter, r *http.Request, current int, missing error) (int, bool) {
	im := r.Header.Get("If-Match")
	if im == "" {
		s.writeErrorStatus(w, r, http.StatusPreconditionRequired, missing)
		return 0, false
	}
	expected, err := ifMatchVersion(im, current)
	if err != nil {
		s.fail(w, r, &trellis.Error{Code: trellis.EINVALID, Message: `If-Match must be an ETag this API returned, such as "v3".`,
			Details: []trellis.FieldError{{Field: "If-Match", Message: fmt.Sprintf("%q is not an ETag of a version", im)}}})
		return 0, false
	}
	return expected, true
}

func (s *Server) apiPatchEvidence(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cur, t, _, err := s.evidenceFromPath(r, trellis.ActionEdit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	expected, ok := s.ifMatch(w, r, cur.Version, errEvidencePrecondition)
	if !ok {
		return
	}
	b, err := readEvidenceBody(r, "application/merge-patch+json", "application/json")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if b.Visibility != nil && trellis.Visibility(*b.Visibility) != cur.Visibility {
		if err := s.check(r, trellis.ActionChangeVisibility, t); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if expected != cur.Version {
		s.staleEvidence(w, r, cur, expected)
		return
	}
	e := cloneEntry(cur)
	b.apply(e)
	err = s.evidence.UpdateEvidence(ctx, e, expected)
	if trellis.ErrorCode(err) == trellis.ECONFLICT {
		if now, ferr := s.evidence.FindEvidence(ctx, cur.ID); ferr == nil && now.Version != expected {
			s.staleEvidence(w, r, now, expected)
			return
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	saved, err := s.evidence.FindEvidence(ctx, cur.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", evidenceETag(saved))
	writeJSON(w, http.StatusOK, apiEvidence{Evidence: saved})
}

func cloneEntry(e *trellis.Evidence) *trellis.Evidence {
	c := *e
	c.Links = slices.Clone(e.Links)
	c.Competencies = slices.Clone(e.Competencies)
	c.Values = slices.Clone(e.Values)
	return &c
}

func (s *Server) apiDeleteEvidence(w http.ResponseWriter, r *http.Request) {
	cur, _, _, err := s.evidenceFromPath(r, trellis.ActionDelete)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	expected, ok := s.ifMatch(w, r, cur.Version, errEvidencePrecondition)
	if !ok {
		return
	}
	if expected != cur.Version {
		s.staleEvidence(w, r, cur, expected)
		return
	}
	if err := s.evidence.DeleteEvidence(r.Context(), cur.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Suggestions.

type suggestionsRequest struct {
	Title, What, Part, Result, Activity string
	FrameworkID                         string
}

type apiSuggestion struct {
	Competency string   `json:"competency"`
	Name       string   `json:"name"`
	Area       string   `json:"area"`
	Score      float64  `json:"score"`
	Reasons    []string `json:"reasons"`
}

type suggestionsResponse struct {
	FrameworkID string          `json:"framework_id"`
	Version     string          `json:"version"`
	Items       []apiSuggestion `json:"items"`
}

// apiSuggestEvidence scores an entry's text against the framework and says
// which competencies it most likely shows, with the matching phrases. It
// stores nothing.
func (s *Server) apiSuggestEvidence(w http.ResponseWriter, r *http.Request) {
	raw, problems, err := decodeObject(r, "entry", []string{"title", "what", "part", "result", "activity", "framework_id", "limit"}, "application/json")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	j := &jsonFields{raw: raw, problems: problems}
	str := func(k string) string {
		if v := j.str(k); v != nil {
			return *v
		}
		return ""
	}
	req := suggestionsRequest{Title: str("title"), What: str("what"), Part: str("part"), Result: str("result"), Activity: str("activity"), FrameworkID: str("framework_id")}
	n := suggestionCount
	if b, ok := raw["limit"]; ok {
		if json.Unmarshal(b, &n) != nil || n < 1 || n > 20 {
			j.add("limit", "must be a whole number from 1 to 20")
		}
	}
	if strings.TrimSpace(req.Title+req.What+req.Part+req.Result+req.Activity) == "" {
		j.add("title", "send some text (title, what, part or result) or an activity to score")
	}
	if err := problemsError(j.problems); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	var fw *trellis.Framework
	var ver trellis.FrameworkVersion
	if req.FrameworkID != "" {
		fw, ver, err = s.frameworks.FindFramework(ctx, trellis.Ref{ID: req.FrameworkID})
	} else {
		fw, ver, err = s.growthFramework(ctx, s.actor(r).Person)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := suggestionsResponse{FrameworkID: fw.ID, Version: ver.Version, Items: []apiSuggestion{}}
	for _, sg := range suggestIndex(fw, ver.Hash).Suggest(suggestionText(req.Title, req.What, req.Part, req.Result), req.Activity, n) {
		c, ok := fw.Competency(sg.Competency)
		if !ok {
			continue
		}
		reasons := sg.Reasons
		if reasons == nil {
			reasons = []string{}
		}
		out.Items = append(out.Items, apiSuggestion{Competency: c.ID, Name: c.Name, Area: c.Area, Score: sg.Score, Reasons: reasons})
	}
	writeJSON(w, http.StatusOK, out)
}
