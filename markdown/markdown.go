// Package markdown turns user-written Markdown into HTML that is safe to put
// in a page: raw HTML in the source is dropped by the renderer, and the
// result is sanitised again so that no script, event handler or javascript:
// link survives whatever the renderer does.
package markdown

import (
	"bytes"
	"html/template"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

var (
	renderer = goldmark.New(goldmark.WithExtensions(extension.GFM))
	policy   = newPolicy()
)

func newPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[a-zA-Z0-9-]+$`)).OnElements("code")
	// Task-list checkboxes from GFM.
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").OnElements("input")
	return p
}

// HTML renders src as sanitised HTML.
func HTML(src string) template.HTML {
	var buf bytes.Buffer
	if err := renderer.Convert([]byte(src), &buf); err != nil {
		// goldmark only fails when the writer fails; a bytes.Buffer does not.
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(policy.SanitizeBytes(buf.Bytes()))
}
