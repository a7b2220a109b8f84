package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"trellis"
)

// Mentoring: the host logs pairing sessions and office hours in seconds,
// turns one into growing-others evidence in one step, runs structured
// mentorships and sees their pairing cadence beside the norm, as
// information. Sessions and mentorships belong to their host or mentor
// (KindMentoring); attendees and mentees see the ones they are part of.

func (s *Server) needMentoring() error {
	if s.mentoring == nil || s.people == nil {
		return trellis.Errorf(trellis.EUNAVAILABLE, "Mentoring is not available on this server.")
	}
	return nil
}

type sessionRow struct {
	S         *trellis.Session
	Attendees []*trellis.Person
	Hosted    bool
	Host      *trellis.Person
}

type mentorshipRow struct {
	M              *trellis.Mentorship
	Mentor, Mentee *trellis.Person
}

type mentoringView struct {
	Sessions    []sessionRow
	Mentorships []mentorshipRow
	Cadence     trellis.Cadence
	People      []*trellis.Person
	Today       string
	Notice      string
}

func (s *Server) mentoringPage(w http.ResponseWriter, r *http.Request) {
	if err := s.needMentoring(); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	me := s.actor(r).Person
	page, err := s.mentoring.ListSessions(ctx, trellis.SessionFilter{PersonID: me.ID, Limit: 50})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	weeks, _ := strconv.Atoi(r.URL.Query().Get("weeks"))
	if weeks == 0 {
		weeks = 6
	}
	cad, err := s.mentoring.PairingCadence(ctx, me.ID, weeks)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ms, err := s.mentoring.ListMentorships(ctx, me.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	people, err := s.people.ListPeople(ctx, trellis.PersonFilter{Limit: trellis.MaxListLimit})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := mentoringView{Cadence: cad, Today: s.now().UTC().Format("2006-01-02")}
	for _, p := range people.Items {
		if p.ID != me.ID {
			v.People = append(v.People, p)
		}
	}
	var ids []int64
	for _, x := range page.Items {
		ids = append(ids, x.HostID)
		ids = append(ids, x.AttendeeIDs...)
	}
	for _, m := range ms {
		ids = append(ids, m.MentorID, m.MenteeID)
	}
	names := s.names(ctx, ids...)
	for _, x := range page.Items {
		row := sessionRow{S: x, Hosted: x.HostID == me.ID, Host: names[x.HostID]}
		for _, id := range x.AttendeeIDs {
			row.Attendees = append(row.Attendees, names[id])
		}
		v.Sessions = append(v.Sessions, row)
	}
	for _, m := range ms {
		v.Mentorships = append(v.Mentorships, mentorshipRow{M: m, Mentor: names[m.MentorID], Mentee: names[m.MenteeID]})
	}
	switch {
	case r.URL.Query().Get("logged") != "":
		v.Notice = "Session logged."
	case r.URL.Query().Get("evidence") != "":
		v.Notice = "The session is now a private entry in your journal."
	}
	s.render(w, r, http.StatusOK, "mentoring", layoutPage("Mentoring", "mentoring", v))
}

func formIDs(vals []string) ([]int64, error) {
	var ids []int64
	for _, v := range vals {
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			id, err := strconv.ParseInt(f, 10, 64)
			if err != nil || id <= 0 {
				return nil, &trellis.Error{Code: trellis.EINVALID, Message: "Choose the attendees from the list.",
					Details: []trellis.FieldError{{Field: "attendee_ids", Message: fmt.Sprintf("%q is not a person", f)}}}
			}
			ids = append(ids, id)
		}
	}
	return ids, nil
}

var mentoringBack = []link{{"Mentoring", "/mentoring"}}

