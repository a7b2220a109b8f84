package trellis

import (
	"fmt"
	"slices"
)

// This file is the one authorization policy of the product. Every handler,
// page and CLI verb that acts for a person asks Authorize; none decides on
// its own. The rules are the grant table below: read it top to bottom to know
// who may do what. Everything not granted there is refused.

// Relation is how an actor stands to the owner of a resource. One actor
// usually holds several relations at once (a director who is also in the
// owner's chain, an admin who is also a signed-in person); the actor may do
// whatever any of their relations allows.
type Relation string

const (
	// RelSelf: the actor owns the resource (their evidence, their document).
	RelSelf Relation = "self"
	// RelManager: the actor is the owner's direct manager.
	RelManager Relation = "manager"
	// RelManagerChain: the actor is above the direct manager in the owner's
	// reporting line (skip-level and up).
	RelManagerChain Relation = "manager-chain"
	// RelPeerManager: the actor manages people but is not in the owner's
	// chain. Peer managers review promotion documents of other teams.
	RelPeerManager Relation = "peer-manager"
	// RelDirector: the actor has director access and the owner is in their
	// department, meaning the director is somewhere in the owner's chain. For
	// resources without an owner (a cycle, its calibration) any director.
	// A director of another department is, to this owner, a peer manager.
	RelDirector Relation = "director"
	// RelPeoplePartner: the actor has people-partner (HR) access.
	RelPeoplePartner Relation = "people-partner"
	// RelAdmin: the actor has admin access.
	RelAdmin Relation = "admin"
	// RelSignedIn: any signed-in, active person; every actor but the
	// anonymous one holds it.
	RelSignedIn Relation = "signed-in"
	// RelAnonymous: nobody is signed in.
	RelAnonymous Relation = "anonymous"
)

// AllRelations lists every relation, closest first.
var AllRelations = []Relation{RelSelf, RelManager, RelManagerChain, RelPeerManager, RelDirector, RelPeoplePartner, RelAdmin, RelSignedIn, RelAnonymous}

// Relations returns every relation the actor holds to the owner. owner is nil
// for resources nobody owns; ownerChain is the owner's managers from the
// direct manager upwards. An inactive actor is anonymous: people who left
// keep no rights.
//
// A peer manager is a manager outside the owner's chain who is not below the
// owner either: a manager who reports to the candidate must not review their
// own boss's promotion case. That is why the actor's chain is needed.
func Relations(actor Actor, owner *Person, ownerChain []int64) []Relation {
	a := actor.Person
	if a == nil || !a.Active {
		return []Relation{RelAnonymous}
	}
	var rels []Relation
	inChain, below := false, false
	if owner != nil {
		direct := owner.ManagerID != nil && *owner.ManagerID == a.ID
		if len(ownerChain) > 0 && ownerChain[0] == a.ID {
			direct = true
		}
		below = slices.Contains(actor.Chain, owner.ID) || (a.ManagerID != nil && *a.ManagerID == owner.ID)
		switch {
		case a.ID == owner.ID:
			rels = append(rels, RelSelf)
		case direct:
			rels = append(rels, RelManager)
			inChain = true
		case slices.Contains(ownerChain, a.ID):
			rels = append(rels, RelManagerChain)
			inChain = true
		case actor.HasReports && !below:
			rels = append(rels, RelPeerManager)
		}
	}
	switch a.Access {
	case AccessDirector:
		if owner == nil || inChain {
			rels = append(rels, RelDirector)
		} else if !slices.Contains(rels, RelPeerManager) && a.ID != owner.ID && !below {
			// A director outside the owner's department reviews like any
			// other manager from outside the chain, reports or not.
			rels = append(rels, RelPeerManager)
		}
	case AccessPeople:
		rels = append(rels, RelPeoplePartner)
	case AccessAdmin:
		rels = append(rels, RelAdmin)
	}
	return append(rels, RelSignedIn)
}

// Kind is a kind of resource the policy knows.
type Kind string

