package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"trellis"
	"trellis/forge"
	"trellis/importcsv"
)

// Evidence from where the work happens: a person's connections to GitLab and
// GitHub, "Sync now" with the outcome of the latest runs, and the imported
// items waiting for the person to accept (an evidence entry, private unless
// they choose otherwise, with only the competencies they tick) or dismiss.
// Every route is the person's own (the policy's evidence:create on them).

// syncTimeout bounds a sync started from a page or the API; what it did
// not reach is read by the next one.
const syncTimeout = 45 * time.Second

func (s *Server) needForge() error {
	if s.forgeSync == nil || s.forgeSync.Store == nil {
		return trellis.Errorf(trellis.EUNAVAILABLE, "Connections to GitLab and GitHub are not available on this server.")
	}
	return s.needGrowth()
}

func connectionsURL(pid int64) string { return personURL(pid) + "/connections" }
func importsURL(pid int64) string     { return personURL(pid) + "/imports" }

type connectionForm struct {
	Kind, BaseURL, Username string
}

type connectionsView struct {
	Head      growthHeadView
	P         *trellis.Person
	Accounts  []*forge.Account
	Runs      []*forge.Run
	Kinds     []forge.Kind
	F         connectionForm
	CanTokens bool
	Instance  []string // forges with an instance token, for the hint
	Pending   int
	Notice    string
	Message   string
	Details   []trellis.FieldError
}

func (s *Server) connectionsView(r *http.Request, p *trellis.Person) (connectionsView, error) {
	ctx := r.Context()
	v := connectionsView{Head: s.growthHead(r, p, "connections", "Connections"), P: p, Kinds: forge.Kinds,
		CanTokens: s.forgeSync.Store.CanStoreTokens(), F: connectionForm{Kind: string(forge.GitLab)}}
	var err error
	if v.Accounts, err = s.forgeSync.Store.ListAccounts(ctx, p.ID); err != nil {
		return v, err
	}
	if v.Runs, err = s.forgeSync.Store.ListRuns(ctx, p.ID, 10); err != nil {
		return v, err
	}
	for _, k := range forge.Kinds {
		if it, ok := s.forgeSync.Instance[k]; ok && it.Token != "" {
			v.Instance = append(v.Instance, k.Name()+" at "+it.BaseURL)
		}
	}
	page, err := s.forgeSync.Store.ListItems(ctx, forge.ItemFilter{PersonID: p.ID, Status: forge.Pending, Limit: 200})
	if err != nil {
		return v, err
	}
	v.Pending = len(page.Items)
	return v, nil
}

func (s *Server) forgePerson(r *http.Request) (*trellis.Person, error) {
	if err := s.needForge(); err != nil {
		return nil, err
	}
	_, p, err := s.personTarget(r.Context(), trellis.KindEvidence, personID(r))
	return p, err
}

func (s *Server) connectionsPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.forgePerson(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.connectionsView(r, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	switch {
	case q.Get("added") != "":
		v.Notice = "Connected. Choose Sync now to import your recent work."
	case q.Get("removed") != "":
		v.Notice = "The connection was removed. Items it imported stay on the imports page."
	case q.Get("synced") != "":
		v.Notice = "Sync finished; the outcome of each connection is below."
	}
	s.render(w, r, http.StatusOK, "forge_connections", layoutPage("Connections", "journal", v))
}

func (s *Server) connectionAddSubmit(w http.ResponseWriter, r *http.Request) {
	p, err := s.forgePerson(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domainFormError(err))
		return
	}
	f := connectionForm{Kind: strings.TrimSpace(r.PostFormValue("kind")), BaseURL: strings.TrimSpace(r.PostFormValue("base_url")),
		Username: strings.TrimSpace(r.PostFormValue("username"))}
	a := &forge.Account{PersonID: p.ID, Kind: forge.Kind(f.Kind), BaseURL: f.BaseURL, Username: f.Username,
		Token: strings.TrimSpace(r.PostFormValue("token"))}
	err = s.addConnection(r.Context(), a)
	if err != nil {
		if c := trellis.ErrorCode(err); c != trellis.EINVALID && c != trellis.ERULE && c != trellis.ECONFLICT {
			s.fail(w, r, err)
			return
		}
		v, verr := s.connectionsView(r, p)
		if verr != nil {
			s.fail(w, r, verr)
			return
		}
		v.F, v.Message, v.Details = f, trellis.ErrorMessage(err), trellis.ErrorDetails(err)
		s.render(w, r, ErrorStatus(err), "forge_connections", layoutPage("Connections", "journal", v))
		return
	}
	http.Redirect(w, r, connectionsURL(p.ID)+"?added=1", http.StatusSeeOther)
}

