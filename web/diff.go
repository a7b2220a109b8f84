package web

import (
	"encoding/json"
	"net/http"
	"reflect"

	"trellis"
	"trellis/framework"
)

// diffSections names the sections of a diff, in file-format order.
var diffSections = []struct{ ID, Title string }{
	{"framework", "Framework"},
	{"values", "Values"},
	{"areas", "Areas"},
	{"competencies", "Competencies"},
	{"tracks", "Tracks"},
	{"roles", "Roles"},
	{"expectations", "Expectations"},
	{"transitions", "Moves between roles"},
	{"activities", "Activities"},
	{"resources", "Resources"},
	{"templates", "Promotion templates"},
	{"considerations", "Considerations"},
}

type diffChange struct {
	framework.Change
	Label string // the item's name or title, if it has one
	Item  string // the whole added or removed item, indented JSON
}

type diffSection struct {
	ID, Title string
	Added     int
	Removed   int
	Changed   int
	Changes   []diffChange
}

type diffView struct {
	ID       string
	Name     string
	Versions []trellis.FrameworkVersion
	From, To string
	Compared bool
	Same     bool
	Total    int
	Sections []diffSection
}

// compare loads two versions of a framework and diffs them; a missing
// version is a not found error that lists the versions there are.
func (s *Server) compare(r *http.Request, id, from, to string) (*framework.Changes, error) {
	a, _, err := s.frameworks.FindFramework(r.Context(), trellis.Ref{ID: id, Version: from})
	if err != nil {
		return nil, err
	}
	b, _, err := s.frameworks.FindFramework(r.Context(), trellis.Ref{ID: id, Version: to})
	if err != nil {
		return nil, err
	}
	return framework.Diff(a, b), nil
}

func (s *Server) diffPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	all, err := s.frameworks.ListFrameworks(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := diffView{ID: id, From: r.URL.Query().Get("from"), To: r.URL.Query().Get("to")}
	var others []link
	for _, g := range groupVersions(all) {
		others = append(others, link{g.Name + " (" + g.ID + ")", frameworkURL(g.ID, "diff", "")})
		if g.ID == id {
			v.Versions, v.Name = g.Versions, g.Name
		}
	}
	if len(v.Versions) == 0 {
		s.fail(w, r, withHint(trellis.Errorf(trellis.ENOTFOUND, "There is no framework %q.", id), "Frameworks", others))
		return
	}
	versionLinks := func() []link {
		var l []link
		for _, x := range v.Versions {
			l = append(l, link{x.Version, frameworkURL(id, "matrix", x.Version)})
		}
		return l
	}
	for _, q := range []string{v.From, v.To} {
		if q == "" {
			continue
		}
		found := false
		for _, x := range v.Versions {
			found = found || x.Version == q
		}
		if !found {
			s.fail(w, r, withHint(trellis.Errorf(trellis.ENOTFOUND, "%s has no version %q.", v.Name, q), "Versions of "+id, versionLinks()))
			return
		}
	}
	if v.From == "" || v.To == "" {
		// Suggest the version before the active one against the active one.
		for i, x := range v.Versions {
			if x.Active {
				if v.To == "" {
					v.To = x.Version
				}
				if v.From == "" && i > 0 {
					v.From = v.Versions[i-1].Version
				}
			}
		}
		if v.From == "" {
			v.From = v.Versions[0].Version
		}
		s.render(w, r, http.StatusOK, "diff", page{Title: "Compare versions · " + v.Name, Nav: "frameworks", FrameworkID: id, Data: v})
		return
	}
	changes, err := s.compare(r, id, v.From, v.To)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Compared, v.Same, v.Total = true, changes.Empty(), len(changes.Changes)
	for _, sec := range diffSections {
		ds := diffSection{ID: sec.ID, Title: sec.Title}
		for _, c := range changes.Changes {
			if c.Section != sec.ID {
				continue
			}
			dc := diffChange{Change: c}
			switch c.Op {
			case framework.Added:
				ds.Added++
				dc.Label, dc.Item = itemLabel(c.After), itemJSON(c.After)
			case framework.Removed:
				ds.Removed++
				dc.Label, dc.Item = itemLabel(c.Before), itemJSON(c.Before)
			default:
				ds.Changed++
			}
			ds.Changes = append(ds.Changes, dc)
		}
		if len(ds.Changes) > 0 {
			v.Sections = append(v.Sections, ds)
		}
	}
	s.render(w, r, http.StatusOK, "diff", page{Title: "Compare versions · " + v.Name, Nav: "frameworks", FrameworkID: id, Data: v})
}

// itemLabel returns an item's Name or Title.
func itemLabel(x any) string {
	v := reflect.ValueOf(x)
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	for _, name := range []string{"Name", "Title", "Text"} {
		if f := v.FieldByName(name); f.IsValid() && f.Kind() == reflect.String && f.String() != "" {
			return f.String()
		}
	}
	return ""
}

func itemJSON(x any) string {
	if x == nil {
		return ""
	}
	b, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		return ""
	}
	return string(b)
}

func (s *Server) apiDiff(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var missing []trellis.FieldError
	for _, p := range []string{"from", "to"} {
		if q.Get(p) == "" {
			missing = append(missing, trellis.FieldError{Field: p, Message: "is required: a version of the framework"})
		}
	}
	if len(missing) > 0 {
		s.fail(w, r, &trellis.Error{Code: trellis.EINVALID, Message: "Name the two versions to compare with ?from=V1&to=V2.", Details: missing})
		return
	}
	changes, err := s.compare(r, r.PathValue("id"), q.Get("from"), q.Get("to"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, changes)
}
