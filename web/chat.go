package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"trellis"
)

// The people finder, coffee chats and ask-me-anything sessions per role.
// A chat is between its two sides: routes on one chat load it and ask the
// policy about the actor's own side (KindChat, owner: the actor when they
// take part), so that anyone else gets a 404.

func (s *Server) needChats() error {
	if s.chats == nil || s.people == nil {
		return trellis.Errorf(trellis.EUNAVAILABLE, "Coffee chats are not available on this server.")
	}
	return nil
}

// names maps person ids to people, for showing names beside ids.
func (s *Server) names(ctx context.Context, ids ...int64) map[int64]*trellis.Person {
	out := map[int64]*trellis.Person{}
	for _, id := range ids {
		if _, ok := out[id]; ok || id <= 0 {
			continue
		}
		if p, err := s.people.FindPerson(ctx, id); err == nil {
			out[id] = p
		} else {
			out[id] = &trellis.Person{ID: id, Name: fmt.Sprintf("person %d", id)}
		}
	}
	return out
}

// The finder.

type finderRow struct {
	P    *trellis.Person
	Role roleInfo
	Top  []finderComp
}

type finderComp struct {
	Name  string
	Count int
}

type finderView struct {
	Roles        []roleInfo
	Tracks       []string
	Competencies []trellis.Competency
	Role, Track  string
	Team, Comp   string
	Searched     bool
	Rows         []finderRow
}

// competencyNames returns the competencies of the active frameworks.
func (s *Server) activeCompetencies(ctx context.Context) []trellis.Competency {
	var out []trellis.Competency
	seen := map[string]bool{}
	versions, err := s.frameworks.ListFrameworks(ctx)
	if err != nil {
		return nil
	}
	for _, v := range versions {
		if !v.Active {
			continue
		}
		fw, _, err := s.frameworks.FindFramework(ctx, trellis.Ref{ID: v.ID})
		if err != nil {
			continue
		}
		for _, c := range fw.Competencies {
			if !seen[c.ID] {
				seen[c.ID] = true
				out = append(out, c)
			}
		}
	}
	return out
}

func (s *Server) finderPage(w http.ResponseWriter, r *http.Request) {
	if err := s.needChats(); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	cat, err := s.roles(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := finderView{Roles: cat.List, Competencies: s.activeCompetencies(ctx),
		Role: strings.TrimSpace(q.Get("role")), Track: strings.TrimSpace(q.Get("track")),
		Team: strings.TrimSpace(q.Get("team")), Comp: strings.TrimSpace(q.Get("competency"))}
	compName := map[string]string{}
	for _, c := range v.Competencies {
		compName[c.ID] = c.Name
	}
	for _, ri := range cat.List {
		if ri.Track != "" && !containsString(v.Tracks, ri.Track) {
			v.Tracks = append(v.Tracks, ri.Track)
		}
	}
	f := trellis.FinderFilter{Team: v.Team, Competency: v.Comp, ExcludeID: s.actor(r).Person.ID, Limit: 100,
		Visibilities: []trellis.Visibility{trellis.VisOrganisationViewer, trellis.VisOrganisationCommenter, trellis.VisOrganisationEditor}}
	if v.Role != "" {
		f.RoleIDs = []string{v.Role}
	}
	if v.Track != "" {
		for _, ri := range cat.List {
			if ri.Track == v.Track && (v.Role == "" || v.Role == ri.ID) {
				f.RoleIDs = append(f.RoleIDs, ri.ID)
			}
		}
		if len(f.RoleIDs) == 0 {
			f.RoleIDs = []string{"-"}
		}
	}
	v.Searched = v.Role != "" || v.Track != "" || v.Team != "" || v.Comp != ""
	res, err := s.chats.FindPeople(ctx, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, fr := range res {
		row := finderRow{P: fr.Person, Role: cat.of(fr.Person.RoleID)}
		for _, c := range fr.Top {
			row.Top = append(row.Top, finderComp{Name: cmpName(compName, c.Competency), Count: c.Count})
		}
		v.Rows = append(v.Rows, row)
	}
	s.render(w, r, http.StatusOK, "finder", layoutPage("Find people", "finder", v))
}

func cmpName(m map[string]string, id string) string {
	if n, ok := m[id]; ok {
		return n
	}
	return id
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Chats.

type chatRow struct {
	C       *trellis.Chat
	Other   *trellis.Person
	Waiting bool // waiting for me
}

type chatsView struct {
	Incoming, Outgoing []chatRow
	To                 *trellis.Person
	Note, Kind         string
	Notice             string
}

func (s *Server) chatsPage(w http.ResponseWriter, r *http.Request) {
	if err := s.needChats(); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	me := s.actor(r).Person
	v := chatsView{Kind: trellis.ChatCoffee}
	if to := r.URL.Query().Get("to"); to != "" {
		id, _ := strconv.ParseInt(to, 10, 64)
		p, err := s.people.FindPerson(ctx, id)
		if err != nil || !p.Active {
			s.fail(w, r, trellis.Errorf(trellis.ENOTFOUND, "No such person to ask for a chat."))
			return
		}
		v.To = p
	}
	if r.URL.Query().Get("kind") == trellis.ChatAMA {
		v.Kind = trellis.ChatAMA
	}
	for _, dir := range []string{"incoming", "outgoing"} {
		page, err := s.chats.ListChats(ctx, trellis.ChatFilter{PersonID: me.ID, Direction: dir, Limit: 100})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var ids []int64
		for _, c := range page.Items {
			ids = append(ids, c.Other(me.ID))
		}
		names := s.names(ctx, ids...)
		for _, c := range page.Items {
			row := chatRow{C: c, Other: names[c.Other(me.ID)], Waiting: c.WaitingFor() == me.ID}
			if dir == "incoming" {
				v.Incoming = append(v.Incoming, row)
			} else {
				v.Outgoing = append(v.Outgoing, row)
			}
		}
	}
	if r.URL.Query().Get("sent") != "" {
		v.Notice = "Your request was sent."
	}
	s.render(w, r, http.StatusOK, "chats", layoutPage("Coffee chats", "chats", v))
}

func (s *Server) requestChatSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.needChats(); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domainFormError(err))
		return
	}
	me := s.actor(r).Person
	to, _ := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("recipient_id")), 10, 64)
	c := &trellis.Chat{RequesterID: me.ID, RecipientID: to, Kind: r.PostFormValue("kind"), Note: r.PostFormValue("note")}
	if err := s.chats.RequestChat(r.Context(), c); err != nil {
		s.fail(w, r, withHint(err, "Back", []link{{"Coffee chats", "/chats"}, {"Find people", "/people/find"}}))
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/chats/%d?sent=1", c.ID), http.StatusSeeOther)
}

