package svg

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// OrgPerson is one person as the org chart draws them.
type OrgPerson struct {
	ID        int64
	Name      string
	Role      string // the role's display name
	ManagerID int64  // 0 for nobody (or nobody drawn)
	Href      string // the profile link; "" draws no link
}

// OrgNode is a person with their reports, for charts and nested lists.
type OrgNode struct {
	OrgPerson
	Manager string // the manager's name, "" at the top
	Depth   int    // 0 at the top of the drawn tree
	Reports []*OrgNode
}

// Size counts the node and everyone below it.
func (n *OrgNode) Size() int {
	s := 1
	for _, r := range n.Reports {
		s += r.Size()
	}
	return s
}

// OrgTree arranges people into reporting trees, reports ordered by name.
// The tops are the people whose manager is not among people. With root set
// (non-zero), only that person's subtree is returned; nil if they are not
// among people. A loop in the data (the store refuses them) is broken where
// it is found, so nobody is lost or drawn twice.
func OrgTree(people []OrgPerson, root int64) []*OrgNode {
	byID := make(map[int64]*OrgNode, len(people))
	for _, p := range people {
		if _, dup := byID[p.ID]; !dup {
			byID[p.ID] = &OrgNode{OrgPerson: p}
		}
	}
	ids := make([]int64, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	byName := func(a, b int64) int {
		na, nb := byID[a], byID[b]
		return cmp.Or(cmp.Compare(strings.ToLower(na.Name), strings.ToLower(nb.Name)), cmp.Compare(a, b))
	}
	slices.SortFunc(ids, byName)
	children := map[int64][]int64{}
	var tops []int64
	for _, id := range ids {
		n := byID[id]
		if m, ok := byID[n.ManagerID]; ok && n.ManagerID != id {
			children[m.ID] = append(children[m.ID], id)
			n.Manager = m.Name
		} else {
			tops = append(tops, id)
		}
	}
	placed := map[int64]bool{}
	var build func(id int64, depth int) *OrgNode
	build = func(id int64, depth int) *OrgNode {
		n := byID[id]
		placed[id] = true
		n.Depth = depth
		for _, c := range children[id] {
			if !placed[c] {
				n.Reports = append(n.Reports, build(c, depth+1))
			}
		}
		return n
	}
	var out []*OrgNode
	if root != 0 {
		if _, ok := byID[root]; !ok {
			return nil
		}
		return []*OrgNode{build(root, 0)}
	}
	for _, id := range tops {
		out = append(out, build(id, 0))
	}
	// People caught in a loop have no top; each loop starts a tree of its own.
	for _, id := range ids {
		if !placed[id] {
			byID[id].Manager = ""
			out = append(out, build(id, 0))
		}
	}
	return out
}

// OrgOptions tune the org chart.
type OrgOptions struct {
	// Title names what is drawn ("Acme", "Morgan Moss and their reports").
	Title string
	// Highlight marks one person (the viewer); 0 for nobody.
	Highlight int64
	// MaxStack is how many people without reports stack in one column under
	// their manager before a second column starts; 0 means 10.
	MaxStack int
	// IDPrefix keeps element ids unique when several charts share a page.
	IDPrefix string
}

// OrgChart is a laid-out org chart: managers above their reports, a tidy
// tree top-down. People without reports of their own stack in columns under
// their manager, so a team of ten is a column, not a row ten boxes wide,
// and an organisation of fifty fits a laptop screen.
type OrgChart struct {
	Title  string
	Width  float64
	Height float64
	Boxes  []OrgBox
	Links  []OrgLink
	Tops   int // people at the top of the drawn trees
	Levels int // depth of the deepest tree
	prefix string
}

// OrgBox is one person's box.
type OrgBox struct {
	OrgPerson
	Manager    string
	Highlight  bool
	X, Y, W, H float64 // top-left corner and size
}

// OrgLink is the reporting line from a manager's box to a report's box, an
// orthogonal polyline.
type OrgLink struct {
	From, To int64
	Points   [][2]float64
}

// Layout sizes.
const (
	orgBoxW     = 216.0
	orgBoxH     = 54.0
	orgGapX     = 28.0 // between neighbouring subtrees
	orgLevelGap = 48.0 // between a manager's box and the reports below
	orgStackGap = 12.0 // between stacked boxes
	orgIndent   = 22.0 // a stacked column's boxes sit right of its spine
	orgSpine    = 9.0  // spine x from the column's left edge
	orgPad      = 16.0
	orgTopGap   = 56.0 // between separate trees
)

// unit is one part of a manager's reports laid out side by side: a subtree
// of someone with reports, or a stacked block of people without.
type unit struct {
	tree  *OrgNode
	stack []*OrgNode
	cols  int
	rows  int
}

type orgLayout struct {
	maxStack int
	width    map[*OrgNode]float64
	units    map[*OrgNode][]unit
}

func (l *orgLayout) unitsOf(n *OrgNode) []unit {
	if u, ok := l.units[n]; ok {
		return u
	}
	var us []unit
	var leaves []*OrgNode
	for _, r := range n.Reports {
		if len(r.Reports) == 0 {
			leaves = append(leaves, r)
		}
	}
	if len(leaves) > 0 {
		cols := (len(leaves) + l.maxStack - 1) / l.maxStack
		rows := (len(leaves) + cols - 1) / cols
		us = append(us, unit{stack: leaves, cols: cols, rows: rows})
	}
	for _, r := range n.Reports {
		if len(r.Reports) > 0 {
			us = append(us, unit{tree: r})
		}
	}
	l.units[n] = us
	return us
}

func (l *orgLayout) unitWidth(u unit) float64 {
	if u.tree != nil {
		return l.treeWidth(u.tree)
	}
	return float64(u.cols)*(orgIndent+orgBoxW) + float64(u.cols-1)*orgGapX
}

func (l *orgLayout) unitsWidth(n *OrgNode) float64 {
	us := l.unitsOf(n)
	w := 0.0
	for i, u := range us {
		if i > 0 {
			w += orgGapX
		}
		w += l.unitWidth(u)
	}
	return w
}

func (l *orgLayout) treeWidth(n *OrgNode) float64 {
	if w, ok := l.width[n]; ok {
		return w
	}
	w := max(orgBoxW, l.unitsWidth(n))
	l.width[n] = w
	return w
}

// OrgChartOf lays out the trees of OrgTree.
func OrgChartOf(trees []*OrgNode, opt OrgOptions) *OrgChart {
	c := &OrgChart{Title: opt.Title, prefix: opt.IDPrefix, Tops: len(trees)}
	l := &orgLayout{maxStack: cmp.Or(opt.MaxStack, 10), width: map[*OrgNode]float64{}, units: map[*OrgNode][]unit{}}
	if l.maxStack < 1 {
		l.maxStack = 1
	}
	bottom := orgPad
	var place func(n *OrgNode, x0, y float64, level int)
	box := func(n *OrgNode, x, y float64) {
		c.Boxes = append(c.Boxes, OrgBox{OrgPerson: n.OrgPerson, Manager: n.Manager, Highlight: opt.Highlight != 0 && n.ID == opt.Highlight,
			X: round(x), Y: round(y), W: orgBoxW, H: orgBoxH})
		bottom = max(bottom, y+orgBoxH)
	}
	place = func(n *OrgNode, x0, y float64, level int) {
		c.Levels = max(c.Levels, level)
		w := l.treeWidth(n)
		uw := l.unitsWidth(n)
		cx := x0 + w/2
		box(n, cx-orgBoxW/2, y)
		us := l.unitsOf(n)
		if len(us) == 0 {
			return
		}
		top := y + orgBoxH          // bottom of the manager's box
		bus := top + orgLevelGap/2  // the horizontal line reports hang from
		childY := top + orgLevelGap // top of the reports' boxes
		ux := x0 + (w-uw)/2
		for _, u := range us {
			if u.tree != nil {
				tw := l.treeWidth(u.tree)
				ccx := ux + tw/2
				c.Links = append(c.Links, OrgLink{From: n.ID, To: u.tree.ID, Points: [][2]float64{
					{cx, top}, {cx, bus}, {ccx, bus}, {ccx, childY}}})
				place(u.tree, ux, childY, level+1)
				ux += tw + orgGapX
				continue
			}
			for i, r := range u.stack {
				col, row := i/u.rows, i%u.rows
				colX := ux + float64(col)*(orgIndent+orgBoxW+orgGapX)
				bx, by := colX+orgIndent, childY+float64(row)*(orgBoxH+orgStackGap)
				spine := colX + orgSpine
				c.Links = append(c.Links, OrgLink{From: n.ID, To: r.ID, Points: [][2]float64{
					{cx, top}, {cx, bus}, {spine, bus}, {spine, by + orgBoxH/2}, {bx, by + orgBoxH/2}}})
				box(r, bx, by)
				c.Levels = max(c.Levels, level+1)
			}
			ux += l.unitWidth(u) + orgGapX
		}
	}
	x := orgPad
	for i, t := range trees {
		if i > 0 {
			x += orgTopGap
		}
		place(t, x, orgPad, 1)
		x += l.treeWidth(t)
	}
	for i := range c.Links {
		for j := range c.Links[i].Points {
			c.Links[i].Points[j] = [2]float64{round(c.Links[i].Points[j][0]), round(c.Links[i].Points[j][1])}
		}
	}
	c.Width = round(max(x+orgPad, orgBoxW+2*orgPad))
	c.Height = round(bottom + orgPad)
	if len(trees) == 0 {
		c.Height = orgBoxH + 2*orgPad
	}
	return c
}

// Description summarises the chart for its <desc> and for screen readers.
func (c *OrgChart) Description() string {
	n := len(c.Boxes)
	people := "people"
	if n == 1 {
		people = "person"
	}
	switch {
	case n == 0:
		return "Nobody to show."
	case c.Tops == 1:
		return fmt.Sprintf("Org chart of %s: %d %s in %d levels, %s at the top.", c.Title, n, people, c.Levels, c.Boxes[0].Name)
	}
	return fmt.Sprintf("Org chart of %s: %d %s in %d reporting trees, at most %d levels deep.", c.Title, n, people, c.Tops, c.Levels)
}

// SVG renders the chart as an <svg> element, valid inline in HTML and as an
// image/svg+xml file.
func (c *OrgChart) SVG() []byte {
	w := &writer{}
	p := esc(c.prefix)
	w.f(`<svg xmlns="http://www.w3.org/2000/svg" class="chart orgchart" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-labelledby="%sorg-title %sorg-desc" font-family="%s">`,
		num(c.Width), num(c.Height), num(c.Width), num(c.Height), p, p, esc(FontFamily))
	w.f(`<title id="%sorg-title">%s</title>`, p, esc("Org chart: "+c.Title))
	w.f(`<desc id="%sorg-desc">%s</desc>`, p, esc(c.Description()))
	w.f(`<rect x="0" y="0" width="%s" height="%s" fill="#ffffff"/>`, num(c.Width), num(c.Height))

	w.f(`<g class="links" fill="none" stroke="#94a3b8" stroke-width="1.5">`)
	for _, l := range c.Links {
		var d strings.Builder
		for i, pt := range l.Points {
			if i == 0 {
				d.WriteString("M")
			} else {
				d.WriteString(" L")
			}
			d.WriteString(num(pt[0]) + "," + num(pt[1]))
		}
		w.f(`<path class="link" data-from="%d" data-to="%d" d="%s"/>`, l.From, l.To, d.String())
	}
	w.f(`</g>`)

	w.f(`<g class="people">`)
	for _, b := range c.Boxes {
		if b.Href != "" {
			w.f(`<a href="%s" class="person-link">`, esc(b.Href))
		}
		cls := "person"
		fill, stroke, sw, band := "#ffffff", "#475569", "1.5", "#0f766e"
		if b.Highlight {
			cls += " person-current"
			fill, stroke, sw, band = "#fef3c7", "#92400e", "3", "#92400e"
		}
		w.f(`<g class="%s" data-person="%d">`, cls, b.ID)
		w.f(`<title>%s</title>`, esc(boxTitle(b)))
		w.f(`<rect x="%s" y="%s" width="%s" height="%s" rx="8" fill="%s" stroke="%s" stroke-width="%s"/>`,
			num(b.X), num(b.Y), num(b.W), num(b.H), fill, stroke, sw)
		w.f(`<rect x="%s" y="%s" width="5" height="%s" rx="2" fill="%s"/>`, num(b.X+1.5), num(b.Y+8), num(b.H-16), band)
		w.f(`<text x="%s" y="%s" font-size="13.5" font-weight="600" fill="#0f172a">%s</text>`,
			num(b.X+14), num(b.Y+22), esc(truncate(b.Name, 24)))
		if b.Role != "" {
			w.f(`<text x="%s" y="%s" font-size="12" fill="#334155">%s</text>`,
				num(b.X+14), num(b.Y+41), esc(truncate(b.Role, 28)))
		}
		w.f(`</g>`)
		if b.Href != "" {
			w.f(`</a>`)
		}
	}
	w.f(`</g>`)
	w.f(`</svg>`)
	return w.Bytes()
}

func boxTitle(b OrgBox) string {
	t := b.Name
	if b.Role != "" {
		t += ", " + b.Role
	}
	if b.Manager != "" {
		t += ", reports to " + b.Manager
	}
	return t
}
