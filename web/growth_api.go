package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"trellis"
)

// The growth plan API: GET and PUT of a person's current plan, its version
// as ETag; a PUT needs If-Match and replaces the plan's content.

func planETag(p *trellis.GrowthPlan) string { return `"v` + strconv.Itoa(p.Version) + `"` }

var errPlanPrecondition = &trellis.Error{Code: trellis.EINVALID,
	Message: `Send If-Match with the ETag of the plan you read (GET /api/v1/people/{id}/plan), e.g. If-Match: "v3", or "v0" for a person without a plan yet, so that a change made meanwhile is not overwritten.`,
	Details: []trellis.FieldError{{Field: "If-Match", Message: "required"}}}

func (s *Server) apiGetPlan(w http.ResponseWriter, r *http.Request) {
	_, p, ok := s.growthTarget(w, r, trellis.KindGrowthPlan)
	if !ok {
		return
	}
	plan, err := s.growth.FindPlan(r.Context(), p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", planETag(plan))
	writeJSON(w, http.StatusOK, plan)
}

var planBodyFields = []string{"period", "reflection", "target_role_id", "target_framework", "goals"}

type planConflictBody struct {
	Error   errorObject         `json:"error"`
	Current *trellis.GrowthPlan `json:"current"`
}

func (s *Server) stalePlan(w http.ResponseWriter, r *http.Request, cur *trellis.GrowthPlan, expected int) {
	msg := fmt.Sprintf("The plan was changed meanwhile: you sent If-Match for version %d, the stored version is %d. Nothing was written; apply your change to current and send it with If-Match: %s.",
		expected, cur.Version, planETag(cur))
	w.Header().Set("ETag", planETag(cur))
	writeJSON(w, http.StatusConflict, planConflictBody{Error: errorObject{Code: trellis.ECONFLICT, Message: msg, Details: []trellis.FieldError{}}, Current: cur})
}

// planIfMatch reads If-Match for a plan; "v0" names a plan not stored yet.
func (s *Server) planIfMatch(w http.ResponseWriter, r *http.Request, current int) (int, bool) {
	if im := r.Header.Get("If-Match"); im == `"v0"` || im == `W/"v0"` {
		return 0, true
	}
	return s.ifMatch(w, r, current, errPlanPrecondition)
}

func (s *Server) apiPutPlan(w http.ResponseWriter, r *http.Request) {
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
	expected, ok := s.planIfMatch(w, r, cur.Version)
	if !ok {
		return
	}
	raw, problems, err := decodeObject(r, "growth plan", planBodyFields, "application/json")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	next := &trellis.GrowthPlan{PersonID: p.ID, Period: cur.Period, Goals: []trellis.Goal{}}
	j := &jsonFields{raw: raw, problems: problems}
	if v := j.str("period"); v != nil {
		next.Period = *v
	}
	if v := j.str("target_role_id"); v != nil {
		next.TargetRoleID = *v
	}
	if v := j.str("target_framework"); v != nil {
		next.TargetFramework = *v
	}
	if b, ok := raw["reflection"]; ok && json.Unmarshal(b, &next.Reflection) != nil {
		j.add("reflection", "must be an object with why, energises, drains, learn_best, in_two_years and focus")
	}
	if b, ok := raw["goals"]; ok {
		if err := json.Unmarshal(b, &next.Goals); err != nil || next.Goals == nil {
			j.add("goals", "must be an array of goals, each with a title; due is a date-time such as 2026-09-30T00:00:00Z")
			next.Goals = []trellis.Goal{}
		}
	}
	if next.TargetRoleID != "" && next.TargetFramework == "" {
		fw, _, err := s.growthFramework(ctx, p)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		next.TargetFramework = fw.ID
	}
	if err := problemsError(j.problems); err != nil {
		s.fail(w, r, err)
		return
	}
	if expected != cur.Version {
		s.stalePlan(w, r, cur, expected)
		return
	}
	err = s.growth.SavePlan(ctx, next, expected)
	if trellis.ErrorCode(err) == trellis.ECONFLICT {
		if now, ferr := s.growth.FindPlan(ctx, p.ID); ferr == nil && now.Version != expected {
			s.stalePlan(w, r, now, expected)
			return
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	saved, err := s.growth.FindPlan(ctx, p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", planETag(saved))
	writeJSON(w, http.StatusOK, saved)
}