// loadChat loads the chat of the {id} wildcard and checks that the actor
// takes part in it.
func (s *Server) loadChat(r *http.Request, action trellis.Action) (*trellis.Chat, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, trellis.Errorf(trellis.ENOTFOUND, "No such coffee chat.")
	}
	c, err := s.chats.FindChat(r.Context(), id)
	if err != nil {
		return nil, err
	}
	actor := s.actor(r)
	t := trellis.Target{Kind: trellis.KindChat, Owner: &trellis.Person{ID: c.RequesterID, Active: true}}
	if c.Side(actor.Person.ID) {
		t.Owner, t.OwnerChain = actor.Person, actor.Chain
	}
	if err := s.check(r, action, t); err != nil {
		return nil, err
	}
	return c, nil
}

type chatView struct {
	C          *trellis.Chat
	Requester  *trellis.Person
	Recipient  *trellis.Person
	Other      *trellis.Person
	Mine       bool // I asked
	CanAnswer  bool
	MyNote     string
	Notice     string
	ProposedBy string
}

func (s *Server) chatPage(w http.ResponseWriter, r *http.Request) {
	if err := s.needChats(); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.loadChat(r, trellis.ActionRead)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	me := s.actor(r).Person
	names := s.names(ctx, c.RequesterID, c.RecipientID)
	v := chatView{C: c, Requester: names[c.RequesterID], Recipient: names[c.RecipientID], Other: names[c.Other(me.ID)],
		Mine: c.RequesterID == me.ID, CanAnswer: c.WaitingFor() == me.ID}
	if c.ProposedBy != nil {
		v.ProposedBy = names[*c.ProposedBy].Name
	}
	if v.MyNote, err = s.chats.ChatNote(ctx, c.ID, me.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	switch {
	case r.URL.Query().Get("sent") != "":
		v.Notice = "Your request was sent to " + v.Other.Name + "."
	case r.URL.Query().Get("answered") != "":
		v.Notice = "Your answer was sent."
	case r.URL.Query().Get("saved") != "":
		v.Notice = "Your notes were saved. Only you can read them."
	}
	s.render(w, r, http.StatusOK, "chat", layoutPage("Coffee chat with "+v.Other.Name, "chats", v))
}

func (s *Server) answerChatSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.needChats(); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.loadChat(r, trellis.ActionEdit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domainFormError(err))
		return
	}
	a := trellis.ChatAnswer{Answer: r.PostFormValue("answer"), Message: r.PostFormValue("message")}
	if p := strings.TrimSpace(r.PostFormValue("proposed_at")); p != "" {
		t, err := time.Parse("2006-01-02T15:04", p)
		if err != nil {
			s.fail(w, r, &trellis.Error{Code: trellis.EINVALID, Message: "The proposed time is not a date and time.",
				Details: []trellis.FieldError{{Field: "proposed_at", Message: "YYYY-MM-DDTHH:MM, in UTC"}}})
			return
		}
		a.ProposedAt = &t
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	back := []link{{"The chat", fmt.Sprintf("/chats/%d", c.ID)}}
	if _, err := s.chats.AnswerChat(r.Context(), c.ID, s.actor(r).Person.ID, a, version); err != nil {
		s.fail(w, r, withHint(err, "Back", back))
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/chats/%d?answered=1", c.ID), http.StatusSeeOther)
}

func (s *Server) chatNotesSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.needChats(); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.loadChat(r, trellis.ActionEdit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domainFormError(err))
		return
	}
	if err := s.chats.SaveChatNote(r.Context(), c.ID, s.actor(r).Person.ID, r.PostFormValue("notes")); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/chats/%d?saved=1", c.ID), http.StatusSeeOther)
}

