package markdown

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"

	"trellis"
)

// The promotion-document checks: the style rules of a promotion document,
// run beside the editor and before submitting. Each finding names its
// check, its section and the sentence it is about, with the byte offset of
// that sentence in the section's Markdown so that the editor can point at
// it. Markdown is parsed with the same parser that renders it and only the
// text people read is checked: code spans and bare addresses are skipped,
// link text is kept.
//
// Severity "error" is a rule of the process (third person, no pay or
// ratings, word limits, every value shown): fix it before submitting.
// "warning" is a style rule worth a look (numbers, links, short sentences,
// acronyms, competency areas): the author may have a good reason.

// Check names.
const (
	CheckThirdPerson    = "third-person"
	CheckNumbers        = "numbers"
	CheckLinks          = "links"
	CheckSentenceLength = "sentence-length"
	CheckAcronyms       = "acronyms"
	CheckValues         = "values"
	CheckAreas          = "competency-areas"
	CheckWordLimit      = "word-limit"
	CheckPayAndRatings  = "pay-and-ratings"
)

// Severities.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// MaxSentenceWords is the longest sentence the checks accept.
const MaxSentenceWords = 30

// minClaimWords: a paragraph or bullet shorter than this is a lead-in or a
// label ("Three results:"), not a claim, and needs no number or link.
const minClaimWords = 8

// Finding is one problem a check found.
type Finding struct {
	Check   string `json:"check"`
	Section string `json:"section"` // the section id; "" for the whole document
	// Sentence is the plain text of the sentence the finding is about; ""
	// when it is about the whole section or document.
	Sentence string `json:"sentence,omitempty"`
	// Offset is the byte offset of the sentence in the section's Markdown.
	Offset   int    `json:"offset"`
	Message  string `json:"message"`
	Severity string `json:"severity"`
}

// CheckDocument runs every check on d, judged against fw with template tpl
// (nil: the document's template in fw). Findings come section by section
// in template order, by position within a section, and the document-wide
// ones (competency areas) last.
func CheckDocument(d *trellis.Document, fw *trellis.Framework, tpl *trellis.Template) []Finding {
	if d == nil {
		return nil
	}
	if tpl == nil && fw != nil {
		for i := range fw.Templates {
			if fw.Templates[i].ID == d.TemplateID {
				tpl = &fw.Templates[i]
			}
		}
		if tpl == nil {
			tpl, _ = fw.TemplateFor(d.TargetRole)
		}
	}
	var sections []trellis.Section
	if tpl != nil {
		sections = tpl.Sections
	} else {
		for _, s := range d.Sections {
			sections = append(sections, trellis.Section{ID: s.ID, Title: s.ID})
		}
	}

	var out []Finding
	acr := newAcronyms()
	parsed := make([]*parsedSection, len(sections))
	for i, s := range sections {
		parsed[i] = parseSection(s, d.Section(s.ID))
	}
	valuesAt := valuesSection(sections)
	for i, s := range sections {
		p := parsed[i]
		var fs []Finding
		for _, u := range p.units {
			for _, sen := range u.sentences {
				fs = append(fs, sentenceFindings(s.ID, sen)...)
				fs = append(fs, acr.check(s.ID, sen)...)
			}
			fs = append(fs, unitFindings(s, u)...)
		}
		if s.MaxWords > 0 && p.words > s.MaxWords {
			fs = append(fs, Finding{Check: CheckWordLimit, Section: s.ID, Sentence: p.overLimit.text, Offset: p.overLimit.offset, Severity: SeverityError,
				Message: fmt.Sprintf("%s has %d words; it may have at most %d. The limit is passed in this sentence.", s.Title, p.words, s.MaxWords)})
		}
		slices.SortStableFunc(fs, func(a, b Finding) int { return a.Offset - b.Offset })
		out = append(out, fs...)
		if i == valuesAt && fw != nil {
			out = append(out, valueFindings(s.ID, p.plain(), fw)...)
		}
	}
	if valuesAt < 0 && fw != nil {
		var all strings.Builder
		for _, p := range parsed {
			all.WriteString(p.plain())
			all.WriteString("\n")
		}
		out = append(out, valueFindings("", all.String(), fw)...)
	}
	if fw != nil {
		var all strings.Builder
		for _, p := range parsed {
			all.WriteString(p.plain())
			all.WriteString("\n")
		}
		out = append(out, areaFindings(d.TargetRole, all.String(), fw)...)
	}
	return out
}

