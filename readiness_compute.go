package trellis

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Checklist item kinds.
const (
	ChecklistConsideration = "consideration"
	ChecklistResource      = "resource"
)

// ChecklistStates lists the valid checklist item states.
var ChecklistStates = []string{ItemOpen, ItemPlanned, ItemDone}

// ConsiderationKey is the checklist key of a consideration: "c1", "c2" ...
// for the target role's own, in framework order, and "general-c1" ... for
// the framework's general ones.
func ConsiderationKey(general bool, index int) string {
	if general {
		return fmt.Sprintf("general-c%d", index+1)
	}
	return fmt.Sprintf("c%d", index+1)
}

// Validate checks a checklist item against the framework version it
// belongs to: the role exists, the kind is consideration or resource, the
// key names one of the role's considerations ("c1" ...), a general one
// ("general-c1" ...), or a resource of the role or a general resource, and
// the state is open, planned or done. Only considerations are backed by
// evidence.
func (it *ChecklistItem) Validate(fw *Framework) error {
	var d fieldErrors
	if fw != nil && it.FrameworkID != "" && it.FrameworkID != fw.ID {
		d.add("framework_id", "framework_id is %q, but the item is checked against framework %q", it.FrameworkID, fw.ID)
	}
	var role *Role
	switch {
	case it.RoleID == "":
		d.add("role_id", "role_id is required: the target role the item belongs to")
	case fw != nil:
		var ok bool
		if role, ok = fw.Role(it.RoleID); !ok {
			d.add("role_id", "%s", unknownRef("role", it.RoleID, roleIDs(fw), fw))
		}
	}
	var keys []string
	switch it.Kind {
	case ChecklistConsideration:
		if role != nil {
			for i := range role.Considerations {
				keys = append(keys, ConsiderationKey(false, i))
			}
		}
		if fw != nil {
			for i := range fw.Considerations {
				keys = append(keys, ConsiderationKey(true, i))
			}
		}
	case ChecklistResource:
		if role != nil {
			keys = append(keys, role.Resources...)
		}
		if fw != nil {
			for _, r := range fw.GeneralResources() {
				keys = append(keys, r.ID)
			}
		}
		if len(it.EvidenceIDs) > 0 {
			d.add("evidence_ids", "resources are ticked off, not backed by evidence; leave evidence_ids empty")
		}
	default:
		d.add("kind", "kind %q is not known; use %s or %s", it.Kind, ChecklistConsideration, ChecklistResource)
	}
	switch {
	case it.Key == "":
		d.add("key", "key is required: a consideration's key (c1, general-c1 ...) or a resource id")
	case role != nil && (it.Kind == ChecklistConsideration || it.Kind == ChecklistResource) && !slices.Contains(keys, it.Key):
		msg := fmt.Sprintf("%s %q is not on the checklist of role %q", it.Kind, it.Key, role.ID)
		if s := Suggest(it.Key, keys); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		} else if len(keys) > 0 && len(keys) <= 20 {
			msg += "; use one of " + strings.Join(keys, ", ")
		}
		d.add("key", "%s", msg)
	}
	if !slices.Contains(ChecklistStates, it.State) {
		d.add("state", "state %q is not known%s; use one of %s", it.State, suggestion(it.State, ChecklistStates), strings.Join(ChecklistStates, ", "))
	}
	seen := map[int64]bool{}
	for _, id := range it.EvidenceIDs {
		if id <= 0 || seen[id] {
			d.add("evidence_ids", "evidence id %d is not a valid entry id or is listed twice", id)
			break
		}
		seen[id] = true
	}
	return d.err("checklist item")
}

// RatingScore places a rating on the 0..3 scale (not yet 0, exceeds 3); -1
// for no or an unknown rating.
func RatingScore(rating string) int {
	return slices.Index(Ratings, rating)
}

// ReadinessInput is what readiness is computed from: one framework version,
// the target role in it, and the person's own data.
type ReadinessInput struct {
	Framework   *Framework
	RoleID      string
	Evidence    []CompetencyEvidence
	Assessments []*Assessment
	Checklist   []*ChecklistItem
	Today       time.Time
}

// Readiness is where a person stands against a target role in one framework
// version.
type Readiness struct {
	FrameworkID    string                `json:"framework_id"`
	Version        string                `json:"version"`
	RoleID         string                `json:"role_id"`
	Rows           []ReadinessRow        `json:"rows"`
	Areas          []AreaReadiness       `json:"areas"`
	Considerations []ConsiderationStatus `json:"considerations"`
	Resources      []ResourceStatus      `json:"resources"`
	Summary        ReadinessSummary      `json:"summary"`
}

