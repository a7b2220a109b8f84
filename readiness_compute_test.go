package trellis_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"trellis"
)

// smallFramework has two areas, five competencies and two roles, so that
// every readiness figure can be worked out by hand.
func smallFramework() *trellis.Framework {
	exp := func(c, text string) trellis.Expectation {
		return trellis.Expectation{Competency: c, Text: text, Markers: []string{text + " marker"}}
	}
	return &trellis.Framework{
		ID: "small", Version: "2", Name: "Small",
		Areas: []trellis.Area{{ID: "lead", Name: "Leadership"}, {ID: "tech", Name: "Technical"}, {ID: "empty", Name: "Empty"}},
		Competencies: []trellis.Competency{
			{ID: "comm", Area: "lead", Name: "Communication"},
			{ID: "grow", Area: "lead", Name: "Growing others"},
			{ID: "debug", Area: "tech", Name: "Troubleshooting"},
			{ID: "docs", Area: "tech", Name: "Documentation"},
			{ID: "other", Area: "tech", Name: "Other"},
		},
		Roles: []trellis.Role{
			{ID: "senior", Name: "Senior", Grade: grade(7),
				Expectations: []trellis.Expectation{exp("comm", "talks"), exp("grow", "pairs"), exp("debug", "debugs"), exp("docs", "writes")},
				Considerations: []trellis.Consideration{
					{Text: "You pair a lot.", Competencies: []string{"grow"}},
					{Text: "You find root causes.", Competencies: []string{"debug"}},
				},
				Resources: []string{"r1", "r2"},
			},
			{ID: "staff", Name: "Staff", Grade: grade(8),
				Expectations: []trellis.Expectation{exp("debug", "debugs widely"), exp("comm", "talks widely")},
				Resources:    []string{"r4"},
			},
		},
		Resources: []trellis.Resource{
			{ID: "r1", Title: "Book one", Kind: "read"},
			{ID: "r2", Title: "Do a thing", Kind: "do"},
			{ID: "r3", Title: "Guide", Kind: "read"},
			{ID: "r4", Title: "Staff book", Kind: "read"},
		},
		Considerations: []trellis.Consideration{{Text: "You keep a record.", Competencies: []string{"comm"}}},
	}
}

func at(s string) time.Time { return day(s) }

func assessment(role, comp, by, rating, when string) *trellis.Assessment {
	return &trellis.Assessment{PersonID: 7, FrameworkID: "small", FrameworkVersion: "2", RoleID: role,
		Competency: comp, By: by, Rating: rating, At: at(when)}
}

func smallInput() trellis.ReadinessInput {
	return trellis.ReadinessInput{
		Framework: smallFramework(),
		RoleID:    "senior",
		Evidence: []trellis.CompetencyEvidence{
			{Competency: "comm", Count: 3, Newest: at("2026-03-01")},
			{Competency: "debug", Count: 5, Newest: at("2026-02-01")},
			{Competency: "docs", Count: 1, Newest: at("2026-01-05")},
			{Competency: "docs", Count: 1, Newest: at("2026-01-20")}, // partial sums add up
			{Competency: "other", Count: 4, Newest: at("2026-01-01")},
		},
		Assessments: []*trellis.Assessment{
			assessment("senior", "comm", "self", "meets", "2026-01-01"),
			assessment("senior", "comm", "self", "exceeds", "2026-02-01"), // newer wins
			assessment("senior", "comm", "manager", "meets", "2026-02-02"),
			assessment("senior", "grow", "manager", "not-yet", "2026-02-02"),
			assessment("senior", "grow", "self", "developing", "2026-02-01"),
			assessment("senior", "debug", "self", "developing", "2026-02-01"),
			assessment("staff", "debug", "manager", "exceeds", "2026-03-01"),                                                      // another role
			{RoleID: "senior", FrameworkID: "small", FrameworkVersion: "1", Competency: "docs", By: "manager", Rating: "exceeds"}, // another version
			nil,
		},
		Checklist: []*trellis.ChecklistItem{
			{FrameworkID: "small", RoleID: "senior", Kind: "consideration", Key: "c2", State: "done", EvidenceIDs: []int64{11, 12}},
			{FrameworkID: "small", RoleID: "senior", Kind: "consideration", Key: "general-c1", State: "planned"},
			{FrameworkID: "small", RoleID: "staff", Kind: "consideration", Key: "c1", State: "done"}, // another role
			{FrameworkID: "small", RoleID: "senior", Kind: "resource", Key: "r1", State: "done"},
			{FrameworkID: "small", RoleID: "senior", Kind: "resource", Key: "r2", State: "bogus"},
			{FrameworkID: "small", RoleID: "senior", Kind: "resource", Key: "r3", State: "planned"},
		},
		Today: at("2026-03-15"),
	}
}

