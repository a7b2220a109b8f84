package trellis

import (
	"strings"
	"unicode"
)

// Slug turns a name into an id: lowercase letters and digits joined by single
// dashes, camelCase split ("technicalSkills" -> "technical-skills"), at most
// MaxIDLength characters. Letters outside a-z are dropped after folding
// common accents away.
func Slug(name string) string {
	var b strings.Builder
	dash := false
	runes := []rune(name)
	for i, r := range runes {
		if unicode.IsUpper(r) && i > 0 && (unicode.IsLower(runes[i-1]) || unicode.IsDigit(runes[i-1]) ||
			(i+1 < len(runes) && unicode.IsLower(runes[i+1]) && unicode.IsUpper(runes[i-1]))) {
			dash = b.Len() > 0
		}
		r = unicode.ToLower(foldAccent(r))
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash {
				b.WriteByte('-')
				dash = false
			}
			b.WriteRune(r)
		default:
			dash = b.Len() > 0
		}
	}
	s := b.String()
	if len(s) > MaxIDLength {
		s = strings.TrimRight(s[:MaxIDLength], "-")
	}
	return s
}

func foldAccent(r rune) rune {
	switch {
	case strings.ContainsRune("àáâãäåÀÁÂÃÄÅ", r):
		return 'a'
	case strings.ContainsRune("èéêëÈÉÊË", r):
		return 'e'
	case strings.ContainsRune("ìíîïÌÍÎÏ", r):
		return 'i'
	case strings.ContainsRune("òóôõöøÒÓÔÕÖØ", r):
		return 'o'
	case strings.ContainsRune("ùúûüÙÚÛÜ", r):
		return 'u'
	case strings.ContainsRune("çÇ", r):
		return 'c'
	case strings.ContainsRune("ñÑ", r):
		return 'n'
	}
	return r
}

// Suggest returns the candidate closest to s by edit distance when it is close
// enough to be a likely misspelling, or "".
func Suggest(s string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		d := editDistance(s, c)
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	limit := max(1, min(len([]rune(s)), len([]rune(best)))/3)
	if bestDist < 0 || bestDist > limit {
		return ""
	}
	return best
}

// editDistance is the optimal-string-alignment distance between a and b, in
// runes: insertions, deletions, substitutions and swaps of two neighbouring
// runes ("nmae" for "name") each count one.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
