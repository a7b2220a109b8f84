package trellis

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func validPerson() *Person {
	return &Person{
		ID: 7, Email: "ada@example.com", Name: "Ada Lovelace", RoleID: "senior-support-engineer",
		Teams: []string{"Emerald"}, Regions: []string{"EMEA"}, Access: AccessEngineer, Active: true,
	}
}

func TestPersonNormalize(t *testing.T) {
	p := &Person{
		Email: "  Ada.Lovelace@Example.COM ", Name: "  Ada Lovelace\t", RoleID: " staff-support-engineer ",
		Access: " Director ", Teams: []string{" Emerald", "", "emerald", "Ruby "}, Regions: nil,
	}
	p.Normalize()
	if p.Email != "ada.lovelace@example.com" || p.Name != "Ada Lovelace" || p.RoleID != "staff-support-engineer" || p.Access != AccessDirector {
		t.Errorf("normalised to %+v", p)
	}
	if !slices.Equal(p.Teams, []string{"Emerald", "Ruby"}) {
		t.Errorf("teams %q", p.Teams)
	}
	if p.Regions == nil || len(p.Regions) != 0 {
		t.Errorf("regions %#v, want empty non-nil (JSON [] not null)", p.Regions)
	}
	if NormalizeEmail(" X@Y.Z ") != "x@y.z" {
		t.Error("NormalizeEmail")
	}
}

func TestPersonValidate(t *testing.T) {
	if err := validPerson().Validate(); err != nil {
		t.Fatalf("valid person: %v", err)
	}
	id := func(n int64) *int64 { return &n }
	for _, tc := range []struct {
		name  string
		edit  func(p *Person)
		field string
		msg   string
	}{
		{"email missing", func(p *Person) { p.Email = "" }, "email", "email is required"},
		{"email without at", func(p *Person) { p.Email = "ada.example.com" }, "email", "exactly one '@'"},
		{"email two ats", func(p *Person) { p.Email = "a@b@example.com" }, "email", "exactly one '@'"},
		{"email empty local", func(p *Person) { p.Email = "@example.com" }, "email", "before '@'"},
		{"email dotless domain", func(p *Person) { p.Email = "ada@localhost" }, "email", "example.com"},
		{"email trailing dot", func(p *Person) { p.Email = "ada@example." }, "email", "example.com"},
		{"email space", func(p *Person) { p.Email = "ada lovelace@example.com" }, "email", "contains a space"},
		{"email display form", func(p *Person) { p.Email = "ada <ada@example.com>" }, "email", "contains a space"},
		{"email not normalised", func(p *Person) { p.Email = "Ada@example.com" }, "email", "lower case"},
		{"email too long", func(p *Person) { p.Email = strings.Repeat("a", 60) + "@" + strings.Repeat("b", 200) + ".com" }, "email", "longer than 254"},
		{"name missing", func(p *Person) { p.Name = "" }, "name", "name is required"},
		{"name too long", func(p *Person) { p.Name = strings.Repeat("é", 201) }, "name", "longer than 200"},
		{"name with newline", func(p *Person) { p.Name = "Ada\nLovelace" }, "name", "control characters"},
		{"role missing", func(p *Person) { p.RoleID = "" }, "role_id", "role is required"},
		{"role not an id", func(p *Person) { p.RoleID = "Senior Engineer" }, "role_id", "not a role id"},
		{"access unknown", func(p *Person) { p.Access = "manager" }, "access", `access "manager" is not one of engineer, director, people, admin`},
		{"access misspelt", func(p *Person) { p.Access = "admn" }, "access", `did you mean "admin"?`},
		{"own manager", func(p *Person) { p.ManagerID = id(7) }, "manager_id", "own manager"},
		{"team empty", func(p *Person) { p.Teams = []string{""} }, "teams", "non-empty"},
		{"team duplicate", func(p *Person) { p.Teams = []string{"Ruby", "ruby"} }, "teams", "listed twice"},
		{"team with comma", func(p *Person) { p.Teams = []string{"a,b"} }, "teams", "commas"},
		{"too many regions", func(p *Person) {
			p.Regions = nil
			for i := range 21 {
				p.Regions = append(p.Regions, strings.Repeat("r", i+1))
			}
		}, "regions", "at most 20"},
		{"region too long", func(p *Person) { p.Regions = []string{strings.Repeat("r", 65)} }, "regions", "longer than 64"},
		{"version negative", func(p *Person) { p.Version = -1 }, "version", "negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := validPerson()
			tc.edit(p)
			err := p.Validate()
			if ErrorCode(err) != EINVALID {
				t.Fatalf("code %q (%v), want %q", ErrorCode(err), err, EINVALID)
			}
			d := ErrorDetails(err)
			if len(d) != 1 || d[0].Field != tc.field || !strings.Contains(d[0].Message, tc.msg) {
				t.Errorf("details %+v, want one on %s containing %q", d, tc.field, tc.msg)
			}
		})
	}
}

