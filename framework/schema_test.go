package framework

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

func compileSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatalf("schema.json is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("schema.json")
	if err != nil {
		t.Fatalf("schema does not compile: %v", err)
	}
	return s
}

// instance turns a YAML or JSON document into a value the validator takes.
func instance(t testing.TB, data []byte) any {
	t.Helper()
	v, err := toInstance(data)
	if err != nil {
		t.Fatalf("instance: %v", err)
	}
	return v
}

func toInstance(data []byte) (any, error) {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(j))
}

func TestSchemaIsDraft2020(t *testing.T) {
	var head struct {
		Schema string `json:"$schema"`
	}
	if err := json.Unmarshal(Schema(), &head); err != nil || head.Schema != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %q, %v", head.Schema, err)
	}
	Schema()[0] = 'x' // a copy: callers cannot break the embedded schema
	if Schema()[0] != '{' {
		t.Error("Schema returns the embedded bytes, not a copy")
	}
}

func TestSchemaAcceptsValidFiles(t *testing.T) {
	s := compileSchema(t)
	for _, name := range fixtures(t) {
		fw := readFile(t, name, ReadOptions{})
		out, err := Export(fw)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(instance(t, out)); err != nil {
			t.Errorf("export of %s fails the schema: %v", name, err)
		}
		if ext := filepath.Ext(name); ext == ".yaml" || ext == ".json" {
			if err := s.Validate(instance(t, mustRead(t, name))); err != nil {
				t.Errorf("%s fails the schema: %v", name, err)
			}
		}
	}
	if err := s.Validate(instance(t, []byte(minimal(nil)))); err != nil {
		t.Errorf("minimal file fails the schema: %v", err)
	}
}

// TestSchemaAgreesWithReader: files the reader refuses for their shape are
// refused by the schema too.
func TestSchemaAgreesWithReader(t *testing.T) {
	s := compileSchema(t)
	tests := []struct{ name, data string }{
		{"unknown top-level key", minimal(nil) + "colour: blue\n"},
		{"unknown key in a role", strings.Replace(minimal(nil), "    track: ic\n", "    track: ic\n    level: 3\n", 1)},
		{"missing name", strings.Replace(minimal(nil), "name: Mini\n", "", 1)},
		{"missing version", strings.Replace(minimal(nil), "version: '1'\n", "", 1)},
		{"missing roles", strings.Split(minimal(nil), "roles:")[0]},
		{"missing expectation text", strings.Replace(minimal(nil), "        text: Fixes things\n", "", 1)},
		{"empty name", minimal(map[string]string{"name": "'  '"})},
		{"wrong apiVersion", minimal(map[string]string{"apiVersion": "trellis/v2"})},
		{"id not a slug", minimal(map[string]string{"id": "Mini Framework"})},
		{"list where text is expected", minimal(map[string]string{"name": "[a, b]"})},
		{"text where a list is expected", strings.Replace(minimal(nil), "areas:\n  - id: tech\n    name: Technical\n", "areas: technical\n", 1)},
		{"number where text is expected", minimal(map[string]string{"name": "2026"})},
		{"empty areas", strings.Replace(minimal(nil), "areas:\n  - id: tech\n    name: Technical\n", "areas: []\n", 1)},
		{"grade as text", strings.Replace(minimal(nil), "    track: ic\n", "    track: ic\n    grade: seven\n", 1)},
		{"unknown transition kind", minimal(nil) + "transitions: [{from: engineer, to: engineer, kind: promotion}]\n"},
		{"empty marker", strings.Replace(minimal(nil), "        text: Fixes things\n", "        text: Fixes things\n        markers: [null]\n", 1)},
		{"url without scheme", minimal(nil) + "resources: [{id: r, title: R, kind: read, url: example.org}]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Read("f.yaml", []byte(tt.data), ReadOptions{}); err == nil {
				t.Fatalf("the reader accepts it")
			}
			if err := s.Validate(instance(t, []byte(tt.data))); err == nil {
				t.Errorf("the schema accepts it")
			}
		})
	}
}
