package web

import (
	"net/http"
	"strings"

	"trellis"
)

// Route is one registered route.
type Route struct {
	Method  string // GET, POST, ...; "" matches every method (catch-alls)
	Pattern string // path pattern with {wildcards}, as given to http.ServeMux
	Name    string // stable name, for tests and logs
	Access  Access // what the route needs, as the policy sees it (auth.go)
}

// API reports whether the route belongs to the JSON API.
func (r Route) API() bool { return strings.HasPrefix(r.Pattern, "/api/") }

// registerRoutes declares every route of the server. Nothing else calls
// mux.Handle.
func (s *Server) registerRoutes() {
	// Pages.
	s.handle("GET", "/{$}", "home", need(trellis.KindFramework, trellis.ActionRead), s.home)
	s.handle("GET", "/frameworks", "frameworks", need(trellis.KindFramework, trellis.ActionRead), s.frameworksPage)
	s.handle("GET", "/frameworks/import", "import-form", need(trellis.KindFramework, trellis.ActionCreate), s.importForm)
	s.handle("POST", "/frameworks/import", "import", need(trellis.KindFramework, trellis.ActionCreate), s.importSubmit)
	s.handle("GET", "/matrix", "matrix-default", need(trellis.KindFramework, trellis.ActionRead), s.defaultFramework("matrix"))
	s.handle("GET", "/graph", "graph-default", need(trellis.KindFramework, trellis.ActionRead), s.defaultFramework("graph"))
	s.handle("GET", "/frameworks/{id}", "framework", need(trellis.KindFramework, trellis.ActionRead), s.frameworkHome)
	s.handle("GET", "/frameworks/{id}/matrix", "matrix", need(trellis.KindFramework, trellis.ActionRead), s.matrixPage)
	s.handle("GET", "/frameworks/{id}/roles/{role}", "role", need(trellis.KindFramework, trellis.ActionRead), s.rolePage)
	s.handle("GET", "/frameworks/{id}/graph", "graph", need(trellis.KindFramework, trellis.ActionRead), s.graphPage)
	s.handle("GET", "/frameworks/{id}/graph.svg", "graph-svg", need(trellis.KindFramework, trellis.ActionRead), s.graphSVG)
	s.handle("GET", "/frameworks/{id}/diff", "diff", need(trellis.KindFramework, trellis.ActionRead), s.diffPage)
	s.handle("GET", "/frameworks/{id}/export", "export", need(trellis.KindFramework, trellis.ActionExport), s.export)
	s.handle("POST", "/frameworks/{id}/versions/{version}/activate", "activate", need(trellis.KindFramework, trellis.ActionActivate), s.activate)
	s.handle("GET", "/static/{file}", "static", public(), s.serveStatic)

	// Signing in and out, reset links, single sign-on, personal API tokens.
	s.handle("GET", "/signin", "signin-form", public(), s.signinForm)
	s.handle("POST", "/signin", "signin", public(), s.signinSubmit)
	s.handle("POST", "/signout", "signout", public(), s.signout)
	s.handle("GET", "/reset/{token}", "reset-form", public(), s.resetForm)
	s.handle("POST", "/reset/{token}", "reset", public(), s.resetSubmit)
	s.handle("GET", "/signin/sso", "sso", public(), s.ssoBegin)
	s.handle("GET", "/signin/sso/callback", "sso-callback", public(), s.ssoCallback)
	s.handle("GET", "/settings/tokens", "tokens", needSelf(trellis.KindToken, trellis.ActionRead), s.tokensPage)
	s.handle("POST", "/settings/tokens", "token-create", needSelf(trellis.KindToken, trellis.ActionCreate), s.tokenCreate)
	s.handle("POST", "/settings/tokens/{tid}/revoke", "token-revoke", needSelf(trellis.KindToken, trellis.ActionRead), s.tokenRevoke)

	// People: the directory, profiles and the org chart are open to everyone
	// signed in; a person edits their own basics; admins add, import and
	// assign (the edit handlers ask the policy per field).
	s.handle("GET", "/people", "people", need(trellis.KindPerson, trellis.ActionRead), s.peoplePage)
	s.handle("GET", "/people/new", "person-new-form", need(trellis.KindPerson, trellis.ActionCreate), s.newPersonForm)
	s.handle("POST", "/people", "person-create", need(trellis.KindPerson, trellis.ActionCreate), s.createPersonSubmit)
	s.handle("GET", "/people/import", "people-import-form", need(trellis.KindPerson, trellis.ActionCreate), s.peopleImportForm)
	s.handle("POST", "/people/import", "people-import", need(trellis.KindPerson, trellis.ActionCreate), s.peopleImportSubmit)
	s.handle("GET", "/people/find", "finder", need(trellis.KindPerson, trellis.ActionRead), s.finderPage)
	s.handle("GET", "/people/{pid}", "person", needOn(trellis.KindPerson, trellis.ActionRead, "pid"), s.personPage)
	s.handle("GET", "/people/{pid}/edit", "person-edit-form", needOn(trellis.KindPerson, trellis.ActionEdit, "pid"), s.editPersonForm)
	s.handle("POST", "/people/{pid}", "person-update", needOn(trellis.KindPerson, trellis.ActionEdit, "pid"), s.updatePersonSubmit)
	s.handle("GET", "/org", "org", need(trellis.KindPerson, trellis.ActionRead), s.orgPage)
	s.handle("GET", "/admin/audit", "audit", need(trellis.KindAuditLog, trellis.ActionRead), s.auditPage)

	// Growth: the evidence journal, the growth plan, the target role,
	// readiness and the team view (evidence*.go, growth*.go, readiness*.go,
	// team.go). The journal is open to whoever may see the person and lists
	// only the entries the viewer may read; routes on one entry check the
	// entry's own visibility once it is loaded. Only the person writes their
	// journal and plan and self-assesses; the manager records career
	// conversations and assesses; only the person confirms a conversation.
	s.handle("GET", "/people/{pid}/evidence", "journal", needOn(trellis.KindPerson, trellis.ActionRead, "pid"), s.journalPage)
	s.handle("GET", "/people/{pid}/evidence/new", "evidence-new-form", needOn(trellis.KindEvidence, trellis.ActionCreate, "pid"), s.newEvidenceForm)
	s.handle("POST", "/people/{pid}/evidence", "evidence-create", needOn(trellis.KindEvidence, trellis.ActionCreate, "pid"), s.createEvidenceSubmit)
	s.handle("GET", "/people/{pid}/evidence/import", "evidence-import-form", needOn(trellis.KindEvidence, trellis.ActionCreate, "pid"), s.evidenceImportForm)
	s.handle("POST", "/people/{pid}/evidence/import", "evidence-import", needOn(trellis.KindEvidence, trellis.ActionCreate, "pid"), s.evidenceImportSubmit)
	s.handle("GET", "/people/{pid}/evidence/{eid}", "evidence", needOn(trellis.KindPerson, trellis.ActionRead, "pid"), s.evidencePage)
	s.handle("GET", "/people/{pid}/evidence/{eid}/edit", "evidence-edit-form", needOn(trellis.KindPerson, trellis.ActionRead, "pid"), s.editEvidenceForm)
	s.handle("POST", "/people/{pid}/evidence/{eid}", "evidence-update", needOn(trellis.KindPerson, trellis.ActionRead, "pid"), s.updateEvidenceSubmit)
	s.handle("GET", "/people/{pid}/evidence/{eid}/delete", "evidence-delete-form", needOn(trellis.KindPerson, trellis.ActionRead, "pid"), s.deleteEvidenceForm)
	s.handle("POST", "/people/{pid}/evidence/{eid}/delete", "evidence-delete", needOn(trellis.KindPerson, trellis.ActionRead, "pid"), s.deleteEvidenceSubmit)
	s.handle("GET", "/people/{pid}/plan", "plan", needOn(trellis.KindGrowthPlan, trellis.ActionRead, "pid"), s.planPage)
	s.handle("POST", "/people/{pid}/plan", "plan-save", needOn(trellis.KindGrowthPlan, trellis.ActionEdit, "pid"), s.savePlanSubmit)
	s.handle("POST", "/people/{pid}/plan/refresh", "plan-refresh", needOn(trellis.KindGrowthPlan, trellis.ActionEdit, "pid"), s.refreshPlanSubmit)
	s.handle("POST", "/people/{pid}/conversations", "conversation-record", needOn(trellis.KindAssessment, trellis.ActionCreate, "pid"), s.recordConversationSubmit)
	s.handle("POST", "/people/{pid}/conversations/{cid}/confirm", "conversation-confirm", needOn(trellis.KindGrowthPlan, trellis.ActionEdit, "pid"), s.confirmConversationSubmit)
	s.handle("GET", "/people/{pid}/target", "target", needOn(trellis.KindGrowthPlan, trellis.ActionRead, "pid"), s.targetPage)
	s.handle("POST", "/people/{pid}/target", "target-save", needOn(trellis.KindGrowthPlan, trellis.ActionEdit, "pid"), s.targetSubmit)
	s.handle("GET", "/people/{pid}/readiness", "readiness", needOn(trellis.KindAssessment, trellis.ActionRead, "pid"), s.readinessPage)
	s.handle("POST", "/people/{pid}/readiness/self", "assess-self", needOn(trellis.KindGrowthPlan, trellis.ActionEdit, "pid"), s.assessSubmit(trellis.BySelf))
	s.handle("POST", "/people/{pid}/readiness/manager", "assess-manager", needOn(trellis.KindAssessment, trellis.ActionCreate, "pid"), s.assessSubmit(trellis.ByManager))
	s.handle("POST", "/people/{pid}/readiness/checklist", "checklist", needOn(trellis.KindGrowthPlan, trellis.ActionEdit, "pid"), s.checklistSubmit)
	s.handle("GET", "/team", "my-team", need(trellis.KindPerson, trellis.ActionRead), s.myTeamPage)
	s.handle("GET", "/people/{pid}/team", "team", needOn(trellis.KindPerson, trellis.ActionRead, "pid"), s.personTeamPage)

	// Evidence from where the work happens (forge.go): a person's own
	// connections to GitLab and GitHub and the work imported from them,
	// which only they accept into their journal or dismiss.
	s.handle("GET", "/people/{pid}/connections", "connections", needOn(trellis.KindEvidence, trellis.ActionCreate, "pid"), s.connectionsPage)
	s.handle("POST", "/people/{pid}/connections", "connection-add", needOn(trellis.KindEvidence, trellis.ActionCreate, "pid"), s.connectionAddSubmit)
	s.handle("POST", "/people/{pid}/connections/{cid}/delete", "connection-remove", needOn(trellis.KindEvidence, trellis.ActionCreate, "pid"), s.connectionRemoveSubmit)
	s.handle("POST", "/people/{pid}/connections/sync", "sync-now", needOn(trellis.KindEvidence, trellis.ActionCreate, "pid"), s.syncNowSubmit)
	s.handle("GET", "/people/{pid}/imports", "imports", needOn(trellis.KindEvidence, trellis.ActionCreate, "pid"), s.importsPage)
	s.handle("POST", "/people/{pid}/imports/{iid}/accept", "import-accept", needOn(trellis.KindEvidence, trellis.ActionCreate, "pid"), s.acceptItemSubmit)
	s.handle("POST", "/people/{pid}/imports/{iid}/dismiss", "import-dismiss", needOn(trellis.KindEvidence, trellis.ActionCreate, "pid"), s.dismissItemSubmit)

	// Promotions (document*.go, cycle.go, calibration.go, library.go,
	// inbox.go, export.go). A person's document list is open to whoever may
	// see the person and lists the documents the viewer may read; routes
	// on one document load it and ask the policy about it with its
	// visibility (a document the viewer may not read is a 404). The review
	// copy is the managers'; a feedback request is answered by its
	// reviewer alone; moves are the workflow's (trellis.CheckMove).
	s.handle("GET", "/people/{pid}/documents", "documents", needOn(trellis.KindPerson, trellis.ActionRead, "pid"), s.documentsPage)
	s.handle("GET", "/people/{pid}/documents/new", "document-new-form", needOn(trellis.KindDocument, trellis.ActionCreate, "pid"), s.newDocumentForm)
	s.handle("POST", "/people/{pid}/documents", "document-create", needOn(trellis.KindDocument, trellis.ActionCreate, "pid"), s.createDocumentSubmit)
	s.handle("GET", "/documents/{id}", "document", need(trellis.KindPerson, trellis.ActionRead), s.documentPage)
	s.handle("GET", "/documents/{id}/edit", "document-edit", need(trellis.KindPerson, trellis.ActionRead), s.editDocumentPage)
	s.handle("POST", "/documents/{id}/sections/{sid}", "section-save", need(trellis.KindPerson, trellis.ActionRead), s.saveSectionSubmit)
	s.handle("POST", "/documents/{id}/sections/{sid}/evidence", "section-evidence", need(trellis.KindPerson, trellis.ActionRead), s.insertEvidenceSubmit)
	s.handle("GET", "/documents/{id}/history", "document-history", need(trellis.KindPerson, trellis.ActionRead), s.historyPage)
	s.handle("GET", "/documents/{id}/settings", "document-settings", need(trellis.KindPerson, trellis.ActionRead), s.documentSettingsPage)
	s.handle("POST", "/documents/{id}/settings", "document-settings-save", need(trellis.KindPerson, trellis.ActionRead), s.documentSettingsSubmit)
	s.handle("POST", "/documents/{id}/comments", "comment-add", need(trellis.KindPerson, trellis.ActionRead), s.commentSubmit)
	s.handle("POST", "/documents/{id}/comments/{cid}/resolve", "comment-resolve", need(trellis.KindPerson, trellis.ActionRead), s.resolveCommentSubmit)
	s.handle("GET", "/documents/{id}/review", "review-copy", need(trellis.KindPerson, trellis.ActionRead), s.reviewPage)
	s.handle("GET", "/reviews", "peer-reviews", need(trellis.KindPerson, trellis.ActionRead), s.reviewsPage)
	s.handle("POST", "/documents/{id}/review/comments", "review-comment-add", need(trellis.KindPerson, trellis.ActionRead), s.reviewCommentSubmit)
	s.handle("POST", "/documents/{id}/review/comments/{cid}/resolve", "review-comment-resolve", need(trellis.KindPerson, trellis.ActionRead), s.reviewResolveSubmit)
	s.handle("GET", "/documents/{id}/feedback", "feedback", need(trellis.KindPerson, trellis.ActionRead), s.feedbackPage)
	s.handle("POST", "/documents/{id}/feedback", "feedback-request", need(trellis.KindPerson, trellis.ActionRead), s.requestFeedbackSubmit)
	s.handle("GET", "/documents/{id}/feedback/{fid}", "feedback-answer-form", need(trellis.KindPerson, trellis.ActionRead), s.feedbackAnswerPage)
	s.handle("POST", "/documents/{id}/feedback/{fid}", "feedback-answer", need(trellis.KindPerson, trellis.ActionRead), s.feedbackAnswerSubmit)
	s.handle("POST", "/documents/{id}/transitions", "document-move", need(trellis.KindPerson, trellis.ActionRead), s.transitionSubmit)
	s.handle("GET", "/documents/{id}/export", "document-export", need(trellis.KindPerson, trellis.ActionRead), s.exportDocument)
	s.handle("GET", "/cycles", "cycles", need(trellis.KindCycle, trellis.ActionRead), s.cyclesPage)
	s.handle("GET", "/cycles/new", "cycle-new-form", need(trellis.KindCycle, trellis.ActionCreate), s.newCycleForm)
	s.handle("POST", "/cycles", "cycle-create", need(trellis.KindCycle, trellis.ActionCreate), s.createCycleSubmit)
	s.handle("POST", "/cycles/defaults", "cycle-defaults", need(trellis.KindCycle, trellis.ActionCreate), s.createDefaultCyclesSubmit)
	s.handle("GET", "/cycles/{id}", "cycle", need(trellis.KindCycle, trellis.ActionRead), s.cyclePage)
	s.handle("POST", "/cycles/{id}", "cycle-update", need(trellis.KindCycle, trellis.ActionEdit), s.updateCycleSubmit)
	s.handle("GET", "/cycles/{id}/calibration", "calibration", need(trellis.KindCalibration, trellis.ActionRead), s.calibrationPage)
	s.handle("POST", "/cycles/{id}/calibration/open", "calibration-open", need(trellis.KindCalibration, trellis.ActionRead), s.openCalibrationSubmit)
	s.handle("POST", "/cycles/{id}/calibration/decisions", "decision", need(trellis.KindCalibration, trellis.ActionRead), s.decisionSubmit)
	s.handle("GET", "/projections", "projections", need(trellis.KindPerson, trellis.ActionRead), s.projectionsPage)
	s.handle("POST", "/projections", "projection-save", need(trellis.KindPerson, trellis.ActionRead), s.saveProjectionSubmit)
	s.handle("GET", "/projections/all", "projections-all", need(trellis.KindCalibration, trellis.ActionRead), s.allProjectionsPage)
	s.handle("GET", "/library", "library", need(trellis.KindPerson, trellis.ActionRead), s.libraryPage)
	s.handle("GET", "/inbox", "inbox", need(trellis.KindPerson, trellis.ActionRead), s.inboxPage)
	s.handle("POST", "/inbox/read", "inbox-read", need(trellis.KindPerson, trellis.ActionRead), s.markReadSubmit)
	// Notification settings of the signed-in person and the admins' view
	// of failed deliveries (delivery.go).
	s.handle("GET", "/settings/notifications", "notification-settings", need(trellis.KindPerson, trellis.ActionRead), s.prefsPage)
	s.handle("POST", "/settings/notifications", "notification-settings-save", needSelf(trellis.KindPerson, trellis.ActionEdit), s.prefsSubmit)
	s.handle("GET", "/api/v1/me/notification-settings", "api-notification-settings", need(trellis.KindPerson, trellis.ActionRead), s.apiGetPrefs)
	s.handle("PUT", "/api/v1/me/notification-settings", "api-notification-settings-put", needSelf(trellis.KindPerson, trellis.ActionEdit), s.apiPutPrefs)
	s.handle("GET", "/admin/deliveries", "deliveries", need(trellis.KindAdmin, trellis.ActionRead), s.deliveriesPage)
	s.handle("POST", "/admin/deliveries/{id}/retry", "delivery-retry", need(trellis.KindAdmin, trellis.ActionEdit), s.deliveryRetry)

	// Community (chat.go, mentoring.go): coffee chats are their two sides'
	// alone (a chat loads and asks the policy about the actor's side, so
	// anyone else gets a 404); ask-me-anything sessions per role are open
	// to everyone signed in; sessions and mentorships are their host's,
	// read by attendees, mentees and the host's reporting line.
	s.handle("GET", "/chats", "chats", needSelf(trellis.KindChat, trellis.ActionRead), s.chatsPage)
	s.handle("POST", "/chats", "chat-request", needSelf(trellis.KindChat, trellis.ActionCreate), s.requestChatSubmit)
	s.handle("GET", "/chats/{id}", "chat", need(trellis.KindPerson, trellis.ActionRead), s.chatPage)
	s.handle("POST", "/chats/{id}/answer", "chat-answer", need(trellis.KindPerson, trellis.ActionRead), s.answerChatSubmit)
	s.handle("POST", "/chats/{id}/notes", "chat-notes", need(trellis.KindPerson, trellis.ActionRead), s.chatNotesSubmit)
	s.handle("GET", "/frameworks/{id}/roles/{role}/amas", "amas", need(trellis.KindFramework, trellis.ActionRead), s.amasPage)
	s.handle("POST", "/frameworks/{id}/roles/{role}/amas", "ama-create", need(trellis.KindPerson, trellis.ActionRead), s.createAMASubmit)
	s.handle("GET", "/mentoring", "mentoring", needSelf(trellis.KindMentoring, trellis.ActionRead), s.mentoringPage)
	s.handle("POST", "/mentoring/sessions", "session-log", needSelf(trellis.KindMentoring, trellis.ActionCreate), s.logSessionSubmit)
	s.handle("POST", "/mentoring/sessions/{id}/evidence", "session-evidence", need(trellis.KindPerson, trellis.ActionRead), s.sessionEvidenceSubmit)
	s.handle("POST", "/mentoring/mentorships", "mentorship-start", needSelf(trellis.KindMentoring, trellis.ActionCreate), s.startMentorshipSubmit)
	s.handle("GET", "/mentoring/mentorships/{id}", "mentorship", need(trellis.KindPerson, trellis.ActionRead), s.mentorshipPage)
	s.handle("POST", "/mentoring/mentorships/{id}/checkins", "mentorship-checkin", need(trellis.KindPerson, trellis.ActionRead), s.checkInSubmit)
	s.handle("POST", "/mentoring/mentorships/{id}/outcome", "mentorship-outcome", need(trellis.KindPerson, trellis.ActionRead), s.outcomeSubmit)

	// Openings, programmes and assignments (opening*.go, programme*.go).
	// Everyone signed in reads openings and says they are interested;
	// posting and editing are asked of the policy on the hiring manager, in
	// the handlers. Subscriptions are one's own.
	s.handle("GET", "/openings", "openings", need(trellis.KindOpening, trellis.ActionRead), s.openingsPage)
	s.handle("GET", "/openings/new", "opening-new-form", needSelf(trellis.KindOpening, trellis.ActionCreate), s.newOpeningForm)
	s.handle("POST", "/openings", "opening-create", needSelf(trellis.KindOpening, trellis.ActionCreate), s.createOpeningSubmit)
	s.handle("GET", "/openings/{id}", "opening", need(trellis.KindOpening, trellis.ActionRead), s.openingPage)
	s.handle("GET", "/openings/{id}/edit", "opening-edit-form", need(trellis.KindOpening, trellis.ActionRead), s.editOpeningForm)
	s.handle("POST", "/openings/{id}", "opening-save", need(trellis.KindOpening, trellis.ActionRead), s.updateOpeningSubmit)
	s.handle("POST", "/openings/{id}/interest", "opening-interest", need(trellis.KindOpening, trellis.ActionComment), s.interestSubmit)
	s.handle("GET", "/openings/subscriptions", "opening-subscriptions", needSelf(trellis.KindPerson, trellis.ActionEdit), s.subscriptionsPage)
	s.handle("POST", "/openings/subscriptions", "opening-subscribe", needSelf(trellis.KindPerson, trellis.ActionEdit), s.subscribeSubmit)
	s.handle("POST", "/openings/subscriptions/{sid}/delete", "opening-unsubscribe", needSelf(trellis.KindPerson, trellis.ActionEdit), s.unsubscribeSubmit)
	s.handle("GET", "/programmes", "programmes", need(trellis.KindProgramme, trellis.ActionRead), s.programmesPage)
	s.handle("POST", "/programmes", "programme-create", need(trellis.KindProgramme, trellis.ActionCreate), s.createProgrammeSubmit)
	s.handle("GET", "/programmes/{id}", "programme", need(trellis.KindProgramme, trellis.ActionRead), s.programmePage)
	s.handle("POST", "/programmes/{id}/apply", "programme-apply", needSelf(trellis.KindParticipation, trellis.ActionCreate), s.applySubmit)
	s.handle("POST", "/programmes/{id}/participants/{xid}/approve", "programme-approve", need(trellis.KindProgramme, trellis.ActionRead), s.participantAction(trellis.ActionDecide, s.approveSubmit))
	s.handle("POST", "/programmes/{id}/participants/{xid}/mentor", "programme-mentor", need(trellis.KindProgramme, trellis.ActionRead), s.participantAction(trellis.ActionEdit, s.mentorSubmit))
	s.handle("POST", "/programmes/{id}/participants/{xid}/outcome", "programme-outcome", need(trellis.KindProgramme, trellis.ActionRead), s.participantAction(trellis.ActionEdit, s.programmeOutcomeSubmit))
	s.handle("GET", "/people/{pid}/assignments", "assignments", needOn(trellis.KindAssignment, trellis.ActionRead, "pid"), s.assignmentsPage)
	s.handle("POST", "/people/{pid}/assignments", "assignment-create", needOn(trellis.KindAssignment, trellis.ActionCreate, "pid"), s.createAssignmentSubmit)
	s.handle("POST", "/people/{pid}/assignments/{aid}", "assignment-save", needOn(trellis.KindAssignment, trellis.ActionEdit, "pid"), s.updateAssignmentSubmit)

	// JSON API.
	s.handle("GET", "/api/v1/openapi.json", "api-openapi", public(), s.apiOpenAPI)
	s.handle("GET", "/api/v1/me", "api-me", need(trellis.KindPerson, trellis.ActionRead), s.apiMe)
	s.handle("GET", "/api/v1/frameworks", "api-frameworks", need(trellis.KindFramework, trellis.ActionRead), s.apiListFrameworks)
	s.handle("POST", "/api/v1/frameworks", "api-import", need(trellis.KindFramework, trellis.ActionCreate), s.apiImportFramework)
	s.handle("GET", "/api/v1/frameworks/{id}", "api-framework", need(trellis.KindFramework, trellis.ActionRead), s.apiGetFramework)
	s.handle("GET", "/api/v1/frameworks/{id}/versions/{version}", "api-framework-version", need(trellis.KindFramework, trellis.ActionRead), s.apiGetFramework)
	s.handle("GET", "/api/v1/frameworks/{id}/diff", "api-diff", need(trellis.KindFramework, trellis.ActionRead), s.apiDiff)
	s.handle("GET", "/api/v1/people", "api-people", need(trellis.KindPerson, trellis.ActionRead), s.apiListPeople)
	s.handle("POST", "/api/v1/people", "api-person-create", need(trellis.KindPerson, trellis.ActionCreate), s.apiCreatePerson)
	s.handle("GET", "/api/v1/people/{pid}", "api-person", needOn(trellis.KindPerson, trellis.ActionRead, "pid"), s.apiGetPerson)
	s.handle("PATCH", "/api/v1/people/{pid}", "api-person-patch", needOn(trellis.KindPerson, trellis.ActionEdit, "pid"), s.apiPatchPerson)
	s.handle("GET", "/api/v1/audit", "api-audit", need(trellis.KindAuditLog, trellis.ActionRead), s.apiListAudit)
	s.handle("GET", "/api/v1/people/{pid}/evidence", "api-evidence-list", needOn(trellis.KindPerson, trellis.ActionRead, "pid"), s.growthCached(s.apiListEvidence))
	s.handle("POST", "/api/v1/people/{pid}/evidence", "api-evidence-create", needOn(trellis.KindEvidence, trellis.ActionCreate, "pid"), s.apiCreateEvidence)
	s.handle("GET", "/api/v1/evidence/{id}", "api-evidence", need(trellis.KindPerson, trellis.ActionRead), s.apiGetEvidence)
	s.handle("PATCH", "/api/v1/evidence/{id}", "api-evidence-patch", need(trellis.KindPerson, trellis.ActionRead), s.apiPatchEvidence)
	s.handle("DELETE", "/api/v1/evidence/{id}", "api-evidence-delete", need(trellis.KindPerson, trellis.ActionRead), s.apiDeleteEvidence)
	s.handle("POST", "/api/v1/evidence/suggestions", "api-evidence-suggestions", need(trellis.KindFramework, trellis.ActionRead), s.apiSuggestEvidence)
	s.handle("GET", "/api/v1/people/{pid}/plan", "api-plan", needOn(trellis.KindGrowthPlan, trellis.ActionRead, "pid"), s.growthCached(s.apiGetPlan))
	s.handle("PUT", "/api/v1/people/{pid}/plan", "api-plan-put", needOn(trellis.KindGrowthPlan, trellis.ActionEdit, "pid"), s.apiPutPlan)
	s.handle("GET", "/api/v1/people/{pid}/readiness", "api-readiness", needOn(trellis.KindAssessment, trellis.ActionRead, "pid"), s.growthCached(s.apiReadiness))
	s.handle("POST", "/api/v1/people/{pid}/sync", "api-sync", needOn(trellis.KindEvidence, trellis.ActionCreate, "pid"), s.apiSync)
	s.handle("GET", "/api/v1/people/{pid}/imports", "api-imports", needOn(trellis.KindEvidence, trellis.ActionCreate, "pid"), s.apiListImports)

	s.handle("GET", "/api/v1/documents", "api-documents", need(trellis.KindPerson, trellis.ActionRead), s.apiListDocuments)
	s.handle("POST", "/api/v1/documents", "api-document-create", need(trellis.KindPerson, trellis.ActionRead), s.apiCreateDocument)
	s.handle("GET", "/api/v1/documents/{id}", "api-document", need(trellis.KindPerson, trellis.ActionRead), s.apiGetDocument)
	s.handle("PATCH", "/api/v1/documents/{id}", "api-document-patch", need(trellis.KindPerson, trellis.ActionRead), s.apiPatchDocument)
	s.handle("POST", "/api/v1/documents/{id}/transitions", "api-document-move", need(trellis.KindPerson, trellis.ActionRead), s.apiTransition)
	s.handle("GET", "/api/v1/documents/{id}/export", "api-document-export", need(trellis.KindPerson, trellis.ActionRead), s.apiExportDocument)
	s.handle("GET", "/api/v1/cycles", "api-cycles", need(trellis.KindCycle, trellis.ActionRead), s.apiListCycles)
	s.handle("POST", "/api/v1/cycles", "api-cycle-create", need(trellis.KindCycle, trellis.ActionCreate), s.apiCreateCycle)
	s.handle("GET", "/api/v1/cycles/{id}", "api-cycle", need(trellis.KindCycle, trellis.ActionRead), s.apiGetCycle)
	s.handle("GET", "/api/v1/cycles/{id}/calibration", "api-calibration", need(trellis.KindCalibration, trellis.ActionRead), s.apiCalibration)
	s.handle("GET", "/api/v1/library", "api-library", need(trellis.KindPerson, trellis.ActionRead), s.apiLibrary)
	s.handle("GET", "/api/v1/chats", "api-chats", needSelf(trellis.KindChat, trellis.ActionRead), s.apiListChats)
	s.handle("POST", "/api/v1/chats", "api-chat-request", needSelf(trellis.KindChat, trellis.ActionCreate), s.apiRequestChat)
	s.handle("GET", "/api/v1/chats/{id}", "api-chat", need(trellis.KindPerson, trellis.ActionRead), s.apiGetChat)
	s.handle("POST", "/api/v1/chats/{id}/answer", "api-chat-answer", need(trellis.KindPerson, trellis.ActionRead), s.apiAnswerChat)
	s.handle("GET", "/api/v1/mentoring/sessions", "api-sessions", needSelf(trellis.KindMentoring, trellis.ActionRead), s.apiListSessions)
	s.handle("POST", "/api/v1/mentoring/sessions", "api-session-log", needSelf(trellis.KindMentoring, trellis.ActionCreate), s.apiLogSession)
	s.handle("POST", "/api/v1/mentoring/sessions/{id}/evidence", "api-session-evidence", need(trellis.KindPerson, trellis.ActionRead), s.apiSessionEvidence)
	s.handle("GET", "/api/v1/openings", "api-openings", need(trellis.KindOpening, trellis.ActionRead), s.apiListOpenings)
	s.handle("POST", "/api/v1/openings", "api-opening-create", needSelf(trellis.KindOpening, trellis.ActionCreate), s.apiCreateOpening)
	s.handle("GET", "/api/v1/openings/{id}", "api-opening", need(trellis.KindOpening, trellis.ActionRead), s.apiGetOpening)
	s.handle("PATCH", "/api/v1/openings/{id}", "api-opening-patch", need(trellis.KindOpening, trellis.ActionRead), s.apiPatchOpening)
	s.handle("GET", "/api/v1/programmes", "api-programmes", need(trellis.KindProgramme, trellis.ActionRead), s.apiListProgrammes)
	s.handle("GET", "/api/v1/programmes/{id}", "api-programme", need(trellis.KindProgramme, trellis.ActionRead), s.apiGetProgramme)
	s.handle("POST", "/api/v1/programmes/{id}/applications", "api-programme-apply", needSelf(trellis.KindParticipation, trellis.ActionCreate), s.apiApply)
	s.handle("GET", "/api/v1/people/{pid}/assignments", "api-assignments", needOn(trellis.KindAssignment, trellis.ActionRead, "pid"), s.apiListAssignments)
	s.handle("POST", "/api/v1/people/{pid}/assignments", "api-assignment-create", needOn(trellis.KindAssignment, trellis.ActionCreate, "pid"), s.apiCreateAssignment)
	s.handle("PATCH", "/api/v1/assignments/{id}", "api-assignment-patch", need(trellis.KindPerson, trellis.ActionRead), s.apiPatchAssignment)
	s.handle("GET", "/api/v1/mentorships", "api-mentorships", needSelf(trellis.KindMentoring, trellis.ActionRead), s.apiListMentorships)
	s.handle("POST", "/api/v1/mentorships", "api-mentorship-start", needSelf(trellis.KindMentoring, trellis.ActionCreate), s.apiStartMentorship)
	s.handle("POST", "/api/v1/mentorships/{id}/checkins", "api-mentorship-checkin", need(trellis.KindPerson, trellis.ActionRead), s.apiAddCheckIn)
	s.handle("GET", "/api/v1/frameworks/{id}/roles/{role}/amas", "api-amas", need(trellis.KindFramework, trellis.ActionRead), s.apiListAMAs)
	s.handle("POST", "/api/v1/frameworks/{id}/roles/{role}/amas", "api-ama-create", need(trellis.KindPerson, trellis.ActionRead), s.apiCreateAMA)

	// Operations (health.go, metrics.go): liveness and readiness for load
	// balancers and orchestrators, open to all; /metrics decides by itself
	// who may read it (loopback or the metrics token, see serveMetrics).
	s.handle("GET", "/healthz", "healthz", public(), s.healthz)
	s.handle("GET", "/readyz", "readyz", public(), s.readyz)
	s.handle("GET", "/metrics", "metrics", public(), s.serveMetrics)

	// Anything else: a 404 (or 405) page, JSON under /api/.
	s.handle("", "/api/", "api-not-found", public(), s.notFound)
	s.handle("", "/", "not-found", public(), s.notFound)
}