func (s *Server) logSessionSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.needMentoring(); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domainFormError(err))
		return
	}
	me := s.actor(r).Person
	var problems []trellis.FieldError
	ids, err := formIDs(r.PostForm["attendee_ids"])
	if err != nil {
		s.fail(w, r, withHint(err, "Back", mentoringBack))
		return
	}
	minutes, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("minutes")))
	if err != nil {
		problems = append(problems, trellis.FieldError{Field: "minutes", Message: "the duration in minutes"})
	}
	x := &trellis.Session{HostID: me.ID, Kind: r.PostFormValue("kind"), Topic: r.PostFormValue("topic"), Minutes: minutes,
		Link: r.PostFormValue("link"), AttendeeIDs: ids}
	date := strings.TrimSpace(r.PostFormValue("date"))
	if date == "" {
		date = s.now().UTC().Format("2006-01-02")
	}
	if d, ok := parseDate("date", date, &problems); ok {
		x.Date = d
	}
	if len(problems) > 0 {
		s.fail(w, r, withHint(&trellis.Error{Code: trellis.EINVALID, Message: "The session is not valid.", Details: problems}, "Back", mentoringBack))
		return
	}
	if err := s.mentoring.LogSession(r.Context(), x); err != nil {
		s.fail(w, r, withHint(err, "Back", mentoringBack))
		return
	}
	if r.PostFormValue("evidence") != "" {
		if _, err := s.mentoring.SessionToEvidence(r.Context(), x.ID); err != nil {
			s.fail(w, r, withHint(err, "Back", mentoringBack))
			return
		}
		http.Redirect(w, r, "/mentoring?evidence=1", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/mentoring?logged=1", http.StatusSeeOther)
}

// loadSession loads the session of {id} and asks the policy about it.
func (s *Server) loadSession(r *http.Request, action trellis.Action) (*trellis.Session, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, trellis.Errorf(trellis.ENOTFOUND, "No such mentoring session.")
	}
	x, err := s.mentoring.FindSession(r.Context(), id)
	if err != nil {
		return nil, err
	}
	t, _, err := s.personTarget(r.Context(), trellis.KindMentoring, x.HostID)
	if err != nil {
		return nil, err
	}
	me := s.actor(r).Person.ID
	if action == trellis.ActionRead && containsID(x.AttendeeIDs, me) {
		return x, nil
	}
	if err := s.check(r, action, t); err != nil {
		return nil, err
	}
	return x, nil
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func (s *Server) sessionEvidenceSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.needMentoring(); err != nil {
		s.fail(w, r, err)
		return
	}
	x, err := s.loadSession(r, trellis.ActionEdit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.mentoring.SessionToEvidence(r.Context(), x.ID); err != nil {
		s.fail(w, r, withHint(err, "Back", mentoringBack))
		return
	}
	http.Redirect(w, r, "/mentoring?evidence=1", http.StatusSeeOther)
}

func (s *Server) startMentorshipSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.needMentoring(); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domainFormError(err))
		return
	}
	mentee, _ := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("mentee_id")), 10, 64)
	m, err := s.startMentorship(r, mentee, r.PostFormValue("goal"), r.PostFormValue("starts_on"), r.PostFormValue("ends_on"))
	if err != nil {
		s.fail(w, r, withHint(err, "Back", mentoringBack))
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/mentoring/mentorships/%d", m.ID), http.StatusSeeOther)
}

// startMentorship starts a mentorship of mentee by the signed-in person;
// the dates are YYYY-MM-DD, the start today when empty.
func (s *Server) startMentorship(r *http.Request, mentee int64, goal, start, end string) (*trellis.Mentorship, error) {
	var problems []trellis.FieldError
	m := &trellis.Mentorship{MentorID: s.actor(r).Person.ID, MenteeID: mentee, Goal: goal}
	start = strings.TrimSpace(start)
	if start == "" {
		start = s.now().UTC().Format("2006-01-02")
	}
	if d, ok := parseDate("starts_on", start, &problems); ok {
		m.StartsOn = d
	}
	if d, ok := parseDate("ends_on", strings.TrimSpace(end), &problems); ok {
		m.EndsOn = d
	}
	if len(problems) > 0 {
		return nil, &trellis.Error{Code: trellis.EINVALID, Message: "The mentorship is not valid.", Details: problems}
	}
	if err := s.mentoring.StartMentorship(r.Context(), m); err != nil {
		return nil, err
	}
	return m, nil
}

