package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
	"trellis/markdown"

	"trellis"
	"trellis/web/svg"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// asset is one embedded static file, served under a content-hashed name.
type asset struct {
	name        string // app.css
	hashed      string // app.3f2a1c9d0b.css
	hash        string // 3f2a1c9d0b
	contentType string
	data        []byte
}

type assets struct {
	byName   map[string]*asset
	byHashed map[string]*asset
}

// loadAssets hashes every embedded static file.
func loadAssets() *assets {
	a := &assets{byName: map[string]*asset{}, byHashed: map[string]*asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(data)
		ext := path.Ext(name)
		hash := hex.EncodeToString(sum[:])[:10]
		x := &asset{
			name:        name,
			hash:        hash,
			hashed:      strings.TrimSuffix(name, ext) + "." + hash + ext,
			contentType: mime.TypeByExtension(ext),
			data:        data,
		}
		if x.contentType == "" {
			x.contentType = "application/octet-stream"
		}
		a.byName[name] = x
		a.byHashed[x.hashed] = x
		return nil
	})
	if err != nil {
		panic(fmt.Sprintf("web: static files: %v", err))
	}
	return a
}

// url returns the content-hashed URL of a static file.
func (a *assets) url(name string) (string, error) {
	x, ok := a.byName[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return "/static/" + x.hashed, nil
}

// page is what every template gets: the layout's fields and the page's data.
type page struct {
	Title       string // shown in <title> and as the page heading's fallback
	Nav         string // active navigation item: frameworks, matrix, graph, import
	FrameworkID string // framework the navigation links to, if any
	AppVersion  string
	Data        any

	// Set by render from the request: who is signed in, and which of the
	// navigation's links the policy lets them use.
	Me  *trellis.Person
	Can navLinks
}

// navLinks says which links of the layout the signed-in person may follow.
type navLinks struct {
	Import   bool // import a framework (admins)
	Activate bool // make a framework version the active one (admins)
	Audit    bool // the audit log (admins, people partners)
	Tokens   bool // their own API tokens
	Growth   bool // their journal, plan and readiness (when the server has them)
	Team     bool // their team page (people report to them)
	// Reviews: the queue of peer-manager reviews (managers and directors).
	Reviews bool
	// Promotions: documents, cycles and the library; the inbox with its
	// unread count; projections for managers, calibration for leadership.
	Promotions  bool
	Inbox       bool
	Unread      int
	Calibration bool

	Deliveries bool // e-mails and webhook posts that failed (admins)
}

// headView is the data of the "fwhead" template: the heading and tabs of
// every framework page.
type headView struct {
	H       frameworkHeader
	Tab     string
	Heading string
}

type movesView struct {
	Moves  []move
	FW     string
	Pinned string
}

// templateFuncs are available in every template.
func (s *Server) templateFuncs() template.FuncMap {
	return template.FuncMap{
		"asset": s.assets.url,
		"fwURL": frameworkURL,
		"roleURL": func(fwID, roleID, version string) string {
			return withVersion("/frameworks/"+url.PathEscape(fwID)+"/roles/"+url.PathEscape(roleID), version)
		},
		"kindLabel": func(kind string) string { return svg.StyleOf(kind).Label },
		"kindClass": func(kind string) string { return "kind-" + trellis.Slug(kind) },
		"add":       func(a, b int) int { return a + b },
		"md":        markdown.HTML,
		"trackName": trackName,
		"movesOf": func(moves []move, fwID, pinned string) movesView {
			return movesView{Moves: moves, FW: fwID, Pinned: pinned}
		},
		"head": func(h frameworkHeader, tab, heading string) headView {
			return headView{H: h, Tab: tab, Heading: heading}
		},
	}
}

// frameworkURL returns the URL of a framework page ("matrix", "graph",
// "diff", "export", ...), pinned to version when one is given.
func frameworkURL(fwID, page, version string) string {
	return withVersion("/frameworks/"+url.PathEscape(fwID)+"/"+page, version)
}

func withVersion(u, version string) string {
	if version == "" {
		return u
	}
	return u + "?version=" + url.QueryEscape(version)
}

// parseTemplates parses the layout once per page so that each page defines
// its own "title" and "content".
func (s *Server) parseTemplates() (map[string]*template.Template, error) {
	base, err := template.New("layout").Funcs(s.templateFuncs()).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, f)
		if err != nil {
			return nil, err
		}
		pages[name] = t
	}
	return pages, nil
}

// render executes a page into a buffer, then writes it with status; a
// template failure becomes a logged 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.AppVersion = s.version
	if actor := s.actor(r); actor.Person != nil {
		p.Me = actor.Person
		p.Can = navLinks{
			Import:   s.can(r, trellis.ActionCreate, trellis.Target{Kind: trellis.KindFramework}),
			Activate: s.can(r, trellis.ActionActivate, trellis.Target{Kind: trellis.KindFramework}),
			Audit:    s.can(r, trellis.ActionRead, trellis.Target{Kind: trellis.KindAuditLog}),
			Tokens:   s.can(r, trellis.ActionRead, trellis.Target{Kind: trellis.KindToken, Owner: actor.Person, OwnerChain: actor.Chain}),
			Growth:   s.evidence != nil && s.growth != nil && s.readiness != nil,
			Team:     actor.HasReports,
			Reviews:  actor.HasReports || actor.Person.Access == trellis.AccessDirector,

			Promotions:  s.documents != nil && s.cycles != nil,
			Inbox:       s.notifications != nil,
			Calibration: s.cycles != nil && s.can(r, trellis.ActionRead, trellis.Target{Kind: trellis.KindCalibration}),

			Deliveries: s.deliveries != nil && s.can(r, trellis.ActionRead, trellis.Target{Kind: trellis.KindAdmin}),
		}
	}
	if p.Can.Inbox {
		p.Can.Unread = s.unreadCount(r.Context(), p.Me.ID)
	}
	t, ok := s.pages[name]
	var buf bytes.Buffer
	if !ok {
		s.logger.Error("no such template", "template", name)
		http.Error(w, "Something went wrong on our side.", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		s.logger.Error("rendering template", "template", name, "err", err, "path", r.URL.Path)
		if name != "error" {
			s.render(w, r, http.StatusInternalServerError, "error", page{Title: "Something went wrong", Data: errorView{
				Status: 500, Heading: "Something went wrong", Message: trellis.ErrorMessage(err)}})
			return
		}
		http.Error(w, "Something went wrong on our side.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if w.Header().Get("Cache-Control") == "" { // a handler may ask for no-store
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// serveStatic serves an embedded file under its hashed name, cached for a
// year; any other name is a 404.
func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) {
	x, ok := s.assets.byHashed[r.PathValue("file")]
	if !ok {
		s.fail(w, r, trellis.Errorf(trellis.ENOTFOUND, "There is no file %q here.", r.PathValue("file")))
		return
	}
	w.Header().Set("Content-Type", x.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("ETag", `"`+x.hash+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(x.data))
}
