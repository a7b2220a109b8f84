package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"trellis"
	"trellis/importcsv"
)

// People pages: the directory, profiles, the edit and add forms and the CSV
// import. Routes declare who may reach them (routes.go); inside, the
// handlers ask the policy (s.check, s.can) which fields a person may change.

// roleInfo is a job role of an active framework, for labels and links.
type roleInfo struct {
	ID          string
	Name        string
	FrameworkID string
	Track       string
	Grade       *int
}

// URL links the role's framework page.
func (r roleInfo) URL() string {
	if r.FrameworkID == "" {
		return ""
	}
	return "/frameworks/" + url.PathEscape(r.FrameworkID) + "/roles/" + url.PathEscape(r.ID)
}

// roleCatalog holds the roles of every active framework.
type roleCatalog struct {
	List []roleInfo
	byID map[string]roleInfo
}

// of returns the role with id; an unknown id (a role dropped from the
// framework) keeps its id as its name.
func (c roleCatalog) of(id string) roleInfo {
	if r, ok := c.byID[id]; ok {
		return r
	}
	return roleInfo{ID: id, Name: id}
}

func (s *Server) roles(ctx context.Context) (roleCatalog, error) {
	c := roleCatalog{byID: map[string]roleInfo{}}
	versions, err := s.frameworks.ListFrameworks(ctx)
	if err != nil {
		return c, err
	}
	for _, v := range versions {
		if !v.Active {
			continue
		}
		fw, _, err := s.frameworks.FindFramework(ctx, trellis.Ref{ID: v.ID})
		if err != nil {
			return c, err
		}
		for _, r := range sortedRoles(fw) {
			if _, dup := c.byID[r.ID]; dup {
				continue
			}
			ri := roleInfo{ID: r.ID, Name: r.Name, FrameworkID: fw.ID, Track: trackName(fw, r.Track), Grade: r.Grade}
			c.byID[r.ID] = ri
			c.List = append(c.List, ri)
		}
	}
	return c, nil
}

// maxOrgPeople bounds how many people the directory's filter lists and the
// org chart load at once.
const maxOrgPeople = 10000

// allPeople returns everyone (active only, unless inactive is set), by name.
func (s *Server) allPeople(ctx context.Context, inactive bool) ([]*trellis.Person, error) {
	var out []*trellis.Person
	f := trellis.PersonFilter{Limit: trellis.MaxListLimit, IncludeInactive: inactive}
	for len(out) < maxOrgPeople {
		page, err := s.people.ListPeople(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			break
		}
		f.Cursor = page.NextCursor
	}
	return out, nil
}

// timeIn says how long ago from was, in words: "2 years 3 months".
func timeIn(from, now time.Time) string {
	if from.IsZero() {
		return ""
	}
	if now.Before(from) {
		return "from " + from.Format("2 Jan 2006")
	}
	months := (now.Year()-from.Year())*12 + int(now.Month()) - int(from.Month())
	if now.Day() < from.Day() {
		months--
	}
	unit := func(n int, word string) string {
		if n == 1 {
			return "1 " + word
		}
		return strconv.Itoa(n) + " " + word + "s"
	}
	switch {
	case months >= 12:
		s := unit(months/12, "year")
		if months%12 > 0 {
			s += " " + unit(months%12, "month")
		}
		return s
	case months >= 1:
		return unit(months, "month")
	}
	days := int(now.Sub(from).Hours() / 24)
	if days >= 7 {
		return unit(days/7, "week")
	}
	return unit(days, "day")
}

