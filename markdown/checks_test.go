package markdown

import (
	"strings"
	"sync"
	"testing"
	"time"

	"trellis"
	"trellis/defaults"
)

var supportOnce = sync.OnceValues(defaults.Support)

func support(t *testing.T) *trellis.Framework {
	t.Helper()
	fw, err := supportOnce()
	if err != nil {
		t.Fatal(err)
	}
	return fw
}

// goodValues mentions every value and a competency of each area.
const goodValues = "Sam shows Collaboration, Results, Efficiency, Diversity, Iteration and Transparency in the " +
	"[handbook page](https://example.org/h). Communication and Troubleshooting grew most."

func doc(t *testing.T, fw *trellis.Framework, target string, texts map[string]string) *trellis.Document {
	t.Helper()
	d, err := trellis.NewDocument(fw, "", &trellis.Person{ID: 1, Name: "Sam Lee", RoleID: "support-engineer"}, target, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := texts["values-alignment"]; !ok {
		texts["values-alignment"] = goodValues
	}
	for i, s := range d.Sections {
		d.Sections[i].Text = texts[s.ID]
	}
	return d
}

// findings runs the checks and keeps those of one check.
func findings(t *testing.T, check string, texts map[string]string) []Finding {
	t.Helper()
	fw := support(t)
	var out []Finding
	for _, f := range CheckDocument(doc(t, fw, "senior-support-engineer", texts), fw, nil) {
		if f.Check == check {
			out = append(out, f)
		}
	}
	return out
}

type want struct {
	section, sentence string
	offset            int
	severity          string
	phrase            string
}

func expect(t *testing.T, name string, got []Finding, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Errorf("%s: %d findings, want %d: %+v", name, len(got), len(wants), got)
		return
	}
	for i, w := range wants {
		g := got[i]
		if g.Section != w.section || g.Sentence != w.sentence || g.Offset != w.offset || (w.severity != "" && g.Severity != w.severity) ||
			!strings.Contains(g.Message, w.phrase) {
			t.Errorf("%s: finding %d = %+v, want %+v", name, i, g, w)
		}
	}
}

func TestCheckThirdPerson(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []want
	}{
		{"clean", "Sam leads the team. They mentor two engineers.", nil},
		{"first person", "Sam leads the team. I mentor two engineers and our team grew.",
			[]want{{"summary", "I mentor two engineers and our team grew.", 20, SeverityError, `"I", "our"`}}},
		{"capitalised and contractions", "We've cut the backlog. My part was the triage.",
			[]want{{"summary", "We've cut the backlog.", 0, SeverityError, `"We've"`}, {"summary", "My part was the triage.", 23, SeverityError, `"My"`}}},
		{"quotes are fine", `A customer wrote "we could not have done it without Sam" and “my thanks”.`, nil},
		{"capitals are names", "Sam covered the US and ME regions.", nil},
		{"lower-case i is not I", "Sam wrote section i of the runbook.", nil},
		{"code is not prose", "Sam fixed the `my_setting` flag.", nil},
		{"markdown stripped, offset in the source", "**Sam** leads.\n\n- Sam and *me* paired.",
			[]want{{"summary", "Sam and me paired.", 18, SeverityError, `"me"`}}},
	}
	for _, tc := range tests {
		expect(t, tc.name, findings(t, CheckThirdPerson, map[string]string{"summary": tc.text}), tc.want)
	}
}

func TestCheckSentenceLength(t *testing.T) {
	long := "Sam " + strings.Repeat("fixed things ", 15) + "today."
	exact := "Sam " + strings.Repeat("word ", 28) + "end."
	tests := []struct {
		name string
		text string
		want []want
	}{
		{"thirty words pass", exact, nil},
		{"thirty-one words warn", "Short one. " + long, []want{{"summary", long, 11, SeverityWarning, "32 words"}}},
		{"abbreviations and decimals do not split", "Sam cut the time by 3.5 hours, e.g. on the queue. Dr. Smith agreed.", nil},
	}
	for _, tc := range tests {
		expect(t, tc.name, findings(t, CheckSentenceLength, map[string]string{"summary": tc.text}), tc.want)
	}
}

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"Sam cut the time by 3.5 hours, e.g. on the queue. Dr. Smith agreed! Why? Because.",
			[]string{"Sam cut the time by 3.5 hours, e.g. on the queue.", "Dr. Smith agreed!", "Why?", "Because."}},
		{"It covers logs, traces etc. The team agreed.", []string{"It covers logs, traces etc.", "The team agreed."}},
		{"J. Smith and Sam met at 9 a.m. on Monday.", []string{"J. Smith and Sam met at 9 a.m. on Monday."}},
		{`Sam said "it works." Then left.`, []string{`Sam said "it works."`, "Then left."}},
		{"See https://example.org/a.b. Then stop.", []string{"See https://example.org/a.b.", "Then stop."}},
		{"version 1.2.3 shipped. no capital follows here.", []string{"version 1.2.3 shipped. no capital follows here."}},
	}
	for _, tc := range tests {
		p := parseSection(trellis.Section{}, tc.text)
		var got []string
		for _, u := range p.units {
			for _, s := range u.sentences {
				got = append(got, s.text)
			}
		}
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%q:\n got %q\nwant %q", tc.text, got, tc.want)
		}
	}
}