func rowString(r trellis.ReadinessRow) string {
	return fmt.Sprintf("%s/%s ev=%d self=%s mgr=%s", r.Area, r.Competency, r.Evidence.Count, rating(r.Self), rating(r.Manager))
}

func rating(a *trellis.Assessment) string {
	if a == nil {
		return "-"
	}
	return a.Rating
}

func TestComputeReadinessSmall(t *testing.T) {
	r := trellis.ComputeReadiness(smallInput())
	if r.FrameworkID != "small" || r.Version != "2" || r.RoleID != "senior" {
		t.Errorf("header = %s@%s %s", r.FrameworkID, r.Version, r.RoleID)
	}
	var rows []string
	for _, row := range r.Rows {
		rows = append(rows, rowString(row))
	}
	wantRows := []string{
		"lead/comm ev=3 self=exceeds mgr=meets",
		"lead/grow ev=0 self=developing mgr=not-yet",
		"tech/debug ev=5 self=developing mgr=-",
		"tech/docs ev=2 self=- mgr=-",
	}
	if !slices.Equal(rows, wantRows) {
		t.Errorf("rows =\n  %s\nwant\n  %s", strings.Join(rows, "\n  "), strings.Join(wantRows, "\n  "))
	}
	if got := r.Rows[3].Evidence.Newest; !got.Equal(at("2026-01-20")) {
		t.Errorf("docs newest = %v, want the newer of the partial sums", got)
	}
	if r.Rows[0].Expectation.Text != "talks" {
		t.Errorf("row carries the expectation: %+v", r.Rows[0].Expectation)
	}
	if !r.Rows[0].Met() || r.Rows[1].Met() || r.Rows[0].Rating() != "meets" || r.Rows[2].Rating() != "developing" || r.Rows[3].Rating() != "" {
		t.Error("Met and Rating disagree with the rows")
	}

	s := r.Summary
	if s.Expectations != 4 || s.MetByManager != 1 || s.NoEvidence != 1 {
		t.Errorf("summary = %d expectations, %d met, %d without evidence; want 4, 1, 1", s.Expectations, s.MetByManager, s.NoEvidence)
	}
	var next []string
	for _, row := range s.Next {
		next = append(next, row.Competency)
	}
	// grow: manager not yet, no evidence; docs: unrated (as not yet), 2
	// entries; debug: developing. comm is met and not proposed.
	if strings.Join(next, ",") != "grow,docs,debug" {
		t.Errorf("next = %v, want grow,docs,debug", next)
	}

	wantAreas := []trellis.AreaReadiness{
		{Area: "lead", Name: "Leadership", Self: 2, Manager: 1, Coverage: 0.5},
		{Area: "tech", Name: "Technical", Self: 1, Manager: -1, Coverage: 1},
	}
	if !slices.Equal(r.Areas, wantAreas) {
		t.Errorf("areas = %+v\nwant %+v", r.Areas, wantAreas)
	}

	var cons []string
	for _, c := range r.Considerations {
		cons = append(cons, fmt.Sprintf("%s:%s:%v:%v:%v", c.Key, c.State, c.General, c.EvidenceIDs, c.Competencies))
	}
	wantCons := []string{"c1:open:false:[]:[grow]", "c2:done:false:[11 12]:[debug]", "general-c1:planned:true:[]:[comm]"}
	if !slices.Equal(cons, wantCons) {
		t.Errorf("considerations = %v\nwant %v", cons, wantCons)
	}
	if r.Considerations[2].Text != "You keep a record." {
		t.Errorf("consideration text = %q", r.Considerations[2].Text)
	}

	var res []string
	for _, x := range r.Resources {
		res = append(res, fmt.Sprintf("%s:%s:%v", x.Resource.ID, x.State, x.General))
	}
	wantRes := []string{"r1:done:false", "r2:open:false", "r3:planned:true"}
	if !slices.Equal(res, wantRes) {
		t.Errorf("resources = %v, want %v", res, wantRes)
	}
}