// parsedSection is a section's text as people read it.
type parsedSection struct {
	units     []*unit
	words     int
	overLimit sentence // the sentence in which the word limit is passed
}

// unit is a top-level paragraph, heading, table or list item (with its
// nested content): the unit that a claim is made in.
type unit struct {
	heading   bool
	links     int
	words     int
	sentences []sentence
	text      string
}

type sentence struct {
	text   string // plain text
	offset int    // byte offset in the section's Markdown
	// checked is text with code, addresses and quoted words blanked out:
	// what the word checks look at. Same length as text.
	checked string
}

func (p *parsedSection) plain() string {
	var b strings.Builder
	for _, u := range p.units {
		b.WriteString(u.text)
		b.WriteString("\n")
	}
	return b.String()
}

// run is the plain text of one leaf block, with the source offset of each
// byte and which bytes the word checks skip.
type run struct {
	text []byte
	src  []int
	skip []bool
}

func (r *run) add(s []byte, start int, skip bool, fixed bool) {
	for i := range s {
		r.text = append(r.text, s[i])
		off := start + i
		if fixed {
			off = start
		}
		r.src = append(r.src, off)
		r.skip = append(r.skip, skip)
	}
}

func (r *run) last() int {
	if len(r.src) == 0 {
		return 0
	}
	return r.src[len(r.src)-1] + 1
}

func parseSection(s trellis.Section, src string) *parsedSection {
	p := &parsedSection{}
	if strings.TrimSpace(src) == "" {
		return p
	}
	source := []byte(src)
	doc := renderer.Parser().Parse(text.NewReader(source))
	var units []ast.Node
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if l, ok := n.(*ast.List); ok {
			for it := l.FirstChild(); it != nil; it = it.NextSibling() {
				units = append(units, it)
			}
			continue
		}
		units = append(units, n)
	}
	total := 0
	for _, n := range units {
		u := &unit{}
		_, u.heading = n.(*ast.Heading)
		var texts []string
		_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
			if !entering {
				return ast.WalkContinue, nil
			}
			switch c.(type) {
			case *ast.Link, *ast.AutoLink:
				u.links++
			}
			switch c.(type) {
			case *ast.Paragraph, *ast.Heading, *ast.TextBlock, *east.TableCell:
				r := &run{}
				inline(r, c, source, false)
				if len(bytes.TrimSpace(r.text)) > 0 {
					u.sentences = append(u.sentences, splitSentences(r)...)
					texts = append(texts, string(r.text))
				}
				// Links inside are counted by continuing the walk.
				return ast.WalkContinue, nil
			case *ast.FencedCodeBlock, *ast.CodeBlock, *ast.HTMLBlock:
				return ast.WalkSkipChildren, nil
			}
			return ast.WalkContinue, nil
		})
		u.text = strings.Join(texts, "\n")
		for _, sen := range u.sentences {
			w := countWords(sen.text)
			u.words += w
			if total <= s.MaxWords && total+w > s.MaxWords && p.overLimit.text == "" {
				p.overLimit = sen
			}
			total += w
		}
		p.units = append(p.units, u)
	}
	p.words = total
	return p
}

// inline appends the readable text under n to r.
func inline(r *run, n ast.Node, source []byte, skip bool) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			r.add(c.Segment.Value(source), c.Segment.Start, skip, false)
			if c.SoftLineBreak() || c.HardLineBreak() {
				r.add([]byte{' '}, c.Segment.Stop, skip, true)
			}
		case *ast.String:
			r.add(c.Value, r.last(), skip, true)
		case *ast.CodeSpan:
			inline(r, c, source, true)
		case *ast.AutoLink:
			at := c.Pos()
			label := c.Label(source)
			if at < 0 {
				if i := bytes.Index(source[min(r.last(), len(source)):], label); i >= 0 {
					at = r.last() + i
				} else {
					at = r.last()
				}
			}
			r.add(label, at, true, false)
		case *ast.Image, *ast.RawHTML, *east.TaskCheckBox:
			// Not prose.
		default:
			inline(r, c, source, skip)
		}
	}
}

