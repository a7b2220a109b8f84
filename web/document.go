package web

import (
	"context"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"trellis"
	"trellis/markdown"
)

// Promotion documents: a person's list, a new document from the
// framework's template for a reachable target role, the document with its
// sections, comments, checks and the workflow moves the viewer may make,
// and its settings (who sees it, library consent).
//
// Who may do what is the policy's. The routes on one document load it first
// and ask the policy about it with its visibility: a document the viewer may
// not read is a 404, exactly like a missing one.

func documentURL(id int64) string { return "/documents/" + strconv.FormatInt(id, 10) }

func documentsURL(pid int64) string { return personURL(pid) + "/documents" }

// needDocuments refuses requests when the document services are not wired in.
func (s *Server) needDocuments() error {
	if s.documents == nil {
		return trellis.Errorf(trellis.EUNAVAILABLE, "Promotion documents are not available on this server.")
	}
	return nil
}

// docTarget is the policy's view of one document.
func docTarget(owner trellis.Target, d *trellis.Document) trellis.Target {
	owner.Kind = trellis.KindDocument
	owner.Visibility = d.Visibility
	return owner
}

// docCtx is a loaded document with what pages need around it.
type docCtx struct {
	D      *trellis.Document
	T      trellis.Target // the document as the policy sees it
	P      *trellis.Person
	FW     *trellis.Framework
	Tpl    *trellis.Template
	Role   *trellis.Role
	Viewer trellis.Actor
}

func docID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, trellis.Errorf(trellis.ENOTFOUND, "No such document.")
	}
	return id, nil
}

var errNoDocument = trellis.Errorf(trellis.ENOTFOUND, "No such document.")

// loadDocument loads the document the path names and checks that the viewer
// may do action on it; one they may not read is ENOTFOUND.
func (s *Server) loadDocument(r *http.Request, action trellis.Action) (*docCtx, error) {
	if err := s.needDocuments(); err != nil {
		return nil, err
	}
	id, err := docID(r)
	if err != nil {
		return nil, err
	}
	return s.loadDocumentID(r, id, action)
}

func (s *Server) loadDocumentID(r *http.Request, id int64, action trellis.Action) (*docCtx, error) {
	ctx := r.Context()
	d, err := s.documents.FindDocument(ctx, id)
	if err != nil {
		if trellis.ErrorCode(err) == trellis.ENOTFOUND {
			return nil, errNoDocument
		}
		return nil, err
	}
	t, p, err := s.personTarget(ctx, trellis.KindDocument, d.PersonID)
	if err != nil {
		return nil, err
	}
	t = docTarget(t, d)
	if action != "" {
		// A document its candidate put in the library is open to everyone
		// signed in, to read and export as an example.
		inLibrary := d.State == trellis.DocInLibrary && (action == trellis.ActionRead || action == trellis.ActionExport) && s.actor(r).Person != nil
		if err := s.check(r, trellis.ActionRead, t); err != nil && !inLibrary {
			if trellis.ErrorCode(err) == trellis.EUNAUTHORIZED {
				return nil, err
			}
			return nil, errNoDocument
		}
		if inLibrary {
			action = trellis.ActionRead
		}
		if action != trellis.ActionRead {
			if err := s.check(r, action, t); err != nil {
				return nil, err
			}
		}
	}
	dc := &docCtx{D: d, T: t, P: p, Viewer: s.actor(r)}
	if err := s.docFramework(ctx, dc); err != nil {
		return nil, err
	}
	return dc, nil
}

// docFramework loads the framework version the document is judged
// against (frozen at nomination) and its template.
func (s *Server) docFramework(ctx context.Context, dc *docCtx) error {
	fw, _, err := s.frameworks.FindFramework(ctx, trellis.Ref{ID: dc.D.FrameworkID, Version: dc.D.FrameworkVersion})
	if err != nil {
		return err
	}
	dc.FW = fw
	for i := range fw.Templates {
		if fw.Templates[i].ID == dc.D.TemplateID {
			dc.Tpl = &fw.Templates[i]
		}
	}
	if dc.Tpl == nil {
		if tpl, ok := fw.TemplateFor(dc.D.TargetRole); ok {
			dc.Tpl = tpl
		} else {
			dc.Tpl = &trellis.Template{ID: dc.D.TemplateID}
		}
	}
	if role, ok := fw.Role(dc.D.TargetRole); ok {
		dc.Role = role
	}
	return nil
}