// addConnection stores a connection; one without a token of its own needs
// an instance token for its forge.
func (s *Server) addConnection(ctx context.Context, a *forge.Account) error {
	if a.Token == "" && a.Kind.Valid() {
		base, err := forge.NormalizeBaseURL(a.Kind, a.BaseURL)
		if err == nil && !s.forgeSync.HasInstanceToken(a.Kind, base) {
			return &trellis.Error{Code: trellis.EINVALID, Message: "The connection needs a token.", Details: []trellis.FieldError{{Field: "token",
				Message: "this server has no instance token for " + base + "; create a personal token (" + tokenHint(a.Kind) + ") and paste it here"}}}
		}
	}
	return s.forgeSync.Store.AddAccount(ctx, a)
}

func tokenHint(k forge.Kind) string {
	if k == forge.GitHub {
		return "fine-grained with read access to pull requests and issues, or classic with the repo scope"
	}
	return "with the read_api scope"
}

func (s *Server) connectionRemoveSubmit(w http.ResponseWriter, r *http.Request) {
	p, err := s.forgePerson(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("cid"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, trellis.Errorf(trellis.ENOTFOUND, "No such connection."))
		return
	}
	if err := s.forgeSync.Store.RemoveAccount(r.Context(), p.ID, id); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, connectionsURL(p.ID)+"?removed=1", http.StatusSeeOther)
}

// runSync syncs a person's accounts within syncTimeout.
func (s *Server) runSync(ctx context.Context, personID int64) ([]*forge.Run, error) {
	ctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	return s.forgeSync.SyncPerson(ctx, personID)
}