func TestCheckNumbersAndLinks(t *testing.T) {
	results := "Three results:\n\n" +
		"- Sam rebuilt the escalation path for the region; escalations fell by 40% ([MR](https://example.org/mr/1)).\n" +
		"- Sam rebuilt the onboarding course for all new support engineers ([course](https://example.org/c)).\n" +
		"- Sam halved the backlog of old tickets in the queue, see https://example.org/q\n" +
		"- Sam ran the incident review for the outage and wrote the follow-up plan.\n" +
		"  - Impact: the plan landed in twelve weeks.\n"
	numbers := findings(t, CheckNumbers, map[string]string{"business-results": results})
	expect(t, "numbers", numbers, []want{{"business-results", "Sam rebuilt the onboarding course for all new support engineers (course).",
		strings.Index(results, "Sam rebuilt the onboarding"), SeverityWarning, "no number"}})
	links := findings(t, CheckLinks, map[string]string{"business-results": results})
	expect(t, "links", links, []want{{"business-results", "Sam ran the incident review for the outage and wrote the follow-up plan.",
		strings.Index(results, "Sam ran the incident"), SeverityWarning, "no link"}})
	// The summary names no competencies: no link is needed; it is not a
	// results section: no number is needed.
	summary := "Sam already works at the senior level across the whole support team."
	if f := findings(t, CheckLinks, map[string]string{"summary": summary}); len(f) != 0 {
		t.Errorf("summary links: %+v", f)
	}
	if f := findings(t, CheckNumbers, map[string]string{"summary": summary}); len(f) != 0 {
		t.Errorf("summary numbers: %+v", f)
	}
	// Justification is not about results, but evidences competencies.
	just := findings(t, CheckLinks, map[string]string{"business-justification": "The team needs a senior engineer to own the billing domain next year."})
	expect(t, "justification links", just, []want{{"business-justification", "The team needs a senior engineer to own the billing domain next year.", 0, SeverityWarning, "no link"}})
}

func TestCheckAcronyms(t *testing.T) {
	tests := []struct {
		name  string
		texts map[string]string
		want  []want
	}{
		{"defined before use", map[string]string{"summary": "Sam cut the Mean Time To Resolve (MTTR). The MTTR fell again."}, nil},
		{"defined after the words", map[string]string{"summary": "The SLA (service level agreement) held. The SLA held again."}, nil},
		{"used before its definition, reported once", map[string]string{
			"summary":          "Sam cut the MTTR. The MTTR fell.",
			"business-results": "Sam cut the Mean Time To Resolve (MTTR) by 2 hours."},
			[]want{{"summary", "Sam cut the MTTR.", 0, SeverityWarning, "MTTR is not spelled out"}}},
		{"defined in an earlier section counts", map[string]string{
			"summary":          "Sam owns the Customer Success Plan (CSP).",
			"business-results": "Every CSPs review took 2 days."}, nil},
		{"allow-list and short tokens", map[string]string{"summary": "Sam built an API and a URL checker for P1 tickets in Q3, with a PDF report."}, nil},
		{"code and links skipped", map[string]string{"summary": "Sam set `GOMAXPROCS` and wrote https://example.org/ABC/XYZ today."}, nil},
		{"plural", map[string]string{"summary": "Sam reviewed SLOs weekly."}, []want{{"summary", "Sam reviewed SLOs weekly.", 0, "", "SLOs is not spelled out"}}},
	}
	for _, tc := range tests {
		expect(t, tc.name, findings(t, CheckAcronyms, tc.texts), tc.want)
	}
}

func TestCheckPayAndRatings(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []want
	}{
		{"clean", "Sam raised the issue and raised awareness of diversity, equity and inclusion.", nil},
		{"salary", "Sam is ready. Sam's salary should follow.", []want{{"summary", "Sam's salary should follow.", 14, SeverityError, `"salary" reads as pay`}}},
		{"rating", "Sam exceeds expectations every quarter.", []want{{"summary", "Sam exceeds expectations every quarter.", 0, SeverityError, "performance rating"}}},
		{"rated", "Sam was rated 4/5 last year.", []want{{"summary", "Sam was rated 4/5 last year.", 0, SeverityError, "performance rating"}}},
		{"bonus", "Sam earned a bonus.", []want{{"summary", "Sam earned a bonus.", 0, SeverityError, "pay"}}},
		{"money warns", "Sam kept $40,000 of yearly revenue.", []want{{"summary", "Sam kept $40,000 of yearly revenue.", 0, SeverityWarning, "money amount"}}},
		{"euros warn", "Sam saved €12k in tooling.", []want{{"summary", "Sam saved €12k in tooling.", 0, SeverityWarning, "money amount"}}},
	}
	for _, tc := range tests {
		expect(t, tc.name, findings(t, CheckPayAndRatings, map[string]string{"summary": tc.text}), tc.want)
	}
}

