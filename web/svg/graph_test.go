package svg

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"trellis"
)

func grade(g int) *int { return &g }

func fixture() *trellis.Framework {
	return &trellis.Framework{
		Name:   "Support <test>",
		Tracks: []trellis.Track{{ID: "ic", Name: "Individual contributor"}, {ID: "management", Name: "Management"}},
		Roles: []trellis.Role{
			{ID: "associate", Name: "Associate Support Engineer", Track: "ic", Grade: grade(5)},
			{ID: "csr", Name: "Customer Support Representative", Track: "ic", Grade: grade(5)},
			{ID: "engineer", Name: "Support Engineer", Track: "ic", Grade: grade(6)},
			{ID: "senior", Name: "Senior Support Engineer", Track: "ic", Grade: grade(7), Destination: true},
			{ID: "manager", Name: "Support Engineering Manager <script>", Track: "management", Grade: grade(8)},
			{ID: "floater", Name: "Floater", Track: "ic"},
		},
		Transitions: []trellis.Transition{
			{From: "associate", To: "engineer", Kind: trellis.KindMerit},
			{From: "engineer", To: "senior", Kind: trellis.KindMerit},
			{From: "associate", To: "senior", Kind: trellis.KindActing, Note: "skips a grade"},
			{From: "senior", To: "manager", Kind: trellis.KindBusinessNeed},
			{From: "manager", To: "senior", Kind: trellis.KindLateral},
			{From: "csr", To: "associate", Kind: trellis.KindTransfer},
			{From: "senior", To: "manager", Kind: trellis.KindInterim},
		},
	}
}

func node(t *testing.T, g *Graph, id string) Node {
	t.Helper()
	for _, n := range g.Nodes {
		if n.ID == id {
			return n
		}
	}
	t.Fatalf("no node %q", id)
	return Node{}
}

func TestCareerGraphLayout(t *testing.T) {
	g := CareerGraph(fixture(), GraphOptions{RoleURL: func(id string) string { return "/roles/" + id }})
	if len(g.Columns) != 2 || g.Columns[0].Track != "ic" || g.Columns[1].Track != "management" {
		t.Fatalf("columns = %+v", g.Columns)
	}
	// Higher grades sit higher up (smaller y); roles without grade at the bottom.
	order := []string{"manager", "senior", "engineer", "associate", "floater"}
	for i := 1; i < len(order); i++ {
		a, b := node(t, g, order[i-1]), node(t, g, order[i])
		if !(a.Y < b.Y) {
			t.Errorf("%s (y=%v) should be above %s (y=%v)", a.ID, a.Y, b.ID, b.Y)
		}
	}
	if a, c := node(t, g, "associate"), node(t, g, "csr"); a.Y != c.Y || a.X == c.X {
		t.Errorf("same grade on one track should share a row side by side: %+v %+v", a, c)
	}
	// Tracks are columns: management nodes lie right of every ic node.
	m := node(t, g, "manager")
	for _, id := range []string{"associate", "csr", "engineer", "senior", "floater"} {
		if n := node(t, g, id); n.X+n.W > m.X {
			t.Errorf("%s overlaps the management column", id)
		}
		if n := node(t, g, id); n.X < g.Columns[0].X || n.X+n.W > g.Columns[0].X+g.Columns[0].W {
			t.Errorf("%s outside its column", id)
		}
	}
	if m.Href != "/roles/manager" {
		t.Errorf("href = %q", m.Href)
	}
	// No two nodes overlap.
	for i, a := range g.Nodes {
		for _, b := range g.Nodes[i+1:] {
			if a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H {
				t.Errorf("%s overlaps %s", a.ID, b.ID)
			}
		}
	}
}

