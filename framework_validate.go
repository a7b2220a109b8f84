package trellis

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Problem is one thing wrong with a framework. Path locates the offending
// value in the document as a YAML path ($.roles[3].expectations[0].competency)
// so that readers can turn it into a line and column.
type Problem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// MaxIDLength is the longest id a framework may use.
const MaxIDLength = 64

// ValidID reports whether s is a lowercase slug of at most MaxIDLength bytes.
func ValidID(s string) bool {
	return len(s) <= MaxIDLength && slugPattern.MatchString(s)
}

// Validate checks every rule of the trellis/v1 format that does not depend on
// the file's syntax: required fields, id shapes, uniqueness and every
// cross-reference. It reports all problems, in document order.
func (f *Framework) Validate() []Problem {
	v := &validator{}
	v.required("$.apiVersion", f.APIVersion, "apiVersion")
	if f.APIVersion != "" && f.APIVersion != APIVersion {
		v.add("$.apiVersion", "apiVersion is %q; it must be exactly %q", f.APIVersion, APIVersion)
	}
	v.required("$.kind", f.Kind, "kind")
	if f.Kind != "" && f.Kind != FrameworkKind {
		v.add("$.kind", "kind is %q; it must be exactly %q", f.Kind, FrameworkKind)
	}
	v.id("$.id", f.ID)
	v.required("$.name", f.Name, "name")
	v.required("$.version", f.Version, "version")
	if f.Version != "" && (strings.ContainsAny(f.Version, "@/ \t\n") || len(f.Version) > MaxIDLength) {
		v.add("$.version", "version %q may not contain '@', '/' or spaces and must be at most %d characters", f.Version, MaxIDLength)
	}

	v.ids("$.values", len(f.Values), func(i int) string { return f.Values[i].ID })
	for i, x := range f.Values {
		v.required(fmt.Sprintf("$.values[%d].name", i), x.Name, "name")
	}
	if len(f.Areas) == 0 {
		v.add("$.areas", "areas is empty; a framework needs at least one area")
	}
	areas := v.ids("$.areas", len(f.Areas), func(i int) string { return f.Areas[i].ID })
	for i, x := range f.Areas {
		v.required(fmt.Sprintf("$.areas[%d].name", i), x.Name, "name")
	}
	if len(f.Competencies) == 0 {
		v.add("$.competencies", "competencies is empty; a framework needs at least one competency")
	}
	comps := v.ids("$.competencies", len(f.Competencies), func(i int) string { return f.Competencies[i].ID })
	levels := map[string][]int{}
	for i, c := range f.Competencies {
		p := fmt.Sprintf("$.competencies[%d]", i)
		v.required(p+".name", c.Name, "name")
		v.ref(p+".area", c.Area, "competency", "area", areas)
		for j, l := range c.Levels {
			lp := fmt.Sprintf("%s.levels[%d]", p, j)
			if j > 0 && l.Level <= c.Levels[j-1].Level {
				v.add(lp+".level", "level %d follows level %d; level numbers must strictly increase", l.Level, c.Levels[j-1].Level)
			}
			v.required(lp+".name", l.Name, "name")
			levels[c.ID] = append(levels[c.ID], l.Level)
		}
	}
	if len(f.Tracks) == 0 {
		v.add("$.tracks", "tracks is empty; a framework needs at least one track")
	}
	tracks := v.ids("$.tracks", len(f.Tracks), func(i int) string { return f.Tracks[i].ID })
	for i, x := range f.Tracks {
		v.required(fmt.Sprintf("$.tracks[%d].name", i), x.Name, "name")
	}
	resources := v.ids("$.resources", len(f.Resources), func(i int) string { return f.Resources[i].ID })
	for i, r := range f.Resources {
		p := fmt.Sprintf("$.resources[%d]", i)
		v.required(p+".title", r.Title, "title")
		v.oneOf(p+".kind", r.Kind, "resource kind", ResourceKinds)
		if r.URL != "" && !strings.HasPrefix(r.URL, "https://") && !strings.HasPrefix(r.URL, "http://") {
			v.add(p+".url", "url %q is not a web address; it must start with https:// or http://", r.URL)
		}
	}
	if len(f.Roles) == 0 {
		v.add("$.roles", "roles is empty; a framework needs at least one role")
	}
	roles := v.ids("$.roles", len(f.Roles), func(i int) string { return f.Roles[i].ID })
	for i, r := range f.Roles {
		p := fmt.Sprintf("$.roles[%d]", i)
		v.required(p+".name", r.Name, "name")
		v.ref(p+".track", r.Track, "role", "track", tracks)
		seen := map[string]bool{}
		for j, e := range r.Expectations {
			ep := fmt.Sprintf("%s.expectations[%d]", p, j)
			if v.ref(ep+".competency", e.Competency, "expectation", "competency", comps) {
				if seen[e.Competency] {
					v.add(ep+".competency", "role %q has a second expectation for competency %q; give each competency one expectation per role", r.ID, e.Competency)
				}
				seen[e.Competency] = true
				if e.Level != nil && !slices.Contains(levels[e.Competency], *e.Level) {
					v.add(ep+".level", "expectation names level %d of competency %q, which is not defined (levels: %s)", *e.Level, e.Competency, intList(levels[e.Competency]))
				}
			}
			v.required(ep+".text", e.Text, "text")
		}
		v.considerations(p+".considerations", r.Considerations, comps)
		for j, id := range r.Resources {
			v.ref(fmt.Sprintf("%s.resources[%d]", p, j), id, "role", "resource", resources)
		}
	}
	edges := map[[2]string]int{}
	for i, t := range f.Transitions {
		p := fmt.Sprintf("$.transitions[%d]", i)
		v.ref(p+".from", t.From, "transition", "role", roles)
		v.ref(p+".to", t.To, "transition", "role", roles)
		if t.From != "" && t.From == t.To {
			v.add(p+".to", "transition goes from %q to itself; a transition must lead to another role", t.From)
		}
		v.oneOf(p+".kind", t.Kind, "transition kind", TransitionKinds)
		key := [2]string{t.From, t.To}
		if prev, ok := edges[key]; ok {
			v.add(p, "transition from %q to %q repeats transitions[%d]; give each pair of roles one transition", t.From, t.To, prev)
		}
		edges[key] = i
	}
	v.ids("$.activities", len(f.Activities), func(i int) string { return f.Activities[i].ID })
	for i, a := range f.Activities {
		p := fmt.Sprintf("$.activities[%d]", i)
		v.required(p+".name", a.Name, "name")
		for j, c := range a.Competencies {
			v.ref(fmt.Sprintf("%s.competencies[%d]", p, j), c, "activity", "competency", comps)
		}
	}
	v.ids("$.templates", len(f.Templates), func(i int) string { return f.Templates[i].ID })
	for i, t := range f.Templates {
		p := fmt.Sprintf("$.templates[%d]", i)
		for j, r := range t.Roles {
			v.ref(fmt.Sprintf("%s.roles[%d]", p, j), r, "template", "role", roles)
		}
		if len(t.Sections) == 0 {
			v.add(p+".sections", "template %q has no sections; it needs at least one", t.ID)
		}
		v.ids(p+".sections", len(t.Sections), func(k int) string { return t.Sections[k].ID })
		for j, s := range t.Sections {
			sp := fmt.Sprintf("%s.sections[%d]", p, j)
			v.required(sp+".title", s.Title, "title")
			v.oneOf(sp+".author", s.Author, "section author", SectionAuthors)
			if s.MaxWords < 0 {
				v.add(sp+".max_words", "max_words is %d; it must be a positive number of words", s.MaxWords)
			}
			for k, c := range s.Competencies {
				v.ref(fmt.Sprintf("%s.competencies[%d]", sp, k), c, "section", "competency", comps)
			}
		}
	}
	v.considerations("$.considerations", f.Considerations, comps)
	return v.problems
}

