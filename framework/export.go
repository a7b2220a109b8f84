package framework

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	"trellis"
)

// Export writes fw in the native trellis/v1 YAML format: keys in the order
// of the format, long and multi-line texts as literal blocks. The output
// is stable: the same framework always gives the same bytes, and Read gives
// back a framework with the same Hash.
func Export(fw *trellis.Framework) ([]byte, error) {
	if fw == nil {
		return nil, fmt.Errorf("framework: Export of a nil framework")
	}
	var b bytes.Buffer
	b.WriteString("# Career framework in the trellis/v1 format.\n")
	writeStruct(&b, reflect.ValueOf(fw).Elem(), 0, false)
	return b.Bytes(), nil
}

// writeStruct writes the fields of v as a block mapping indented by indent
// spaces; inItem means the first key follows a "- " already written.
func writeStruct(b *bytes.Buffer, v reflect.Value, indent int, inItem bool) {
	first := true
	for i := range v.NumField() {
		sf := v.Type().Field(i)
		parts := strings.Split(sf.Tag.Get("yaml"), ",")
		key := parts[0]
		if key == "" || key == "-" {
			continue
		}
		omitEmpty := len(parts) > 1 && parts[1] == "omitempty"
		f := v.Field(i)
		switch {
		case f.Kind() == reflect.Slice && f.IsNil():
			// A nil list and an absent key read back the same.
			continue
		case omitEmpty && f.IsZero():
			continue
		case omitEmpty && f.Kind() == reflect.Slice && f.Len() == 0:
			continue
		}
		if !(first && inItem) {
			b.WriteString(strings.Repeat(" ", indent))
		}
		first = false
		b.WriteString(key)
		b.WriteByte(':')
		writeValue(b, f, indent)
	}
	if first && inItem {
		b.WriteString("{}\n")
	}
}

// writeValue writes v after "key:".
func writeValue(b *bytes.Buffer, v reflect.Value, indent int) {
	switch v.Kind() {
	case reflect.String:
		writeString(b, v.String(), indent+2)
	case reflect.Int:
		fmt.Fprintf(b, " %d\n", v.Int())
	case reflect.Bool:
		fmt.Fprintf(b, " %t\n", v.Bool())
	case reflect.Pointer:
		if v.IsNil() {
			b.WriteString(" null\n")
			return
		}
		writeValue(b, v.Elem(), indent)
	case reflect.Slice:
		if v.Len() == 0 {
			b.WriteString(" []\n")
			return
		}
		if ids, ok := v.Interface().([]string); ok && allIDs(ids) {
			b.WriteString(" [")
			b.WriteString(strings.Join(ids, ", "))
			b.WriteString("]\n")
			return
		}
		b.WriteByte('\n')
		for i := range v.Len() {
			item := v.Index(i)
			b.WriteString(strings.Repeat(" ", indent+2))
			b.WriteString("-")
			if item.Kind() == reflect.Struct {
				b.WriteByte(' ')
				writeStruct(b, item, indent+4, true)
			} else {
				writeString(b, item.String(), indent+4)
			}
		}
	default:
		panic("framework: Export cannot write " + v.Kind().String())
	}
}

// writeString writes s after "key:" or "-", as a plain scalar when that
// reads back the same, as a literal block when it has several lines, and
// double-quoted otherwise.
func writeString(b *bytes.Buffer, s string, indent int) {
	switch {
	case plainSafe(s):
		b.WriteByte(' ')
		b.WriteString(s)
		b.WriteByte('\n')
	case literalSafe(s):
		b.WriteString(" |")
		if !strings.HasSuffix(s, "\n") {
			b.WriteByte('-')
		}
		b.WriteByte('\n')
		for line := range strings.SplitSeq(strings.TrimSuffix(s, "\n"), "\n") {
			if line != "" {
				b.WriteString(strings.Repeat(" ", indent))
				b.WriteString(line)
			}
			b.WriteByte('\n')
		}
	default:
		b.WriteByte(' ')
		b.WriteString(doubleQuote(s))
		b.WriteByte('\n')
	}
}

// plainSafe reports whether s can be written unquoted: it starts with a
// letter, holds no characters YAML gives meaning to, and is no YAML keyword.
func plainSafe(s string) bool {
	if s == "" {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s)
	if !unicode.IsLetter(r) {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(s)
	if unicode.IsSpace(last) || last == ':' {
		return false
	}
	for _, r := range s {
		switch {
		case r == ' ':
		case r > unicode.MaxASCII && !unicode.IsPrint(r):
			return false
		case r > unicode.MaxASCII:
		case r < ' ' || r == 0x7f:
			return false
		case strings.ContainsRune("{}[]`\"|>\\", r):
			return false
		}
	}
	if strings.Contains(s, "  ") || strings.Contains(s, ": ") || strings.Contains(s, " #") {
		return false
	}
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf", "infinity":
		return false
	}
	return true
}

// literalSafe reports whether s reads back the same from a literal block:
// several lines, printable, no line starting with a space (it would be read
// as indentation) and no trailing blank lines or spaces.
func literalSafe(s string) bool {
	if !strings.Contains(s, "\n") || strings.HasSuffix(s, "\n\n") {
		return false
	}
	for line := range strings.SplitSeq(strings.TrimSuffix(s, "\n"), "\n") {
		if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") || strings.HasSuffix(line, " ") || strings.HasSuffix(line, "\t") {
			return false
		}
		for _, r := range line {
			if r == '\t' {
				continue
			}
			if r < ' ' || r == 0x7f || r == '\uFEFF' || (r > unicode.MaxASCII && !unicode.IsPrint(r) && !unicode.IsSpace(r)) {
				return false
			}
			if unicode.IsSpace(r) && r != ' ' && r != '\t' {
				return false
			}
		}
	}
	first, _, _ := strings.Cut(s, "\n")
	return first != "" && !strings.HasPrefix(first, "#")
}

// doubleQuote writes s as a YAML double-quoted scalar, escaping everything
// that is not printable.
func doubleQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < ' ' || r == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, r)
		case r > unicode.MaxASCII && (!unicode.IsPrint(r) || unicode.IsSpace(r) && r != ' '):
			if r > 0xffff {
				fmt.Fprintf(&b, `\U%08x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// allIDs reports whether every item is an id, which a flow list shows best.
func allIDs(xs []string) bool {
	for _, x := range xs {
		if !trellis.ValidID(x) || !plainSafe(x) {
			return false
		}
	}
	return true
}
