// Package suggest proposes the competencies a journal entry most likely
// shows. It works offline: the entry's words are ranked with BM25 against,
// per competency, the framework's own texts (its name and description, the
// description of its levels, what every role expects and the markers of
// those expectations), and the entry's activity kind adds the competencies
// the framework hints for it. Nothing leaves the process and no model is
// loaded; the person accepts or rejects each suggestion.
package suggest

import (
	"math"
	"sort"
	"strings"

	"trellis"
)

// BM25 parameters and the weights of the parts of a competency's text.
const (
	k1 = 1.2
	b  = 0.75

	weightName   = 3 // the competency's name
	weightMarker = 2 // observable markers of expectations
	weightText   = 1 // descriptions and expectation texts

	// HintBoost is what an activity's hint adds to a competency's score:
	// about one strong word's worth. The first hinted competency gets all
	// of it, each further one a tenth less, so that the framework's order
	// of hints breaks ties.
	HintBoost = 3.0

	maxReasons = 6
)

// Suggestion is one competency an entry likely shows. Reasons are the
// phrases of the entry that matched the competency's texts, a marker the
// entry echoes ("marker: ..."), and "activity: NAME" when the entry's
// activity hints the competency.
type Suggestion struct {
	Competency string   `json:"competency"`
	Score      float64  `json:"score"`
	Reasons    []string `json:"reasons"`
}

type posting struct {
	doc int
	tf  float64
}

type marker struct {
	text  string
	stems []string // unique
}

// Index ranks competencies of one framework version against entry texts.
// It is immutable once built and safe for concurrent use.
type Index struct {
	comps      []string // competency ids, framework order
	length     []float64
	avgLength  float64
	postings   map[string][]posting
	idf        map[string]float64
	markers    [][]marker
	activities map[string]trellis.Activity // by id and by lower-case name
}

// New builds the index of a framework. It takes about two milliseconds for
// a framework the size of the default one: build it once per framework
// version and share it.
func New(fw *trellis.Framework) *Index {
	ix := &Index{
		postings:   map[string][]posting{},
		idf:        map[string]float64{},
		activities: map[string]trellis.Activity{},
	}
	if fw == nil {
		return ix
	}
	n := len(fw.Competencies)
	ix.comps = make([]string, n)
	ix.length = make([]float64, n)
	ix.markers = make([][]marker, n)
	tfs := make([]map[string]float64, n)
	docOf := map[string]int{}
	for i, c := range fw.Competencies {
		ix.comps[i] = c.ID
		docOf[c.ID] = i
		tfs[i] = map[string]float64{}
		ix.addText(tfs[i], i, c.Name, weightName)
		ix.addText(tfs[i], i, c.Description, weightText)
		for _, l := range c.Levels {
			ix.addText(tfs[i], i, l.Name+" "+l.Description, weightText)
		}
	}
	for _, r := range fw.Roles {
		for _, e := range r.Expectations {
			i, ok := docOf[e.Competency]
			if !ok {
				continue
			}
			ix.addText(tfs[i], i, e.Text, weightText)
			for _, m := range e.Markers {
				ix.addText(tfs[i], i, m, weightMarker)
				ix.markers[i] = append(ix.markers[i], marker{text: m, stems: uniqueStems(tokenize(m))})
			}
		}
	}
	total := 0.0
	df := map[string]int{}
	for i := range tfs {
		total += ix.length[i]
		// Postings in document order keep scoring deterministic.
		for t, tf := range tfs[i] {
			ix.postings[t] = append(ix.postings[t], posting{doc: i, tf: tf})
			df[t]++
		}
	}
	for t, ps := range ix.postings {
		sort.Slice(ps, func(a, b int) bool { return ps[a].doc < ps[b].doc })
		ix.idf[t] = math.Log(1 + (float64(n)-float64(df[t])+0.5)/(float64(df[t])+0.5))
	}
	if n > 0 {
		ix.avgLength = total / float64(n)
	}
	for _, a := range fw.Activities {
		ix.activities[a.ID] = a
		ix.activities[strings.ToLower(a.Name)] = a
	}
	return ix
}

func (ix *Index) addText(tf map[string]float64, doc int, text string, weight float64) {
	for _, t := range tokenize(text) {
		tf[t.stem] += weight
		ix.length[doc] += weight
	}
}

func uniqueStems(toks []token) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range toks {
		if !seen[t.stem] {
			seen[t.stem] = true
			out = append(out, t.stem)
		}
	}
	return out
}

