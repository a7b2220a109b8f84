package defaults

import (
	"slices"
	"strings"
	"testing"

	"trellis"
	"trellis/framework"
)

func mustSupport(t *testing.T) *trellis.Framework {
	t.Helper()
	fw, err := Support()
	if err != nil {
		t.Fatalf("Support(): %v", err)
	}
	return fw
}

func TestSupportValidates(t *testing.T) {
	fw := mustSupport(t)
	if problems := fw.Validate(); len(problems) > 0 {
		for _, p := range problems {
			t.Errorf("%s: %s", p.Path, p.Message)
		}
	}
	if fw.APIVersion != trellis.APIVersion || fw.Kind != trellis.FrameworkKind {
		t.Errorf("header = %q %q", fw.APIVersion, fw.Kind)
	}
	if fw.ID != "support" || fw.Version != "2026.1" || fw.Name == "" {
		t.Errorf("id, version, name = %q, %q, %q", fw.ID, fw.Version, fw.Name)
	}
	for _, want := range []string{"not a checklist", "destination"} {
		if !strings.Contains(fw.Description, want) {
			t.Errorf("description does not mention %q", want)
		}
	}
}

func TestSupportFreshCopies(t *testing.T) {
	a, b := mustSupport(t), mustSupport(t)
	a.Roles[0].Name = "changed"
	if b.Roles[0].Name == "changed" {
		t.Error("Support() returned shared state")
	}
	if a.Hash() == b.Hash() {
		t.Error("changing a copy did not change its hash")
	}
}

func TestSupportRoles(t *testing.T) {
	fw := mustSupport(t)
	want := []struct {
		id    string
		grade int
		track string
	}{
		{"customer-support-representative", 5, "ic"},
		{"associate-support-engineer", 5, "ic"},
		{"support-engineer", 6, "ic"},
		{"senior-support-engineer", 7, "ic"},
		{"staff-support-engineer", 8, "ic"},
		{"principal-support-engineer", 9, "ic"},
		{"support-engineering-manager", 8, "management"},
		{"senior-support-engineering-manager", 9, "management"},
		{"director-of-support", 10, "management"},
	}
	if len(fw.Roles) != len(want) {
		t.Fatalf("%d roles, want %d", len(fw.Roles), len(want))
	}
	for i, w := range want {
		r := fw.Roles[i]
		if r.ID != w.id || r.Track != w.track || r.Grade == nil || *r.Grade != w.grade {
			g := -1
			if r.Grade != nil {
				g = *r.Grade
			}
			t.Errorf("roles[%d] = %s (grade %d, track %s), want %s (grade %d, track %s)", i, r.ID, g, r.Track, w.id, w.grade, w.track)
		}
		if strings.TrimSpace(r.Summary) == "" {
			t.Errorf("role %s has no summary", r.ID)
		}
		if r.Destination != (r.ID == "senior-support-engineer") {
			t.Errorf("role %s destination = %v", r.ID, r.Destination)
		}
	}
	var tracks []string
	for _, tr := range fw.Tracks {
		tracks = append(tracks, tr.ID)
	}
	if !slices.Equal(tracks, []string{"ic", "management"}) {
		t.Errorf("tracks = %v", tracks)
	}
}

func TestSupportMatrixComplete(t *testing.T) {
	fw := mustSupport(t)
	if n := len(fw.Competencies); n < 12 {
		t.Errorf("%d competencies, want at least 12", n)
	}
	areas := map[string]int{}
	for _, c := range fw.Competencies {
		areas[c.Area]++
	}
	for _, a := range []string{"leadership", "technical", "values-alignment"} {
		if areas[a] == 0 {
			t.Errorf("area %s has no competencies", a)
		}
	}
	if len(areas) != 3 || len(fw.Areas) != 3 {
		t.Errorf("areas = %v (declared %d), want exactly three", areas, len(fw.Areas))
	}
	texts := map[string]bool{}
	for _, r := range fw.Roles {
		if len(r.Expectations) != len(fw.Competencies) {
			t.Errorf("role %s has %d expectations for %d competencies", r.ID, len(r.Expectations), len(fw.Competencies))
		}
		for _, c := range fw.Competencies {
			e, ok := r.Expectation(c.ID)
			if !ok {
				t.Errorf("role %s has no expectation for %s", r.ID, c.ID)
				continue
			}
			if strings.TrimSpace(e.Text) == "" {
				t.Errorf("role %s, %s: empty text", r.ID, c.ID)
			}
			if texts[e.Text] {
				t.Errorf("role %s, %s: text repeats another cell: %q", r.ID, c.ID, e.Text)
			}
			texts[e.Text] = true
			if n := len(e.Markers); n < 1 || n > 3 {
				t.Errorf("role %s, %s: %d markers, want 1 to 3", r.ID, c.ID, n)
			}
		}
	}
}

