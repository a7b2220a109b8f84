package web

import (
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"trellis"
	"trellis/importcsv"
	"trellis/markdown"
)

// Feedback requests (Staff and above) and the managers-only review copy.
//
// The candidate or the manager asks people outside the reporting line, at
// or above the target level, for start / stop / continue feedback and a
// statement of support; only the person asked answers. Peer managers
// comment on the review copy, which the candidate does not see.

type feedbackView struct {
	F         *trellis.FeedbackRequest
	Reviewer  string
	Requester string
	Answered  bool
	Start     template.HTML
	Stop      template.HTML
	Continue  template.HTML
	Support   template.HTML
	AnswerURL string
	Mine      bool
}

type docFeedbackView struct {
	D         *trellis.Document
	P         *trellis.Person
	Role      string
	Requests  []feedbackView
	CanAsk    bool
	Allowed   bool // the template has a feedback part
	Email     string
	Due       string
	Message   string
	Errors    map[string]string
	Notice    string
	ShowTexts bool
}

func (s *Server) feedbackViews(r *http.Request, list []*trellis.FeedbackRequest, showTexts bool) []feedbackView {
	ctx := r.Context()
	n := s.nameCache()
	me := s.actor(r).Person
	var out []feedbackView
	for _, f := range list {
		fv := feedbackView{F: f, Reviewer: n.of(ctx, f.ReviewerID), Requester: n.of(ctx, f.RequestedBy), Answered: f.AnsweredAt != nil,
			Mine:      me != nil && me.ID == f.ReviewerID,
			AnswerURL: documentURL(f.DocumentID) + "/feedback/" + strconv.FormatInt(f.ID, 10)}
		if showTexts || fv.Mine {
			fv.Start, fv.Stop, fv.Continue, fv.Support = markdown.HTML(f.Start), markdown.HTML(f.Stop), markdown.HTML(f.Continue), markdown.HTML(f.Support)
		}
		out = append(out, fv)
	}
	return out
}

func (s *Server) feedbackPage(w http.ResponseWriter, r *http.Request) {
	dc, err := s.loadDocument(r, trellis.ActionRead)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	notice := ""
	if r.URL.Query().Get("asked") != "" {
		notice = "Feedback requested; the person finds it in their inbox."
	}
	s.renderFeedback(w, r, http.StatusOK, dc, "", "", "", nil, notice)
}

