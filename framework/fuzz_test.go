package framework

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fuzzNames picks the shape a fuzz input is read as.
var fuzzNames = []string{"fuzz.yaml", "fuzz.json", "fuzz.md", "fuzz.csv", "fuzz"}

// FuzzRead checks that Read never panics, that what it accepts is valid, and
// that an export of it reads back to the same framework.
func FuzzRead(f *testing.F) {
	files, err := filepath.Glob("testdata/*.*")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for i, n := range fuzzNames {
			if filepath.Ext(n) == filepath.Ext(name) || (filepath.Ext(name) == ".yml" && i == 0) {
				f.Add(uint8(i), data)
			}
		}
	}
	f.Add(uint8(0), []byte("apiVersion: trellis/v1\nkind: Framework\nid: x\nname: X\nversion: 1\nareas: [{id: a, name: A}]\ncompetencies: [{id: c, area: a, name: C}]\ntracks: [{id: t, name: T}]\nroles: [{id: r, name: R, track: t, expectations: [{competency: c, text: \"a\\tb\"}]}]\n"))
	f.Add(uint8(1), []byte(`{"apiVersion":"trellis/v1","kind":"Framework","id":"x","name":"X","version":"1","areas":[{"id":"a","name":"A"}],"competencies":[{"id":"c","area":"a","name":"C"}],"tracks":[{"id":"t","name":"T"}],"roles":[{"id":"r","name":"R","track":"t"}]}`))
	f.Add(uint8(2), []byte("---\ntitle: 'Ops 🔧'\nlevels: 2\ntopics:\n  - name: 'onCall'\n    title:\n    content:\n      - level: 2\n        exampleCriteria:\n          - criteria: Leads incidents\n            examples: [Ran the outage call]\n---\nBody\n"))
	f.Add(uint8(3), []byte("area,competency,description,role,grade,expectation\nTech,Code,\"Writes \"\"good\"\" code\",Junior,1,Ships small changes\n"))
	schema := compileSchema(f)
	f.Fuzz(func(t *testing.T, shape uint8, data []byte) {
		name := fuzzNames[int(shape)%len(fuzzNames)]
		watchdog := time.AfterFunc(30*time.Second, func() { panic(fmt.Sprintf("Read hangs on %s: %q", name, data)) })
		defer watchdog.Stop()
		fw, err := Read(name, data, ReadOptions{})
		if err != nil {
			var list *Errors
			if !errors.As(err, &list) || len(list.List) == 0 {
				t.Fatalf("Read failed without *Errors: %v", err)
			}
			return
		}
		if problems := fw.Validate(); len(problems) > 0 {
			t.Fatalf("Read accepted an invalid framework: %v", problems)
		}
		out, err := Export(fw)
		if err != nil {
			t.Fatalf("Export: %v", err)
		}
		if err := schema.Validate(instance(t, out)); err != nil {
			t.Fatalf("the export fails the schema: %v\n%s", err, out)
		}
		if format, _ := detect(name, data, ""); format == FormatNative {
			// What the reader accepts, the schema accepts.
			if v, err := toInstance(data); err == nil {
				if err := schema.Validate(v); err != nil {
					t.Fatalf("Read accepts what the schema refuses: %v", err)
				}
			}
		}
		back, err := Read("export.yaml", out, ReadOptions{})
		if err != nil {
			t.Fatalf("Read(Export(fw)) failed: %v\n%s", err, out)
		}
		if back.Hash() != fw.Hash() {
			t.Fatalf("Read(Export(fw)) changed the framework:\n%s\nbefore: %#v\nafter:  %#v", out, fw, back)
		}
		if again, _ := Export(back); string(again) != string(out) {
			t.Fatalf("Export is not stable:\n%s\n---\n%s", out, again)
		}
	})
}
