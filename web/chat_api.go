package web

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"trellis"
)

// The API of coffee chats and mentoring sessions: the caller's own chats
// (cursor list, request, one chat with its ETag, an answer with If-Match)
// and the sessions they hosted or attended (cursor list, log one, make one
// evidence).

func chatETag(c *trellis.Chat) string { return `"v` + strconv.Itoa(c.Version) + `"` }

// decodeStrict reads a JSON object into v, refusing unknown fields.
func decodeStrict(r *http.Request, what string, v any) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		return &trellis.Error{Code: trellis.EINVALID, Message: "Send the body as application/json.",
			Details: []trellis.FieldError{{Field: "Content-Type", Message: "use application/json"}}}
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &trellis.Error{Code: trellis.EINVALID, Message: "The body must be a JSON object of " + what + " fields.",
			Details: []trellis.FieldError{{Field: "body", Message: err.Error()}}}
	}
	return nil
}

func (s *Server) apiListChats(w http.ResponseWriter, r *http.Request) {
	if err := s.needChats(); err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	limit, err := apiLimit(q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := trellis.ChatFilter{PersonID: s.actor(r).Person.ID, Direction: q.Get("direction"), Limit: limit, Cursor: q.Get("cursor")}
	page, err := s.chats.ListChats(r.Context(), f)
	if err != nil {
		s.fail(w, r, cursorError(err, f.Cursor))
		return
	}
	writeJSON(w, http.StatusOK, page)
}

type chatRequestBody struct {
	RecipientID int64  `json:"recipient_id"`
	Kind        string `json:"kind"`
	Note        string `json:"note"`
}

func (s *Server) apiRequestChat(w http.ResponseWriter, r *http.Request) {
	if err := s.needChats(); err != nil {
		s.fail(w, r, err)
		return
	}
	var b chatRequestBody
	if err := decodeStrict(r, "chat request", &b); err != nil {
		s.fail(w, r, err)
		return
	}
	c := &trellis.Chat{RequesterID: s.actor(r).Person.ID, RecipientID: b.RecipientID, Kind: b.Kind, Note: b.Note}
	if err := s.chats.RequestChat(r.Context(), c); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/chats/%d", c.ID))
	w.Header().Set("ETag", chatETag(c))
	writeJSON(w, http.StatusCreated, c)
}

func (s *Server) apiGetChat(w http.ResponseWriter, r *http.Request) {
	if err := s.needChats(); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.loadChat(r, trellis.ActionRead)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	tag := chatETag(c)
	w.Header().Set("ETag", tag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

var errChatPrecondition = &trellis.Error{Code: trellis.EINVALID,
	Message: `Send If-Match with the ETag of the chat you read (GET /api/v1/chats/{id}), e.g. If-Match: "v2", so that an answer given meanwhile is not overlooked.`,
	Details: []trellis.FieldError{{Field: "If-Match", Message: "required"}}}

func (s *Server) apiAnswerChat(w http.ResponseWriter, r *http.Request) {
	if err := s.needChats(); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.loadChat(r, trellis.ActionEdit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := r.Header.Get("If-Match")
	if h == "" {
		s.writeErrorStatus(w, r, http.StatusPreconditionRequired, errChatPrecondition)
		return
	}
	version, err := ifMatchVersion(h, c.Version)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var a trellis.ChatAnswer
	if err := decodeStrict(r, "answer", &a); err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := s.chats.AnswerChat(r.Context(), c.ID, s.actor(r).Person.ID, a, version)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", chatETag(out))
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiListSessions(w http.ResponseWriter, r *http.Request) {
	if err := s.needMentoring(); err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	limit, err := apiLimit(q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := trellis.SessionFilter{PersonID: s.actor(r).Person.ID, Limit: limit, Cursor: q.Get("cursor")}
	page, err := s.mentoring.ListSessions(r.Context(), f)
	if err != nil {
		s.fail(w, r, cursorError(err, f.Cursor))
		return
	}
	writeJSON(w, http.StatusOK, page)
}

type sessionBody struct {
	Kind        string  `json:"kind"`
	Date        string  `json:"date"`
	Topic       string  `json:"topic"`
	Minutes     int     `json:"minutes"`
	Link        string  `json:"link"`
	AttendeeIDs []int64 `json:"attendee_ids"`
}

func (s *Server) apiLogSession(w http.ResponseWriter, r *http.Request) {
	if err := s.needMentoring(); err != nil {
		s.fail(w, r, err)
		return
	}
	var b sessionBody
	if err := decodeStrict(r, "session", &b); err != nil {
		s.fail(w, r, err)
		return
	}
	x := &trellis.Session{HostID: s.actor(r).Person.ID, Kind: b.Kind, Topic: b.Topic, Minutes: b.Minutes, Link: b.Link, AttendeeIDs: b.AttendeeIDs}
	if b.Date == "" {
		x.Date = trellis.Day(s.now())
	} else {
		var problems []trellis.FieldError
		d, _ := parseDate("date", b.Date, &problems)
		if err := problemsError(problems); err != nil {
			s.fail(w, r, err)
			return
		}
		x.Date = d
	}
	if err := s.mentoring.LogSession(r.Context(), x); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/mentoring/sessions/%d", x.ID))
	writeJSON(w, http.StatusCreated, x)
}

func (s *Server) apiSessionEvidence(w http.ResponseWriter, r *http.Request) {
	if err := s.needMentoring(); err != nil {
		s.fail(w, r, err)
		return
	}
	x, err := s.loadSession(r, trellis.ActionEdit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	e, err := s.mentoring.SessionToEvidence(r.Context(), x.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/evidence/%d", e.ID))
	w.Header().Set("ETag", evidenceETag(e))
	writeJSON(w, http.StatusCreated, apiEvidence{Evidence: e})
}