const (
	KindFramework   Kind = "framework"   // career frameworks and their versions
	KindPerson      Kind = "person"      // directory entry and profile; owner: the person
	KindEvidence    Kind = "evidence"    // brag-sheet entry; owner: its author; has a visibility
	KindDocument    Kind = "document"    // promotion document; owner: the candidate; has a visibility
	KindPeerReview  Kind = "peer-review" // the managers-only review copy of a document; owner: the candidate
	KindGrowthPlan  Kind = "growth-plan" // individual growth plan; owner: the person
	KindAssessment  Kind = "assessment"  // manager's readiness assessment and projection; owner: the person assessed
	KindCycle       Kind = "cycle"       // promotion cycle and its dates; no owner
	KindCalibration Kind = "calibration" // side-by-side review of a cycle's nominations; no owner
	KindDecision    Kind = "decision"    // calibration outcome for one candidate; owner: the candidate
	KindAuditLog    Kind = "audit-log"   // the audit log; no owner
	KindToken       Kind = "token"       // personal API token; owner: the token's person
	KindAdmin       Kind = "admin"       // instance settings and administration pages; no owner

	KindOpening       Kind = "opening"       // internal job posting; owner: its hiring manager
	KindProgramme     Kind = "programme"     // development programme and its themes; no owner
	KindParticipation Kind = "participation" // a place (application) in a programme; owner: the participant
	KindAssignment    Kind = "assignment"    // interim or acting assignment; owner: the person assigned

	KindChat      Kind = "chat"      // one side of a coffee chat and its private notes; owner: that side
	KindMentoring Kind = "mentoring" // pairing sessions, office hours and mentorships; owner: the host or mentor
)

// AllKinds lists every resource kind.
var AllKinds = []Kind{KindFramework, KindPerson, KindEvidence, KindDocument, KindPeerReview, KindGrowthPlan, KindAssessment, KindCycle, KindCalibration, KindDecision, KindAuditLog, KindToken, KindAdmin,
	KindOpening, KindProgramme, KindParticipation, KindAssignment, KindChat, KindMentoring}

// HasVisibility reports whether resources of the kind carry a Visibility
// chosen by their owner.
func (k Kind) HasVisibility() bool { return k == KindEvidence || k == KindDocument }

// Owned reports whether resources of the kind belong to a person. Creating
// one is asked of the owner-to-be (Target.Owner is set).
func (k Kind) Owned() bool {
	switch k {
	case KindCycle, KindCalibration, KindAuditLog, KindAdmin, KindFramework, KindProgramme:
		return false
	}
	return true
}

// Action is something an actor wants to do to a resource.
type Action string

const (
	ActionRead             Action = "read"              // see it, list it
	ActionCreate           Action = "create"            // make a new one (for owned kinds: for that owner)
	ActionComment          Action = "comment"           // add a comment without changing the content
	ActionEdit             Action = "edit"              // change the content (a person: profile basics)
	ActionDelete           Action = "delete"            // remove it (a token: revoke it)
	ActionChangeVisibility Action = "change-visibility" // widen or narrow who sees it
	ActionExport           Action = "export"            // take a copy out of the product (audited)
	ActionActivate         Action = "activate"          // make a framework version the active one
	ActionAssign           Action = "assign"            // change a person's job role, manager, access or active flag
	ActionDecide           Action = "decide"            // record a calibration outcome
)

// AllActions lists every action.
var AllActions = []Action{ActionRead, ActionCreate, ActionComment, ActionEdit, ActionDelete, ActionChangeVisibility, ActionExport, ActionActivate, ActionAssign, ActionDecide}

// writes is the set of actions a read-only API token may not perform.
func (a Action) isWrite() bool { return a != ActionRead && a != ActionExport }

// Visibility is who an owner lets see evidence or a document. The levels are
// ordered: each one keeps everything the narrower ones allow and adds
// audience or rights, so a grant "from level X" holds at X and above.
type Visibility string

const (
	VisPrivate               Visibility = "private"                // the owner alone
	VisManager               Visibility = "manager"                // the owner and their reporting line
	VisOrganisationViewer    Visibility = "organisation-viewer"    // everyone signed in may read
	VisOrganisationCommenter Visibility = "organisation-commenter" // everyone signed in may comment
	VisOrganisationEditor    Visibility = "organisation-editor"    // everyone signed in may edit
)

// Visibilities lists the levels from narrowest to widest.
var Visibilities = []Visibility{VisPrivate, VisManager, VisOrganisationViewer, VisOrganisationCommenter, VisOrganisationEditor}

// Valid reports whether v is one of Visibilities.
func (v Visibility) Valid() bool { return slices.Contains(Visibilities, v) }

// rank orders visibilities; an empty or unknown level ranks as private, so a
// resource whose visibility was never set is as closed as it gets.
func (v Visibility) rank() int { return max(slices.Index(Visibilities, v), 0) }

