// Package apitest checks JSON API traffic against the OpenAPI document the
// server publishes. Tests of any package call Check (or use Do) on every API
// response they see, so the document and the handlers cannot drift apart.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Validator holds a loaded OpenAPI document and its router.
type Validator struct {
	Doc    *openapi3.T
	router routers.Router
}

var (
	cacheMu sync.Mutex
	cache   = map[string]*Validator{}
)

// New loads and validates an OpenAPI document; it fails the test when the
// document itself is not valid. Validators are cached per document.
func New(t testing.TB, document []byte) *Validator {
	t.Helper()
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if v, ok := cache[string(document)]; ok {
		return v
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(document)
	if err != nil {
		t.Fatalf("apitest: loading the OpenAPI document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("apitest: the OpenAPI document is not valid: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("apitest: routing the OpenAPI document: %v", err)
	}
	v := &Validator{Doc: doc, router: router}
	cache[string(document)] = v
	return v
}

// Check validates one response to req against the document: the route and
// method must be described, the status must be one the operation lists, and
// headers and body must match its schema. Responses to paths the document
// does not describe (the JSON 404 of unknown API routes) must still carry
// the Error schema.
func (v *Validator) Check(t testing.TB, req *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		if status == http.StatusNotFound || status == http.StatusMethodNotAllowed {
			v.CheckSchema(t, "Error", body)
			return
		}
		t.Errorf("apitest: %s %s answered %d but the OpenAPI document has no such operation: %v", req.Method, req.URL, status, err)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: params,
			Route:      route,
			Options:    &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status: status,
		Header: header,
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            true,
		},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
		t.Errorf("apitest: %s %s -> %d does not match the OpenAPI document: %v\nbody: %s", req.Method, req.URL, status, err, clip(body))
	}
}

// CheckSchema validates a JSON body against a named component schema.
func (v *Validator) CheckSchema(t testing.TB, name string, body []byte) {
	t.Helper()
	ref, ok := v.Doc.Components.Schemas[name]
	if !ok || ref.Value == nil {
		t.Fatalf("apitest: no schema %q", name)
	}
	var x any
	if err := json.Unmarshal(body, &x); err != nil {
		t.Errorf("apitest: body is not JSON: %v\n%s", err, clip(body))
		return
	}
	if err := ref.Value.VisitJSON(x, openapi3.MultiErrors()); err != nil {
		t.Errorf("apitest: body does not match schema %s: %v\n%s", name, err, clip(body))
	}
}

// Response is a recorded response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("apitest: decoding %s: %v", clip(r.Body), err)
	}
}

// Do serves req with h and, for /api/ paths, checks the response against
// the document.
func (v *Validator) Do(t testing.TB, h http.Handler, req *http.Request) *Response {
	t.Helper()
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := &Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	if strings.HasPrefix(req.URL.Path, "/api/") {
		check := req.Clone(req.Context())
		check.Body = io.NopCloser(bytes.NewReader(reqBody))
		v.Check(t, check, res.Status, res.Header, res.Body)
	}
	return res
}

func clip(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}