func TestPersonValidateReportsEveryField(t *testing.T) {
	p := &Person{Access: "boss"}
	err := p.Validate()
	var fields []string
	for _, d := range ErrorDetails(err) {
		fields = append(fields, d.Field)
	}
	if want := []string{"email", "name", "role_id", "access"}; !slices.Equal(fields, want) {
		t.Errorf("fields %v, want %v", fields, want)
	}
	if ErrorMessage(err) != "The person has 4 problems." {
		t.Errorf("message %q", ErrorMessage(err))
	}
}

func TestManagerCycles(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    map[string]string
		want [][]string
	}{
		{"none", map[string]string{"b": "a", "c": "a", "d": "c"}, nil},
		{"empty", map[string]string{}, nil},
		{"self", map[string]string{"a": "a", "b": "a"}, [][]string{{"a", "a"}}},
		{"pair", map[string]string{"x": "y", "y": "x"}, [][]string{{"x", "y", "x"}}},
		{"loop with a tail", map[string]string{"t": "c", "c": "a", "a": "b", "b": "c"}, [][]string{{"a", "b", "c", "a"}}},
		{"two loops and a tree", map[string]string{
			"d": "e", "e": "f", "f": "d", // loop d e f
			"b": "a", "a": "b", // loop a b
			"z": "top", "y": "z", // tree
		}, [][]string{{"a", "b", "a"}, {"d", "e", "f", "d"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ManagerCycles(tc.m)
			if !slices.EqualFunc(got, tc.want, slices.Equal) {
				t.Errorf("cycles %q, want %q", got, tc.want)
			}
		})
	}
	// Deterministic whatever the map order.
	m := map[int64]int64{1: 2, 2: 3, 3: 1, 10: 11, 11: 10, 5: 1}
	first := ManagerCycles(m)
	for range 50 {
		if got := ManagerCycles(m); !slices.EqualFunc(got, first, slices.Equal) {
			t.Fatalf("cycles vary: %v then %v", first, got)
		}
	}
	if FormatCycle(first[0]) != "1 -> 2 -> 3 -> 1" || FormatCycle(first[1]) != "10 -> 11 -> 10" {
		t.Errorf("formatted %q %q", FormatCycle(first[0]), FormatCycle(first[1]))
	}
}

func TestValidateManager(t *testing.T) {
	id := func(n int64) *int64 { return &n }
	if err := ValidateManager(4, nil, nil); err != nil {
		t.Errorf("no manager: %v", err)
	}
	if err := ValidateManager(4, id(3), []int64{2, 1}); err != nil {
		t.Errorf("tree: %v", err)
	}
	err := ValidateManager(4, id(4), nil)
	if ErrorCode(err) != ERULE {
		t.Errorf("self: %v", err)
	}
	// 1 manages 2 manages 3 manages 4; making 3 report to 4 would loop.
	err = ValidateManager(2, id(4), []int64{3, 2, 1})
	if ErrorCode(err) != ERULE || !strings.Contains(ErrorMessage(err), "2 -> 4 -> 3 -> 2") {
		t.Errorf("loop: %v", err)
	}
}

func TestPersonUpdateApply(t *testing.T) {
	p := validPerson()
	mgr := int64(3)
	since := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	name, role, access, active := " Ada King ", "staff-support-engineer", "Director", false
	teams := []string{"Ruby", " ruby"}
	PersonUpdate{Name: &name, RoleID: &role, Access: &access, Active: &active, ManagerID: &mgr, RoleSince: &since, Teams: &teams}.Apply(p)
	if p.Name != "Ada King" || p.RoleID != role || p.Access != AccessDirector || p.Active || *p.ManagerID != 3 || !p.RoleSince.Equal(since) || !slices.Equal(p.Teams, []string{"Ruby"}) {
		t.Errorf("applied: %+v", p)
	}
	if p.Email != "ada@example.com" || !slices.Equal(p.Regions, []string{"EMEA"}) {
		t.Errorf("unset fields changed: %+v", p)
	}
	teams[0] = "changed"
	mgr = 99
	if p.Teams[0] != "Ruby" || *p.ManagerID != 3 {
		t.Error("Apply aliases the update's values")
	}
	PersonUpdate{ClearManager: true}.Apply(p)
	if p.ManagerID != nil {
		t.Error("ClearManager kept the manager")
	}
}

func TestClampLimit(t *testing.T) {
	for in, want := range map[int]int{-1: DefaultListLimit, 0: DefaultListLimit, 1: 1, 120: 120, MaxListLimit + 1: MaxListLimit} {
		if got := ClampLimit(in); got != want {
			t.Errorf("ClampLimit(%d) = %d, want %d", in, got, want)
		}
	}
}