// Grant is one row of the policy: from visibility From upwards (From is ""
// for kinds without a visibility, and for actions that do not depend on it),
// actors holding any of the relations Who may do Action on resources of
// kind Kind.
type Grant struct {
	Kind   Kind
	Action Action
	From   Visibility
	Who    []Relation
}

func grantTo(r ...Relation) []Relation { return r }

// Shorthands for the audiences that recur in the table.
var (
	ownerAndLine  = grantTo(RelSelf, RelManager, RelManagerChain) // the owner and their reporting line
	reportingLine = grantTo(RelManager, RelManagerChain)
	signedIn      = grantTo(RelSignedIn)
)

// grants is the policy. Only grants exist: a row never takes a right away,
// so a reader can check one kind by reading its rows alone. The reasons are
// in the comments; the rows are what is enforced.
var grants = []Grant{
	// Frameworks describe the career paths of everyone, so everyone signed in
	// reads them. Changing which framework judges people is an operator's
	// decision: admins only.
	{KindFramework, ActionRead, "", signedIn},
	{KindFramework, ActionExport, "", signedIn},
	{KindFramework, ActionCreate, "", grantTo(RelAdmin)},
	{KindFramework, ActionActivate, "", grantTo(RelAdmin)},

	// The directory and org chart are open inside the organisation: finding
	// people in a target role for a coffee chat is a feature. A person keeps
	// their own profile basics (name, tags) current; admins may too. Job role,
	// manager, access and leaving change what others may see of a person, so
	// only admins assign them, and every change is audited.
	{KindPerson, ActionRead, "", signedIn},
	{KindPerson, ActionEdit, "", grantTo(RelSelf, RelAdmin)},
	{KindPerson, ActionCreate, "", grantTo(RelAdmin)},
	{KindPerson, ActionAssign, "", grantTo(RelAdmin)},

	// Evidence is the person's own record of their work. Only they write it,
	// delete it or decide who sees it; the visibility ladder widens the
	// audience. The reporting line (manager and up, which includes a
	// director of the department) reads and comments once it is shared with
	// the manager: that is how a manager coaches and how the manager's
	// manager is prepared for a nomination. Admins and people partners get
	// nothing beyond what everyone gets: running the instance or HR
	// standing is no reason to read a private brag sheet.
	{KindEvidence, ActionCreate, "", grantTo(RelSelf)},
	{KindEvidence, ActionRead, VisPrivate, grantTo(RelSelf)},
	{KindEvidence, ActionExport, VisPrivate, grantTo(RelSelf)},
	{KindEvidence, ActionComment, VisPrivate, grantTo(RelSelf)},
	{KindEvidence, ActionEdit, VisPrivate, grantTo(RelSelf)},
	{KindEvidence, ActionDelete, VisPrivate, grantTo(RelSelf)},
	{KindEvidence, ActionChangeVisibility, VisPrivate, grantTo(RelSelf)},
	{KindEvidence, ActionRead, VisManager, reportingLine},
	{KindEvidence, ActionExport, VisManager, reportingLine},
	{KindEvidence, ActionComment, VisManager, reportingLine},
	{KindEvidence, ActionRead, VisOrganisationViewer, signedIn},
	{KindEvidence, ActionExport, VisOrganisationViewer, signedIn},
	{KindEvidence, ActionComment, VisOrganisationCommenter, signedIn},
	{KindEvidence, ActionEdit, VisOrganisationEditor, signedIn},

	// A promotion document is drafted by the candidate with the manager, and
	// the manager writes the business justification, so the direct manager
	// may start one and edits it once it is shared with them. The chain
	// above reads and comments (the manager discusses it with their own
	// manager). Deleting it and choosing its audience stay with the
	// candidate: it is their case. Peer managers never see it here; they
	// review the separate peer-review copy.
	{KindDocument, ActionCreate, "", grantTo(RelSelf, RelManager)},
	{KindDocument, ActionRead, VisPrivate, grantTo(RelSelf)},
	{KindDocument, ActionExport, VisPrivate, grantTo(RelSelf)},
	{KindDocument, ActionComment, VisPrivate, grantTo(RelSelf)},
	{KindDocument, ActionEdit, VisPrivate, grantTo(RelSelf)},
	{KindDocument, ActionDelete, VisPrivate, grantTo(RelSelf)},
	{KindDocument, ActionChangeVisibility, VisPrivate, grantTo(RelSelf)},
	{KindDocument, ActionRead, VisManager, reportingLine},
	{KindDocument, ActionExport, VisManager, reportingLine},
	{KindDocument, ActionComment, VisManager, reportingLine},
	{KindDocument, ActionEdit, VisManager, grantTo(RelManager)},
	{KindDocument, ActionRead, VisOrganisationViewer, signedIn},
	{KindDocument, ActionExport, VisOrganisationViewer, signedIn},
	{KindDocument, ActionComment, VisOrganisationCommenter, signedIn},
	{KindDocument, ActionEdit, VisOrganisationEditor, signedIn},

	// Peer-manager review happens on a copy only managers see, so that other
	// managers can be frank. The candidate does not see it (it is not
	// there for them; the manager brings the outcome back into the
	// document). The direct manager opens and closes the review and folds
	// edits back.
	{KindPeerReview, ActionCreate, "", grantTo(RelManager)},
	{KindPeerReview, ActionRead, "", grantTo(RelManager, RelManagerChain, RelPeerManager, RelDirector)},
	{KindPeerReview, ActionComment, "", grantTo(RelManager, RelManagerChain, RelPeerManager, RelDirector)},
	{KindPeerReview, ActionEdit, "", grantTo(RelManager)},
	{KindPeerReview, ActionDelete, "", grantTo(RelManager)},

	// The growth plan is the person's; the manager gives input (comments)
	// and the chain above reads it to support growth. It is not a promotion
	// artefact, so people partners and admins do not see it.
	{KindGrowthPlan, ActionRead, "", ownerAndLine},
	{KindGrowthPlan, ActionCreate, "", grantTo(RelSelf)},
	{KindGrowthPlan, ActionEdit, "", grantTo(RelSelf)},
	{KindGrowthPlan, ActionComment, "", grantTo(RelSelf, RelManager)},
	{KindGrowthPlan, ActionExport, "", grantTo(RelSelf)},

	// The readiness assessment and projection are the manager's view of the
	// person against the next level. The person sees and answers it, because
	// readiness is discussed openly; the manager writes it; the chain reads
	// it to prepare calibration.
	{KindAssessment, ActionRead, "", ownerAndLine},
	{KindAssessment, ActionComment, "", grantTo(RelSelf, RelManager)},
	{KindAssessment, ActionCreate, "", grantTo(RelManager)},
	{KindAssessment, ActionEdit, "", grantTo(RelManager)},
	{KindAssessment, ActionDelete, "", grantTo(RelManager)},

	// Cycles and their dates are public inside the organisation: everyone
	// needs the nomination deadline. Directors and people partners plan them.
	{KindCycle, ActionRead, "", signedIn},
	{KindCycle, ActionCreate, "", grantTo(RelDirector, RelPeoplePartner)},
	{KindCycle, ActionEdit, "", grantTo(RelDirector, RelPeoplePartner)},

	// Calibration is leadership with the people partner reviewing all
	// nominations side by side. The people partner takes part in the
	// discussion (reads, comments) but the content is leadership's.
	{KindCalibration, ActionRead, "", grantTo(RelDirector, RelPeoplePartner)},
	{KindCalibration, ActionComment, "", grantTo(RelDirector, RelPeoplePartner)},
	{KindCalibration, ActionEdit, "", grantTo(RelDirector)},
	{KindCalibration, ActionExport, "", grantTo(RelDirector, RelPeoplePartner)},

	// A decision is made by the director of the candidate's department. The
	// candidate and their reporting line read it (written feedback goes out
	// either way). The people partner sees every decision (pay and the
	// announcement follow from it) but does not change it.
	{KindDecision, ActionRead, "", grantTo(RelSelf, RelManager, RelManagerChain, RelDirector, RelPeoplePartner)},
	{KindDecision, ActionDecide, "", grantTo(RelDirector)},
	{KindDecision, ActionExport, "", grantTo(RelDirector, RelPeoplePartner)},

	// The audit log names who looked at and changed sensitive things; the
	// operator and HR need it, nobody else. It is append-only: the system
	// writes it, no actor edits it.
	{KindAuditLog, ActionRead, "", grantTo(RelAdmin, RelPeoplePartner)},
	{KindAuditLog, ActionExport, "", grantTo(RelAdmin, RelPeoplePartner)},

	// Tokens act as their person, so only that person creates them. An admin
	// may list and revoke anyone's tokens to cut off a leaked one without
	// waiting for its owner; the secret itself is never stored.
	{KindToken, ActionRead, "", grantTo(RelSelf, RelAdmin)},
	{KindToken, ActionCreate, "", grantTo(RelSelf)},
	{KindToken, ActionDelete, "", grantTo(RelSelf, RelAdmin)},

	// Administration pages are the operator's.
	{KindAdmin, ActionRead, "", grantTo(RelAdmin)},
	{KindAdmin, ActionEdit, "", grantTo(RelAdmin)},

	// Openings are posted for everyone to see and say "I'm interested"
	// (comment). An opening belongs to its hiring manager, who posts and
	// edits it, as may their reporting line and admins; the hiring manager
	// must manage people (a rule of the store, not of who asks).
	{KindOpening, ActionRead, "", signedIn},
	{KindOpening, ActionComment, "", signedIn},
	{KindOpening, ActionCreate, "", grantTo(RelSelf, RelManager, RelManagerChain, RelDirector, RelAdmin)},
	{KindOpening, ActionEdit, "", grantTo(RelSelf, RelManager, RelManagerChain, RelDirector, RelAdmin)},

	// Programmes are announced to everyone; leadership and the people
	// partner run them. A person applies for themselves; their manager
	// approves; the programme's runners name mentors and record outcomes.
	// The place is the participant's business and their line's.
	{KindProgramme, ActionRead, "", signedIn},
	{KindProgramme, ActionCreate, "", grantTo(RelDirector, RelPeoplePartner, RelAdmin)},
	{KindProgramme, ActionEdit, "", grantTo(RelDirector, RelPeoplePartner, RelAdmin)},
	{KindParticipation, ActionRead, "", grantTo(RelSelf, RelManager, RelManagerChain, RelDirector, RelPeoplePartner, RelAdmin)},
	{KindParticipation, ActionCreate, "", grantTo(RelSelf)},
	{KindParticipation, ActionDecide, "", grantTo(RelManager)},
	{KindParticipation, ActionEdit, "", grantTo(RelDirector, RelPeoplePartner, RelAdmin)},

	// Interim and acting assignments are set by the manager (or an admin);
	// the person and their line see them, and HR, whose records follow.
	{KindAssignment, ActionRead, "", grantTo(RelSelf, RelManager, RelManagerChain, RelDirector, RelPeoplePartner, RelAdmin)},
	{KindAssignment, ActionCreate, "", grantTo(RelManager, RelAdmin)},
	{KindAssignment, ActionEdit, "", grantTo(RelManager, RelAdmin)},

	// A coffee chat is between its two sides: each side reads it, answers
	// it and keeps notes that are theirs alone. Nobody else, not even a
	// manager, reads who asked whom for advice.
	{KindChat, ActionRead, "", grantTo(RelSelf)},
	{KindChat, ActionCreate, "", grantTo(RelSelf)},
	{KindChat, ActionEdit, "", grantTo(RelSelf)},

	// Pairing sessions, office hours and mentorships are the host's record
	// of growing others; the reporting line reads them (and the cadence) to
	// coach, as information, not a score. Only the host logs and changes
	// them.
	{KindMentoring, ActionRead, "", ownerAndLine},
	{KindMentoring, ActionCreate, "", grantTo(RelSelf)},
	{KindMentoring, ActionEdit, "", grantTo(RelSelf)},
	{KindMentoring, ActionDelete, "", grantTo(RelSelf)},
}