func (s *Server) renderFeedback(w http.ResponseWriter, r *http.Request, status int, dc *docCtx, email, due, message string, errs map[string]string, notice string) {
	list, err := s.documents.ListFeedback(r.Context(), dc.D.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := docFeedbackView{D: dc.D, P: dc.P, Role: dc.roleName(), Allowed: hasFeedbackSection(dc.Tpl),
		CanAsk: s.can(r, trellis.ActionEdit, dc.T) && !s.actor(r).ReadOnly, Email: email, Due: due, Message: message, Errors: errs, Notice: notice,
		ShowTexts: true}
	v.Requests = s.feedbackViews(r, list, v.ShowTexts)
	s.render(w, r, status, "document_feedback", layoutPage("Feedback · "+dc.D.Title, "documents", v))
}

// feedbackReviewerProblem says why a person may not give feedback on the
// document: they must be outside the candidate's reporting line and at or
// above the target level.
func (s *Server) feedbackReviewerProblem(r *http.Request, dc *docCtx, reviewer *trellis.Person) string {
	if !reviewer.Active {
		return reviewer.Name + " has left the organisation."
	}
	if reviewer.ID == dc.P.ID {
		return "The candidate cannot give feedback on their own case."
	}
	if slices.Contains(dc.T.OwnerChain, reviewer.ID) {
		return reviewer.Name + " is in the candidate's reporting line; feedback comes from outside it."
	}
	chain, err := s.people.ManagerChain(r.Context(), reviewer.ID)
	if err == nil && slices.Contains(personIDs(chain), dc.P.ID) {
		return reviewer.Name + " reports to the candidate; feedback comes from outside the reporting line."
	}
	if dc.Role == nil || dc.Role.Grade == nil {
		return "The target role has no grade in the framework, so the level of a reviewer cannot be compared."
	}
	role, ok := dc.FW.Role(reviewer.RoleID)
	if !ok || role.Grade == nil || *role.Grade < *dc.Role.Grade {
		name := reviewer.RoleID
		if ok {
			name = role.Name
		}
		return reviewer.Name + " (" + name + ") is below the target level (" + dc.Role.Name + "); ask someone at or above it."
	}
	return ""
}

func (s *Server) requestFeedbackSubmit(w http.ResponseWriter, r *http.Request) {
	dc, err := s.loadDocument(r, trellis.ActionEdit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	email := strings.TrimSpace(r.PostFormValue("email"))
	dueText := strings.TrimSpace(r.PostFormValue("due"))
	bad := func(field, msg string) {
		s.renderFeedback(w, r, http.StatusBadRequest, dc, email, dueText, msg, map[string]string{field: msg}, "")
	}
	if !hasFeedbackSection(dc.Tpl) {
		s.renderFeedback(w, r, http.StatusUnprocessableEntity, dc, email, dueText, "Feedback is part of documents for Staff and above; this template has no feedback part.", nil, "")
		return
	}
	if email == "" {
		bad("email", "Name the person to ask by their email.")
		return
	}
	reviewer, err := s.people.FindPersonByEmail(ctx, email)
	if err != nil {
		if trellis.ErrorCode(err) == trellis.ENOTFOUND {
			bad("email", "Nobody in Trellis has the email "+email+".")
			return
		}
		s.fail(w, r, err)
		return
	}
	if msg := s.feedbackReviewerProblem(r, dc, reviewer); msg != "" {
		s.renderFeedback(w, r, http.StatusUnprocessableEntity, dc, email, dueText, msg, map[string]string{"email": msg}, "")
		return
	}
	fr := &trellis.FeedbackRequest{DocumentID: dc.D.ID, ReviewerID: reviewer.ID, RequestedBy: s.actor(r).Person.ID}
	if dueText != "" {
		due, err := time.Parse(importcsv.DateFormat, dueText)
		if err != nil {
			bad("due", dueText+" is not a date (YYYY-MM-DD).")
			return
		}
		fr.Due = &due
	}
	if err := s.documents.RequestFeedback(ctx, fr); err != nil {
		if c := trellis.ErrorCode(err); c == trellis.EINVALID || c == trellis.ERULE || c == trellis.ECONFLICT {
			s.renderFeedback(w, r, ErrorStatus(err), dc, email, dueText, trellis.ErrorMessage(err), nil, "")
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, documentURL(dc.D.ID)+"/feedback?asked=1", http.StatusSeeOther)
}

// The reviewer's answer.

type feedbackAnswerView struct {
	D                              *trellis.Document
	Candidate, Role                string
	F                              *trellis.FeedbackRequest
	Start, Stop, Continue, Support string
	CanRead                        bool
	Message                        string
	Notice                         string
}

// loadFeedbackRequest loads the request the path names, for its reviewer
// only: anyone else gets a 404.
func (s *Server) loadFeedbackRequest(r *http.Request) (*docCtx, *trellis.FeedbackRequest, error) {
	if err := s.needDocuments(); err != nil {
		return nil, nil, err
	}
	id, err := docID(r)
	if err != nil {
		return nil, nil, err
	}
	fid, err := strconv.ParseInt(r.PathValue("fid"), 10, 64)
	notFound := trellis.Errorf(trellis.ENOTFOUND, "No such feedback request.")
	if err != nil || fid <= 0 {
		return nil, nil, notFound
	}
	dc, err := s.loadDocumentID(r, id, "")
	if err != nil {
		if trellis.ErrorCode(err) == trellis.ENOTFOUND {
			return nil, nil, notFound
		}
		return nil, nil, err
	}
	list, err := s.documents.ListFeedback(r.Context(), dc.D.ID)
	if err != nil {
		return nil, nil, err
	}
	me := s.actor(r).Person
	for _, f := range list {
		if f.ID == fid && me != nil && f.ReviewerID == me.ID {
			return dc, f, nil
		}
	}
	return nil, nil, notFound
}

func (s *Server) feedbackAnswerPage(w http.ResponseWriter, r *http.Request) {
	dc, f, err := s.loadFeedbackRequest(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := feedbackAnswerView{D: dc.D, Candidate: dc.P.Name, Role: dc.roleName(), F: f, Start: f.Start, Stop: f.Stop, Continue: f.Continue, Support: f.Support,
		CanRead: s.can(r, trellis.ActionRead, dc.T)}
	if r.URL.Query().Get("saved") != "" {
		v.Notice = "Thank you: your feedback is saved."
	}
	s.render(w, r, http.StatusOK, "document_feedback_answer", layoutPage("Feedback for "+dc.P.Name, "inbox", v))
}

func (s *Server) feedbackAnswerSubmit(w http.ResponseWriter, r *http.Request) {
	dc, f, err := s.loadFeedbackRequest(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	next := *f
	next.Start, next.Stop = strings.TrimSpace(r.PostFormValue("start")), strings.TrimSpace(r.PostFormValue("stop"))
	next.Continue, next.Support = strings.TrimSpace(r.PostFormValue("continue")), strings.TrimSpace(r.PostFormValue("support"))
	v := feedbackAnswerView{D: dc.D, Candidate: dc.P.Name, Role: dc.roleName(), F: f, Start: next.Start, Stop: next.Stop, Continue: next.Continue,
		Support: next.Support, CanRead: s.can(r, trellis.ActionRead, dc.T)}
	if next.Support == "" || next.Start+next.Stop+next.Continue == "" {
		v.Message = "Write at least one of start, stop or continue, and the statement of support (or why you cannot give one)."
		s.render(w, r, http.StatusBadRequest, "document_feedback_answer", layoutPage("Feedback for "+dc.P.Name, "inbox", v))
		return
	}
	if err := s.documents.AnswerFeedback(r.Context(), &next); err != nil {
		if c := trellis.ErrorCode(err); c == trellis.EINVALID || c == trellis.ERULE || c == trellis.ECONFLICT {
			v.Message = trellis.ErrorMessage(err)
			s.render(w, r, ErrorStatus(err), "document_feedback_answer", layoutPage("Feedback for "+dc.P.Name, "inbox", v))
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, documentURL(dc.D.ID)+"/feedback/"+strconv.FormatInt(f.ID, 10)+"?saved=1", http.StatusSeeOther)
}

// The review copy.

type reviewView struct {
	D          *trellis.Document
	P          *trellis.Person
	Role       string
	State      string
	Sections   []sectionView
	CanComment bool
	Notice     string
	// Review is the open round: the comments-due day and how many of the
	// peer managers asked have commented.
	Review *reviewInfo
}

// loadReviewCopy loads the document for the managers-only review copy:
// whoever may not read the copy gets a 404, the candidate included.
func (s *Server) loadReviewCopy(r *http.Request, action trellis.Action) (*docCtx, error) {
	dc, err := s.loadDocument(r, "")
	if err != nil {
		return nil, err
	}
	t := reviewTarget(dc.T)
	if err := s.check(r, trellis.ActionRead, t); err != nil {
		if trellis.ErrorCode(err) == trellis.EUNAUTHORIZED {
			return nil, err
		}
		return nil, errNoDocument
	}
	if action != trellis.ActionRead {
		if err := s.check(r, action, t); err != nil {
			return nil, err
		}
	}
	return dc, nil
}

func (s *Server) reviewPage(w http.ResponseWriter, r *http.Request) {
	dc, err := s.loadReviewCopy(r, trellis.ActionRead)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.documents.ListComments(r.Context(), dc.D.ID, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var review []*trellis.Comment
	for _, c := range list {
		if c.OnReviewCopy {
			review = append(review, c)
		}
	}
	comments := s.threads(r, dc, review, s.can(r, trellis.ActionEdit, reviewTarget(dc.T)))
	v := reviewView{D: dc.D, P: dc.P, Role: dc.roleName(), State: stateLabel(dc.D.State),
		CanComment: s.can(r, trellis.ActionComment, reviewTarget(dc.T)) && !s.actor(r).ReadOnly}
	v.Sections = s.sectionViews(dc, comments, nil)
	if v.Review, err = s.documentReview(r, dc); err != nil {
		s.fail(w, r, err)
		return
	}
	switch {
	case r.URL.Query().Get("commented") != "":
		v.Notice = "Comment added to the review copy."
		if v.Review != nil && v.Review.Passed {
			v.Notice = "Comment added to the review copy, marked late: the comments were due " + v.Review.Long + "."
		}
	case r.URL.Query().Get("resolved") != "":
		v.Notice = "Thread resolved."
	}
	s.render(w, r, http.StatusOK, "document_review", layoutPage("Review copy · "+dc.D.Title, "documents", v))
}

func (s *Server) reviewCommentSubmit(w http.ResponseWriter, r *http.Request) {
	dc, err := s.loadReviewCopy(r, trellis.ActionComment)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.addComment(w, r, dc, true)
}

func (s *Server) reviewResolveSubmit(w http.ResponseWriter, r *http.Request) {
	dc, err := s.loadReviewCopy(r, trellis.ActionComment)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.resolveComment(w, r, dc, true)
}
