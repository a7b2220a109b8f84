package markdown

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestHTMLRendersMarkdown(t *testing.T) {
	got := string(HTML("**Bold** and [a link](https://example.org/x)\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"))
	for _, want := range []string{"<strong>Bold</strong>", `href="https://example.org/x"`, `rel="nofollow"`, "<li>one</li>", "<table>", "<td>1</td>"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

func TestHTMLDropsActiveContent(t *testing.T) {
	payloads := []string{
		`<script>alert(1)</script>`,
		`<img src=x onerror=alert(1)>`,
		`[click](javascript:alert(1))`,
		`[click](JaVaScRiPt:alert(1))`,
		`<a href="javascript:alert(1)">x</a>`,
		`<svg onload=alert(1)>`,
		`<iframe src="https://example.org"></iframe>`,
		"![x](x \"\" onerror=alert(1))",
		`<div style="background:url(javascript:alert(1))">x</div>`,
		"[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
		"<scr<script>ipt>alert(1)</script>",
	}
	for _, p := range payloads {
		out := string(HTML(p))
		if problem := activeContent(out); problem != "" {
			t.Errorf("%q rendered %q: %s", p, out, problem)
		}
	}
}

// activeContent parses rendered HTML as a browser would and names the first
// element or attribute that could run code.
func activeContent(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			switch tok.Data {
			case "script", "iframe", "object", "embed", "svg", "style", "form":
				return "element <" + tok.Data + ">"
			}
			for _, a := range tok.Attr {
				v := strings.ToLower(strings.TrimSpace(a.Val))
				switch {
				case strings.HasPrefix(a.Key, "on"):
					return "event handler " + a.Key
				case a.Key == "style":
					return "style attribute"
				case (a.Key == "href" || a.Key == "src") && (strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:")):
					return a.Key + "=" + v
				}
			}
		}
	}
}
