package web

import (
	"cmp"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"trellis"
	"trellis/framework"
	"trellis/web/svg"
)

// home sends people to the list of frameworks.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/frameworks", http.StatusFound)
}

// frameworkHome sends a framework's bare URL to its matrix.
func (s *Server) frameworkHome(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, frameworkURL(r.PathValue("id"), "matrix", r.URL.Query().Get("version")), http.StatusFound)
}

// defaultFramework redirects the navigation's Matrix and Career graph links to
// the first framework, or to the list when there is none.
func (s *Server) defaultFramework(page string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		versions, err := s.frameworks.ListFrameworks(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, v := range versions {
			if v.Active {
				http.Redirect(w, r, frameworkURL(v.ID, page, ""), http.StatusFound)
				return
			}
		}
		http.Redirect(w, r, "/frameworks", http.StatusFound)
	}
}

// frameworkGroup is one framework id with its stored versions.
type frameworkGroup struct {
	ID       string
	Name     string
	Active   *trellis.FrameworkVersion
	Versions []trellis.FrameworkVersion
}

func groupVersions(versions []trellis.FrameworkVersion) []frameworkGroup {
	var groups []frameworkGroup
	for _, v := range versions {
		if len(groups) == 0 || groups[len(groups)-1].ID != v.ID {
			groups = append(groups, frameworkGroup{ID: v.ID, Name: v.Name})
		}
		g := &groups[len(groups)-1]
		g.Versions = append(g.Versions, v)
	}
	for i := range groups {
		g := &groups[i]
		for j := range g.Versions {
			if g.Versions[j].Active {
				g.Active = &g.Versions[j]
				g.Name = g.Versions[j].Name
			}
		}
	}
	return groups
}

type frameworksView struct {
	Groups []frameworkGroup
	Notice string
}