// handle registers one route. The handler runs only after the authorization
// hook allowed the route's action; state-changing routes are also guarded
// against cross-origin browser requests, and their bodies are capped.
func (s *Server) handle(method, pattern, name string, access Access, h http.HandlerFunc) {
	s.routes = append(s.routes, Route{Method: method, Pattern: pattern, Name: name, Access: access})
	var next http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.authorizeRoute(r, access); err != nil {
			s.refuse(w, r, err)
			return
		}
		if r.Body != nil && r.Method != http.MethodGet && r.Method != http.MethodHead {
			r.Body = http.MaxBytesReader(w, r.Body, s.maxBody)
		}
		h(w, r)
	})
	if method != "" && method != http.MethodGet && method != http.MethodHead {
		next = s.originCheck(next)
	}
	full := pattern
	if method != "" {
		full = method + " " + pattern
	}
	if s.routeNames == nil {
		s.routeNames = map[string]string{}
	}
	s.routeNames[full] = name
	s.mux.Handle(full, s.tagRoute(name, pattern, next))
}

// notFound answers paths no route serves: 405 with Allow when another
// method would be served, else 404.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := s.mux.Handler(probe); p != "" && p != "/" && p != "/api/" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		err := trellis.Errorf(trellis.EINVALID, "%s is not possible on %s; it accepts %s.", r.Method, r.URL.Path, strings.Join(allow, ", "))
		s.writeErrorStatus(w, r, http.StatusMethodNotAllowed, err)
		return
	}
	msg := "There is no page at " + r.URL.Path + "."
	if isAPI(r) {
		msg = "There is no API route " + r.Method + " " + r.URL.Path + "; see /api/v1/openapi.json for the routes."
	}
	s.fail(w, r, withHint(trellis.Errorf(trellis.ENOTFOUND, "%s", msg), "Try", []link{{"Frameworks", "/frameworks"}}))
}