func (s *Server) syncNowSubmit(w http.ResponseWriter, r *http.Request) {
	p, err := s.forgePerson(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.runSync(r.Context(), p.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, connectionsURL(p.ID)+"?synced=1", http.StatusSeeOther)
}

// Imports.

type importRow struct {
	It           *forge.Item
	Activity     string
	Suggested    []suggestedChoice
	Competencies []choice // the rest of the framework, to tick instead
	Date         string
}

type importsView struct {
	Head         growthHeadView
	P            *trellis.Person
	Rows         []importRow
	Activities   []choice
	Visibilities []choice
	Accepted     int64
	Notice       string
	Message      string
	Details      []trellis.FieldError
	FailedItem   int64
	NextCursor   string
}

func (s *Server) importsView(r *http.Request, p *trellis.Person, cursor string) (importsView, error) {
	ctx := r.Context()
	v := importsView{Head: s.growthHead(r, p, "imports", "Imported work"), P: p}
	fw, _, err := s.growthFramework(ctx, p)
	if err != nil {
		return v, err
	}
	n := fwNames{fw}
	for _, a := range fw.Activities {
		v.Activities = append(v.Activities, choice{ID: a.ID, Name: a.Name})
	}
	for _, vis := range trellis.Visibilities {
		v.Visibilities = append(v.Visibilities, choice{ID: string(vis), Name: visibilityLabel(vis)})
	}
	page, err := s.forgeSync.Store.ListItems(ctx, forge.ItemFilter{PersonID: p.ID, Status: forge.Pending, Limit: 50, Cursor: cursor})
	if err != nil {
		return v, err
	}
	v.NextCursor = page.NextCursor
	for _, it := range page.Items {
		row := importRow{It: it, Activity: n.activity(it.Activity), Date: it.MergedAt.Format(importcsv.DateFormat)}
		for _, sg := range it.Suggestions {
			if _, ok := fw.Competency(sg.Competency); !ok {
				continue // the framework changed since the import
			}
			row.Suggested = append(row.Suggested, suggestedChoice{ID: sg.Competency, Name: n.competency(sg.Competency), Reasons: sg.Reasons})
		}
		v.Rows = append(v.Rows, row)
	}
	return v, nil
}

// suggestedChoice is a suggested competency, unticked, with its reasons.
type suggestedChoice struct {
	ID, Name string
	Reasons  []string
}

func (s *Server) importsPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.forgePerson(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.importsView(r, p, r.URL.Query().Get("cursor"))
	if err != nil {
		s.fail(w, r, cursorError(err, r.URL.Query().Get("cursor")))
		return
	}
	q := r.URL.Query()
	if id, _ := strconv.ParseInt(q.Get("accepted"), 10, 64); id > 0 {
		v.Accepted, v.Notice = id, "Added to your journal."
	} else if q.Get("dismissed") != "" {
		v.Notice = "Dismissed. It will not come back with the next sync."
	}
	s.render(w, r, http.StatusOK, "forge_imports", layoutPage("Imported work", "journal", v))
}

// loadItem loads a pending or decided item of the person the path names.
func (s *Server) loadItem(r *http.Request, p *trellis.Person) (*forge.Item, error) {
	id, err := strconv.ParseInt(r.PathValue("iid"), 10, 64)
	if err != nil || id <= 0 {
		return nil, trellis.Errorf(trellis.ENOTFOUND, "No such imported item.")
	}
	it, err := s.forgeSync.Store.FindItem(r.Context(), id)
	if trellis.ErrorCode(err) == trellis.ENOTFOUND || (err == nil && it.PersonID != p.ID) {
		return nil, trellis.Errorf(trellis.ENOTFOUND, "No such imported item.")
	}
	return it, err
}

func (s *Server) acceptItemSubmit(w http.ResponseWriter, r *http.Request) {
	p, err := s.forgePerson(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	it, err := s.loadItem(r, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domainFormError(err))
		return
	}
	fw, _, err := s.growthFramework(r.Context(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	e := evidenceFromItem(it, r.PostFormValue("title"), r.PostFormValue("activity"), r.PostFormValue("visibility"), dedupe(r.PostForm["competencies"]))
	e.FrameworkID = fw.ID
	if err := s.forgeSync.Store.AcceptItem(r.Context(), it.ID, e); err != nil {
		if c := trellis.ErrorCode(err); c != trellis.EINVALID && c != trellis.ERULE && c != trellis.ECONFLICT {
			s.fail(w, r, err)
			return
		}
		v, verr := s.importsView(r, p, "")
		if verr != nil {
			s.fail(w, r, verr)
			return
		}
		v.Message, v.Details, v.FailedItem = trellis.ErrorMessage(err), trellis.ErrorDetails(err), it.ID
		s.render(w, r, ErrorStatus(err), "forge_imports", layoutPage("Imported work", "journal", v))
		return
	}
	http.Redirect(w, r, importsURL(p.ID)+"?accepted="+strconv.FormatInt(e.ID, 10), http.StatusSeeOther)
}

// evidenceFromItem is the entry an accepted item becomes: its title (or the
// one typed), the day it was merged or closed, its text, its link, the
// activity (or the one chosen), only the competencies ticked, and private
// unless another visibility was chosen.
func evidenceFromItem(it *forge.Item, title, activity, visibility string, competencies []string) *trellis.Evidence {
	e := &trellis.Evidence{
		PersonID: it.PersonID, Title: strings.TrimSpace(title), Date: trellis.Day(it.MergedAt), What: it.Description,
		Links: []string{it.URL}, Activity: strings.TrimSpace(activity), Competencies: competencies,
		Visibility: trellis.Visibility(strings.TrimSpace(visibility)),
	}
	if e.Title == "" {
		e.Title = it.Title
	}
	if e.Activity == "" {
		e.Activity = it.Activity
	}
	if e.Competencies == nil {
		e.Competencies = []string{}
	}
	if e.Visibility == "" {
		e.Visibility = trellis.VisPrivate
	}
	return e
}

func (s *Server) dismissItemSubmit(w http.ResponseWriter, r *http.Request) {
	p, err := s.forgePerson(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	it, err := s.loadItem(r, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.forgeSync.Store.DismissItem(r.Context(), it.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, importsURL(p.ID)+"?dismissed=1", http.StatusSeeOther)
}

// The API.

type apiSyncResult struct {
	Runs []*forge.Run `json:"runs"`
}

func (s *Server) apiSync(w http.ResponseWriter, r *http.Request) {
	p, err := s.forgePerson(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	runs, err := s.runSync(r.Context(), p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiSyncResult{Runs: runs})
}

func (s *Server) apiListImports(w http.ResponseWriter, r *http.Request) {
	p, err := s.forgePerson(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	var problems []trellis.FieldError
	status := forge.Status(q.Get("status"))
	if status != "" && !slices.Contains([]forge.Status{forge.Pending, forge.Accepted, forge.Dismissed}, status) {
		problems = append(problems, trellis.FieldError{Field: "status", Message: "status must be pending, accepted or dismissed"})
	}
	limit, err := apiLimit(q)
	if err != nil {
		problems = append(problems, trellis.ErrorDetails(err)...)
	}
	if err := problemsError(problems); err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := s.forgeSync.Store.ListItems(r.Context(), forge.ItemFilter{PersonID: p.ID, Status: status, Limit: limit, Cursor: q.Get("cursor")})
	if err != nil {
		s.fail(w, r, cursorError(err, q.Get("cursor")))
		return
	}
	writeJSON(w, http.StatusOK, listPage[*forge.Item]{Items: page.Items, NextCursor: page.NextCursor})
}
