package svg

import (
	"fmt"
	"strconv"
	"strings"
)

// HeatCell is one person x competency cell of a team heatmap.
type HeatCell struct {
	// Step is the rating as a step of the scale (0 lowest), negative when
	// nobody rated it.
	Step int
	// Evidence counts the person's journal entries showing the competency.
	Evidence int
	// Expected is false when the person's target role does not ask for the
	// competency: the cell is drawn empty.
	Expected bool
}

// HeatRow is one person.
type HeatRow struct {
	Label string // the person's name
	Sub   string // their target role, or why there is none
	Href  string // the person's readiness page; "" draws no link
	Cells []HeatCell
}

// HeatStep is how one step of the rating scale is drawn.
type HeatStep struct {
	Name  string // "meets"
	Short string // the cell's text label ("Meets")
	Fill  string
	Ink   string // text colour, at least 4.5:1 against Fill
}

// HeatmapOptions tune a heatmap.
type HeatmapOptions struct {
	Title string
	// Steps are the rating scale, lowest first; DefaultHeatSteps when nil.
	Steps    []HeatStep
	IDPrefix string
}

// DefaultHeatSteps is the four-step readiness scale: a light-to-dark green
// ramp after a warm "not yet", each with a word in the cell so that no
// reading depends on colour.
var DefaultHeatSteps = []HeatStep{
	{Name: "not yet", Short: "Not yet", Fill: "#fde2e1", Ink: "#7f1d1d"},
	{Name: "developing", Short: "Developing", Fill: "#fef3c7", Ink: "#713f12"},
	{Name: "meets", Short: "Meets", Fill: "#bbf7d0", Ink: "#14532d"},
	{Name: "exceeds", Short: "Exceeds", Fill: "#15803d", Ink: "#ffffff"},
}

// Heatmap is a laid-out heatmap: people down, competencies across.
type Heatmap struct {
	Title         string
	Columns       []string
	Rows          []HeatRow
	Steps         []HeatStep
	Width, Height float64
	Left, Top     float64 // the grid's top-left corner
	LegendY       float64
	prefix        string
}

const (
	heatCellW   = 84.0
	heatCellH   = 44.0
	heatLeft    = 210.0 // room for names
	heatTop     = 132.0 // room for slanted competency names
	heatPad     = 12.0
	heatLegendH = 56.0
	heatColCh   = 22 // characters of a competency name
)

// HeatmapOf lays out a heatmap. Rows shorter than columns are padded with
// cells that are not expected.
func HeatmapOf(columns []string, rows []HeatRow, opt HeatmapOptions) *Heatmap {
	h := &Heatmap{Title: opt.Title, Columns: columns, Rows: rows, Steps: opt.Steps, prefix: opt.IDPrefix, Left: heatLeft, Top: heatTop}
	if len(h.Steps) == 0 {
		h.Steps = DefaultHeatSteps
	}
	for i := range h.Rows {
		for len(h.Rows[i].Cells) < len(columns) {
			h.Rows[i].Cells = append(h.Rows[i].Cells, HeatCell{Step: -1})
		}
	}
	h.Width = round(max(h.Left+float64(len(columns))*heatCellW+heatPad+60, 560))
	h.LegendY = h.Top + float64(len(rows))*heatCellH + 20
	h.Height = round(h.LegendY + heatLegendH)
	return h
}

// CellLabel is the text drawn in a cell: the rating's word, or a dash when
// nobody rated it, or nothing when the role does not ask for it.
func (h *Heatmap) CellLabel(c HeatCell) string {
	switch {
	case !c.Expected:
		return ""
	case c.Step < 0 || c.Step >= len(h.Steps):
		return "–"
	}
	return h.Steps[c.Step].Short
}

func (h *Heatmap) cellTitle(row HeatRow, col string, c HeatCell) string {
	if !c.Expected {
		return fmt.Sprintf("%s, %s: not asked for by the target role", row.Label, col)
	}
	rating := "not rated yet"
	if c.Step >= 0 && c.Step < len(h.Steps) {
		rating = h.Steps[c.Step].Name
	}
	return fmt.Sprintf("%s, %s: %s, %s", row.Label, col, rating, entries(c.Evidence))
}

func entries(n int) string {
	if n == 1 {
		return "1 evidence entry"
	}
	return strconv.Itoa(n) + " evidence entries"
}

// Description summarises the heatmap for its <desc>.
func (h *Heatmap) Description() string {
	if len(h.Rows) == 0 {
		return "Nobody to show."
	}
	rated, cells := 0, 0
	for _, r := range h.Rows {
		for _, c := range r.Cells {
			if c.Expected {
				cells++
				if c.Step >= 0 {
					rated++
				}
			}
		}
	}
	return fmt.Sprintf("Heatmap of %d people by %d competencies: %d of %d expected cells rated. Each cell names the rating (the manager's, else the person's own) and counts the evidence.",
		len(h.Rows), len(h.Columns), rated, cells)
}

