package svg

import (
	"fmt"
	"math"
	"strings"
)

// RadarAxis is one spoke of a radar chart: a competency, with the person's
// own rating and their manager's, each a step of the scale (0 for the first
// step) or negative when nobody rated it.
type RadarAxis struct {
	Label         string
	Self, Manager float64
}

// RadarOptions tune a radar chart.
type RadarOptions struct {
	// Title names the chart ("Technical: Senior Support Engineer").
	Title string
	// Scale names the steps, lowest first ("not yet" ... "exceeds"); the
	// rings of the chart are drawn and labelled one per step.
	Scale []string
	// SelfLabel and ManagerLabel name the two series in the legend.
	SelfLabel, ManagerLabel string
	// IDPrefix keeps element ids unique when several charts share a page.
	IDPrefix string
}

// Radar is a laid-out radar chart: one spoke per axis, one ring per step of
// the scale, and a polygon per series. Step k of the scale sits on ring k+1,
// so that the lowest rating is still visible and "not rated" (the centre)
// stays apart from it.
type Radar struct {
	Title, SelfLabel, ManagerLabel string
	Scale                          []string
	Axes                           []RadarAxis
	Width, Height                  float64
	CX, CY, R                      float64
	Spokes                         []RadarSpoke
	Self, Manager                  []RadarPoint // one per axis, in axis order
	HasSelf, HasManager            bool
	LegendY                        float64
	prefix                         string
}

// RadarSpoke is an axis drawn: its end on the outer ring and its label.
type RadarSpoke struct {
	X, Y   float64 // end of the spoke
	LX, LY float64 // label anchor
	Anchor string  // start, middle or end
	Lines  []string
}

// RadarPoint is one series' point on one spoke.
type RadarPoint struct {
	X, Y  float64
	Rated bool
}

const (
	radarR       = 110.0
	radarLabelW  = 130.0 // room left and right for spoke labels
	radarTop     = 44.0  // room above for the top label
	radarBottom  = 40.0  // room below the circle for the bottom label
	radarLegendH = 30.0
	radarLabelCh = 18 // characters per label line
)

// RadarOf lays out a radar chart.
func RadarOf(axes []RadarAxis, opt RadarOptions) *Radar {
	scale := opt.Scale
	if len(scale) == 0 {
		scale = []string{"1", "2", "3", "4"}
	}
	c := &Radar{Title: opt.Title, Scale: scale, Axes: axes, SelfLabel: opt.SelfLabel, ManagerLabel: opt.ManagerLabel, prefix: opt.IDPrefix,
		R: radarR, CX: radarLabelW + radarR, CY: radarTop + radarR}
	if c.SelfLabel == "" {
		c.SelfLabel = "Self-assessment"
	}
	if c.ManagerLabel == "" {
		c.ManagerLabel = "Manager"
	}
	c.Width = 2 * (radarLabelW + radarR)
	c.LegendY = c.CY + radarR + radarBottom + 8
	c.Height = c.LegendY + radarLegendH
	n := len(axes)
	steps := float64(len(scale))
	at := func(i int, v float64) (float64, float64) {
		a := -math.Pi/2 + 2*math.Pi*float64(i)/float64(max(n, 1))
		r := c.R * v
		return round(c.CX + r*math.Cos(a)), round(c.CY + r*math.Sin(a))
	}
	point := func(i int, v float64) RadarPoint {
		if v < 0 {
			x, y := at(i, 0)
			return RadarPoint{X: x, Y: y}
		}
		x, y := at(i, (math.Min(v, steps-1)+1)/steps)
		return RadarPoint{X: x, Y: y, Rated: true}
	}
	for i, ax := range axes {
		x, y := at(i, 1)
		lx, ly := at(i, 1+14/c.R)
		a := -math.Pi/2 + 2*math.Pi*float64(i)/float64(max(n, 1))
		cos, sin := math.Cos(a), math.Sin(a)
		anchor := "middle"
		switch {
		case cos > 0.2:
			anchor = "start"
		case cos < -0.2:
			anchor = "end"
		}
		lines := wrap(ax.Label, radarLabelCh, 2)
		if sin < -0.2 { // above the centre: lines grow upwards
			ly -= float64(len(lines)-1) * 14
		} else if sin > 0.2 {
			ly += 8
		} else {
			ly += 4 - float64(len(lines)-1)*7
		}
		c.Spokes = append(c.Spokes, RadarSpoke{X: x, Y: y, LX: lx, LY: round(ly), Anchor: anchor, Lines: lines})
		s, m := point(i, ax.Self), point(i, ax.Manager)
		c.Self = append(c.Self, s)
		c.Manager = append(c.Manager, m)
		c.HasSelf = c.HasSelf || s.Rated
		c.HasManager = c.HasManager || m.Rated
	}
	return c
}

// Description summarises the chart in words, for its <desc>.
func (c *Radar) Description() string {
	if len(c.Axes) == 0 {
		return "No competencies to show."
	}
	name := func(v float64) string {
		if v < 0 {
			return "not rated"
		}
		i := int(math.Round(math.Min(v, float64(len(c.Scale)-1))))
		return c.Scale[i]
	}
	parts := make([]string, len(c.Axes))
	for i, a := range c.Axes {
		parts[i] = fmt.Sprintf("%s: %s %s, %s %s", a.Label, strings.ToLower(c.SelfLabel), name(a.Self), strings.ToLower(c.ManagerLabel), name(a.Manager))
	}
	return fmt.Sprintf("Radar chart of %d competencies. %s.", len(c.Axes), strings.Join(parts, "; "))
}

