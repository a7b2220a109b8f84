package trellis

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// This file is the promotion workflow: the state machine over the document
// states of document.go. Read the moves table top to bottom to know which
// move exists, who may make it and whether it needs a note; the guards that
// look at the document, the cycle and the clock are in CheckMove, each with
// the reason in its comment.

// Move is one allowed transition of a promotion document.
type Move struct {
	From, To string
	// Name says what the move does, as a button would: "submit for manager
	// review".
	Name string
	// Who may make the move, as relations to the candidate (see Relations).
	Who []Relation
	// NoteRequired: the move needs a written note (a reason to return the
	// document, the rationale of a decision).
	NoteRequired bool
	// OutOfCycle: the row applies only to documents nominated outside any
	// cycle (Document.OutOfCycle); rows without it apply only to documents
	// in a cycle. Rows of other moves apply to both.
	OutOfCycle bool
	// cycleSpecific says that OutOfCycle is meaningful for the row.
	cycleSpecific bool
}

// moveRow is a shorthand for the table.
func moveRow(from, to, name string, note bool, who ...Relation) Move {
	return Move{From: from, To: to, Name: name, Who: who, NoteRequired: note}
}

// moves is the workflow. The promotion process of the domain, in order:
// the candidate drafts with the manager; the manager reviews and writes the
// justification; other managers review a copy; the manager's manager
// approves the nomination; the manager nominates into a cycle (out of cycle,
// a director does: the longer approval chain); leadership calibrates and
// decides with written feedback either way; the role changes on the
// effective date; the candidate may share the document in the library.
var moves = func() []Move {
	var m []Move
	add := func(mv Move) { m = append(m, mv) }

	// Either author may hand the draft over: the candidate when it is
	// ready, the manager when they drafted it together.
	add(moveRow(DocDraft, DocManagerReview, "submit for manager review", false, RelSelf, RelManager))
	// The manager sends it back with what to change.
	add(moveRow(DocManagerReview, DocDraft, "return to the candidate", true, RelManager, RelManagerChain))
	// Once the justification is written, other managers review a copy.
	add(moveRow(DocManagerReview, DocPeerReview, "open peer-manager review", false, RelManager))
	// The manager closes the peer review to fold the comments back in.
	add(moveRow(DocPeerReview, DocManagerReview, "close peer review and revise", false, RelManager))
	add(moveRow(DocPeerReview, DocDraft, "return to the candidate", true, RelManager, RelManagerChain))
	// The manager's manager (or a director in the chain) approves the
	// nomination, or returns it.
	add(moveRow(DocPeerReview, DocApproved, "approve the nomination", false, RelManagerChain, RelDirector))
	add(moveRow(DocApproved, DocDraft, "return to the candidate", true, RelManager, RelManagerChain))
	// In a cycle the manager nominates; out of cycle the longer chain ends
	// with a director of the department, who must say why it cannot wait.
	inCycle := moveRow(DocApproved, DocNominated, "nominate into the cycle", false, RelManager)
	inCycle.cycleSpecific = true
	add(inCycle)
	outCycle := moveRow(DocApproved, DocNominated, "nominate out of cycle", true, RelDirector)
	outCycle.cycleSpecific, outCycle.OutOfCycle = true, true
	add(outCycle)
	// Leadership and the people partner open calibration.
	add(moveRow(DocNominated, DocInCalibration, "open calibration", false, RelDirector, RelPeoplePartner))
	// A director of the department decides, with written feedback either way.
	add(moveRow(DocInCalibration, DocDecidedYes, "approve the promotion", true, RelDirector))
	add(moveRow(DocInCalibration, DocDecidedNo, "do not approve the promotion", true, RelDirector))
	// The role changes on the cycle's effective date; the scheduler does it
	// as an admin, or leadership and the people partner by hand.
	add(moveRow(DocDecidedYes, DocEffective, "make the promotion effective", false, RelDirector, RelPeoplePartner, RelAdmin))
	// Only the candidate may put their case in the library: it is their
	// consent.
	add(moveRow(DocEffective, DocInLibrary, "share in the library", false, RelSelf))
	add(moveRow(DocInLibrary, DocEffective, "remove from the library", false, RelSelf))
	// Not approved: the candidate and manager may work on it for a later
	// cycle; it is judged again against the framework in force then.
	add(moveRow(DocDecidedNo, DocDraft, "revise for a later cycle", false, RelSelf, RelManager))
	// It is the candidate's case: they (or the manager with them) may
	// withdraw it until a decision is made, and take it up again later.
	for _, from := range []string{DocDraft, DocManagerReview, DocPeerReview, DocApproved, DocNominated, DocInCalibration} {
		add(moveRow(from, DocWithdrawn, "withdraw", false, RelSelf, RelManager))
	}
	add(moveRow(DocWithdrawn, DocDraft, "reopen", false, RelSelf, RelManager))
	return m
}()

