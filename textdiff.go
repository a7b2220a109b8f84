package trellis

import (
	"strings"
	"unicode"
)

// DiffLine is one line of a diff between two texts: "=" kept, "-" only in
// the old text, "+" only in the new one. Text has no line break.
//
// When a removed line and an added line are two versions of the same
// sentence or paragraph, each carries Parts: the line cut into runs of words,
// "=" for what both versions share and "-" (on the removed line) or "+" (on
// the added line) for what changed, so a page can highlight the words.
// Joining the Texts of the Parts gives the line's Text back.
type DiffLine struct {
	Op    string     `json:"op"`
	Text  string     `json:"text"`
	Parts []DiffLine `json:"parts,omitempty"`
}

// maxDiffCells bounds the LCS table (lines x lines, or words x words); past
// it the changed middle is shown as removed then added, without alignment.
const maxDiffCells = 4_000_000

// DiffText diffs two texts line by line (a Markdown paragraph is a line),
// with a longest-common-subsequence alignment, then word by word within
// each changed line paired with its new version. Line endings \r\n count as
// \n.
func DiffText(a, b string) []DiffLine {
	al, bl := splitLines(a), splitLines(b)
	ops := diffTokens(al, bl)
	var out []DiffLine
	for i := 0; i < len(ops); {
		if ops[i].op == "=" {
			out = append(out, DiffLine{Op: "=", Text: ops[i].text})
			i++
			continue
		}
		// A hunk: consecutive removals and additions.
		var del, ins []string
		for ; i < len(ops) && ops[i].op != "="; i++ {
			if ops[i].op == "-" {
				del = append(del, ops[i].text)
			} else {
				ins = append(ins, ops[i].text)
			}
		}
		dl := make([]DiffLine, len(del))
		for k, t := range del {
			dl[k] = DiffLine{Op: "-", Text: t}
		}
		il := make([]DiffLine, len(ins))
		for k, t := range ins {
			il[k] = DiffLine{Op: "+", Text: t}
		}
		// Pair the k-th removed line with the k-th added one when they are
		// versions of each other: at least a third of their words shared.
		for k := 0; k < len(del) && k < len(ins); k++ {
			if p, q, ok := diffWords(del[k], ins[k]); ok {
				dl[k].Parts, il[k].Parts = p, q
			}
		}
		out = append(out, dl...)
		out = append(out, il...)
	}
	return out
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.TrimSuffix(s, "\n")
	return strings.Split(s, "\n")
}

type tokOp struct {
	op   string
	text string
}

// diffTokens aligns two token lists with an LCS over the middle left once
// the common prefix and suffix are taken off.
func diffTokens(a, b []string) []tokOp {
	var out []tokOp
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		out = append(out, tokOp{"=", a[pre]})
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	am, bm := a[pre:len(a)-suf], b[pre:len(b)-suf]
	n, m := len(am), len(bm)
	if n*m > maxDiffCells {
		for _, t := range am {
			out = append(out, tokOp{"-", t})
		}
		for _, t := range bm {
			out = append(out, tokOp{"+", t})
		}
	} else {
		// lcs[i][j] is the LCS length of am[i:] and bm[j:].
		lcs := make([][]int32, n+1)
		for i := range lcs {
			lcs[i] = make([]int32, m+1)
		}
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				if am[i] == bm[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < n || j < m {
			switch {
			case i < n && j < m && am[i] == bm[j]:
				out = append(out, tokOp{"=", am[i]})
				i++
				j++
			case j == m || i < n && lcs[i+1][j] >= lcs[i][j+1]:
				out = append(out, tokOp{"-", am[i]})
				i++
			default:
				out = append(out, tokOp{"+", bm[j]})
				j++
			}
		}
	}
	for k := len(a) - suf; k < len(a); k++ {
		out = append(out, tokOp{"=", a[k]})
	}
	return out
}

// diffWords returns the word-level parts of an old and a new line, or false
// when they share too little for a word diff to help.
func diffWords(a, b string) (old, new []DiffLine, ok bool) {
	at, bt := splitWords(a), splitWords(b)
	ops := diffTokens(at, bt)
	shared, words := 0, 0
	for _, o := range ops {
		if strings.TrimSpace(o.text) == "" {
			continue
		}
		words++
		if o.op == "=" {
			shared += 2
			words++
		}
	}
	if words == 0 || shared*3 < words {
		return nil, nil, false
	}
	add := func(list []DiffLine, op, text string) []DiffLine {
		if n := len(list); n > 0 && list[n-1].Op == op {
			list[n-1].Text += text
			return list
		}
		return append(list, DiffLine{Op: op, Text: text})
	}
	for _, o := range ops {
		switch o.op {
		case "=":
			old = add(old, "=", o.text)
			new = add(new, "=", o.text)
		case "-":
			old = add(old, "-", o.text)
		case "+":
			new = add(new, "+", o.text)
		}
	}
	return old, new, true
}

// splitWords cuts a line into words and the runs of spaces and punctuation
// between them, so that joining the pieces gives the line back.
func splitWords(s string) []string {
	var out []string
	start := 0
	kind := func(r rune) int {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’':
			return 0
		case unicode.IsSpace(r):
			return 1
		}
		return 2
	}
	prev := -1
	for i, r := range s {
		k := kind(r)
		// Punctuation stands alone; words and spaces run.
		if i > start && (k != prev || k == 2) {
			out = append(out, s[start:i])
			start = i
		}
		prev = k
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}
