package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
)

// errPanic stands for a recovered panic; users see the plain internal message.
var errPanic = errors.New("panic while serving the request")

// contentSecurityPolicy allows only our own stylesheet, images and (later)
// scripts: no inline script, no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		next.ServeHTTP(w, r)
	})
}

// statusRecorder remembers what a handler wrote, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// requestInfo is what the request log and metrics learn about a request
// as it is served: the outermost middleware makes it, the route wrapper in
// routes.go fills in the route and the signed-in person.
type requestInfo struct {
	id       string
	route    string // route name from the registry; "" until a route matched
	path     string // the path with secrets (reset tokens) masked
	personID int64  // the signed-in person, 0 for none
}

type requestInfoKey struct{}

// infoOf returns the request's info; nil outside the middleware (tests
// calling handlers directly).
func infoOf(r *http.Request) *requestInfo {
	info, _ := r.Context().Value(requestInfoKey{}).(*requestInfo)
	return info
}

// RequestID returns the id of the request ctx belongs to, "" outside one.
// Every response carries it in X-Request-Id, every log line of the request
// names it, and error pages show it for people to quote.
func RequestID(ctx context.Context) string {
	if info, _ := ctx.Value(requestInfoKey{}).(*requestInfo); info != nil {
		return info.id
	}
	return ""
}

// HeaderRequestID is the response header that carries the request id.
const HeaderRequestID = "X-Request-Id"

// newRequestID returns 16 random hex digits.
func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// validRequestID accepts the ids a proxy may pass on: short, and only
// characters that cannot forge log lines or headers.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// routeLabel names the route of a finished request for logs and metrics:
// the registry's name, never the raw path, so metrics keep one series per
// route. A request refused before its route ran (a bad API token) is looked
// up in the mux.
func (s *Server) routeLabel(r *http.Request, info *requestInfo) string {
	if info.route != "" {
		return info.route
	}
	if _, pattern := s.mux.Handler(r); pattern != "" {
		if name, ok := s.routeNames[pattern]; ok {
			return name
		}
	}
	return "unmatched"
}

// tagRoute wraps a route's handler to tell the request log and metrics
// which route serves the request and who is signed in. A reset link's token
// in the path is masked for the log.
func (s *Server) tagRoute(name, pattern string, next http.Handler) http.Handler {
	secret := strings.Contains(pattern, "{token}")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info := infoOf(r); info != nil {
			info.route = name
			if p := s.actor(r).Person; p != nil {
				info.personID = p.ID
			}
			if secret {
				info.path = strings.Replace(r.URL.Path, r.PathValue("token"), "xxxxx", 1)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// opsPath reports whether path is one of the operations routes, which
// neither load a session nor touch the database on their way in.
func opsPath(path string) bool {
	return path == "/healthz" || path == "/readyz" || path == "/metrics"
}

// logRequests gives every request an id (echoed in X-Request-Id; one a
// trusted proxy sent is kept), counts it in the metrics and logs one line
// when it ends: route name, method, path (secrets masked), status, bytes,
// duration, request id and the signed-in person. Headers, cookies, query
// strings and bodies are never logged: they carry tokens and passwords.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{path: r.URL.Path}
		if id := r.Header.Get(HeaderRequestID); s.trustProxy && validRequestID(id) {
			info.id = id
		} else {
			info.id = newRequestID()
		}
		w.Header().Set(HeaderRequestID, info.id)
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info))
		if s.metrics != nil {
			s.metrics.inFlight.Inc()
			defer s.metrics.inFlight.Dec()
		}
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		elapsed := time.Since(start)
		route := s.routeLabel(r, info)
		if s.metrics != nil {
			s.metrics.observe(route, status, elapsed)
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		attrs := []slog.Attr{
			slog.String("route", route),
			slog.String("method", r.Method),
			slog.String("path", info.path),
			slog.Int("status", status),
			slog.Int64("bytes", rec.bytes),
			slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
			slog.String("remote", r.RemoteAddr),
		}
		if info.personID != 0 {
			attrs = append(attrs, slog.Int64("person_id", info.personID))
		}
		s.logger.LogAttrs(r.Context(), level, "request", attrs...)
	})
}

// requestIDHandler adds the request id to every log record made with a
// request's context, so a handler's own warnings line up with the request
// line.
type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, rec slog.Record) error {
	if id := RequestID(ctx); id != "" {
		rec.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, rec)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// recoverPanics turns a panicking handler into a logged internal error and a
// plain error page or JSON error; no stack reaches the user.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			path := r.URL.Path
			if info := infoOf(r); info != nil {
				path = info.path
			}
			s.logger.ErrorContext(r.Context(), "panic serving request", "method", r.Method, "path", path,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			// The handler may have written already; then the response is cut short.
			if rec, ok := w.(*statusRecorder); ok && rec.status != 0 {
				return
			}
			s.writeError(w, r, errPanic)
		}()
		next.ServeHTTP(w, r)
	})
}

// isAPI reports whether a request is for the JSON API.
func isAPI(r *http.Request) bool {
	return r.URL.Path == "/api" || strings.HasPrefix(r.URL.Path, "/api/")
}
