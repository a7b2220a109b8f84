package svg

import "math"

// Bar is one row of a horizontal bar chart: a label and two values, the
// whole (nominated) and the part of it (approved).
type Bar struct {
	Label   string
	Whole   int
	Part    int
	Flagged bool // drawn with a marker: an outlier
}

// Bars draws a horizontal bar chart of groups: each bar is as long as the
// group's whole, with the part filled in. Used for the spread of a cycle's
// nominations and promotions across teams and regions.
func Bars(title string, bars []Bar) []byte {
	const (
		labelW = 150.0
		barMax = 300.0
		rowH   = 26.0
		top    = 30.0
	)
	maxV := 1
	for _, b := range bars {
		maxV = max(maxV, b.Whole, b.Part)
	}
	w := &writer{}
	height := top + rowH*float64(len(bars)) + 28
	width := labelW + barMax + 90
	w.f(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-labelledby="bars-title" font-family="%s" font-size="12">`,
		num(width), num(height), num(width), num(height), esc(FontFamily))
	w.f(`<title id="bars-title">%s</title>`, esc(title))
	w.f(`<text x="0" y="16" font-weight="600">%s</text>`, esc(title))
	scale := barMax / float64(maxV)
	for i, b := range bars {
		y := top + rowH*float64(i)
		w.f(`<g><title>%s: %d nominated, %d approved</title>`, esc(b.Label), b.Whole, b.Part)
		w.f(`<text x="%s" y="%s" text-anchor="end">%s</text>`, num(labelW-8), num(y+15), esc(barLabel(b.Label)))
		w.f(`<rect x="%s" y="%s" width="%s" height="18" fill="#dbe4f0" stroke="#7a93b5"/>`, num(labelW), num(y+2), num(math.Max(1, float64(b.Whole)*scale)))
		if b.Part > 0 {
			w.f(`<rect x="%s" y="%s" width="%s" height="18" fill="#2f6f4f"/>`, num(labelW), num(y+2), num(float64(b.Part)*scale))
		}
		label := itoa(b.Part) + " / " + itoa(b.Whole)
		if b.Flagged {
			label += " ⚑ outlier"
		}
		w.f(`<text x="%s" y="%s"%s>%s</text>`, num(labelW+float64(b.Whole)*scale+6), num(y+15), map[bool]string{true: ` fill="#a23b00" font-weight="600"`, false: ""}[b.Flagged], esc(label))
		w.f(`</g>`)
	}
	ly := top + rowH*float64(len(bars)) + 12
	w.f(`<rect x="%s" y="%s" width="12" height="12" fill="#2f6f4f"/><text x="%s" y="%s">approved</text>`, num(labelW), num(ly), num(labelW+16), num(ly+10))
	w.f(`<rect x="%s" y="%s" width="12" height="12" fill="#dbe4f0" stroke="#7a93b5"/><text x="%s" y="%s">nominated</text>`, num(labelW+90), num(ly), num(labelW+106), num(ly+10))
	w.f(`</svg>`)
	return w.Bytes()
}

func itoa(n int) string { return num(float64(n)) }

func barLabel(s string) string {
	r := []rune(s)
	if len(r) <= 22 {
		return s
	}
	return string(r[:21]) + "…"
}
