package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"trellis"
)

// apiPerson is a person as the API shows them: trellis.Person's shape,
// with access left out unless the caller may change it (the policy's
// person/assign row).
type apiPerson struct {
	ID        int64      `json:"id"`
	Email     string     `json:"email"`
	Name      string     `json:"name"`
	RoleID    string     `json:"role_id"`
	ManagerID *int64     `json:"manager_id,omitempty"`
	RoleSince *time.Time `json:"role_since,omitempty"`
	Teams     []string   `json:"teams"`
	Regions   []string   `json:"regions"`
	Access    string     `json:"access,omitempty"`
	Active    bool       `json:"active"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	Version   int        `json:"version"`
}

func (s *Server) apiPersonOf(r *http.Request, p *trellis.Person) apiPerson {
	out := apiPerson{ID: p.ID, Email: p.Email, Name: p.Name, RoleID: p.RoleID, ManagerID: p.ManagerID,
		Teams: p.Teams, Regions: p.Regions, Active: p.Active, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
	if out.Teams == nil {
		out.Teams = []string{}
	}
	if out.Regions == nil {
		out.Regions = []string{}
	}
	if !p.RoleSince.IsZero() {
		d := p.RoleSince
		out.RoleSince = &d
	}
	// No grant of person/assign depends on the reporting line, so the
	// owner alone decides it; lists need not load every chain.
	if s.can(r, trellis.ActionAssign, trellis.Target{Kind: trellis.KindPerson, Owner: p}) {
		out.Access = p.Access
	}
	return out
}

func personETag(p *trellis.Person) string { return `"v` + strconv.Itoa(p.Version) + `"` }

// apiLimit reads ?limit=: 1 to trellis.MaxListLimit, default
// trellis.DefaultListLimit.
func apiLimit(q map[string][]string) (int, error) {
	v := ""
	if l := q["limit"]; len(l) > 0 {
		v = l[0]
	}
	if v == "" {
		return trellis.DefaultListLimit, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > trellis.MaxListLimit {
		msg := fmt.Sprintf("must be a whole number from 1 to %d", trellis.MaxListLimit)
		return 0, &trellis.Error{Code: trellis.EINVALID, Message: "limit " + msg + ".",
			Details: []trellis.FieldError{{Field: "limit", Message: msg}}}
	}
	return n, nil
}

// cursorError names the cursor parameter in a store's refusal of it.
func cursorError(err error, cursor string) error {
	if cursor != "" && trellis.ErrorCode(err) == trellis.EINVALID && len(trellis.ErrorDetails(err)) == 0 {
		return &trellis.Error{Code: trellis.EINVALID, Message: trellis.ErrorMessage(err),
			Details: []trellis.FieldError{{Field: "cursor", Message: "not a cursor this list returned"}}}
	}
	return err
}

func (s *Server) apiListPeople(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := trellis.PersonFilter{Query: q.Get("q"), Team: q.Get("team"), Region: q.Get("region"), RoleID: q.Get("role"), Cursor: q.Get("cursor")}
	var problems []trellis.FieldError
	if m := q.Get("manager"); m != "" {
		id, err := strconv.ParseInt(m, 10, 64)
		if err != nil || id <= 0 {
			problems = append(problems, trellis.FieldError{Field: "manager", Message: "must be a person's id"})
		}
		f.ManagerID = &id
	}
	if v := q.Get("include_inactive"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			problems = append(problems, trellis.FieldError{Field: "include_inactive", Message: "must be true or false"})
		}
		f.IncludeInactive = b
	}
	limit, err := apiLimit(q)
	if err != nil {
		problems = append(problems, trellis.ErrorDetails(err)...)
	}
	f.Limit = limit
	if err := problemsError(problems); err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := s.people.ListPeople(r.Context(), f)
	if err != nil {
		s.fail(w, r, cursorError(err, f.Cursor))
		return
	}
	out := listPage[apiPerson]{Items: make([]apiPerson, len(page.Items)), NextCursor: page.NextCursor}
	for i, p := range page.Items {
		out.Items[i] = s.apiPersonOf(r, p)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiGetPerson(w http.ResponseWriter, r *http.Request) {
	_, p, err := s.personTarget(r.Context(), trellis.KindPerson, personID(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	tag := personETag(p)
	w.Header().Set("ETag", tag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeJSON(w, http.StatusOK, s.apiPersonOf(r, p))
}

// personFields is a JSON body of person fields, as sent: which were there
// and what they say.
type personFields struct {
	Name, Email, RoleID, Access *string
	ManagerID                   *int64
	ClearManager                bool
	RoleSince                   *time.Time
	Teams, Regions              *[]string
	Active                      *bool
	// assign is set when a field only admins may change is present.
	assign bool
}

// personBodyFields are the fields a person body may carry; the assign ones
// change what others may see of the person.
var personBodyFields = []string{"name", "teams", "regions", "email", "role_id", "manager_id", "role_since", "access", "active"}
var assignBodyFields = []string{"email", "role_id", "manager_id", "role_since", "access", "active"}

// readPersonBody decodes a JSON object of person fields. Every wrong field
// is reported at once.
func readPersonBody(r *http.Request, contentTypes ...string) (personFields, error) {
	var pf personFields
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if !slices.Contains(contentTypes, mt) {
		return pf, &trellis.Error{Code: trellis.EINVALID, Message: "Send the body as " + strings.Join(contentTypes, " or ") + ".",
			Details: []trellis.FieldError{{Field: "Content-Type", Message: "use " + strings.Join(contentTypes, " or ")}}}
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return pf, domainError(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil || raw == nil {
		return pf, &trellis.Error{Code: trellis.EINVALID, Message: "The body must be a JSON object of person fields.",
			Details: []trellis.FieldError{{Field: "body", Message: "not a JSON object"}}}
	}
	var problems []trellis.FieldError
	add := func(field, msg string) { problems = append(problems, trellis.FieldError{Field: field, Message: msg}) }
	isNull := func(b json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(b), []byte("null")) }
	str := func(k string, dst **string) {
		b, ok := raw[k]
		if !ok {
			return
		}
		var v string
		if isNull(b) || json.Unmarshal(b, &v) != nil {
			add(k, "must be a string")
			return
		}
		*dst = &v
	}
	list := func(k string, dst **[]string) {
		b, ok := raw[k]
		if !ok {
			return
		}
		var v []string
		if isNull(b) || json.Unmarshal(b, &v) != nil {
			add(k, "must be an array of strings")
			return
		}
		if v == nil {
			v = []string{}
		}
		*dst = &v
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(personBodyFields, k) {
			add(k, "unknown field; the fields are "+strings.Join(personBodyFields, ", "))
		}
		if slices.Contains(assignBodyFields, k) {
			pf.assign = true
		}
	}
	str("name", &pf.Name)
	str("email", &pf.Email)
	str("role_id", &pf.RoleID)
	str("access", &pf.Access)
	list("teams", &pf.Teams)
	list("regions", &pf.Regions)
	if b, ok := raw["manager_id"]; ok {
		var id int64
		switch {
		case isNull(b):
			pf.ClearManager = true
		case json.Unmarshal(b, &id) != nil || id <= 0:
			add("manager_id", "must be a person's id or null")
		default:
			pf.ManagerID = &id
		}
	}
	if b, ok := raw["role_since"]; ok {
		var d string
		var t time.Time
		switch {
		case isNull(b):
			pf.RoleSince = &t
		case json.Unmarshal(b, &d) != nil:
			add("role_since", "must be a date YYYY-MM-DD or null")
		default:
			t, _, err := parseDay(d)
			if err != nil {
				add("role_since", fmt.Sprintf("%q is not a date YYYY-MM-DD", d))
			}
			pf.RoleSince = &t
		}
	}
	if b, ok := raw["active"]; ok {
		var v bool
		if isNull(b) || json.Unmarshal(b, &v) != nil {
			add("active", "must be true or false")
		} else {
			pf.Active = &v
		}
	}
	if len(problems) > 0 {
		return pf, &trellis.Error{Code: trellis.EINVALID, Message: "The body has " + strconv.Itoa(len(problems)) + " wrong field(s).", Details: problems}
	}
	return pf, nil
}

func (s *Server) apiCreatePerson(w http.ResponseWriter, r *http.Request) {
	pf, err := readPersonBody(r, "application/json")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &trellis.Person{Access: trellis.AccessEngineer, Active: true, Teams: []string{}, Regions: []string{}, ManagerID: pf.ManagerID}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.Name, pf.Name)
	set(&p.Email, pf.Email)
	set(&p.RoleID, pf.RoleID)
	set(&p.Access, pf.Access)
	if pf.Teams != nil {
		p.Teams = *pf.Teams
	}
	if pf.Regions != nil {
		p.Regions = *pf.Regions
	}
	if pf.RoleSince != nil {
		p.RoleSince = *pf.RoleSince
	}
	if pf.Active != nil {
		p.Active = *pf.Active
	}
	if err := s.people.CreatePerson(r.Context(), p); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/people/"+strconv.FormatInt(p.ID, 10))
	w.Header().Set("ETag", personETag(p))
	writeJSON(w, http.StatusCreated, s.apiPersonOf(r, p))
}

// errPreconditionRequired is the answer to a PATCH without If-Match.
var errPreconditionRequired = &trellis.Error{Code: trellis.EINVALID,
	Message: `Send If-Match with the ETag of the person you read (GET /api/v1/people/{id}), e.g. If-Match: "v3", so that a change made meanwhile is not overwritten.`,
	Details: []trellis.FieldError{{Field: "If-Match", Message: "required"}}}

// ifMatchVersion reads the version an If-Match header names: "v3" (or
// W/"v3"), a list of them, or * for whatever is current. A list without the
// current version gives its first, which is stale.
func ifMatchVersion(h string, current int) (int, error) {
	first := -1
	for _, tag := range strings.Split(h, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" {
			return current, nil
		}
		inner, ok := strings.CutPrefix(tag, `"v`)
		inner, ok2 := strings.CutSuffix(inner, `"`)
		n, err := strconv.Atoi(inner)
		if !ok || !ok2 || err != nil || n < 1 {
			return 0, &trellis.Error{Code: trellis.EINVALID, Message: `If-Match must be the person's ETag, such as "v3".`,
				Details: []trellis.FieldError{{Field: "If-Match", Message: fmt.Sprintf("%q is not an ETag of a person", h)}}}
		}
		if n == current {
			return n, nil
		}
		if first < 0 {
			first = n
		}
	}
	return first, nil
}

