package web

import (
	"context"
	"net/http"

	"trellis"
)

// Health tells whether the server can do its work (sqlstore.DB does): the
// database answers and carries every migration this build knows.
type Health interface {
	Ready(ctx context.Context) error
}

// healthz answers 200 "ok" while the process serves HTTP at all. It touches
// nothing else, so a load balancer or orchestrator restarts only a process
// that is truly stuck, never one whose database is briefly away.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writePlain(w, http.StatusOK, "ok\n")
}

// readyz answers 200 "ready" when the database answers and its migrations
// are current, else 503 with the reason, so a load balancer sends no traffic
// to a node that cannot serve it. The driver's own words (which may name
// hosts) go to the log, not to the anonymous caller.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.health == nil {
		writePlain(w, http.StatusOK, "ready\n")
		return
	}
	if err := s.health.Ready(r.Context()); err != nil {
		s.logger.WarnContext(r.Context(), "not ready", "reason", trellis.ErrorMessage(err), "details", trellis.ErrorDetails(err))
		writePlain(w, http.StatusServiceUnavailable, "not ready: "+trellis.ErrorMessage(err)+"\n")
		return
	}
	writePlain(w, http.StatusOK, "ready\n")
}

// writePlain writes a short plain-text answer that no cache keeps.
func writePlain(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write([]byte(body))
}
