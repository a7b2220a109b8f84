package web

import (
	"net/http"
	"strconv"

	"trellis"
)

// The history of a document: every saved revision, and a readable diff
// between any two, section by section.

type revisionRow struct {
	R       *trellis.DocumentRevision
	Author  string
	State   string
	A, B    bool // chosen as the old / new side of the diff
	Autosav bool
}

type diffSectionView struct {
	Title   string
	Lines   []trellis.DiffLine
	Changed bool
}

type docHistoryView struct {
	D        *trellis.Document
	P        *trellis.Person
	Rows     []revisionRow
	From, To int
	Diff     []diffSectionView
	Compared bool
	Same     bool
	Message  string
}

func (s *Server) historyPage(w http.ResponseWriter, r *http.Request) {
	dc, err := s.loadDocument(r, trellis.ActionRead)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	revs, err := s.documents.Revisions(ctx, dc.D.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	v := docHistoryView{D: dc.D, P: dc.P}
	from, _ := strconv.Atoi(q.Get("from"))
	to, _ := strconv.Atoi(q.Get("to"))
	if len(revs) >= 2 && q.Get("from") == "" && q.Get("to") == "" {
		from, to = revs[len(revs)-2].Revision, revs[len(revs)-1].Revision
		if revs[0].Revision > revs[len(revs)-1].Revision { // newest first
			from, to = revs[1].Revision, revs[0].Revision
		}
	}
	v.From, v.To = from, to
	var a, b *trellis.DocumentRevision
	n := s.nameCache()
	for _, rev := range revs {
		row := revisionRow{R: rev, State: stateLabel(rev.State), A: rev.Revision == from, B: rev.Revision == to, Autosav: rev.Note == "autosave"}
		if rev.AuthorID != nil {
			row.Author = n.of(ctx, *rev.AuthorID)
		}
		v.Rows = append(v.Rows, row)
		if rev.Revision == from {
			a = rev
		}
		if rev.Revision == to {
			b = rev
		}
	}
	if q.Get("from") != "" || q.Get("to") != "" {
		if a == nil || b == nil {
			v.Message = "Choose two revisions of this document to compare."
			s.render(w, r, http.StatusBadRequest, "document_history", layoutPage("History · "+dc.D.Title, "documents", v))
			return
		}
	}
	if a != nil && b != nil {
		v.Compared = true
		v.Same = true
		for _, sec := range mergedSections(dc, a, b) {
			lines := trellis.DiffText(sectionText(a.Sections, sec), sectionText(b.Sections, sec))
			dv := diffSectionView{Title: dc.sectionTitle(sec), Lines: lines}
			for _, l := range lines {
				if l.Op != "=" {
					dv.Changed = true
				}
			}
			if dv.Changed {
				v.Same = false
			}
			v.Diff = append(v.Diff, dv)
		}
	}
	s.render(w, r, http.StatusOK, "document_history", layoutPage("History · "+dc.D.Title, "documents", v))
}

func sectionText(list []trellis.DocumentSection, id string) string {
	for _, s := range list {
		if s.ID == id {
			return s.Text
		}
	}
	return ""
}

// mergedSections lists the section ids of the template, then any others
// either revision has.
func mergedSections(dc *docCtx, a, b *trellis.DocumentRevision) []string {
	var out []string
	seen := map[string]bool{}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, s := range dc.Tpl.Sections {
		add(s.ID)
	}
	for _, s := range a.Sections {
		add(s.ID)
	}
	for _, s := range b.Sections {
		add(s.ID)
	}
	return out
}