// personConflict is the body of a stale write: the error and the person as
// stored now, so the client can merge and retry without reading again.
type personConflict struct {
	Error   errorObject `json:"error"`
	Current apiPerson   `json:"current"`
}

func (s *Server) apiPatchPerson(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t, p, err := s.personTarget(ctx, trellis.KindPerson, personID(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	im := r.Header.Get("If-Match")
	if im == "" {
		s.writeErrorStatus(w, r, http.StatusPreconditionRequired, errPreconditionRequired)
		return
	}
	expected, err := ifMatchVersion(im, p.Version)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pf, err := readPersonBody(r, "application/merge-patch+json", "application/json")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if pf.assign {
		if err := s.check(r, trellis.ActionAssign, t); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	upd := trellis.PersonUpdate{Name: pf.Name, Email: pf.Email, RoleID: pf.RoleID, Access: pf.Access, ManagerID: pf.ManagerID,
		ClearManager: pf.ClearManager, RoleSince: pf.RoleSince, Teams: pf.Teams, Regions: pf.Regions, Active: pf.Active}
	if expected != p.Version {
		s.staleConflict(w, r, p, expected)
		return
	}
	out, err := s.people.UpdatePerson(ctx, p.ID, upd, expected)
	if trellis.ErrorCode(err) == trellis.ECONFLICT {
		if cur, ferr := s.people.FindPerson(ctx, p.ID); ferr == nil && cur.Version != expected {
			s.staleConflict(w, r, cur, expected)
			return
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", personETag(out))
	writeJSON(w, http.StatusOK, s.apiPersonOf(r, out))
}

func (s *Server) staleConflict(w http.ResponseWriter, r *http.Request, cur *trellis.Person, expected int) {
	msg := fmt.Sprintf("The person was changed meanwhile: you sent If-Match for version %d, the stored version is %d. Nothing was written; apply your change to current and send it with If-Match: %s.",
		expected, cur.Version, personETag(cur))
	w.Header().Set("ETag", personETag(cur))
	writeJSON(w, http.StatusConflict, personConflict{
		Error:   errorObject{Code: trellis.ECONFLICT, Message: msg, Details: []trellis.FieldError{}},
		Current: s.apiPersonOf(r, cur)})
}
