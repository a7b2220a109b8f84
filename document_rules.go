package trellis

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Limits of a promotion document. The word limits of the template are a
// check beside the editor (markdown.CheckDocument), never a refusal to save:
// an autosave must not fail because a draft is long. These limits only keep
// a stored document sane.
const (
	MaxDocumentTitle   = 200
	MaxSectionText     = 50000 // characters of Markdown in one section
	MaxDocumentComment = 10000
)

// NewDocument starts a promotion document for candidate towards targetRole
// from the framework's template for that role: one empty section per
// template section, in template order. version is the framework version it
// is judged against until nomination freezes it ("" means fw.Version). It
// returns ERULE when the role is unknown, is the candidate's own role, or
// has no template.
func NewDocument(fw *Framework, version string, candidate *Person, targetRole string, now time.Time) (*Document, error) {
	if fw == nil || candidate == nil {
		return nil, Errorf(EINTERNAL, "new document: no framework or candidate")
	}
	role, ok := fw.Role(targetRole)
	if !ok {
		return nil, &Error{Code: ERULE, Message: fmt.Sprintf("Role %q is not in framework %s@%s%s.", targetRole, fw.ID, fw.Version, suggestion(targetRole, roleIDs(fw))),
			Details: []FieldError{{Field: "target_role", Message: "unknown role"}}}
	}
	if targetRole == candidate.RoleID {
		return nil, &Error{Code: ERULE, Message: fmt.Sprintf("%s is already a %s; a promotion document needs another target role.", candidate.Name, role.Name),
			Details: []FieldError{{Field: "target_role", Message: "the candidate's current role"}}}
	}
	tpl, ok := fw.TemplateFor(targetRole)
	if !ok {
		return nil, &Error{Code: ERULE, Message: fmt.Sprintf("Framework %s@%s has no promotion-document template for %s; an admin adds one to the framework.", fw.ID, fw.Version, role.Name),
			Details: []FieldError{{Field: "target_role", Message: "no template for this role"}}}
	}
	if version == "" {
		version = fw.Version
	}
	d := &Document{
		PersonID:         candidate.ID,
		ManagerID:        candidate.ManagerID,
		TargetRole:       targetRole,
		FrameworkID:      fw.ID,
		FrameworkVersion: version,
		TemplateID:       tpl.ID,
		Title:            fmt.Sprintf("Promotion to %s: %s", role.Name, candidate.Name),
		State:            DocDraft,
		Visibility:       VisPrivate,
		CreatedAt:        now,
		UpdatedAt:        now,
		Sections:         make([]DocumentSection, len(tpl.Sections)),
	}
	for i, s := range tpl.Sections {
		d.Sections[i] = DocumentSection{ID: s.ID, EditedAt: now}
	}
	return d, nil
}

// PrefillCandidates returns up to n of the person's entries that best
// evidence the section's competencies, for the person to pick from:
// entries showing more of the section's competencies first, then entries
// with a measurable result, then the newest (by date, then id). Entries
// showing none of them are left out; so is everything when the section names
// no competencies (the summary). n <= 0 means all.
func PrefillCandidates(t *Template, sectionID string, evidence []*Evidence, n int) []*Evidence {
	if t == nil {
		return nil
	}
	var want []string
	for _, s := range t.Sections {
		if s.ID == sectionID {
			want = s.Competencies
		}
	}
	if len(want) == 0 {
		return nil
	}
	type scored struct {
		e       *Evidence
		matches int
	}
	var list []scored
	for _, e := range evidence {
		if e == nil {
			continue
		}
		m := 0
		for _, c := range e.Competencies {
			if slices.Contains(want, c) {
				m++
			}
		}
		if m > 0 {
			list = append(list, scored{e, m})
		}
	}
	slices.SortStableFunc(list, func(a, b scored) int {
		if c := cmp.Compare(b.matches, a.matches); c != 0 {
			return c
		}
		ra, rb := strings.TrimSpace(a.e.Result) != "", strings.TrimSpace(b.e.Result) != ""
		if ra != rb {
			if ra {
				return -1
			}
			return 1
		}
		if c := b.e.Date.Compare(a.e.Date); c != 0 {
			return c
		}
		return cmp.Compare(b.e.ID, a.e.ID)
	})
	if n > 0 && len(list) > n {
		list = list[:n]
	}
	out := make([]*Evidence, len(list))
	for i, s := range list {
		out[i] = s.e
	}
	return out
}

