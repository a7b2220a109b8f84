package web

import (
	"fmt"
	"net/http"
	"strconv"

	"trellis"
)

// The API of mentorships (mine, start one, add a check-in) and of a role's
// ask-me-anything sessions (list, record one). Dates in bodies are
// YYYY-MM-DD.

func (s *Server) apiListMentorships(w http.ResponseWriter, r *http.Request) {
	if err := s.needMentoring(); err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.mentoring.ListMentorships(r.Context(), s.actor(r).Person.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := paginate(r, list, func(m *trellis.Mentorship) string { return strconv.FormatInt(m.ID, 10) })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

type mentorshipBody struct {
	MenteeID int64  `json:"mentee_id"`
	Goal     string `json:"goal"`
	StartsOn string `json:"starts_on"`
	EndsOn   string `json:"ends_on"`
}

func (s *Server) apiStartMentorship(w http.ResponseWriter, r *http.Request) {
	if err := s.needMentoring(); err != nil {
		s.fail(w, r, err)
		return
	}
	var b mentorshipBody
	if err := decodeStrict(r, "mentorship", &b); err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := s.startMentorship(r, b.MenteeID, b.Goal, b.StartsOn, b.EndsOn)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/mentorships/%d", m.ID))
	writeJSON(w, http.StatusCreated, m)
}

type checkInBody struct {
	Date  string `json:"date"`
	Notes string `json:"notes"`
}

func (s *Server) apiAddCheckIn(w http.ResponseWriter, r *http.Request) {
	if err := s.needMentoring(); err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := s.loadMentorship(r, trellis.ActionEdit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var b checkInBody
	if err := decodeStrict(r, "check-in", &b); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.addCheckIn(r, m, b.Date, b.Notes)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

func (s *Server) apiListAMAs(w http.ResponseWriter, r *http.Request) {
	if err := s.needChats(); err != nil {
		s.fail(w, r, err)
		return
	}
	fw, role, err := s.amaRole(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.chats.ListAMAs(r.Context(), fw.ID, role.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := paginate(r, list, func(a *trellis.AMA) string { return strconv.FormatInt(a.ID, 10) })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

type amaBody struct {
	Topic        string `json:"topic"`
	Date         string `json:"date"`
	RecordingURL string `json:"recording_url"`
}

func (s *Server) apiCreateAMA(w http.ResponseWriter, r *http.Request) {
	if err := s.needChats(); err != nil {
		s.fail(w, r, err)
		return
	}
	fw, role, err := s.amaRole(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var b amaBody
	if err := decodeStrict(r, "ask-me-anything session", &b); err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.createAMA(r, fw, role, b.Topic, b.Date, b.RecordingURL)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a)
}