func TestComputeReadinessNextOrder(t *testing.T) {
	fw := smallFramework()
	tests := []struct {
		name string
		in   func(in *trellis.ReadinessInput)
		want string
	}{
		{"nothing yet: framework order", func(in *trellis.ReadinessInput) {}, "comm,grow,debug"},
		{"least evidence first", func(in *trellis.ReadinessInput) {
			in.Evidence = []trellis.CompetencyEvidence{{Competency: "comm", Count: 2}, {Competency: "grow", Count: 1}, {Competency: "debug", Count: 9}}
		}, "docs,grow,comm"},
		{"manager rating beats self", func(in *trellis.ReadinessInput) {
			in.Assessments = []*trellis.Assessment{
				assessment("senior", "comm", "self", "not-yet", "2026-01-01"),
				assessment("senior", "comm", "manager", "developing", "2026-01-01"),
				assessment("senior", "grow", "self", "developing", "2026-01-01"),
				assessment("senior", "debug", "self", "meets", "2026-01-01"),
				assessment("senior", "docs", "self", "not-yet", "2026-01-01"),
			}
		}, "docs,comm,grow"},
		{"all met by manager: nothing", func(in *trellis.ReadinessInput) {
			for _, c := range []string{"comm", "grow", "debug", "docs"} {
				in.Assessments = append(in.Assessments, assessment("senior", c, "manager", "exceeds", "2026-01-01"))
			}
		}, ""},
		{"fewer than three left", func(in *trellis.ReadinessInput) {
			for _, c := range []string{"comm", "debug", "docs"} {
				in.Assessments = append(in.Assessments, assessment("senior", c, "manager", "meets", "2026-01-01"))
			}
		}, "grow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := trellis.ReadinessInput{Framework: fw, RoleID: "senior"}
			tt.in(&in)
			var got []string
			for _, r := range trellis.ComputeReadiness(in).Summary.Next {
				got = append(got, r.Competency)
			}
			if strings.Join(got, ",") != tt.want {
				t.Errorf("next = %v, want %s", got, tt.want)
			}
		})
	}
}

func TestComputeReadinessSupport(t *testing.T) {
	fw := support(t)
	role, _ := fw.Role("senior-support-engineer")
	r := trellis.ComputeReadiness(trellis.ReadinessInput{Framework: fw, RoleID: role.ID})
	n := len(role.Expectations)
	if r.Summary.Expectations != n || r.Summary.NoEvidence != n || r.Summary.MetByManager != 0 || len(r.Rows) != n {
		t.Errorf("summary = %+v, want %d expectations, all without evidence", r.Summary, n)
	}
	if len(r.Summary.Next) != 3 || r.Summary.Next[0].Competency != role.Expectations[0].Competency {
		t.Errorf("next = %v", r.Summary.Next)
	}
	if len(r.Areas) != 3 {
		t.Errorf("areas = %+v, want the three areas", r.Areas)
	}
	for _, a := range r.Areas {
		if a.Self != -1 || a.Manager != -1 || a.Coverage != 0 {
			t.Errorf("area %s = %+v, want unrated and uncovered", a.Area, a)
		}
	}
	wantCons := len(role.Considerations) + len(fw.Considerations)
	if len(r.Considerations) != wantCons || r.Considerations[0].Key != "c1" || r.Considerations[len(role.Considerations)].Key != "general-c1" {
		t.Errorf("considerations: %d, want %d role then general ones", len(r.Considerations), wantCons)
	}
	general := fw.GeneralResources()
	if len(r.Resources) != len(role.Resources)+len(general) {
		t.Errorf("resources: %d, want %d + %d", len(r.Resources), len(role.Resources), len(general))
	}
	for i, x := range r.Resources {
		if x.General != (i >= len(role.Resources)) || x.State != trellis.ItemOpen {
			t.Errorf("resource %d = %+v", i, x)
		}
	}
}

