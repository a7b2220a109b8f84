package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"trellis"
	"trellis/auth"
)

// ETHROTTLED is the error code of a sign-in refused because of too many
// recent failures; the web table answers it with 429.
const ETHROTTLED = "throttled"

// badCredentials is the one message for a wrong password and an unknown
// account: which of the two it was is nobody's business but the audit log's.
const badCredentials = "That email and password do not match an account."

// Sign-in methods, as sessions and the audit log name them.
const (
	methodPassword = "password"
	methodSSO      = "sso"
	methodReset    = "reset-link"
)

// ssoMaxAge is how long a started single sign-on may take.
const ssoMaxAge = 10 * time.Minute

type signinView struct {
	Next    string
	Email   string
	Message string // why the last attempt failed, "" on a fresh form
	SSO     bool
	Notice  string
}

func (s *Server) renderSignin(w http.ResponseWriter, r *http.Request, status int, v signinView) {
	v.SSO = s.oidc != nil
	s.render(w, r, status, "signin", page{Title: "Sign in", Nav: "signin", Data: v})
}

// signinForm shows the sign-in form; someone already signed in goes on.
func (s *Server) signinForm(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"))
	if s.actor(r).Person != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	v := signinView{Next: next}
	if r.URL.Query().Get("signedout") == "1" {
		v.Notice = "You are signed out."
	}
	s.renderSignin(w, r, http.StatusOK, v)
}

// signinSubmit checks an email and password. The throttle is asked first
// (refused attempts are not checked, and are not counted as failures: a
// locked-out attacker cannot extend the lock on the owner's account
// forever); then the password, with the same work for an unknown account;
// every checked attempt is recorded for the throttle and the audit log.
func (s *Server) signinSubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, trellis.Errorf(trellis.EINVALID, "The form could not be read."))
		return
	}
	ctx := r.Context()
	email := trellis.NormalizeEmail(r.PostForm.Get("email"))
	password := r.PostForm.Get("password")
	next := localPath(r.PostForm.Get("next"))
	v := signinView{Next: next, Email: email}
	if email == "" || password == "" {
		v.Message = "Enter your email and password."
		s.renderSignin(w, r, http.StatusBadRequest, v)
		return
	}
	if s.credentials == nil {
		s.fail(w, r, trellis.Errorf(trellis.EUNAVAILABLE, "Signing in with a password is not available on this server."))
		return
	}
	ip := s.clientIP(r)
	now := s.now()
	byAccount, byAddress, err := s.credentials.RecentSignInFailures(ctx, email, ip, now.Add(-s.throttle.Window))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if d := s.throttle.Check(now, byAccount, byAddress); !d.Allowed {
		s.audit(ctx, r, &trellis.AuditEvent{Action: trellis.AuditSigninThrottled, TargetType: trellis.AuditTargetAccount,
			TargetID: email, After: map[string]any{"by": d.By, "retry_at": d.RetryAt.UTC().Format(time.RFC3339)}})
		retry := max(int(d.RetryAt.Sub(now).Seconds()+0.999), 1)
		w.Header().Set("Retry-After", strconv.Itoa(retry))
		err := &trellis.Error{Code: ETHROTTLED, Message: trellis.ErrorMessage(d.Err(time.UTC))}
		v.Message = err.Message
		s.renderSignin(w, r, ErrorStatus(err), v)
		return
	}

	personID, phc, err := s.credentials.PasswordHash(ctx, email)
	ok := false
	switch {
	case trellis.ErrorCode(err) == trellis.ENOTFOUND:
		s.hasher.VerifyDummy(password)
	case err != nil:
		s.fail(w, r, err)
		return
	default:
		ok, err = s.hasher.Verify(password, phc)
		if err != nil {
			s.logger.ErrorContext(ctx, "stored password hash is unusable", "person", personID, "err", err)
			ok = false
		}
	}
	if err := s.credentials.RecordSignInAttempt(ctx, email, ip, ok); err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.audit(ctx, r, &trellis.AuditEvent{Action: trellis.AuditSigninFailed, TargetType: trellis.AuditTargetAccount,
			TargetID: email, After: map[string]any{"method": methodPassword}})
		v.Message = badCredentials
		s.renderSignin(w, r, http.StatusUnauthorized, v)
		return
	}
	if err := s.signIn(w, r, personID, methodPassword); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// signIn starts a session for the person and records the sign-in.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, personID int64, method string) error {
	ctx := r.Context()
	actor, err := s.loadActor(ctx, personID)
	if err != nil {
		return err
	}
	if actor.Person == nil {
		return trellis.Errorf(trellis.EUNAUTHORIZED, "This account cannot sign in.")
	}
	if err := s.startSession(ctx, personID, method); err != nil {
		return sessionError(err)
	}
	s.audit(trellis.NewContextWithActor(ctx, actor), r, &trellis.AuditEvent{Action: trellis.AuditSignin,
		TargetType: trellis.AuditTargetPerson, TargetID: strconv.FormatInt(personID, 10),
		After: map[string]any{"method": method}})
	return nil
}

