// Package framework reads, exports, diffs and describes career framework
// files: the native trellis/v1 YAML/JSON format, the front-matter Markdown
// shape of open-source progression frameworks, and a CSV matrix.
package framework

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"trellis"
)

// Error is one thing wrong with a framework file, at a line and column
// (both 1-based; 0 when the position is unknown). Path is the YAML path of
// the offending value when the problem was found on the decoded framework.
type Error struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

func (e Error) Error() string {
	switch {
	case e.Line > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Message)
	case e.Path != "":
		return fmt.Sprintf("%s: %s: %s", e.File, e.Path, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Message)
}

// Errors is every problem found in a file, sorted by position. Read returns
// it as *Errors whenever a file cannot be imported.
type Errors struct {
	List []Error `json:"errors"`
}

func (e *Errors) Error() string {
	lines := make([]string, len(e.List))
	for i, x := range e.List {
		lines[i] = x.Error()
	}
	return strings.Join(lines, "\n")
}

// Domain returns the errors as a trellis.Error with code EINVALID and one
// detail per problem, its Field being "line:col" (or the YAML path when the
// position is unknown).
func (e *Errors) Domain() *trellis.Error {
	d := &trellis.Error{Code: trellis.EINVALID}
	file := ""
	if len(e.List) > 0 {
		file = e.List[0].File
	}
	switch len(e.List) {
	case 0:
		d.Message = fmt.Sprintf("%s is not a valid framework", file)
	case 1:
		d.Message = e.List[0].Error()
	default:
		d.Message = fmt.Sprintf("%s has %d errors; fix them all and import it again", file, len(e.List))
	}
	for _, x := range e.List {
		field := x.Path
		if x.Line > 0 {
			field = fmt.Sprintf("%d:%d", x.Line, x.Col)
		}
		d.Details = append(d.Details, trellis.FieldError{Field: field, Message: x.Message})
	}
	return d
}

// errorList collects errors while reading one file.
type errorList struct {
	file string
	list []Error
}

func (l *errorList) add(line, col int, format string, args ...any) {
	l.list = append(l.list, Error{File: l.file, Line: line, Col: col, Message: fmt.Sprintf(format, args...)})
}

func (l *errorList) addAt(p pos, path, format string, args ...any) {
	l.list = append(l.list, Error{File: l.file, Line: p.line, Col: p.col, Path: path, Message: fmt.Sprintf(format, args...)})
}

// err returns the collected errors sorted by position, or nil.
func (l *errorList) err() error {
	if len(l.list) == 0 {
		return nil
	}
	list := slices.Clone(l.list)
	slices.SortStableFunc(list, func(a, b Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	// The same message at the same place says nothing new.
	list = slices.CompactFunc(list, func(a, b Error) bool { return a == b })
	return &Errors{List: list}
}

// pos is a 1-based line and column in a file.
type pos struct{ line, col int }
