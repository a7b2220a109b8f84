// Package defaults holds the frameworks Trellis ships with: ready-made
// career frameworks an instance can import as a starting point and adapt.
package defaults

import (
	_ "embed"

	"trellis"
	"trellis/framework"
)

// SupportYAML is the default support engineering framework in the native
// trellis/v1 format, as shipped.
//
//go:embed support.yaml
var SupportYAML []byte

// SupportFile is the file name the default support framework is read as; it
// appears in error positions.
const SupportFile = "support.yaml"

// Support parses the default support engineering framework. Each call returns
// a fresh copy the caller may change.
func Support() (*trellis.Framework, error) {
	return framework.Read(SupportFile, SupportYAML, framework.ReadOptions{})
}
