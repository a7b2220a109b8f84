package framework

import (
	"slices"
	"strings"
	"testing"

	"trellis"
)

func TestReadMarkdown(t *testing.T) {
	fw := readFile(t, "testdata/backend.md", ReadOptions{})
	if fw.ID != "backend-engineer" || fw.Name != "Backend Engineer 💻" || fw.Version != "1" {
		t.Errorf("header = %s %q %s", fw.ID, fw.Name, fw.Version)
	}
	if !strings.HasPrefix(fw.Description, "This framework describes") || !strings.HasSuffix(fw.Description, "not a checklist.") {
		t.Errorf("description = %q", fw.Description)
	}
	if len(fw.Areas) != 1 || len(fw.Tracks) != 1 || fw.Areas[0].ID != "backend-engineer" {
		t.Errorf("areas %+v tracks %+v", fw.Areas, fw.Tracks)
	}
	var ids, names []string
	for _, c := range fw.Competencies {
		ids = append(ids, c.ID)
		names = append(names, c.Name)
	}
	if !slices.Equal(ids, []string{"technical-skills", "delivery", "incident-response"}) {
		t.Errorf("competency ids = %v", ids)
	}
	// An empty title falls back to the name, split at camel case.
	if !slices.Equal(names, []string{"Technical skills", "Delivery", "🚨 Incident response"}) {
		t.Errorf("competency names = %q", names)
	}
	var roles []string
	for _, r := range fw.Roles {
		roles = append(roles, r.ID+"="+r.Name)
	}
	if !slices.Equal(roles, []string{"level-1=Level 1", "level-2=Level 2", "level-3=Level 3", "level-4=Level 4"}) {
		t.Errorf("roles = %v", roles)
	}
	if len(fw.Transitions) != 3 || fw.Transitions[2] != (trellis.Transition{From: "level-3", To: "level-4", Kind: trellis.KindMerit}) {
		t.Errorf("transitions = %+v", fw.Transitions)
	}
	l1, _ := fw.Role("level-1")
	e, _ := l1.Expectation("technical-skills")
	want := "- Delivers small, well-defined tasks with guidance\n- Writes tests for the code they change\n- Fixes bugs in an existing service"
	if e.Text != want || !slices.Equal(e.Markers, []string{"Fixed the retry bug in the payments webhook consumer"}) {
		t.Errorf("level 1 technical skills = %q %q", e.Text, e.Markers)
	}
	// A level with only exampleCriteria; a topic that skips levels.
	l3, _ := fw.Role("level-3")
	e, _ = l3.Expectation("technical-skills")
	if e.Text != "Leads the design of changes that span several services" || len(e.Markers) != 2 {
		t.Errorf("level 3 = %+v", e)
	}
	if _, ok := l3.Expectation("incident-response"); ok {
		t.Error("level 3 has an incident-response expectation the file does not give")
	}
}

func TestReadMarkdownLoose(t *testing.T) {
	// No levels key: the highest level used. Numbers as titles. An id
	// option. No body.
	md := "---\ntitle: 2026\ntopics:\n  - name: writing\n    content:\n      - level: 2\n        criteria: [Writes]\n---\n"
	fw, err := Read("x.md", []byte(md), ReadOptions{ID: "writing-2026"})
	if err != nil {
		t.Fatal(err)
	}
	if fw.Name != "2026" || fw.ID != "writing-2026" || len(fw.Roles) != 2 || len(fw.Roles[0].Expectations) != 0 {
		t.Errorf("got %+v", fw)
	}
	// A title made only of emoji: the id comes from the file name.
	fw, err = Read("ops-ladder.md", []byte("---\ntitle: '🔧'\nlevels: 1\ntopics: [{name: x, content: [{level: 1, criteria: [y]}]}]\n---\n"), ReadOptions{})
	if err != nil || fw.ID != "ops-ladder" {
		t.Errorf("id = %v, %v", fw, err)
	}
}

func TestReadMarkdownErrors(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"no front matter", "# Backend\n", "b.md:1:1: the file has no YAML front matter; a Markdown framework starts with a line ---, then title, levels and topics, then another line ---"},
		{"unknown key with suggestion, lines counted from the file", "---\ntitle: B\ntopcis: []\n---\n", `b.md:3:1: unknown key "topcis" in the front matter; did you mean "topics"?`},
		{"level above levels", "---\ntitle: B\nlevels: 2\ntopics:\n  - name: x\n    content:\n      - level: 3\n        criteria: [y]\n---\n", `b.md:7:16: topic "X" has content for level 3, but the levels run from 1 to 2; fix the level or raise levels`},
		{"bad levels", "---\ntitle: B\nlevels: 0\ntopics: []\n---\n", "b.md:3:9: levels is 0; it must be the number of levels, between 1 and 50"},
		{"topic without name", "---\ntitle: B\nlevels: 1\ntopics:\n  - description: nothing\n---\n", "b.md:5:5: topic 1 has neither a name nor a title; give it a name such as technicalSkills"},
		{"duplicate topics", "---\ntitle: B\nlevels: 1\ntopics:\n  - name: x\n  - name: x\n---\n", `b.md:6:5: id "x" is already used by competencies[0]; ids must be unique within their list`},
		{"examples without criteria", "---\ntitle: B\nlevels: 1\ntopics:\n  - name: x\n    content:\n      - level: 1\n        exampleCriteria: [{examples: [did it]}]\n---\n", `b.md:7:9: level 1 of topic "X" has examples but no criteria; add the criteria the examples illustrate`},
		{"syntax error", "---\ntitle: [B\n---\n", "b.md:2:8: YAML syntax error: sequence end token ']' not found"},
		{"no topics", "---\ntitle: B\nlevels: 1\n---\n", "b.md:2:1: competencies is empty; a framework needs at least one competency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read("b.md", []byte(tt.data), ReadOptions{})
			if err == nil || err.Error() != tt.want {
				t.Errorf("got  %v\nwant %s", err, tt.want)
			}
		})
	}
}