func (dc *docCtx) roleName() string {
	if dc.Role != nil {
		return dc.Role.Name
	}
	return dc.D.TargetRole
}

// section returns the template section and the document's text of it.
func (dc *docCtx) section(id string) (trellis.Section, trellis.DocumentSection, bool) {
	var ts trellis.Section
	found := false
	for _, x := range dc.Tpl.Sections {
		if x.ID == id {
			ts, found = x, true
		}
	}
	for _, x := range dc.D.Sections {
		if x.ID == id {
			if !found {
				ts = trellis.Section{ID: id, Title: id}
			}
			return ts, x, true
		}
	}
	return ts, trellis.DocumentSection{ID: id}, found
}

// sectionTitle names a section for lists and findings.
func (dc *docCtx) sectionTitle(id string) string {
	ts, _, _ := dc.section(id)
	if ts.Title != "" {
		return ts.Title
	}
	return id
}

var stateLabels = map[string]string{
	trellis.DocDraft:         "Draft",
	trellis.DocManagerReview: "Manager review",
	trellis.DocPeerReview:    "Peer-manager review",
	trellis.DocApproved:      "Approved for nomination",
	trellis.DocNominated:     "Nominated",
	trellis.DocInCalibration: "In calibration",
	trellis.DocDecidedYes:    "Promotion approved",
	trellis.DocDecidedNo:     "Promotion not approved",
	trellis.DocEffective:     "Effective",
	trellis.DocInLibrary:     "In the library",
	trellis.DocWithdrawn:     "Withdrawn",
}

func stateLabel(st string) string {
	if l, ok := stateLabels[st]; ok {
		return l
	}
	return st
}

func stateClass(st string) string {
	switch st {
	case trellis.DocDecidedYes, trellis.DocEffective, trellis.DocInLibrary, trellis.DocApproved:
		return "badge-ok"
	case trellis.DocDecidedNo, trellis.DocWithdrawn:
		return "badge-warn"
	}
	return ""
}

// docVisLabel says who sees a document.
func docVisLabel(v trellis.Visibility) string {
	switch v {
	case trellis.VisPrivate:
		return "Only the candidate"
	case trellis.VisManager:
		return "The candidate and their reporting line"
	case trellis.VisOrganisationViewer:
		return "Everyone signed in may read"
	case trellis.VisOrganisationCommenter:
		return "Everyone signed in may comment"
	case trellis.VisOrganisationEditor:
		return "Everyone signed in may edit"
	}
	return string(v)
}

// wordCount counts the words of a Markdown text.
func wordCount(s string) int { return len(strings.Fields(s)) }

// List.

type docRow struct {
	D     *trellis.Document
	URL   string
	Role  string
	State string
	Class string
	// Due: in peer-manager review, the comments-due day; Passed once over.
	Due    string
	Passed bool
}

type docListView struct {
	P         *trellis.Person
	Rows      []docRow
	CanCreate bool
	Hidden    bool
	Next      string
}

func (s *Server) roleNameIn(ctx context.Context, fwID, version, roleID string) string {
	fw, _, err := s.frameworks.FindFramework(ctx, trellis.Ref{ID: fwID, Version: version})
	if err == nil {
		if role, ok := fw.Role(roleID); ok {
			return role.Name
		}
	}
	return roleID
}