// ReadinessRow is one expectation of the target role with the person's
// evidence for it and the newest self and manager assessments (nil when
// none).
type ReadinessRow struct {
	Area        string             `json:"area"`
	Competency  string             `json:"competency"`
	Expectation Expectation        `json:"expectation"`
	Evidence    CompetencyEvidence `json:"evidence"`
	Self        *Assessment        `json:"self,omitempty"`
	Manager     *Assessment        `json:"manager,omitempty"`
}

// Met reports whether the manager rates the row meets or exceeds.
func (r ReadinessRow) Met() bool {
	return r.Manager != nil && RatingScore(r.Manager.Rating) >= RatingScore(RatingMeets)
}

// Rating returns the manager's rating, else the person's own, else "".
func (r ReadinessRow) Rating() string {
	switch {
	case r.Manager != nil:
		return r.Manager.Rating
	case r.Self != nil:
		return r.Self.Rating
	}
	return ""
}

// AreaReadiness sums up one area of the matrix for a radar chart: the mean
// self and manager ratings on 0..3 over the rated rows (-1 when no row of
// the area is rated) and the share of rows with evidence.
type AreaReadiness struct {
	Area     string  `json:"area"`
	Name     string  `json:"name"`
	Self     float64 `json:"self"`
	Manager  float64 `json:"manager"`
	Coverage float64 `json:"coverage"`
}

// ConsiderationStatus is one consideration of the target role (General
// false) or of the framework (General true) as a checklist item.
type ConsiderationStatus struct {
	Key          string   `json:"key"`
	Text         string   `json:"text"`
	Competencies []string `json:"competencies,omitempty"`
	State        string   `json:"state"`
	EvidenceIDs  []int64  `json:"evidence_ids,omitempty"`
	General      bool     `json:"general"`
}

// ResourceStatus is one resource of the target role (General false), or one
// that no role names (General true), as a checklist item.
type ResourceStatus struct {
	Resource Resource `json:"resource"`
	State    string   `json:"state"`
	General  bool     `json:"general"`
}

// ReadinessSummary is the short answer: how many expectations there are,
// how many the manager confirms as met, how many have no evidence yet, and
// the next three things to work on.
type ReadinessSummary struct {
	Expectations int            `json:"expectations"`
	MetByManager int            `json:"met_by_manager"`
	NoEvidence   int            `json:"no_evidence"`
	Next         []ReadinessRow `json:"next"`
}

// NextCount is how many rows the summary proposes to work on next.
const NextCount = 3

// ComputeReadiness lays the person's evidence, assessments and checklist
// over the target role's expectations. It is pure and linear in the size of
// the role and of the inputs. Assessments for another role or framework
// version are ignored; of several for one competency and assessor kind the
// newest counts. "Met" means the manager rates meets or exceeds. The next
// things to work on are rows not yet met: weakest rating first (the
// manager's, else the person's own; no rating counts as not yet), then
// least evidence, then framework order. An unknown role gives no rows.
func ComputeReadiness(in ReadinessInput) *Readiness {
	fw := in.Framework
	if fw == nil {
		return &Readiness{RoleID: in.RoleID, Rows: []ReadinessRow{}, Areas: []AreaReadiness{},
			Considerations: []ConsiderationStatus{}, Resources: []ResourceStatus{}, Summary: ReadinessSummary{Next: []ReadinessRow{}}}
	}
	out := &Readiness{FrameworkID: fw.ID, Version: fw.Version, RoleID: in.RoleID}
	role, _ := fw.Role(in.RoleID)

	evidence := make(map[string]CompetencyEvidence, len(in.Evidence))
	for _, e := range in.Evidence {
		// Sums over duplicates so that callers may pass partial sums.
		if prev, ok := evidence[e.Competency]; ok {
			e.Count += prev.Count
			if prev.Newest.After(e.Newest) {
				e.Newest = prev.Newest
			}
		}
		evidence[e.Competency] = e
	}
	self, manager := newestAssessments(in.Assessments, fw, in.RoleID)

	compArea := make(map[string]string, len(fw.Competencies))
	for _, c := range fw.Competencies {
		compArea[c.ID] = c.Area
	}
	var exps []Expectation
	if role != nil {
		exps = role.Expectations
	}
	out.Rows = make([]ReadinessRow, 0, len(exps))
	for _, e := range exps {
		ev, ok := evidence[e.Competency]
		if !ok {
			ev = CompetencyEvidence{Competency: e.Competency}
		}
		row := ReadinessRow{
			Area:        compArea[e.Competency],
			Competency:  e.Competency,
			Expectation: e,
			Evidence:    ev,
			Self:        self[e.Competency],
			Manager:     manager[e.Competency],
		}
		out.Rows = append(out.Rows, row)
		out.Summary.Expectations++
		if row.Met() {
			out.Summary.MetByManager++
		}
		if ev.Count == 0 {
			out.Summary.NoEvidence++
		}
	}

	out.Areas = areaReadiness(fw, out.Rows)
	out.Summary.Next = nextRows(out.Rows)

	items := make(map[[2]string]*ChecklistItem, len(in.Checklist))
	for _, it := range in.Checklist {
		if it == nil || (it.RoleID != "" && it.RoleID != in.RoleID) || (it.FrameworkID != "" && it.FrameworkID != fw.ID) {
			continue
		}
		items[[2]string{it.Kind, it.Key}] = it
	}
	state := func(kind, key string) (string, []int64) {
		it, ok := items[[2]string{kind, key}]
		if !ok || !slices.Contains(ChecklistStates, it.State) {
			if ok {
				return ItemOpen, it.EvidenceIDs
			}
			return ItemOpen, nil
		}
		return it.State, it.EvidenceIDs
	}
	out.Considerations = []ConsiderationStatus{}
	addConsiderations := func(cs []Consideration, general bool) {
		for i, c := range cs {
			key := ConsiderationKey(general, i)
			st, ids := state(ChecklistConsideration, key)
			out.Considerations = append(out.Considerations, ConsiderationStatus{
				Key: key, Text: c.Text, Competencies: c.Competencies, State: st, EvidenceIDs: ids, General: general,
			})
		}
	}
	if role != nil {
		addConsiderations(role.Considerations, false)
	}
	addConsiderations(fw.Considerations, true)

	out.Resources = []ResourceStatus{}
	if role != nil {
		for _, id := range role.Resources {
			if r, ok := fw.Resource(id); ok {
				st, _ := state(ChecklistResource, id)
				out.Resources = append(out.Resources, ResourceStatus{Resource: *r, State: st})
			}
		}
	}
	for _, r := range fw.GeneralResources() {
		st, _ := state(ChecklistResource, r.ID)
		out.Resources = append(out.Resources, ResourceStatus{Resource: r, State: st, General: true})
	}
	return out
}

