package svg

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"trellis"
)

// Layout constants of the career graph, in SVG user units (CSS pixels).
const (
	nodeW     = 196.0
	nodeH     = 68.0
	slotW     = nodeW + 32 // horizontal room of one node in a track column
	rowH      = 112.0      // vertical distance between grades
	padLeft   = 84.0       // room for the grade labels
	padTop    = 52.0       // room for the track headings
	padRight  = 16.0
	padBottom = 24.0
	legendRow = 26.0
	legendW   = 168.0
	nameWidth = 23 // characters per line of a role name
)

// EdgeStyle is how one transition kind is drawn.
type EdgeStyle struct {
	Label  string // human name of the kind
	Stroke string // colour, at least 4.5:1 against white
	Dash   string // stroke-dasharray; "" is solid
	Width  float64
}

// EdgeStyles maps each transition kind to its look. Colours differ and so do
// dash patterns, so kinds stay apart in print and for colour-blind readers.
var EdgeStyles = map[string]EdgeStyle{
	trellis.KindMerit:        {Label: "Merit", Stroke: "#1d4ed8", Dash: "", Width: 2.5},
	trellis.KindBusinessNeed: {Label: "Business need", Stroke: "#b45309", Dash: "9 5", Width: 2.5},
	trellis.KindInterim:      {Label: "Interim", Stroke: "#7e22ce", Dash: "2 4", Width: 2.5},
	trellis.KindActing:       {Label: "Acting", Stroke: "#0f766e", Dash: "12 4 2 4", Width: 2},
	trellis.KindTransfer:     {Label: "Transfer", Stroke: "#be123c", Dash: "16 6", Width: 2},
	trellis.KindLateral:      {Label: "Lateral", Stroke: "#4b5563", Dash: "5 3", Width: 2},
}

// StyleOf returns the style of a kind; unknown kinds are drawn thin and grey.
func StyleOf(kind string) EdgeStyle {
	if s, ok := EdgeStyles[kind]; ok {
		return s
	}
	return EdgeStyle{Label: kind, Stroke: "#4b5563", Dash: "1 3", Width: 1.5}
}

// GraphOptions tune a career graph.
type GraphOptions struct {
	// RoleURL gives the link of a role's node; nil draws nodes without links.
	RoleURL func(roleID string) string
	// Focus, when set, draws only this role and the roles one move away.
	Focus string
	// Highlight marks one role (usually the one a page is about).
	Highlight string
	// IDPrefix keeps element ids unique when several charts share a page.
	IDPrefix string
}

// Graph is a laid-out career graph.
type Graph struct {
	Title   string
	Width   float64
	Height  float64
	Columns []Column
	Rows    []Row
	Nodes   []Node
	Edges   []Edge
	Kinds   []string // kinds present, in display order, for the legend
	LegendY float64
	prefix  string
}

// Column is one track.
type Column struct {
	Track string
	Name  string
	X     float64 // left edge
	W     float64
}

// Row is one grade; roles without a grade share the lowest row.
type Row struct {
	Label string
	Grade *int
	Y     float64 // top edge of the nodes in the row
}

// Node is a role's box.
type Node struct {
	ID          string
	Name        string
	Track       string
	Grade       *int
	Destination bool
	Highlight   bool
	Href        string
	X, Y, W, H  float64 // top-left corner and size
}

// Center returns the middle of the box.
func (n Node) Center() (float64, float64) { return n.X + n.W/2, n.Y + n.H/2 }

// Edge is a drawn transition: a straight line, or a quadratic curve through
// (CX, CY) when a straight line would cross another role's box.
type Edge struct {
	From, To   string
	FromName   string
	ToName     string
	Kind       string
	Note       string
	X1, Y1     float64
	X2, Y2     float64
	Curved     bool
	CX, CY     float64
	Style      EdgeStyle
	Bidirected bool // a move back exists too; the two are drawn apart
}

