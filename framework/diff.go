package framework

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"trellis"
)

// Change operations.
const (
	Added     = "added"
	Removed   = "removed"
	Changed   = "changed"
	Reordered = "reordered"
)

// Changes is what differs between two frameworks, grouped by section in the
// order of the file format.
type Changes struct {
	From    string   `json:"from"` // id@version of the old framework
	To      string   `json:"to"`
	Changes []Change `json:"changes"`
}

// Change is one added, removed, changed or reordered item. Key names the
// item: its id, "role/competency" for an expectation, "from->to" for a
// transition, the field name for the framework's own fields. Before and
// After hold the whole item when it was removed or added; Fields the
// fields that differ when it changed.
type Change struct {
	Section string        `json:"section"` // framework, values, areas, competencies, tracks, roles, expectations, transitions, activities, resources, templates, considerations
	Op      string        `json:"op"`
	Key     string        `json:"key"`
	Before  any           `json:"before,omitempty"`
	After   any           `json:"after,omitempty"`
	Fields  []FieldChange `json:"fields,omitempty"`
}

// FieldChange is one field of a changed item, rendered as text: strings as
// they are, numbers and booleans as written, lists and mappings as JSON, an
// absent value as "".
type FieldChange struct {
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// Empty reports whether the frameworks say the same thing.
func (c *Changes) Empty() bool { return c == nil || len(c.Changes) == 0 }

// Diff lists what changed from a to b.
func Diff(a, b *trellis.Framework) *Changes {
	if a == nil {
		a = &trellis.Framework{}
	}
	if b == nil {
		b = &trellis.Framework{}
	}
	c := &Changes{
		From:    trellis.Ref{ID: a.ID, Version: a.Version}.String(),
		To:      trellis.Ref{ID: b.ID, Version: b.Version}.String(),
		Changes: []Change{},
	}
	for _, f := range []string{"apiVersion", "kind", "id", "name", "version", "description"} {
		before, after := fieldText(fieldByKey(reflect.ValueOf(*a), f)), fieldText(fieldByKey(reflect.ValueOf(*b), f))
		if before != after {
			c.Changes = append(c.Changes, Change{Section: "framework", Op: Changed, Key: f, Fields: []FieldChange{{f, before, after}}})
		}
	}
	byID := func(x any) string { return reflect.ValueOf(x).FieldByName("ID").String() }
	c.list("values", a.Values, b.Values, byID)
	c.list("areas", a.Areas, b.Areas, byID)
	c.list("competencies", a.Competencies, b.Competencies, byID)
	c.list("tracks", a.Tracks, b.Tracks, byID)
	c.list("roles", a.Roles, b.Roles, byID, "expectations")
	for _, ra := range a.Roles {
		rb, ok := b.Role(ra.ID)
		if !ok {
			continue
		}
		c.list("expectations", ra.Expectations, rb.Expectations, func(x any) string {
			return ra.ID + "/" + x.(trellis.Expectation).Competency
		})
	}
	c.list("transitions", a.Transitions, b.Transitions, func(x any) string {
		t := x.(trellis.Transition)
		return t.From + "->" + t.To
	})
	c.list("activities", a.Activities, b.Activities, byID)
	c.list("resources", a.Resources, b.Resources, byID)
	c.list("templates", a.Templates, b.Templates, byID)
	c.list("considerations", a.Considerations, b.Considerations, func(x any) string { return x.(trellis.Consideration).Text })
	return c
}

// list compares two lists of items keyed by key, ignoring the fields in
// skip (compared elsewhere).
func (c *Changes) list(section string, a, b any, key func(any) string, skip ...string) {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	inB := map[string]int{}
	for i := range vb.Len() {
		if _, dup := inB[key(vb.Index(i).Interface())]; !dup {
			inB[key(vb.Index(i).Interface())] = i
		}
	}
	inA := map[string]bool{}
	var common []string
	for i := range va.Len() {
		x := va.Index(i)
		k := key(x.Interface())
		if inA[k] {
			continue
		}
		inA[k] = true
		j, ok := inB[k]
		if !ok {
			c.Changes = append(c.Changes, Change{Section: section, Op: Removed, Key: k, Before: x.Interface()})
			continue
		}
		common = append(common, k)
		if fields := diffFields(x, vb.Index(j), skip); len(fields) > 0 {
			c.Changes = append(c.Changes, Change{Section: section, Op: Changed, Key: k, Fields: fields})
		}
	}
	var orderB []string
	seen := map[string]bool{}
	for i := range vb.Len() {
		x := vb.Index(i)
		k := key(x.Interface())
		if seen[k] {
			continue
		}
		seen[k] = true
		if !inA[k] {
			c.Changes = append(c.Changes, Change{Section: section, Op: Added, Key: k, After: x.Interface()})
		} else {
			orderB = append(orderB, k)
		}
	}
	if !slices.Equal(common, orderB) {
		c.Changes = append(c.Changes, Change{Section: section, Op: Reordered, Key: section, Fields: []FieldChange{{
			Field: "order", Before: strings.Join(common, ", "), After: strings.Join(orderB, ", "),
		}}})
	}
}

// diffFields compares two structs of the same type field by field.
func diffFields(a, b reflect.Value, skip []string) []FieldChange {
	var out []FieldChange
	for _, f := range fieldsOf(a.Type()) {
		if slices.Contains(skip, f.key) {
			continue
		}
		x, y := fieldText(a.Field(f.index)), fieldText(b.Field(f.index))
		if x != y {
			out = append(out, FieldChange{Field: f.key, Before: x, After: y})
		}
	}
	return out
}

func fieldByKey(v reflect.Value, key string) reflect.Value {
	for _, f := range fieldsOf(v.Type()) {
		if f.key == key {
			return v.Field(f.index)
		}
	}
	return reflect.Value{}
}

// fieldText renders a field value for a FieldChange.
func fieldText(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Invalid:
		return ""
	case reflect.String:
		return v.String()
	case reflect.Pointer:
		if v.IsNil() {
			return ""
		}
		return fieldText(v.Elem())
	case reflect.Int:
		return fmt.Sprint(v.Int())
	case reflect.Bool:
		if !v.Bool() {
			return ""
		}
		return "true"
	case reflect.Slice:
		if v.Len() == 0 {
			return ""
		}
	}
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return fmt.Sprint(v.Interface())
	}
	return string(b)
}