// Moves returns the workflow table, readable top to bottom.
func Moves() []Move {
	out := make([]Move, len(moves))
	for i, m := range moves {
		m.Who = slices.Clone(m.Who)
		out[i] = m
	}
	return out
}

// MovesFrom returns the moves out of a state that apply to the document
// (in cycle or out of cycle).
func MovesFrom(d *Document) []Move {
	var out []Move
	for _, m := range moves {
		if m.From == d.State && (!m.cycleSpecific || m.OutOfCycle == d.OutOfCycle) {
			m.Who = slices.Clone(m.Who)
			out = append(out, m)
		}
	}
	return out
}

// MovesFor returns the moves out of the document's state that actors with
// rels may make, for the buttons of a page. Guards are not checked.
func MovesFor(d *Document, rels []Relation) []Move {
	candidates := MovesFrom(d)
	if d.State == DocApproved {
		// Whether a nomination is in or out of cycle is chosen when it is
		// made, so the buttons offer both kinds to whoever may make them.
		other := *d
		other.OutOfCycle = !d.OutOfCycle
		for _, m := range MovesFrom(&other) {
			if m.To == DocNominated {
				candidates = append(candidates, m)
			}
		}
	}
	var out []Move
	for _, m := range candidates {
		if holdsAny(rels, m.Who) {
			out = append(out, m)
		}
	}
	return out
}

func holdsAny(rels, who []Relation) bool {
	for _, r := range who {
		if slices.Contains(rels, r) {
			return true
		}
	}
	return false
}

// MoveContext is what the guards of a move look at besides the document.
type MoveContext struct {
	Now time.Time
	// Cycle is the cycle the document is nominated into or belongs to: needed
	// to nominate (in cycle) and to make a promotion effective.
	Cycle *Cycle
	// Note is the actor's note: the reason to return, the decision's
	// rationale, why an out-of-cycle nomination cannot wait.
	Note string
	// Framework is the framework version the document is judged against; the
	// guards on required sections need it (nil skips them).
	Framework *Framework
	// Feedback is the document's feedback requests (Staff and above).
	Feedback []*FeedbackRequest
	// ReviewDue is the comments-due day the manager chose when opening
	// peer-manager review (nil: the default, DefaultReviewDue). It goes
	// with the move to peer-review only.
	ReviewDue *time.Time
}