// CareerGraph lays out the roles of fw: one column per track (in framework
// order), roles placed by grade with higher grades higher up, transitions as
// arrows styled by kind.
func CareerGraph(fw *trellis.Framework, opt GraphOptions) *Graph {
	g := &Graph{Title: fw.Name, prefix: opt.IDPrefix}

	// Which roles to draw.
	include := map[string]bool{}
	if opt.Focus != "" {
		include[opt.Focus] = true
		for _, t := range fw.Transitions {
			if t.From == opt.Focus {
				include[t.To] = true
			}
			if t.To == opt.Focus {
				include[t.From] = true
			}
		}
	}
	var roles []trellis.Role
	for _, r := range fw.Roles {
		if opt.Focus == "" || include[r.ID] {
			roles = append(roles, r)
		}
	}

	// Rows: distinct grades, highest first; roles without grade at the bottom.
	var grades []int
	noGrade := false
	for _, r := range roles {
		if r.Grade == nil {
			noGrade = true
		} else if !slices.Contains(grades, *r.Grade) {
			grades = append(grades, *r.Grade)
		}
	}
	slices.Sort(grades)
	slices.Reverse(grades)
	rowOf := map[int]int{}
	for i, gr := range grades {
		gr := gr
		rowOf[gr] = i
		g.Rows = append(g.Rows, Row{Label: fmt.Sprintf("Grade %d", gr), Grade: &gr, Y: padTop + float64(i)*rowH})
	}
	if noGrade {
		g.Rows = append(g.Rows, Row{Label: "No grade", Y: padTop + float64(len(grades))*rowH})
	}
	row := func(r trellis.Role) int {
		if r.Grade == nil {
			return len(grades)
		}
		return rowOf[*r.Grade]
	}

	// Columns: tracks in framework order, as wide as their busiest grade;
	// tracks a framework does not declare (should validation be skipped)
	// follow in order of appearance.
	var trackIDs []string
	for _, t := range fw.Tracks {
		trackIDs = append(trackIDs, t.ID)
	}
	for _, r := range roles {
		if !slices.Contains(trackIDs, r.Track) {
			trackIDs = append(trackIDs, r.Track)
		}
	}
	type cell struct {
		track string
		row   int
	}
	groups := map[cell][]trellis.Role{}
	for _, r := range roles {
		c := cell{r.Track, row(r)}
		groups[c] = append(groups[c], r)
	}
	x := padLeft
	colOf := map[string]Column{}
	for _, id := range trackIDs {
		slots := 0
		for c, rs := range groups {
			if c.track == id {
				slots = max(slots, len(rs))
			}
		}
		if slots == 0 {
			continue
		}
		name := id
		if t, ok := fw.Track(id); ok {
			name = t.Name
		}
		col := Column{Track: id, Name: name, X: x, W: float64(slots) * slotW}
		g.Columns = append(g.Columns, col)
		colOf[id] = col
		x += col.W
	}

	// Nodes, centred as a group within their column.
	for _, r := range roles {
		c := cell{r.Track, row(r)}
		group := groups[c]
		i := slices.IndexFunc(group, func(o trellis.Role) bool { return o.ID == r.ID })
		col := colOf[r.Track]
		left := col.X + (col.W-float64(len(group))*slotW)/2
		n := Node{
			ID: r.ID, Name: r.Name, Track: r.Track, Grade: r.Grade, Destination: r.Destination,
			Highlight: r.ID == opt.Highlight,
			X:         left + float64(i)*slotW + (slotW-nodeW)/2,
			Y:         g.Rows[row(r)].Y,
			W:         nodeW, H: nodeH,
		}
		if opt.RoleURL != nil {
			n.Href = opt.RoleURL(r.ID)
		}
		g.Nodes = append(g.Nodes, n)
	}

	g.Width = max(x+padRight, padLeft+legendW*2)
	bottom := padTop
	if len(g.Rows) > 0 {
		bottom = g.Rows[len(g.Rows)-1].Y + nodeH
	}

	// Edges.
	nodeOf := map[string]Node{}
	for _, n := range g.Nodes {
		nodeOf[n.ID] = n
	}
	has := map[[2]string]bool{}
	for _, t := range fw.Transitions {
		has[[2]string{t.From, t.To}] = true
	}
	for _, t := range fw.Transitions {
		a, okA := nodeOf[t.From]
		b, okB := nodeOf[t.To]
		if !okA || !okB || t.From == t.To {
			continue
		}
		if opt.Focus != "" && t.From != opt.Focus && t.To != opt.Focus {
			continue
		}
		e := Edge{From: t.From, To: t.To, FromName: a.Name, ToName: b.Name, Kind: t.Kind, Note: t.Note,
			Style: StyleOf(t.Kind), Bidirected: has[[2]string{t.To, t.From}]}
		g.route(&e, a, b)
		g.Edges = append(g.Edges, e)
		if !slices.Contains(g.Kinds, t.Kind) {
			g.Kinds = append(g.Kinds, t.Kind)
		}
	}
	slices.SortStableFunc(g.Kinds, func(p, q string) int { return kindOrder(p) - kindOrder(q) })

	// Legend below the rows.
	g.LegendY = bottom + 36
	g.Height = g.LegendY + padBottom
	if len(g.Kinds) > 0 {
		perRow := max(1, int((g.Width-padLeft)/legendW))
		lines := (len(g.Kinds) + perRow - 1) / perRow
		g.Height = g.LegendY + float64(lines)*legendRow + padBottom
	}
	return g
}