func TestCheckWordLimit(t *testing.T) {
	// The summary allows 150 words: 10 sentences of 15 words pass; one more
	// passes the limit in the eleventh.
	s := "Sam " + strings.Repeat("did ", 13) + "well. "
	ten := strings.Repeat(s, 10)
	if f := findings(t, CheckWordLimit, map[string]string{"summary": ten}); len(f) != 0 {
		t.Errorf("150 words: %+v", f)
	}
	eleven := ten + "Sam also did one more thing."
	expect(t, "over", findings(t, CheckWordLimit, map[string]string{"summary": eleven}),
		[]want{{"summary", "Sam also did one more thing.", len(ten), SeverityError, "156 words; it may have at most 150"}})
}

func TestCheckValues(t *testing.T) {
	expect(t, "all", findings(t, CheckValues, map[string]string{}), nil)
	expect(t, "by id and first words", findings(t, CheckValues, map[string]string{"values-alignment": "collaboration, results, efficiency, diversity-inclusion-belonging, iteration and transparency."}), nil)
	// A value named only in another section does not count.
	expect(t, "missing", findings(t, CheckValues, map[string]string{
		"summary":          "Sam lives Iteration daily.",
		"values-alignment": "Sam shows Collaboration, Results, Efficiency, Diversity and Transparency, with [links](https://x.org)."}),
		[]want{{"values-alignment", "", 0, SeverityError, "The value Iteration is not mentioned"}})
	// Inclusive is not Inclusion; a substring is not a mention.
	got := findings(t, CheckValues, map[string]string{"values-alignment": "Sam is collaborative and results-minded."})
	if len(got) != 5 || !strings.Contains(got[0].Message, "Collaboration") {
		t.Errorf("substrings: %+v", got)
	}
}

func TestCheckAreas(t *testing.T) {
	// The default values text names Communication (leadership),
	// Troubleshooting (technical) and the values (values alignment).
	expect(t, "all areas", findings(t, CheckAreas, map[string]string{}), nil)
	got := findings(t, CheckAreas, map[string]string{"values-alignment": "Sam shows Collaboration and Results."})
	expect(t, "two missing", got, []want{
		{"", "", 0, SeverityWarning, "Leadership competency of the Senior Support Engineer role (Communication, "},
		{"", "", 0, SeverityWarning, "Technical competency"},
	})
}

func TestCheckDocumentStaffAndOrder(t *testing.T) {
	fw := support(t)
	d := doc(t, fw, "staff-support-engineer", map[string]string{
		"summary":  "I lead.",
		"feedback": "We trust Sam. Our team relies on the MTTR work.",
	})
	got := CheckDocument(d, fw, nil)
	var sections []string
	for _, f := range got {
		sections = append(sections, f.Section+":"+f.Check)
	}
	want := "summary:third-person|feedback:third-person|feedback:links|feedback:third-person|feedback:acronyms"
	if strings.Join(sections, "|") != want {
		t.Errorf("findings in order:\n got %s\nwant %s", strings.Join(sections, "|"), want)
	}
	if CheckDocument(nil, fw, nil) != nil {
		t.Errorf("nil document")
	}
	// Without a framework, sections are checked as they are, values and
	// areas skipped.
	d.Sections[0].Text = "My summary."
	if f := CheckDocument(d, nil, nil); len(f) != 4 || f[0].Section != "summary" {
		t.Errorf("no framework: %+v", f)
	}
}

// BenchmarkCheckDocument checks a filled Staff document: the calibration
// view shows the checks of up to 200 nominations.
func BenchmarkCheckDocument(b *testing.B) {
	fw, err := supportOnce()
	if err != nil {
		b.Fatal(err)
	}
	d, _ := trellis.NewDocument(fw, "", &trellis.Person{ID: 1, Name: "Sam Lee", RoleID: "senior-support-engineer"}, "staff-support-engineer", time.Now())
	para := "Sam rebuilt the escalation path for four teams; time to resolution fell by 30% ([MR](https://example.org/mr/1)). " +
		"The Mean Time To Resolve (MTTR) dropped from 9 to 4 hours, e.g. on the billing queue. "
	for i := range d.Sections {
		d.Sections[i].Text = strings.Repeat("- "+para+"\n", 12) + "\n" + goodValues
	}
	b.ResetTimer()
	for b.Loop() {
		CheckDocument(d, fw, nil)
	}
}