func (s *Server) frameworksPage(w http.ResponseWriter, r *http.Request) {
	versions, err := s.frameworks.ListFrameworks(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := frameworksView{Groups: groupVersions(versions)}
	q := r.URL.Query()
	switch {
	case q.Get("imported") != "" && q.Get("created") == "0":
		v.Notice = fmt.Sprintf("%s was already stored with the same content; nothing changed.", q.Get("imported"))
	case q.Get("imported") != "":
		v.Notice = fmt.Sprintf("Imported %s.", q.Get("imported"))
		if q.Get("activated") == "1" {
			v.Notice += " It is now the active version."
		}
	case q.Get("activated") != "":
		v.Notice = fmt.Sprintf("%s is now the active version.", q.Get("activated"))
	}
	fwID := ""
	if len(v.Groups) > 0 {
		fwID = v.Groups[0].ID
	}
	s.render(w, r, http.StatusOK, "frameworks", page{Title: "Frameworks", Nav: "frameworks", FrameworkID: fwID, Data: v})
}

// loadFramework finds the framework a page is about: the {id} wildcard and
// the optional ?version=. Not found errors carry links to what exists.
func (s *Server) loadFramework(r *http.Request) (*trellis.Framework, trellis.FrameworkVersion, error) {
	ref := trellis.Ref{ID: r.PathValue("id"), Version: r.URL.Query().Get("version")}
	fw, ver, err := s.frameworks.FindFramework(r.Context(), ref)
	if err == nil {
		return fw, ver, nil
	}
	if trellis.ErrorCode(err) != trellis.ENOTFOUND {
		return nil, ver, err
	}
	versions, lerr := s.frameworks.ListFrameworks(r.Context())
	if lerr != nil {
		return nil, ver, err
	}
	var known, others []link
	for _, g := range groupVersions(versions) {
		if g.ID == ref.ID {
			for _, v := range g.Versions {
				label := v.Version
				if v.Active {
					label += " (active)"
				}
				known = append(known, link{label, frameworkURL(g.ID, "matrix", v.Version)})
			}
		}
		others = append(others, link{g.Name + " (" + g.ID + ")", frameworkURL(g.ID, "matrix", "")})
	}
	if len(known) > 0 {
		return nil, ver, withHint(err, "Versions of "+ref.ID, known)
	}
	return nil, ver, withHint(err, "Frameworks", others)
}

// sortedRoles orders roles by track (framework order), then grade (roles
// without one last), then framework order.
func sortedRoles(fw *trellis.Framework) []trellis.Role {
	trackIdx := func(id string) int {
		i := slices.IndexFunc(fw.Tracks, func(t trellis.Track) bool { return t.ID == id })
		if i < 0 {
			return len(fw.Tracks)
		}
		return i
	}
	roles := slices.Clone(fw.Roles)
	slices.SortStableFunc(roles, func(a, b trellis.Role) int {
		if c := cmp.Compare(trackIdx(a.Track), trackIdx(b.Track)); c != 0 {
			return c
		}
		switch {
		case a.Grade == nil && b.Grade == nil:
			return 0
		case a.Grade == nil:
			return 1
		case b.Grade == nil:
			return -1
		}
		return cmp.Compare(*a.Grade, *b.Grade)
	})
	return roles
}

func trackName(fw *trellis.Framework, id string) string {
	if t, ok := fw.Track(id); ok {
		return t.Name
	}
	return id
}

// levelName names an expectation's level from its competency's scale.
func levelName(fw *trellis.Framework, e *trellis.Expectation) string {
	if e == nil || e.Level == nil {
		return ""
	}
	if c, ok := fw.Competency(e.Competency); ok {
		for _, l := range c.Levels {
			if l.Level == *e.Level {
				return fmt.Sprintf("Level %d · %s", l.Level, l.Name)
			}
		}
	}
	return fmt.Sprintf("Level %d", *e.Level)
}

// frameworkHeader is the part of every framework page above its content.
type frameworkHeader struct {
	FW       *trellis.Framework
	Ver      trellis.FrameworkVersion
	Pinned   string // the ?version= the page was asked for, kept in links
	Versions []trellis.FrameworkVersion
}

// Header returns the header itself, for templates (the embedding field is
// not exported).
func (h frameworkHeader) Header() frameworkHeader { return h }

func (s *Server) header(r *http.Request, fw *trellis.Framework, ver trellis.FrameworkVersion) (frameworkHeader, error) {
	h := frameworkHeader{FW: fw, Ver: ver, Pinned: r.URL.Query().Get("version")}
	all, err := s.frameworks.ListFrameworks(r.Context())
	if err != nil {
		return h, err
	}
	for _, v := range all {
		if v.ID == fw.ID {
			h.Versions = append(h.Versions, v)
		}
	}
	return h, nil
}

type matrixCell struct {
	Role  trellis.Role
	Exp   *trellis.Expectation
	Level string
}

type matrixRow struct {
	Comp  trellis.Competency
	Cells []matrixCell
}

type matrixGroup struct {
	Area trellis.Area
	Rows []matrixRow
}

type matrixView struct {
	frameworkHeader
	Track  string
	Area   string
	Roles  []trellis.Role
	Groups []matrixGroup
	Cols   int
}

func (s *Server) matrixPage(w http.ResponseWriter, r *http.Request) {
	fw, ver, err := s.loadFramework(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h, err := s.header(r, fw, ver)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := matrixView{frameworkHeader: h, Track: r.URL.Query().Get("track"), Area: r.URL.Query().Get("area")}
	if v.Track != "" {
		if _, ok := fw.Track(v.Track); !ok {
			var links []link
			for _, t := range fw.Tracks {
				links = append(links, link{t.Name, frameworkURL(fw.ID, "matrix", h.Pinned) + sep(h.Pinned) + "track=" + url.QueryEscape(t.ID)})
			}
			s.fail(w, r, withHint(trellis.Errorf(trellis.EINVALID, "The framework has no track %q.", v.Track), "Tracks", links))
			return
		}
	}
	if v.Area != "" {
		if _, ok := fw.Area(v.Area); !ok {
			var links []link
			for _, a := range fw.Areas {
				links = append(links, link{a.Name, frameworkURL(fw.ID, "matrix", h.Pinned) + sep(h.Pinned) + "area=" + url.QueryEscape(a.ID)})
			}
			s.fail(w, r, withHint(trellis.Errorf(trellis.EINVALID, "The framework has no area %q.", v.Area), "Areas", links))
			return
		}
	}
	for _, role := range sortedRoles(fw) {
		if v.Track == "" || role.Track == v.Track {
			v.Roles = append(v.Roles, role)
		}
	}
	for _, a := range fw.Areas {
		if v.Area != "" && a.ID != v.Area {
			continue
		}
		g := matrixGroup{Area: a}
		for _, c := range fw.CompetenciesIn(a.ID) {
			row := matrixRow{Comp: c}
			for _, role := range v.Roles {
				e, _ := role.Expectation(c.ID)
				row.Cells = append(row.Cells, matrixCell{Role: role, Exp: e, Level: levelName(fw, e)})
			}
			g.Rows = append(g.Rows, row)
		}
		if len(g.Rows) > 0 {
			v.Groups = append(v.Groups, g)
		}
	}
	v.Cols = len(v.Roles) + 1
	s.render(w, r, http.StatusOK, "matrix", page{Title: "Matrix · " + fw.Name, Nav: "matrix", FrameworkID: fw.ID, Data: v})
}

func sep(pinned string) string {
	if pinned == "" {
		return "?"
	}
	return "&"
}

type move struct {
	Role  trellis.Role
	Kind  string
	Note  string
	Track string
}

type roleExpectation struct {
	Comp  trellis.Competency
	Exp   trellis.Expectation
	Level string
}

type roleArea struct {
	Area  trellis.Area
	Items []roleExpectation
}

type namedConsideration struct {
	Text         string
	Competencies []string
}

type roleView struct {
	frameworkHeader
	Role                  *trellis.Role
	TrackName             string
	Areas                 []roleArea
	Considerations        []namedConsideration
	GeneralConsiderations []namedConsideration
	Resources             []trellis.Resource
	GeneralResources      []trellis.Resource
	Next                  []move
	Prev                  []move
	Graph                 template.HTML
	Template              *trellis.Template
	AMAs                  string // the role's ask-me-anything sessions, when the server has them
}

func (s *Server) rolePage(w http.ResponseWriter, r *http.Request) {
	fw, ver, err := s.loadFramework(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h, err := s.header(r, fw, ver)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	role, ok := fw.Role(r.PathValue("role"))
	if !ok {
		var links []link
		var ids []string
		for _, o := range sortedRoles(fw) {
			links = append(links, link{o.Name, withVersion("/frameworks/"+url.PathEscape(fw.ID)+"/roles/"+url.PathEscape(o.ID), h.Pinned)})
			ids = append(ids, o.ID)
		}
		msg := fmt.Sprintf("%s has no role %q.", fw.Name, r.PathValue("role"))
		if sug := trellis.Suggest(r.PathValue("role"), ids); sug != "" {
			msg += fmt.Sprintf(" Did you mean %q?", sug)
		}
		s.fail(w, r, withHint(trellis.Errorf(trellis.ENOTFOUND, "%s", msg), "Roles in "+fw.Name, links))
		return
	}
	v := roleView{frameworkHeader: h, Role: role, TrackName: trackName(fw, role.Track)}
	for _, a := range fw.Areas {
		ra := roleArea{Area: a}
		for _, c := range fw.CompetenciesIn(a.ID) {
			if e, ok := role.Expectation(c.ID); ok {
				ra.Items = append(ra.Items, roleExpectation{Comp: c, Exp: *e, Level: levelName(fw, e)})
			}
		}
		if len(ra.Items) > 0 {
			v.Areas = append(v.Areas, ra)
		}
	}
	name := func(cs []trellis.Consideration) []namedConsideration {
		var out []namedConsideration
		for _, c := range cs {
			nc := namedConsideration{Text: c.Text}
			for _, id := range c.Competencies {
				if comp, ok := fw.Competency(id); ok {
					nc.Competencies = append(nc.Competencies, comp.Name)
				} else {
					nc.Competencies = append(nc.Competencies, id)
				}
			}
			out = append(out, nc)
		}
		return out
	}
	v.Considerations = name(role.Considerations)
	v.GeneralConsiderations = name(fw.Considerations)
	for _, id := range role.Resources {
		if res, ok := fw.Resource(id); ok {
			v.Resources = append(v.Resources, *res)
		}
	}
	v.GeneralResources = fw.GeneralResources()
	v.Resources = append(v.Resources, s.amaResources(r.Context(), fw.ID, role.ID)...)
	if s.chats != nil {
		v.AMAs = amasURL(fw.ID, role.ID)
	}
	for _, t := range fw.From(role.ID) {
		if o, ok := fw.Role(t.To); ok {
			v.Next = append(v.Next, move{Role: *o, Kind: t.Kind, Note: t.Note, Track: trackName(fw, o.Track)})
		}
	}
	for _, t := range fw.To(role.ID) {
		if o, ok := fw.Role(t.From); ok {
			v.Prev = append(v.Prev, move{Role: *o, Kind: t.Kind, Note: t.Note, Track: trackName(fw, o.Track)})
		}
	}
	if len(v.Next)+len(v.Prev) > 0 {
		g := svg.CareerGraph(fw, svg.GraphOptions{Focus: role.ID, Highlight: role.ID, IDPrefix: "nb-",
			RoleURL: func(id string) string {
				return withVersion("/frameworks/"+url.PathEscape(fw.ID)+"/roles/"+url.PathEscape(id), h.Pinned)
			}})
		// The SVG escapes every text it draws.
		v.Graph = template.HTML(g.SVG())
	}
	v.Template, _ = fw.TemplateFor(role.ID)
	s.render(w, r, http.StatusOK, "role", page{Title: role.Name + " · " + fw.Name, Nav: "matrix", FrameworkID: fw.ID, Data: v})
}

type graphView struct {
	frameworkHeader
	Graph template.HTML
	Moves []graphMove
}

type graphMove struct {
	From, To trellis.Role
	Kind     string
	Note     string
}

func (s *Server) careerGraph(fw *trellis.Framework, pinned string) *svg.Graph {
	return svg.CareerGraph(fw, svg.GraphOptions{RoleURL: func(id string) string {
		return withVersion("/frameworks/"+url.PathEscape(fw.ID)+"/roles/"+url.PathEscape(id), pinned)
	}})
}

func (s *Server) graphPage(w http.ResponseWriter, r *http.Request) {
	fw, ver, err := s.loadFramework(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h, err := s.header(r, fw, ver)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := graphView{frameworkHeader: h, Graph: template.HTML(s.careerGraph(fw, h.Pinned).SVG())}
	for _, t := range fw.Transitions {
		a, okA := fw.Role(t.From)
		b, okB := fw.Role(t.To)
		if okA && okB {
			v.Moves = append(v.Moves, graphMove{From: *a, To: *b, Kind: t.Kind, Note: t.Note})
		}
	}
	s.render(w, r, http.StatusOK, "graph", page{Title: "Career graph · " + fw.Name, Nav: "graph", FrameworkID: fw.ID, Data: v})
}

func (s *Server) graphSVG(w http.ResponseWriter, r *http.Request) {
	fw, _, err := s.loadFramework(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b := s.careerGraph(fw, r.URL.Query().Get("version")).SVG()
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n"))
	w.Write(b)
}

// export downloads a framework version as a native YAML file.
func (s *Server) export(w http.ResponseWriter, r *http.Request) {
	fw, ver, err := s.loadFramework(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b, err := framework.Export(fw)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r.Context(), r, &trellis.AuditEvent{Action: trellis.AuditExport, TargetType: trellis.AuditTargetFramework,
		TargetID: trellis.Ref{ID: fw.ID, Version: ver.Version}.String(), After: map[string]any{"format": "yaml"}})
	filename := trellis.Slug(fw.ID) + "-" + trellis.Slug(ver.Version) + ".yaml"
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, filename))
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(b)
}

// activate makes a stored version the active one.
func (s *Server) activate(w http.ResponseWriter, r *http.Request) {
	id, version := r.PathValue("id"), r.PathValue("version")
	if err := s.frameworks.ActivateFramework(r.Context(), id, version); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/frameworks?activated="+url.QueryEscape(trellis.Ref{ID: id, Version: version}.String()), http.StatusSeeOther)
}

// Import.

type importView struct {
	Format   string
	Text     string
	ID       string
	Name     string
	Version  string
	Activate bool
	File     string // name of the file that failed
	Message  string
	Errors   []framework.Error
}

var importFormats = []string{"", framework.FormatNative, framework.FormatMarkdown, framework.FormatCSV}

func (s *Server) importForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "import", page{Title: "Import a framework", Nav: "import", Data: importView{}})
}

func (s *Server) importSubmit(w http.ResponseWriter, r *http.Request) {
	v := importView{}
	fail := func(status int, err error) {
		var fe *framework.Errors
		if errors.As(err, &fe) {
			v.Errors = fe.List
		}
		err = domainError(err)
		v.Message = trellis.ErrorMessage(err)
		if trellis.ErrorCode(err) == trellis.EINTERNAL {
			s.logger.ErrorContext(r.Context(), "import failed", "err", err)
		}
		if status == 0 {
			status = ErrorStatus(err)
		}
		s.render(w, r, status, "import", page{Title: "Import a framework", Nav: "import", Data: v})
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		err = domainError(err)
		if trellis.ErrorCode(err) != trellis.EINVALID {
			err = trellis.Errorf(trellis.EINVALID, "The form could not be read; please send it again.")
		}
		fail(0, err)
		return
	}
	v.Format = r.FormValue("format")
	v.Text = r.FormValue("text")
	v.ID = strings.TrimSpace(r.FormValue("id"))
	v.Name = strings.TrimSpace(r.FormValue("name"))
	v.Version = strings.TrimSpace(r.FormValue("version"))
	v.Activate = r.FormValue("activate") != ""
	if !slices.Contains(importFormats, v.Format) {
		fail(0, trellis.Errorf(trellis.EINVALID, "Format %q is not known; choose native, markdown or csv.", v.Format))
		return
	}
	var data []byte
	name := "pasted text"
	if f, fh, err := r.FormFile("file"); err == nil {
		defer f.Close()
		data, err = io.ReadAll(f)
		if err != nil {
			fail(0, err)
			return
		}
		name = fh.Filename
	}
	if len(data) == 0 {
		// Pasted text has no extension to go by: the reader sniffs it.
		data = []byte(v.Text)
	}
	if strings.TrimSpace(string(data)) == "" {
		fail(0, trellis.Errorf(trellis.EINVALID, "Choose a file or paste the framework's text."))
		return
	}
	v.File = name
	fw, err := framework.Read(name, data, framework.ReadOptions{Format: v.Format, ID: v.ID, Name: v.Name, Version: v.Version})
	if err != nil {
		fail(0, err)
		return
	}
	res, err := s.frameworks.ImportFramework(r.Context(), fw, v.Activate)
	if err != nil {
		fail(0, err)
		return
	}
	q := url.Values{"imported": {trellis.Ref{ID: res.Version.ID, Version: res.Version.Version}.String()}}
	if !res.Created {
		q.Set("created", "0")
	}
	if res.Activated {
		q.Set("activated", "1")
	}
	http.Redirect(w, r, "/frameworks?"+q.Encode(), http.StatusSeeOther)
}