// EvidenceMarkdown renders one journal entry as a Markdown bullet to insert
// into a section: the title linked to its first artifact, the date, the
// result, and the other links. The text is the entry's own, so the person
// rewrites it in the third person.
func EvidenceMarkdown(e *Evidence) string {
	if e == nil {
		return ""
	}
	var b strings.Builder
	title := mdInline(e.Title)
	b.WriteString("- ")
	if len(e.Links) > 0 {
		fmt.Fprintf(&b, "[%s](%s)", title, mdURL(e.Links[0]))
	} else {
		b.WriteString(title)
	}
	if !e.Date.IsZero() {
		fmt.Fprintf(&b, " (%s", e.Date.Format(time.DateOnly))
		if e.EndDate != nil && !e.EndDate.IsZero() && !e.EndDate.Equal(e.Date) {
			fmt.Fprintf(&b, " to %s", e.EndDate.Format(time.DateOnly))
		}
		b.WriteString(")")
	}
	if r := strings.TrimSpace(e.Result); r != "" {
		b.WriteString(": ")
		b.WriteString(mdInline(r))
	}
	if p := strings.TrimSpace(e.Part); p != "" {
		fmt.Fprintf(&b, "\n  - Part: %s", mdInline(p))
	}
	if len(e.Links) > 1 {
		b.WriteString("\n  - Links:")
		for i, l := range e.Links[1:] {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, " [%d](%s)", i+2, mdURL(l))
		}
	}
	return b.String() + "\n"
}

// mdInline puts text on one line and escapes the characters that would
// start Markdown constructs inside a bullet.
func mdInline(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	r := strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`, "*", `\*`, "_", `\_`, "`", "\\`", "<", `\<`)
	return r.Replace(s)
}

// mdURL makes a link destination safe inside (...).
func mdURL(s string) string {
	r := strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E")
	return r.Replace(strings.TrimSpace(s))
}

// Validate checks a document as it would be stored against the framework
// it is judged against (nil skips the framework checks). It reports every
// wrong field at once as an EINVALID *Error naming the JSON fields.
func (d *Document) Validate(fw *Framework) error {
	var e fieldErrors
	e.text("title", "title", d.Title, true, MaxDocumentTitle, true)
	if d.PersonID == 0 {
		e.add("person_id", "person_id is required: the candidate")
	}
	if !slices.Contains(DocumentStates, d.State) {
		e.add("state", "state %q is not one of %s%s", d.State, strings.Join(DocumentStates, ", "), suggestion(d.State, DocumentStates))
	}
	if !d.Visibility.Valid() {
		e.add("visibility", "visibility %q is not known; use one of private, manager, organisation-viewer, organisation-commenter, organisation-editor", d.Visibility)
	}
	if d.OutOfCycle && d.CycleID != nil {
		e.add("cycle_id", "an out-of-cycle document belongs to no cycle")
	}
	if d.Version < 0 {
		e.add("version", "version cannot be negative")
	}
	seen := map[string]bool{}
	for i, s := range d.Sections {
		field := fmt.Sprintf("sections[%d]", i)
		if seen[s.ID] {
			e.add(field, "section %q appears twice", s.ID)
		}
		seen[s.ID] = true
		e.text(field, "section "+s.ID, s.Text, false, MaxSectionText, false)
	}
	if fw != nil {
		if d.FrameworkID != "" && d.FrameworkID != fw.ID {
			e.add("framework_id", "framework_id is %q, but the document is checked against framework %q", d.FrameworkID, fw.ID)
		}
		if _, ok := fw.Role(d.TargetRole); !ok {
			e.add("target_role", "%s", unknownRef("role", d.TargetRole, roleIDs(fw), fw))
		}
		tpl, ok := templateOf(d, fw)
		switch {
		case !ok:
			e.add("template_id", "framework %s@%s has no template %q nor one for role %q", fw.ID, fw.Version, d.TemplateID, d.TargetRole)
		default:
			ids := make([]string, len(tpl.Sections))
			for i, s := range tpl.Sections {
				ids[i] = s.ID
			}
			pos := -1
			for i, s := range d.Sections {
				at := slices.Index(ids, s.ID)
				switch {
				case at < 0:
					e.add(fmt.Sprintf("sections[%d]", i), "section %q is not in template %s; its sections are %s", s.ID, tpl.ID, strings.Join(ids, ", "))
				case at < pos:
					e.add(fmt.Sprintf("sections[%d]", i), "section %q is out of template order (%s)", s.ID, strings.Join(ids, ", "))
				default:
					pos = at
				}
			}
		}
	}
	return e.err("document")
}
