package sqlstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"trellis"
	"trellis/sqlstore"
	"trellis/sqlstore/storetest"
)

func TestAuditNamesTheOrigin(t *testing.T) {
	t.Parallel()
	ctx := trellis.NewContextWithOrigin(context.Background(), trellis.Origin{Label: "cli", IP: "192.0.2.7"})
	s := sqlstore.NewAuditService(storetest.Open(t))
	e := &trellis.AuditEvent{Action: trellis.AuditExport, TargetType: trellis.AuditTargetAuditLog}
	if err := s.RecordAudit(ctx, e); err != nil || e.ActorLabel != "cli" || e.ActorID != nil || e.IP != "192.0.2.7" {
		t.Errorf("command-line event %+v, %v", e, err)
	}
}

func TestAuditRecordAndList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.Open(t)
	clock := &trellis.FixedClock{T: time.Date(2026, 5, 1, 12, 0, 0, 123456789, time.UTC)}
	db.Clock = clock
	s := sqlstore.NewAuditService(db)

	// At from the clock (to the microsecond), actor from the context.
	actor := &trellis.Person{ID: 42, Email: "ops@example.com"}
	e := &trellis.AuditEvent{Action: trellis.AuditExport, TargetType: trellis.AuditTargetAuditLog, IP: "10.0.0.1",
		After: map[string]any{"format": "csv", "rows": 3}}
	if err := s.RecordAudit(trellis.NewContextWithActor(ctx, trellis.Actor{Person: actor}), e); err != nil {
		t.Fatal(err)
	}
	if e.ID == 0 || !e.At.Equal(clock.T.Truncate(time.Microsecond)) || *e.ActorID != 42 || e.ActorLabel != "ops@example.com" {
		t.Errorf("recorded %+v", e)
	}
	// Without an actor: the system.
	sys := &trellis.AuditEvent{Action: trellis.AuditSigninFailed, TargetType: trellis.AuditTargetAccount, TargetID: "x@example.com"}
	if err := s.RecordAudit(ctx, sys); err != nil || sys.ActorLabel != "system" || sys.ActorID != nil {
		t.Errorf("system event %+v, %v", sys, err)
	}
	// An explicit label is kept.
	anon := &trellis.AuditEvent{ActorLabel: "anonymous", Action: trellis.AuditSessionRejected, At: clock.T.Add(time.Second)}
	if err := s.RecordAudit(ctx, anon); err != nil || anon.ActorLabel != "anonymous" {
		t.Errorf("anonymous event %+v, %v", anon, err)
	}

	page, err := s.ListAudit(ctx, trellis.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 3 || page.Items[0].ID != anon.ID || page.Items[1].ID != sys.ID || page.Items[2].ID != e.ID {
		t.Fatalf("list %+v; want newest first", page.Items)
	}
	got := page.Items[2]
	want := *e
	want.After = map[string]any{"format": "csv", "rows": float64(3)}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("read back %+v\nwant %+v", *got, want)
	}

	for _, bad := range []*trellis.AuditEvent{
		{Action: "Not An Action"},
		{Action: "signin", ActorLabel: "x", TargetID: "7"},
		{Action: "signin", After: map[string]any{"f": func() {}}},
	} {
		err := s.RecordAudit(ctx, bad)
		wantCode(t, err, trellis.EINVALID)
	}
	wantCode(t, s.RecordAudit(ctx, nil), trellis.EINVALID)
	_, err = s.ListAudit(ctx, trellis.AuditFilter{Cursor: "garbage"})
	wantCode(t, err, trellis.EINVALID)
}

