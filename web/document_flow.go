package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"trellis"
	"trellis/markdown"
)

// The workflow on pages: the moves the viewer may make from the document's
// state, the submit that shows the checks first, and the checks beside the
// editor. The rules are the domain's (trellis.Moves, trellis.CheckMove);
// the store applies a move with its audit and notifications.

type findingView struct {
	Check, Section, SectionTitle, Sentence, Message string
	Error                                           bool
}

// rels are the viewer's relations to the candidate.
func (s *Server) rels(r *http.Request, dc *docCtx) []trellis.Relation {
	return trellis.Relations(s.actor(r), dc.P, dc.T.OwnerChain)
}

// movesFor lists the moves the viewer may make now (the guards are checked
// when the move is made). Decisions on nominations in a cycle are taken on
// the cycle's calibration page, side by side, so they are buttons here only
// for nominations out of cycle.
func (s *Server) movesFor(r *http.Request, dc *docCtx) []moveButton {
	if s.actor(r).ReadOnly {
		return nil
	}
	var out []moveButton
	for _, m := range trellis.MovesFor(dc.D, s.rels(r, dc)) {
		if isDecision(m.To) && !dc.D.OutOfCycle {
			continue
		}
		out = append(out, moveButton{To: m.To, Label: capitalise(m.Name), Danger: m.To == trellis.DocWithdrawn, Note: m.NoteRequired})
	}
	return out
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// moveContext is what the guards of a move look at besides the document.
func (s *Server) moveContext(r *http.Request, dc *docCtx, opts trellis.MoveOptions) (trellis.MoveContext, error) {
	ctx := r.Context()
	mc := trellis.MoveContext{Now: s.now(), Note: opts.Note, Framework: dc.FW, ReviewDue: opts.ReviewDue}
	if dc.D.CycleID != nil && s.cycles != nil {
		c, err := s.cycles.FindCycle(ctx, *dc.D.CycleID)
		if err != nil && trellis.ErrorCode(err) != trellis.ENOTFOUND {
			return mc, err
		}
		mc.Cycle = c
	}
	fb, err := s.documents.ListFeedback(ctx, dc.D.ID)
	if err != nil {
		return mc, err
	}
	mc.Feedback = fb
	return mc, nil
}

// checkMove asks the workflow whether the viewer may move the document to
// state to now: ECONFLICT when the move does not exist from its state,
// EFORBIDDEN when not by this viewer, ERULE when a guard fails.
func (s *Server) checkMove(r *http.Request, dc *docCtx, d *trellis.Document, to, note string) error {
	return s.checkMoveWith(r, dc, d, to, trellis.MoveOptions{Note: note})
}

// checkMoveWith is checkMove with the options of the move (a chosen
// comments-due day is checked too).
func (s *Server) checkMoveWith(r *http.Request, dc *docCtx, d *trellis.Document, to string, opts trellis.MoveOptions) error {
	if s.actor(r).ReadOnly {
		return trellis.Errorf(trellis.EFORBIDDEN, "This API token may only read; this needs a token with the write scope.")
	}
	probe := *dc
	probe.D = d
	mc, err := s.moveContext(r, &probe, opts)
	if err != nil {
		return err
	}
	return trellis.CheckMove(d, to, s.rels(r, dc), mc)
}

// mayTry is checkMove without the guards: the move exists and the viewer
// may make it, whatever still has to be true first.
func (s *Server) mayTry(r *http.Request, dc *docCtx, d *trellis.Document, to string) error {
	err := s.checkMove(r, dc, d, to, "")
	if trellis.ErrorCode(err) == trellis.ERULE {
		return nil
	}
	return err
}

type submitView struct {
	D            *trellis.Document
	To           string
	Label        string
	Note         string
	NoteRequired bool
	Findings     []findingView
	Errors       int
	ChooseCycle  bool
	Cycles       []*trellis.Cycle
	// Due: the comments-due day of peer-manager review, asked again with
	// what was wrong with it.
	Due *dueForm
}

// transitionSubmit moves the document: 409 when the move is not possible
// from its state, 403 when this viewer may not make it, 422 when something
// must be true first. Submitting with checks in error asks for a
// confirmation first; nominating asks for the cycle; opening peer-manager
// review takes the comments-due day (review_due, the default when empty)
// and asks for it again, saying what is wrong, when it is not allowed.
func (s *Server) transitionSubmit(w http.ResponseWriter, r *http.Request) {
	dc, err := s.loadDocument(r, trellis.ActionRead)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	to := strings.TrimSpace(r.PostFormValue("to"))
	note := strings.TrimSpace(r.PostFormValue("note"))
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	back := []link{{"The document", documentURL(dc.D.ID)}}
	fail := func(err error) { s.fail(w, r, withHint(err, "Back", back)) }
	if to == "" {
		fail(&trellis.Error{Code: trellis.EINVALID, Message: "Say which state to move the document to.",
			Details: []trellis.FieldError{{Field: "to", Message: "required"}}})
		return
	}
	v := submitView{D: dc.D, To: to, Note: note}
	for _, m := range trellis.MovesFrom(dc.D) {
		if m.To == to {
			v.Label, v.NoteRequired = capitalise(m.Name), m.NoteRequired
		}
	}
	dueValue := strings.TrimSpace(r.PostFormValue("review_due"))
	opts := trellis.MoveOptions{Note: note}
	// askDue shows the comments-due field again with what is wrong with it
	// (nothing was moved).
	askDue := func(err error) bool {
		msg := dueFieldError(err)
		if to != trellis.DocPeerReview || msg == "" {
			return false
		}
		f, ferr := s.reviewDueForm(ctx, dc.D, dueValue)
		if ferr != nil {
			fail(ferr)
			return true
		}
		f.Error, v.Due = msg, f
		s.render(w, r, ErrorStatus(err), "document_submit", layoutPage(v.Label+" · "+dc.D.Title, "documents", v))
		return true
	}
	due, err := parseReviewDue(dueValue)
	if err != nil {
		// Only whoever may make the move is asked again.
		if merr := s.mayTry(r, dc, dc.D, to); merr != nil || !askDue(err) {
			fail(cmpErr(merr, err))
		}
		return
	}
	opts.ReviewDue = due
	d := dc.D
	if to == trellis.DocNominated {
		cycle := r.PostFormValue("cycle")
		if cycle == "" {
			// Which cycle, or out of cycle: ask, once the viewer may
			// nominate at all.
			probe := *d
			if err := s.mayTry(r, dc, &probe, to); err != nil {
				probe.OutOfCycle = !probe.OutOfCycle
				if s.mayTry(r, dc, &probe, to) != nil {
					fail(err)
					return
				}
			}
			if s.cycles != nil {
				all, err := s.cycles.ListCycles(ctx)
				if err != nil {
					fail(err)
					return
				}
				for _, c := range all {
					if c.Open(s.now()) {
						v.Cycles = append(v.Cycles, c)
					}
				}
			}
			v.ChooseCycle = true
			s.render(w, r, http.StatusOK, "document_submit", layoutPage("Nominate · "+dc.D.Title, "documents", v))
			return
		}
		next := *d
		if cycle == "out" {
			next.CycleID, next.OutOfCycle = nil, true
		} else {
			id, err := strconv.ParseInt(cycle, 10, 64)
			if err != nil || id <= 0 {
				fail(&trellis.Error{Code: trellis.EINVALID, Message: "Choose a cycle, or out of cycle.",
					Details: []trellis.FieldError{{Field: "cycle", Message: "not a cycle"}}})
				return
			}
			next.CycleID, next.OutOfCycle = &id, false
		}
		d = &next
	}
	if err := s.checkMoveWith(r, dc, d, to, opts); err != nil {
		if !askDue(err) {
			fail(err)
		}
		return
	}
	if version != dc.D.Version {
		fail(trellis.Errorf(trellis.ECONFLICT,
			"The document changed while you had it open (it is at version %d, the page was at %d). Nothing was moved; look at it again first.", dc.D.Version, version))
		return
	}
	if to == trellis.DocManagerReview && dc.D.State == trellis.DocDraft && r.PostFormValue("confirm") == "" {
		v.Findings = s.findings(dc)
		for _, f := range v.Findings {
			if f.Error {
				v.Errors++
			}
		}
		if v.Errors > 0 {
			s.render(w, r, http.StatusOK, "document_submit", layoutPage("Submit · "+dc.D.Title, "documents", v))
			return
		}
	}
	if d != dc.D {
		if err := s.documents.UpdateDocument(ctx, d, version); err != nil {
			fail(err)
			return
		}
		if now, err := s.documents.FindDocument(ctx, d.ID); err == nil {
			version = now.Version
		}
	}
	moved, err := s.moveDocumentWith(ctx, dc.D.ID, to, opts, version)
	if err != nil {
		if !askDue(err) {
			fail(err)
		}
		return
	}
	http.Redirect(w, r, documentURL(moved.ID)+"?moved="+moved.State, http.StatusSeeOther)
}

// findings are the checks of the document against its template and
// framework version, for the panel beside the editor and before submitting.
func (s *Server) findings(dc *docCtx) []findingView {
	var out []findingView
	for _, f := range s.checks.findings(dc.D, dc.FW, dc.Tpl) {
		fv := findingView{Check: f.Check, Section: f.Section, Sentence: f.Sentence, Message: f.Message, Error: f.Severity == markdown.SeverityError}
		if f.Section != "" {
			fv.SectionTitle = dc.sectionTitle(f.Section)
		}
		out = append(out, fv)
	}
	return out
}

// cmpErr returns the first error that is not nil.
func cmpErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func isDecision(state string) bool {
	return state == trellis.DocDecidedYes || state == trellis.DocDecidedNo
}

// moveDocument applies a workflow move. A decision goes through the cycle
// service so that it is recorded with its rationale, whichever page or API
// route it came from.
func (s *Server) moveDocument(ctx context.Context, docID int64, to, note string, version int) (*trellis.Document, error) {
	return s.moveDocumentWith(ctx, docID, to, trellis.MoveOptions{Note: note}, version)
}

// moveDocumentWith is moveDocument with the options of the move.
func (s *Server) moveDocumentWith(ctx context.Context, docID int64, to string, opts trellis.MoveOptions, version int) (*trellis.Document, error) {
	if !isDecision(to) || s.cycles == nil {
		return s.documents.MoveDocumentWith(ctx, docID, to, opts, version)
	}
	note := opts.Note
	if err := s.cycles.RecordDecision(ctx, &trellis.Decision{DocumentID: docID, Approved: to == trellis.DocDecidedYes, Rationale: note}); err != nil {
		return nil, err
	}
	return s.documents.FindDocument(ctx, docID)
}
