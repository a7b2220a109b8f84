package web

import (
	"html/template"
	"net/http"
	"slices"
	"strconv"

	"trellis"
	"trellis/web/svg"
)

type orgView struct {
	Root  *trellis.Person
	SVG   template.HTML
	Trees []*svg.OrgNode
	Count int
}

// orgPage draws the org chart of everyone active, or of one person and
// everyone below them (?root=ID), as SVG and as a nested list.
func (s *Server) orgPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var root int64
	if q := r.URL.Query().Get("root"); q != "" {
		id, err := strconv.ParseInt(q, 10, 64)
		if err != nil || id <= 0 {
			s.fail(w, r, trellis.Errorf(trellis.EINVALID, "root must be a person's id, such as ?root=12."))
			return
		}
		root = id
	}
	roles, err := s.roles(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	people, err := s.allPeople(ctx, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := orgView{}
	in := make([]svg.OrgPerson, len(people))
	for i, p := range people {
		in[i] = svg.OrgPerson{ID: p.ID, Name: p.Name, Role: roles.of(p.RoleID).Name, Href: personURL(p.ID)}
		if p.ManagerID != nil {
			in[i].ManagerID = *p.ManagerID
		}
		if p.ID == root {
			v.Root = p
		}
	}
	title := "the organisation"
	if root != 0 {
		if v.Root == nil {
			s.fail(w, r, withHint(trellis.Errorf(trellis.ENOTFOUND, "Nobody active has the id %d.", root), "See", []link{{"The whole org chart", "/org"}}))
			return
		}
		title = v.Root.Name + " and their reports"
	}
	v.Trees = svg.OrgTree(in, root)
	for _, t := range v.Trees {
		v.Count += t.Size()
	}
	var highlight int64
	if me := s.actor(r).Person; me != nil {
		highlight = me.ID
	}
	opt := svg.OrgOptions{Title: title, Highlight: highlight}
	if len(v.Trees) == 1 && v.Trees[0].Size()-1 > 6 && !slices.ContainsFunc(v.Trees[0].Reports, func(n *svg.OrgNode) bool { return len(n.Reports) > 0 }) {
		// One team alone: two columns read better than one tall one.
		opt.MaxStack = (v.Trees[0].Size() - 1 + 1) / 2
	}
	chart := svg.OrgChartOf(v.Trees, opt)
	// The chart escapes every text it draws.
	v.SVG = template.HTML(chart.SVG())
	t := "Org chart"
	if v.Root != nil {
		t = "Org chart · " + v.Root.Name
	}
	s.render(w, r, http.StatusOK, "org", layoutPage(t, "org", v))
}