// Grants returns a copy of the policy table, for documentation pages.
func Grants() []Grant {
	out := make([]Grant, len(grants))
	for i, g := range grants {
		g.Who = slices.Clone(g.Who)
		out[i] = g
	}
	return out
}

// Actor is who is asking.
type Actor struct {
	// Person is nil when nobody is signed in.
	Person *Person
	// HasReports says whether anyone reports to the person.
	HasReports bool
	// Chain is the person's own managers, direct manager first. It must be
	// loaded whenever HasReports is set: it keeps a manager from reviewing
	// the promotion case of someone above them (see Relations).
	Chain []int64
	// ReadOnly is set when the request came with a read-scoped API token: it
	// may do what the person may do, but only the reading part.
	ReadOnly bool
}

// Target is what the actor wants to act on. (Resource is taken: it is a
// learning resource of a framework.)
type Target struct {
	Kind Kind
	// Owner is the person the resource belongs to (nil for ownerless kinds).
	// For ActionCreate on an owned kind, the owner-to-be.
	Owner *Person
	// OwnerChain is the owner's managers, direct manager first.
	OwnerChain []int64
	// Visibility, for kinds that have one.
	Visibility Visibility
}

// Allowed reports whether any of the relations may do the action.
func Allowed(rels []Relation, action Action, kind Kind, vis Visibility) bool {
	for _, g := range grants {
		if g.Kind != kind || g.Action != action {
			continue
		}
		if g.From != "" && (!kind.HasVisibility() || vis.rank() < g.From.rank()) {
			continue
		}
		for _, r := range g.Who {
			if slices.Contains(rels, r) {
				return true
			}
		}
	}
	return false
}

