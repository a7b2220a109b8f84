package trellis_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"trellis"
	"trellis/defaults"
)

func supportFramework(t *testing.T) *trellis.Framework {
	t.Helper()
	fw, err := defaults.Support()
	if err != nil {
		t.Fatalf("defaults.Support: %v", err)
	}
	return fw
}

func ymd(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// filledDocument is a Senior document with every section written.
func filledDocument(t *testing.T, fw *trellis.Framework, state string) *trellis.Document {
	t.Helper()
	p := &trellis.Person{ID: 7, Name: "Sam Lee", RoleID: "support-engineer"}
	d, err := trellis.NewDocument(fw, "", p, "senior-support-engineer", ymd(2027, 1, 10))
	if err != nil {
		t.Fatal(err)
	}
	for i := range d.Sections {
		d.Sections[i].Text = "Sam did things."
	}
	d.State = state
	cid := int64(3)
	d.CycleID = &cid
	return d
}

// goodContext satisfies every guard of the move into to.
func goodContext(fw *trellis.Framework, to string) trellis.MoveContext {
	c := trellis.DefaultCycles(2027)[0]
	ctx := trellis.MoveContext{Now: ymd(2027, 2, 10), Cycle: c, Framework: fw, Note: "Because."}
	if to == trellis.DocEffective {
		ctx.Now = ymd(2027, 4, 1)
	}
	return ctx
}

func TestMovesTable(t *testing.T) {
	var got []string
	for _, m := range trellis.Moves() {
		who := make([]string, len(m.Who))
		for i, r := range m.Who {
			who[i] = string(r)
		}
		s := m.From + " > " + m.To + ": " + strings.Join(who, ",")
		if m.NoteRequired {
			s += " (note)"
		}
		got = append(got, s)
	}
	want := []string{
		"draft > manager-review: self,manager",
		"manager-review > draft: manager,manager-chain (note)",
		"manager-review > peer-review: manager",
		"peer-review > manager-review: manager",
		"peer-review > draft: manager,manager-chain (note)",
		"peer-review > approved: manager-chain,director",
		"approved > draft: manager,manager-chain (note)",
		"approved > nominated: manager",
		"approved > nominated: director (note)",
		"nominated > in-calibration: director,people-partner",
		"in-calibration > promotion-approved: director (note)",
		"in-calibration > promotion-not-approved: director (note)",
		"promotion-approved > effective: director,people-partner,admin",
		"effective > in-library: self",
		"in-library > effective: self",
		"promotion-not-approved > draft: self,manager",
		"draft > withdrawn: self,manager",
		"manager-review > withdrawn: self,manager",
		"peer-review > withdrawn: self,manager",
		"approved > withdrawn: self,manager",
		"nominated > withdrawn: self,manager",
		"in-calibration > withdrawn: self,manager",
		"withdrawn > draft: self,manager",
	}
	if !slices.Equal(got, want) {
		t.Errorf("moves table:\n got %q\nwant %q", got, want)
	}
	for _, m := range trellis.Moves() {
		if !slices.Contains(trellis.DocumentStates, m.From) || !slices.Contains(trellis.DocumentStates, m.To) || m.Name == "" {
			t.Errorf("bad row %+v", m)
		}
	}
}

// TestCheckMoveMatrix tries every state, every target and every single
// relation: a move in the table is allowed to exactly its relations
// (EFORBIDDEN to the others), and any other pair is ECONFLICT for everyone.
func TestCheckMoveMatrix(t *testing.T) {
	fw := supportFramework(t)
	rels := []trellis.Relation{trellis.RelSelf, trellis.RelManager, trellis.RelManagerChain, trellis.RelPeerManager,
		trellis.RelDirector, trellis.RelPeoplePartner, trellis.RelAdmin, trellis.RelSignedIn}
	for _, outOfCycle := range []bool{false, true} {
		for _, from := range trellis.DocumentStates {
			for _, to := range trellis.DocumentStates {
				d := filledDocument(t, fw, from)
				d.OutOfCycle = outOfCycle
				if outOfCycle {
					d.CycleID = nil
				}
				var row *trellis.Move
				for _, m := range trellis.MovesFrom(d) {
					if m.To == to {
						row = &m
					}
				}
				for _, r := range rels {
					err := trellis.CheckMove(d, to, []trellis.Relation{r, trellis.RelSignedIn}, goodContext(fw, to))
					want := ""
					switch {
					case row == nil:
						want = trellis.ECONFLICT
					case !slices.Contains(row.Who, r) && !slices.Contains(row.Who, trellis.RelSignedIn):
						want = trellis.EFORBIDDEN
					}
					if got := trellis.ErrorCode(err); got != want {
						t.Errorf("out of cycle %v: %s > %s by %s: code %q (%v), want %q", outOfCycle, from, to, r, got, err, want)
					}
				}
			}
		}
	}
}

func TestCheckMoveMessages(t *testing.T) {
	fw := supportFramework(t)
	d := filledDocument(t, fw, trellis.DocDraft)
	err := trellis.CheckMove(d, trellis.DocNominated, []trellis.Relation{trellis.RelManager}, goodContext(fw, trellis.DocNominated))
	if trellis.ErrorCode(err) != trellis.ECONFLICT || !strings.Contains(err.Error(), "submit for manager review (to manager-review)") ||
		!strings.Contains(err.Error(), "withdraw (to withdrawn)") {
		t.Errorf("conflict names the allowed moves: %v", err)
	}
	d.State = trellis.DocApproved
	err = trellis.CheckMove(d, trellis.DocNominated, []trellis.Relation{trellis.RelSelf}, goodContext(fw, trellis.DocNominated))
	if trellis.ErrorCode(err) != trellis.EFORBIDDEN || !strings.Contains(err.Error(), "Only the candidate's manager may nominate into the cycle") {
		t.Errorf("forbidden names who may: %v", err)
	}
	err = trellis.CheckMove(d, "nominatd", []trellis.Relation{trellis.RelManager}, goodContext(fw, trellis.DocNominated))
	if trellis.ErrorCode(err) != trellis.EINVALID || !strings.Contains(err.Error(), `did you mean "nominated"`) {
		t.Errorf("unknown state: %v", err)
	}
	d.State = ""
	err = trellis.CheckMove(d, trellis.DocDraft, []trellis.Relation{trellis.RelSelf}, goodContext(fw, trellis.DocDraft))
	if trellis.ErrorCode(err) != trellis.ECONFLICT {
		t.Errorf("no state: %v", err)
	}
}

func TestCheckMoveGuards(t *testing.T) {
	fw := supportFramework(t)
	h1 := trellis.DefaultCycles(2027)[0] // nomination deadline 2027-02-15, effective 2027-04-01
	due := func(t time.Time) *time.Time { return &t }
	answered := ymd(2027, 2, 1)
	mgr := []trellis.Relation{trellis.RelManager}
	dir := []trellis.Relation{trellis.RelDirector}
	tests := []struct {
		name   string
		from   string
		edit   func(d *trellis.Document)
		to     string
		rels   []trellis.Relation
		ctx    trellis.MoveContext
		code   string
		phrase string
	}{
		{name: "submit with every candidate section", from: trellis.DocDraft, to: trellis.DocManagerReview, rels: []trellis.Relation{trellis.RelSelf},
			ctx: trellis.MoveContext{Framework: fw}},
		{name: "submit with an empty summary", from: trellis.DocDraft, to: trellis.DocManagerReview, rels: []trellis.Relation{trellis.RelSelf},
			edit: func(d *trellis.Document) { d.Sections[0].Text = "  " }, ctx: trellis.MoveContext{Framework: fw},
			code: trellis.ERULE, phrase: "write Summary"},
		{name: "submit without the manager's part is fine", from: trellis.DocDraft, to: trellis.DocManagerReview, rels: []trellis.Relation{trellis.RelSelf},
			edit: func(d *trellis.Document) { d.Sections[2].Text = "" }, ctx: trellis.MoveContext{Framework: fw}},
		{name: "peer review needs the justification", from: trellis.DocManagerReview, to: trellis.DocPeerReview, rels: mgr,
			edit: func(d *trellis.Document) { d.Sections[2].Text = "" }, ctx: trellis.MoveContext{Framework: fw},
			code: trellis.ERULE, phrase: "Business justification"},
		{name: "approval needs the justification", from: trellis.DocPeerReview, to: trellis.DocApproved, rels: []trellis.Relation{trellis.RelManagerChain},
			edit: func(d *trellis.Document) { d.Sections[2].Text = "" }, ctx: trellis.MoveContext{Framework: fw},
			code: trellis.ERULE, phrase: "Business justification"},
		{name: "returning needs a note", from: trellis.DocManagerReview, to: trellis.DocDraft, rels: mgr,
			code: trellis.ERULE, phrase: "what to change"},
		{name: "returning with a note", from: trellis.DocManagerReview, to: trellis.DocDraft, rels: mgr, ctx: trellis.MoveContext{Note: "Add links."}},
		{name: "nominate before the deadline", from: trellis.DocApproved, to: trellis.DocNominated, rels: mgr,
			ctx: trellis.MoveContext{Now: ymd(2027, 2, 10), Cycle: h1}},
		{name: "nominate on the deadline day", from: trellis.DocApproved, to: trellis.DocNominated, rels: mgr,
			ctx: trellis.MoveContext{Now: ymd(2027, 2, 15).Add(23 * time.Hour), Cycle: h1}},
		{name: "nominate after the deadline", from: trellis.DocApproved, to: trellis.DocNominated, rels: mgr,
			ctx: trellis.MoveContext{Now: ymd(2027, 2, 16), Cycle: h1}, code: trellis.ERULE, phrase: "nomination deadline of cycle 2027 H1 was 2027-02-15"},
		{name: "nominate without a cycle", from: trellis.DocApproved, to: trellis.DocNominated, rels: mgr,
			ctx: trellis.MoveContext{Now: ymd(2027, 2, 10)}, code: trellis.ERULE, phrase: "Choose the cycle"},
		{name: "out of cycle by a director with a reason", from: trellis.DocApproved, to: trellis.DocNominated, rels: dir,
			edit: func(d *trellis.Document) { d.OutOfCycle, d.CycleID = true, nil },
			ctx:  trellis.MoveContext{Now: ymd(2027, 5, 10), Note: "A team lead left; the role cannot wait."}},
		{name: "out of cycle without a reason", from: trellis.DocApproved, to: trellis.DocNominated, rels: dir,
			edit: func(d *trellis.Document) { d.OutOfCycle, d.CycleID = true, nil },
			ctx:  trellis.MoveContext{Now: ymd(2027, 5, 10)}, code: trellis.ERULE, phrase: "cannot wait"},
		{name: "out of cycle by the manager alone", from: trellis.DocApproved, to: trellis.DocNominated, rels: mgr,
			edit: func(d *trellis.Document) { d.OutOfCycle, d.CycleID = true, nil },
			ctx:  trellis.MoveContext{Now: ymd(2027, 5, 10), Note: "x"}, code: trellis.EFORBIDDEN, phrase: "director"},
		{name: "feedback still due blocks nomination", from: trellis.DocApproved, to: trellis.DocNominated, rels: mgr,
			ctx: trellis.MoveContext{Now: ymd(2027, 2, 10), Cycle: h1, Feedback: []*trellis.FeedbackRequest{
				{Due: due(ymd(2027, 2, 12))}, {Due: due(ymd(2027, 2, 11))}, {Due: due(ymd(2027, 2, 1))}}},
			code: trellis.ERULE, phrase: "2 feedback requests are still open and due by 2027-02-12"},
		{name: "answered, overdue and undated feedback does not", from: trellis.DocApproved, to: trellis.DocNominated, rels: mgr,
			ctx: trellis.MoveContext{Now: ymd(2027, 2, 10), Cycle: h1, Feedback: []*trellis.FeedbackRequest{
				{Due: due(ymd(2027, 2, 12)), AnsweredAt: &answered}, {Due: due(ymd(2027, 2, 9))}, {}}}},
		{name: "a decision needs its rationale", from: trellis.DocInCalibration, to: trellis.DocDecidedNo, rels: dir,
			code: trellis.ERULE, phrase: "rationale"},
		{name: "approval needs its rationale", from: trellis.DocInCalibration, to: trellis.DocDecidedYes, rels: dir, ctx: trellis.MoveContext{Note: " \n"},
			code: trellis.ERULE, phrase: "rationale"},
		{name: "effective before the date", from: trellis.DocDecidedYes, to: trellis.DocEffective, rels: []trellis.Relation{trellis.RelAdmin},
			ctx: trellis.MoveContext{Now: ymd(2027, 3, 31), Cycle: h1}, code: trellis.ERULE, phrase: "takes effect on 2027-04-01"},
		{name: "effective on the date", from: trellis.DocDecidedYes, to: trellis.DocEffective, rels: []trellis.Relation{trellis.RelAdmin},
			ctx: trellis.MoveContext{Now: ymd(2027, 4, 1), Cycle: h1}},
		{name: "effective out of cycle any time", from: trellis.DocDecidedYes, to: trellis.DocEffective, rels: []trellis.Relation{trellis.RelPeoplePartner},
			edit: func(d *trellis.Document) { d.OutOfCycle, d.CycleID = true, nil }, ctx: trellis.MoveContext{Now: ymd(2027, 5, 11)}},
		{name: "effective without a cycle", from: trellis.DocDecidedYes, to: trellis.DocEffective, rels: []trellis.Relation{trellis.RelAdmin},
			ctx: trellis.MoveContext{Now: ymd(2027, 4, 2)}, code: trellis.ERULE, phrase: "no cycle"},
		{name: "library only by the candidate", from: trellis.DocEffective, to: trellis.DocInLibrary, rels: []trellis.Relation{trellis.RelManager, trellis.RelDirector},
			code: trellis.EFORBIDDEN, phrase: "Only the candidate may share in the library"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := filledDocument(t, fw, tc.from)
			if tc.edit != nil {
				tc.edit(d)
			}
			err := trellis.CheckMove(d, tc.to, tc.rels, tc.ctx)
			if got := trellis.ErrorCode(err); got != tc.code {
				t.Fatalf("code %q (%v), want %q", got, err, tc.code)
			}
			if tc.phrase != "" && !strings.Contains(err.Error(), tc.phrase) {
				t.Errorf("message %q lacks %q", err, tc.phrase)
			}
		})
	}
}

