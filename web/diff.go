package web

import (
	"net/http"

	"trellis"
)

func (s *Server) diffPage(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, trellis.Errorf(trellis.EUNAVAILABLE, "Comparing versions is not available yet."))
}

func (s *Server) apiDiff(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, trellis.Errorf(trellis.EUNAVAILABLE, "Comparing versions is not available yet."))
}