func kindOrder(k string) int {
	if i := slices.Index(trellis.TransitionKinds, k); i >= 0 {
		return i
	}
	return len(trellis.TransitionKinds)
}

// route sets the geometry of e from node a to node b: straight when the line
// is clear of other boxes, otherwise bent around them.
func (g *Graph) route(e *Edge, a, b Node) {
	ax, ay := a.Center()
	bx, by := b.Center()
	dx, dy := bx-ax, by-ay
	length := math.Hypot(dx, dy)
	if length == 0 {
		return
	}
	// Unit normal; a move and its reverse get opposite normals, so offsetting
	// both along their own normal draws them side by side.
	nx, ny := -dy/length, dx/length
	off := 0.0
	if e.Bidirected {
		off = 6
	}
	ax, ay, bx, by = ax+nx*off, ay+ny*off, bx+nx*off, by+ny*off

	others := func(p, q float64) bool {
		for _, n := range g.Nodes {
			if n.ID == a.ID || n.ID == b.ID {
				continue
			}
			if p >= n.X-4 && p <= n.X+n.W+4 && q >= n.Y-4 && q <= n.Y+n.H+4 {
				return true
			}
		}
		return false
	}
	blocked := func(curve bool, cx, cy float64) bool {
		for i := 1; i < 40; i++ {
			t := float64(i) / 40
			var p, q float64
			if curve {
				p = (1-t)*(1-t)*ax + 2*(1-t)*t*cx + t*t*bx
				q = (1-t)*(1-t)*ay + 2*(1-t)*t*cy + t*t*by
			} else {
				p, q = ax+dx*t, ay+dy*t
			}
			if others(p, q) {
				return true
			}
		}
		return false
	}
	if !blocked(false, 0, 0) {
		e.X1, e.Y1 = exit(a, ax, ay, bx, by)
		e.X2, e.Y2 = exit(b, bx, by, ax, ay)
		return
	}
	mx, my := (ax+bx)/2, (ay+by)/2
	bends := []float64{0.35, -0.35, 0.6, -0.6, 0.9, -0.9}
	chosen := bends[0]
	for _, k := range bends {
		if !blocked(true, mx+nx*length*k, my+ny*length*k) {
			chosen = k
			break
		}
	}
	e.Curved = true
	e.CX, e.CY = mx+nx*length*chosen, my+ny*length*chosen
	e.X1, e.Y1 = exit(a, ax, ay, e.CX, e.CY)
	e.X2, e.Y2 = exit(b, bx, by, e.CX, e.CY)
}