func TestComputeReadinessEdges(t *testing.T) {
	r := trellis.ComputeReadiness(trellis.ReadinessInput{Framework: smallFramework(), RoleID: "ghost"})
	if len(r.Rows) != 0 || r.Summary.Expectations != 0 || len(r.Areas) != 0 {
		t.Errorf("unknown role: %+v", r)
	}
	if len(r.Considerations) != 1 || !r.Considerations[0].General || len(r.Resources) != 1 {
		t.Errorf("unknown role still lists the general checklist: %+v %+v", r.Considerations, r.Resources)
	}
	r = trellis.ComputeReadiness(trellis.ReadinessInput{RoleID: "x"})
	b, _ := json.Marshal(r)
	if !strings.Contains(string(b), `"rows":[]`) || !strings.Contains(string(b), `"next":[]`) {
		t.Errorf("nil framework encodes as %s, want empty lists", b)
	}
}

func TestTargetChanges(t *testing.T) {
	old := smallFramework()
	nw := smallFramework()
	senior := &nw.Roles[0]
	senior.Expectations[0].Text = "talks clearly"                            // comm changed
	senior.Expectations[1].Level = grade(3)                                  // grow: level added
	senior.Expectations[2].Markers = []string{"debugs marker", "new marker"} // debug: markers
	senior.Expectations = append(senior.Expectations[:3], trellis.Expectation{Competency: "other", Text: "new"})
	// docs removed, other added

	tests := []struct {
		name     string
		old, new *trellis.Framework
		role     string
		want     string
	}{
		{"edits", old, nw, "senior", "comm:changed grow:changed debug:changed other:added docs:removed"},
		{"same", old, old, "senior", ""},
		{"untouched role", old, nw, "staff", ""},
		{"role new", &trellis.Framework{}, nw, "staff", "debug:added comm:added"},
		{"role gone", old, &trellis.Framework{}, "staff", "debug:removed comm:removed"},
		{"nil old", nil, old, "staff", "debug:added comm:added"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range trellis.TargetChanges(tt.old, tt.new, tt.role) {
				got = append(got, c.Competency+":"+c.Op)
				switch c.Op {
				case trellis.ChangeAdded:
					if c.Before != nil || c.After == nil {
						t.Errorf("%s added: before %v after %v", c.Competency, c.Before, c.After)
					}
				case trellis.ChangeRemoved:
					if c.Before == nil || c.After != nil {
						t.Errorf("%s removed: before %v after %v", c.Competency, c.Before, c.After)
					}
				case trellis.ChangeChanged:
					if c.Before == nil || c.After == nil || c.Before.Competency != c.After.Competency {
						t.Errorf("%s changed: before %v after %v", c.Competency, c.Before, c.After)
					}
				}
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("changes = %v, want %s", got, tt.want)
			}
		})
	}
	ch := trellis.TargetChanges(old, nw, "senior")
	if ch[0].Before.Text != "talks" || ch[0].After.Text != "talks clearly" {
		t.Errorf("changed expectation carries both texts: %+v %+v", ch[0].Before, ch[0].After)
	}
	ch[0].After.Text = "scribble"
	if nw.Roles[0].Expectations[0].Text != "talks clearly" {
		t.Error("changes alias the framework")
	}
}

