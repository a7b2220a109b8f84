package framework

import (
	"bytes"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"unicode/utf8"

	"trellis"
)

// Formats Read understands.
const (
	FormatNative   = "native"   // trellis/v1 YAML or JSON
	FormatMarkdown = "markdown" // front-matter Markdown of progression-framework sites
	FormatCSV      = "csv"      // area,competency,description,role,grade,expectation
)

// MaxFileSize is the largest file Read accepts.
const MaxFileSize = 8 << 20

// ReadOptions say how to read a file. An empty Format is detected from the
// file name's extension, then from the content. ID, Name and Version, when
// set, replace the framework's own (the Markdown and CSV shapes carry none).
type ReadOptions struct {
	Format            string
	ID, Name, Version string
}

// Read reads a framework file named name (the name is used in messages and
// for detecting the format). The framework it returns passes Validate. On
// failure the error is an *Errors listing every problem found, by position.
func Read(name string, data []byte, opt ReadOptions) (*trellis.Framework, error) {
	if name == "" {
		name = "framework"
	}
	errs := &errorList{file: name}
	if len(data) > MaxFileSize {
		errs.add(1, 1, "the file is %d bytes; a framework file may be at most %d bytes", len(data), MaxFileSize)
		return nil, errs.err()
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if !utf8.Valid(data) {
		line, col := badUTF8(data)
		errs.add(line, col, "the file is not valid UTF-8 text; save it as UTF-8")
		return nil, errs.err()
	}
	format, err := detect(name, data, opt.Format)
	if err != nil {
		errs.add(0, 0, "%s", err.Error())
		return nil, errs.err()
	}
	var fw *trellis.Framework
	var locate func(string) pos
	switch format {
	case FormatNative:
		fw, locate = readNative(data, errs)
	case FormatMarkdown:
		fw, locate = readMarkdown(name, data, errs)
	case FormatCSV:
		fw, locate = readCSV(name, data, errs)
	}
	if fw == nil {
		if len(errs.list) == 0 {
			errs.add(1, 1, "the file holds no framework")
		}
		return nil, errs.err()
	}
	// Problems already reported explain the rule problems below them (a
	// misspelt key leaves its value missing): report each cause once.
	var causes []string
	for _, e := range errs.list {
		if e.Path != "" {
			causes = append(causes, e.Path)
		}
	}
	if opt.ID != "" {
		fw.ID = opt.ID
	}
	if opt.Name != "" {
		fw.Name = opt.Name
	}
	if opt.Version != "" {
		fw.Version = opt.Version
	}
	for _, p := range fw.Validate() {
		if under(p.Path, causes) {
			continue
		}
		at := locate(p.Path)
		errs.addAt(at, p.Path, "%s", p.Message)
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return fw, nil
}

// detect picks the format: the explicit one, else the extension, else the
// content.
func detect(name string, data []byte, format string) (string, error) {
	switch strings.ToLower(format) {
	case FormatNative, "yaml", "yml", "json":
		return FormatNative, nil
	case FormatMarkdown, "md":
		return FormatMarkdown, nil
	case FormatCSV:
		return FormatCSV, nil
	case "":
	default:
		return "", fmt.Errorf("format %q is not known; use native, markdown or csv (or leave it empty to detect it)", format)
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return FormatNative, nil
	case ".md", ".markdown":
		return FormatMarkdown, nil
	case ".csv":
		return FormatCSV, nil
	}
	return sniff(data), nil
}

// sniff guesses the format of data: front matter means Markdown, a first
// line that is the CSV header means CSV, anything else is read as native.
func sniff(data []byte) string {
	text := strings.TrimLeft(string(data), " \t\r\n")
	if strings.HasPrefix(text, "---") {
		first, rest, _ := strings.Cut(text, "\n")
		if strings.TrimSpace(first) == "---" && strings.Contains(rest, "\n---") && !strings.Contains(rest, "apiVersion:") {
			return FormatMarkdown
		}
	}
	first, _, _ := strings.Cut(text, "\n")
	first = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(first), " ", ""))
	if strings.Contains(first, "competency,") && strings.Contains(first, "role") && !strings.Contains(first, ":") {
		return FormatCSV
	}
	return FormatNative
}

func badUTF8(data []byte) (line, col int) {
	line, col = 1, 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			return line, col
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		data = data[size:]
	}
	return line, col
}

// readNative reads the trellis/v1 YAML or JSON format.
func readNative(data []byte, errs *errorList) (*trellis.Framework, func(string) pos) {
	d := newDecoder(errs, 0)
	d.numbersAsText = func(path string) bool { return path == "$.version" }
	body := d.parseYAML(data)
	if body == nil {
		if len(errs.list) == 0 {
			errs.add(1, 1, "the file is empty; a framework file starts with apiVersion: %s and kind: %s", trellis.APIVersion, trellis.FrameworkKind)
		}
		return nil, d.locate
	}
	fw := &trellis.Framework{}
	d.decode(body, reflect.ValueOf(fw).Elem(), "$")
	return fw, d.locate
}

// under reports whether path is one of paths or inside one of them.
func under(path string, paths []string) bool {
	for _, p := range paths {
		if path == p || strings.HasPrefix(path, p+".") || strings.HasPrefix(path, p+"[") {
			return true
		}
	}
	return false
}