// abbreviations never end a sentence; the ones in endingAbbrev may, when
// the next word starts with a capital letter.
var (
	abbreviations = map[string]bool{
		"e.g.": true, "i.e.": true, "etc.": true, "vs.": true, "mr.": true, "mrs.": true, "ms.": true, "dr.": true,
		"prof.": true, "inc.": true, "ltd.": true, "co.": true, "approx.": true, "incl.": true, "no.": true,
		"fig.": true, "st.": true, "jr.": true, "sr.": true, "a.m.": true, "p.m.": true, "cf.": true, "al.": true,
		"jan.": true, "feb.": true, "mar.": true, "apr.": true, "jun.": true, "jul.": true, "aug.": true,
		"sep.": true, "sept.": true, "oct.": true, "nov.": true, "dec.": true, "min.": true, "max.": true,
		"avg.": true, "est.": true, "dept.": true, "u.s.": true, "u.k.": true,
	}
	endingAbbrev = map[string]bool{"etc.": true, "a.m.": true, "p.m.": true, "inc.": true, "ltd.": true, "co.": true}
)

// splitSentences cuts a run into sentences at '.', '!' and '?' followed by
// a space and a word that does not start in lower case, except after an
// abbreviation or an initial ("J. Smith"). Decimals ("3.5") and addresses
// never split because no space follows their dots.
func splitSentences(r *run) []sentence {
	var out []sentence
	checked := maskQuotes(r)
	emit := func(start, end int) {
		for start < end && isSpace(r.text[start]) {
			start++
		}
		for end > start && isSpace(r.text[end-1]) {
			end--
		}
		if start >= end {
			return
		}
		out = append(out, sentence{text: string(r.text[start:end]), offset: r.src[start], checked: string(checked[start:end])})
	}
	start := 0
	t := r.text
	for i := 0; i < len(t); i++ {
		c := t[i]
		if r.skip[i] || (c != '.' && c != '!' && c != '?') {
			continue
		}
		end := i + 1
		for end < len(t) && strings.IndexByte(`"')]*_`, t[end]) >= 0 {
			end++
		}
		if end < len(t) && utf8.RuneStart(t[end]) {
			// Closing curly quotes.
			if r, n := utf8.DecodeRune(t[end:]); r == '”' || r == '’' {
				end += n
			}
		}
		if end < len(t) && !isSpace(t[end]) {
			continue
		}
		next := end
		for next < len(t) && isSpace(t[next]) {
			next++
		}
		nextRune, _ := utf8.DecodeRune(t[next:])
		if next < len(t) && unicode.IsLower(nextRune) {
			continue
		}
		if c == '.' {
			w := i
			for w > start && !isSpace(t[w-1]) {
				w--
			}
			word := strings.ToLower(strings.TrimLeft(string(t[w:i+1]), `"'([*_`))
			if abbreviations[word] && !(endingAbbrev[word] && next < len(t) && unicode.IsUpper(nextRune)) {
				continue
			}
			// An initial: one capital letter and a dot.
			if len(word) == 2 && unicode.IsLetter(rune(t[i-1])) && unicode.IsUpper(rune(t[i-1])) {
				continue
			}
		}
		emit(start, end)
		start = end
		i = end - 1
	}
	emit(start, len(t))
	return out
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// maskQuotes returns the run's text with skipped bytes and everything
// between double quotes (straight or curly) replaced by spaces.
func maskQuotes(r *run) []byte {
	out := make([]byte, len(r.text))
	copy(out, r.text)
	in := false
	for i := 0; i < len(r.text); {
		ru, n := utf8.DecodeRune(r.text[i:])
		switch {
		case r.skip[i]:
			blank(out[i : i+n])
		case ru == '"':
			in = !in
			blank(out[i : i+n])
		case ru == '“':
			in = true
			blank(out[i : i+n])
		case ru == '”':
			in = false
			blank(out[i : i+n])
		case in:
			blank(out[i : i+n])
		}
		i += n
	}
	return out
}

func blank(b []byte) {
	for i := range b {
		b[i] = ' '
	}
}

// countWords counts words: runs with a letter or digit.
func countWords(s string) int {
	n := 0
	for _, f := range strings.Fields(s) {
		if strings.IndexFunc(f, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			n++
		}
	}
	return n
}

// firstPerson lists the first-person words. "I" counts only as a capital;
// the others in lower case or capitalised, never in capitals ("US", "ME"
// are names).
var firstPerson = map[string]bool{
	"i": true, "i'm": true, "i've": true, "i'd": true, "i'll": true,
	"me": true, "my": true, "mine": true, "myself": true,
	"we": true, "we're": true, "we've": true, "we'd": true, "we'll": true,
	"us": true, "our": true, "ours": true, "ourselves": true,
}

func firstPersonWords(checked string) []string {
	var found []string
	words := strings.FieldsFunc(checked, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '’'
	})
	for _, w := range words {
		w = strings.Trim(w, "'’")
		norm := strings.ReplaceAll(w, "’", "'")
		lower := strings.ToLower(norm)
		if !firstPerson[lower] {
			continue
		}
		first, _ := utf8.DecodeRuneInString(norm)
		if lower == "i" || strings.HasPrefix(lower, "i'") {
			if first != 'I' {
				continue
			}
		} else if utf8.RuneCountInString(w) > 1 && strings.ToUpper(norm) == norm {
			continue
		}
		if !slices.Contains(found, w) {
			found = append(found, w)
		}
	}
	return found
}