// exit returns where the ray from (x, y) inside n towards (tx, ty) leaves n's
// box.
func exit(n Node, x, y, tx, ty float64) (float64, float64) {
	dx, dy := tx-x, ty-y
	cx, cy := n.Center()
	hw, hh := n.W/2, n.H/2
	t := math.Inf(1)
	if dx > 0 {
		t = min(t, (cx+hw-x)/dx)
	} else if dx < 0 {
		t = min(t, (cx-hw-x)/dx)
	}
	if dy > 0 {
		t = min(t, (cy+hh-y)/dy)
	} else if dy < 0 {
		t = min(t, (cy-hh-y)/dy)
	}
	if math.IsInf(t, 1) {
		return x, y
	}
	return x + dx*t, y + dy*t
}

// Description is a one-sentence summary for assistive technology.
func (g *Graph) Description() string {
	return fmt.Sprintf("Career graph of %s: %d roles in %d tracks, %d moves between them.",
		g.Title, len(g.Nodes), len(g.Columns), len(g.Edges))
}

// SVG renders the graph as a standalone SVG document fragment (an <svg>
// element, valid inline in HTML and as an image/svg+xml file).
func (g *Graph) SVG() []byte {
	w := &writer{}
	p := esc(g.prefix)
	w.f(`<svg xmlns="http://www.w3.org/2000/svg" class="chart graph" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-labelledby="%sgraph-title %sgraph-desc" font-family="%s">`,
		num(g.Width), num(g.Height), num(g.Width), num(g.Height), p, p, esc(FontFamily))
	w.f(`<title id="%sgraph-title">%s</title>`, p, esc("Career graph: "+g.Title))
	w.f(`<desc id="%sgraph-desc">%s</desc>`, p, esc(g.Description()))

	// Arrowheads, one per kind so they take the kind's colour.
	w.f(`<defs>`)
	for _, k := range g.Kinds {
		s := StyleOf(k)
		w.f(`<marker id="%sarrow-%s" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="%s"/></marker>`,
			p, esc(markerID(k)), s.Stroke)
	}
	w.f(`</defs>`)
	w.f(`<rect x="0" y="0" width="%s" height="%s" fill="#ffffff"/>`, num(g.Width), num(g.Height))

	// Track headings and column bands.
	for i, c := range g.Columns {
		fill := "#f8fafc"
		if i%2 == 1 {
			fill = "#f1f5f9"
		}
		w.f(`<rect x="%s" y="8" width="%s" height="%s" rx="8" fill="%s"/>`, num(c.X+4), num(c.W-8), num(g.LegendY-24), fill)
		w.f(`<text x="%s" y="32" text-anchor="middle" font-size="15" font-weight="700" fill="#0f172a">%s</text>`,
			num(c.X+c.W/2), esc(c.Name))
	}
	// Grade labels and guide lines.
	for _, r := range g.Rows {
		y := r.Y + nodeH/2
		w.f(`<text x="12" y="%s" font-size="13" fill="#334155" dominant-baseline="middle">%s</text>`, num(y), esc(r.Label))
		w.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#cbd5e1" stroke-width="1" stroke-dasharray="2 6"/>`,
			num(padLeft-6), num(y), num(g.Width-padRight), num(y))
	}

	// Edges below nodes.
	w.f(`<g class="edges" fill="none">`)
	for _, e := range g.Edges {
		s := e.Style
		w.f(`<g class="edge edge-%s" data-from="%s" data-to="%s">`, esc(markerID(e.Kind)), esc(e.From), esc(e.To))
		title := fmt.Sprintf("%s → %s: %s", e.FromName, e.ToName, s.Label)
		if e.Note != "" {
			title += ". " + e.Note
		}
		w.f(`<title>%s</title>`, esc(title))
		dash := ""
		if s.Dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, s.Dash)
		}
		if e.Curved {
			w.f(`<path d="M%s,%s Q%s,%s %s,%s" stroke="%s" stroke-width="%s"%s marker-end="url(#%sarrow-%s)"/>`,
				num(round(e.X1)), num(round(e.Y1)), num(round(e.CX)), num(round(e.CY)), num(round(e.X2)), num(round(e.Y2)),
				s.Stroke, num(s.Width), dash, p, esc(markerID(e.Kind)))
		} else {
			w.f(`<path d="M%s,%s L%s,%s" stroke="%s" stroke-width="%s"%s marker-end="url(#%sarrow-%s)"/>`,
				num(round(e.X1)), num(round(e.Y1)), num(round(e.X2)), num(round(e.Y2)),
				s.Stroke, num(s.Width), dash, p, esc(markerID(e.Kind)))
		}
		w.f(`</g>`)
	}
	w.f(`</g>`)

	// Nodes.
	w.f(`<g class="nodes">`)
	for _, n := range g.Nodes {
		if n.Href != "" {
			w.f(`<a href="%s" class="node-link">`, esc(n.Href))
		}
		cls := "node"
		fill, stroke, sw := "#ffffff", "#475569", "1.5"
		if n.Highlight {
			cls += " node-current"
			fill, stroke, sw = "#fef3c7", "#92400e", "3"
		}
		w.f(`<g class="%s" data-role="%s">`, cls, esc(n.ID))
		w.f(`<title>%s</title>`, esc(nodeTitle(n)))
		w.f(`<rect x="%s" y="%s" width="%s" height="%s" rx="10" fill="%s" stroke="%s" stroke-width="%s"/>`,
			num(n.X), num(n.Y), num(n.W), num(n.H), fill, stroke, sw)
		lines := wrap(n.Name, nameWidth, 2)
		y := n.Y + 23
		if len(lines) == 1 {
			y = n.Y + 29
		}
		for _, l := range lines {
			w.f(`<text x="%s" y="%s" text-anchor="middle" font-size="13.5" font-weight="600" fill="#0f172a">%s</text>`,
				num(n.X+n.W/2), num(y), esc(l))
			y += 17
		}
		meta := []string{}
		if n.Grade != nil {
			meta = append(meta, fmt.Sprintf("Grade %d", *n.Grade))
		}
		if n.Destination {
			meta = append(meta, "★ Destination")
		}
		if len(meta) > 0 {
			w.f(`<text x="%s" y="%s" text-anchor="middle" font-size="11.5" fill="#334155">%s</text>`,
				num(n.X+n.W/2), num(n.Y+n.H-10), esc(strings.Join(meta, " · ")))
		}
		w.f(`</g>`)
		if n.Href != "" {
			w.f(`</a>`)
		}
	}
	w.f(`</g>`)

	// Legend.
	if len(g.Kinds) > 0 {
		w.f(`<g class="legend" font-size="13" fill="#0f172a">`)
		w.f(`<text x="12" y="%s" dominant-baseline="middle" font-weight="700">Moves</text>`, num(g.LegendY))
		perRow := max(1, int((g.Width-padLeft)/legendW))
		for i, k := range g.Kinds {
			s := StyleOf(k)
			x := padLeft + float64(i%perRow)*legendW
			y := g.LegendY + float64(i/perRow)*legendRow
			dash := ""
			if s.Dash != "" {
				dash = fmt.Sprintf(` stroke-dasharray="%s"`, s.Dash)
			}
			w.f(`<g class="legend-item" data-kind="%s"><path d="M%s,%s L%s,%s" stroke="%s" stroke-width="%s"%s marker-end="url(#%sarrow-%s)"/>`,
				esc(k), num(x), num(y), num(x+40), num(y), s.Stroke, num(s.Width), dash, p, esc(markerID(k)))
			w.f(`<text x="%s" y="%s" dominant-baseline="middle">%s</text></g>`, num(x+50), num(y), esc(s.Label))
		}
		w.f(`</g>`)
	}
	w.f(`</svg>`)
	return w.Bytes()
}

func nodeTitle(n Node) string {
	t := n.Name
	if n.Grade != nil {
		t += fmt.Sprintf(", grade %d", *n.Grade)
	}
	if n.Destination {
		t += ", a role people happily stay in"
	}
	return t
}

// markerID turns a kind into a safe id fragment.
func markerID(kind string) string {
	s := trellis.Slug(kind)
	if s == "" {
		return "other"
	}
	return s
}

func round(f float64) float64 { return math.Round(f*10) / 10 }
