package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"trellis"
	"trellis/markdown"
)

// Openings: internal postings, "I'm interested", subscriptions by role or
// track, and the openings of a person's target role on their target and
// readiness pages. An opening belongs to its hiring manager: posting and
// editing are asked of the policy on them.

func (s *Server) needOpenings() error {
	if s.openings == nil || s.people == nil {
		return trellis.Errorf(trellis.EUNAVAILABLE, "Openings are not available on this server.")
	}
	return nil
}

func openingURL(id int64) string { return "/openings/" + strconv.FormatInt(id, 10) }

// openingTarget is the policy's view of an opening: its hiring manager's.
func (s *Server) openingTarget(ctx context.Context, hiringManagerID int64) (trellis.Target, error) {
	t, _, err := s.personTarget(ctx, trellis.KindOpening, hiringManagerID)
	if trellis.ErrorCode(err) == trellis.ENOTFOUND {
		return t, &trellis.Error{Code: trellis.EINVALID, Message: "The hiring manager is not a person here.",
			Details: []trellis.FieldError{{Field: "hiring_manager_id", Message: "choose a person"}}}
	}
	return t, err
}

// openingFramework is the framework openings are posted in: the one of the
// actor's role, else the first active one.
func (s *Server) openingFramework(r *http.Request) (*trellis.Framework, error) {
	fw, _, err := s.growthFramework(r.Context(), s.actor(r).Person)
	return fw, err
}

type openingRow struct {
	O       *trellis.Opening
	Role    string
	Manager string
	Open    bool
}

func (s *Server) openingRows(ctx context.Context, fw *trellis.Framework, list []*trellis.Opening, now time.Time) []openingRow {
	names := map[int64]string{}
	var rows []openingRow
	for _, o := range list {
		row := openingRow{O: o, Role: o.RoleID, Open: o.IsOpenOn(now)}
		if fw != nil {
			if role, ok := fw.Role(o.RoleID); ok {
				row.Role = role.Name
			}
		}
		if _, ok := names[o.HiringManagerID]; !ok {
			names[o.HiringManagerID] = fmt.Sprintf("person %d", o.HiringManagerID)
			if p, err := s.people.FindPerson(ctx, o.HiringManagerID); err == nil {
				names[o.HiringManagerID] = p.Name
			}
		}
		row.Manager = names[o.HiringManagerID]
		rows = append(rows, row)
	}
	return rows
}

type openingsView struct {
	Rows      []openingRow
	Roles     []trellis.Role
	Tracks    []trellis.Track
	F         trellis.OpeningFilter
	CanCreate bool
	Notice    string
}