// newestAssessments picks, per competency, the newest self and manager
// assessment for roleID in fw's version.
func newestAssessments(as []*Assessment, fw *Framework, roleID string) (self, manager map[string]*Assessment) {
	self = make(map[string]*Assessment)
	manager = make(map[string]*Assessment)
	for _, a := range as {
		if a == nil || (a.RoleID != "" && a.RoleID != roleID) ||
			(a.FrameworkID != "" && a.FrameworkID != fw.ID) ||
			(a.FrameworkVersion != "" && a.FrameworkVersion != fw.Version) {
			continue
		}
		var m map[string]*Assessment
		switch a.By {
		case BySelf:
			m = self
		case ByManager:
			m = manager
		default:
			continue
		}
		if prev, ok := m[a.Competency]; !ok || a.At.After(prev.At) {
			m[a.Competency] = a
		}
	}
	return self, manager
}

func areaReadiness(fw *Framework, rows []ReadinessRow) []AreaReadiness {
	type acc struct {
		rows, covered, selfN, mgrN, selfSum, mgrSum int
	}
	sums := make(map[string]*acc, len(fw.Areas))
	for _, r := range rows {
		a := sums[r.Area]
		if a == nil {
			a = &acc{}
			sums[r.Area] = a
		}
		a.rows++
		if r.Evidence.Count > 0 {
			a.covered++
		}
		if r.Self != nil {
			if s := RatingScore(r.Self.Rating); s >= 0 {
				a.selfN++
				a.selfSum += s
			}
		}
		if r.Manager != nil {
			if s := RatingScore(r.Manager.Rating); s >= 0 {
				a.mgrN++
				a.mgrSum += s
			}
		}
	}
	mean := func(sum, n int) float64 {
		if n == 0 {
			return -1
		}
		return float64(sum) / float64(n)
	}
	out := []AreaReadiness{}
	for _, ar := range fw.Areas {
		a := sums[ar.ID]
		if a == nil {
			continue
		}
		out = append(out, AreaReadiness{
			Area:     ar.ID,
			Name:     ar.Name,
			Self:     mean(a.selfSum, a.selfN),
			Manager:  mean(a.mgrSum, a.mgrN),
			Coverage: float64(a.covered) / float64(a.rows),
		})
	}
	return out
}

func nextRows(rows []ReadinessRow) []ReadinessRow {
	type cand struct {
		i, score, count int
	}
	var cs []cand
	for i, r := range rows {
		if r.Met() {
			continue
		}
		cs = append(cs, cand{i: i, score: max(RatingScore(r.Rating()), 0), count: r.Evidence.Count})
	}
	sort.Slice(cs, func(a, b int) bool {
		x, y := cs[a], cs[b]
		if x.score != y.score {
			return x.score < y.score
		}
		if x.count != y.count {
			return x.count < y.count
		}
		return x.i < y.i
	})
	out := make([]ReadinessRow, 0, NextCount)
	for _, c := range cs[:min(NextCount, len(cs))] {
		out = append(out, rows[c.i])
	}
	return out
}