// payRules find pay and performance ratings in lower-cased text; money
// amounts only warn, because revenue kept or costs saved are business
// results.
var payRules = []struct {
	// triggers: the regexp runs only on text containing one of them.
	triggers []string
	re       *regexp.Regexp
	warnOnly bool
	what     string
}{
	{[]string{"salar", "compensation", "pay", "bonus", "equity", "stock option", "rsu", "merit increase", "raise"},
		regexp.MustCompile(`\b(salar(y|ies)|compensation|pay (rise|raise|increase|band|grade|bump)|base pay|payroll|bonus(es)?|equity (grant|award|refresh)|stock options?|rsus?|merit increase|(a|his|her|their) raise)\b`), false, "pay"},
	{[]string{"expectations", "performance", "rated", "rating", "performer", "box", "calibration score"},
		regexp.MustCompile(`\b((exceeds|exceeded|meets|met|below|above) expectations|performance (rating|score|review score)|rated \d(\.\d)?\s*(/|out of)\s*\d|rating of \d|\d\s*/\s*5 rating|top performer|performance improvement plan|nine-box|9-box|calibration score)\b`), false, "a performance rating"},
	{[]string{"$", "€", "£", "¥", "usd", "eur", "gbp", "dollar", "pound"},
		regexp.MustCompile(`[$€£¥]\s?\d|\b\d[\d,.]*\s?(usd|eur|gbp|dollars|euros|pounds)\b|\b(usd|eur|gbp)\s?\d`), true, "a money amount"},
}

func sentenceFindings(section string, s sentence) []Finding {
	var out []Finding
	if words := firstPersonWords(s.checked); len(words) > 0 {
		out = append(out, Finding{Check: CheckThirdPerson, Section: section, Sentence: s.text, Offset: s.offset, Severity: SeverityError,
			Message: fmt.Sprintf("Write in the third person: %s. Use the candidate's name or \"they\"; quotes are fine.", quoteList(words))})
	}
	if n := countWords(s.text); n > MaxSentenceWords {
		out = append(out, Finding{Check: CheckSentenceLength, Section: section, Sentence: s.text, Offset: s.offset, Severity: SeverityWarning,
			Message: fmt.Sprintf("This sentence has %d words; keep sentences to %d or fewer.", n, MaxSentenceWords)})
	}
	lower := strings.ToLower(s.checked)
	for _, r := range payRules {
		if !slices.ContainsFunc(r.triggers, func(t string) bool { return strings.Contains(lower, t) }) {
			continue
		}
		loc := r.re.FindStringIndex(lower)
		if loc == nil {
			continue
		}
		m := s.checked[loc[0]:loc[1]]
		if r.warnOnly {
			out = append(out, Finding{Check: CheckPayAndRatings, Section: section, Sentence: s.text, Offset: s.offset, Severity: SeverityWarning,
				Message: fmt.Sprintf("%q is a money amount. Business figures (revenue kept, costs saved) are fine; never mention pay.", m)})
		} else {
			out = append(out, Finding{Check: CheckPayAndRatings, Section: section, Sentence: s.text, Offset: s.offset, Severity: SeverityError,
				Message: fmt.Sprintf("%q reads as %s; a promotion document never mentions pay or performance ratings.", m, r.what)})
		}
		break
	}
	return out
}

func quoteList(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = fmt.Sprintf("%q", w)
	}
	return strings.Join(q, ", ")
}