func (s *Server) documentsPage(w http.ResponseWriter, r *http.Request) {
	if err := s.needDocuments(); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	t, p, err := s.personTarget(ctx, trellis.KindDocument, personID(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pid := p.ID
	page, err := s.documents.ListDocuments(ctx, trellis.DocumentFilter{PersonID: &pid, Limit: 100, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := docListView{P: p, CanCreate: s.can(r, trellis.ActionCreate, trellis.Target{Kind: trellis.KindDocument, Owner: t.Owner, OwnerChain: t.OwnerChain})}
	for _, d := range page.Items {
		if !s.can(r, trellis.ActionRead, docTarget(t, d)) {
			v.Hidden = true
			continue
		}
		row := docRow{D: d, URL: documentURL(d.ID), Role: s.roleNameIn(ctx, d.FrameworkID, d.FrameworkVersion, d.TargetRole),
			State: stateLabel(d.State), Class: stateClass(d.State)}
		if d.ReviewDue != nil {
			row.Due, row.Passed = d.ReviewDue.Format("2 Jan 2006"), trellis.CommentLate(*d.ReviewDue, s.now())
		}
		v.Rows = append(v.Rows, row)
	}
	if page.NextCursor != "" {
		v.Next = documentsURL(p.ID) + "?cursor=" + page.NextCursor
	}
	s.render(w, r, http.StatusOK, "document_list", layoutPage("Promotion documents · "+p.Name, "documents", v))
}

// New.

type docNewView struct {
	P       *trellis.Person
	Current string
	Choices []docRoleChoice
	Message string
}

type docRoleChoice struct {
	ID, Name, Kinds string
	Template        string
	Checked         bool
}

func (s *Server) newDocumentForm(w http.ResponseWriter, r *http.Request) {
	s.renderNewDocument(w, r, http.StatusOK, "", "")
}

func (s *Server) renderNewDocument(w http.ResponseWriter, r *http.Request, status int, chosen, message string) {
	if err := s.needDocuments(); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	_, p, err := s.personTarget(ctx, trellis.KindDocument, personID(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fw, _, err := s.growthFramework(ctx, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := docNewView{P: p, Current: p.RoleID, Message: message}
	if role, ok := fw.Role(p.RoleID); ok {
		v.Current = role.Name
	}
	if chosen == "" && s.growth != nil {
		if plan, err := s.growth.FindPlan(ctx, p.ID); err == nil {
			chosen = plan.TargetRoleID
		}
	}
	for _, path := range trellis.Reachable(fw, p.RoleID) {
		c := docRoleChoice{ID: path.RoleID, Name: path.RoleID, Kinds: strings.Join(path.Kinds(), ", "), Checked: path.RoleID == chosen}
		if role, ok := fw.Role(path.RoleID); ok {
			c.Name = role.Name
		}
		if tpl, ok := fw.TemplateFor(path.RoleID); ok {
			c.Template = tpl.ID
		}
		v.Choices = append(v.Choices, c)
	}
	s.render(w, r, status, "document_new", layoutPage("New promotion document · "+p.Name, "documents", v))
}

func (s *Server) createDocumentSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.needDocuments(); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	_, p, err := s.personTarget(ctx, trellis.KindDocument, personID(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	role := strings.TrimSpace(r.PostFormValue("target"))
	d, err := s.newDocumentFor(ctx, p, role)
	if err != nil {
		if c := trellis.ErrorCode(err); c == trellis.EINVALID || c == trellis.ERULE {
			s.renderNewDocument(w, r, ErrorStatus(err), role, trellis.ErrorMessage(err))
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, documentURL(d.ID)+"/edit?created=1", http.StatusSeeOther)
}

// newDocumentFor creates a document for a reachable target role from the
// framework's template.
func (s *Server) newDocumentFor(ctx context.Context, p *trellis.Person, role string) (*trellis.Document, error) {
	fw, ver, err := s.growthFramework(ctx, p)
	if err != nil {
		return nil, err
	}
	if role == "" {
		return nil, &trellis.Error{Code: trellis.EINVALID, Message: "Choose the target role the document is for.",
			Details: []trellis.FieldError{{Field: "target_role", Message: "required"}}}
	}
	if !slices.ContainsFunc(trellis.Reachable(fw, p.RoleID), func(path trellis.Path) bool { return path.RoleID == role }) {
		return nil, &trellis.Error{Code: trellis.EINVALID, Message: "\"" + role + "\" is not a role reachable from " + p.RoleID + "; choose one of the roles listed.",
			Details: []trellis.FieldError{{Field: "target_role", Message: "not reachable from " + p.RoleID}}}
	}
	d, err := trellis.NewDocument(fw, ver.Version, p, role, s.now())
	if err != nil {
		return nil, err
	}
	if err := s.documents.CreateDocument(ctx, d); err != nil {
		return nil, err
	}
	return d, nil
}

// The document.

type commentView struct {
	C        *trellis.Comment
	Author   string
	Text     template.HTML
	Replies  []commentView
	Resolved bool
	CanClose bool
}

type sectionView struct {
	ID, Title, Author string
	HTML              template.HTML
	Text              string
	Words, MaxWords   int
	Over              bool
	Empty             bool
	Optional          bool
	Guidance          template.HTML
	Competencies      []choice
	Version           int
	Comments          []commentView
	Findings          []findingView
}

type moveButton struct {
	To, Label string
	Danger    bool
	Note      bool     // the move needs a note
	Due       *dueForm // opening peer-manager review: the comments-due day
}

type docView struct {
	D          *trellis.Document
	P          *trellis.Person
	Role       string
	State      string
	StateClass string
	Visibility string
	FW         string
	Version    string
	Sections   []sectionView
	Findings   []findingView
	Errors     int
	Moves      []moveButton
	CanEdit    bool
	CanComment bool
	CanSettings,
	CanReview,
	CanFeedback bool
	CanExport bool
	Revisions int
	Cycle     *trellis.Cycle
	Notice    string
	Message   string
	Feedback  []feedbackView
	// Review is the open round of peer-manager review: its comments-due
	// day, and how many peer managers commented to those who may read the
	// review copy.
	Review *reviewInfo
}

// nameCache resolves people's names for comments and lists, caching them.
type nameCache struct {
	s *Server
	m map[int64]string
}

func (s *Server) nameCache() *nameCache { return &nameCache{s: s, m: map[int64]string{}} }

func (n *nameCache) of(ctx context.Context, id int64) string {
	if v, ok := n.m[id]; ok {
		return v
	}
	name := "Someone"
	if p, err := n.s.people.FindPerson(ctx, id); err == nil {
		name = p.Name
	}
	n.m[id] = name
	return name
}

// threads groups comments into threads under their first comment.
func (s *Server) threads(r *http.Request, dc *docCtx, list []*trellis.Comment, canResolve bool) map[string][]commentView {
	ctx := r.Context()
	n := s.nameCache()
	me := s.actor(r).Person
	out := map[string][]commentView{}
	index := map[int64]int{}
	for _, c := range list {
		cv := commentView{C: c, Author: n.of(ctx, c.AuthorID), Text: markdown.HTML(c.Text), Resolved: c.ResolvedAt != nil,
			CanClose: canResolve || (me != nil && me.ID == c.AuthorID)}
		if c.ThreadID != nil {
			if i, ok := index[*c.ThreadID]; ok {
				out[c.SectionID][i].Replies = append(out[c.SectionID][i].Replies, cv)
				continue
			}
		}
		index[c.ID] = len(out[c.SectionID])
		out[c.SectionID] = append(out[c.SectionID], cv)
	}
	return out
}

func (s *Server) sectionViews(dc *docCtx, comments map[string][]commentView, findings []findingView) []sectionView {
	n := fwNames{dc.FW}
	var out []sectionView
	seen := map[string]bool{}
	add := func(ts trellis.Section, ds trellis.DocumentSection) {
		seen[ts.ID] = true
		sv := sectionView{ID: ts.ID, Title: ts.Title, Author: ts.Author, Text: ds.Text, HTML: markdown.HTML(ds.Text), Words: wordCount(ds.Text),
			MaxWords: ts.MaxWords, Optional: ts.Optional, Guidance: markdown.HTML(ts.Guidance), Version: ds.Version,
			Empty: strings.TrimSpace(ds.Text) == "", Comments: comments[ts.ID]}
		sv.Over = sv.MaxWords > 0 && sv.Words > sv.MaxWords
		for _, c := range ts.Competencies {
			sv.Competencies = append(sv.Competencies, choice{ID: c, Name: n.competency(c)})
		}
		for _, f := range findings {
			if f.Section == ts.ID {
				sv.Findings = append(sv.Findings, f)
			}
		}
		out = append(out, sv)
	}
	for _, ts := range dc.Tpl.Sections {
		_, ds, _ := dc.section(ts.ID)
		add(ts, ds)
	}
	for _, ds := range dc.D.Sections {
		if !seen[ds.ID] {
			add(trellis.Section{ID: ds.ID, Title: ds.ID}, ds)
		}
	}
	return out
}

func (s *Server) documentPage(w http.ResponseWriter, r *http.Request) {
	dc, err := s.loadDocument(r, trellis.ActionRead)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderDocument(w, r, http.StatusOK, dc, "")
}

func (s *Server) renderDocument(w http.ResponseWriter, r *http.Request, status int, dc *docCtx, message string) {
	ctx := r.Context()
	canComment := s.can(r, trellis.ActionComment, dc.T)
	var comments map[string][]commentView
	list, err := s.documents.ListComments(ctx, dc.D.ID, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	comments = s.threads(r, dc, list, s.can(r, trellis.ActionEdit, dc.T))
	findings := s.findings(dc)
	v := docView{D: dc.D, P: dc.P, Role: dc.roleName(), State: stateLabel(dc.D.State), StateClass: stateClass(dc.D.State),
		Visibility: docVisLabel(dc.D.Visibility), FW: dc.FW.Name, Version: dc.D.FrameworkVersion, Findings: findings,
		CanEdit: s.can(r, trellis.ActionEdit, dc.T) && editableState(dc.D.State), CanComment: canComment,
		CanSettings: s.can(r, trellis.ActionChangeVisibility, dc.T),
		CanReview:   s.can(r, trellis.ActionRead, reviewTarget(dc.T)),
		CanFeedback: hasFeedbackSection(dc.Tpl),
		CanExport:   s.can(r, trellis.ActionExport, dc.T), Message: message}
	for _, f := range findings {
		if f.Error {
			v.Errors++
		}
	}
	v.Sections = s.sectionViews(dc, comments, findings)
	v.Moves = s.movesFor(r, dc)
	for i := range v.Moves {
		if v.Moves[i].To == trellis.DocPeerReview {
			if v.Moves[i].Due, err = s.reviewDueForm(ctx, dc.D, ""); err != nil {
				s.fail(w, r, err)
				return
			}
		}
	}
	if v.Review, err = s.documentReview(r, dc); err != nil {
		s.fail(w, r, err)
		return
	}
	if dc.D.CycleID != nil && s.cycles != nil {
		if c, err := s.cycles.FindCycle(ctx, *dc.D.CycleID); err == nil {
			v.Cycle = c
		}
	}
	q := r.URL.Query()
	switch {
	case q.Get("moved") != "":
		v.Notice = "The document is now: " + stateLabel(q.Get("moved")) + "."
	case q.Get("commented") != "":
		v.Notice = "Comment added."
	case q.Get("resolved") != "":
		v.Notice = "Thread resolved."
	case q.Get("saved") != "":
		v.Notice = "Saved."
	}
	s.render(w, r, status, "document", layoutPage(dc.D.Title, "documents", v))
}

// editableState: the text changes while the document is being written and
// reviewed; from approval on it is what was approved.
func editableState(st string) bool {
	return st == trellis.DocDraft || st == trellis.DocManagerReview || st == trellis.DocPeerReview
}

// Comments.

func (s *Server) commentSubmit(w http.ResponseWriter, r *http.Request) {
	dc, err := s.loadDocument(r, trellis.ActionComment)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.addComment(w, r, dc, false)
}

func (s *Server) addComment(w http.ResponseWriter, r *http.Request, dc *docCtx, review bool) {
	text := strings.TrimSpace(r.PostFormValue("text"))
	section := r.PostFormValue("section")
	back := documentURL(dc.D.ID)
	if review {
		back += "/review"
	}
	if _, _, ok := dc.section(section); !ok {
		s.fail(w, r, &trellis.Error{Code: trellis.EINVALID, Message: "The comment names no section of this document.",
			Details: []trellis.FieldError{{Field: "section", Message: "not a section of the document"}}})
		return
	}
	if text == "" {
		s.fail(w, r, withHint(&trellis.Error{Code: trellis.EINVALID, Message: "The comment is empty.",
			Details: []trellis.FieldError{{Field: "text", Message: "required"}}}, "Back", []link{{"The document", back}}))
		return
	}
	c := &trellis.Comment{DocumentID: dc.D.ID, SectionID: section, AuthorID: s.actor(r).Person.ID, Text: text, OnReviewCopy: review}
	if t := r.PostFormValue("thread"); t != "" {
		id, err := strconv.ParseInt(t, 10, 64)
		if err != nil || id <= 0 {
			s.fail(w, r, &trellis.Error{Code: trellis.EINVALID, Message: "The reply names no thread.",
				Details: []trellis.FieldError{{Field: "thread", Message: "not a comment id"}}})
			return
		}
		c.ThreadID = &id
	}
	if err := s.documents.AddComment(r.Context(), c); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, back+"?commented=1#s-"+section, http.StatusSeeOther)
}

func (s *Server) resolveCommentSubmit(w http.ResponseWriter, r *http.Request) {
	dc, err := s.loadDocument(r, trellis.ActionRead)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.resolveComment(w, r, dc, false)
}

// resolveComment closes a thread: its author, or whoever edits the
// document (on the review copy: whoever edits the copy).
func (s *Server) resolveComment(w http.ResponseWriter, r *http.Request, dc *docCtx, review bool) {
	ctx := r.Context()
	cid, err := strconv.ParseInt(r.PathValue("cid"), 10, 64)
	if err != nil || cid <= 0 {
		s.fail(w, r, trellis.Errorf(trellis.ENOTFOUND, "No such comment."))
		return
	}
	list, err := s.documents.ListComments(ctx, dc.D.ID, review)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	i := slices.IndexFunc(list, func(c *trellis.Comment) bool { return c.ID == cid && c.OnReviewCopy == review })
	if i < 0 {
		s.fail(w, r, trellis.Errorf(trellis.ENOTFOUND, "No such comment."))
		return
	}
	editor := s.can(r, trellis.ActionEdit, dc.T)
	if review {
		editor = s.can(r, trellis.ActionEdit, reviewTarget(dc.T))
	}
	if !editor && list[i].AuthorID != s.actor(r).Person.ID {
		s.fail(w, r, trellis.Errorf(trellis.EFORBIDDEN, "Only the comment's author or an editor of the document resolves a thread."))
		return
	}
	if err := s.documents.ResolveComment(ctx, cid); err != nil {
		s.fail(w, r, err)
		return
	}
	back := documentURL(dc.D.ID)
	if review {
		back += "/review"
	}
	http.Redirect(w, r, back+"?resolved=1#s-"+list[i].SectionID, http.StatusSeeOther)
}

// Settings.

type docSettingsView struct {
	D          *trellis.Document
	P          *trellis.Person
	Title      string
	Visibility []choice
	Share      bool
	Message    string
	Notice     string
}

func (s *Server) documentSettingsPage(w http.ResponseWriter, r *http.Request) {
	dc, err := s.loadDocument(r, trellis.ActionChangeVisibility)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	notice := ""
	if r.URL.Query().Get("saved") != "" {
		notice = "Settings saved."
	}
	s.renderDocSettings(w, r, http.StatusOK, dc, dc.D.Title, string(dc.D.Visibility), dc.D.ShareInLibrary, "", notice)
}

func (s *Server) renderDocSettings(w http.ResponseWriter, r *http.Request, status int, dc *docCtx, title, vis string, share bool, message, notice string) {
	v := docSettingsView{D: dc.D, P: dc.P, Title: title, Share: share, Message: message, Notice: notice}
	for _, vv := range trellis.Visibilities {
		v.Visibility = append(v.Visibility, choice{ID: string(vv), Name: docVisLabel(vv), Checked: string(vv) == vis})
	}
	s.render(w, r, status, "document_settings", layoutPage("Settings · "+dc.D.Title, "documents", v))
}

func (s *Server) documentSettingsSubmit(w http.ResponseWriter, r *http.Request) {
	dc, err := s.loadDocument(r, trellis.ActionChangeVisibility)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	title := strings.TrimSpace(r.PostFormValue("title"))
	vis := r.PostFormValue("visibility")
	share := r.PostFormValue("share") != ""
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if !trellis.Visibility(vis).Valid() {
		s.renderDocSettings(w, r, http.StatusBadRequest, dc, title, vis, share, "Choose who sees the document.", "")
		return
	}
	if title == "" {
		s.renderDocSettings(w, r, http.StatusBadRequest, dc, title, vis, share, "The document needs a title.", "")
		return
	}
	if version != dc.D.Version {
		s.renderDocSettings(w, r, http.StatusConflict, dc, title, vis, share,
			"The document changed while you had this page open (it is at version "+strconv.Itoa(dc.D.Version)+"). Your choices are still in the form; save again to apply them.", "")
		return
	}
	next := *dc.D
	next.Title, next.Visibility, next.ShareInLibrary = title, trellis.Visibility(vis), share
	if err := s.documents.UpdateDocument(r.Context(), &next, version); err != nil {
		if c := trellis.ErrorCode(err); c == trellis.EINVALID || c == trellis.ECONFLICT || c == trellis.ERULE {
			s.renderDocSettings(w, r, ErrorStatus(err), dc, title, vis, share, trellis.ErrorMessage(err), "")
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, documentURL(dc.D.ID)+"/settings?saved=1", http.StatusSeeOther)
}

// reviewTarget is the managers-only review copy of a document.
func reviewTarget(t trellis.Target) trellis.Target {
	t.Kind = trellis.KindPeerReview
	t.Visibility = ""
	return t
}

func hasFeedbackSection(tpl *trellis.Template) bool {
	return tpl != nil && slices.ContainsFunc(tpl.Sections, func(s trellis.Section) bool { return s.Author == "feedback" })
}
