package sqlstore_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"trellis"
)

func TestGrowthPlanSaveRefreshHistory(t *testing.T) {
	t.Parallel()
	e := newGrowthEnv(t)
	ctx := as(e.alice)
	empty, err := e.growth.FindPlan(ctx, e.alice.ID)
	if err != nil || empty.Version != 0 || empty.Period != "2026-H1" || len(empty.Goals) != 0 {
		t.Fatalf("plan before any = %+v, %v", empty, err)
	}
	due := day("2026-05-31")
	plan := &trellis.GrowthPlan{PersonID: e.alice.ID, Period: "2026-H1", TargetRoleID: "senior-support-engineer",
		Reflection: trellis.Reflection{Why: "More impact", Focus: "Deepen"},
		Goals: []trellis.Goal{
			{Title: "Run office hours", Due: &due, Status: trellis.GoalInProgress},
			{Title: "Write the upgrade runbook", Status: trellis.GoalDone},
			{Title: "Mentor an associate"},
		}}
	if err := e.growth.SavePlan(ctx, plan, 0); err != nil {
		t.Fatal(err)
	}
	if plan.Version != 1 || plan.TargetFramework != "support" || plan.Goals[2].Status != trellis.GoalNotStarted || plan.Goals[0].ID == "" {
		t.Fatalf("saved %+v", plan)
	}
	// Creating twice, or saving a stale version, is a conflict.
	again := *plan
	wantCode(t, e.growth.SavePlan(ctx, &again, 0), trellis.ECONFLICT)
	plan.Reflection.Drains = "Meetings"
	if err := e.growth.SavePlan(ctx, plan, 1); err != nil {
		t.Fatal(err)
	}
	stale := *plan
	wantCode(t, e.growth.SavePlan(ctx, &stale, 1), trellis.ECONFLICT)

	// Bad plans write nothing.
	bad := *plan
	bad.Goals = append(slices.Clone(plan.Goals), trellis.Goal{Title: "Fourth"})
	wantCode(t, e.growth.SavePlan(ctx, &bad, plan.Version), trellis.EINVALID)
	bad = *plan
	bad.Goals = []trellis.Goal{{Title: ""}}
	err = e.growth.SavePlan(ctx, &bad, plan.Version)
	wantDetail(t, err, "goals[0].title", "required")
	bad = *plan
	bad.TargetRoleID = "astronaut"
	wantDetail(t, e.growth.SavePlan(ctx, &bad, plan.Version), "target_role_id", "astronaut")
	got, err := e.growth.FindPlan(ctx, e.alice.ID)
	if err != nil || got.Version != 2 || got.Reflection.Drains != "Meetings" || len(got.Goals) != 3 || !got.Goals[0].Due.Equal(due) {
		t.Fatalf("stored plan %+v, %v", got, err)
	}

	// Refresh: history keeps the old period, unfinished goals carry over.
	wantCode(t, func() error { _, err := e.growth.RefreshPlan(ctx, e.alice.ID, "2026-H1"); return err }(), trellis.ERULE)
	wantCode(t, func() error { _, err := e.growth.RefreshPlan(ctx, e.alice.ID, "2026-Q3"); return err }(), trellis.EINVALID)
	next, err := e.growth.RefreshPlan(ctx, e.alice.ID, "2026-H2")
	if err != nil {
		t.Fatal(err)
	}
	if next.Period != "2026-H2" || next.Version != 3 || len(next.Goals) != 2 || next.Reflection.Why != "More impact" {
		t.Fatalf("refreshed %+v", next)
	}
	hist, err := e.growth.PlanHistory(ctx, e.alice.ID)
	if err != nil || len(hist) != 1 || hist[0].Period != "2026-H1" || len(hist[0].Goals) != 3 {
		t.Fatalf("history %+v, %v", hist, err)
	}
	e.clock.T = e.clock.T.AddDate(1, 0, 0)
	if _, err := e.growth.RefreshPlan(ctx, e.alice.ID, "2027-H1"); err != nil {
		t.Fatal(err)
	}
	hist, _ = e.growth.PlanHistory(ctx, e.alice.ID)
	if len(hist) != 2 || hist[0].Period != "2026-H2" || hist[1].Period != "2026-H1" {
		t.Errorf("history newest first: %+v", hist)
	}
	_, err = e.growth.FindPlan(ctx, 9999)
	wantCode(t, err, trellis.ENOTFOUND)
}

