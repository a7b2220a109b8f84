package framework

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"trellis"
)

// maxAliasValues bounds how many values aliases may expand to, so that a
// small file cannot ask for gigabytes.
const maxAliasValues = 10_000

// decoder turns a YAML AST into a Go value of a known struct shape, strictly:
// it reports every unknown key, duplicate key and wrong type with its
// position instead of stopping at the first, and remembers where each value
// came from so that later problems can be placed too.
type decoder struct {
	errs    *errorList
	lineOff int            // added to every line (front matter after the first line)
	at      map[string]pos // YAML path -> position of its value
	anchors map[string]ast.Node
	budget  int // values aliases may still expand to
	inAlias int // how many aliases the value being decoded is under
	// numbersAsText lists the paths where a number is read as the exact
	// text written (version: 2026.2).
	numbersAsText func(path string) bool
	exhausted     bool
}

func newDecoder(errs *errorList, lineOff int) *decoder {
	return &decoder{errs: errs, lineOff: lineOff, at: map[string]pos{}, anchors: map[string]ast.Node{}, budget: maxAliasValues}
}

// parseYAML parses src into one document body. It reports syntax errors and
// returns nil when there is nothing to decode.
func (d *decoder) parseYAML(src []byte) (body ast.Node) {
	defer func() {
		// The parser is third-party code; a panic on some odd input must
		// not take the process down.
		if r := recover(); r != nil {
			d.errs.add(1+d.lineOff, 1, "the YAML parser failed on this file (%v); check its syntax", r)
			body = nil
		}
	}()
	f, err := parser.ParseBytes(src, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		d.syntaxError(err)
		return nil
	}
	var docs []ast.Node
	for _, doc := range f.Docs {
		if doc != nil && doc.Body != nil {
			if _, ok := doc.Body.(*ast.CommentGroupNode); ok {
				continue
			}
			docs = append(docs, doc.Body)
		}
	}
	if len(docs) > 1 {
		p := d.pos(docs[1])
		d.errs.addAt(p, "", "the file holds %d YAML documents; put one framework in a file", len(docs))
		return nil
	}
	if len(docs) == 0 {
		return nil
	}
	return docs[0]
}

func (d *decoder) syntaxError(err error) {
	var line, col int
	msg := err.Error()
	if e, ok := err.(interface {
		GetToken() *token.Token
		GetMessage() string
	}); ok {
		msg = e.GetMessage()
		if tk := e.GetToken(); tk != nil && tk.Position != nil {
			line, col = tk.Position.Line, tk.Position.Column
		}
	}
	if line == 0 {
		line, col = 1, 1
	}
	d.errs.add(line+d.lineOff, col, "YAML syntax error: %s", msg)
}

func (d *decoder) pos(n ast.Node) pos {
	if mv, ok := n.(*ast.MappingNode); ok && !mv.IsFlowStyle && len(mv.Values) > 0 {
		n = mv.Values[0].Key
	}
	if n == nil {
		return pos{1 + d.lineOff, 1}
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return pos{1 + d.lineOff, 1}
	}
	return pos{tk.Position.Line + d.lineOff, tk.Position.Column}
}

// locate returns the position of path, or of its nearest parent that was
// in the file.
func (d *decoder) locate(path string) pos {
	for p := path; ; {
		if at, ok := d.at[p]; ok {
			return at
		}
		i := strings.LastIndexAny(p, ".[")
		if i <= 0 {
			return pos{1 + d.lineOff, 1}
		}
		p = p[:i]
	}
}

// resolve unwraps anchors, aliases and tags. It returns nil for a node that
// cannot be decoded (the problem is reported).
func (d *decoder) resolve(n ast.Node, path string) ast.Node {
	for range 16 {
		switch x := n.(type) {
		case *ast.AnchorNode:
			name := ""
			if x.Name != nil {
				name = x.Name.GetToken().Value
			}
			if x.Value == nil {
				return &ast.NullNode{Token: x.Start}
			}
			d.anchors[name] = x.Value
			n = x.Value
		case *ast.AliasNode:
			name := ""
			if x.Value != nil {
				name = x.Value.GetToken().Value
			}
			target, ok := d.anchors[name]
			if !ok {
				d.errs.addAt(d.pos(x), path, "alias *%s names no anchor defined before it; define &%s first", name, name)
				return nil
			}
			n = target
		case *ast.TagNode:
			tag := x.Start.Value
			if tag != "!!str" && tag != "!!int" && tag != "!!float" && tag != "!!bool" && tag != "!!null" && tag != "!!seq" && tag != "!!map" {
				d.errs.addAt(d.pos(x), path, "YAML tag %s is not supported here; remove it", tag)
				return nil
			}
			if tag == "!!str" {
				if s, ok := x.Value.(ast.ScalarNode); ok {
					if _, isNull := s.(*ast.NullNode); !isNull {
						return &ast.StringNode{Token: s.GetToken(), Value: s.GetToken().Value}
					}
				}
			}
			if x.Value == nil {
				return &ast.NullNode{Token: x.Start}
			}
			n = x.Value
		default:
			return n
		}
	}
	d.errs.addAt(d.pos(n), path, "too many nested anchors and tags")
	return nil
}