func TestMoveEffects(t *testing.T) {
	fw := supportFramework(t)
	tests := []struct {
		from, to string
		check    func(e trellis.MoveEffect) bool
		want     string
	}{
		{trellis.DocDraft, trellis.DocManagerReview, func(e trellis.MoveEffect) bool {
			return e.Submitted && !e.Freeze && slices.Equal(e.Notify, []trellis.Relation{trellis.RelManager})
		}, "submitted, manager told"},
		{trellis.DocPeerReview, trellis.DocManagerReview, func(e trellis.MoveEffect) bool { return !e.Submitted }, "not a new submission"},
		{trellis.DocManagerReview, trellis.DocPeerReview, func(e trellis.MoveEffect) bool { return slices.Contains(e.Notify, trellis.RelPeerManager) }, "peer managers told"},
		{trellis.DocApproved, trellis.DocNominated, func(e trellis.MoveEffect) bool {
			return e.Freeze && !e.ChangeRole && slices.Contains(e.Notify, trellis.RelDirector)
		}, "framework frozen"},
		{trellis.DocInCalibration, trellis.DocDecidedNo, func(e trellis.MoveEffect) bool {
			return !e.ChangeRole && slices.Contains(e.Notify, trellis.RelSelf) && e.Audit == "document.decide"
		}, "candidate told, role kept"},
		{trellis.DocDecidedYes, trellis.DocEffective, func(e trellis.MoveEffect) bool { return e.ChangeRole && !e.ToLibrary }, "role changes"},
		{trellis.DocEffective, trellis.DocInLibrary, func(e trellis.MoveEffect) bool { return e.ToLibrary && !e.ChangeRole }, "to the library"},
		{trellis.DocInLibrary, trellis.DocEffective, func(e trellis.MoveEffect) bool { return e.FromLibrary && !e.ChangeRole }, "out of the library, role unchanged"},
		{trellis.DocDecidedNo, trellis.DocDraft, func(e trellis.MoveEffect) bool { return e.Reopen }, "reopened: unfrozen"},
		{trellis.DocWithdrawn, trellis.DocDraft, func(e trellis.MoveEffect) bool { return e.Reopen }, "reopened: unfrozen"},
		{trellis.DocManagerReview, trellis.DocDraft, func(e trellis.MoveEffect) bool { return !e.Reopen && slices.Contains(e.Notify, trellis.RelSelf) }, "returned, candidate told"},
		{trellis.DocNominated, trellis.DocWithdrawn, func(e trellis.MoveEffect) bool { return slices.Contains(e.Notify, trellis.RelDirector) }, "leadership told"},
	}
	for _, tc := range tests {
		d := filledDocument(t, fw, tc.from)
		if e := trellis.MoveEffects(d, tc.to); !tc.check(e) {
			t.Errorf("%s > %s: %+v, want %s", tc.from, tc.to, e, tc.want)
		}
	}
}

