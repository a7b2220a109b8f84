package trellis_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"trellis"
)

func TestNewDocument(t *testing.T) {
	fw := supportFramework(t)
	mgr := int64(2)
	p := &trellis.Person{ID: 7, Name: "Sam Lee", RoleID: "support-engineer", ManagerID: &mgr}
	now := ymd(2027, 1, 10)
	tests := []struct {
		target   string
		template string
		sections []string
		title    string
	}{
		{"senior-support-engineer", "promotion-document", []string{"summary", "business-results", "business-justification", "values-alignment"},
			"Promotion to Senior Support Engineer: Sam Lee"},
		{"staff-support-engineer", "promotion-document-with-feedback", []string{"summary", "business-results", "business-justification", "values-alignment", "feedback"},
			"Promotion to Staff Support Engineer: Sam Lee"},
	}
	for _, tc := range tests {
		d, err := trellis.NewDocument(fw, "", p, tc.target, now)
		if err != nil {
			t.Fatalf("%s: %v", tc.target, err)
		}
		var ids []string
		for _, s := range d.Sections {
			ids = append(ids, s.ID)
			if s.Text != "" {
				t.Errorf("%s: section %s not empty", tc.target, s.ID)
			}
		}
		if !slices.Equal(ids, tc.sections) || d.TemplateID != tc.template || d.Title != tc.title {
			t.Errorf("%s: template %s sections %v title %q", tc.target, d.TemplateID, ids, d.Title)
		}
		if d.State != trellis.DocDraft || d.Visibility != trellis.VisPrivate || d.PersonID != 7 || *d.ManagerID != 2 ||
			d.FrameworkID != fw.ID || d.FrameworkVersion != fw.Version || d.Frozen || !d.CreatedAt.Equal(now) {
			t.Errorf("%s: %+v", tc.target, d)
		}
		if err := d.Validate(fw); err != nil {
			t.Errorf("%s: new document invalid: %v %v", tc.target, err, trellis.ErrorDetails(err))
		}
	}
	d, _ := trellis.NewDocument(fw, "0.9", p, "senior-support-engineer", now)
	if d.FrameworkVersion != "0.9" {
		t.Errorf("version = %q", d.FrameworkVersion)
	}

	noTemplate := supportFramework(t)
	noTemplate.Templates = noTemplate.Templates[:1]
	for _, tc := range []struct {
		fw     *trellis.Framework
		target string
		phrase string
	}{
		{noTemplate, "staff-support-engineer", "no promotion-document template for Staff Support Engineer"},
		{fw, "senior-suport-engineer", `did you mean "senior-support-engineer"`},
		{fw, "support-engineer", "already a Support Engineer"},
	} {
		_, err := trellis.NewDocument(tc.fw, "", p, tc.target, now)
		if trellis.ErrorCode(err) != trellis.ERULE || !strings.Contains(err.Error(), tc.phrase) {
			t.Errorf("%s: %v, want ERULE with %q", tc.target, err, tc.phrase)
		}
	}
}

