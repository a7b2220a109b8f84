package suggest

import (
	"strings"
	"unicode"
)

// token is one word of a text: its stem and where it sat.
type token struct {
	stem string
	word string // as written
	pos  int    // index among all words, stop words included
}

// tokenize splits text into words (letters and digits; an apostrophe inside a
// word is kept), lower-cases them, drops stop words and one-letter words, and
// stems the rest. Positions count every word so that stop words break
// phrases.
func tokenize(text string) []token {
	var out []token
	pos := 0
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		word := strings.Trim(text[start:end], "'’")
		start = -1
		p := pos
		pos++
		lower := strings.ToLower(word)
		lower = strings.TrimSuffix(strings.TrimSuffix(lower, "'s"), "’s")
		if len([]rune(lower)) < 2 || stopWords[lower] {
			return
		}
		out = append(out, token{stem: stem(lower), word: word, pos: p})
	}
	for i, r := range text {
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r) || ((r == '\'' || r == '’') && start >= 0)
		if inWord && start < 0 {
			start = i
		} else if !inWord {
			flush(i)
		}
	}
	flush(len(text))
	return out
}

// stem strips common English inflections so that "paired", "pairing" and
// "pairs" meet at "pair". It is deliberately small: plurals, -ing, -ed, -ly
// and a final silent e, which is enough to match an entry's words against
// the framework's texts.
func stem(w string) string {
	if len(w) <= 3 {
		return w
	}
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		w = w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses"):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"):
	case strings.HasSuffix(w, "s"):
		w = w[:len(w)-1]
	}
	switch {
	case strings.HasSuffix(w, "ied") && len(w) > 4:
		w = w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "eed"):
	case strings.HasSuffix(w, "ed") && hasVowel(w[:len(w)-2]) && len(w) > 4:
		w = undouble(w[:len(w)-2])
	case strings.HasSuffix(w, "ing") && hasVowel(w[:len(w)-3]) && len(w) > 5:
		w = undouble(w[:len(w)-3])
	case strings.HasSuffix(w, "ly") && len(w) > 5:
		w = w[:len(w)-2]
	}
	if strings.HasSuffix(w, "e") && len(w) > 3 {
		w = w[:len(w)-1]
	}
	return w
}

// undouble turns a doubled final consonant back into one ("logg" -> "log"),
// except for l, s and z ("call", "pass", "buzz").
func undouble(w string) string {
	n := len(w)
	if n >= 3 && w[n-1] == w[n-2] && !strings.ContainsRune("aeiouylsz", rune(w[n-1])) {
		return w[:n-1]
	}
	return w
}

func hasVowel(s string) bool { return strings.ContainsAny(s, "aeiouy") }

var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about above after again against all almost also am an and any are aren't as
	at be because been before being below between both but by can can't cannot could couldn't did didn't do does
	doesn't doing don't down during each either else etc even ever every few for from further get gets got had
	hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his how
	how's however i i'd i'll i'm i've if in into is isn't it it's its itself just let's like made make makes many
	may me might more most much must mustn't my myself no nor not now of off often on once one only or other
	others ought our ours ourselves out over own per put rather same shall shan't she she'd she'll she's should
	shouldn't since so some such than that that's the their theirs them themselves then there there's these they
	they'd they'll they're they've this those though through to too two under until up upon us use used uses
	using very via was wasn't we we'd we'll we're we've were weren't what what's when when's where where's
	whether which while who who's whom whose why why's will with within without won't would wouldn't yet you
	you'd you'll you're you've your yours yourself yourselves e.g i.e`) {
		m[w] = true
	}
	return m
}()