func (s *Server) openingsPage(w http.ResponseWriter, r *http.Request) {
	if err := s.needOpenings(); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	f := trellis.OpeningFilter{RoleID: q.Get("role"), Track: q.Get("track"), Team: q.Get("team"), Region: q.Get("region"),
		State: trellis.OpeningState(q.Get("state"))}
	list, err := s.openings.ListOpenings(ctx, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fw, err := s.openingFramework(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	me := s.actor(r)
	v := openingsView{Rows: s.openingRows(ctx, fw, list, s.now()), Roles: sortedRoles(fw), Tracks: fw.Tracks, F: f,
		// The form is offered to whoever may post for someone who manages
		// people: a manager for themselves, an admin for anyone.
		CanCreate: s.can(r, trellis.ActionCreate, trellis.Target{Kind: trellis.KindOpening, Owner: me.Person, OwnerChain: me.Chain}) &&
			(me.HasReports || me.Person.Access == trellis.AccessAdmin)}
	if r.URL.Query().Get("posted") != "" {
		v.Notice = "The opening is posted; subscribers were told."
	}
	s.render(w, r, http.StatusOK, "openings", layoutPage("Openings", "openings", v))
}

// openingForm is the form of a new or edited opening.
type openingForm struct {
	ID          int64
	RoleID      string
	Team        string
	Region      string
	Arrangement string
	OpensOn     string
	ClosesOn    string
	Description string
	ManagerID   int64
	State       string
	Version     int
}

type openingFormView struct {
	F            openingForm
	Roles        []trellis.Role
	Arrangements []string
	States       []trellis.OpeningState
	Managers     []*trellis.Person
	Error        string
	Details      []trellis.FieldError
	Edit         bool
	IsManager    bool
}

func (f openingForm) opening() (*trellis.Opening, []trellis.FieldError) {
	o := &trellis.Opening{ID: f.ID, RoleID: f.RoleID, Team: f.Team, Region: f.Region, Arrangement: f.Arrangement,
		Description: f.Description, HiringManagerID: f.ManagerID, State: trellis.OpeningState(f.State)}
	var problems []trellis.FieldError
	for _, d := range []struct {
		field, v string
		t        *time.Time
	}{{"opens_on", f.OpensOn, &o.OpensOn}, {"closes_on", f.ClosesOn, &o.ClosesOn}} {
		if strings.TrimSpace(d.v) == "" {
			continue
		}
		t, err := time.Parse(trellis.DateLayout, strings.TrimSpace(d.v))
		if err != nil {
			problems = append(problems, trellis.FieldError{Field: d.field, Message: fmt.Sprintf("%q is not a date YYYY-MM-DD", d.v)})
			continue
		}
		*d.t = t
	}
	return o, problems
}

func readOpeningForm(r *http.Request) openingForm {
	f := openingForm{RoleID: r.PostFormValue("role_id"), Team: r.PostFormValue("team"), Region: r.PostFormValue("region"),
		Arrangement: r.PostFormValue("arrangement"), OpensOn: r.PostFormValue("opens_on"), ClosesOn: r.PostFormValue("closes_on"),
		Description: strings.ReplaceAll(r.PostFormValue("description"), "\r\n", "\n"), State: r.PostFormValue("state")}
	f.ManagerID, _ = strconv.ParseInt(r.PostFormValue("hiring_manager_id"), 10, 64)
	f.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	return f
}

// managerChoices are the people who may be hiring managers: those with
// reports, for the select of the form.
func (s *Server) managerChoices(ctx context.Context) []*trellis.Person {
	page, err := s.people.ListPeople(ctx, trellis.PersonFilter{Limit: trellis.MaxListLimit})
	if err != nil {
		return nil
	}
	hasReports := map[int64]bool{}
	for _, p := range page.Items {
		if p.ManagerID != nil && p.Active {
			hasReports[*p.ManagerID] = true
		}
	}
	var out []*trellis.Person
	for _, p := range page.Items {
		if hasReports[p.ID] && p.Active {
			out = append(out, p)
		}
	}
	return out
}

func (s *Server) renderOpeningForm(w http.ResponseWriter, r *http.Request, status int, f openingForm, edit bool, err error) {
	fw, ferr := s.openingFramework(r)
	if ferr != nil {
		s.fail(w, r, ferr)
		return
	}
	v := openingFormView{F: f, Roles: sortedRoles(fw), Arrangements: trellis.Arrangements, States: trellis.OpeningStates,
		Managers: s.managerChoices(r.Context()), Edit: edit, IsManager: s.actor(r).HasReports}
	if err != nil {
		v.Error, v.Details = trellis.ErrorMessage(err), trellis.ErrorDetails(err)
	}
	title := "Post an opening"
	if edit {
		title = "Edit opening"
	}
	s.render(w, r, status, "opening_form", layoutPage(title, "openings", v))
}

func (s *Server) newOpeningForm(w http.ResponseWriter, r *http.Request) {
	if err := s.needOpenings(); err != nil {
		s.fail(w, r, err)
		return
	}
	today := s.now().UTC()
	f := openingForm{Arrangement: trellis.ArrangementPermanent, OpensOn: today.Format(trellis.DateLayout),
		ClosesOn: today.AddDate(0, 0, 14).Format(trellis.DateLayout), ManagerID: s.actor(r).Person.ID}
	s.renderOpeningForm(w, r, http.StatusOK, f, false, nil)
}

func (s *Server) createOpeningSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.needOpenings(); err != nil {
		s.fail(w, r, err)
		return
	}
	f := readOpeningForm(r)
	o, problems := f.opening()
	if err := problemsError(problems); err != nil {
		s.renderOpeningForm(w, r, ErrorStatus(err), f, false, err)
		return
	}
	created, err := s.createOpening(r, o)
	if err != nil {
		if c := trellis.ErrorCode(err); c == trellis.EINVALID || c == trellis.ERULE {
			s.renderOpeningForm(w, r, ErrorStatus(err), f, false, err)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, openingURL(created.ID)+"?posted=1", http.StatusSeeOther)
}

// createOpening asks the policy about the hiring manager and stores o.
func (s *Server) createOpening(r *http.Request, o *trellis.Opening) (*trellis.Opening, error) {
	ctx := r.Context()
	if o.HiringManagerID == 0 {
		o.HiringManagerID = s.actor(r).Person.ID
	}
	t, err := s.openingTarget(ctx, o.HiringManagerID)
	if err != nil {
		return nil, err
	}
	if err := s.check(r, trellis.ActionCreate, t); err != nil {
		return nil, err
	}
	fw, err := s.openingFramework(r)
	if err != nil {
		return nil, err
	}
	o.FrameworkID, o.CreatedBy = fw.ID, s.actor(r).Person.ID
	if err := s.openings.CreateOpening(ctx, o); err != nil {
		return nil, err
	}
	return o, nil
}

type openingView struct {
	O           *trellis.Opening
	Row         openingRow
	Description template.HTML
	Interest    []*trellis.OpeningInterest
	CanEdit     bool
	CanInterest bool
	Mine        *trellis.OpeningInterest
	Notice      string
	Error       string
}

func (s *Server) loadOpening(r *http.Request) (*trellis.Opening, trellis.Target, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, trellis.Target{}, trellis.Errorf(trellis.ENOTFOUND, "No such opening.")
	}
	o, err := s.openings.FindOpening(r.Context(), id)
	if err != nil {
		return nil, trellis.Target{}, err
	}
	t, err := s.openingTarget(r.Context(), o.HiringManagerID)
	if err != nil {
		return nil, t, err
	}
	return o, t, s.check(r, trellis.ActionRead, t)
}

func (s *Server) openingPage(w http.ResponseWriter, r *http.Request) {
	if err := s.needOpenings(); err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderOpening(w, r, http.StatusOK, "")
}

func (s *Server) renderOpening(w http.ResponseWriter, r *http.Request, status int, message string) {
	ctx := r.Context()
	o, t, err := s.loadOpening(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fw, err := s.openingFramework(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	me := s.actor(r).Person
	v := openingView{O: o, Row: s.openingRows(ctx, fw, []*trellis.Opening{o}, s.now())[0], Description: markdown.HTML(o.Description),
		CanEdit: s.can(r, trellis.ActionEdit, t), Error: message}
	v.CanInterest = v.Row.Open && o.HiringManagerID != me.ID && s.can(r, trellis.ActionComment, t)
	interest, err := s.openings.ListInterest(ctx, o.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, i := range interest {
		if i.PersonID == me.ID {
			v.Mine = i
		}
	}
	if v.CanEdit {
		v.Interest = interest
	}
	switch {
	case r.URL.Query().Get("posted") != "":
		v.Notice = "The opening is posted; subscribers were told."
	case r.URL.Query().Get("interested") != "":
		v.Notice = "The hiring manager was told you are interested."
	case r.URL.Query().Get("saved") != "":
		v.Notice = "The opening is saved."
	}
	s.render(w, r, status, "opening", layoutPage(v.Row.Role+" · Opening", "openings", v))
}

func (s *Server) interestSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.needOpenings(); err != nil {
		s.fail(w, r, err)
		return
	}
	o, t, err := s.loadOpening(r)
	if err == nil {
		err = s.check(r, trellis.ActionComment, t)
	}
	if err == nil {
		err = s.openings.ExpressInterest(r.Context(), o.ID, s.actor(r).Person.ID, r.PostFormValue("note"))
	}
	if c := trellis.ErrorCode(err); c == trellis.EINVALID || c == trellis.ERULE {
		s.renderOpening(w, r, ErrorStatus(err), trellis.ErrorMessage(err))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, openingURL(o.ID)+"?interested=1", http.StatusSeeOther)
}

func (s *Server) editOpeningForm(w http.ResponseWriter, r *http.Request) {
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
	f := openingForm{ID: o.ID, RoleID: o.RoleID, Team: o.Team, Region: o.Region, Arrangement: o.Arrangement,
		OpensOn: o.OpensOn.Format(trellis.DateLayout), ClosesOn: o.ClosesOn.Format(trellis.DateLayout), Description: o.Description,
		ManagerID: o.HiringManagerID, State: string(o.State), Version: o.Version}
	s.renderOpeningForm(w, r, http.StatusOK, f, true, nil)
}

func (s *Server) updateOpeningSubmit(w http.ResponseWriter, r *http.Request) {
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
	f := readOpeningForm(r)
	f.ID = o.ID
	next, problems := f.opening()
	err = problemsError(problems)
	if err == nil {
		err = s.saveOpening(r, o, next, f.Version)
	}
	if c := trellis.ErrorCode(err); c == trellis.EINVALID || c == trellis.ERULE || c == trellis.ECONFLICT {
		s.renderOpeningForm(w, r, ErrorStatus(err), f, true, err)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, openingURL(o.ID)+"?saved=1", http.StatusSeeOther)
}

// saveOpening stores next over old; a new hiring manager must be one the
// actor may post for too.
func (s *Server) saveOpening(r *http.Request, old, next *trellis.Opening, version int) error {
	if next.HiringManagerID == 0 {
		next.HiringManagerID = old.HiringManagerID
	}
	if next.HiringManagerID != old.HiringManagerID {
		t, err := s.openingTarget(r.Context(), next.HiringManagerID)
		if err != nil {
			return err
		}
		if err := s.check(r, trellis.ActionCreate, t); err != nil {
			return err
		}
	}
	next.ID = old.ID
	return s.openings.UpdateOpening(r.Context(), next, version)
}

// Subscriptions.

type subscriptionRow struct {
	S    *trellis.OpeningSubscription
	Name string
}

type subscriptionsView struct {
	Rows   []subscriptionRow
	Roles  []trellis.Role
	Tracks []trellis.Track
	Notice string
	Error  string
}

func (s *Server) subscriptionsPage(w http.ResponseWriter, r *http.Request) {
	if err := s.needOpenings(); err != nil {
		s.fail(w, r, err)
		return
	}
	notice := ""
	switch {
	case r.URL.Query().Get("added") != "":
		notice = "Subscribed: new matching openings will reach your inbox."
	case r.URL.Query().Get("removed") != "":
		notice = "Unsubscribed."
	}
	s.renderSubscriptions(w, r, http.StatusOK, notice, "")
}

func (s *Server) renderSubscriptions(w http.ResponseWriter, r *http.Request, status int, notice, message string) {
	ctx := r.Context()
	fw, err := s.openingFramework(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.openings.ListSubscriptions(ctx, s.actor(r).Person.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := subscriptionsView{Roles: sortedRoles(fw), Tracks: fw.Tracks, Notice: notice, Error: message}
	for _, sub := range list {
		row := subscriptionRow{S: sub}
		if sub.RoleID != "" {
			row.Name = "Role: " + sub.RoleID
			if role, ok := fw.Role(sub.RoleID); ok {
				row.Name = "Role: " + role.Name
			}
		} else {
			row.Name = "Track: " + trackName(fw, sub.Track)
		}
		v.Rows = append(v.Rows, row)
	}
	s.render(w, r, status, "opening_subscriptions", layoutPage("Opening subscriptions", "openings", v))
}

func (s *Server) subscribeSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.needOpenings(); err != nil {
		s.fail(w, r, err)
		return
	}
	sub := &trellis.OpeningSubscription{PersonID: s.actor(r).Person.ID, RoleID: r.PostFormValue("role_id"), Track: r.PostFormValue("track")}
	err := s.openings.Subscribe(r.Context(), sub)
	if trellis.ErrorCode(err) == trellis.EINVALID {
		s.renderSubscriptions(w, r, ErrorStatus(err), "", trellis.ErrorMessage(err))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/openings/subscriptions?added=1", http.StatusSeeOther)
}

func (s *Server) unsubscribeSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.needOpenings(); err != nil {
		s.fail(w, r, err)
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("sid"), 10, 64)
	if err := s.openings.Unsubscribe(r.Context(), s.actor(r).Person.ID, id); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/openings/subscriptions?removed=1", http.StatusSeeOther)
}

// roleOpenings are the open openings of a role, for the target and
// readiness pages; nil when openings are off.
func (s *Server) roleOpenings(ctx context.Context, roleID string) []*trellis.Opening {
	if s.openings == nil || roleID == "" {
		return nil
	}
	list, err := s.openings.ListOpenings(ctx, trellis.OpeningFilter{RoleID: roleID, State: trellis.OpeningOpen})
	if err != nil {
		return nil
	}
	now := s.now()
	return slices.DeleteFunc(list, func(o *trellis.Opening) bool { return !o.IsOpenOn(now) })
}

// openingsLink is the list of a role's openings.
func openingsLink(roleID string) string { return "/openings?" + url.Values{"role": {roleID}}.Encode() }