func TestPrefillCandidates(t *testing.T) {
	fw := supportFramework(t)
	tpl, _ := fw.TemplateFor("senior-support-engineer")
	// business-results evidences ambiguity-and-delivery, customer-advocacy,
	// troubleshooting, incident-handling, growing-others.
	ev := []*trellis.Evidence{
		{ID: 1, Title: "one match, result, old", Competencies: []string{"troubleshooting"}, Result: "40% fewer", Date: ymd(2026, 1, 1)},
		{ID: 2, Title: "two matches, no result", Competencies: []string{"troubleshooting", "growing-others"}, Date: ymd(2026, 3, 1)},
		{ID: 3, Title: "no match", Competencies: []string{"documentation"}, Result: "x", Date: ymd(2026, 6, 1)},
		{ID: 4, Title: "one match, result, new", Competencies: []string{"incident-handling", "documentation"}, Result: "2h", Date: ymd(2026, 5, 1)},
		{ID: 5, Title: "one match, no result, newest", Competencies: []string{"customer-advocacy"}, Date: ymd(2026, 7, 1)},
		{ID: 6, Title: "two matches, result", Competencies: []string{"customer-advocacy", "incident-handling"}, Result: "5 teams", Date: ymd(2025, 1, 1)},
		nil,
	}
	ids := func(es []*trellis.Evidence) []int64 {
		var out []int64
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	if got, want := ids(trellis.PrefillCandidates(tpl, "business-results", ev, 0)), []int64{6, 2, 4, 1, 5}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	if got := ids(trellis.PrefillCandidates(tpl, "business-results", ev, 2)); !slices.Equal(got, []int64{6, 2}) {
		t.Errorf("first two %v", got)
	}
	if got := trellis.PrefillCandidates(tpl, "summary", ev, 5); len(got) != 0 {
		t.Errorf("summary names no competencies, got %v", ids(got))
	}
	if got := trellis.PrefillCandidates(tpl, "nope", ev, 5); len(got) != 0 {
		t.Errorf("unknown section: %v", ids(got))
	}
}

func TestEvidenceMarkdown(t *testing.T) {
	end := ymd(2026, 3, 9)
	e := &trellis.Evidence{Title: "Cut [first] reply *time*", Date: ymd(2026, 3, 2), EndDate: &end,
		Result: "Median first reply\nfell from 9 to 4 hours", Part: "directly responsible",
		Links: []string{"https://tickets.example.org/1 2", "https://docs.example.org/a_(b)"}}
	want := "- [Cut \\[first\\] reply \\*time\\*](https://tickets.example.org/1%202) (2026-03-02 to 2026-03-09): Median first reply fell from 9 to 4 hours\n" +
		"  - Part: directly responsible\n" +
		"  - Links: [2](https://docs.example.org/a_%28b%29)\n"
	if got := trellis.EvidenceMarkdown(e); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := trellis.EvidenceMarkdown(&trellis.Evidence{Title: "Plain", Date: ymd(2026, 1, 1)}); got != "- Plain (2026-01-01)\n" {
		t.Errorf("plain: %q", got)
	}
}

func TestDocumentValidate(t *testing.T) {
	fw := supportFramework(t)
	good := func() *trellis.Document {
		d, err := trellis.NewDocument(fw, "", &trellis.Person{ID: 1, Name: "A B", RoleID: "support-engineer"}, "senior-support-engineer", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	cid := int64(1)
	tests := []struct {
		name  string
		edit  func(d *trellis.Document)
		field string
	}{
		{"no title", func(d *trellis.Document) { d.Title = " " }, "title"},
		{"bad state", func(d *trellis.Document) { d.State = "drafted" }, "state"},
		{"bad visibility", func(d *trellis.Document) { d.Visibility = "public" }, "visibility"},
		{"no candidate", func(d *trellis.Document) { d.PersonID = 0 }, "person_id"},
		{"unknown role", func(d *trellis.Document) { d.TargetRole = "wizard"; d.TemplateID = "promotion-document" }, "target_role"},
		{"unknown section", func(d *trellis.Document) { d.Sections[1].ID = "feedback" }, "sections[1]"},
		{"sections out of order", func(d *trellis.Document) { d.Sections[0], d.Sections[1] = d.Sections[1], d.Sections[0] }, "sections[1]"},
		{"section twice", func(d *trellis.Document) { d.Sections[1].ID = "summary" }, "sections[1]"},
		{"too long", func(d *trellis.Document) { d.Sections[0].Text = strings.Repeat("x", trellis.MaxSectionText+1) }, "sections[0]"},
		{"out of cycle in a cycle", func(d *trellis.Document) { d.OutOfCycle, d.CycleID = true, &cid }, "cycle_id"},
		{"other framework", func(d *trellis.Document) { d.FrameworkID = "other" }, "framework_id"},
	}
	for _, tc := range tests {
		d := good()
		tc.edit(d)
		err := d.Validate(fw)
		if trellis.ErrorCode(err) != trellis.EINVALID {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !slices.ContainsFunc(trellis.ErrorDetails(err), func(f trellis.FieldError) bool { return f.Field == tc.field }) {
			t.Errorf("%s: details %v lack %s", tc.name, trellis.ErrorDetails(err), tc.field)
		}
	}
	d := good()
	d.Sections = d.Sections[:2] // a document may lack sections (optional ones, or added later)
	if err := d.Validate(fw); err != nil {
		t.Errorf("fewer sections: %v", err)
	}
}