// splitTags reads a list typed into one input: values separated by commas
// or semicolons (neither may appear in a tag).
func splitTags(s string) []string {
	out := []string{}
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// tagValues lists the distinct tags of people, case-insensitively, sorted.
func tagValues(people []*trellis.Person, of func(*trellis.Person) []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range people {
		for _, t := range of(p) {
			if k := strings.ToLower(t); !seen[k] {
				seen[k] = true
				out = append(out, t)
			}
		}
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return out
}

func personURL(id int64) string { return "/people/" + strconv.FormatInt(id, 10) }

// Directory.

type personRow struct {
	P          *trellis.Person
	Role       roleInfo
	Manager    *trellis.Person
	TimeInRole string
}

type directoryView struct {
	Q, Team, Region, Role, Manager string
	Left                           bool
	Roles                          []roleInfo
	Teams, Regions                 []string
	Managers                       []*trellis.Person
	Rows                           []personRow
	Next, First                    string
	Filtered                       bool
	CanCreate                      bool
	Notice                         string
}

func (s *Server) peoplePage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	v := directoryView{Q: strings.TrimSpace(q.Get("q")), Team: strings.TrimSpace(q.Get("team")), Region: strings.TrimSpace(q.Get("region")),
		Role: q.Get("role"), Manager: q.Get("manager"), Left: q.Get("left") != "",
		CanCreate: s.can(r, trellis.ActionCreate, trellis.Target{Kind: trellis.KindPerson})}
	v.Filtered = v.Q != "" || v.Team != "" || v.Region != "" || v.Role != "" || v.Manager != "" || v.Left
	f := trellis.PersonFilter{Query: v.Q, Team: v.Team, Region: v.Region, RoleID: v.Role, IncludeInactive: v.Left,
		Limit: 25, Cursor: q.Get("cursor")}
	if v.Manager != "" {
		id, err := strconv.ParseInt(v.Manager, 10, 64)
		if err != nil || id <= 0 {
			s.fail(w, r, trellis.Errorf(trellis.EINVALID, "The manager filter %q is not a person's id.", v.Manager))
			return
		}
		f.ManagerID = &id
	}
	if n := q.Get("limit"); n != "" {
		if l, err := strconv.Atoi(n); err == nil && l > 0 {
			f.Limit = min(l, trellis.MaxListLimit)
		}
	}
	roles, err := s.roles(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Roles = roles.List
	everyone, err := s.allPeople(ctx, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	byID := make(map[int64]*trellis.Person, len(everyone))
	managers := map[int64]bool{}
	for _, p := range everyone {
		byID[p.ID] = p
		if p.ManagerID != nil && p.Active {
			managers[*p.ManagerID] = true
		}
	}
	for _, p := range everyone {
		if managers[p.ID] || (f.ManagerID != nil && p.ID == *f.ManagerID) {
			v.Managers = append(v.Managers, p)
		}
	}
	v.Teams = tagValues(everyone, func(p *trellis.Person) []string { return p.Teams })
	v.Regions = tagValues(everyone, func(p *trellis.Person) []string { return p.Regions })
	page, err := s.people.ListPeople(ctx, f)
	if err != nil {
		if trellis.ErrorCode(err) == trellis.EINVALID && f.Cursor != "" {
			err = withHint(err, "Start again", []link{{"First page", v.pageURL("")}})
		}
		s.fail(w, r, err)
		return
	}
	now := s.now()
	for _, p := range page.Items {
		row := personRow{P: p, Role: roles.of(p.RoleID), TimeInRole: timeIn(p.RoleSince, now)}
		if p.ManagerID != nil {
			row.Manager = byID[*p.ManagerID]
		}
		v.Rows = append(v.Rows, row)
	}
	if page.NextCursor != "" {
		v.Next = v.pageURL(page.NextCursor)
	}
	if f.Cursor != "" {
		v.First = v.pageURL("")
	}
	switch {
	case q.Get("created") != "" && q.Get("updated") != "":
		v.Notice = fmt.Sprintf("Import done: %s added, %s updated.", q.Get("created"), q.Get("updated"))
	}
	s.render(w, r, http.StatusOK, "people", layoutPage("People", "people", v))
}

// pageURL is the directory with the view's filters and a cursor.
func (v directoryView) pageURL(cursor string) string {
	q := url.Values{}
	for k, val := range map[string]string{"q": v.Q, "team": v.Team, "region": v.Region, "role": v.Role, "manager": v.Manager, "cursor": cursor} {
		if val != "" {
			q.Set(k, val)
		}
	}
	if v.Left {
		q.Set("left", "1")
	}
	if len(q) == 0 {
		return "/people"
	}
	return "/people?" + q.Encode()
}

// layoutPage builds the layout data of a page.
func layoutPage(title, nav string, data any) page {
	return page{Title: title, Nav: nav, Data: data}
}

// Profile.

type profileView struct {
	P          *trellis.Person
	Role       roleInfo
	TimeInRole string
	Chain      []*trellis.Person // from the top of the organisation down to the direct manager
	Reports    []*trellis.Person
	ShowAccess bool
	CanEdit    bool
	Self       bool
	Notice     string
	// Growth links: the journal is open to whoever sees the person; the
	// plan and readiness to whom the policy lets read them.
	Growth, Plan, Readiness bool
	// Assignments links the interim and acting assignments.
	Assignments bool
}

// personID reads the {pid} wildcard; the route's access check already
// refused ids that are not numbers.
func personID(r *http.Request) int64 {
	id, _ := strconv.ParseInt(r.PathValue("pid"), 10, 64)
	return id
}

func (s *Server) personPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t, p, err := s.personTarget(ctx, trellis.KindPerson, personID(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	roles, err := s.roles(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	chain, err := s.people.ManagerChain(ctx, p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	slices.Reverse(chain)
	reports, err := s.people.ListReports(ctx, p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	me := s.actor(r).Person
	v := profileView{P: p, Role: roles.of(p.RoleID), TimeInRole: timeIn(p.RoleSince, s.now()), Chain: chain, Reports: reports,
		ShowAccess: s.can(r, trellis.ActionAssign, t), CanEdit: s.can(r, trellis.ActionEdit, t), Self: me != nil && me.ID == p.ID}
	if s.evidence != nil && s.growth != nil && s.readiness != nil {
		gt, at := t, t
		gt.Kind, at.Kind = trellis.KindGrowthPlan, trellis.KindAssessment
		v.Growth, v.Plan, v.Readiness = true, s.can(r, trellis.ActionRead, gt), s.can(r, trellis.ActionRead, at)
	}
	if s.assignments != nil {
		as := t
		as.Kind = trellis.KindAssignment
		v.Assignments = s.can(r, trellis.ActionRead, as)
	}
	switch {
	case r.URL.Query().Get("saved") != "":
		v.Notice = "Saved."
	case r.URL.Query().Get("created") != "":
		v.Notice = p.Name + " was added."
	}
	s.render(w, r, http.StatusOK, "person", layoutPage(p.Name, "people", v))
}

// Edit and add.

// personForm is what the edit and add forms hold, as typed.
type personForm struct {
	Name, Email, Role, Manager, RoleSince, Access, Status, Teams, Regions string
	Version                                                               int
}

func formOf(p *trellis.Person, managerEmail string) personForm {
	f := personForm{Name: p.Name, Email: p.Email, Role: p.RoleID, Manager: managerEmail, Access: p.Access,
		Teams: strings.Join(p.Teams, ", "), Regions: strings.Join(p.Regions, ", "), Version: p.Version, Status: "active"}
	if !p.RoleSince.IsZero() {
		f.RoleSince = p.RoleSince.Format(importcsv.DateFormat)
	}
	if !p.Active {
		f.Status = "left"
	}
	return f
}

func readPersonForm(r *http.Request) personForm {
	f := personForm{Name: r.PostFormValue("name"), Email: strings.TrimSpace(r.PostFormValue("email")), Role: strings.TrimSpace(r.PostFormValue("role")),
		Manager: strings.TrimSpace(r.PostFormValue("manager")), RoleSince: strings.TrimSpace(r.PostFormValue("role_since")),
		Access: r.PostFormValue("access"), Status: r.PostFormValue("status"),
		Teams: r.PostFormValue("teams"), Regions: r.PostFormValue("regions")}
	f.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	return f
}

type conflictRow struct {
	Label, Saved, Typed string
	Differs             bool
}

type editView struct {
	P        *trellis.Person // nil on the add form
	F        personForm
	Assign   bool // role, manager, access and status are on the form
	Action   string
	Message  string
	Errors   map[string]string
	Conflict []conflictRow
	Roles    []roleInfo
	People   []*trellis.Person // for the manager list
	Levels   []string
}

// formFields maps the fields of domain errors to the form's inputs.
var formFields = map[string]string{"role_id": "role", "manager_id": "manager", "manager_email": "manager", "active": "status"}

func (v *editView) setError(err error) {
	v.Message = trellis.ErrorMessage(err)
	v.Errors = map[string]string{}
	for _, d := range trellis.ErrorDetails(err) {
		f := cmp.Or(formFields[d.Field], d.Field)
		if v.Errors[f] != "" {
			v.Errors[f] += "; "
		}
		v.Errors[f] += d.Message
	}
}

func (s *Server) renderPersonForm(w http.ResponseWriter, r *http.Request, status int, v editView) {
	ctx := r.Context()
	roles, err := s.roles(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Roles, v.Levels = roles.List, trellis.AccessLevels
	if v.Assign {
		v.People, err = s.allPeople(ctx, false)
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	title := "Add a person"
	if v.P != nil {
		title = "Edit " + v.P.Name
	}
	s.render(w, r, status, "person_form", layoutPage(title, "people", v))
}

func (s *Server) managerEmail(ctx context.Context, p *trellis.Person) (string, error) {
	if p.ManagerID == nil {
		return "", nil
	}
	m, err := s.people.FindPerson(ctx, *p.ManagerID)
	if err != nil {
		return "", err
	}
	return m.Email, nil
}

func (s *Server) editPersonForm(w http.ResponseWriter, r *http.Request) {
	t, p, err := s.personTarget(r.Context(), trellis.KindPerson, personID(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	me, err := s.managerEmail(r.Context(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderPersonForm(w, r, http.StatusOK, editView{P: p, F: formOf(p, me), Assign: s.can(r, trellis.ActionAssign, t), Action: personURL(p.ID)})
}

// fieldError is an EINVALID error about one input of a form.
func fieldError(field, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return &trellis.Error{Code: trellis.EINVALID, Message: "The form has a problem: " + msg + ".",
		Details: []trellis.FieldError{{Field: field, Message: msg}}}
}

// assignFields reads the admin part of a person form: the new role, manager,
// date in role, access, active state and email. problems collects what is
// wrong with the input.
func (s *Server) assignFields(ctx context.Context, f personForm, problems *[]trellis.FieldError) (email, role, access string, manager *int64, since time.Time, active bool) {
	email, role, access = f.Email, f.Role, f.Access
	switch f.Status {
	case "active", "":
		active = true
	case "left":
	default:
		*problems = append(*problems, trellis.FieldError{Field: "status", Message: "choose active or left"})
	}
	if f.RoleSince != "" {
		d, err := time.Parse(importcsv.DateFormat, f.RoleSince)
		if err != nil {
			*problems = append(*problems, trellis.FieldError{Field: "role_since", Message: fmt.Sprintf("%q is not a date (YYYY-MM-DD)", f.RoleSince)})
		}
		since = d
	}
	if f.Manager != "" {
		m, err := s.people.FindPersonByEmail(ctx, f.Manager)
		switch {
		case trellis.ErrorCode(err) == trellis.ENOTFOUND:
			*problems = append(*problems, trellis.FieldError{Field: "manager", Message: fmt.Sprintf("nobody has the email %s", f.Manager)})
		case err != nil:
			*problems = append(*problems, trellis.FieldError{Field: "manager", Message: trellis.ErrorMessage(err)})
		default:
			manager = &m.ID
		}
	}
	return
}

func problemsError(problems []trellis.FieldError) error {
	if len(problems) == 0 {
		return nil
	}
	return &trellis.Error{Code: trellis.EINVALID, Message: "Some fields need another look.", Details: problems}
}

func (s *Server) updatePersonSubmit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t, p, err := s.personTarget(ctx, trellis.KindPerson, personID(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domainFormError(err))
		return
	}
	f := readPersonForm(r)
	assign := r.PostFormValue("assign") != ""
	if assign {
		// The form carried the admin fields: only someone who may assign
		// roles, managers and access may send them.
		if err := s.check(r, trellis.ActionAssign, t); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	v := editView{P: p, F: f, Assign: assign, Action: personURL(p.ID)}
	name, teams, regions := f.Name, splitTags(f.Teams), splitTags(f.Regions)
	upd := trellis.PersonUpdate{Name: &name, Teams: &teams, Regions: &regions}
	var problems []trellis.FieldError
	if assign {
		email, role, access, manager, since, active := s.assignFields(ctx, f, &problems)
		upd.Email, upd.RoleID, upd.Access, upd.RoleSince, upd.Active = &email, &role, &access, &since, &active
		if manager != nil {
			upd.ManagerID = manager
		} else if f.Manager == "" {
			upd.ClearManager = true
		}
	}
	if f.Version <= 0 {
		problems = append(problems, trellis.FieldError{Field: "version", Message: "the form lacks the version it was loaded at; reload the page"})
	}
	if err := problemsError(problems); err != nil {
		v.setError(err)
		s.renderPersonForm(w, r, http.StatusBadRequest, v)
		return
	}
	_, err = s.people.UpdatePerson(ctx, p.ID, upd, f.Version)
	if err == nil {
		http.Redirect(w, r, personURL(p.ID)+"?saved=1", http.StatusSeeOther)
		return
	}
	code := trellis.ErrorCode(err)
	if code == trellis.ECONFLICT && p.Version != f.Version {
		// Someone saved in between: show what is saved now next to what this
		// person typed, keep the typed text in the form, and let the next
		// save knowingly replace the saved version.
		me, merr := s.managerEmail(ctx, p)
		if merr != nil {
			s.fail(w, r, merr)
			return
		}
		v.Conflict = conflictRows(formOf(p, me), f, assign)
		v.F.Version = p.Version
		v.Message = "Someone else saved this profile while you were editing it. The saved values and what you typed are side by side below; your text is still in the form. Save again to replace the saved values with yours, or reload the page to start from them."
		s.renderPersonForm(w, r, http.StatusConflict, v)
		return
	}
	if code != trellis.EINVALID && code != trellis.ECONFLICT && code != trellis.ERULE {
		s.fail(w, r, err)
		return
	}
	v.setError(err)
	s.renderPersonForm(w, r, ErrorStatus(err), v)
}

func conflictRows(saved, typed personForm, assign bool) []conflictRow {
	rows := []conflictRow{{Label: "Name", Saved: saved.Name, Typed: typed.Name}}
	if assign {
		rows = append(rows,
			conflictRow{Label: "Email", Saved: saved.Email, Typed: typed.Email},
			conflictRow{Label: "Role", Saved: saved.Role, Typed: typed.Role},
			conflictRow{Label: "Manager", Saved: saved.Manager, Typed: typed.Manager},
			conflictRow{Label: "In role since", Saved: saved.RoleSince, Typed: typed.RoleSince},
			conflictRow{Label: "Access", Saved: saved.Access, Typed: typed.Access},
			conflictRow{Label: "Status", Saved: saved.Status, Typed: typed.Status})
	}
	rows = append(rows,
		conflictRow{Label: "Teams", Saved: saved.Teams, Typed: strings.Join(splitTags(typed.Teams), ", ")},
		conflictRow{Label: "Regions", Saved: saved.Regions, Typed: strings.Join(splitTags(typed.Regions), ", ")})
	for i := range rows {
		rows[i].Differs = strings.TrimSpace(rows[i].Saved) != strings.TrimSpace(rows[i].Typed)
	}
	return rows
}

// domainFormError turns a form that cannot be read into an input error.
func domainFormError(err error) error {
	err = domainError(err)
	if trellis.ErrorCode(err) != trellis.EINVALID {
		return trellis.Errorf(trellis.EINVALID, "The form could not be read; please send it again.")
	}
	return err
}

func (s *Server) newPersonForm(w http.ResponseWriter, r *http.Request) {
	f := personForm{Access: trellis.AccessEngineer, Status: "active", RoleSince: s.now().Format(importcsv.DateFormat)}
	s.renderPersonForm(w, r, http.StatusOK, editView{F: f, Assign: true, Action: "/people"})
}

func (s *Server) createPersonSubmit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domainFormError(err))
		return
	}
	f := readPersonForm(r)
	v := editView{F: f, Assign: true, Action: "/people"}
	var problems []trellis.FieldError
	email, role, access, manager, since, active := s.assignFields(ctx, f, &problems)
	if err := problemsError(problems); err != nil {
		v.setError(err)
		s.renderPersonForm(w, r, http.StatusBadRequest, v)
		return
	}
	p := &trellis.Person{Email: email, Name: f.Name, RoleID: role, Access: access, ManagerID: manager, RoleSince: since,
		Active: active, Teams: splitTags(f.Teams), Regions: splitTags(f.Regions)}
	if err := s.people.CreatePerson(ctx, p); err != nil {
		if c := trellis.ErrorCode(err); c != trellis.EINVALID && c != trellis.ECONFLICT && c != trellis.ERULE {
			s.fail(w, r, err)
			return
		}
		v.setError(err)
		s.renderPersonForm(w, r, ErrorStatus(err), v)
		return
	}
	http.Redirect(w, r, personURL(p.ID)+"?created=1", http.StatusSeeOther)
}

// CSV import.

// csvColumn names the store's fields as the file's columns.
var csvColumn = map[string]string{"role_id": "role", "teams": "team", "regions": "region", "manager_id": "manager_email"}

type importProblem struct {
	Row, Column, Message string
}

type peopleImportView struct {
	Text     string
	File     string
	Message  string
	Problems []importProblem
	Created  string
	Updated  string
	Columns  string
}

func (s *Server) peopleImportForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := peopleImportView{Created: q.Get("created"), Updated: q.Get("updated"), Columns: strings.Join(importcsv.Columns, ",")}
	s.render(w, r, http.StatusOK, "people_import", layoutPage("Import people", "people", v))
}

func (s *Server) peopleImportSubmit(w http.ResponseWriter, r *http.Request) {
	v := peopleImportView{Columns: strings.Join(importcsv.Columns, ",")}
	fail := func(err error) {
		err = domainError(err)
		if c := trellis.ErrorCode(err); c == trellis.EINTERNAL || c == trellis.EUNAVAILABLE {
			s.fail(w, r, err)
			return
		}
		v.Message = trellis.ErrorMessage(err)
		for _, d := range trellis.ErrorDetails(err) {
			row, col, ok := strings.Cut(d.Field, ": ")
			if !ok || !strings.HasPrefix(row, "row ") {
				row, col = "", d.Field
			}
			v.Problems = append(v.Problems, importProblem{Row: strings.TrimPrefix(row, "row "), Column: cmp.Or(csvColumn[col], col), Message: d.Message})
		}
		s.render(w, r, ErrorStatus(err), "people_import", layoutPage("Import people", "people", v))
	}
	name, data, text, err := uploadedCSV(r)
	v.Text = text
	if err != nil {
		fail(err)
		return
	}
	v.File = name
	rows, err := importcsv.People(name, strings.NewReader(string(data)))
	if err != nil {
		fail(err)
		return
	}
	res, err := s.people.ImportPeople(r.Context(), rows)
	if err != nil {
		fail(err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/people/import?created=%d&updated=%d", res.Created, res.Updated), http.StatusSeeOther)
}

// uploadedCSV reads the form of a CSV import: the file chosen, else the
// pasted text, which it also returns so that the form can show it again.
// Neither is a clear error that says so.
func uploadedCSV(r *http.Request) (name string, data []byte, pasted string, err error) {
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return "", nil, "", domainFormError(err)
	}
	pasted = r.FormValue("text")
	name = "The pasted text"
	if f, fh, err := r.FormFile("file"); err == nil {
		defer f.Close()
		if data, err = io.ReadAll(f); err != nil {
			return "", nil, pasted, err
		}
		name = fh.Filename
	}
	if len(data) == 0 {
		data = []byte(pasted)
	}
	if strings.TrimSpace(string(data)) == "" {
		return name, nil, pasted, trellis.Errorf(trellis.EINVALID, "Choose a CSV file or paste its text.")
	}
	return name, data, pasted, nil
}
