package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"trellis"
	"trellis/framework"
)

type apiError struct {
	Error struct {
		Code    string               `json:"code"`
		Message string               `json:"message"`
		Details []trellis.FieldError `json:"details"`
	} `json:"error"`
}

func TestAPIFrameworks(t *testing.T) {
	e := newEnv(t)
	native, err := framework.Export(nextVersion(t, "2026.2"))
	if err != nil {
		t.Fatal(err)
	}
	asJSON, _ := json.Marshal(nextVersion(t, "2026.3"))
	changed := strings.Replace(string(native), "A changed summary.", "Another summary.", 1)
	markdown := "---\ntitle: Data Engineering\nlevels: 2\ntopics:\n  - name: sql\n    title: SQL\n    content:\n      - level: 1\n        criteria: [Writes queries]\n      - level: 2\n        criteria: [Designs schemas]\n---\nHow data engineers grow.\n"
	csv := "area,competency,description,role,grade,expectation\nTechnical,Troubleshooting,Finding causes,Analyst,1,Follows runbooks\n"

	cases := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        string
		status      int
		code        string   // error code, for errors
		want        []string // substrings of the body
	}{
		{"list", "GET", "/api/v1/frameworks", "", "", 200, "", []string{`"id":"support"`, `"version":"2026.1"`, `"active":true`, `"next_cursor":""`}},
		{"import yaml", "POST", "/api/v1/frameworks", "application/yaml", string(native), 201, "", []string{`"created":true`, `"activated":false`, `"version":"2026.2"`}},
		{"import same again", "POST", "/api/v1/frameworks", "application/yaml", string(native), 200, "", []string{`"created":false`}},
		{"import changed content", "POST", "/api/v1/frameworks", "application/yaml", changed, 409, trellis.ECONFLICT, nil},
		{"import json activate", "POST", "/api/v1/frameworks?activate=true", "application/json", string(asJSON), 201, "", []string{`"activated":true`, `"version":"2026.3"`}},
		{"import markdown", "POST", "/api/v1/frameworks?id=data&version=2", "text/markdown", markdown, 201, "", []string{`"id":"data"`, `"version":"2"`, `"roles":2`}},
		{"import csv", "POST", "/api/v1/frameworks?id=analysts&name=Analysts", "text/csv; charset=utf-8", csv, 201, "", []string{`"id":"analysts"`, `"version":"1"`}},
		{"import invalid", "POST", "/api/v1/frameworks", "application/yaml", badYAML, 400, trellis.EINVALID, []string{`"field":"9:`, `"field":"17:`, "trubleshooting"}},
		{"import wrong type", "POST", "/api/v1/frameworks", "text/plain", "x", 400, trellis.EINVALID, []string{`"field":"Content-Type"`}},
		{"import bad activate", "POST", "/api/v1/frameworks?activate=maybe", "application/yaml", string(native), 400, trellis.EINVALID, []string{`"field":"activate"`}},
		{"get active", "GET", "/api/v1/frameworks/support", "", "", 200, "", []string{`"apiVersion":"trellis/v1"`, `"version":"2026.3"`, `"roles":[`}},
		{"get version", "GET", "/api/v1/frameworks/support/versions/2026.1", "", "", 200, "", []string{`"version":"2026.1"`}},
		{"get unknown", "GET", "/api/v1/frameworks/nope", "", "", 404, trellis.ENOTFOUND, []string{"support"}},
		{"get unknown version", "GET", "/api/v1/frameworks/support/versions/1999", "", "", 404, trellis.ENOTFOUND, []string{"2026.1"}},
		{"diff", "GET", "/api/v1/frameworks/support/diff?from=2026.1&to=2026.2", "", "", 200, "", []string{`"from":"support@2026.1"`, `"to":"support@2026.2"`, `"op":"added"`, `"key":"handbook-first"`}},
		{"diff same", "GET", "/api/v1/frameworks/support/diff?from=2026.1&to=2026.1", "", "", 200, "", []string{`"changes":[]`}},
		{"diff missing", "GET", "/api/v1/frameworks/support/diff?from=2026.1", "", "", 400, trellis.EINVALID, []string{`"field":"to"`}},
		{"diff unknown", "GET", "/api/v1/frameworks/support/diff?from=2026.1&to=0", "", "", 404, trellis.ENOTFOUND, nil},
		{"unknown route", "GET", "/api/v1/nothing-here", "", "", 404, trellis.ENOTFOUND, []string{"openapi.json"}},
		{"unknown api root", "GET", "/api/", "", "", 404, trellis.ENOTFOUND, nil},
		{"wrong method", "DELETE", "/api/v1/frameworks", "", "", 405, trellis.EINVALID, nil},
		{"bad limit", "GET", "/api/v1/frameworks?limit=0", "", "", 400, trellis.EINVALID, []string{`"field":"limit"`}},
		{"bad cursor", "GET", "/api/v1/frameworks?cursor=zzz", "", "", 400, trellis.EINVALID, []string{`"field":"cursor"`}},
		{"openapi", "GET", "/api/v1/openapi.json", "", "", 200, "", []string{`"openapi": "3.1.0"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := e.do(c.method, c.path, strings.NewReader(c.body), "Content-Type", c.contentType)
			body := string(res.Body)
			if res.Status != c.status {
				t.Fatalf("status %d, want %d\n%s", res.Status, c.status, body)
			}
			if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
				t.Errorf("content type %q", res.Header.Get("Content-Type"))
			}
			if c.code != "" {
				var ae apiError
				res.JSON(t, &ae)
				if ae.Error.Code != c.code || ae.Error.Message == "" {
					t.Errorf("error = %+v, want code %s", ae.Error, c.code)
				}
			}
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %s\n%s", w, body)
				}
			}
		})
	}
	// Three support versions, data and analysts: nothing invalid was stored.
	if n := len(e.versions()); n != 5 {
		t.Errorf("%d versions stored, want 5", n)
	}
}

func TestAPIPagination(t *testing.T) {
	e := newEnv(t)
	e.importFW(nextVersion(t, "2026.2"), false)
	e.importFW(nextVersion(t, "2026.3"), false)
	var got []string
	cursor := ""
	for range 5 {
		res := e.get("/api/v1/frameworks?limit=2&cursor=" + cursor)
		if res.Status != 200 {
			t.Fatalf("%d %s", res.Status, res.Body)
		}
		var page struct {
			Items      []trellis.FrameworkVersion `json:"items"`
			NextCursor string                     `json:"next_cursor"`
		}
		res.JSON(t, &page)
		if len(page.Items) > 2 {
			t.Fatalf("page of %d", len(page.Items))
		}
		for _, v := range page.Items {
			got = append(got, v.Version)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if strings.Join(got, ",") != "2026.1,2026.2,2026.3" {
		t.Errorf("pages gave %v", got)
	}
}

func TestAPIConditionalGet(t *testing.T) {
	e := newEnv(t)
	res := e.get("/api/v1/frameworks/support")
	etag := res.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if res := e.do("GET", "/api/v1/frameworks/support", nil, "If-None-Match", etag); res.Status != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", res.Status)
	}
}

func TestAPICrossOrigin(t *testing.T) {
	e := newEnv(t)
	native, _ := framework.Export(nextVersion(t, "2026.2"))
	res := e.do("POST", "/api/v1/frameworks", strings.NewReader(string(native)), "Content-Type", "application/yaml",
		"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if res.Status != http.StatusForbidden {
		t.Errorf("cross-origin import: %d", res.Status)
	}
	if n := len(e.versions()); n != 1 {
		t.Errorf("cross-origin import stored a version")
	}
}

// openAPIPattern turns a ServeMux pattern into an OpenAPI path.
var wildcard = regexp.MustCompile(`\{([a-z]+)(\.\.\.)?\}`)

func TestOpenAPICoversRoutes(t *testing.T) {
	e := newEnv(t)
	doc := e.api.Doc
	registered := map[string]bool{}
	for _, r := range e.srv.Routes() {
		if !r.API() || r.Method == "" {
			continue
		}
		path := wildcard.ReplaceAllString(r.Pattern, "{$1}")
		key := r.Method + " " + path
		registered[key] = true
		item := doc.Paths.Find(path)
		if item == nil || item.GetOperation(r.Method) == nil {
			t.Errorf("route %s (%s) is not in the OpenAPI document", key, r.Name)
		}
	}
	var documented []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	slices.Sort(documented)
	for _, key := range documented {
		if !registered[key] {
			t.Errorf("the OpenAPI document describes %s, which no route serves", key)
		}
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %s", doc.OpenAPI)
	}
}

// recordingTB captures failures so a test can assert that the validator
// rejects a response.
type recordingTB struct {
	testing.TB
	failed []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.failed = append(r.failed, format)
}
func (r *recordingTB) Fatalf(format string, args ...any) { r.Errorf(format, args...) }
func (r *recordingTB) Helper()                           {}

func TestOpenAPIValidatorCatchesDrift(t *testing.T) {
	e := newEnv(t)
	req := httptest.NewRequest("GET", "/api/v1/frameworks", nil)
	for _, c := range []struct {
		status int
		body   string
	}{
		{200, `{"items": [{"id": "support"}], "next_cursor": ""}`}, // item lacks fields
		{200, `{"items": []}`}, // no next_cursor
		{418, `{}`},            // undocumented status
		{400, `{"error": {"code": "bad", "message": "x", "details": []}}`}, // unknown code
	} {
		rec := &recordingTB{TB: t}
		h := http.Header{"Content-Type": {"application/json"}}
		e.api.Check(rec, req, c.status, h, []byte(c.body))
		if len(rec.failed) == 0 {
			t.Errorf("validator accepted %d %s", c.status, c.body)
		}
	}
}
