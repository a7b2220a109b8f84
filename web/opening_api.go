package web

import (
	"net/http"
	"strconv"

	"trellis"
)

// The openings API: list (with the page filters), post, read and PATCH with
// the version as ETag and If-Match. Dates are YYYY-MM-DD.

type openingJSON struct {
	ID              int64  `json:"id"`
	FrameworkID     string `json:"framework_id"`
	RoleID          string `json:"role_id"`
	Track           string `json:"track"`
	Team            string `json:"team"`
	Region          string `json:"region"`
	Arrangement     string `json:"arrangement"`
	OpensOn         string `json:"opens_on"`
	ClosesOn        string `json:"closes_on"`
	Description     string `json:"description"`
	HiringManagerID int64  `json:"hiring_manager_id"`
	State           string `json:"state"`
	Version         int    `json:"version"`
}

func toOpeningJSON(o *trellis.Opening) openingJSON {
	return openingJSON{ID: o.ID, FrameworkID: o.FrameworkID, RoleID: o.RoleID, Track: o.Track, Team: o.Team, Region: o.Region,
		Arrangement: o.Arrangement, OpensOn: o.OpensOn.Format(trellis.DateLayout), ClosesOn: o.ClosesOn.Format(trellis.DateLayout),
		Description: o.Description, HiringManagerID: o.HiringManagerID, State: string(o.State), Version: o.Version}
}

func openingETag(o *trellis.Opening) string { return `"v` + strconv.Itoa(o.Version) + `"` }

var openingBodyFields = []string{"role_id", "team", "region", "arrangement", "opens_on", "closes_on", "description", "hiring_manager_id", "state"}

// applyOpeningBody sets the fields the body names on o.
func applyOpeningBody(r *http.Request, o *trellis.Opening) error {
	raw, problems, err := decodeObject(r, "opening", openingBodyFields, "application/json")
	if err != nil {
		return err
	}
	j := &jsonFields{raw: raw, problems: problems}
	for k, dst := range map[string]*string{"role_id": &o.RoleID, "team": &o.Team, "region": &o.Region, "arrangement": &o.Arrangement, "description": &o.Description} {
		if v := j.str(k); v != nil {
			*dst = *v
		}
	}
	if v := j.str("state"); v != nil {
		o.State = trellis.OpeningState(*v)
	}
	if d, _ := j.date("opens_on", false); d != nil {
		o.OpensOn = *d
	}
	if d, _ := j.date("closes_on", false); d != nil {
		o.ClosesOn = *d
	}
	if b, ok := raw["hiring_manager_id"]; ok {
		id, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil || id <= 0 {
			j.add("hiring_manager_id", "must be a person id")
		} else {
			o.HiringManagerID = id
		}
	}
	return problemsError(j.problems)
}

func (s *Server) apiListOpenings(w http.ResponseWriter, r *http.Request) {
	if err := s.needOpenings(); err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	list, err := s.openings.ListOpenings(r.Context(), trellis.OpeningFilter{RoleID: q.Get("role"), Track: q.Get("track"), Team: q.Get("team"),
		Region: q.Get("region"), State: trellis.OpeningState(q.Get("state"))})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items := make([]openingJSON, len(list))
	for i, o := range list {
		items[i] = toOpeningJSON(o)
	}
	page, err := paginate(r, items, func(o openingJSON) string { return strconv.FormatInt(o.ID, 10) })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) apiCreateOpening(w http.ResponseWriter, r *http.Request) {
	if err := s.needOpenings(); err != nil {
		s.fail(w, r, err)
		return
	}
	o := &trellis.Opening{}
	if err := applyOpeningBody(r, o); err != nil {
		s.fail(w, r, err)
		return
	}
	o.State = ""
	created, err := s.createOpening(r, o)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", openingETag(created))
	w.Header().Set("Location", "/api/v1/openings/"+strconv.FormatInt(created.ID, 10))
	writeJSON(w, http.StatusCreated, toOpeningJSON(created))
}

func (s *Server) apiGetOpening(w http.ResponseWriter, r *http.Request) {
	if err := s.needOpenings(); err != nil {
		s.fail(w, r, err)
		return
	}
	o, _, err := s.loadOpening(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", openingETag(o))
	writeJSON(w, http.StatusOK, toOpeningJSON(o))
}

var errOpeningPrecondition = &trellis.Error{Code: trellis.EINVALID,
	Message: `Send If-Match with the ETag of the opening you read (GET /api/v1/openings/{id}), e.g. If-Match: "v3", so that a change made meanwhile is not overwritten.`,
	Details: []trellis.FieldError{{Field: "If-Match", Message: "required"}}}

func (s *Server) apiPatchOpening(w http.ResponseWriter, r *http.Request) {
	if err := s.needOpenings(); err != nil {
		s.fail(w, r, err)
		return
	}
	o, t, err := s.loadOpening(r)
	if err == nil {
		err = s.check(r, trellis.ActionEdit, t)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	expected, ok := s.ifMatch(w, r, o.Version, errOpeningPrecondition)
	if !ok {
		return
	}
	next := *o
	if err := applyOpeningBody(r, &next); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.saveOpening(r, o, &next, expected); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", openingETag(&next))
	writeJSON(w, http.StatusOK, toOpeningJSON(&next))
}
