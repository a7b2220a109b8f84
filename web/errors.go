package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"trellis"
	"trellis/framework"
)

// statusOf is the one table from domain error codes to HTTP statuses.
var statusOf = map[string]int{
	trellis.EINVALID:      http.StatusBadRequest,
	trellis.EUNAUTHORIZED: http.StatusUnauthorized,
	trellis.EFORBIDDEN:    http.StatusForbidden,
	trellis.ENOTFOUND:     http.StatusNotFound,
	trellis.ECONFLICT:     http.StatusConflict,
	trellis.ERULE:         http.StatusUnprocessableEntity,
	trellis.EUNAVAILABLE:  http.StatusServiceUnavailable,
	trellis.EINTERNAL:     http.StatusInternalServerError,
	ETHROTTLED:            http.StatusTooManyRequests, // sign-in refused after repeated failures (signin.go)
}

// ErrorStatus returns the HTTP status for err's domain code.
func ErrorStatus(err error) int {
	if st, ok := statusOf[trellis.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// domainError unwraps the error types of other packages into the domain
// error they stand for.
func domainError(err error) error {
	var fe *framework.Errors
	if errors.As(err, &fe) {
		return fe.Domain()
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return trellis.Errorf(trellis.EINVALID, "The request body is larger than %d MiB, the most Trellis accepts.", mbe.Limit>>20)
	}
	return err
}

// link is a labelled URL shown on error pages ("did you mean").
type link struct {
	Label string
	URL   string
}

// hintError adds links to an error so that the error page can offer the
// things that do exist.
type hintError struct {
	err   error
	label string
	links []link
}

func (e *hintError) Error() string { return e.err.Error() }
func (e *hintError) Unwrap() error { return e.err }

func withHint(err error, label string, links []link) error {
	if err == nil {
		return nil
	}
	return &hintError{err: err, label: label, links: links}
}

// fail logs internal errors and writes the error response.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	err = domainError(err)
	if code := trellis.ErrorCode(err); code == trellis.EINTERNAL || code == trellis.EUNAVAILABLE {
		s.logger.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	s.writeError(w, r, err)
}

// errorBody is the JSON error envelope of the API.
type errorBody struct {
	Error errorObject `json:"error"`
}

type errorObject struct {
	Code    string               `json:"code"`
	Message string               `json:"message"`
	Details []trellis.FieldError `json:"details"`
}

// writeError writes err as a JSON error for API requests and as an error
// page in the layout otherwise.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	err = domainError(err)
	s.writeErrorStatus(w, r, ErrorStatus(err), err)
}

// writeErrorStatus is writeError with a status the code table does not give
// (405 for a method a route does not take).
func (s *Server) writeErrorStatus(w http.ResponseWriter, r *http.Request, status int, err error) {
	code := trellis.ErrorCode(err)
	if code == "" {
		code = trellis.EINTERNAL
	}
	details := trellis.ErrorDetails(err)
	if details == nil {
		details = []trellis.FieldError{}
	}
	if isAPI(r) {
		writeJSON(w, status, errorBody{Error: errorObject{Code: code, Message: trellis.ErrorMessage(err), Details: details}})
		return
	}
	v := errorView{Status: status, Heading: http.StatusText(status), Message: trellis.ErrorMessage(err), Details: details,
		RequestID: RequestID(r.Context())}
	switch status {
	case http.StatusNotFound:
		v.Heading = "Not found"
	case http.StatusBadRequest:
		v.Heading = "Something in the request is not right"
	case http.StatusInternalServerError:
		v.Heading = "Something went wrong"
	case http.StatusMethodNotAllowed:
		v.Heading = "Not possible here"
	}
	var h *hintError
	if errors.As(err, &h) {
		v.HintLabel, v.Hints = h.label, h.links
	}
	s.render(w, r, status, "error", page{Title: v.Heading, Data: v})
}

type errorView struct {
	Status    int
	Heading   string
	Message   string
	Details   []trellis.FieldError
	HintLabel string
	Hints     []link
	// RequestID names the request in the server's log; people quote it
	// when they report the error.
	RequestID string
}

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"The response could not be encoded.","details":[]}}`)
	}
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// A known length sends the body in one piece instead of in chunks.
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}