// Suggest returns up to n competencies (all when n <= 0) that the entry
// most likely shows, best first, each with a score above zero and its
// reasons. text is the entry's words (title, what happened, the person's
// part, the result); activity is the entry's activity id (or name). Ties
// fall back to framework order, so the answer is deterministic.
func (ix *Index) Suggest(text, activity string, n int) []Suggestion {
	nd := len(ix.comps)
	if nd == 0 {
		return []Suggestion{}
	}
	toks := tokenize(text)
	stems := uniqueStems(toks)
	scores := make([]float64, nd)
	// contrib[doc][stem] is what the stem added to the doc's score.
	contrib := make([]map[string]float64, nd)
	for _, s := range stems {
		idf := ix.idf[s]
		for _, p := range ix.postings[s] {
			norm := k1 * (1 - b + b*ix.length[p.doc]/ix.avgLength)
			c := idf * p.tf * (k1 + 1) / (p.tf + norm)
			scores[p.doc] += c
			if contrib[p.doc] == nil {
				contrib[p.doc] = map[string]float64{}
			}
			contrib[p.doc][s] = c
		}
	}
	hinted := map[int]string{}
	if a, ok := ix.activity(activity); ok {
		for i, c := range a.Competencies {
			for d, id := range ix.comps {
				if id == c {
					if _, dup := hinted[d]; !dup {
						scores[d] += HintBoost * (1 - 0.1*float64(min(i, 9)))
						hinted[d] = "activity: " + a.Name
					}
				}
			}
		}
	}
	order := make([]int, 0, nd)
	for d := range nd {
		if scores[d] > 0 {
			order = append(order, d)
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return scores[order[i]] > scores[order[j]] })
	if n > 0 && len(order) > n {
		order = order[:n]
	}
	out := make([]Suggestion, 0, len(order))
	for _, d := range order {
		s := Suggestion{Competency: ix.comps[d], Score: math.Round(scores[d]*1000) / 1000, Reasons: []string{}}
		if r, ok := hinted[d]; ok {
			s.Reasons = append(s.Reasons, r)
		}
		s.Reasons = append(s.Reasons, phrases(toks, contrib[d])...)
		if m := ix.echoedMarker(d, contrib[d]); m != "" {
			s.Reasons = append(s.Reasons, "marker: "+m)
		}
		out = append(out, s)
	}
	return out
}

func (ix *Index) activity(a string) (trellis.Activity, bool) {
	a = strings.TrimSpace(a)
	if a == "" {
		return trellis.Activity{}, false
	}
	if act, ok := ix.activities[a]; ok {
		return act, true
	}
	act, ok := ix.activities[strings.ToLower(a)]
	return act, ok
}

// phrases groups the entry's matching words into phrases as written (words
// next to each other in the entry form one phrase), strongest first.
func phrases(toks []token, contrib map[string]float64) []string {
	if len(contrib) == 0 {
		return nil
	}
	type phrase struct {
		text  string
		score float64
		first int
	}
	var ps []phrase
	seen := map[string]bool{}
	for i := 0; i < len(toks); {
		if _, ok := contrib[toks[i].stem]; !ok {
			i++
			continue
		}
		j := i + 1
		for j < len(toks) && toks[j].pos == toks[j-1].pos+1 {
			if _, ok := contrib[toks[j].stem]; !ok {
				break
			}
			j++
		}
		words := make([]string, 0, j-i)
		score := 0.0
		counted := map[string]bool{}
		for _, t := range toks[i:j] {
			words = append(words, t.word)
			if !counted[t.stem] {
				counted[t.stem] = true
				score += contrib[t.stem]
			}
		}
		text := strings.Join(words, " ")
		if key := strings.ToLower(text); !seen[key] {
			seen[key] = true
			ps = append(ps, phrase{text: text, score: score, first: i})
		}
		i = j
	}
	sort.SliceStable(ps, func(a, b int) bool { return ps[a].score > ps[b].score })
	out := make([]string, 0, min(len(ps), maxReasons))
	for _, p := range ps[:min(len(ps), maxReasons)] {
		out = append(out, p.text)
	}
	return out
}

// echoedMarker returns the marker of competency d that the entry echoes
// most: at least two of its words, and at least half of them, appear in the
// entry. "" when none does.
func (ix *Index) echoedMarker(d int, contrib map[string]float64) string {
	best, bestShare := "", 0.0
	for _, m := range ix.markers[d] {
		hit := 0
		for _, s := range m.stems {
			if _, ok := contrib[s]; ok {
				hit++
			}
		}
		share := float64(hit) / float64(max(len(m.stems), 1))
		if hit >= 2 && share >= 0.5 && share > bestShare {
			best, bestShare = m.text, share
		}
	}
	return best
}
