package sqlstore_test

import (
	"context"
	"testing"

	"trellis"
	"trellis/sqlstore"
)

func TestProgrammeEntryApprovalMentorOutcome(t *testing.T) {
	t.Parallel()
	e := newGrowthEnv(t) // clock: 2026-03-01
	ctx := context.Background()
	svc := sqlstore.NewProgrammeService(e.db)
	people := sqlstore.NewPersonService(e.db)
	veteran := &trellis.Person{Email: "vera@example.com", Name: "vera", RoleID: "support-engineer", ManagerID: &e.manager.ID,
		RoleSince: day("2024-01-15"), Access: trellis.AccessEngineer, Active: true}
	newcomer := &trellis.Person{Email: "nia@example.com", Name: "nia", RoleID: "support-engineer", ManagerID: &e.manager.ID,
		RoleSince: day("2025-09-01"), Access: trellis.AccessEngineer, Active: true}
	for _, p := range []*trellis.Person{veteran, newcomer} {
		if err := people.CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	prog := &trellis.Programme{Name: "Aspiring leaders", MinMonthsInRole: 12, ManagerApproval: true,
		Themes: []string{"Leading yourself", "Leading others", " ", "Leading the work"}}
	if err := svc.CreateProgramme(ctx, prog); err != nil {
		t.Fatal(err)
	}
	wantCode(t, svc.CreateProgramme(ctx, &trellis.Programme{}), trellis.EINVALID)

	// Six months in role is too new.
	_, err := svc.Apply(ctx, prog.ID, newcomer.ID, "")
	wantCode(t, err, trellis.ERULE)
	x, err := svc.Apply(ctx, prog.ID, veteran.ID, "I want to lead.")
	if err != nil || x.State != trellis.ParticipationApplied {
		t.Fatal(x, err)
	}
	_, err = svc.Apply(ctx, prog.ID, veteran.ID, "")
	wantCode(t, err, trellis.ECONFLICT)
	if ns := inbox(t, e.db, e.manager.ID); len(ns) != 1 || ns[0].Kind != "programme.applied" {
		t.Fatalf("manager inbox %+v", ns)
	}
	// No outcome before approval.
	wantCode(t, svc.RecordOutcome(ctx, x.ID, trellis.OutcomeReady, ""), trellis.ERULE)
	if err := svc.Approve(ctx, x.ID, e.manager.ID, true); err != nil {
		t.Fatal(err)
	}
	wantCode(t, svc.Approve(ctx, x.ID, e.manager.ID, false), trellis.ERULE)
	// The mentor is a manager.
	wantCode(t, svc.SetMentor(ctx, x.ID, e.bob.ID), trellis.ERULE)
	if err := svc.SetMentor(ctx, x.ID, e.manager.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, svc.RecordOutcome(ctx, x.ID, "promoted", ""), trellis.EINVALID)
	if err := svc.RecordOutcome(ctx, x.ID, trellis.OutcomeRedirected, "Staff track suits better."); err != nil {
		t.Fatal(err)
	}
	list, err := svc.ListParticipants(ctx, prog.ID)
	if err != nil || len(list) != 1 || list[0].MentorName != "maria" || list[0].Outcome != trellis.OutcomeRedirected || list[0].State != trellis.ParticipationApproved {
		t.Fatalf("participants %+v %v", list, err)
	}
	got, err := svc.FindProgramme(ctx, prog.ID)
	if err != nil || len(got.Themes) != 3 || !got.ManagerApproval {
		t.Fatalf("programme %+v %v", got, err)
	}
}

func TestAssignmentsStore(t *testing.T) {
	t.Parallel()
	e := newGrowthEnv(t)
	ctx := context.Background()
	svc := sqlstore.NewProgrammeService(e.db)
	a := &trellis.Assignment{PersonID: e.alice.ID, Kind: trellis.ArrangementInterim, RoleID: "support-engineering-manager",
		StartsOn: day("2026-03-01"), EndsOn: day("2026-03-20"), SuccessCriteria: "One successful hire", CreatedBy: e.manager.ID}
	wantCode(t, svc.CreateAssignment(ctx, a), trellis.ERULE)
	a.EndsOn = day("2026-09-02")
	wantCode(t, svc.CreateAssignment(ctx, a), trellis.ERULE)
	a.EndsOn = day("2026-06-01")
	if err := svc.CreateAssignment(ctx, a); err != nil {
		t.Fatal(err)
	}
	if a.ReturnRoleID != "support-engineer" {
		t.Errorf("return role %q", a.ReturnRoleID)
	}
	bad := &trellis.Assignment{PersonID: e.alice.ID, Kind: trellis.ArrangementActing, RoleID: "astronaut", StartsOn: day("2026-03-01"), EndsOn: day("2026-04-01"), CreatedBy: e.manager.ID}
	wantCode(t, svc.CreateAssignment(ctx, bad), trellis.EINVALID)
	a.Outcome = "Hired two engineers."
	if err := svc.UpdateAssignment(ctx, a, 1); err != nil {
		t.Fatal(err)
	}
	wantCode(t, svc.UpdateAssignment(ctx, a, 1), trellis.ECONFLICT)
	list, err := svc.ListAssignments(ctx, e.alice.ID)
	if err != nil || len(list) != 1 || list[0].Outcome != "Hired two engineers." || !list[0].EndsOn.Equal(day("2026-06-01")) {
		t.Fatalf("%+v %v", list, err)
	}
	if ns := inbox(t, e.db, e.alice.ID); len(ns) != 1 || ns[0].Kind != "assignment.created" {
		t.Fatalf("inbox %+v", ns)
	}
}
