package sqlstore_test

import (
	"context"
	"strings"
	"testing"

	"trellis"
	"trellis/sqlstore"
)

func inbox(t *testing.T, db *sqlstore.DB, personID int64) []*trellis.Notification {
	t.Helper()
	ns, err := sqlstore.NewNotificationService(db).ListNotifications(context.Background(), personID, false, 100)
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

func TestOpeningsRulesInterestAndSubscriptions(t *testing.T) {
	t.Parallel()
	e := newGrowthEnv(t) // clock: 2026-03-01
	ctx := context.Background()
	svc := sqlstore.NewOpeningService(e.db)

	// Alice hears of management openings; Bob of senior engineer openings.
	if err := svc.Subscribe(ctx, &trellis.OpeningSubscription{PersonID: e.alice.ID, Track: "management"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Subscribe(ctx, &trellis.OpeningSubscription{PersonID: e.bob.ID, RoleID: "senior-support-engineer"}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, svc.Subscribe(ctx, &trellis.OpeningSubscription{PersonID: e.bob.ID, RoleID: "astronaut"}), trellis.EINVALID)
	wantCode(t, svc.Subscribe(ctx, &trellis.OpeningSubscription{PersonID: e.bob.ID}), trellis.EINVALID)

	// Closing sooner than five days after opening is refused, naming the dates.
	o := &trellis.Opening{RoleID: "support-engineering-manager", Team: "EMEA support", Region: "EMEA", Arrangement: trellis.ArrangementInterim,
		OpensOn: day("2026-03-01"), ClosesOn: day("2026-03-04"), Description: "Lead **the** team.", HiringManagerID: e.manager.ID, CreatedBy: e.manager.ID}
	err := svc.CreateOpening(ctx, o)
	wantCode(t, err, trellis.ERULE)
	if msg := trellis.ErrorMessage(err); !strings.Contains(msg, "2026-03-01") || !strings.Contains(msg, "2026-03-04") || !strings.Contains(msg, "2026-03-06") {
		t.Errorf("message %q", msg)
	}
	// A hiring manager without reports is refused.
	bad := *o
	bad.ClosesOn, bad.HiringManagerID = day("2026-03-10"), e.bob.ID
	wantCode(t, svc.CreateOpening(ctx, &bad), trellis.ERULE)
	if len(inbox(t, e.db, e.alice.ID)) != 0 {
		t.Fatal("refused openings notified someone")
	}

	o.ClosesOn = day("2026-03-06")
	if err := svc.CreateOpening(ctx, o); err != nil {
		t.Fatal(err)
	}
	if o.ID == 0 || o.Track != "management" || o.State != trellis.OpeningOpen || o.Version != 1 {
		t.Fatalf("created %+v", o)
	}
	// Alice (management track) hears of it; Bob (another role) does not.
	if ns := inbox(t, e.db, e.alice.ID); len(ns) != 1 || ns[0].Kind != "opening.posted" || !strings.Contains(ns[0].URL, "/openings/") {
		t.Fatalf("alice inbox %+v", ns)
	}
	if ns := inbox(t, e.db, e.bob.ID); len(ns) != 0 {
		t.Fatalf("bob was told of a non-matching opening: %+v", ns)
	}

	// Interest notifies the hiring manager with the note.
	if err := svc.ExpressInterest(ctx, o.ID, e.alice.ID, "I ran the team during the outage."); err != nil {
		t.Fatal(err)
	}
	ns := inbox(t, e.db, e.manager.ID)
	if len(ns) != 1 || ns[0].Kind != "opening.interest" || ns[0].Body != "I ran the team during the outage." || !strings.Contains(ns[0].Title, "alice") {
		t.Fatalf("manager inbox %+v", ns)
	}
	wantCode(t, svc.ExpressInterest(ctx, o.ID, e.manager.ID, ""), trellis.ERULE)
	in, err := svc.ListInterest(ctx, o.ID)
	if err != nil || len(in) != 1 || in[0].PersonName != "alice" {
		t.Fatalf("interest %+v %v", in, err)
	}

	// Edits keep the rule and the version.
	o.ClosesOn = day("2026-03-05")
	wantCode(t, svc.UpdateOpening(ctx, o, 1), trellis.ERULE)
	o.ClosesOn, o.State = day("2026-03-20"), trellis.OpeningFilled
	if err := svc.UpdateOpening(ctx, o, 1); err != nil || o.Version != 2 {
		t.Fatal(o.Version, err)
	}
	wantCode(t, svc.UpdateOpening(ctx, o, 1), trellis.ECONFLICT)
	wantCode(t, svc.ExpressInterest(ctx, o.ID, e.bob.ID, ""), trellis.ERULE)

	// A second, open opening lists first; filters narrow.
	o2 := &trellis.Opening{RoleID: "senior-support-engineer", Team: "Americas", OpensOn: day("2026-03-01"), ClosesOn: day("2026-03-31"),
		HiringManagerID: e.manager.ID, CreatedBy: e.manager.ID}
	if err := svc.CreateOpening(ctx, o2); err != nil {
		t.Fatal(err)
	}
	if ns := inbox(t, e.db, e.bob.ID); len(ns) != 1 {
		t.Fatalf("bob inbox %+v", ns)
	}
	all, err := svc.ListOpenings(ctx, trellis.OpeningFilter{})
	if err != nil || len(all) != 2 || all[0].ID != o2.ID {
		t.Fatalf("list %+v %v", all, err)
	}
	mgmt, err := svc.ListOpenings(ctx, trellis.OpeningFilter{Track: "management", Team: "EMEA support"})
	if err != nil || len(mgmt) != 1 || mgmt[0].ID != o.ID || !mgmt[0].OpensOn.Equal(day("2026-03-01")) {
		t.Fatalf("filtered %+v %v", mgmt, err)
	}
	subs, err := svc.ListSubscriptions(ctx, e.bob.ID)
	if err != nil || len(subs) != 1 {
		t.Fatal(subs, err)
	}
	if err := svc.Unsubscribe(ctx, e.bob.ID, subs[0].ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, svc.Unsubscribe(ctx, e.alice.ID, subs[0].ID), trellis.ENOTFOUND)
}