// Ask-me-anything sessions of a role.

type amaRow struct {
	A    *trellis.AMA
	Host *trellis.Person
}

type amasView struct {
	FrameworkID string
	Role        trellis.Role
	Rows        []amaRow
	Today       string
}

func (s *Server) amaRole(r *http.Request) (*trellis.Framework, trellis.Role, error) {
	fw, _, err := s.frameworks.FindFramework(r.Context(), trellis.Ref{ID: r.PathValue("id")})
	if err != nil {
		return nil, trellis.Role{}, err
	}
	role, ok := fw.Role(r.PathValue("role"))
	if !ok {
		return nil, trellis.Role{}, trellis.Errorf(trellis.ENOTFOUND, "The framework has no role %q.", r.PathValue("role"))
	}
	return fw, *role, nil
}

func (s *Server) amasPage(w http.ResponseWriter, r *http.Request) {
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
	v := amasView{FrameworkID: fw.ID, Role: role, Today: s.now().UTC().Format("2006-01-02")}
	var ids []int64
	for _, a := range list {
		ids = append(ids, a.HostID)
	}
	names := s.names(r.Context(), ids...)
	for _, a := range list {
		v.Rows = append(v.Rows, amaRow{A: a, Host: names[a.HostID]})
	}
	p := layoutPage("Ask me anything: "+role.Name, "frameworks", v)
	p.FrameworkID = fw.ID
	s.render(w, r, http.StatusOK, "amas", p)
}

// createAMASubmit records an ask-me-anything session hosted by the person
// who records it.
func (s *Server) createAMASubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.needChats(); err != nil {
		s.fail(w, r, err)
		return
	}
	fw, role, err := s.amaRole(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domainFormError(err))
		return
	}
	back := []link{{"Ask me anything", amasURL(fw.ID, role.ID)}}
	if _, err := s.createAMA(r, fw, role, r.PostFormValue("topic"), r.PostFormValue("date"), r.PostFormValue("recording_url")); err != nil {
		s.fail(w, r, withHint(err, "Back", back))
		return
	}
	http.Redirect(w, r, amasURL(fw.ID, role.ID), http.StatusSeeOther)
}

// createAMA records an ask-me-anything session on role hosted by the
// signed-in person; the date is YYYY-MM-DD. A read-only token may not.
func (s *Server) createAMA(r *http.Request, fw *trellis.Framework, role trellis.Role, topic, date, recordingURL string) (*trellis.AMA, error) {
	me := s.actor(r)
	if me.ReadOnly {
		return nil, trellis.Errorf(trellis.EFORBIDDEN, "This API token may only read; this needs a token with the write scope.")
	}
	var problems []trellis.FieldError
	a := &trellis.AMA{FrameworkID: fw.ID, RoleID: role.ID, HostID: me.Person.ID, CreatedBy: me.Person.ID, Topic: topic, RecordingURL: recordingURL}
	if d, ok := parseDate("date", strings.TrimSpace(date), &problems); ok {
		a.Date = d
	}
	if len(problems) > 0 {
		return nil, &trellis.Error{Code: trellis.EINVALID, Message: "The session is not valid.", Details: problems}
	}
	if err := s.chats.CreateAMA(r.Context(), a); err != nil {
		return nil, err
	}
	return a, nil
}

func amasURL(fwID, roleID string) string {
	return "/frameworks/" + url.PathEscape(fwID) + "/roles/" + url.PathEscape(roleID) + "/amas"
}

// amaResources lists the recordings of a role's ask-me-anything sessions as
// resources of the role; nothing when the server has no chats or the
// sessions cannot be read (the role page does not fail for them).
func (s *Server) amaResources(ctx context.Context, fwID, roleID string) []trellis.Resource {
	if s.chats == nil {
		return nil
	}
	list, err := s.chats.ListAMAs(ctx, fwID, roleID)
	if err != nil {
		s.logger.WarnContext(ctx, "listing ask-me-anything sessions", "err", err)
		return nil
	}
	var out []trellis.Resource
	for _, a := range list {
		if a.RecordingURL == "" {
			continue
		}
		out = append(out, trellis.Resource{ID: fmt.Sprintf("ama-%d", a.ID), Title: a.Topic, Kind: "recorded AMA", URL: a.RecordingURL,
			Description: "Ask me anything, " + a.Date.Format("2 January 2006") + "."})
	}
	return out
}
