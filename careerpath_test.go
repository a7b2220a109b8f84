package trellis_test

import (
	"fmt"
	"strings"
	"testing"

	"trellis"
)

// pathString renders a path as "role(kind,kind)", its steps' kinds in order.
func pathString(p trellis.Path) string {
	return fmt.Sprintf("%s(%s)", p.RoleID, strings.Join(p.Kinds(), ","))
}

func pathsString(ps []trellis.Path) string {
	var s []string
	for _, p := range ps {
		s = append(s, pathString(p))
	}
	return strings.Join(s, " ")
}

func TestReachableSupport(t *testing.T) {
	fw := support(t)
	tests := []struct {
		from string
		want string
	}{
		{"support-engineer", "senior-support-engineer(merit) " +
			"staff-support-engineer(merit,business-need) support-engineering-manager(merit,interim) " +
			"principal-support-engineer(merit,business-need,business-need) senior-support-engineering-manager(merit,business-need,acting) " +
			"director-of-support(merit,business-need,acting,business-need)"},
		{"senior-support-engineer", "staff-support-engineer(business-need) support-engineering-manager(interim) " +
			"principal-support-engineer(business-need,business-need) senior-support-engineering-manager(business-need,acting) " +
			"director-of-support(business-need,acting,business-need)"},
		{"support-engineering-manager", "staff-support-engineer(lateral) senior-support-engineering-manager(business-need) " +
			"principal-support-engineer(lateral,business-need) director-of-support(business-need,business-need)"},
		{"director-of-support", ""},
		{"no-such-role", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.from, func(t *testing.T) {
			got := trellis.Reachable(fw, tt.from)
			if s := pathsString(got); s != tt.want {
				t.Errorf("Reachable(%s) =\n  %s\nwant\n  %s", tt.from, s, tt.want)
			}
			for _, p := range got {
				if p.RoleID == tt.from {
					t.Errorf("current role %s listed as reachable", tt.from)
				}
				at := tt.from
				for i, s := range p.Steps {
					if s.From != at {
						t.Errorf("%s: step %d leaves %s, want %s", p.RoleID, i, s.From, at)
					}
					at = s.To
				}
				if at != p.RoleID {
					t.Errorf("path to %s ends at %s", p.RoleID, at)
				}
			}
		})
	}
}

func TestReachableSupportSteps(t *testing.T) {
	fw := support(t)
	p, ok := trellis.PathTo(fw, "support-engineer", "support-engineering-manager")
	if !ok || len(p.Steps) != 2 || p.Steps[0].To != "senior-support-engineer" || p.Steps[1].Kind != trellis.KindInterim {
		t.Fatalf("path to manager = %+v %v, want via senior with an interim step", p, ok)
	}
	if p.Steps[1].Note == "" {
		t.Error("step notes are carried along for display")
	}
	if _, ok := trellis.PathTo(fw, "director-of-support", "support-engineer"); ok {
		t.Error("no way down from director in the support framework")
	}
	if _, ok := trellis.PathTo(fw, "support-engineer", "support-engineer"); ok {
		t.Error("the current role is not a target")
	}
}

func grade(g int) *int { return &g }

func TestReachableGraphs(t *testing.T) {
	roles := func(ids ...string) []trellis.Role {
		var rs []trellis.Role
		for i, id := range ids {
			g := 5 + i
			if id == "nograde" {
				rs = append(rs, trellis.Role{ID: id})
				continue
			}
			if strings.HasPrefix(id, "g") { // gN: grade N
				fmt.Sscanf(id, "g%d", &g)
			}
			rs = append(rs, trellis.Role{ID: id, Grade: grade(g)})
		}
		return rs
	}
	edge := func(from, to, kind string) trellis.Transition {
		return trellis.Transition{From: from, To: to, Kind: kind}
	}
	tests := []struct {
		name  string
		roles []trellis.Role
		edges []trellis.Transition
		from  string
		want  string
	}{
		{"lateral both ways", roles("a", "b"), []trellis.Transition{edge("a", "b", "lateral"), edge("b", "a", "lateral")}, "a", "b(lateral)"},
		{"cycle of three", roles("a", "b", "c"),
			[]trellis.Transition{edge("a", "b", "merit"), edge("b", "c", "merit"), edge("c", "a", "transfer")}, "b", "c(merit) a(merit,transfer)"},
		{"self loop ignored", roles("a", "b"), []trellis.Transition{edge("a", "a", "merit"), edge("a", "b", "merit")}, "a", "b(merit)"},
		{"shortest wins", roles("a", "b", "c"),
			[]trellis.Transition{edge("a", "b", "merit"), edge("b", "c", "merit"), edge("a", "c", "business-need")}, "a", "b(merit) c(business-need)"},
		{"same length by grade, then order", roles("a", "g9", "g7", "nograde", "g7b"),
			[]trellis.Transition{edge("a", "g9", "merit"), edge("a", "nograde", "merit"), edge("a", "g7", "merit")}, "a", "g7(merit) g9(merit) nograde(merit)"},
		{"first listed of equal paths", roles("a", "b", "c", "d"),
			[]trellis.Transition{edge("a", "c", "merit"), edge("a", "b", "merit"), edge("b", "d", "interim"), edge("c", "d", "acting")}, "a", "b(merit) c(merit) d(merit,acting)"},
		{"edge to unknown role ignored", roles("a"), []trellis.Transition{edge("a", "ghost", "merit")}, "a", ""},
		{"no transitions", roles("a", "b"), nil, "a", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fw := &trellis.Framework{Roles: tt.roles, Transitions: tt.edges}
			if got := pathsString(trellis.Reachable(fw, tt.from)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if trellis.Reachable(nil, "a") != nil {
		t.Error("nil framework reaches nothing")
	}
}
