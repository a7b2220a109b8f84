package framework

import (
	"cmp"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	"trellis"
)

// The front matter of a progression-framework page. Site keys are accepted
// and ignored.
type mdFront struct {
	Title        string    `yaml:"title"`
	Levels       *int      `yaml:"levels"`
	Topics       []mdTopic `yaml:"topics"`
	Path         any       `yaml:"path"`
	SidebarTitle any       `yaml:"sidebarTitle"`
	SidebarGroup any       `yaml:"sidebarGroup"`
	YAML         any       `yaml:"yaml"`
	Homepage     any       `yaml:"homepage"`
}

type mdTopic struct {
	Name        string      `yaml:"name"`
	Title       string      `yaml:"title"`
	Description string      `yaml:"description"`
	Content     []mdContent `yaml:"content"`
}

type mdContent struct {
	Level           int         `yaml:"level"`
	Criteria        []string    `yaml:"criteria"`
	ExampleCriteria []mdExample `yaml:"exampleCriteria"`
}

type mdExample struct {
	Criteria string   `yaml:"criteria"`
	Examples []string `yaml:"examples"`
}

func init() {
	typeNames[reflect.TypeFor[mdFront]()] = "the front matter"
	typeNames[reflect.TypeFor[mdTopic]()] = "a topic"
	typeNames[reflect.TypeFor[mdContent]()] = "a topic's level"
	typeNames[reflect.TypeFor[mdExample]()] = "an example criterion"
}

// maxLevels bounds the roles a Markdown file may ask for.
const maxLevels = 50

// frontMatter splits a Markdown file into its front matter, the line the
// front matter starts on (0-based) and the body.
func frontMatter(text string) (front string, startLine int, body string, ok bool) {
	lines := strings.SplitAfter(text, "\n")
	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	if i == len(lines) || strings.TrimRight(lines[i], " \t\r\n") != "---" {
		return "", 0, "", false
	}
	for j := i + 1; j < len(lines); j++ {
		if l := strings.TrimRight(lines[j], " \t\r\n"); l == "---" || l == "..." {
			return strings.Join(lines[i+1:j], ""), i + 1, strings.Join(lines[j+1:], ""), true
		}
	}
	return "", 0, "", false
}

