package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"trellis"
)

// The library: completed documents their owners agreed to share and
// in-progress documents open to the organisation, searched with ranked
// results and highlighted snippets, filtered by target role, competency
// and cycle.

type libraryRow struct {
	D         *trellis.Document
	Candidate string
	Role      string
	Snippet   template.HTML
	State     string
}

type libraryView struct {
	Q, Role, Competency, Cycle string
	Roles, Competencies        []choice
	Cycles                     []choice
	Rows                       []libraryRow
	Filtered                   bool
	Next                       string
}

// libraryFilter reads the library's query parameters.
func libraryFilter(q url.Values) (trellis.LibraryFilter, error) {
	f := trellis.LibraryFilter{Query: strings.TrimSpace(q.Get("q")), TargetRole: strings.TrimSpace(q.Get("role")),
		Competency: strings.TrimSpace(q.Get("competency")), Cursor: q.Get("cursor")}
	if c := strings.TrimSpace(q.Get("cycle")); c != "" {
		id, err := strconv.ParseInt(c, 10, 64)
		if err != nil || id <= 0 {
			return f, &trellis.Error{Code: trellis.EINVALID, Message: "cycle must be a cycle's id.",
				Details: []trellis.FieldError{{Field: "cycle", Message: "not a cycle id"}}}
		}
		f.CycleID = &id
	}
	return f, nil
}

// libraryHits keeps the hits the viewer may see: listed documents are
// shared by consent; anything else must be readable by the viewer.
func (s *Server) libraryHits(r *http.Request, hits []trellis.LibraryHit) []trellis.LibraryHit {
	var out []trellis.LibraryHit
	for _, h := range hits {
		if h.Document == nil {
			continue
		}
		if h.Document.State != trellis.DocInLibrary {
			t, _, err := s.personTarget(r.Context(), trellis.KindDocument, h.Document.PersonID)
			if err != nil || !s.can(r, trellis.ActionRead, docTarget(t, h.Document)) {
				continue
			}
		}
		out = append(out, h)
	}
	return out
}

func (s *Server) libraryPage(w http.ResponseWriter, r *http.Request) {
	if err := s.needDocuments(); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	f, err := libraryFilter(q)
	if err != nil {
		s.fail(w, r, withHint(err, "Start again", []link{{"The library", "/library"}}))
		return
	}
	f.Limit = 20
	v := libraryView{Q: f.Query, Role: f.TargetRole, Competency: f.Competency, Cycle: q.Get("cycle")}
	v.Filtered = v.Q != "" || v.Role != "" || v.Competency != "" || v.Cycle != ""
	if fw, _, err := s.growthFramework(ctx, s.actor(r).Person); err == nil {
		for _, role := range fw.Roles {
			v.Roles = append(v.Roles, choice{ID: role.ID, Name: role.Name, Checked: role.ID == f.TargetRole})
		}
		for _, c := range fw.Competencies {
			v.Competencies = append(v.Competencies, choice{ID: c.ID, Name: c.Name, Checked: c.ID == f.Competency})
		}
	}
	if s.cycles != nil {
		v.Cycles = s.cycleChoices(ctx, f.CycleID)
	}
	page, err := s.documents.SearchLibrary(ctx, f)
	if err != nil {
		s.fail(w, r, cursorError(err, f.Cursor))
		return
	}
	n := s.nameCache()
	for _, h := range s.libraryHits(r, page.Items) {
		row := libraryRow{D: h.Document, Candidate: n.of(ctx, h.Document.PersonID),
			Role: s.roleNameIn(ctx, h.Document.FrameworkID, h.Document.FrameworkVersion, h.Document.TargetRole), State: stateLabel(h.Document.State)}
		if h.Snippet != "" {
			row.Snippet = markOnly(h.Snippet)
		}
		v.Rows = append(v.Rows, row)
	}
	if page.NextCursor != "" {
		nq := url.Values{}
		for k, val := range map[string]string{"q": v.Q, "role": v.Role, "competency": v.Competency, "cycle": v.Cycle, "cursor": page.NextCursor} {
			if val != "" {
				nq.Set(k, val)
			}
		}
		v.Next = "/library?" + nq.Encode()
	}
	s.render(w, r, http.StatusOK, "library", layoutPage("Library", "library", v))
}

// apiLibraryHit is a hit as the API shows it.
type apiLibraryHit struct {
	Document *trellis.Document `json:"document"`
	Snippet  string            `json:"snippet"`
	Rank     float64           `json:"rank"`
}

func (s *Server) apiLibrary(w http.ResponseWriter, r *http.Request) {
	if err := s.needDocuments(); err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f, err := libraryFilter(q)
	var problems []trellis.FieldError
	if err != nil {
		problems = append(problems, trellis.ErrorDetails(err)...)
	}
	limit, err := apiLimit(q)
	if err != nil {
		problems = append(problems, trellis.ErrorDetails(err)...)
	}
	if err := problemsError(problems); err != nil {
		s.fail(w, r, err)
		return
	}
	f.Limit = limit
	page, err := s.documents.SearchLibrary(r.Context(), f)
	if err != nil {
		s.fail(w, r, cursorError(err, f.Cursor))
		return
	}
	out := listPage[apiLibraryHit]{Items: []apiLibraryHit{}, NextCursor: page.NextCursor}
	for _, h := range s.libraryHits(r, page.Items) {
		out.Items = append(out.Items, apiLibraryHit{Document: h.Document, Snippet: string(markOnly(h.Snippet)), Rank: h.Rank})
	}
	writeJSON(w, http.StatusOK, out)
}