// CheckMove decides whether actors holding rels may move d to state to.
// It returns nil or an *Error:
//   - EINVALID when to is no state at all;
//   - ECONFLICT when the move does not exist from the document's state,
//     naming the moves that do;
//   - EFORBIDDEN when the move exists but none of rels may make it, naming
//     who may;
//   - ERULE when a guard fails, saying what must be true first.
//
// Guards (decided here, documented once):
//   - a comments-due day goes with the move to peer-review only, and is
//     checked by CheckReviewDue (not in the past, not after the nomination
//     deadline of the document's cycle);
//   - submit for manager review: every required section the candidate
//     writes has text;
//   - open peer-manager review and approve the nomination: every required
//     section but feedback has text, so the manager's justification too;
//   - nominate into the cycle: the document has a cycle whose nomination
//     deadline day has not passed (the whole day counts, in UTC);
//   - nominate out of cycle: a note saying why it cannot wait (the row
//     requires it); no cycle is needed;
//   - nominate, either way: no feedback request is still open and not yet
//     due. Feedback is optional (Staff and above), so unanswered requests
//     past their due date or without one do not block; a request still
//     within its due date does, so that an answer on its way is not lost;
//   - approve or not approve the promotion: the rationale (the note);
//   - make the promotion effective: in a cycle, on or after its effective
//     date; out of cycle, any time after the decision.
//
// The comments-due day of a peer review blocks nothing: the manager closes
// the review (or the chain approves) before or after it, as they decide.
func CheckMove(d *Document, to string, rels []Relation, ctx MoveContext) error {
	if !slices.Contains(DocumentStates, to) {
		return &Error{Code: EINVALID, Message: fmt.Sprintf("%q is not a document state; use one of %s%s",
			to, strings.Join(DocumentStates, ", "), suggestion(to, DocumentStates)),
			Details: []FieldError{{Field: "to", Message: "unknown state"}}}
	}
	m, ok := findMove(d, to)
	if !ok {
		return &Error{Code: ECONFLICT, Message: notAllowedMessage(d, to)}
	}
	if !holdsAny(rels, m.Who) {
		return Errorf(EFORBIDDEN, "Only %s may %s.", whoPhrase(m.Who), m.Name)
	}
	if m.NoteRequired && strings.TrimSpace(ctx.Note) == "" {
		return &Error{Code: ERULE, Message: fmt.Sprintf("To %s, write a note: %s.", m.Name, noteHint(m)),
			Details: []FieldError{{Field: "note", Message: "a note is required for this move"}}}
	}
	if ctx.ReviewDue != nil {
		if to != DocPeerReview {
			return &Error{Code: EINVALID, Message: "A comments-due date goes with the move to peer-review only.",
				Details: []FieldError{{Field: "review_due", Message: "only when opening peer-manager review"}}}
		}
		if err := CheckReviewDue(*ctx.ReviewDue, ctx.Now, ctx.Cycle); err != nil {
			return err
		}
	}
	switch {
	case d.State == DocDraft && to == DocManagerReview:
		if missing := emptyRequiredSections(d, ctx.Framework, func(s Section) bool { return s.Author == "candidate" }); len(missing) > 0 {
			return sectionsMissing("submitting for manager review", missing)
		}
	case to == DocPeerReview || to == DocApproved && d.State == DocPeerReview:
		if missing := emptyRequiredSections(d, ctx.Framework, func(s Section) bool { return s.Author != "feedback" }); len(missing) > 0 {
			return sectionsMissing("this step", missing)
		}
	case to == DocNominated:
		if !d.OutOfCycle {
			if err := nominationOpen(d, ctx); err != nil {
				return err
			}
		}
		if err := feedbackSettled(ctx); err != nil {
			return err
		}
	case to == DocEffective && d.State == DocDecidedYes:
		if !d.OutOfCycle {
			if ctx.Cycle == nil {
				return Errorf(ERULE, "The promotion takes effect on its cycle's effective date, and the document has no cycle.")
			}
			eff, ok := ctx.Cycle.Phases[PhaseEffective]
			if !ok || eff.IsZero() {
				return Errorf(ERULE, "Cycle %s has no effective date yet; set it first.", ctx.Cycle.Name)
			}
			if ctx.Now.Before(Day(eff)) {
				return Errorf(ERULE, "The promotion takes effect on %s, the effective date of cycle %s; it is %s now.",
					eff.Format(time.DateOnly), ctx.Cycle.Name, ctx.Now.UTC().Format(time.DateOnly))
			}
		}
	}
	return nil
}

func findMove(d *Document, to string) (Move, bool) {
	for _, m := range MovesFrom(d) {
		if m.To == to {
			return m, true
		}
	}
	return Move{}, false
}

func notAllowedMessage(d *Document, to string) string {
	from := MovesFrom(d)
	msg := fmt.Sprintf("A document in state %s cannot move to %s.", stateOrNone(d.State), to)
	if len(from) == 0 {
		return msg + " No move leads out of " + stateOrNone(d.State) + "."
	}
	names := make([]string, len(from))
	for i, m := range from {
		names[i] = fmt.Sprintf("%s (to %s)", m.Name, m.To)
	}
	return msg + " From " + d.State + " it may: " + strings.Join(names, "; ") + "."
}

func stateOrNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

