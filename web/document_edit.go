package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"trellis"
)

// Editing a document: one form per section with its guidance, word count,
// competencies and the person's strongest evidence to insert; a version per
// section so that two people editing different sections do not collide and
// a stale save of the same one shows both texts and loses nothing.
// editor.js autosaves a changed section every few seconds through the same
// route with ?autosave=1; without JavaScript the Save buttons do the same.

type evidencePick struct {
	ID     int64
	Title  string
	Date   string
	Result string
}

type sectionEdit struct {
	sectionView
	Picks    []evidencePick
	Conflict *sectionConflict
}

type sectionConflict struct {
	Saved, Typed string
	By           string
}

type docEditView struct {
	D        *trellis.Document
	P        *trellis.Person
	Role     string
	State    string
	Sections []sectionEdit
	Findings []findingView
	Errors   int
	Notice   string
	Message  string
}

func (s *Server) editDocumentPage(w http.ResponseWriter, r *http.Request) {
	dc, err := s.loadEditable(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.editView(r, dc)
	q := r.URL.Query()
	switch {
	case q.Get("created") != "":
		v.Notice = "The document was created from the template for " + dc.roleName() + ". Write each section below; the checks on the right update as you save."
	case q.Get("saved") != "":
		v.Notice = "Saved " + dc.sectionTitle(q.Get("saved")) + "."
	case q.Get("inserted") != "":
		v.Notice = "Evidence inserted into " + dc.sectionTitle(q.Get("inserted")) + "; rewrite it in the third person."
	}
	s.render(w, r, http.StatusOK, "document_edit", layoutPage("Edit · "+dc.D.Title, "documents", v))
}

// loadEditable loads the document for editing: the viewer may edit it and
// it is still being written.
func (s *Server) loadEditable(r *http.Request) (*docCtx, error) {
	dc, err := s.loadDocument(r, trellis.ActionEdit)
	if err != nil {
		return nil, err
	}
	if !editableState(dc.D.State) {
		return nil, withHint(trellis.Errorf(trellis.ECONFLICT, "The document is %s; its text no longer changes.", strings.ToLower(stateLabel(dc.D.State))),
			"Back", []link{{"The document", documentURL(dc.D.ID)}})
	}
	return dc, nil
}

func (s *Server) editView(r *http.Request, dc *docCtx) docEditView {
	findings := s.findings(dc)
	v := docEditView{D: dc.D, P: dc.P, Role: dc.roleName(), State: stateLabel(dc.D.State), Findings: findings}
	for _, f := range findings {
		if f.Error {
			v.Errors++
		}
	}
	evidence := s.docEvidence(r, dc)
	for _, sv := range s.sectionViews(dc, nil, findings) {
		se := sectionEdit{sectionView: sv}
		for _, e := range trellis.PrefillCandidates(dc.Tpl, sv.ID, evidence, 5) {
			se.Picks = append(se.Picks, evidencePick{ID: e.ID, Title: e.Title, Date: e.Date.Format("2 Jan 2006"), Result: e.Result})
		}
		v.Sections = append(v.Sections, se)
	}
	return v
}

// docEvidence is the candidate's journal as far as the viewer may read it.
func (s *Server) docEvidence(r *http.Request, dc *docCtx) []*trellis.Evidence {
	if s.evidence == nil {
		return nil
	}
	owner := dc.T
	owner.Kind = trellis.KindEvidence
	vis := s.readableVisibilities(r, owner)
	if len(vis) == 0 {
		return nil
	}
	page, err := s.evidence.ListEvidence(r.Context(), trellis.EvidenceFilter{PersonID: dc.P.ID, Visibilities: vis, Limit: trellis.MaxListLimit})
	if err != nil {
		return nil
	}
	return page.Items
}

// autosaveReply is what editor.js reads back.
type autosaveReply struct {
	Section string `json:"section"`
	Version int    `json:"version"`
	Words   int    `json:"words"`
	Saved   string `json:"saved"`
	Error   string `json:"error,omitempty"`
	Current string `json:"current,omitempty"` // the stored text, on a conflict
	By      string `json:"by,omitempty"`      // who saved it, on a conflict
}

func (s *Server) saveSectionSubmit(w http.ResponseWriter, r *http.Request) {
	autosave := r.URL.Query().Get("autosave") != ""
	dc, err := s.loadEditable(r)
	if err != nil {
		if autosave {
			writeJSON(w, ErrorStatus(err), autosaveReply{Error: trellis.ErrorMessage(err)})
			return
		}
		s.fail(w, r, err)
		return
	}
	sid := r.PathValue("sid")
	if _, _, ok := dc.section(sid); !ok {
		s.fail(w, r, trellis.Errorf(trellis.ENOTFOUND, "The document has no section %q.", sid))
		return
	}
	text := strings.ReplaceAll(r.PostFormValue("text"), "\r\n", "\n")
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	s.saveSection(w, r, dc, sid, text, version, autosave, "saved")
}

// saveSection stores a section's text at the version the form was loaded
// at. On a conflict the page shows the stored text beside the typed one,
// the typed text kept in the form at the stored version.
func (s *Server) saveSection(w http.ResponseWriter, r *http.Request, dc *docCtx, sid, text string, version int, autosave bool, notice string) {
	ctx := r.Context()
	_, cur, _ := dc.section(sid)
	var d *trellis.Document
	var err error
	if version != cur.Version {
		err = trellis.Errorf(trellis.ECONFLICT, "The section was saved by someone else meanwhile.")
	} else {
		d, err = s.documents.SaveSection(ctx, dc.D.ID, sid, text, version, autosave)
	}
	if err != nil {
		if trellis.ErrorCode(err) == trellis.ECONFLICT {
			if now, ferr := s.documents.FindDocument(ctx, dc.D.ID); ferr == nil {
				dc.D = now
			}
			_, cur, _ = dc.section(sid)
			by := "someone else"
			if cur.EditedBy != nil {
				by = s.nameCache().of(ctx, *cur.EditedBy)
			}
			if cur.Text == text {
				// Saved meanwhile with the very same text: nothing to merge.
				if autosave {
					writeJSON(w, http.StatusOK, autosaveReply{Section: sid, Version: cur.Version, Words: wordCount(cur.Text), Saved: s.now().Format("15:04:05")})
					return
				}
				http.Redirect(w, r, documentURL(dc.D.ID)+"/edit?"+notice+"="+sid+"#s-"+sid, http.StatusSeeOther)
				return
			}
			if autosave {
				writeJSON(w, http.StatusConflict, autosaveReply{Section: sid, Version: cur.Version, Current: cur.Text, By: by,
					Error: "Someone else saved this section meanwhile; autosave stopped. Both texts are shown in the section and yours is still in the form: merge them and save."})
				return
			}
			v := s.editView(r, dc)
			for i := range v.Sections {
				if v.Sections[i].ID == sid {
					v.Sections[i].Conflict = &sectionConflict{Saved: cur.Text, Typed: text, By: by}
					v.Sections[i].Text = text
					v.Sections[i].Version = cur.Version
					v.Sections[i].Words = wordCount(text)
				}
			}
			v.Message = "The section " + dc.sectionTitle(sid) + " was saved by " + by + " while you were editing it. Both texts are side by side below and your text is still in the form: merge them and save again, which replaces the saved text."
			s.render(w, r, http.StatusConflict, "document_edit", layoutPage("Edit · "+dc.D.Title, "documents", v))
			return
		}
		if autosave {
			writeJSON(w, ErrorStatus(err), autosaveReply{Section: sid, Error: trellis.ErrorMessage(err)})
			return
		}
		s.fail(w, r, withHint(err, "Back", []link{{"The editor", documentURL(dc.D.ID) + "/edit"}}))
		return
	}
	dc.D = d
	_, saved, _ := dc.section(sid)
	if autosave {
		writeJSON(w, http.StatusOK, autosaveReply{Section: sid, Version: saved.Version, Words: wordCount(saved.Text), Saved: s.now().Format("15:04:05")})
		return
	}
	http.Redirect(w, r, documentURL(dc.D.ID)+"/edit?"+notice+"="+sid+"#s-"+sid, http.StatusSeeOther)
}

// insertEvidenceSubmit appends the chosen journal entries, as Markdown, to
// the section.
func (s *Server) insertEvidenceSubmit(w http.ResponseWriter, r *http.Request) {
	dc, err := s.loadEditable(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sid := r.PathValue("sid")
	if _, _, ok := dc.section(sid); !ok {
		s.fail(w, r, trellis.Errorf(trellis.ENOTFOUND, "The document has no section %q.", sid))
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domainFormError(err))
		return
	}
	var ids []int64
	for _, v := range r.PostForm["evidence"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.fail(w, r, &trellis.Error{Code: trellis.EINVALID, Message: "Choose entries from the list.",
				Details: []trellis.FieldError{{Field: "evidence", Message: "not an entry id"}}})
			return
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		s.fail(w, r, withHint(&trellis.Error{Code: trellis.EINVALID, Message: "Tick the entries to insert first.",
			Details: []trellis.FieldError{{Field: "evidence", Message: "none chosen"}}}, "Back", []link{{"The editor", documentURL(dc.D.ID) + "/edit#s-" + sid}}))
		return
	}
	readable := s.docEvidence(r, dc)
	var parts []string
	for _, id := range ids {
		i := slices.IndexFunc(readable, func(e *trellis.Evidence) bool { return e.ID == id })
		if i < 0 {
			s.fail(w, r, trellis.Errorf(trellis.ENOTFOUND, "No such evidence entry."))
			return
		}
		parts = append(parts, trellis.EvidenceMarkdown(readable[i]))
	}
	_, cur, _ := dc.section(sid)
	text := strings.TrimRight(cur.Text, "\n")
	if text != "" {
		text += "\n\n"
	}
	text += strings.Join(parts, "\n")
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	s.saveSection(w, r, dc, sid, text, version, false, "inserted")
}