// Authorize decides whether the actor may do the action on the resource. It
// returns nil, or an *Error:
//   - EUNAUTHORIZED when nobody is signed in: signing in might help, and
//     saying so reveals nothing, since it is the answer for everything;
//   - ENOTFOUND when the actor may not even read the resource: a hidden
//     document must look exactly like a missing one, or its existence leaks;
//   - EFORBIDDEN when the actor may read it but not do this.
//
// For creating an owned resource, "may read it" means may see the owner's
// profile: the collection is no secret, only its entries are.
func Authorize(actor Actor, action Action, res Target) error {
	if !slices.Contains(AllKinds, res.Kind) || !slices.Contains(AllActions, action) {
		return Errorf(EINTERNAL, "authorize: unknown kind %q or action %q", res.Kind, action)
	}
	if res.Kind.HasVisibility() && res.Visibility != "" && !res.Visibility.Valid() {
		return Errorf(EINTERNAL, "authorize: unknown visibility %q", res.Visibility)
	}
	owner := res.Owner
	if !res.Kind.Owned() {
		owner = nil
	}
	rels := Relations(actor, owner, res.OwnerChain)
	if slices.Contains(rels, RelAnonymous) {
		return &Error{Code: EUNAUTHORIZED, Message: "Sign in to continue."}
	}
	if Allowed(rels, action, res.Kind, res.Visibility) {
		if actor.ReadOnly && action.isWrite() {
			return Errorf(EFORBIDDEN, "This API token may only read; this needs a token with the write scope.")
		}
		return nil
	}
	var visible bool
	if action == ActionCreate && res.Kind.Owned() {
		visible = Allowed(rels, ActionRead, KindPerson, "")
	} else {
		visible = Allowed(rels, ActionRead, res.Kind, res.Visibility)
	}
	if !visible {
		return Errorf(ENOTFOUND, "No such %s.", kindNoun(res.Kind))
	}
	if action == ActionCreate {
		if res.Kind == KindPerson {
			return Errorf(EFORBIDDEN, "You may not add people.")
		}
		if res.Kind.Owned() {
			return Errorf(EFORBIDDEN, "You may not create a %s for this person.", kindNoun(res.Kind))
		}
		return Errorf(EFORBIDDEN, "You may not create a %s.", kindNoun(res.Kind))
	}
	return Errorf(EFORBIDDEN, "You may not %s this %s.", actionVerb(action), kindNoun(res.Kind))
}

// Can is Authorize as a boolean, for deciding which links and buttons a page
// shows.
func Can(actor Actor, action Action, res Target) bool {
	return Authorize(actor, action, res) == nil
}

func kindNoun(k Kind) string {
	switch k {
	case KindPeerReview:
		return "peer review"
	case KindGrowthPlan:
		return "growth plan"
	case KindAuditLog:
		return "audit log"
	case KindAdmin:
		return "page"
	case KindChat:
		return "coffee chat"
	case KindMentoring:
		return "mentoring record"
	}
	return string(k)
}

func actionVerb(a Action) string {
	switch a {
	case ActionChangeVisibility:
		return "change who sees"
	case ActionAssign:
		return "change the role, manager or access of"
	case ActionDecide:
		return "decide on"
	}
	return string(a)
}

// String renders a grant for documentation: "document edit from manager:
// manager".
func (g Grant) String() string {
	s := fmt.Sprintf("%s %s", g.Kind, g.Action)
	if g.From != "" {
		s += " from " + string(g.From)
	}
	return fmt.Sprintf("%s: %v", s, g.Who)
}
