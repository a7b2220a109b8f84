package trellis_test

import (
	"fmt"
	"strings"
	"testing"

	"trellis"
)

// render shows a diff compactly: one line per DiffLine, word changes in
// [-removed-] and {+added+}.
func render(lines []trellis.DiffLine) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.Op + " ")
		if l.Parts == nil {
			b.WriteString(l.Text)
		}
		for _, p := range l.Parts {
			switch p.Op {
			case "=":
				b.WriteString(p.Text)
			case "-":
				b.WriteString("[-" + p.Text + "-]")
			case "+":
				b.WriteString("{+" + p.Text + "+}")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestDiffText(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want string
	}{
		{"same", "One.\nTwo.", "One.\nTwo.\n", "= One.\n= Two.\n"},
		{"both empty", "", "", ""},
		{"from nothing", "", "Sam leads.", "+ Sam leads.\n"},
		{"to nothing", "Sam leads.\n", "", "- Sam leads.\n"},
		{"line added in the middle", "## Summary\n\nSam leads.\n", "## Summary\n\nSam leads.\n\nSam mentors.\n",
			"= ## Summary\n= \n= Sam leads.\n+ \n+ Sam mentors.\n"},
		{"a word changed in a paragraph",
			"Summary\nSam cut the median time to first reply from 9 to 4 hours.\nEnd",
			"Summary\nSam cut the median time to first reply from 9 to 3 hours across four teams.\nEnd",
			"= Summary\n- Sam cut the median time to first reply from 9 to [-4-] hours.\n+ Sam cut the median time to first reply from 9 to {+3+} hours{+ across four teams+}.\n= End\n"},
		{"a line rewritten entirely is not word-diffed",
			"Alpha beta gamma.", "Completely different words here.",
			"- Alpha beta gamma.\n+ Completely different words here.\n"},
		{"lines moved",
			"a\nb\nc", "b\nc\na",
			"- a\n= b\n= c\n+ a\n"},
		{"CRLF equals LF", "x\r\ny\r\n", "x\ny", "= x\n= y\n"},
	}
	for _, tc := range tests {
		if got := render(trellis.DiffText(tc.a, tc.b)); got != tc.want {
			t.Errorf("%s:\n got:\n%s\nwant:\n%s", tc.name, got, tc.want)
		}
	}
}

func TestDiffTextPartsRebuildTheLine(t *testing.T) {
	a := "Sam rebuilt the escalation path, and time to resolution fell by 30%.\nKept."
	b := "Sam led the rebuild of the escalation path; time to resolution fell by 35% (see the dashboard).\nKept."
	for _, l := range trellis.DiffText(a, b) {
		if l.Parts == nil {
			continue
		}
		var s strings.Builder
		for _, p := range l.Parts {
			if p.Op != "=" && p.Op != l.Op {
				t.Errorf("part %q in a %q line", p.Op, l.Op)
			}
			s.WriteString(p.Text)
		}
		if s.String() != l.Text {
			t.Errorf("parts give %q, line is %q", s.String(), l.Text)
		}
	}
}

func TestDiffTextLarge(t *testing.T) {
	// Two unrelated texts of 3,000 lines each exceed the LCS table bound and
	// come out as removed then added, in order.
	var a, b strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&a, "old %d\n", i)
		fmt.Fprintf(&b, "new %d\n", i)
	}
	got := trellis.DiffText("same\n"+a.String()+"end", "same\n"+b.String()+"end")
	if len(got) != 6002 || got[0].Op != "=" || got[1].Text != "old 0" || got[3001].Text != "new 0" || got[6001].Text != "end" {
		t.Errorf("large diff: %d lines, first %+v", len(got), got[:2])
	}
}
