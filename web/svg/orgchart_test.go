package svg

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
)

// demoOrg is a director, four managers with ten engineers each and a staff
// engineer reporting to the director: 46 people, like the demo organisation.
func demoOrg() []OrgPerson {
	people := []OrgPerson{{ID: 1, Name: "Dana Director", Role: "Director of Support", Href: "/people/1"}}
	id := int64(2)
	for m := range 4 {
		mid := id
		people = append(people, OrgPerson{ID: mid, Name: fmt.Sprintf("Manager %c", 'A'+m), Role: "Support Engineering Manager", ManagerID: 1, Href: fmt.Sprintf("/people/%d", mid)})
		id++
		for e := range 10 {
			people = append(people, OrgPerson{ID: id, Name: fmt.Sprintf("Engineer %c%02d", 'A'+m, e), Role: "Senior Support Engineer", ManagerID: mid, Href: fmt.Sprintf("/people/%d", id)})
			id++
		}
	}
	people = append(people, OrgPerson{ID: id, Name: "Staff <Sam> & co", Role: "Staff Support Engineer", ManagerID: 1})
	return people
}

func boxOf(t *testing.T, c *OrgChart, id int64) OrgBox {
	t.Helper()
	for _, b := range c.Boxes {
		if b.ID == id {
			return b
		}
	}
	t.Fatalf("no box for %d", id)
	return OrgBox{}
}

func overlaps(a, b OrgBox) bool {
	return a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H
}

func TestOrgTree(t *testing.T) {
	trees := OrgTree(demoOrg(), 0)
	if len(trees) != 1 || trees[0].ID != 1 || trees[0].Size() != 46 {
		t.Fatalf("trees = %d, top %+v", len(trees), trees[0].OrgPerson)
	}
	top := trees[0]
	if len(top.Reports) != 5 || top.Reports[0].Name != "Manager A" || top.Reports[4].Name != "Staff <Sam> & co" {
		t.Errorf("reports of the top, by name: %v", top.Reports)
	}
	if r := top.Reports[1].Reports[3]; r.Depth != 2 || r.Manager != "Manager B" {
		t.Errorf("engineer = %+v", r)
	}
	sub := OrgTree(demoOrg(), 13)
	if len(sub) != 1 || sub[0].Name != "Manager B" || sub[0].Size() != 11 || sub[0].Depth != 0 {
		t.Errorf("subtree = %+v", sub)
	}
	if OrgTree(demoOrg(), 999) != nil {
		t.Error("an unknown root should give nothing")
	}
	// A manager not among the people (someone who left) makes a new top; a
	// loop in damaged data is broken, nobody lost or drawn twice.
	odd := []OrgPerson{{ID: 1, Name: "A", ManagerID: 99}, {ID: 2, Name: "B", ManagerID: 3}, {ID: 3, Name: "C", ManagerID: 2}, {ID: 4, Name: "D", ManagerID: 4}}
	trees = OrgTree(odd, 0)
	total := 0
	for _, tr := range trees {
		total += tr.Size()
	}
	if total != 4 {
		t.Errorf("%d people placed, want 4", total)
	}
}

func TestOrgChartLayout(t *testing.T) {
	people := demoOrg()
	c := OrgChartOf(OrgTree(people, 0), OrgOptions{Title: "Acme", Highlight: 5})
	if len(c.Boxes) != len(people) {
		t.Fatalf("%d boxes for %d people", len(c.Boxes), len(people))
	}
	for i, a := range c.Boxes {
		for _, b := range c.Boxes[i+1:] {
			if overlaps(a, b) {
				t.Errorf("boxes overlap: %s %+v and %s %+v", a.Name, a, b.Name, b)
			}
		}
		if a.X < 0 || a.Y < 0 || a.X+a.W > c.Width || a.Y+a.H > c.Height {
			t.Errorf("%s outside the chart", a.Name)
		}
	}
	// Managers above their reports; every reporting line drawn once.
	if len(c.Links) != len(people)-1 {
		t.Errorf("%d links, want %d", len(c.Links), len(people)-1)
	}
	for _, l := range c.Links {
		m, r := boxOf(t, c, l.From), boxOf(t, c, l.To)
		if !(m.Y+m.H <= r.Y) {
			t.Errorf("%s is not above %s", m.Name, r.Name)
		}
		first, last := l.Points[0], l.Points[len(l.Points)-1]
		if first[1] != m.Y+m.H || (last[1] != r.Y && last[0] != r.X) {
			t.Errorf("link %d->%d does not join the boxes: %v", l.From, l.To, l.Points)
		}
	}
	// Teams are columns: 46 people fit a laptop screen's width, not 40
	// boxes in a row.
	if c.Width > 1400 {
		t.Errorf("chart is %v wide", c.Width)
	}
	if c.Levels != 3 || c.Tops != 1 {
		t.Errorf("levels %d, tops %d", c.Levels, c.Tops)
	}
	if !boxOf(t, c, 5).Highlight || boxOf(t, c, 1).Highlight {
		t.Error("highlight")
	}
	// Wrapping: with at most 4 per column a team of ten takes 3 columns.
	narrow := OrgChartOf(OrgTree(people, 2), OrgOptions{MaxStack: 4})
	xs := map[float64]bool{}
	for _, b := range narrow.Boxes[1:] {
		xs[b.X] = true
	}
	if len(xs) != 3 {
		t.Errorf("%d columns, want 3", len(xs))
	}
	empty := OrgChartOf(nil, OrgOptions{Title: "Nobody"})
	if empty.Width <= 0 || empty.Height <= 0 || empty.Description() != "Nobody to show." {
		t.Errorf("empty chart %+v", empty)
	}
}

func TestOrgChartSVG(t *testing.T) {
	people := demoOrg()
	c := OrgChartOf(OrgTree(people, 0), OrgOptions{Title: "Acme <Support>", IDPrefix: "x-"})
	b := c.SVG()
	// Well-formed XML, every person's name present as text.
	dec := xml.NewDecoder(bytes.NewReader(b))
	var texts strings.Builder
	links := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, b)
		}
		switch tok := tok.(type) {
		case xml.CharData:
			texts.Write(tok)
			texts.WriteString("\n")
		case xml.StartElement:
			if tok.Name.Local == "a" {
				links++
			}
		}
	}
	for _, p := range people {
		if !strings.Contains(texts.String(), p.Name) {
			t.Errorf("no text for %q", p.Name)
		}
	}
	if links != len(people)-1 {
		t.Errorf("%d links, want %d (the staff engineer has no href)", links, len(people)-1)
	}
	s := string(b)
	for _, want := range []string{`role="img"`, `aria-labelledby="x-org-title x-org-desc"`, `<title id="x-org-title">Org chart: Acme &lt;Support&gt;</title>`,
		"46 people in 3 levels, Dana Director at the top", `href="/people/7"`, "Staff &lt;Sam&gt; &amp; co", "reports to Dana Director"} {
		if !strings.Contains(s, want) {
			t.Errorf("svg lacks %s", want)
		}
	}
	if strings.Contains(s, "<Sam>") {
		t.Error("names are not escaped")
	}
}