func TestCareerGraphEdges(t *testing.T) {
	g := CareerGraph(fixture(), GraphOptions{})
	if len(g.Edges) != 7 {
		t.Fatalf("edges = %d", len(g.Edges))
	}
	byKey := map[string]Edge{}
	for _, e := range g.Edges {
		byKey[e.From+">"+e.To+":"+e.Kind] = e
	}
	merit := byKey["associate>engineer:merit"]
	if merit.Style.Dash != "" || merit.Curved {
		t.Errorf("merit should be a straight solid line: %+v", merit)
	}
	// Arrow runs upwards from the top of associate to the bottom of engineer.
	a, e := node(t, g, "associate"), node(t, g, "engineer")
	if merit.Y1 != a.Y || merit.Y2 != e.Y+e.H {
		t.Errorf("merit edge y %v -> %v, want %v -> %v", merit.Y1, merit.Y2, a.Y, e.Y+e.H)
	}
	if s := byKey["senior>manager:business-need"].Style; s.Dash == "" || s.Stroke == merit.Style.Stroke {
		t.Errorf("business need should be dashed in another colour: %+v", s)
	}
	if s := byKey["senior>manager:interim"].Style; s.Dash != "2 4" {
		t.Errorf("interim should be dotted: %+v", s)
	}
	// A move straight through another role's box bends around it.
	if skip := byKey["associate>senior:acting"]; !skip.Curved {
		t.Errorf("associate -> senior crosses engineer and should curve: %+v", skip)
	}
	if !byKey["manager>senior:lateral"].Bidirected || !byKey["senior>manager:business-need"].Bidirected {
		t.Errorf("moves both ways should be marked bidirected")
	}
	// Every kind has its own colour.
	seen := map[string]string{}
	for k, s := range EdgeStyles {
		if o, ok := seen[s.Stroke]; ok {
			t.Errorf("%s and %s share colour %s", k, o, s.Stroke)
		}
		seen[s.Stroke] = k
	}
	want := []string{"merit", "business-need", "interim", "acting", "transfer", "lateral"}
	if strings.Join(g.Kinds, ",") != strings.Join(want, ",") {
		t.Errorf("legend kinds = %v", g.Kinds)
	}
}

func TestCareerGraphFocus(t *testing.T) {
	g := CareerGraph(fixture(), GraphOptions{Focus: "engineer", Highlight: "engineer"})
	var ids []string
	for _, n := range g.Nodes {
		ids = append(ids, n.ID)
	}
	if strings.Join(ids, ",") != "associate,engineer,senior" {
		t.Errorf("neighbourhood = %v", ids)
	}
	if len(g.Edges) != 2 {
		t.Errorf("edges = %+v", g.Edges)
	}
	if !node(t, g, "engineer").Highlight {
		t.Error("focus role not highlighted")
	}
}

func TestCareerGraphSVG(t *testing.T) {
	out := CareerGraph(fixture(), GraphOptions{RoleURL: func(id string) string { return "/r/" + id + "?a=1&b=2" }, IDPrefix: "x-"}).SVG()
	d := xml.NewDecoder(bytes.NewReader(out))
	var texts []string
	var root xml.StartElement
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, out)
		}
		switch v := tok.(type) {
		case xml.StartElement:
			if root.Name.Local == "" {
				root = v
			}
		case xml.CharData:
			texts = append(texts, string(v))
		}
	}
	attr := func(name string) string {
		for _, a := range root.Attr {
			if a.Name.Local == name {
				return a.Value
			}
		}
		return ""
	}
	if root.Name.Local != "svg" || attr("role") != "img" || attr("aria-labelledby") == "" {
		t.Errorf("root = %+v", root)
	}
	s := string(out)
	if strings.Contains(s, "<script") {
		t.Error("role name not escaped")
	}
	if !strings.Contains(strings.Join(texts, "|"), "Support Engineering Manager <script>") {
		t.Error("escaped name should decode back to the role name")
	}
	for _, want := range []string{`<title id="x-graph-title">Career graph: Support &lt;test&gt;</title>`,
		`href="/r/manager?a=1&amp;b=2"`, `stroke-dasharray="9 5"`, `marker-end="url(#x-arrow-merit)"`, "★ Destination"} {
		if !strings.Contains(s, want) {
			t.Errorf("SVG lacks %s", want)
		}
	}
}

func TestWrap(t *testing.T) {
	cases := []struct {
		in   string
		want string
	}{
		{"Support Engineer", "Support Engineer"},
		{"Senior Manager, Support Engineering", "Senior Manager, Support|Engineering"},
		{"Principal Support Engineer (proposed level) with a very long name", "Principal Support|Engineer (proposed leve…"},
		{"Supercalifragilisticexpialidocious-role-name", "Supercalifragilisticexp…"},
	}
	for _, c := range cases {
		if got := strings.Join(wrap(c.in, 24, 2), "|"); got != c.want {
			t.Errorf("wrap(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