// loadMentorship loads the mentorship of {id}; its mentor and mentee work
// on it, the mentor's reporting line reads it.
func (s *Server) loadMentorship(r *http.Request, action trellis.Action) (*trellis.Mentorship, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, trellis.Errorf(trellis.ENOTFOUND, "No such mentorship.")
	}
	m, err := s.mentoring.FindMentorship(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if m.Side(s.actor(r).Person.ID) {
		return m, nil
	}
	t, _, err := s.personTarget(r.Context(), trellis.KindMentoring, m.MentorID)
	if err != nil {
		return nil, err
	}
	if err := s.check(r, action, t); err != nil {
		return nil, err
	}
	return m, nil
}

type checkInRow struct {
	C      trellis.CheckIn
	Author *trellis.Person
}

type mentorshipView struct {
	M              *trellis.Mentorship
	Mentor, Mentee *trellis.Person
	CheckIns       []checkInRow
	Side           bool
	Week           int
	Today          string
}

func (s *Server) mentorshipPage(w http.ResponseWriter, r *http.Request) {
	if err := s.needMentoring(); err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := s.loadMentorship(r, trellis.ActionRead)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names := s.names(r.Context(), m.MentorID, m.MenteeID)
	today := trellis.Day(s.now())
	v := mentorshipView{M: m, Mentor: names[m.MentorID], Mentee: names[m.MenteeID], Side: m.Side(s.actor(r).Person.ID),
		Today: today.Format("2006-01-02")}
	if !today.Before(m.StartsOn) {
		v.Week = int(today.Sub(m.StartsOn).Hours()/24)/7 + 1
	}
	for _, c := range m.CheckIns {
		v.CheckIns = append(v.CheckIns, checkInRow{C: c, Author: names[c.AuthorID]})
	}
	s.render(w, r, http.StatusOK, "mentorship", layoutPage("Mentorship of "+v.Mentee.Name, "mentoring", v))
}

func (s *Server) checkInSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.needMentoring(); err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := s.loadMentorship(r, trellis.ActionEdit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domainFormError(err))
		return
	}
	back := []link{{"The mentorship", fmt.Sprintf("/mentoring/mentorships/%d", m.ID)}}
	if _, err := s.addCheckIn(r, m, r.PostFormValue("date"), r.PostFormValue("notes")); err != nil {
		s.fail(w, r, withHint(err, "Back", back))
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/mentoring/mentorships/%d", m.ID), http.StatusSeeOther)
}

// addCheckIn records a check-in of the signed-in person on m (loaded for
// editing); the date is YYYY-MM-DD.
func (s *Server) addCheckIn(r *http.Request, m *trellis.Mentorship, date, notes string) (*trellis.CheckIn, error) {
	var problems []trellis.FieldError
	c := &trellis.CheckIn{AuthorID: s.actor(r).Person.ID, Notes: notes}
	if d, ok := parseDate("date", strings.TrimSpace(date), &problems); ok {
		c.Date = d
	}
	if len(problems) > 0 {
		return nil, &trellis.Error{Code: trellis.EINVALID, Message: "The check-in is not valid.", Details: problems}
	}
	if err := s.mentoring.AddCheckIn(r.Context(), m.ID, c); err != nil {
		return nil, err
	}
	return c, nil
}

func (s *Server) outcomeSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.needMentoring(); err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := s.loadMentorship(r, trellis.ActionEdit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if m.MentorID != s.actor(r).Person.ID {
		s.fail(w, r, trellis.Errorf(trellis.EFORBIDDEN, "The mentor records the outcome."))
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domainFormError(err))
		return
	}
	if _, err := s.mentoring.CloseMentorship(r.Context(), m.ID, r.PostFormValue("outcome")); err != nil {
		s.fail(w, r, withHint(err, "Back", []link{{"The mentorship", fmt.Sprintf("/mentoring/mentorships/%d", m.ID)}}))
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/mentoring/mentorships/%d", m.ID), http.StatusSeeOther)
}