// Text renders the changes for a terminal: one line per change, grouped by
// section, + for added, - for removed, ~ for changed.
func (c *Changes) Text() string {
	if c.Empty() {
		return "no changes\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s -> %s: %d changes\n", c.From, c.To, len(c.Changes))
	section := ""
	for _, ch := range c.Changes {
		if ch.Section != section {
			section = ch.Section
			fmt.Fprintf(&b, "%s:\n", section)
		}
		switch ch.Op {
		case Added:
			fmt.Fprintf(&b, "  + %s%s\n", ch.Key, label(ch.After))
		case Removed:
			fmt.Fprintf(&b, "  - %s%s\n", ch.Key, label(ch.Before))
		case Reordered:
			fmt.Fprintf(&b, "  ~ order: %s\n", ch.Fields[0].After)
		default:
			fmt.Fprintf(&b, "  ~ %s\n", ch.Key)
			for _, f := range ch.Fields {
				fmt.Fprintf(&b, "      %s: %s -> %s\n", f.Field, short(f.Before), short(f.After))
			}
		}
	}
	return b.String()
}

// label names an added or removed item: ` "Senior Engineer"`.
func label(x any) string {
	v := reflect.ValueOf(x)
	if v.Kind() != reflect.Struct {
		return ""
	}
	for _, name := range []string{"Name", "Title"} {
		if f := v.FieldByName(name); f.IsValid() && f.String() != "" {
			return fmt.Sprintf(" %q", f.String())
		}
	}
	return ""
}

// short quotes a value for one line, cutting long texts.
func short(s string) string {
	if s == "" {
		return "(none)"
	}
	r := []rune(s)
	if len(r) > 60 {
		s = string(r[:57]) + "..."
	}
	return fmt.Sprintf("%q", s)
}
