package framework

import (
	_ "embed"
	"slices"
)

//go:embed schema.json
var schema []byte

// Schema returns the JSON Schema (draft 2020-12) of the native trellis/v1
// format. It checks the shape of a file; the cross-references between ids
// are checked by Read.
func Schema() []byte { return slices.Clone(schema) }