var relationNouns = map[Relation]string{
	RelSelf:          "the candidate",
	RelManager:       "the candidate's manager",
	RelManagerChain:  "the manager's manager",
	RelPeerManager:   "a peer manager",
	RelDirector:      "a director of the department",
	RelPeoplePartner: "the people partner",
	RelAdmin:         "an admin",
	RelSignedIn:      "anyone signed in",
}

// whoPhrase names relations for people: "the candidate or the candidate's
// manager".
func whoPhrase(who []Relation) string {
	names := make([]string, len(who))
	for i, r := range who {
		names[i] = relationNouns[r]
		if names[i] == "" {
			names[i] = string(r)
		}
	}
	switch len(names) {
	case 0:
		return "nobody"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func noteHint(m Move) string {
	switch m.To {
	case DocDecidedYes, DocDecidedNo:
		return "the rationale, written feedback the candidate will read"
	case DocDraft:
		return "what to change"
	case DocNominated:
		return "why this promotion cannot wait for the next cycle"
	}
	return "the reason"
}

// templateOf returns the document's template in fw: by its template id, or
// the one serving its target role.
func templateOf(d *Document, fw *Framework) (*Template, bool) {
	if fw == nil {
		return nil, false
	}
	for i := range fw.Templates {
		if d.TemplateID != "" && fw.Templates[i].ID == d.TemplateID {
			return &fw.Templates[i], true
		}
	}
	return fw.TemplateFor(d.TargetRole)
}

// Section returns the document's text of a section ("" when absent).
func (d *Document) Section(id string) string {
	for _, s := range d.Sections {
		if s.ID == id {
			return s.Text
		}
	}
	return ""
}

// emptyRequiredSections lists the titles of the non-optional sections that
// match and have no text.
func emptyRequiredSections(d *Document, fw *Framework, match func(Section) bool) []string {
	tpl, ok := templateOf(d, fw)
	if !ok {
		return nil
	}
	var out []string
	for _, s := range tpl.Sections {
		if !s.Optional && match(s) && strings.TrimSpace(d.Section(s.ID)) == "" {
			out = append(out, s.Title)
		}
	}
	return out
}

func sectionsMissing(step string, titles []string) error {
	d := make([]FieldError, len(titles))
	for i, t := range titles {
		d[i] = FieldError{Field: "sections", Message: t + " is empty"}
	}
	return &Error{Code: ERULE, Message: fmt.Sprintf("Before %s, write %s.", step, strings.Join(titles, ", ")), Details: d}
}

// nominationOpen checks that the document's cycle still takes nominations:
// the nomination deadline is a day, and the whole day counts.
func nominationOpen(d *Document, ctx MoveContext) error {
	if ctx.Cycle == nil {
		return Errorf(ERULE, "Choose the cycle to nominate into, or nominate out of cycle with a director.")
	}
	dl, ok := ctx.Cycle.Phases[PhaseNominationDeadline]
	if !ok || dl.IsZero() {
		return Errorf(ERULE, "Cycle %s has no nomination deadline yet.", ctx.Cycle.Name)
	}
	if !ctx.Now.Before(Day(dl).AddDate(0, 0, 1)) {
		return Errorf(ERULE, "The nomination deadline of cycle %s was %s; nominate into a later cycle, or out of cycle with a director.",
			ctx.Cycle.Name, dl.Format(time.DateOnly))
	}
	return nil
}

// feedbackSettled checks that no feedback request is still open within its
// due date.
func feedbackSettled(ctx MoveContext) error {
	open := 0
	var latest time.Time
	for _, f := range ctx.Feedback {
		if f == nil || f.AnsweredAt != nil || f.Due == nil {
			continue
		}
		if ctx.Now.Before(Day(*f.Due).AddDate(0, 0, 1)) {
			open++
			if f.Due.After(latest) {
				latest = *f.Due
			}
		}
	}
	if open > 0 {
		return Errorf(ERULE, "%s still open and due by %s; nominate once they are answered or their due date has passed.",
			plural(open, "feedback request")+map[bool]string{true: " is", false: " are"}[open == 1], latest.Format(time.DateOnly))
	}
	return nil
}

// MoveEffect is what the store does besides changing the state, in the
// same transaction as the audit record of the move.
type MoveEffect struct {
	// Freeze: set Document.Frozen and keep FrameworkVersion as it is (the
	// version in force at nomination judges the document from now on).
	Freeze bool
	// Reopen: the document goes back to drafting: clear Frozen, CycleID
	// and OutOfCycle; FrameworkVersion becomes the active version again.
	Reopen bool
	// Submitted: set SubmittedAt to now (first hand-over for review).
	Submitted bool
	// ChangeRole: the candidate's role becomes the document's TargetRole and
	// RoleSince the effective date (the cycle's, or today out of cycle).
	ChangeRole bool
	// ToLibrary / FromLibrary: the document joins or leaves the library.
	ToLibrary, FromLibrary bool
	// OpenPeerReview: a round of peer-manager review starts, with its
	// comments-due day (MoveContext.ReviewDue or DefaultReviewDue).
	// ClosePeerReview: the open round ends (the move out of peer-review,
	// whichever way).
	OpenPeerReview, ClosePeerReview bool
	// Projection is the status the candidate's projection takes ("" leaves
	// it as it is): nominated at nomination, promoted when the promotion
	// takes effect, not-this-cycle when it is not approved or a nominated
	// document is withdrawn. ProjectionAfterMove says how.
	Projection string
	// Notify lists who hears of the move, as relations to the candidate.
	// The actor is never notified of their own move.
	Notify []Relation
	// Audit is the audit-log action ("document.submit").
	Audit string
}

// MoveEffects returns the effects of moving d to state to. It assumes the
// move was checked; for a move that does not exist it returns only the
// audit action.
func MoveEffects(d *Document, to string) MoveEffect {
	e := MoveEffect{Audit: "document.move." + to}
	e.OpenPeerReview = to == DocPeerReview && d.State != DocPeerReview
	e.ClosePeerReview = d.State == DocPeerReview && to != DocPeerReview
	switch to {
	case DocManagerReview:
		if d.State == DocDraft {
			e.Submitted = true
			e.Audit = "document.submit"
			e.Notify = []Relation{RelManager}
		} else {
			e.Audit = "document.peer-review.close"
			e.Notify = []Relation{RelSelf}
		}
	case DocPeerReview:
		e.Audit = "document.peer-review.open"
		e.Notify = []Relation{RelSelf, RelManagerChain, RelPeerManager}
	case DocApproved:
		e.Audit = "document.approve-nomination"
		e.Notify = []Relation{RelSelf, RelManager}
	case DocNominated:
		e.Freeze = true
		e.Projection = ProjectionNominated
		e.Audit = "document.nominate"
		e.Notify = []Relation{RelSelf, RelManager, RelManagerChain, RelDirector, RelPeoplePartner}
	case DocInCalibration:
		e.Audit = "document.calibrate"
		e.Notify = []Relation{RelSelf, RelManager}
	case DocDecidedYes, DocDecidedNo:
		if to == DocDecidedNo {
			e.Projection = ProjectionNotThisCycle
		}
		e.Audit = "document.decide"
		e.Notify = []Relation{RelSelf, RelManager, RelManagerChain, RelPeoplePartner}
	case DocEffective:
		if d.State == DocInLibrary {
			e.FromLibrary = true
			e.Audit = "document.library.remove"
			break
		}
		e.ChangeRole = true
		e.Projection = ProjectionPromoted
		e.Audit = "document.effective"
		e.Notify = []Relation{RelSelf, RelManager, RelManagerChain, RelPeoplePartner}
	case DocInLibrary:
		e.ToLibrary = true
		e.Audit = "document.library.add"
	case DocWithdrawn:
		e.Audit = "document.withdraw"
		e.Notify = []Relation{RelSelf, RelManager}
		if d.State == DocNominated || d.State == DocInCalibration {
			e.Notify = append(e.Notify, RelDirector, RelPeoplePartner)
			// The nomination is off: the projection no longer says it
			// stands.
			e.Projection = ProjectionNotThisCycle
		}
	case DocDraft:
		e.Audit = "document.return"
		e.Notify = []Relation{RelSelf, RelManager}
		switch d.State {
		case DocDecidedNo, DocWithdrawn:
			e.Reopen = true
			e.Audit = "document.reopen"
		}
	}
	return e
}