// readMarkdown reads the front-matter Markdown shape: topics become
// competencies of one area, levels become roles level-1..N on one track
// joined by merit transitions.
func readMarkdown(name string, data []byte, errs *errorList) (*trellis.Framework, func(string) pos) {
	front, start, body, ok := frontMatter(string(data))
	if !ok {
		errs.add(1, 1, "the file has no YAML front matter; a Markdown framework starts with a line ---, then title, levels and topics, then another line ---")
		return nil, nil
	}
	d := newDecoder(errs, start)
	d.numbersAsText = func(string) bool { return true } // loose: a title may be 2026
	node := d.parseYAML([]byte(front))
	if node == nil {
		if len(errs.list) == 0 {
			errs.add(start+1, 1, "the front matter is empty; it needs a title, levels and topics")
		}
		return nil, nil
	}
	var fm mdFront
	d.decode(node, reflect.ValueOf(&fm).Elem(), "$")
	if len(errs.list) > 0 {
		return nil, nil
	}

	base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	title := strings.TrimSpace(fm.Title)
	fwName := cmp.Or(title, base)
	fw := &trellis.Framework{
		APIVersion:  trellis.APIVersion,
		Kind:        trellis.FrameworkKind,
		ID:          cmp.Or(trellis.Slug(title), trellis.Slug(base), "framework"),
		Name:        fwName,
		Version:     "1",
		Description: strings.TrimSpace(body),
	}
	group := cmp.Or(trellis.Slug(fwName), "general")
	fw.Areas = []trellis.Area{{ID: group, Name: fwName}}
	fw.Tracks = []trellis.Track{{ID: group, Name: fwName}}

	at := map[string]pos{}
	levels := 0
	if fm.Levels != nil {
		levels = *fm.Levels
		if levels < 1 || levels > maxLevels {
			errs.addAt(d.locate("$.levels"), "", "levels is %d; it must be the number of levels, between 1 and %d", levels, maxLevels)
			return nil, nil
		}
	} else {
		for _, t := range fm.Topics {
			for _, c := range t.Content {
				levels = max(levels, c.Level)
			}
		}
		levels = min(max(levels, 1), maxLevels)
	}
	// byLevel[l][k] is what topic k expects at level l+1.
	type expect struct {
		texts, markers []string
		at             pos
	}
	byLevel := make([][]*expect, levels)
	for l := range byLevel {
		byLevel[l] = make([]*expect, len(fm.Topics))
	}
	for k, t := range fm.Topics {
		tp := fmt.Sprintf("$.topics[%d]", k)
		id, cname := trellis.Slug(t.Name), strings.TrimSpace(t.Title)
		if id == "" {
			id = trellis.Slug(t.Title)
		}
		if cname == "" {
			cname = splitName(t.Name)
		}
		switch {
		case strings.TrimSpace(t.Name) == "" && cname == "":
			errs.addAt(d.locate(tp), "", "topic %d has neither a name nor a title; give it a name such as technicalSkills", k+1)
			continue
		case id == "":
			errs.addAt(d.locate(tp+".name"), "", "topic name %q has no letters or digits to make an id from; use a name such as technicalSkills", cmp.Or(t.Name, t.Title))
			continue
		}
		at[fmt.Sprintf("$.competencies[%d]", len(fw.Competencies))] = d.locate(tp)
		fw.Competencies = append(fw.Competencies, trellis.Competency{ID: id, Area: group, Name: cname, Description: strings.TrimSpace(t.Description)})
		for j, c := range t.Content {
			cp := fmt.Sprintf("%s.content[%d]", tp, j)
			if c.Level < 1 || c.Level > levels {
				errs.addAt(d.locate(cp+".level"), "", "topic %q has content for level %d, but the levels run from 1 to %d; fix the level or raise levels", cname, c.Level, levels)
				continue
			}
			e := byLevel[c.Level-1][k]
			if e == nil {
				e = &expect{at: d.locate(cp)}
				byLevel[c.Level-1][k] = e
			}
			e.texts = appendText(e.texts, c.Criteria...)
			for _, x := range c.ExampleCriteria {
				e.texts = appendText(e.texts, x.Criteria)
				e.markers = appendText(e.markers, x.Examples...)
			}
			if len(e.texts) == 0 && len(e.markers) > 0 {
				errs.addAt(d.locate(cp), "", "level %d of topic %q has examples but no criteria; add the criteria the examples illustrate", c.Level, cname)
			}
		}
	}
	if len(errs.list) > 0 {
		return nil, nil
	}
	comps := fw.Competencies
	for l := range levels {
		role := trellis.Role{ID: fmt.Sprintf("level-%d", l+1), Name: fmt.Sprintf("Level %d", l+1), Track: group, Grade: ptr(l + 1)}
		rp := fmt.Sprintf("$.roles[%d]", l)
		for t := range fm.Topics {
			e := byLevel[l][t]
			if e == nil || len(e.texts) == 0 {
				continue
			}
			at[fmt.Sprintf("%s.expectations[%d]", rp, len(role.Expectations))] = e.at
			role.Expectations = append(role.Expectations, trellis.Expectation{Competency: comps[t].ID, Text: joinTexts(e.texts), Markers: e.markers})
		}
		fw.Roles = append(fw.Roles, role)
		if l > 0 {
			fw.Transitions = append(fw.Transitions, trellis.Transition{From: fmt.Sprintf("level-%d", l), To: role.ID, Kind: trellis.KindMerit})
		}
	}
	if fm.Levels != nil {
		at["$.roles"] = d.locate("$.levels")
	}
	at["$.competencies"] = d.locate("$.topics")
	return fw, func(path string) pos {
		for p := path; ; {
			if x, ok := at[p]; ok {
				return x
			}
			i := strings.LastIndexAny(p, ".[")
			if i <= 0 {
				return pos{start + 1, 1}
			}
			p = p[:i]
		}
	}
}

func appendText(list []string, texts ...string) []string {
	for _, t := range texts {
		if t = strings.TrimSpace(t); t != "" {
			list = append(list, t)
		}
	}
	return list
}

// joinTexts makes expectation text of criteria: one stays as it is, several
// become a Markdown list.
func joinTexts(texts []string) string {
	if len(texts) == 1 {
		return texts[0]
	}
	var b strings.Builder
	for i, t := range texts {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("- ")
		b.WriteString(strings.ReplaceAll(t, "\n", "\n  "))
	}
	return b.String()
}

// splitName turns a topic name such as technicalSkills into "Technical skills".
func splitName(name string) string {
	words := strings.ReplaceAll(trellis.Slug(name), "-", " ")
	if words == "" {
		return strings.TrimSpace(name)
	}
	r, size := utf8.DecodeRuneInString(words)
	return string(unicode.ToUpper(r)) + words[size:]
}

func ptr[T any](x T) *T { return &x }
