package trellis

import "sort"

// Path is a way to a role: the moves from the current role to RoleID, in
// order. Each step's Kind says what the move takes (merit, business need,
// an interim period ...).
type Path struct {
	RoleID string       `json:"role_id"`
	Steps  []Transition `json:"steps"`
}

// Kinds returns the kinds of the path's steps, in order.
func (p Path) Kinds() []string {
	out := make([]string, len(p.Steps))
	for i, s := range p.Steps {
		out[i] = s.Kind
	}
	return out
}

// Reachable returns every role reachable from fromRoleID through the
// framework's transitions, one step or several, each with one of its
// shortest paths (when several are as short, the one whose moves come first
// in the framework's transition list). Paths come fewest steps first, then
// by grade (roles without a grade last), then in framework order. The
// current role is excluded; cycles in the graph are harmless. An unknown
// role reaches nothing.
func Reachable(fw *Framework, fromRoleID string) []Path {
	if fw == nil {
		return nil
	}
	if _, ok := fw.Role(fromRoleID); !ok {
		return nil
	}
	order := make(map[string]int, len(fw.Roles))
	for i, r := range fw.Roles {
		order[r.ID] = i
	}
	out := make(map[string][]Transition, len(fw.Transitions))
	for _, t := range fw.Transitions {
		if _, ok := order[t.To]; ok {
			out[t.From] = append(out[t.From], t)
		}
	}
	// Breadth first: the first visit of a role is by a shortest path.
	paths := map[string][]Transition{fromRoleID: nil}
	queue := []string{fromRoleID}
	var found []Path
	for len(queue) > 0 {
		at := queue[0]
		queue = queue[1:]
		for _, t := range out[at] {
			if _, seen := paths[t.To]; seen {
				continue
			}
			steps := make([]Transition, len(paths[at])+1)
			copy(steps, paths[at])
			steps[len(steps)-1] = t
			paths[t.To] = steps
			queue = append(queue, t.To)
			found = append(found, Path{RoleID: t.To, Steps: steps})
		}
	}
	grade := func(id string) int {
		if r, ok := fw.Role(id); ok && r.Grade != nil {
			return *r.Grade
		}
		return int(^uint(0) >> 1)
	}
	sort.SliceStable(found, func(i, j int) bool {
		a, b := found[i], found[j]
		if len(a.Steps) != len(b.Steps) {
			return len(a.Steps) < len(b.Steps)
		}
		if ga, gb := grade(a.RoleID), grade(b.RoleID); ga != gb {
			return ga < gb
		}
		return order[a.RoleID] < order[b.RoleID]
	})
	return found
}

// PathTo returns the path from fromRoleID to toRoleID, false when toRoleID
// cannot be reached (or is the current role).
func PathTo(fw *Framework, fromRoleID, toRoleID string) (Path, bool) {
	for _, p := range Reachable(fw, fromRoleID) {
		if p.RoleID == toRoleID {
			return p, true
		}
	}
	return Path{}, false
}