var numberWords = regexp.MustCompile(`\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|hundreds|thousand|thousands|million|millions|billion|dozen|dozens|half|twice|double|doubled|triple|tripled|halved|percent|per cent)\b`)

// unitFindings checks a claim: numbers in the results sections, a link in
// sections that evidence competencies.
func unitFindings(s trellis.Section, u *unit) []Finding {
	if u.heading || u.words < minClaimWords || len(u.sentences) == 0 {
		return nil
	}
	var out []Finding
	first := u.sentences[0]
	if isResults(s) && !strings.ContainsFunc(u.text, unicode.IsDigit) && !numberWords.MatchString(strings.ToLower(u.text)) {
		out = append(out, Finding{Check: CheckNumbers, Section: s.ID, Sentence: first.text, Offset: first.offset, Severity: SeverityWarning,
			Message: "This result has no number. Say what changed with a figure, before and after where possible."})
	}
	if len(s.Competencies) > 0 && u.links == 0 {
		out = append(out, Finding{Check: CheckLinks, Section: s.ID, Sentence: first.text, Offset: first.offset, Severity: SeverityWarning,
			Message: "This claim has no link. Link the artifact behind it: a ticket, merge request, documentation page or recording."})
	}
	return out
}

func isResults(s trellis.Section) bool {
	return strings.Contains(strings.ToLower(s.ID), "result") || strings.Contains(strings.ToLower(s.Title), "result")
}

// valuesSection returns the index of the section where values are shown:
// the one whose id or title speaks of values, -1 for none (then the whole
// document is searched).
func valuesSection(sections []trellis.Section) int {
	for i, s := range sections {
		if strings.Contains(strings.ToLower(s.ID), "value") || strings.Contains(strings.ToLower(s.Title), "value") {
			return i
		}
	}
	return -1
}

// mentions reports whether text names any of the phrases as whole words,
// case-insensitively.
func mentions(text string, phrases ...string) bool {
	lower := strings.ToLower(text)
	isWord := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	for _, p := range phrases {
		p = strings.ToLower(strings.TrimSpace(p))
		if p == "" {
			continue
		}
		for from := 0; from < len(lower); {
			i := strings.Index(lower[from:], p)
			if i < 0 {
				break
			}
			i += from
			before, _ := utf8.DecodeLastRuneInString(lower[:i])
			after, _ := utf8.DecodeRuneInString(lower[i+len(p):])
			if (i == 0 || !isWord(before)) && (i+len(p) == len(lower) || !isWord(after)) {
				return true
			}
			from = i + 1
		}
	}
	return false
}

// valueNames are the ways a value may be named: its name, the name up to
// its first comma ("Diversity" for "Diversity, inclusion and belonging"),
// its id and its id with spaces.
func valueNames(id, name string) []string {
	names := []string{name, id, strings.ReplaceAll(id, "-", " ")}
	if i := strings.Index(name, ","); i > 0 {
		names = append(names, name[:i])
	}
	return names
}

func valueFindings(section, plain string, fw *trellis.Framework) []Finding {
	var out []Finding
	for _, v := range fw.Values {
		if !mentions(plain, valueNames(v.ID, v.Name)...) {
			out = append(out, Finding{Check: CheckValues, Section: section, Severity: SeverityError,
				Message: fmt.Sprintf("The value %s is not mentioned. Show every company value at least once, with an example.", v.Name)})
		}
	}
	return out
}

// areaFindings checks that each competency area of the target role is
// evidenced: some section names at least one competency of the area that
// the role expects.
func areaFindings(roleID, plain string, fw *trellis.Framework) []Finding {
	role, ok := fw.Role(roleID)
	if !ok {
		return nil
	}
	expected := map[string][]trellis.Competency{}
	for _, e := range role.Expectations {
		if c, ok := fw.Competency(e.Competency); ok {
			expected[c.Area] = append(expected[c.Area], *c)
		}
	}
	var out []Finding
	for _, a := range fw.Areas {
		comps := expected[a.ID]
		if len(comps) == 0 {
			continue
		}
		var names []string
		found := false
		for _, c := range comps {
			names = append(names, c.Name)
			if mentions(plain, c.Name, strings.ReplaceAll(c.ID, "-", " ")) {
				found = true
				break
			}
		}
		if !found {
			out = append(out, Finding{Check: CheckAreas, Severity: SeverityWarning,
				Message: fmt.Sprintf("Nothing in the document names a %s competency of the %s role (%s). Say which competency each result shows.",
					a.Name, role.Name, strings.Join(names, ", "))})
		}
	}
	return out
}

