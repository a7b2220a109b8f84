package trellis

// Lookups over a framework. Frameworks are small (tens of roles and
// competencies), so linear scans keep the type a plain value.

// Role returns the role with the given id.
func (f *Framework) Role(id string) (*Role, bool) {
	for i := range f.Roles {
		if f.Roles[i].ID == id {
			return &f.Roles[i], true
		}
	}
	return nil, false
}

// Competency returns the competency with the given id.
func (f *Framework) Competency(id string) (*Competency, bool) {
	for i := range f.Competencies {
		if f.Competencies[i].ID == id {
			return &f.Competencies[i], true
		}
	}
	return nil, false
}

// Area returns the area with the given id.
func (f *Framework) Area(id string) (*Area, bool) {
	for i := range f.Areas {
		if f.Areas[i].ID == id {
			return &f.Areas[i], true
		}
	}
	return nil, false
}

// Track returns the track with the given id.
func (f *Framework) Track(id string) (*Track, bool) {
	for i := range f.Tracks {
		if f.Tracks[i].ID == id {
			return &f.Tracks[i], true
		}
	}
	return nil, false
}

// Resource returns the resource with the given id.
func (f *Framework) Resource(id string) (*Resource, bool) {
	for i := range f.Resources {
		if f.Resources[i].ID == id {
			return &f.Resources[i], true
		}
	}
	return nil, false
}

// Activity returns the activity kind with the given id.
func (f *Framework) Activity(id string) (*Activity, bool) {
	for i := range f.Activities {
		if f.Activities[i].ID == id {
			return &f.Activities[i], true
		}
	}
	return nil, false
}

// Value returns the company value with the given id.
func (f *Framework) Value(id string) (*Value, bool) {
	for i := range f.Values {
		if f.Values[i].ID == id {
			return &f.Values[i], true
		}
	}
	return nil, false
}

// Expectation returns what role roleID shows for competency compID.
func (r *Role) Expectation(compID string) (*Expectation, bool) {
	for i := range r.Expectations {
		if r.Expectations[i].Competency == compID {
			return &r.Expectations[i], true
		}
	}
	return nil, false
}

// From returns the transitions leaving a role.
func (f *Framework) From(roleID string) []Transition {
	var out []Transition
	for _, t := range f.Transitions {
		if t.From == roleID {
			out = append(out, t)
		}
	}
	return out
}

// To returns the transitions arriving at a role.
func (f *Framework) To(roleID string) []Transition {
	var out []Transition
	for _, t := range f.Transitions {
		if t.To == roleID {
			out = append(out, t)
		}
	}
	return out
}

// CompetenciesIn returns the competencies of an area, in framework order.
func (f *Framework) CompetenciesIn(areaID string) []Competency {
	var out []Competency
	for _, c := range f.Competencies {
		if c.Area == areaID {
			out = append(out, c)
		}
	}
	return out
}

// TemplateFor returns the promotion-document template serving a target role.
func (f *Framework) TemplateFor(roleID string) (*Template, bool) {
	for i := range f.Templates {
		for _, r := range f.Templates[i].Roles {
			if r == roleID {
				return &f.Templates[i], true
			}
		}
	}
	return nil, false
}

// GeneralResources returns the resources no role names: material for any path.
func (f *Framework) GeneralResources() []Resource {
	named := map[string]bool{}
	for _, r := range f.Roles {
		for _, id := range r.Resources {
			named[id] = true
		}
	}
	var out []Resource
	for _, r := range f.Resources {
		if !named[r.ID] {
			out = append(out, r)
		}
	}
	return out
}