func TestConversationConfirmedOnlyByThePerson(t *testing.T) {
	t.Parallel()
	e := newGrowthEnv(t)
	c := &trellis.Conversation{PersonID: e.alice.ID, Date: day("2026-02-20"), Notes: "Talked about staff path"}
	if err := e.growth.RecordConversation(as(e.manager), c); err != nil {
		t.Fatal(err)
	}
	if c.ID == 0 || c.ManagerID != e.manager.ID || c.ConfirmedAt != nil {
		t.Fatalf("recorded %+v", c)
	}
	future := &trellis.Conversation{PersonID: e.alice.ID, Date: day("2026-04-01")}
	wantDetail(t, e.growth.RecordConversation(as(e.manager), future), "date", "future")

	wantCode(t, e.growth.ConfirmConversation(as(e.manager), c.ID), trellis.EFORBIDDEN)
	wantCode(t, e.growth.ConfirmConversation(as(e.bob), c.ID), trellis.EFORBIDDEN)
	wantCode(t, e.growth.ConfirmConversation(as(&trellis.Person{}), 9999), trellis.ENOTFOUND)
	if err := e.growth.ConfirmConversation(as(e.alice), c.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.growth.ConfirmConversation(as(e.alice), c.ID); err != nil {
		t.Fatalf("confirming twice: %v", err)
	}
	list, err := e.growth.ListConversations(as(e.alice), e.alice.ID)
	if err != nil || len(list) != 1 || list[0].ConfirmedAt == nil || !list[0].ConfirmedAt.Equal(e.clock.T) {
		t.Fatalf("conversations %+v, %v", list, err)
	}
	id := fmt.Sprint(c.ID)
	if got := e.actions(t, "conversation."); !slices.Equal(got, []string{"conversation.confirmed " + id, "conversation.recorded " + id}) {
		t.Errorf("conversation events %v", got)
	}
}

func TestAssessmentsNewestPerKind(t *testing.T) {
	t.Parallel()
	e := newGrowthEnv(t)
	save := func(by, comp, rating string, assessor *trellis.Person) {
		t.Helper()
		a := &trellis.Assessment{PersonID: e.alice.ID, RoleID: "senior-support-engineer", Competency: comp, By: by, Rating: rating}
		if err := e.readiness.SaveAssessment(as(assessor), a); err != nil {
			t.Fatal(err)
		}
		if a.FrameworkVersion != "2026.1" || a.AssessorID != assessor.ID {
			t.Fatalf("saved %+v", a)
		}
		e.clock.T = e.clock.T.Add(time.Minute)
	}
	save(trellis.BySelf, "troubleshooting", trellis.RatingDeveloping, e.alice)
	save(trellis.ByManager, "troubleshooting", trellis.RatingNotYet, e.manager)
	save(trellis.BySelf, "troubleshooting", trellis.RatingMeets, e.alice)
	save(trellis.ByManager, "communication", trellis.RatingMeets, e.manager)
	save(trellis.ByManager, "troubleshooting", trellis.RatingDeveloping, e.manager)

	bad := &trellis.Assessment{PersonID: e.alice.ID, RoleID: "senior-support-engineer", Competency: "juggling", By: trellis.BySelf, Rating: "meets"}
	wantDetail(t, e.readiness.SaveAssessment(as(e.alice), bad), "competency", "juggling")
	bad = &trellis.Assessment{PersonID: e.alice.ID, RoleID: "senior-support-engineer", Competency: "troubleshooting", By: trellis.BySelf, Rating: "great"}
	wantDetail(t, e.readiness.SaveAssessment(as(e.alice), bad), "rating", "great")

	list, err := e.readiness.ListAssessments(as(e.alice), e.alice.ID, trellis.Ref{ID: "support"}, "senior-support-engineer")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range list {
		got = append(got, a.Competency+"/"+a.By+"/"+a.Rating)
	}
	want := []string{"communication/manager/meets", "troubleshooting/self/meets", "troubleshooting/manager/developing"}
	if !slices.Equal(got, want) {
		t.Errorf("assessments %v, want %v", got, want)
	}
	if n := e.count(t, "assessments"); n != 5 {
		t.Errorf("%d assessments kept, want the whole history of 5", n)
	}
	other, err := e.readiness.ListAssessments(as(e.alice), e.alice.ID, trellis.Ref{ID: "support", Version: "2026.1"}, "staff-support-engineer")
	if err != nil || len(other) != 0 {
		t.Errorf("other role: %v, %v", other, err)
	}
}

func TestChecklistUpsert(t *testing.T) {
	t.Parallel()
	e := newGrowthEnv(t)
	ctx := as(e.alice)
	ev := entry(e.alice.ID, "2026-02-01", "Office hours", "growing-others")
	if err := e.evidence.CreateEvidence(ctx, ev); err != nil {
		t.Fatal(err)
	}
	bobs := entry(e.bob.ID, "2026-02-01", "Bob's", "growing-others")
	if err := e.evidence.CreateEvidence(as(e.bob), bobs); err != nil {
		t.Fatal(err)
	}
	item := &trellis.ChecklistItem{PersonID: e.alice.ID, RoleID: "senior-support-engineer", Kind: "consideration", Key: "c1", State: trellis.ItemPlanned}
	if err := e.readiness.SaveChecklistItem(ctx, item); err != nil {
		t.Fatal(err)
	}
	item.State, item.EvidenceIDs = trellis.ItemDone, []int64{ev.ID}
	if err := e.readiness.SaveChecklistItem(ctx, item); err != nil {
		t.Fatal(err)
	}
	res := &trellis.ChecklistItem{PersonID: e.alice.ID, RoleID: "senior-support-engineer", Kind: "resource", Key: "book-debugging", State: trellis.ItemPlanned}
	if err := e.readiness.SaveChecklistItem(ctx, res); err != nil {
		t.Fatal(err)
	}
	steal := &trellis.ChecklistItem{PersonID: e.alice.ID, RoleID: "senior-support-engineer", Kind: "consideration", Key: "c2", EvidenceIDs: []int64{bobs.ID}}
	wantDetail(t, e.readiness.SaveChecklistItem(ctx, steal), "evidence_ids", "own")
	wantDetail(t, e.readiness.SaveChecklistItem(ctx, &trellis.ChecklistItem{PersonID: e.alice.ID, RoleID: "x", Kind: "wish", Key: "k"}), "kind", "wish")

	list, err := e.readiness.ListChecklist(ctx, e.alice.ID, "support", "senior-support-engineer")
	if err != nil || len(list) != 2 {
		t.Fatalf("checklist %+v, %v", list, err)
	}
	if c := list[0]; c.Kind != "consideration" || c.State != trellis.ItemDone || !slices.Equal(c.EvidenceIDs, []int64{ev.ID}) {
		t.Errorf("consideration %+v", c)
	}
	if r := list[1]; r.Kind != "resource" || r.Key != "book-debugging" || len(r.EvidenceIDs) != 0 {
		t.Errorf("resource %+v", r)
	}
}