func TestReadCSV(t *testing.T) {
	fw := readFile(t, "testdata/analytics.csv", ReadOptions{})
	if fw.ID != "analytics" || fw.Name != "analytics" || fw.Version != "1" {
		t.Errorf("header = %s %s %s", fw.ID, fw.Name, fw.Version)
	}
	if len(fw.Areas) != 2 || fw.Areas[1] != (trellis.Area{ID: "communication", Name: "Communication"}) {
		t.Errorf("areas = %+v", fw.Areas)
	}
	c, _ := fw.Competency("statistics")
	if c.Description != "Choosing and applying the right method" || c.Area != "technical" {
		t.Errorf("statistics = %+v", c)
	}
	r, _ := fw.Role("senior-analyst")
	if r.Name != "Senior Analyst" || r.Grade == nil || *r.Grade != 5 || len(r.Expectations) != 3 {
		t.Errorf("senior analyst = %+v", r)
	}
	lead, _ := fw.Role("lead-analyst")
	if _, ok := lead.Expectation("statistics"); ok {
		t.Error("an empty expectation cell became an expectation")
	}
	a, _ := fw.Role("analyst")
	if e, _ := a.Expectation("storytelling"); e.Text != "Presents findings clearly\nto their own team" {
		t.Errorf("multi-line field = %q", e.Text)
	}
	if e, _ := a.Expectation("statistics"); e.Text != `Uses descriptive statistics correctly, and says "why"` {
		t.Errorf("quoted field = %q", e.Text)
	}
	// Distinct grades make a ladder.
	if len(fw.Transitions) != 2 || fw.Transitions[0].From != "analyst" || fw.Transitions[1].To != "lead-analyst" {
		t.Errorf("transitions = %+v", fw.Transitions)
	}
	// Without grades the file does not say how roles follow each other.
	fw, err := Read("x.csv", []byte("area,competency,role,expectation\nA,B,IC,x\nA,B,Manager,y\n"), ReadOptions{})
	if err != nil || len(fw.Transitions) != 0 || len(fw.Roles) != 2 {
		t.Errorf("no grades: %+v %v", fw, err)
	}
}

func TestReadCSVErrors(t *testing.T) {
	const h = "area,competency,description,role,grade,expectation\n"
	tests := []struct {
		name, data string
		want       []string
	}{
		{"empty", "", []string{"t.csv:1:1: the file is empty; a CSV framework starts with the header row area,competency,description,role,grade,expectation"}},
		{"bad header", "area,competancy,role,expectation,notes\n", []string{
			`t.csv:1:1: the header has no "competency" column; the header is area,competency,description,role,grade,expectation`,
			`t.csv:1:6: unknown column "competancy"; did you mean "competency"? The header is area,competency,description,role,grade,expectation`,
			`t.csv:1:34: unknown column "notes"; the header is area,competency,description,role,grade,expectation`,
		}},
		{"every bad row named", h +
			"Tech,SQL,,Analyst,3,Writes queries\n" +
			"Tech,SQL,,Senior,five,Designs models\n" +
			",Stats,,Analyst,3,Uses stats\n" +
			"People,SQL,,Lead,7,Sets standards\n" +
			"Tech,SQL,,Analyst,3,Again\n" +
			"Tech,Stats,,Analyst,4,Means\n" +
			"Tech,Stats,,💻,4,Means\n" +
			"Tech,Stats,,Lead,7,a,b\n",
			[]string{
				`t.csv:3:18: grade "five" on line 3 is not a whole number; write a number such as 7, or leave it empty`,
				`t.csv:4:1: row on line 4 has no area; every row names an area, a competency and a role`,
				`t.csv:5:1: competency "SQL" is in area "tech" on line 2 but in "people" here; a competency belongs to one area`,
				`t.csv:6:11: role "Analyst" and competency "SQL" already have a row on line 2; give each pair one row`,
				`t.csv:7:21: role "Analyst" has grade 3 on line 2 but 4 here; give a role one grade`,
				`t.csv:8:13: role "💻" has no letters or digits to make an id from; add some to its name`,
				`t.csv:9:22: row on line 9 has 7 fields, but the header has 6 columns; quote fields that contain commas`,
			}},
		{"bare quote", h + "Tech,SQL,say \"hi\",Analyst,3,x\n", []string{
			`t.csv:2:14: CSV syntax error: bare " in non-quoted-field; a field with quotes must be quoted as a whole, with each quote inside doubled: "say ""hi"""`,
		}},
		{"different descriptions", h + "Tech,SQL,Queries,Analyst,3,x\nTech,SQL,Other,Senior,5,y\n", []string{
			`t.csv:3:10: competency "SQL" already has a different description on line 2; leave this one empty or repeat it exactly`,
		}},
		{"two spellings of one id", h + "Tech,SQL,,Senior Analyst,3,x\nTech,Stats,,senior analyst,3,y\n", []string{
			`t.csv:3:13: role "senior analyst" has the same id "senior-analyst" as role "Senior Analyst" on line 2; use one spelling`,
		}},
		{"header only", h + "\n,,,,,\n", []string{
			"t.csv:1:1: areas is empty; a framework needs at least one area",
			"t.csv:1:1: competencies is empty; a framework needs at least one competency",
			"t.csv:1:1: roles is empty; a framework needs at least one role",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read("t.csv", []byte(tt.data), ReadOptions{})
			if err == nil {
				t.Fatal("accepted")
			}
			if got := strings.Split(err.Error(), "\n"); !slices.Equal(got, tt.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