// SVG renders the heatmap.
func (h *Heatmap) SVG() []byte {
	w := &writer{}
	p := esc(h.prefix)
	w.f(`<svg xmlns="http://www.w3.org/2000/svg" class="chart heatmap" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-labelledby="%sheat-title %sheat-desc" font-family="%s">`,
		num(h.Width), num(h.Height), num(h.Width), num(h.Height), p, p, esc(FontFamily))
	w.f(`<title id="%sheat-title">%s</title>`, p, esc(h.Title))
	w.f(`<desc id="%sheat-desc">%s</desc>`, p, esc(h.Description()))
	w.f(`<rect x="0" y="0" width="%s" height="%s" fill="#ffffff"/>`, num(h.Width), num(h.Height))
	// Column heads, slanted so that long names fit narrow columns.
	w.f(`<g class="columns" font-size="12" fill="#0f172a">`)
	for i, c := range h.Columns {
		x := h.Left + float64(i)*heatCellW + heatCellW/2
		y := h.Top - 8
		w.f(`<text x="%s" y="%s" transform="rotate(-40 %s %s)"><title>%s</title>%s</text>`, num(x), num(y), num(x), num(y), esc(c), esc(truncate(c, heatColCh)))
	}
	w.f(`</g>`)
	w.f(`<g class="rows">`)
	for r, row := range h.Rows {
		y := h.Top + float64(r)*heatCellH
		w.f(`<g class="row" data-row="%d">`, r)
		if row.Href != "" {
			w.f(`<a href="%s">`, esc(row.Href))
		}
		w.f(`<text x="%s" y="%s" font-size="13" font-weight="600" fill="#1d4ed8">%s</text>`, num(heatPad), num(y+19), esc(truncate(row.Label, 26)))
		if row.Href != "" {
			w.f(`</a>`)
		}
		if row.Sub != "" {
			w.f(`<text x="%s" y="%s" font-size="11" fill="#475569">%s</text>`, num(heatPad), num(y+35), esc(truncate(row.Sub, 32)))
		}
		for i, c := range row.Cells {
			if i >= len(h.Columns) {
				break
			}
			x := h.Left + float64(i)*heatCellW
			fill, ink, stroke := "#ffffff", "#475569", "#e2e8f0"
			switch {
			case !c.Expected:
				fill = "#f8fafc"
			case c.Step >= 0 && c.Step < len(h.Steps):
				fill, ink, stroke = h.Steps[c.Step].Fill, h.Steps[c.Step].Ink, "#ffffff"
			default:
				fill, stroke = "#f1f5f9", "#cbd5e1"
			}
			w.f(`<g class="cell" data-col="%d">`, i)
			w.f(`<title>%s</title>`, esc(h.cellTitle(row, h.Columns[i], c)))
			w.f(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="%s" stroke-width="2"/>`, num(x), num(y), num(heatCellW), num(heatCellH), fill, stroke)
			if c.Expected {
				w.f(`<text x="%s" y="%s" text-anchor="middle" font-size="12" font-weight="600" fill="%s">%s</text>`, num(x+heatCellW/2), num(y+19), ink, esc(h.CellLabel(c)))
				w.f(`<text x="%s" y="%s" text-anchor="middle" font-size="11" fill="%s">%s</text>`, num(x+heatCellW/2), num(y+35), ink, esc(evidenceShort(c.Evidence)))
			}
			w.f(`</g>`)
		}
		w.f(`</g>`)
	}
	w.f(`</g>`)
	// Legend: every step with its colour and word, and the two other cells.
	w.f(`<g class="legend" font-size="12" fill="#0f172a">`)
	x, y := heatPad, h.LegendY
	w.f(`<text x="%s" y="%s" font-weight="600">Rating:</text>`, num(x), num(y+15))
	x += 64
	for _, s := range h.Steps {
		w.f(`<rect x="%s" y="%s" width="18" height="18" fill="%s" stroke="#94a3b8"/>`, num(x), num(y+2), s.Fill)
		w.f(`<text x="%s" y="%s">%s</text>`, num(x+24), num(y+15), esc(s.Short))
		x += 24 + float64(len(s.Short))*7 + 16
	}
	w.f(`<rect x="%s" y="%s" width="18" height="18" fill="#f1f5f9" stroke="#94a3b8"/>`, num(x), num(y+2))
	w.f(`<text x="%s" y="%s">– not rated</text>`, num(x+24), num(y+15))
	w.f(`<text x="%s" y="%s" fill="#475569">The manager's rating, else the person's own. Blank: the target role does not ask for it. "ev.": evidence entries.</text>`, num(heatPad), num(y+40))
	w.f(`</g>`)
	w.f(`</svg>`)
	return w.Bytes()
}

func evidenceShort(n int) string {
	return strings.TrimSpace(strconv.Itoa(n) + " ev.")
}