// describe names the kind of a node for messages.
func describe(n ast.Node) string {
	switch n.(type) {
	case *ast.StringNode, *ast.LiteralNode:
		return "text"
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "a number"
	case *ast.BoolNode:
		return "true/false"
	case *ast.NullNode:
		return "empty"
	case *ast.SequenceNode:
		return "a list"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	}
	return "something else"
}

// what names a path's field for messages: "name", "an item of roles".
func what(path string) string {
	if strings.HasSuffix(path, "]") {
		i := strings.LastIndex(path, "[")
		parent := path[:i]
		return "each item of " + parent[strings.LastIndexAny(parent, ".")+1:]
	}
	if i := strings.LastIndex(path, "."); i >= 0 {
		return path[i+1:]
	}
	return "the document"
}

var (
	interfaceType = reflect.TypeFor[any]()
	intPtrType    = reflect.TypeFor[*int]()
)

// decode reads node into v, which must be settable.
func (d *decoder) decode(node ast.Node, v reflect.Value, path string) {
	if _, ok := node.(*ast.AliasNode); ok {
		d.inAlias++
		defer func() { d.inAlias-- }()
	}
	if d.inAlias > 0 {
		if d.budget--; d.budget < 0 {
			if !d.exhausted {
				d.exhausted = true
				d.errs.addAt(d.pos(node), "$", "aliases expand to more than %d values; write the repeated parts out or repeat them less", maxAliasValues)
			}
			return
		}
	}
	if v.Type() == interfaceType {
		return // accepted and ignored (site keys of the Markdown shape)
	}
	node = d.resolve(node, path)
	if node == nil {
		return
	}
	at := d.pos(node)
	if _, ok := d.at[path]; !ok {
		d.at[path] = at
	}
	if _, ok := node.(*ast.NullNode); ok {
		v.SetZero()
		return
	}
	switch v.Kind() {
	case reflect.String:
		switch x := node.(type) {
		case *ast.StringNode:
			d.setString(v, x.Value, at, path)
		case *ast.LiteralNode:
			d.setString(v, x.Value.Value, at, path)
		case *ast.IntegerNode, *ast.FloatNode:
			if d.numbersAsText != nil && d.numbersAsText(path) {
				v.SetString(x.GetToken().Value)
				return
			}
			d.errs.addAt(at, path, "%s must be text, not a number; put it in quotes: %q", what(path), x.GetToken().Value)
		case *ast.BoolNode:
			d.errs.addAt(at, path, "%s must be text, not true/false; put it in quotes: %q", what(path), x.GetToken().Value)
		default:
			d.errs.addAt(at, path, "%s must be text, not %s", what(path), describe(node))
		}
	case reflect.Int:
		d.setInt(node, v, at, path)
	case reflect.Pointer:
		if v.Type() != intPtrType {
			panic("framework: unsupported pointer type " + v.Type().String())
		}
		n := reflect.New(v.Type().Elem())
		if d.setInt(node, n.Elem(), at, path) {
			v.Set(n)
		}
	case reflect.Bool:
		b, ok := node.(*ast.BoolNode)
		if !ok {
			d.errs.addAt(at, path, "%s must be true or false, not %s", what(path), describe(node))
			return
		}
		v.SetBool(b.Value)
	case reflect.Slice:
		seq, ok := node.(*ast.SequenceNode)
		if !ok {
			example := "[a, b] or one \"- a\" line per item"
			d.errs.addAt(at, path, "%s must be a list, not %s; write it as %s", what(path), describe(node), example)
			return
		}
		s := reflect.MakeSlice(v.Type(), len(seq.Values), len(seq.Values))
		for i, item := range seq.Values {
			ip := fmt.Sprintf("%s[%d]", path, i)
			if _, null := d.resolve(item, ip).(*ast.NullNode); null {
				at := d.pos(item)
				if len(seq.Entries) == len(seq.Values) && seq.Entries[i].Start != nil {
					at = d.pos(seq.Entries[i])
				}
				d.at[ip] = at
				d.errs.addAt(at, ip, "item %d of %s is empty; remove it or give it a value", i+1, what(path))
				continue
			}
			d.decode(item, s.Index(i), ip)
		}
		v.Set(s)
	case reflect.Struct:
		m, ok := node.(*ast.MappingNode)
		if !ok {
			d.errs.addAt(at, path, "%s must be a mapping of keys (%s), not %s", what(path), strings.Join(keysOf(v.Type())[:min(2, len(keysOf(v.Type())))], ": ..., ")+": ...", describe(node))
			return
		}
		d.decodeStruct(m, v, path)
	default:
		panic("framework: unsupported kind " + v.Kind().String())
	}
}