func TestMovesFor(t *testing.T) {
	fw := supportFramework(t)
	d := filledDocument(t, fw, trellis.DocApproved)
	var names []string
	for _, m := range trellis.MovesFor(d, []trellis.Relation{trellis.RelManager, trellis.RelSignedIn}) {
		names = append(names, m.Name)
	}
	if want := []string{"return to the candidate", "nominate into the cycle", "withdraw"}; !slices.Equal(names, want) {
		t.Errorf("manager's moves from approved: %q, want %q", names, want)
	}
	names = nil
	for _, m := range trellis.MovesFor(d, []trellis.Relation{trellis.RelDirector}) {
		names = append(names, m.Name)
	}
	if want := []string{"nominate out of cycle"}; !slices.Equal(names, want) {
		t.Errorf("director's moves from approved before choosing: %q, want %q", names, want)
	}
	d.OutOfCycle = true
	names = nil
	for _, m := range trellis.MovesFor(d, []trellis.Relation{trellis.RelDirector}) {
		names = append(names, m.Name)
	}
	if want := []string{"nominate out of cycle"}; !slices.Equal(names, want) {
		t.Errorf("director's moves out of cycle: %q, want %q", names, want)
	}
}

// The moves that set the candidate's projection, and only those.
func TestMoveEffectsOnTheProjection(t *testing.T) {
	fw := supportFramework(t)
	want := map[[2]string]string{
		{trellis.DocApproved, trellis.DocNominated}:       trellis.ProjectionNominated,
		{trellis.DocInCalibration, trellis.DocDecidedNo}:  trellis.ProjectionNotThisCycle,
		{trellis.DocDecidedYes, trellis.DocEffective}:     trellis.ProjectionPromoted,
		{trellis.DocNominated, trellis.DocWithdrawn}:      trellis.ProjectionNotThisCycle,
		{trellis.DocInCalibration, trellis.DocWithdrawn}:  trellis.ProjectionNotThisCycle,
		{trellis.DocInCalibration, trellis.DocDecidedYes}: "",
		{trellis.DocInLibrary, trellis.DocEffective}:      "",
	}
	for _, m := range trellis.Moves() {
		d := filledDocument(t, fw, m.From)
		if got := trellis.MoveEffects(d, m.To).Projection; got != want[[2]string{m.From, m.To}] {
			t.Errorf("%s > %s sets the projection to %q, want %q", m.From, m.To, got, want[[2]string{m.From, m.To}])
		}
	}
}