// TestAuditFilterMatchesReference lists a generated log through many
// filters, a page at a time, and compares with AuditFilter.Matches.
func TestAuditFilterMatchesReference(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.Open(t)
	s := sqlstore.NewAuditService(db)
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	actions := []string{"signin", "signin.failed", "signin.throttled", "person.role_changed", "person.manager_changed",
		"person", "personal.thing", "reset_link.used", "resetxlink.used", "export"}
	targets := []string{"person", "framework", "account"}
	ids := []int64{1, 2, 3}

	// Many events share an instant, to exercise the cursor's tie-break.
	for range 240 {
		e := &trellis.AuditEvent{
			At:         base.Add(time.Duration(rng.IntN(40)) * time.Minute).Add(time.Duration(rng.IntN(3)) * time.Microsecond),
			ActorLabel: "someone",
			Action:     actions[rng.IntN(len(actions))],
		}
		if rng.IntN(4) > 0 {
			e.ActorID = &ids[rng.IntN(len(ids))]
		}
		if rng.IntN(5) > 0 {
			e.TargetType = targets[rng.IntN(len(targets))]
			e.TargetID = fmt.Sprint(rng.IntN(4))
		}
		if err := s.RecordAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	list := func(f trellis.AuditFilter) []*trellis.AuditEvent {
		var out []*trellis.AuditEvent
		seen := map[int64]bool{}
		for {
			page, err := s.ListAudit(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range page.Items {
				if seen[e.ID] {
					t.Fatalf("event %d listed twice", e.ID)
				}
				seen[e.ID] = true
			}
			out = append(out, page.Items...)
			if page.NextCursor == "" {
				return out
			}
			if len(page.Items) != trellis.ClampLimit(f.Limit) {
				t.Fatalf("a short page (%d) with a next cursor", len(page.Items))
			}
			f.Cursor = page.NextCursor
		}
	}
	all := list(trellis.AuditFilter{Limit: 500})
	if len(all) != 240 {
		t.Fatalf("%d events stored, want 240", len(all))
	}
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.At.Before(b.At) || a.At.Equal(b.At) && a.ID < b.ID {
			t.Fatalf("not newest first at %d: %v/%d then %v/%d", i, a.At, a.ID, b.At, b.ID)
		}
	}

	var filters []trellis.AuditFilter
	for range 150 {
		f := trellis.AuditFilter{Limit: 1 + rng.IntN(30)}
		if rng.IntN(2) == 0 {
			// Sub-microsecond bounds, on and around stored instants.
			f.Since = base.Add(time.Duration(rng.IntN(40))*time.Minute + time.Duration(rng.IntN(3000)))
		}
		if rng.IntN(2) == 0 {
			f.Until = base.Add(time.Duration(rng.IntN(40))*time.Minute + time.Duration(rng.IntN(3000)))
		}
		if rng.IntN(2) == 0 {
			f.Action = []string{"signin", "signin.", "person.", "person", "reset_link.", "export", "nothing."}[rng.IntN(7)]
		}
		if rng.IntN(3) == 0 {
			f.ActorID = &ids[rng.IntN(len(ids))]
		}
		if rng.IntN(3) == 0 {
			f.TargetType = targets[rng.IntN(len(targets))]
		}
		if rng.IntN(3) == 0 {
			f.TargetID = fmt.Sprint(rng.IntN(4))
		}
		filters = append(filters, f)
	}
	for i, f := range filters {
		var want []int64
		for _, e := range all {
			if f.Matches(e) {
				want = append(want, e.ID)
			}
		}
		var got []int64
		for _, e := range list(f) {
			got = append(got, e.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("filter %d %+v:\n got %v\nwant %v", i, f, got, want)
		}
	}
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.Open(t)
	s := sqlstore.NewAuditService(db)
	e := &trellis.AuditEvent{ActorLabel: "cli", Action: trellis.AuditExport}
	if err := s.RecordAudit(ctx, e); err != nil {
		t.Fatal(err)
	}
	raw := sqlstore.RawDB(db)
	for _, stmt := range []string{
		`UPDATE audit_log SET action = 'signin'`,
		`DELETE FROM audit_log`,
		fmt.Sprintf(`DELETE FROM audit_log WHERE id = %d`, e.ID),
	} {
		if _, err := raw.ExecContext(ctx, stmt); err == nil {
			t.Errorf("%s succeeded", stmt)
		}
	}
	if storetest.Dialect() == sqlstore.Postgres {
		if _, err := raw.ExecContext(ctx, `TRUNCATE audit_log`); err == nil {
			t.Error("TRUNCATE succeeded")
		}
	}
	page, err := s.ListAudit(ctx, trellis.AuditFilter{})
	if err != nil || len(page.Items) != 1 || page.Items[0].Action != trellis.AuditExport {
		t.Errorf("after refused changes: %+v, %v", page.Items, err)
	}
	// The service offers no way to change the log either.
	typ := reflect.TypeFor[*sqlstore.AuditService]()
	var methods []string
	for m := range typ.Methods() {
		methods = append(methods, m.Name)
	}
	if !slices.Equal(methods, []string{"ListAudit", "RecordAudit"}) {
		t.Errorf("AuditService methods %v", methods)
	}
}

func TestFrameworkChangesAreAudited(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.Open(t)
	fs := sqlstore.NewFrameworkService(db)
	audit := sqlstore.NewAuditService(db)
	admin := &trellis.Person{ID: 7, Email: "admin@example.com"}
	actx := trellis.NewContextWithActor(ctx, trellis.Actor{Person: admin})
	events := func(action string) []*trellis.AuditEvent {
		page, err := audit.ListAudit(ctx, trellis.AuditFilter{Action: action})
		if err != nil {
			t.Fatal(err)
		}
		return page.Items
	}

	mustImport(t, fs, testFramework("support", "1"), false)
	if _, err := fs.ImportFramework(actx, testFramework("support", "2"), false); err != nil {
		t.Fatal(err)
	}
	mustImport(t, fs, testFramework("support", "2"), false) // the same again: nothing new
	imported := events(trellis.AuditFrameworkImported)
	if len(imported) != 2 || imported[0].TargetID != "support@2" || imported[0].After["active"] != false ||
		*imported[0].ActorID != 7 || imported[1].TargetID != "support@1" || imported[1].After["active"] != true ||
		imported[1].ActorLabel != "system" {
		t.Errorf("imported events %+v", imported)
	}
	if n := len(events(trellis.AuditFrameworkActivated)); n != 0 {
		t.Errorf("%d activation events before any activation", n)
	}

	if err := fs.ActivateFramework(actx, "support", "2"); err != nil {
		t.Fatal(err)
	}
	if err := fs.ActivateFramework(actx, "support", "2"); err != nil { // already active: nothing
		t.Fatal(err)
	}
	if _, err := fs.ImportFramework(actx, testFramework("support", "1"), true); err != nil { // back to 1 by import
		t.Fatal(err)
	}
	wantCode(t, fs.ActivateFramework(actx, "support", "9"), trellis.ENOTFOUND)
	activated := events(trellis.AuditFrameworkActivated)
	if len(activated) != 2 || activated[1].TargetID != "support@2" || activated[1].Before["version"] != "1" ||
		activated[0].TargetID != "support@1" || activated[0].Before["version"] != "2" || activated[0].After["version"] != "1" {
		t.Errorf("activated events %+v", activated)
	}
}
