package svg

import (
	"strings"
	"testing"
)

func TestHeatmap(t *testing.T) {
	cols := []string{"Troubleshooting", "Communication", `Growing <others> & "friends"`}
	rows := []HeatRow{
		{Label: "Ada", Sub: "Senior Support Engineer", Href: "/people/1/readiness", Cells: []HeatCell{
			{Step: 2, Evidence: 3, Expected: true}, {Step: -1, Evidence: 0, Expected: true}, {Expected: false}}},
		{Label: "Bo <b>", Cells: []HeatCell{{Step: 3, Evidence: 1, Expected: true}}},
	}
	h := HeatmapOf(cols, rows, HeatmapOptions{Title: "Team of Mo"})
	if len(h.Rows[1].Cells) != 3 || h.Rows[1].Cells[2].Expected {
		t.Fatalf("short rows are not padded: %+v", h.Rows[1])
	}
	if got := h.CellLabel(h.Rows[0].Cells[0]); got != "Meets" {
		t.Errorf("label %q", got)
	}
	if got := h.CellLabel(h.Rows[0].Cells[1]); got != "–" {
		t.Errorf("unrated label %q", got)
	}
	if got := h.CellLabel(h.Rows[0].Cells[2]); got != "" {
		t.Errorf("not expected label %q", got)
	}
	doc := h.SVG()
	texts := wellFormed(t, doc)
	s := string(doc)
	if strings.Contains(s, "<others>") || strings.Contains(s, "<b>") {
		t.Error("names are not escaped")
	}
	all := strings.Join(texts["text"], "|")
	// Every rated cell has a word, not only a colour; evidence is counted.
	for _, w := range []string{"Meets", "Exceeds", "3 ev.", "1 ev.", "0 ev.", "Not yet", "Developing", "Ada", "Bo <b>", "Rating:"} {
		if !strings.Contains(all, w) {
			t.Errorf("texts lack %q: %s", w, all)
		}
	}
	titles := strings.Join(texts["title"], "|")
	for _, w := range []string{"Ada, Troubleshooting: meets, 3 evidence entries", "Ada, Communication: not rated yet, 0 evidence entries",
		`Ada, Growing <others> & "friends": not asked for`, "Team of Mo"} {
		if !strings.Contains(titles, w) {
			t.Errorf("titles lack %q", w)
		}
	}
	if !strings.Contains(s, `href="/people/1/readiness"`) || !strings.Contains(texts["desc"][0], "2 people by 3 competencies: 2 of 3 expected cells rated") {
		t.Errorf("link or desc: %s", texts["desc"])
	}
	if HeatmapOf(nil, nil, HeatmapOptions{}).Description() != "Nobody to show." {
		t.Error("empty description")
	}
	wellFormed(t, HeatmapOf(nil, nil, HeatmapOptions{Title: "empty"}).SVG())
}