func TestHeatmap(t *testing.T) {
	fw := smallFramework()
	people := []trellis.HeatmapPerson{
		{PersonID: 1, RoleID: "staff",
			Evidence: []trellis.CompetencyEvidence{{Competency: "debug", Count: 4}, {Competency: "grow", Count: 2}},
			Assessments: []*trellis.Assessment{
				assessment("staff", "debug", "self", "meets", "2026-01-01"),
				assessment("staff", "comm", "self", "developing", "2026-01-01"),
				assessment("staff", "comm", "manager", "not-yet", "2026-01-01"),
				assessment("senior", "grow", "manager", "meets", "2026-01-01"), // another target
			}},
		{PersonID: 2, RoleID: "ghost"},
	}
	cols, cells := trellis.Heatmap(fw, people)
	if strings.Join(cols, ",") != "comm,debug" {
		t.Errorf("columns = %v, want the staff role's, in framework order", cols)
	}
	people = append(people, trellis.HeatmapPerson{PersonID: 3, RoleID: "senior", Evidence: []trellis.CompetencyEvidence{{Competency: "docs", Count: 1}}})
	cols, cells = trellis.Heatmap(fw, people)
	if strings.Join(cols, ",") != "comm,grow,debug,docs" {
		t.Errorf("columns = %v, want the union in framework order", cols)
	}
	if len(cells) != 3 {
		t.Fatalf("rows = %d, want one per person", len(cells))
	}
	render := func(row []trellis.HeatmapCell) string {
		var s []string
		for _, c := range row {
			s = append(s, fmt.Sprintf("%d/%s:%s:%d:%v", c.PersonID, c.Competency, c.Rating, c.Evidence, c.Expected))
		}
		return strings.Join(s, " ")
	}
	want := []string{
		"1/comm:not-yet:0:true 1/grow::2:false 1/debug:meets:4:true 1/docs::0:false",
		"2/comm::0:false 2/grow::0:false 2/debug::0:false 2/docs::0:false",
		"3/comm::0:true 3/grow::0:true 3/debug::0:true 3/docs::1:true",
	}
	for i := range cells {
		if got := render(cells[i]); got != want[i] {
			t.Errorf("row %d = %s\nwant     %s", i, got, want[i])
		}
	}
	cols, cells = trellis.Heatmap(fw, nil)
	if len(cols) != 0 || len(cells) != 0 {
		t.Errorf("empty team: %v %v", cols, cells)
	}
}

// BenchmarkComputeReadiness computes a senior's readiness in the support
// framework from the figures of 500 evidence entries: as the store sums
// them (one row per competency) and unsummed (one row per entry).
func BenchmarkComputeReadiness(b *testing.B) {
	fw := support(b)
	role, _ := fw.Role("senior-support-engineer")
	var perEntry []trellis.CompetencyEvidence
	sums := map[string]*trellis.CompetencyEvidence{}
	for i := range 500 {
		c := fw.Competencies[i%len(fw.Competencies)].ID
		d := at("2025-01-01").AddDate(0, 0, i%365)
		perEntry = append(perEntry, trellis.CompetencyEvidence{Competency: c, Count: 1, Newest: d})
		if sums[c] == nil {
			sums[c] = &trellis.CompetencyEvidence{Competency: c}
		}
		sums[c].Count++
		if d.After(sums[c].Newest) {
			sums[c].Newest = d
		}
	}
	var summed []trellis.CompetencyEvidence
	for _, c := range fw.Competencies {
		summed = append(summed, *sums[c.ID])
	}
	var as []*trellis.Assessment
	for i, e := range role.Expectations {
		for _, by := range []string{"self", "manager"} {
			as = append(as, &trellis.Assessment{RoleID: role.ID, FrameworkID: fw.ID, FrameworkVersion: fw.Version,
				Competency: e.Competency, By: by, Rating: trellis.Ratings[i%4], At: at("2026-01-01")})
		}
	}
	var cl []*trellis.ChecklistItem
	for i := range role.Considerations {
		cl = append(cl, &trellis.ChecklistItem{RoleID: role.ID, Kind: "consideration", Key: trellis.ConsiderationKey(false, i), State: "done", EvidenceIDs: []int64{1, 2}})
	}
	for _, id := range role.Resources {
		cl = append(cl, &trellis.ChecklistItem{RoleID: role.ID, Kind: "resource", Key: id, State: "planned"})
	}
	for name, ev := range map[string][]trellis.CompetencyEvidence{"summed": summed, "per-entry": perEntry} {
		b.Run(name, func(b *testing.B) {
			in := trellis.ReadinessInput{Framework: fw, RoleID: role.ID, Evidence: ev, Assessments: as, Checklist: cl, Today: today}
			b.ReportAllocs()
			for b.Loop() {
				r := trellis.ComputeReadiness(in)
				if r.Summary.Expectations != len(role.Expectations) {
					b.Fatal("wrong rows")
				}
			}
		})
	}
}