// signout ends the session; signing out twice is no error.
func (s *Server) signout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if s.actor(r).Person != nil {
		s.audit(ctx, r, &trellis.AuditEvent{Action: trellis.AuditSignout, TargetType: trellis.AuditTargetPerson,
			TargetID: strconv.FormatInt(s.actor(r).Person.ID, 10)})
	}
	if err := s.endSession(ctx); err != nil {
		s.fail(w, r, sessionError(err))
		return
	}
	http.Redirect(w, r, "/signin?signedout=1", http.StatusSeeOther)
}

// Reset links.

type resetView struct {
	Action  string // the form's URL: /reset/{token}
	Message string
	Details []trellis.FieldError
}

// resetForm asks for a new password. Opening the link does not use it (mail
// scanners open links); only sending the form does.
func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if !auth.WellFormed(token, auth.ResetLinkPrefix) {
		s.fail(w, r, auth.ErrResetLinkRefused)
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(w, r, http.StatusOK, "reset", page{Title: "Choose a new password", Data: resetView{Action: "/reset/" + token}})
}

// resetSubmit sets the new password through a single-use link and signs the
// person in. The password policy is checked before the link is used, so a
// weak password does not burn it; the check against the person's own name
// and email can only run afterwards, and if it fails a fresh link carries
// the form on.
func (s *Server) resetSubmit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	token := r.PathValue("token")
	w.Header().Set("Referrer-Policy", "no-referrer")
	if !auth.WellFormed(token, auth.ResetLinkPrefix) {
		s.fail(w, r, auth.ErrResetLinkRefused)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, trellis.Errorf(trellis.EINVALID, "The form could not be read."))
		return
	}
	password, confirm := r.PostForm.Get("password"), r.PostForm.Get("confirm")
	again := func(action string, err error) {
		v := resetView{Action: action, Message: trellis.ErrorMessage(err), Details: trellis.ErrorDetails(err)}
		s.render(w, r, ErrorStatus(err), "reset", page{Title: "Choose a new password", Data: v})
	}
	if password != confirm {
		again("/reset/"+token, &trellis.Error{Code: trellis.EINVALID, Message: "The two passwords are not the same.",
			Details: []trellis.FieldError{{Field: "confirm", Message: "type the same password twice"}}})
		return
	}
	if err := auth.CheckPassword(password); err != nil {
		again("/reset/"+token, err)
		return
	}
	if s.tokens == nil || s.credentials == nil || s.people == nil {
		s.fail(w, r, trellis.Errorf(trellis.EUNAVAILABLE, "Reset links are not available on this server."))
		return
	}
	link, err := s.tokens.UseResetLink(ctx, auth.HashToken(token), s.now())
	if err != nil {
		if errors.Is(err, auth.ErrResetLinkRefused) {
			s.fail(w, r, auth.ErrResetLinkRefused)
			return
		}
		s.fail(w, r, err)
		return
	}
	p, err := s.people.FindPerson(ctx, link.PersonID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !p.Active {
		s.fail(w, r, auth.ErrResetLinkRefused)
		return
	}
	actx := trellis.NewContextWithActor(ctx, trellis.Actor{Person: p})
	if err := auth.CheckPassword(password, p.Name, p.Email); err != nil {
		fresh, plain, lerr := auth.NewResetLink(p.ID, nil, s.now(), time.Hour)
		if lerr == nil {
			lerr = s.tokens.CreateResetLink(actx, fresh)
		}
		if lerr != nil {
			s.fail(w, r, lerr)
			return
		}
		again("/reset/"+plain, err)
		return
	}
	phc, err := s.hasher.Hash(password)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.credentials.SetPasswordHash(actx, p.ID, phc); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.signIn(w, r, p.ID, methodReset); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// Single sign-on.

const (
	ssoStateKey    = "sso_state"
	ssoNonceKey    = "sso_nonce"
	ssoVerifierKey = "sso_verifier"
	ssoStartedKey  = "sso_started"
	ssoNextKey     = "sso_next"
)

// ssoBegin sends the browser to the identity provider, keeping the secrets
// of this sign-in in the session (never in a URL).
func (s *Server) ssoBegin(w http.ResponseWriter, r *http.Request) {
	if s.oidc == nil {
		s.fail(w, r, trellis.Errorf(trellis.ENOTFOUND, "Single sign-on is not set up on this server."))
		return
	}
	ctx := r.Context()
	authURL, st := s.oidc.Begin()
	s.sessions.Put(ctx, ssoStateKey, st.State)
	s.sessions.Put(ctx, ssoNonceKey, st.Nonce)
	s.sessions.Put(ctx, ssoVerifierKey, st.CodeVerifier)
	s.sessions.Put(ctx, ssoStartedKey, s.now().Unix())
	s.sessions.Put(ctx, ssoNextKey, localPath(r.URL.Query().Get("next")))
	http.Redirect(w, r, authURL, http.StatusSeeOther)
}

// ssoCallback finishes single sign-on: the identity is matched to a person
// by its link (issuer, subject), else by the verified email (and linked),
// else created when auto-provisioning is on.
func (s *Server) ssoCallback(w http.ResponseWriter, r *http.Request) {
	if s.oidc == nil {
		s.fail(w, r, trellis.Errorf(trellis.ENOTFOUND, "Single sign-on is not set up on this server."))
		return
	}
	ctx := r.Context()
	st := auth.LoginState{
		State:        s.sessions.PopString(ctx, ssoStateKey),
		Nonce:        s.sessions.PopString(ctx, ssoNonceKey),
		CodeVerifier: s.sessions.PopString(ctx, ssoVerifierKey),
	}
	started := time.Unix(s.sessions.GetInt64(ctx, ssoStartedKey), 0)
	s.sessions.Remove(ctx, ssoStartedKey)
	next := localPath(s.sessions.PopString(ctx, ssoNextKey))
	if s.now().Sub(started) > ssoMaxAge {
		st = auth.LoginState{}
	}
	refuse := func(email, reason string, err error) {
		e := &trellis.AuditEvent{Action: trellis.AuditSigninFailed, After: map[string]any{"method": methodSSO, "reason": reason}}
		if email != "" {
			e.TargetType, e.TargetID = trellis.AuditTargetAccount, email
		}
		s.audit(ctx, r, e)
		s.fail(w, r, err)
	}
	claims, err := s.oidc.Finish(ctx, st, r.URL.Query())
	if err != nil {
		if trellis.ErrorCode(err) == trellis.EUNAUTHORIZED {
			refuse("", "provider", err)
			return
		}
		s.fail(w, r, err)
		return
	}
	issuer := s.oidc.Config().Issuer
	personID, err := s.credentials.FindIdentity(ctx, issuer, claims.Subject)
	switch {
	case err == nil:
	case trellis.ErrorCode(err) != trellis.ENOTFOUND:
		s.fail(w, r, err)
		return
	default:
		p, err := s.people.FindPersonByEmail(ctx, claims.Email)
		switch {
		case trellis.ErrorCode(err) == trellis.ENOTFOUND && s.autoProvision:
			p, err = s.provision(ctx, claims)
			if err != nil {
				s.fail(w, r, err)
				return
			}
		case trellis.ErrorCode(err) == trellis.ENOTFOUND:
			refuse(claims.Email, "no person", trellis.Errorf(trellis.EFORBIDDEN,
				"You signed in as %s, but Trellis has no person with this email. Ask an administrator to add you.", claims.Email))
			return
		case err != nil:
			s.fail(w, r, err)
			return
		}
		if !p.Active {
			refuse(claims.Email, "inactive", trellis.Errorf(trellis.EFORBIDDEN,
				"The account of %s can no longer sign in. Ask an administrator if this is a mistake.", claims.Email))
			return
		}
		if err := s.credentials.LinkIdentity(ctx, issuer, claims.Subject, p.ID); err != nil {
			if trellis.ErrorCode(err) == trellis.ECONFLICT {
				refuse(claims.Email, "linked elsewhere", err)
				return
			}
			s.fail(w, r, err)
			return
		}
		personID = p.ID
	}
	if err := s.signIn(w, r, personID, methodSSO); err != nil {
		if trellis.ErrorCode(err) == trellis.EUNAUTHORIZED {
			refuse(claims.Email, "inactive", trellis.Errorf(trellis.EFORBIDDEN, "This account can no longer sign in."))
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// provision creates an engineer for a first single sign-on: in the role
// support-engineer when the active framework has it, else its first role.
func (s *Server) provision(ctx context.Context, c auth.Claims) (*trellis.Person, error) {
	name := strings.TrimSpace(c.Name)
	if name == "" {
		name, _, _ = strings.Cut(c.Email, "@")
	}
	p := &trellis.Person{Email: c.Email, Name: name, RoleID: s.defaultRole(ctx), Access: trellis.AccessEngineer, Active: true}
	ctx = trellis.NewContextWithOrigin(ctx, trellis.Origin{IP: trellis.OriginFromContext(ctx).IP, Label: "sso"})
	if err := s.people.CreatePerson(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// defaultRole is the role new people get.
func (s *Server) defaultRole(ctx context.Context) string {
	const preferred = "support-engineer"
	versions, err := s.frameworks.ListFrameworks(ctx)
	if err != nil {
		return preferred
	}
	for _, v := range versions {
		if !v.Active {
			continue
		}
		fw, _, err := s.frameworks.FindFramework(ctx, trellis.Ref{ID: v.ID, Version: v.Version})
		if err != nil || len(fw.Roles) == 0 {
			continue
		}
		if _, ok := fw.Role(preferred); ok {
			return preferred
		}
		return fw.Roles[0].ID
	}
	return preferred
}

// signinURL is the sign-in page that comes back to next.
func signinURL(next string) string {
	return "/signin?next=" + url.QueryEscape(next)
}
