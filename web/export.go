package web

import (
	"bytes"
	"context"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"trellis"
)

// Export of a promotion document: Markdown, a standalone print-ready HTML
// page (inline CSS from an embedded file, no script), and PDF printed by
// headless Chromium from that same HTML where Chromium is installed. The
// three carry the same content. Every export is audited.

//go:embed templates/export
var exportFS embed.FS

var (
	exportTemplate = template.Must(template.New("document.html").Funcs(template.FuncMap{
		"emptyText": func() string { return exportEmpty },
	}).ParseFS(exportFS, "templates/export/document.html"))
	exportCSS = func() template.CSS {
		b, err := exportFS.ReadFile("templates/export/print.css")
		if err != nil {
			panic(err)
		}
		return template.CSS(b) // our own embedded file
	}()
)

// exportEmpty stands in for a section nobody has written.
const exportEmpty = "Not written yet."

// exportDoc is the content of an export, whatever the format.
type exportDoc struct {
	Title    string
	Meta     string
	Sections []exportSection
	Footer   string
	CSS      template.CSS
}

type exportSection struct {
	Title string
	Text  string
	HTML  template.HTML
	Empty bool
}

func (s *Server) exportContent(ctx context.Context, dc *docCtx) exportDoc {
	e := exportDoc{Title: dc.D.Title, CSS: exportCSS,
		Meta: fmt.Sprintf("Candidate: %s · Target role: %s · State: %s · Framework: %s %s", dc.P.Name, dc.roleName(), stateLabel(dc.D.State),
			dc.FW.Name, dc.D.FrameworkVersion),
		Footer: "Exported from Trellis on " + s.now().UTC().Format("2 January 2006") + "."}
	for _, sv := range s.sectionViews(dc, nil, nil) {
		e.Sections = append(e.Sections, exportSection{Title: sv.Title, Text: strings.TrimSpace(sv.Text), HTML: sv.HTML, Empty: sv.Empty})
	}
	return e
}

// mdEscaper escapes the characters that mean something in Markdown inline
// text, for the title and names.
var mdEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`, "#", `\#`, "|", `\|`, "!", `\!`)

func (e exportDoc) markdown() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n\n%s\n", mdEscaper.Replace(e.Title), mdEscaper.Replace(e.Meta))
	for _, sec := range e.Sections {
		fmt.Fprintf(&b, "\n## %s\n\n", mdEscaper.Replace(sec.Title))
		if sec.Empty {
			fmt.Fprintf(&b, "%s\n", exportEmpty)
		} else {
			b.WriteString(sec.Text)
			b.WriteString("\n")
		}
	}
	fmt.Fprintf(&b, "\n---\n\n%s\n", mdEscaper.Replace(e.Footer))
	return b.Bytes()
}

func (e exportDoc) html() ([]byte, error) {
	var b bytes.Buffer
	if err := exportTemplate.Execute(&b, e); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// chromiumPath finds Chromium as the browser tests do.
func chromiumPath() string {
	for _, p := range []string{os.Getenv("TRELLIS_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	return ""
}

// pdfSlots bounds the browsers printing at once: each is a Chromium.
var pdfSlots = make(chan struct{}, 2)

var errNoChromium = trellis.Errorf(trellis.EUNAVAILABLE,
	"PDF export needs Chromium on the server, and it is not installed. Download the print-ready HTML (format=html) and print it to PDF from a browser, or ask the operator to install the chromium package.")

// printPDF prints a standalone HTML page to PDF with headless Chromium.
func printPDF(ctx context.Context, page []byte) ([]byte, error) {
	path := chromiumPath()
	if path == "" {
		return nil, errNoChromium
	}
	select {
	case pdfSlots <- struct{}{}:
		defer func() { <-pdfSlots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	dir, err := os.MkdirTemp("", "trellis-pdf-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(dir), chromedp.Flag("disable-component-update", true))
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 45*time.Second)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	if err := chromedp.Do(bctx, chromedp.Navigate("data:text/html;base64,"+base64.StdEncoding.EncodeToString(page))); err != nil {
		return nil, trellis.Errorf(trellis.EUNAVAILABLE, "Chromium could not open the document to print it: %v", err)
	}
	pdf, err := chromedp.Run(bctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPrintBackground(), chromedp.PDFPreferCSSPageSize()))
	if err != nil {
		return nil, trellis.Errorf(trellis.EUNAVAILABLE, "Chromium could not print the document: %v", err)
	}
	return pdf, nil
}

func (s *Server) exportDocument(w http.ResponseWriter, r *http.Request) {
	dc, err := s.loadDocument(r, trellis.ActionExport)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "md"
	}
	e := s.exportContent(r.Context(), dc)
	var body []byte
	var ctype, ext string
	switch format {
	case "md", "markdown":
		format, body, ctype, ext = "md", e.markdown(), "text/markdown; charset=utf-8", "md"
	case "html":
		body, err = e.html()
		ctype, ext = "text/html; charset=utf-8", "html"
	case "pdf":
		var page []byte
		page, err = e.html()
		if err == nil {
			body, err = printPDF(r.Context(), page)
		}
		ctype, ext = "application/pdf", "pdf"
	default:
		s.fail(w, r, &trellis.Error{Code: trellis.EINVALID, Message: fmt.Sprintf("%q is not an export format; use md, html or pdf.", format),
			Details: []trellis.FieldError{{Field: "format", Message: "one of md, html, pdf"}}})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r.Context(), r, &trellis.AuditEvent{Action: trellis.AuditExport, TargetType: trellis.AuditTargetDocument,
		TargetID: fmt.Sprint(dc.D.ID), After: map[string]any{"format": format}})
	name := trellis.Slug(dc.D.Title)
	if name == "" {
		name = "promotion-document"
	}
	// The print view opens in the browser, ready to print; the other
	// formats are files to keep.
	disposition := "attachment"
	if format == "html" {
		disposition = "inline"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`%s; filename="%s.%s"`, disposition, name, ext))
	w.Header().Set("Cache-Control", "no-store")
	if format == "html" {
		// The page is standalone and runs nothing.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:")
	}
	w.Write(body)
}