func TestChecklistItemValidate(t *testing.T) {
	fw := smallFramework()
	good := func() trellis.ChecklistItem {
		return trellis.ChecklistItem{PersonID: 7, FrameworkID: "small", RoleID: "senior", Kind: "consideration", Key: "c2", State: "done", EvidenceIDs: []int64{3, 4}}
	}
	tests := []struct {
		name   string
		change func(it *trellis.ChecklistItem)
		want   map[string]string
	}{
		{"valid consideration", func(it *trellis.ChecklistItem) {}, nil},
		{"valid general consideration", func(it *trellis.ChecklistItem) { it.Key = "general-c1" }, nil},
		{"valid role resource", func(it *trellis.ChecklistItem) { it.Kind, it.Key, it.EvidenceIDs = "resource", "r2", nil }, nil},
		{"valid general resource", func(it *trellis.ChecklistItem) { it.Kind, it.Key, it.EvidenceIDs = "resource", "r3", nil }, nil},
		{"resource of another role", func(it *trellis.ChecklistItem) { it.Kind, it.Key, it.EvidenceIDs = "resource", "r4", nil },
			map[string]string{"key": `resource "r4" is not on the checklist of role "senior"`}},
		{"consideration out of range", func(it *trellis.ChecklistItem) { it.Key = "c3" }, map[string]string{"key": `consideration "c3" is not on the checklist`}},
		{"key missing", func(it *trellis.ChecklistItem) { it.Key = "" }, map[string]string{"key": "required"}},
		{"kind unknown", func(it *trellis.ChecklistItem) { it.Kind = "book" }, map[string]string{"kind": `"book" is not known`}},
		{"state unknown", func(it *trellis.ChecklistItem) { it.State = "dne" }, map[string]string{"state": `did you mean "done"?`}},
		{"role unknown", func(it *trellis.ChecklistItem) { it.RoleID = "senor" }, map[string]string{"role_id": `did you mean "senior"?`}},
		{"role missing", func(it *trellis.ChecklistItem) { it.RoleID = "" }, map[string]string{"role_id": "required"}},
		{"evidence on a resource", func(it *trellis.ChecklistItem) { it.Kind, it.Key = "resource", "r1" }, map[string]string{"evidence_ids": "not backed by evidence"}},
		{"evidence twice", func(it *trellis.ChecklistItem) { it.EvidenceIDs = []int64{3, 3} }, map[string]string{"evidence_ids": "listed twice"}},
		{"other framework", func(it *trellis.ChecklistItem) { it.FrameworkID = "x" }, map[string]string{"framework_id": `"x"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := good()
			tt.change(&it)
			checkDetails(t, it.Validate(fw), tt.want)
		})
	}
}
