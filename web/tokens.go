package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"trellis"
	"trellis/auth"
)

// ownerSelf, as an Access's Owner, means the signed-in person: routes on
// one's own resources (/settings/tokens) that name nobody in the path.
const ownerSelf = "@self"

// needSelf is the access of routes on the signed-in person's own resources.
func needSelf(kind trellis.Kind, action trellis.Action) Access {
	return Access{Kind: kind, Action: action, Owner: ownerSelf}
}

type tokensView struct {
	Person  *trellis.Person // whose tokens
	Own     bool
	Tokens  []tokenRow
	Created string // the new token's secret, shown once
	NewName string
	Message string
	Details []trellis.FieldError
	Now     time.Time
}

type tokenRow struct {
	*auth.APIToken
	Status string // active, expired, revoked
}

// tokensOwner is the person whose tokens the request is about: the
// signed-in person, or (for admins) the person named by ?person= or the
// form's person_id. Seeing them is asked of the policy.
func (s *Server) tokensOwner(r *http.Request, action trellis.Action) (*trellis.Person, error) {
	me := s.actor(r).Person
	raw := r.URL.Query().Get("person")
	if r.Method == http.MethodPost {
		raw = r.PostFormValue("person_id")
	}
	if raw == "" || raw == strconv.FormatInt(me.ID, 10) {
		return me, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, trellis.Errorf(trellis.ENOTFOUND, "No such person.")
	}
	t, p, err := s.personTarget(r.Context(), trellis.KindToken, id)
	if err != nil {
		return nil, err
	}
	if err := s.check(r, action, t); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.tokensOwner(r, trellis.ActionRead)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderTokens(w, r, http.StatusOK, p, tokensView{})
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, status int, p *trellis.Person, v tokensView) {
	list, err := s.tokens.ListTokens(r.Context(), p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now()
	v.Person, v.Own, v.Now = p, p.ID == s.actor(r).Person.ID, now
	for _, t := range list {
		st := t.Problem(now)
		if st == "" {
			st = "active"
		}
		v.Tokens = append(v.Tokens, tokenRow{APIToken: t, Status: st})
	}
	if v.Created != "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	s.render(w, r, status, "tokens", page{Title: "API tokens", Nav: "tokens", Data: v})
}

// tokenCreate makes a token for the signed-in person and shows it once.
func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request) {
	me := s.actor(r).Person
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, trellis.Errorf(trellis.EINVALID, "The form could not be read."))
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	scope := r.PostForm.Get("scope")
	days, derr := strconv.Atoi(cmpOr(r.PostForm.Get("days"), "90"))
	var ttl time.Duration
	if derr != nil || days < 1 {
		ttl = -1 // NewAPIToken reports the range
	} else {
		ttl = time.Duration(days) * 24 * time.Hour
	}
	var err error
	var tok *auth.APIToken
	var plain string
	if name == "" {
		err = &trellis.Error{Code: trellis.EINVALID, Message: "The token cannot be created.",
			Details: []trellis.FieldError{{Field: "name", Message: "give the token a name, such as the script that uses it"}}}
	} else {
		tok, plain, err = auth.NewAPIToken(me.ID, name, scope, s.now(), ttl)
	}
	if err == nil {
		err = s.tokens.CreateToken(r.Context(), tok)
	}
	if err != nil {
		if trellis.ErrorCode(err) != trellis.EINVALID {
			s.fail(w, r, err)
			return
		}
		s.renderTokens(w, r, http.StatusBadRequest, me, tokensView{Message: trellis.ErrorMessage(err),
			Details: trellis.ErrorDetails(err), NewName: name})
		return
	}
	s.renderTokens(w, r, http.StatusCreated, me, tokensView{Created: plain, NewName: tok.Name})
}

// tokenRevoke revokes one of the person's tokens: one's own, or anyone's
// for an admin (the policy's token delete).
func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, trellis.Errorf(trellis.EINVALID, "The form could not be read."))
		return
	}
	p, err := s.tokensOwner(r, trellis.ActionDelete)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("tid"), 10, 64)
	if err != nil {
		s.fail(w, r, trellis.Errorf(trellis.ENOTFOUND, "No such token."))
		return
	}
	list, err := s.tokens.ListTokens(r.Context(), p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	found := false
	for _, t := range list {
		found = found || t.ID == id
	}
	if !found {
		s.fail(w, r, trellis.Errorf(trellis.ENOTFOUND, "No such token."))
		return
	}
	if err := s.tokens.RevokeToken(r.Context(), id, s.now()); err != nil {
		s.fail(w, r, err)
		return
	}
	dest := "/settings/tokens"
	if p.ID != s.actor(r).Person.ID {
		dest += "?person=" + strconv.FormatInt(p.ID, 10)
	}
	http.Redirect(w, r, dest, http.StatusSeeOther)
}

// apiMe answers who the request acts as.
func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.actor(r).Person)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
