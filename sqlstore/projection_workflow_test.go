package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"trellis"
)

func (e *promoEnv) projectionOf(t *testing.T, p *trellis.Person) *trellis.Projection {
	t.Helper()
	all, err := e.cycles.ListProjections(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range all {
		if pr.PersonID == p.ID {
			return pr
		}
	}
	return nil
}

// historyOf returns the statuses of p's projection history, oldest first,
// with the moves that set them ("" by hand).
func (e *promoEnv) historyOf(t *testing.T, p *trellis.Person) (statuses, moves []string, list []*trellis.ProjectionChange) {
	t.Helper()
	list, err := e.cycles.ProjectionHistory(context.Background(), []int64{p.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		statuses = append(statuses, c.Status)
		moves = append(moves, c.Move)
	}
	return statuses, moves, list
}

// approvedDoc starts p's document towards senior support engineer in the cycle,
// open to the manager, filled in and taken to approved by its line.
func (e *promoEnv) approvedDoc(t *testing.T, p, manager, skip *trellis.Person) *trellis.Document {
	t.Helper()
	d := &trellis.Document{PersonID: p.ID, TargetRole: "senior-support-engineer", Visibility: trellis.VisManager, CycleID: &e.cycle.ID}
	if err := e.docs.CreateDocument(as(p), d); err != nil {
		t.Fatal(err)
	}
	d = e.fill(t, p, d)
	d = e.move(t, p, d, trellis.DocManagerReview, "")
	d = e.move(t, manager, d, trellis.DocPeerReview, "")
	return e.move(t, skip, d, trellis.DocApproved, "")
}

// The projection follows the workflow: a nomination makes it nominated in
// the cycle (made for the manager when they had none), the promotion taking
// effect makes it promoted; each change audited and kept in the history
// with the document and move that made it.
func TestProjectionFollowsNominationAndPromotion(t *testing.T) {
	t.Parallel()
	e := newPromoEnv(t)
	ctx := context.Background()
	if e.projectionOf(t, e.alice) != nil {
		t.Fatal("alice has a projection already")
	}
	d := e.approvedDoc(t, e.alice, e.maria, e.sam)
	if e.projectionOf(t, e.alice) != nil {
		t.Fatal("a projection before the nomination")
	}

	// A refused nomination (past the deadline) changes nothing.
	deadline := e.clock.T
	e.clock.T = e.cycle.Phases[trellis.PhaseNominationDeadline].AddDate(0, 0, 1)
	_, err := e.docs.MoveDocument(as(e.maria), d.ID, trellis.DocNominated, "", d.Version)
	wantCode(t, err, trellis.ERULE)
	if e.projectionOf(t, e.alice) != nil {
		t.Fatal("a refused nomination made a projection")
	}
	e.clock.T = deadline

	d = e.move(t, e.maria, d, trellis.DocNominated, "")
	p := e.projectionOf(t, e.alice)
	if p == nil || p.Status != trellis.ProjectionNominated || p.ManagerID != e.maria.ID || p.TargetRole != "senior-support-engineer" ||
		p.CycleID == nil || *p.CycleID != e.cycle.ID || p.Version != 1 {
		t.Fatalf("projection after the nomination: %+v", p)
	}
	if mine, _ := e.cycles.ListProjections(ctx, &e.maria.ID); len(mine) != 1 || mine[0].ID != p.ID {
		t.Errorf("maria's projections: %+v", mine)
	}
	ev := e.auditOf(t, "projection.saved")
	if len(ev) != 1 || ev[0].Before != nil || ev[0].After["status"] != trellis.ProjectionNominated || ev[0].After["move"] != "document.nominate" ||
		ev[0].ActorID == nil || *ev[0].ActorID != e.maria.ID || ev[0].TargetID != fmt.Sprint(e.alice.ID) {
		t.Fatalf("audit of the projection: %+v", ev)
	}

	// Calibration and the decision leave it nominated; the promotion
	// taking effect makes it promoted.
	d = e.move(t, e.pat, d, trellis.DocInCalibration, "")
	if err := e.cycles.RecordDecision(as(e.dana), &trellis.Decision{DocumentID: d.ID, Approved: true, Rationale: "Works at the senior level."}); err != nil {
		t.Fatal(err)
	}
	if p := e.projectionOf(t, e.alice); p.Status != trellis.ProjectionNominated || p.Version != 1 {
		t.Errorf("after an approval the projection is %+v", p)
	}
	d, _ = e.docs.FindDocument(ctx, d.ID)
	e.clock.T = e.effectiveDate.Add(8 * time.Hour)
	d = e.move(t, e.dana, d, trellis.DocEffective, "")
	if p := e.projectionOf(t, e.alice); p.Status != trellis.ProjectionPromoted || p.Version != 2 || *p.CycleID != e.cycle.ID {
		t.Errorf("after the promotion took effect the projection is %+v", p)
	}
	statuses, moves, list := e.historyOf(t, e.alice)
	if !slices.Equal(statuses, []string{trellis.ProjectionNominated, trellis.ProjectionPromoted}) ||
		!slices.Equal(moves, []string{"document.nominate", "document.effective"}) {
		t.Errorf("history %v by %v", statuses, moves)
	}
	if list[1].DocumentID == nil || *list[1].DocumentID != d.ID || list[1].ChangedBy == nil || *list[1].ChangedBy != e.dana.ID ||
		!list[1].ChangedAt.Equal(e.clock.T) || list[1].Version != 2 {
		t.Errorf("history row %+v", list[1])
	}
	// Library moves leave it alone.
	e.move(t, e.alice, d, trellis.DocInLibrary, "")
	if p := e.projectionOf(t, e.alice); p.Version != 2 {
		t.Errorf("the library move changed the projection: %+v", p)
	}
}

// Not approved: back to not-this-cycle, keeping the manager's note, the
// target and the cycle, and the history of the nomination before it. A
// projection made by hand keeps its history too. A withdrawal after the
// nomination is not this cycle either; out of cycle there is no cycle.
func TestProjectionNotApprovedWithdrawnAndOutOfCycle(t *testing.T) {
	t.Parallel()
	e := newPromoEnv(t)
	ctx := context.Background()
	// Peter projects paul by hand: on track for senior, no cycle yet.
	mine := &trellis.Projection{PersonID: e.paul.ID, TargetRole: "senior-support-engineer", Status: trellis.ProjectionOnTrack, Note: "Owns the runbook."}
	if err := e.cycles.SaveProjection(as(e.peter), mine, 0); err != nil {
		t.Fatal(err)
	}
	d := e.approvedDoc(t, e.paul, e.peter, e.sam)
	d = e.move(t, e.peter, d, trellis.DocNominated, "")
	d = e.move(t, e.pat, d, trellis.DocInCalibration, "")
	if err := e.cycles.RecordDecision(as(e.dana), &trellis.Decision{DocumentID: d.ID, Approved: false, Rationale: "Not yet across teams."}); err != nil {
		t.Fatal(err)
	}
	p := e.projectionOf(t, e.paul)
	if p.Status != trellis.ProjectionNotThisCycle || p.Note != "Owns the runbook." || p.CycleID == nil || *p.CycleID != e.cycle.ID ||
		p.ManagerID != e.peter.ID || p.Version != 3 {
		t.Fatalf("after the refusal the projection is %+v", p)
	}
	statuses, moves, _ := e.historyOf(t, e.paul)
	if !slices.Equal(statuses, []string{trellis.ProjectionOnTrack, trellis.ProjectionNominated, trellis.ProjectionNotThisCycle}) ||
		!slices.Equal(moves, []string{"", "document.nominate", "document.decide"}) {
		t.Errorf("history %v by %v", statuses, moves)
	}
	// The audit log lists the newest first.
	if ev := e.auditOf(t, "projection.saved"); len(ev) != 3 || ev[0].Before["status"] != trellis.ProjectionNominated || ev[0].After["status"] != trellis.ProjectionNotThisCycle {
		t.Errorf("audit %+v", ev)
	}
	// Revising for a later cycle leaves it as the manager now sees it.
	d, _ = e.docs.FindDocument(ctx, d.ID)
	e.move(t, e.paul, d, trellis.DocDraft, "")
	if p := e.projectionOf(t, e.paul); p.Status != trellis.ProjectionNotThisCycle || p.Version != 3 {
		t.Errorf("reopening changed the projection: %+v", p)
	}

	// Alice is nominated, then withdraws.
	a := e.approvedDoc(t, e.alice, e.maria, e.sam)
	a = e.move(t, e.maria, a, trellis.DocNominated, "")
	a = e.move(t, e.alice, a, trellis.DocWithdrawn, "")
	if p := e.projectionOf(t, e.alice); p.Status != trellis.ProjectionNotThisCycle || p.Version != 2 {
		t.Errorf("after the withdrawal the projection is %+v", p)
	}
	// Reopened and nominated out of cycle by the director: nominated, no
	// cycle.
	a = e.move(t, e.alice, a, trellis.DocDraft, "")
	a = e.move(t, e.alice, a, trellis.DocManagerReview, "")
	a = e.move(t, e.maria, a, trellis.DocPeerReview, "")
	a = e.move(t, e.sam, a, trellis.DocApproved, "")
	a.OutOfCycle = true
	if err := e.docs.UpdateDocument(as(e.alice), a, a.Version); err != nil {
		t.Fatal(err)
	}
	out, err := e.docs.MoveDocument(as(e.dana), a.ID, trellis.DocNominated, "The enterprise team starts next month.", a.Version)
	if err != nil {
		t.Fatal(err)
	}
	if p := e.projectionOf(t, e.alice); p.Status != trellis.ProjectionNominated || p.CycleID != nil || !out.OutOfCycle || p.Version != 3 {
		t.Errorf("out of cycle the projection is %+v", p)
	}
}