// Levels never go down as one climbs a track.
func TestSupportLevelsCumulative(t *testing.T) {
	fw := mustSupport(t)
	ladders := map[string][]string{
		"ic": {"customer-support-representative", "associate-support-engineer", "support-engineer",
			"senior-support-engineer", "staff-support-engineer", "principal-support-engineer"},
		"management": {"senior-support-engineer", "support-engineering-manager",
			"senior-support-engineering-manager", "director-of-support"},
	}
	for track, ids := range ladders {
		for _, c := range fw.Competencies {
			prev := 0
			for _, id := range ids {
				r, _ := fw.Role(id)
				e, ok := r.Expectation(c.ID)
				if !ok || e.Level == nil {
					continue
				}
				if *e.Level < prev {
					t.Errorf("%s track, %s: %s is at level %d, below %d", track, c.ID, id, *e.Level, prev)
				}
				prev = *e.Level
			}
		}
	}
}

func TestSupportTransitions(t *testing.T) {
	fw := mustSupport(t)
	want := map[[2]string]string{
		{"customer-support-representative", "associate-support-engineer"}:     trellis.KindMerit,
		{"associate-support-engineer", "support-engineer"}:                    trellis.KindMerit,
		{"support-engineer", "senior-support-engineer"}:                       trellis.KindMerit,
		{"senior-support-engineer", "staff-support-engineer"}:                 trellis.KindBusinessNeed,
		{"senior-support-engineer", "support-engineering-manager"}:            trellis.KindInterim,
		{"staff-support-engineer", "principal-support-engineer"}:              trellis.KindBusinessNeed,
		{"staff-support-engineer", "support-engineering-manager"}:             trellis.KindBusinessNeed,
		{"support-engineering-manager", "senior-support-engineering-manager"}: trellis.KindBusinessNeed,
		{"senior-support-engineering-manager", "director-of-support"}:         trellis.KindBusinessNeed,
		{"support-engineering-manager", "staff-support-engineer"}:             trellis.KindLateral,
	}
	got := map[[2]string]trellis.Transition{}
	for _, tr := range fw.Transitions {
		got[[2]string{tr.From, tr.To}] = tr
		if strings.TrimSpace(tr.Note) == "" {
			t.Errorf("transition %s -> %s has no note", tr.From, tr.To)
		}
	}
	for edge, kind := range want {
		tr, ok := got[edge]
		if !ok {
			t.Errorf("no transition %s -> %s", edge[0], edge[1])
			continue
		}
		if tr.Kind != kind {
			t.Errorf("transition %s -> %s is %s, want %s", edge[0], edge[1], tr.Kind, kind)
		}
	}
	interim := got[[2]string{"senior-support-engineer", "support-engineering-manager"}]
	if !strings.Contains(interim.Note, "three months") || !strings.Contains(interim.Note, "posted opening") {
		t.Errorf("interim note does not explain the interim period: %q", interim.Note)
	}
	kinds := map[string]bool{}
	for _, tr := range fw.Transitions {
		kinds[tr.Kind] = true
	}
	if !kinds[trellis.KindActing] {
		t.Error("no acting transition")
	}
}

func TestSupportActivities(t *testing.T) {
	fw := mustSupport(t)
	// The evidence kinds of the domain, by name.
	want := []string{
		"Critical escalation", "Customer call", "Emergency", "Customer meeting", "Office hours",
		"Pairing session", "Deep-dive training", "Mentoring", "Documentation contribution", "Bug fix",
		"Feature contribution", "Workflow or process improvement", "Onboarding or training material",
		"Hiring and interviewing", "Project led", "Cross-team collaboration",
	}
	have := map[string]trellis.Activity{}
	for _, a := range fw.Activities {
		have[a.Name] = a
	}
	for _, name := range want {
		a, ok := have[name]
		if !ok {
			t.Errorf("activity %q missing", name)
			continue
		}
		if len(a.Competencies) == 0 {
			t.Errorf("activity %q hints no competencies", name)
		}
	}
}

func TestSupportValues(t *testing.T) {
	fw := mustSupport(t)
	var ids []string
	for _, v := range fw.Values {
		ids = append(ids, v.ID)
		if v.Description == "" {
			t.Errorf("value %s has no description", v.ID)
		}
		// Each value has a matching competency in the values area.
		if c, ok := fw.Competency(v.ID); !ok || c.Area != "values-alignment" {
			t.Errorf("value %s has no values-alignment competency", v.ID)
		}
	}
	want := []string{"collaboration", "results", "efficiency", "diversity-inclusion-belonging", "iteration", "transparency"}
	if !slices.Equal(ids, want) {
		t.Errorf("values = %v, want %v", ids, want)
	}
}