func polygon(pts []RadarPoint) string {
	var b strings.Builder
	for i, p := range pts {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(num(p.X) + "," + num(p.Y))
	}
	return b.String()
}

// Series colours: blue dashed with round markers for the person, amber solid
// with square markers for the manager, so the two differ in more than hue.
const (
	radarSelf    = "#1d4ed8"
	radarManager = "#b45309"
)

// SVG renders the chart as an <svg> element.
func (c *Radar) SVG() []byte {
	w := &writer{}
	p := esc(c.prefix)
	w.f(`<svg xmlns="http://www.w3.org/2000/svg" class="chart radar" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-labelledby="%sradar-title %sradar-desc" font-family="%s">`,
		num(c.Width), num(c.Height), num(c.Width), num(c.Height), p, p, esc(FontFamily))
	w.f(`<title id="%sradar-title">%s</title>`, p, esc(c.Title))
	w.f(`<desc id="%sradar-desc">%s</desc>`, p, esc(c.Description()))
	w.f(`<rect x="0" y="0" width="%s" height="%s" fill="#ffffff"/>`, num(c.Width), num(c.Height))
	steps := len(c.Scale)
	n := len(c.Axes)
	// Rings: polygons through the spokes (circles when there are too few
	// spokes to make a polygon), labelled along the top spoke.
	w.f(`<g class="rings" fill="none" stroke="#cbd5e1" stroke-width="1">`)
	for k := 1; k <= steps; k++ {
		f := float64(k) / float64(steps)
		if n < 3 {
			w.f(`<circle cx="%s" cy="%s" r="%s"/>`, num(c.CX), num(c.CY), num(round(c.R*f)))
			continue
		}
		var pts []RadarPoint
		for i := range n {
			a := -math.Pi/2 + 2*math.Pi*float64(i)/float64(n)
			pts = append(pts, RadarPoint{X: round(c.CX + c.R*f*math.Cos(a)), Y: round(c.CY + c.R*f*math.Sin(a))})
		}
		w.f(`<polygon points="%s"/>`, polygon(pts))
	}
	w.f(`</g>`)
	w.f(`<g class="spokes" stroke="#94a3b8" stroke-width="1">`)
	for _, s := range c.Spokes {
		w.f(`<line x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(c.CX), num(c.CY), num(s.X), num(s.Y))
	}
	w.f(`</g>`)
	w.f(`<g class="scale" font-size="10" fill="#475569">`)
	for k, name := range c.Scale {
		y := c.CY - c.R*float64(k+1)/float64(steps)
		w.f(`<text x="%s" y="%s" dx="4" dy="-2">%s</text>`, num(c.CX), num(round(y)), esc(name))
	}
	w.f(`</g>`)
	series := func(cls, label, colour, dash string, pts []RadarPoint, square bool) {
		w.f(`<g class="series %s">`, cls)
		w.f(`<title>%s</title>`, esc(label))
		if n >= 2 {
			w.f(`<polygon points="%s" fill="%s" fill-opacity="0.12" stroke="%s" stroke-width="2.5"%s/>`, polygon(pts), colour, colour, dash)
		}
		for _, pt := range pts {
			if !pt.Rated {
				continue
			}
			if square {
				w.f(`<rect x="%s" y="%s" width="8" height="8" fill="%s"/>`, num(pt.X-4), num(pt.Y-4), colour)
			} else {
				w.f(`<circle cx="%s" cy="%s" r="4.5" fill="#ffffff" stroke="%s" stroke-width="2.5"/>`, num(pt.X), num(pt.Y), colour)
			}
		}
		w.f(`</g>`)
	}
	if c.HasManager {
		series("series-manager", c.ManagerLabel, radarManager, "", c.Manager, true)
	}
	if c.HasSelf {
		series("series-self", c.SelfLabel, radarSelf, ` stroke-dasharray="6 4"`, c.Self, false)
	}
	w.f(`<g class="labels" font-size="12" fill="#0f172a">`)
	for _, s := range c.Spokes {
		w.f(`<text x="%s" y="%s" text-anchor="%s">`, num(s.LX), num(s.LY), s.Anchor)
		for i, l := range s.Lines {
			if i == 0 {
				w.f(`<tspan x="%s">%s</tspan>`, num(s.LX), esc(l))
			} else {
				w.f(`<tspan x="%s" dy="14">%s</tspan>`, num(s.LX), esc(l))
			}
		}
		w.f(`</text>`)
	}
	w.f(`</g>`)
	// Legend: a line sample and the marker of each series, with its name.
	y := c.LegendY + 10
	x := 16.0
	w.f(`<g class="legend" font-size="12" fill="#0f172a">`)
	w.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2.5" stroke-dasharray="6 4"/>`, num(x), num(y), num(x+28), num(y), radarSelf)
	w.f(`<circle cx="%s" cy="%s" r="4.5" fill="#ffffff" stroke="%s" stroke-width="2.5"/>`, num(x+14), num(y), radarSelf)
	w.f(`<text x="%s" y="%s">%s%s</text>`, num(x+36), num(y+4), esc(c.SelfLabel), notRated(c.HasSelf))
	x = c.Width / 2
	w.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2.5"/>`, num(x), num(y), num(x+28), num(y), radarManager)
	w.f(`<rect x="%s" y="%s" width="8" height="8" fill="%s"/>`, num(x+10), num(y-4), radarManager)
	w.f(`<text x="%s" y="%s">%s%s</text>`, num(x+36), num(y+4), esc(c.ManagerLabel), notRated(c.HasManager))
	w.f(`</g>`)
	w.f(`</svg>`)
	return w.Bytes()
}

func notRated(has bool) string {
	if has {
		return ""
	}
	return " (none yet)"
}