// ExpectationChange is what changed in one expectation of a target role
// between two framework versions. Op is "added", "removed" or "changed";
// Before is nil for added ones, After for removed ones.
type ExpectationChange struct {
	Competency string       `json:"competency"`
	Op         string       `json:"op"`
	Before     *Expectation `json:"before,omitempty"`
	After      *Expectation `json:"after,omitempty"`
}

// Expectation change operations.
const (
	ChangeAdded   = "added"
	ChangeRemoved = "removed"
	ChangeChanged = "changed"
)

// TargetChanges says what changed for a person aiming at roleID when new
// replaces old: expectations added or changed (text, level or markers), in
// the new version's order, then those removed, in the old one's. A role
// missing from a version has no expectations there; nil frameworks too.
func TargetChanges(old, new *Framework, roleID string) []ExpectationChange {
	expectations := func(fw *Framework) []Expectation {
		if fw == nil {
			return nil
		}
		if r, ok := fw.Role(roleID); ok {
			return r.Expectations
		}
		return nil
	}
	before, after := expectations(old), expectations(new)
	find := func(es []Expectation, comp string) *Expectation {
		for i := range es {
			if es[i].Competency == comp {
				e := es[i]
				return &e
			}
		}
		return nil
	}
	out := []ExpectationChange{}
	for i := range after {
		a := after[i]
		b := find(before, a.Competency)
		switch {
		case b == nil:
			out = append(out, ExpectationChange{Competency: a.Competency, Op: ChangeAdded, After: &a})
		case !sameExpectation(*b, a):
			out = append(out, ExpectationChange{Competency: a.Competency, Op: ChangeChanged, Before: b, After: &a})
		}
	}
	for i := range before {
		b := before[i]
		if find(after, b.Competency) == nil {
			out = append(out, ExpectationChange{Competency: b.Competency, Op: ChangeRemoved, Before: &b})
		}
	}
	return out
}

func sameExpectation(a, b Expectation) bool {
	if (a.Level == nil) != (b.Level == nil) || (a.Level != nil && *a.Level != *b.Level) {
		return false
	}
	return a.Text == b.Text && slices.Equal(a.Markers, b.Markers)
}

// HeatmapPerson is one row of a team heatmap: a person, their target role
// and their data.
type HeatmapPerson struct {
	PersonID    int64
	RoleID      string // the target role
	Evidence    []CompetencyEvidence
	Assessments []*Assessment
}

// HeatmapCell is one person and competency: the manager's newest rating,
// else the person's own, else ""; the number of evidence entries; and
// whether the person's target role expects the competency at all.
type HeatmapCell struct {
	PersonID   int64  `json:"person_id"`
	Competency string `json:"competency"`
	Rating     string `json:"rating"`
	Evidence   int    `json:"evidence"`
	Expected   bool   `json:"expected"`
}

// Heatmap lays a team over the competencies of their target roles: the
// columns are the union of the competencies the people's target roles
// expect, in framework order, and cells[i][j] is people[i] in column j.
func Heatmap(fw *Framework, people []HeatmapPerson) (competencies []string, cells [][]HeatmapCell) {
	competencies = []string{}
	cells = make([][]HeatmapCell, len(people))
	if fw == nil {
		for i := range cells {
			cells[i] = []HeatmapCell{}
		}
		return competencies, cells
	}
	expected := make([]map[string]bool, len(people))
	union := map[string]bool{}
	for i, p := range people {
		expected[i] = map[string]bool{}
		if r, ok := fw.Role(p.RoleID); ok {
			for _, e := range r.Expectations {
				expected[i][e.Competency] = true
				union[e.Competency] = true
			}
		}
	}
	for _, c := range fw.Competencies {
		if union[c.ID] {
			competencies = append(competencies, c.ID)
		}
	}
	for i, p := range people {
		counts := make(map[string]int, len(p.Evidence))
		for _, e := range p.Evidence {
			counts[e.Competency] += e.Count
		}
		self, manager := newestAssessments(p.Assessments, fw, p.RoleID)
		row := make([]HeatmapCell, len(competencies))
		for j, c := range competencies {
			cell := HeatmapCell{PersonID: p.PersonID, Competency: c, Evidence: counts[c], Expected: expected[i][c]}
			if a := manager[c]; a != nil {
				cell.Rating = a.Rating
			} else if a := self[c]; a != nil {
				cell.Rating = a.Rating
			}
			row[j] = cell
		}
		cells[i] = row
	}
	return competencies, cells
}
