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

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