// knownAcronyms are understood without spelling out.
var knownAcronyms = map[string]bool{
	"API": true, "URL": true, "HTML": true, "HTTP": true, "HTTPS": true, "PDF": true, "CSV": true, "JSON": true,
	"SQL": true, "UI": true, "UX": true, "FAQ": true, "CEO": true, "CTO": true, "CFO": true, "COO": true,
	"VP": true, "HR": true, "OK": true, "AM": true, "PM": true, "UTC": true, "US": true, "USA": true, "UK": true,
	"EU": true, "AI": true, "ID": true, "IDs": true, "USD": true, "EUR": true, "GBP": true, "II": true, "III": true, "IV": true,
}

// isAcronym reports whether w looks like an acronym: 2 to 6 capital
// letters or digits starting with a letter, at least two of them letters,
// with an optional plural s.
func isAcronym(w string) bool {
	w = strings.TrimSuffix(w, "s")
	if len(w) < 2 || len(w) > 6 || w[0] < 'A' || w[0] > 'Z' {
		return false
	}
	letters := 0
	for i := 0; i < len(w); i++ {
		switch c := w[i]; {
		case 'A' <= c && c <= 'Z':
			letters++
		case '0' <= c && c <= '9' || c == '&':
		default:
			return false
		}
	}
	return letters >= 2
}

// tokens cuts text into words (letters, digits, '&'), with their byte
// offsets.
func tokens(text string) (words []string, at []int) {
	start := -1
	for i, r := range text + " " {
		word := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '&'
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			words, at = append(words, text[start:i]), append(at, start)
			start = -1
		}
	}
	return words, at
}

// definitions returns the acronyms a sentence defines: "words (ACR)" or
// "ACR (words)".
func definitions(text string) []string {
	var out []string
	for i := 0; i < len(text); i++ {
		if text[i] != '(' {
			continue
		}
		j := strings.IndexByte(text[i:], ')')
		if j < 0 {
			break
		}
		inner := strings.TrimSpace(text[i+1 : i+j])
		before := strings.TrimRight(text[:i], " ")
		if isAcronym(inner) && strings.IndexFunc(before, unicode.IsLetter) >= 0 {
			out = append(out, inner)
		} else if ws, _ := tokens(before); len(ws) > 0 && isAcronym(ws[len(ws)-1]) && strings.HasSuffix(before, ws[len(ws)-1]) &&
			strings.IndexFunc(inner, unicode.IsLetter) == 0 {
			out = append(out, ws[len(ws)-1])
		}
	}
	return out
}

// acronyms remembers, across the sections of one document in order, which
// acronyms are defined and which were already reported.
type acronyms struct{ defined, reported map[string]bool }

func newAcronyms() *acronyms {
	return &acronyms{defined: map[string]bool{}, reported: map[string]bool{}}
}

// check reports each acronym the first time it is used undefined. A
// definition is the acronym in parentheses after the words it stands for,
// "mean time to resolve (MTTR)", or the words in parentheses after it; it
// counts from the sentence it is in.
func (a *acronyms) check(section string, s sentence) []Finding {
	if !hasCapitalPair(s.checked) {
		return nil
	}
	for _, g := range definitions(s.checked) {
		a.defined[strings.TrimSuffix(g, "s")] = true
		a.defined[g] = true
	}
	var out []Finding
	words, _ := tokens(s.checked)
	for _, w := range words {
		base := strings.TrimSuffix(w, "s")
		if !isAcronym(w) || knownAcronyms[w] || knownAcronyms[base] || a.defined[w] || a.defined[base] || a.reported[base] {
			continue
		}
		a.reported[base] = true
		out = append(out, Finding{Check: CheckAcronyms, Section: section, Sentence: s.text, Offset: s.offset, Severity: SeverityWarning,
			Message: fmt.Sprintf("%s is not spelled out. Write it in full the first time, with the acronym in parentheses: \"Mean Time To Resolve (MTTR)\".", w)})
	}
	return out
}

// hasCapitalPair reports whether s has two capital ASCII letters in a row:
// without them there is no acronym to look for.
func hasCapitalPair(s string) bool {
	for i := 1; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' && 'A' <= s[i-1] && s[i-1] <= 'Z' {
			return true
		}
	}
	return false
}
