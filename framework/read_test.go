package framework

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"trellis"
)

// fixtures are the valid files under testdata, in every shape.
func fixtures(t *testing.T) []string {
	t.Helper()
	names, err := filepath.Glob("testdata/*.*")
	if err != nil || len(names) < 4 {
		t.Fatalf("fixtures: %v %v", names, err)
	}
	return names
}

func readFile(t *testing.T, name string, opt ReadOptions) *trellis.Framework {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	fw, err := Read(filepath.Base(name), data, opt)
	if err != nil {
		t.Fatalf("Read(%s): %v", name, err)
	}
	return fw
}

func TestFixturesRoundTrip(t *testing.T) {
	for _, name := range fixtures(t) {
		t.Run(filepath.Base(name), func(t *testing.T) {
			fw := readFile(t, name, ReadOptions{})
			if p := fw.Validate(); len(p) > 0 {
				t.Fatalf("Validate: %v", p)
			}
			out, err := Export(fw)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Read("export.yaml", out, ReadOptions{})
			if err != nil {
				t.Fatalf("Read(Export): %v\n%s", err, out)
			}
			if back.Hash() != fw.Hash() {
				t.Errorf("Read(Export(x)) has another hash\n%s", out)
			}
			if again, _ := Export(back); string(again) != string(out) {
				t.Errorf("Export is not stable")
			}
			if d := Diff(fw, back); !d.Empty() {
				t.Errorf("Diff after round trip: %s", d.Text())
			}
		})
	}
}

func TestReadNative(t *testing.T) {
	fw := readFile(t, "testdata/support.yaml", ReadOptions{})
	if fw.Version != "2026.2" {
		t.Errorf("version = %q, want the text written, 2026.2", fw.Version)
	}
	r, ok := fw.Role("senior-support-engineer")
	if !ok || r.Grade == nil || *r.Grade != 7 || !r.Destination {
		t.Fatalf("senior role = %+v", r)
	}
	e, _ := r.Expectation("troubleshooting")
	if e.Level == nil || *e.Level != 3 || len(e.Markers) != 2 || e.Markers[1] != "Wrote a runbook: used by the team since" {
		t.Errorf("expectation = %+v", e)
	}
	if e.Text != "Finds the cause of problems nobody has seen before.\nWrites the runbook afterwards.\n" {
		t.Errorf("literal block text = %q", e.Text)
	}
	if r.Summary != "Owns hard customer problems end to end and makes the team better at them.\n" {
		t.Errorf("folded summary = %q", r.Summary)
	}
	if fw.Templates[0].Sections[0].MaxWords != 150 || !fw.Templates[0].Sections[2].Optional {
		t.Errorf("sections = %+v", fw.Templates[0].Sections)
	}

	// JSON is read by the same path.
	j := readFile(t, "testdata/tiny.json", ReadOptions{})
	if j.ID != "tiny" || j.Version != "3" || len(j.Roles) != 2 {
		t.Errorf("json = %+v", j)
	}
}

func TestReadVersionNumbers(t *testing.T) {
	for _, v := range []struct{ written, want string }{
		{"2026.2", "2026.2"}, {"2026.10", "2026.10"}, {"1", "1"}, {"'1.0'", "1.0"}, {"1.0", "1.0"}, {"0x10", "0x10"},
	} {
		fw, err := Read("v.yaml", []byte(minimal(map[string]string{"version": v.written})), ReadOptions{})
		if err != nil {
			t.Fatalf("version %s: %v", v.written, err)
		}
		if fw.Version != v.want {
			t.Errorf("version %s read as %q, want %q", v.written, fw.Version, v.want)
		}
	}
}

