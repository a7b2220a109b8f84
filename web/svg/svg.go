// Package svg draws the product's charts as self-contained SVG documents on
// the server: no script, no external style, every text escaped. Each chart
// computes a layout first (a plain value tests can inspect) and renders it
// second.
package svg

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// FontFamily is the font stack every chart uses.
const FontFamily = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"

// esc escapes s for use in SVG text and attribute values.
func esc(s string) string {
	var b strings.Builder
	// EscapeText never fails on a strings.Builder.
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// num formats a coordinate compactly.
func num(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// writer is a small helper to build SVG markup.
type writer struct {
	bytes.Buffer
}

func (w *writer) f(format string, args ...any) {
	fmt.Fprintf(&w.Buffer, format, args...)
}

// wrap breaks s into lines of at most width runes at spaces, at most maxLines
// lines; a line ends in an ellipsis when text had to be cut.
func wrap(s string, width, maxLines int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(s) {
		if cur != "" && len([]rune(cur))+1+len([]rune(w)) > width {
			lines = append(lines, cur)
			cur = ""
		}
		if cur == "" {
			cur = w
		} else {
			cur += " " + w
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	if len(lines) > maxLines {
		lines[maxLines-1] = strings.Join(lines[maxLines-1:], " ")
		lines = lines[:maxLines]
	}
	for i := range lines {
		lines[i] = truncate(lines[i], width)
	}
	return lines
}

func truncate(s string, width int) string {
	r := []rune(s)
	if len(r) <= width {
		return s
	}
	return strings.TrimRight(string(r[:width-1]), " ") + "…"
}
