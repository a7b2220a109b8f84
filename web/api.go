package web

import (
	_ "embed"
	"encoding/base64"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"trellis"
	"trellis/framework"
)

//go:embed openapi.json
var openAPIDocument []byte

// OpenAPI returns the API description served at /api/v1/openapi.json.
func OpenAPI() []byte { return append([]byte(nil), openAPIDocument...) }

func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(openAPIDocument)
}

// Lists.

const (
	defaultLimit = 50
	maxLimit     = 200
)

// listPage is the envelope of every list the API returns.
type listPage[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// page cuts a list after the item the cursor names. keyOf gives each item's
// stable key; cursors are opaque to clients.
func paginate[T any](r *http.Request, items []T, keyOf func(T) string) (listPage[T], error) {
	q := r.URL.Query()
	limit := defaultLimit
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxLimit {
			return listPage[T]{}, &trellis.Error{Code: trellis.EINVALID,
				Message: "limit must be a whole number from 1 to " + strconv.Itoa(maxLimit) + ".",
				Details: []trellis.FieldError{{Field: "limit", Message: "must be a whole number from 1 to " + strconv.Itoa(maxLimit)}}}
		}
		limit = n
	}
	start := 0
	if c := q.Get("cursor"); c != "" {
		key, err := base64.RawURLEncoding.DecodeString(c)
		found := false
		if err == nil {
			for i, it := range items {
				if keyOf(it) == string(key) {
					start, found = i+1, true
					break
				}
			}
		}
		if !found {
			return listPage[T]{}, &trellis.Error{Code: trellis.EINVALID,
				Message: "The cursor is not valid; start again without one.",
				Details: []trellis.FieldError{{Field: "cursor", Message: "not a cursor this list returned"}}}
		}
	}
	end := min(start+limit, len(items))
	p := listPage[T]{Items: items[start:end]}
	if p.Items == nil {
		p.Items = []T{}
	}
	if end < len(items) {
		p.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(keyOf(items[end-1])))
	}
	return p, nil
}

func (s *Server) apiListFrameworks(w http.ResponseWriter, r *http.Request) {
	versions, err := s.frameworks.ListFrameworks(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := paginate(r, versions, func(v trellis.FrameworkVersion) string {
		return trellis.Ref{ID: v.ID, Version: v.Version}.String()
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// formatOf maps a request's Content-Type to a framework file format.
func formatOf(contentType string) (string, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if contentType == "" || err != nil {
		mt = ""
	}
	switch mt {
	case "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "application/json":
		return framework.FormatNative, nil
	case "text/markdown", "text/x-markdown":
		return framework.FormatMarkdown, nil
	case "text/csv":
		return framework.FormatCSV, nil
	}
	return "", &trellis.Error{Code: trellis.EINVALID,
		Message: "Send the framework file with Content-Type application/yaml, application/json, text/markdown or text/csv.",
		Details: []trellis.FieldError{{Field: "Content-Type", Message: "is " + strconv.Quote(contentType) + "; use application/yaml, application/json, text/markdown or text/csv"}}}
}

func (s *Server) apiImportFramework(w http.ResponseWriter, r *http.Request) {
	format, err := formatOf(r.Header.Get("Content-Type"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	activate := false
	if a := q.Get("activate"); a != "" {
		activate, err = strconv.ParseBool(a)
		if err != nil {
			s.fail(w, r, &trellis.Error{Code: trellis.EINVALID, Message: "activate must be true or false.",
				Details: []trellis.FieldError{{Field: "activate", Message: "must be true or false"}}})
			return
		}
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := "request body"
	if id := q.Get("id"); id != "" {
		name = id
	}
	fw, err := framework.Read(name, data, framework.ReadOptions{Format: format, ID: q.Get("id"), Name: q.Get("name"), Version: q.Get("version")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.frameworks.ImportFramework(r.Context(), fw, activate)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
		w.Header().Set("Location", "/api/v1/frameworks/"+url.PathEscape(res.Version.ID)+"/versions/"+url.PathEscape(res.Version.Version))
	}
	writeJSON(w, status, res)
}

// apiGetFramework returns a framework version in the trellis/v1 shape: the
// active one, or the {version} the path names.
func (s *Server) apiGetFramework(w http.ResponseWriter, r *http.Request) {
	ref := trellis.Ref{ID: r.PathValue("id"), Version: r.PathValue("version")}
	fw, ver, err := s.frameworks.FindFramework(r.Context(), ref)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", `"`+ver.Hash+`"`)
	w.Header().Set("X-Trellis-Framework-Version", ver.Version)
	if inm := r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, `"`+ver.Hash+`"`) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeJSON(w, http.StatusOK, fw)
}