// minimal returns a small valid native file with some top-level lines replaced.
func minimal(replace map[string]string) string {
	lines := []string{
		"apiVersion: trellis/v1",
		"kind: Framework",
		"id: mini",
		"name: Mini",
		"version: '1'",
		"areas:",
		"  - id: tech",
		"    name: Technical",
		"competencies:",
		"  - id: troubleshooting",
		"    area: tech",
		"    name: Troubleshooting",
		"tracks:",
		"  - {id: ic, name: IC}",
		"roles:",
		"  - id: engineer",
		"    name: Engineer",
		"    track: ic",
		"    expectations:",
		"      - competency: troubleshooting",
		"        text: Fixes things",
	}
	for i, l := range lines {
		key, _, _ := strings.Cut(l, ":")
		if v, ok := replace[key]; ok {
			lines[i] = key + ": " + v
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name, file, data string
		want             []string // the whole error text, one line per problem
	}{
		{
			name: "unknown competency, with a suggestion, at the value",
			file: "support.yaml",
			data: strings.Replace(minimal(nil), "      - competency: troubleshooting", "      - competency: trubleshooting", 1),
			want: []string{`support.yaml:20:21: expectation names competency "trubleshooting", which is not defined (did you mean "troubleshooting"?)`},
		},
		{
			name: "every unknown key, duplicate key and wrong type at once",
			file: "f.yaml",
			data: `apiVersion: trellis/v1
kind: Framework
id: f
nmae: F
version: "1"
version: "2"
areas: technical
competencies:
  - id: c
    area: a
    name: C
    colour: blue
tracks: [{id: t, name: T}]
roles:
  - id: r
    name: R
    track: t
    grade: seven
    destination: sometimes
    resources: ama
`,
			want: []string{
				`f.yaml:4:1: unknown key "nmae" in the framework; did you mean "name"?`,
				`f.yaml:6:1: key "version" repeats the one on line 5; a key may appear once in a mapping`,
				`f.yaml:7:8: areas must be a list, not text; write it as [a, b] or one "- a" line per item`,
				`f.yaml:10:11: competency names area "a", which is not defined`,
				`f.yaml:12:5: unknown key "colour" in a competency; the keys are id, area, name, description, levels`,
				`f.yaml:18:12: grade must be a whole number, not text "seven"; write it without quotes, e.g. 3`,
				`f.yaml:19:18: destination must be true or false, not text`,
				`f.yaml:20:16: resources must be a list, not text; write it as [a, b] or one "- a" line per item`,
			},
		},
		{
			name: "missing fields fall back to the enclosing mapping",
			file: "m.yaml",
			data: strings.Replace(minimal(nil), "    name: Engineer\n", "", 1),
			want: []string{`m.yaml:16:5: name is missing; it is required`},
		},
		{
			name: "syntax error with position",
			file: "s.yaml",
			data: "apiVersion: trellis/v1\nareas: [1\nkind: x\n",
			want: []string{`s.yaml:3:1: YAML syntax error: ',' or ']' must be specified`},
		},
		{
			name: "a number where text is expected",
			file: "n.yaml",
			data: minimal(map[string]string{"name": "2026"}),
			want: []string{`n.yaml:4:7: name must be text, not a number; put it in quotes: "2026"`},
		},
		{
			name: "empty list item",
			file: "e.yaml",
			data: strings.Replace(minimal(nil), "        text: Fixes things", "        text: Fixes things\n        markers:\n          -\n          - Fixed one", 1),
			want: []string{`e.yaml:23:11: item 1 of markers is empty; remove it or give it a value`},
		},
		{
			name: "empty file",
			file: "empty.yaml",
			data: "# nothing here\n",
			want: []string{`empty.yaml:1:1: the file is empty; a framework file starts with apiVersion: trellis/v1 and kind: Framework`},
		},
		{
			name: "two documents",
			file: "two.yaml",
			data: minimal(nil) + "---\n" + minimal(nil),
			want: []string{`two.yaml:23:1: the file holds 2 YAML documents; put one framework in a file`},
		},
		{
			name: "not UTF-8",
			file: "latin1.yaml",
			data: "apiVersion: trellis/v1\nname: Caf\xe9\n",
			want: []string{`latin1.yaml:2:10: the file is not valid UTF-8 text; save it as UTF-8`},
		},
		{
			name: "the root is not a mapping",
			file: "list.yaml",
			data: "- apiVersion: trellis/v1\n",
			want: []string{`list.yaml:1:1: the document must be a mapping of keys (apiVersion: ..., kind: ...), not a list`},
		},
		{
			name: "alias without anchor, unsupported tag",
			file: "a.yaml",
			data: minimal(map[string]string{"name": "*nothing", "id": "!custom mini"}),
			want: []string{
				`a.yaml:3:5: YAML tag !custom is not supported here; remove it`,
				`a.yaml:4:7: alias *nothing names no anchor defined before it; define &nothing first`,
			},
		},
		{
			name: "JSON with a wrong apiVersion and a duplicate id",
			file: "j.json",
			data: `{"apiVersion": "trellis/v2", "kind": "Framework", "id": "j", "name": "J", "version": "1",
 "areas": [{"id": "a", "name": "A"}, {"id": "a", "name": "B"}],
 "competencies": [{"id": "c", "area": "a", "name": "C"}],
 "tracks": [{"id": "t", "name": "T"}],
 "roles": [{"id": "r", "name": "R", "track": "t"}]}`,
			want: []string{
				`j.json:1:16: apiVersion is "trellis/v2"; it must be exactly "trellis/v1"`,
				`j.json:2:45: id "a" is already used by areas[0]; ids must be unique within their list`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fw, err := Read(tt.file, []byte(tt.data), ReadOptions{})
			if err == nil {
				t.Fatalf("Read accepted it: %+v", fw)
			}
			var list *Errors
			if !errors.As(err, &list) {
				t.Fatalf("error is %T, want *Errors", err)
			}
			if got := strings.Split(err.Error(), "\n"); !slices.Equal(got, tt.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestReadAliases(t *testing.T) {
	// Anchors and aliases are YAML: they work.
	data := strings.Replace(minimal(nil), "        text: Fixes things", "        text: &fix Fixes things\n  - id: senior\n    name: Senior\n    track: ic\n    expectations:\n      - competency: troubleshooting\n        text: *fix", 1)
	fw, err := Read("a.yaml", []byte(data), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if fw.Roles[1].Expectations[0].Text != "Fixes things" {
		t.Errorf("alias read as %q", fw.Roles[1].Expectations[0].Text)
	}
	// A small document that expands to millions of values through aliases
	// is refused instead of filling the memory.
	m0 := "[" + strings.Repeat("x, ", 999) + "x]"
	c1 := "[" + strings.Repeat("{text: x, competencies: *m0}, ", 999) + "{text: x, competencies: *m0}]"
	bomb := strings.Replace(minimal(nil), "        text: Fixes things", "        text: Fixes things\n        markers: &m0 "+m0+"\n    considerations: "+c1, 1)
	_, err = Read("bomb.yaml", []byte(bomb), ReadOptions{})
	if err == nil || !strings.Contains(err.Error(), "aliases expand to more than 10000 values; write the repeated parts out or repeat them less") {
		t.Fatalf("alias bomb: %.300v", err)
	}
}

func TestReadOptions(t *testing.T) {
	fw := readFile(t, "testdata/analytics.csv", ReadOptions{ID: "data", Name: "Data careers", Version: "2026.1"})
	if fw.ID != "data" || fw.Name != "Data careers" || fw.Version != "2026.1" {
		t.Errorf("options not applied: %s %s %s", fw.ID, fw.Name, fw.Version)
	}
	// Options are validated like file content.
	_, err := Read("analytics.csv", mustRead(t, "testdata/analytics.csv"), ReadOptions{ID: "Not An Id"})
	if err == nil || !strings.Contains(err.Error(), `id "Not An Id" is not a lowercase slug`) {
		t.Errorf("bad id option: %v", err)
	}
	_, err = Read("x.txt", []byte("a"), ReadOptions{Format: "xml"})
	if err == nil || !strings.Contains(err.Error(), `format "xml" is not known; use native, markdown or csv`) {
		t.Errorf("bad format: %v", err)
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name, format, data, want string
	}{
		{"a.yaml", "", "", FormatNative},
		{"a.YML", "", "", FormatNative},
		{"a.json", "", "", FormatNative},
		{"a.md", "", "", FormatMarkdown},
		{"a.markdown", "", "", FormatMarkdown},
		{"a.csv", "", "", FormatCSV},
		{"a.csv", "native", "", FormatNative},
		{"a.txt", "markdown", "", FormatMarkdown},
		{"upload", "", "---\ntitle: X\nlevels: 2\n---\nbody", FormatMarkdown},
		{"upload", "", "---\napiVersion: trellis/v1\n---\n", FormatNative},
		{"upload", "", "area,competency,description,role,grade,expectation\n", FormatCSV},
		{"upload", "", `{"apiVersion": "trellis/v1"}`, FormatNative},
		{"upload", "", "apiVersion: trellis/v1\n", FormatNative},
	}
	for _, tt := range tests {
		got, err := detect(tt.name, []byte(tt.data), tt.format)
		if err != nil || got != tt.want {
			t.Errorf("detect(%q, %q) = %q, %v; want %q", tt.name, tt.format, got, err, tt.want)
		}
	}
	// Sniffing drives Read: a Markdown file uploaded without a name.
	fw, err := Read("", mustRead(t, "testdata/backend.md"), ReadOptions{})
	if err != nil || fw.ID != "backend-engineer" {
		t.Errorf("sniffed Markdown: %v", err)
	}
}

func TestErrorsDomain(t *testing.T) {
	_, err := Read("f.yaml", []byte(minimal(map[string]string{"kind": "Framwork", "name": "''"})), ReadOptions{})
	var list *Errors
	if !errors.As(err, &list) {
		t.Fatalf("err = %v", err)
	}
	d := list.Domain()
	if d.Code != trellis.EINVALID || trellis.ErrorCode(d) != trellis.EINVALID {
		t.Errorf("code = %q", d.Code)
	}
	if d.Message != "f.yaml has 2 errors; fix them all and import it again" {
		t.Errorf("message = %q", d.Message)
	}
	want := []trellis.FieldError{
		{Field: "2:7", Message: `kind is "Framwork"; it must be exactly "Framework"`},
		{Field: "4:7", Message: "name is missing; it is required"},
	}
	if !slices.Equal(d.Details, want) {
		t.Errorf("details = %+v", d.Details)
	}
	one := (&Errors{List: []Error{{File: "x.csv", Line: 3, Col: 1, Message: "bad"}}}).Domain()
	if one.Message != "x.csv:3:1: bad" {
		t.Errorf("one error message = %q", one.Message)
	}
	noPos := (&Errors{List: []Error{{File: "x.md", Path: "$.roles[0]", Message: "bad"}}}).Domain()
	if noPos.Details[0].Field != "$.roles[0]" {
		t.Errorf("field without position = %q", noPos.Details[0].Field)
	}
}