func TestSupportPathMaterial(t *testing.T) {
	fw := mustSupport(t)
	if r, _ := fw.Role("associate-support-engineer"); len(r.Considerations) == 0 {
		t.Error("role associate-support-engineer has no considerations")
	}
	for _, id := range []string{
		"support-engineer", "senior-support-engineer", "staff-support-engineer", "principal-support-engineer",
		"support-engineering-manager", "senior-support-engineering-manager", "director-of-support",
	} {
		r, _ := fw.Role(id)
		if len(r.Considerations) == 0 {
			t.Errorf("role %s has no considerations", id)
		}
		kinds := map[string]bool{}
		for _, rid := range r.Resources {
			res, ok := fw.Resource(rid)
			if !ok {
				t.Errorf("role %s names unknown resource %s", id, rid)
				continue
			}
			kinds[res.Kind] = true
		}
		if !kinds["meet"] || !kinds["watch"] || !kinds["read"] {
			t.Errorf("role %s resources lack a coffee chat, an AMA recording or a book: %v", id, r.Resources)
		}
	}
	if len(fw.Considerations) == 0 {
		t.Error("no general considerations")
	}
	general := fw.GeneralResources()
	var templ bool
	for _, r := range general {
		if r.ID == "growth-plan-template" && r.Kind == "template" {
			templ = true
		}
	}
	if len(general) == 0 || !templ {
		t.Errorf("general resources lack the growth-plan template: %v", general)
	}
	for _, r := range fw.Resources {
		if r.URL != "" {
			t.Errorf("resource %s has a URL; the default framework ships none", r.ID)
		}
	}
}

func TestSupportTemplates(t *testing.T) {
	fw := mustSupport(t)
	core := []string{"summary", "business-results", "business-justification", "values-alignment"}
	cases := []struct {
		role     string
		feedback bool
	}{
		{"support-engineer", false},
		{"senior-support-engineer", false},
		{"support-engineering-manager", false},
		{"staff-support-engineer", true},
		{"principal-support-engineer", true},
		{"senior-support-engineering-manager", true},
		{"director-of-support", true},
	}
	ids := map[string]bool{}
	for _, c := range cases {
		tp, ok := fw.TemplateFor(c.role)
		if !ok {
			t.Errorf("no promotion template for %s", c.role)
			continue
		}
		ids[tp.ID] = true
		var sections []string
		for _, s := range tp.Sections {
			sections = append(sections, s.ID)
			if strings.TrimSpace(s.Guidance) == "" || s.MaxWords <= 0 {
				t.Errorf("template %s section %s lacks guidance or max_words", tp.ID, s.ID)
			}
			switch s.ID {
			case "business-justification":
				if s.Author != "manager" {
					t.Errorf("template %s: justification author %s", tp.ID, s.Author)
				}
			case "feedback":
				if s.Author != "feedback" || !s.Optional {
					t.Errorf("template %s: feedback section author %s optional %v", tp.ID, s.Author, s.Optional)
				}
			default:
				if s.Author != "candidate" {
					t.Errorf("template %s: section %s author %s", tp.ID, s.ID, s.Author)
				}
			}
			if s.ID == "values-alignment" {
				for _, v := range fw.Values {
					if !slices.Contains(s.Competencies, v.ID) {
						t.Errorf("template %s: values section does not ask for %s", tp.ID, v.ID)
					}
				}
			}
		}
		want := core
		if c.feedback {
			want = append(slices.Clone(core), "feedback")
		}
		if !slices.Equal(sections, want) {
			t.Errorf("template %s for %s has sections %v, want %v", tp.ID, c.role, sections, want)
		}
		if s := tp.Sections[0]; s.MaxWords > 150 {
			t.Errorf("template %s: summary allows %d words", tp.ID, s.MaxWords)
		}
	}
	if len(ids) != 2 || len(fw.Templates) != 2 {
		t.Errorf("templates = %v, want two", ids)
	}
	// The style rules of a promotion document reach every section's guidance.
	for _, tp := range fw.Templates {
		for _, s := range tp.Sections {
			g := strings.Join(strings.Fields(strings.ToLower(s.Guidance)), " ")
			for _, rule := range []string{"third person", "ratings or pay"} {
				if !strings.Contains(g, rule) {
					t.Errorf("template %s section %s guidance omits %q", tp.ID, s.ID, rule)
				}
			}
			if s.ID != "summary" && !strings.Contains(g, "link") {
				t.Errorf("template %s section %s guidance does not ask for links", tp.ID, s.ID)
			}
		}
	}
}

// The shipped file survives export and re-import unchanged.
func TestSupportRoundTrip(t *testing.T) {
	fw := mustSupport(t)
	out, err := framework.Export(fw)
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	again, err := framework.Read("export.yaml", out, framework.ReadOptions{})
	if err != nil {
		t.Fatalf("Read(Export): %v", err)
	}
	if again.Hash() != fw.Hash() {
		t.Error("export and re-import changed the framework")
	}
}