func (d *decoder) setString(v reflect.Value, s string, at pos, path string) {
	if !utf8.ValidString(s) {
		d.errs.addAt(at, path, "%s is not valid UTF-8 text", what(path))
		return
	}
	v.SetString(s)
}

func (d *decoder) setInt(node ast.Node, v reflect.Value, at pos, path string) bool {
	switch x := node.(type) {
	case *ast.IntegerNode:
		var n int64
		switch i := x.Value.(type) {
		case int64:
			n = i
		case uint64:
			if i > math.MaxInt32 {
				n = math.MaxInt64
			} else {
				n = int64(i)
			}
		}
		if n > math.MaxInt32 || n < math.MinInt32 {
			d.errs.addAt(at, path, "%s is %s, which is out of range; use a whole number between %d and %d", what(path), x.GetToken().Value, math.MinInt32, math.MaxInt32)
			return false
		}
		v.SetInt(n)
		return true
	case *ast.StringNode:
		d.errs.addAt(at, path, "%s must be a whole number, not text %q; write it without quotes, e.g. 3", what(path), x.Value)
	default:
		d.errs.addAt(at, path, "%s must be a whole number, not %s %s", what(path), describe(node), strings.TrimSpace(node.GetToken().Value))
	}
	return false
}

// field is one key of a struct shape.
type field struct {
	key   string
	index int
}

func fieldsOf(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" || !f.IsExported() {
			continue
		}
		out = append(out, field{key: tag, index: i})
	}
	return out
}

func keysOf(t reflect.Type) []string {
	var keys []string
	for _, f := range fieldsOf(t) {
		keys = append(keys, f.key)
	}
	return keys
}

// typeNames name the struct shapes in messages.
var typeNames = map[reflect.Type]string{
	reflect.TypeFor[trellis.Framework]():     "the framework",
	reflect.TypeFor[trellis.Value]():         "a value",
	reflect.TypeFor[trellis.Area]():          "an area",
	reflect.TypeFor[trellis.Competency]():    "a competency",
	reflect.TypeFor[trellis.Level]():         "a level",
	reflect.TypeFor[trellis.Track]():         "a track",
	reflect.TypeFor[trellis.Role]():          "a role",
	reflect.TypeFor[trellis.Expectation]():   "an expectation",
	reflect.TypeFor[trellis.Consideration](): "a consideration",
	reflect.TypeFor[trellis.Transition]():    "a transition",
	reflect.TypeFor[trellis.Activity]():      "an activity",
	reflect.TypeFor[trellis.Resource]():      "a resource",
	reflect.TypeFor[trellis.Template]():      "a template",
	reflect.TypeFor[trellis.Section]():       "a section",
}

func typeName(t reflect.Type) string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return "this mapping"
}

func (d *decoder) decodeStruct(m *ast.MappingNode, v reflect.Value, path string) {
	fields := fieldsOf(v.Type())
	keys := keysOf(v.Type())
	seen := map[string]pos{}
	for _, mv := range m.Values {
		keyNode := mv.Key
		kat := d.pos(keyNode)
		var key string
		switch k := ast.Node(keyNode).(type) {
		case *ast.MergeKeyNode:
			d.errs.addAt(kat, "", "merge keys (<<) are not supported; write the keys out")
			continue
		case *ast.MappingKeyNode:
			d.errs.addAt(kat, "", "complex keys (? ...) are not supported; use a plain key")
			continue
		case ast.ScalarNode:
			key = k.GetToken().Value
			if s, ok := k.(*ast.StringNode); ok {
				key = s.Value
			}
		default:
			d.errs.addAt(kat, "", "a key must be a plain word such as %q", keys[0])
			continue
		}
		if first, dup := seen[key]; dup {
			d.errs.addAt(kat, path+"."+key, "key %q repeats the one on line %d; a key may appear once in a mapping", key, first.line)
			continue
		}
		seen[key] = kat
		idx := -1
		for _, f := range fields {
			if f.key == key {
				idx = f.index
			}
		}
		if idx < 0 {
			msg := fmt.Sprintf("unknown key %q in %s", key, typeName(v.Type()))
			cause := path + "." + key
			if s := trellis.Suggest(key, keys); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
				cause = path + "." + s
			} else {
				msg += fmt.Sprintf("; the keys are %s", strings.Join(keys, ", "))
			}
			d.errs.addAt(kat, cause, "%s", msg)
			continue
		}
		child := path + "." + key
		if mv.Value == nil {
			continue
		}
		d.decode(mv.Value, v.Field(idx), child)
		if _, ok := d.at[child]; !ok {
			d.at[child] = kat
		}
	}
}
