package svg

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"
)

// wellFormed parses an SVG document and returns the text of every element
// it holds, by element name.
func wellFormed(t *testing.T, doc []byte) map[string][]string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	texts := map[string][]string{}
	var stack []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, doc)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			stack = append(stack, tok.Name.Local)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 && strings.TrimSpace(string(tok)) != "" {
				top := stack[len(stack)-1]
				texts[top] = append(texts[top], string(tok))
			}
		}
	}
	return texts
}

var scale = []string{"not yet", "developing", "meets", "exceeds"}

func TestRadarLayout(t *testing.T) {
	axes := []RadarAxis{
		{Label: "Troubleshooting", Self: 2, Manager: 1},
		{Label: "Tooling and automation", Self: 3, Manager: -1},
		{Label: "Incident handling", Self: 0, Manager: 0},
		{Label: "Product knowledge", Self: -1, Manager: 2},
	}
	c := RadarOf(axes, RadarOptions{Title: "Technical", Scale: scale})
	if len(c.Spokes) != 4 || len(c.Self) != 4 || len(c.Manager) != 4 {
		t.Fatalf("%d spokes", len(c.Spokes))
	}
	dist := func(p RadarPoint) float64 { return math.Hypot(p.X-c.CX, p.Y-c.CY) }
	// Step k lies on ring k+1 of 4; unrated points sit in the centre.
	for _, tc := range []struct {
		p    RadarPoint
		want float64
	}{{c.Self[0], 3}, {c.Self[1], 4}, {c.Self[2], 1}, {c.Manager[0], 2}, {c.Manager[3], 3}} {
		if got := dist(tc.p) / c.R * 4; math.Abs(got-tc.want) > 0.05 || !tc.p.Rated {
			t.Errorf("point %+v on ring %.2f, want %v", tc.p, got, tc.want)
		}
	}
	if c.Manager[1].Rated || dist(c.Manager[1]) != 0 || c.Self[3].Rated {
		t.Error("unrated points should sit unrated in the centre")
	}
	// The first spoke points straight up, its label centred above it.
	if c.Spokes[0].X != c.CX || c.Spokes[0].Y >= c.CY || c.Spokes[0].Anchor != "middle" {
		t.Errorf("first spoke %+v", c.Spokes[0])
	}
	if c.Spokes[1].Anchor != "start" || c.Spokes[3].Anchor != "end" {
		t.Errorf("side labels anchored %s and %s", c.Spokes[1].Anchor, c.Spokes[3].Anchor)
	}
	for _, s := range c.Spokes {
		if s.LX < 0 || s.LX > c.Width || s.LY < 0 || s.LY > c.LegendY {
			t.Errorf("label %q outside the chart at %v,%v", s.Lines, s.LX, s.LY)
		}
	}
}

func TestRadarSVG(t *testing.T) {
	axes := []RadarAxis{
		{Label: `<script>alert("x")</script>`, Self: 2, Manager: 1},
		{Label: "Communication & writing", Self: 1, Manager: 2},
		{Label: "Growing others", Self: 0, Manager: -1},
	}
	doc := RadarOf(axes, RadarOptions{Title: "Leadership <b>", Scale: scale, IDPrefix: "a1-"}).SVG()
	texts := wellFormed(t, doc)
	s := string(doc)
	if strings.Contains(s, "<script") || strings.Contains(s, "<b>") {
		t.Error("labels are not escaped")
	}
	for _, w := range []string{`role="img"`, `aria-labelledby="a1-radar-title a1-radar-desc"`, `class="series series-self"`, `class="series series-manager"`,
		`stroke-dasharray="6 4"`} {
		if !strings.Contains(s, w) {
			t.Errorf("SVG lacks %s", w)
		}
	}
	if got := texts["title"][0]; got != "Leadership <b>" {
		t.Errorf("title = %q", got)
	}
	desc := texts["desc"][0]
	for _, w := range []string{"3 competencies", "Communication & writing: self-assessment developing, manager meets", "Growing others: self-assessment not yet, manager not rated"} {
		if !strings.Contains(desc, w) {
			t.Errorf("desc %q lacks %q", desc, w)
		}
	}
	legend := strings.Join(texts["text"], "|")
	for _, w := range []string{"Self-assessment", "Manager", "not yet", "exceeds"} {
		if !strings.Contains(legend, w) {
			t.Errorf("texts lack %q: %s", w, legend)
		}
	}
}

func TestRadarDegenerate(t *testing.T) {
	for _, axes := range [][]RadarAxis{nil, {{Label: "Only one", Self: 1, Manager: -1}}, {{Label: "A", Self: -1, Manager: -1}, {Label: "B", Self: -1, Manager: -1}}} {
		c := RadarOf(axes, RadarOptions{Title: "x", Scale: scale})
		doc := c.SVG()
		wellFormed(t, doc)
		if len(axes) < 3 && !bytes.Contains(doc, []byte("<circle")) {
			t.Errorf("%d axes: rings should be circles", len(axes))
		}
		if !c.HasSelf && !bytes.Contains(doc, []byte("(none yet)")) {
			t.Errorf("%d axes: the legend should say there is no self-assessment yet", len(axes))
		}
	}
}