type validator struct{ problems []Problem }

func (v *validator) add(path, format string, args ...any) {
	v.problems = append(v.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) required(path, value, field string) {
	if strings.TrimSpace(value) == "" {
		v.add(path, "%s is missing; it is required", field)
	}
}

func (v *validator) id(path, id string) bool {
	switch {
	case id == "":
		v.add(path, "id is missing; it is required")
	case !ValidID(id):
		v.add(path, "id %q is not a lowercase slug; use letters a-z, digits and '-' (at most %d characters), e.g. %q", id, MaxIDLength, Slug(id))
	default:
		return true
	}
	return false
}

// ids checks the ids of a list and returns the set of valid ones.
func (v *validator) ids(path string, n int, idAt func(int) string) []string {
	var known []string
	seen := map[string]int{}
	for i := range n {
		id := idAt(i)
		p := fmt.Sprintf("%s[%d].id", path, i)
		if !v.id(p, id) {
			continue
		}
		if first, dup := seen[id]; dup {
			v.add(p, "id %q is already used by %s[%d]; ids must be unique within their list", id, path[2:], first)
			continue
		}
		seen[id] = i
		known = append(known, id)
	}
	return known
}

// ref checks that id names one of known; it reports whether it does.
func (v *validator) ref(path, id, owner, kind string, known []string) bool {
	if id == "" {
		v.add(path, "%s is missing; the %s must name a %s", kind, owner, kind)
		return false
	}
	if slices.Contains(known, id) {
		return true
	}
	msg := fmt.Sprintf("%s names %s %q, which is not defined", owner, kind, id)
	if s := Suggest(id, known); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	} else if len(known) > 0 && len(known) <= 12 {
		msg += fmt.Sprintf(" (defined: %s)", strings.Join(known, ", "))
	}
	v.problems = append(v.problems, Problem{Path: path, Message: msg})
	return false
}

func (v *validator) oneOf(path, value, what string, allowed []string) {
	if slices.Contains(allowed, value) {
		return
	}
	msg := fmt.Sprintf("%s %q is not known; use one of %s", what, value, strings.Join(allowed, ", "))
	if value == "" {
		msg = fmt.Sprintf("%s is missing; use one of %s", what, strings.Join(allowed, ", "))
	} else if s := Suggest(value, allowed); s != "" {
		msg = fmt.Sprintf("%s %q is not known (did you mean %q?); use one of %s", what, value, s, strings.Join(allowed, ", "))
	}
	v.problems = append(v.problems, Problem{Path: path, Message: msg})
}

func (v *validator) considerations(path string, cs []Consideration, comps []string) {
	for i, c := range cs {
		p := fmt.Sprintf("%s[%d]", path, i)
		v.required(p+".text", c.Text, "text")
		for j, id := range c.Competencies {
			v.ref(fmt.Sprintf("%s.competencies[%d]", p, j), id, "consideration", "competency", comps)
		}
	}
}

func intList(xs []int) string {
	if len(xs) == 0 {
		return "none defined"
	}
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ", ")
}
