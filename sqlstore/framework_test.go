package sqlstore_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"trellis"
	"trellis/defaults"
	"trellis/sqlstore"
	"trellis/sqlstore/storetest"
)

// testFramework returns a small valid framework.
func testFramework(id, version string) *trellis.Framework {
	three := 3
	return &trellis.Framework{
		APIVersion:  trellis.APIVersion,
		Kind:        trellis.FrameworkKind,
		ID:          id,
		Name:        "Framework " + id,
		Version:     version,
		Description: "A framework for tests.",
		Areas:       []trellis.Area{{ID: "technical", Name: "Technical"}, {ID: "people", Name: "People"}},
		Competencies: []trellis.Competency{
			{ID: "troubleshooting", Area: "technical", Name: "Troubleshooting", Levels: []trellis.Level{
				{Level: 1, Name: "Learning"}, {Level: 2, Name: "Practising"}, {Level: 3, Name: "Leading"},
			}},
			{ID: "growing-others", Area: "people", Name: "Growing others"},
		},
		Tracks: []trellis.Track{{ID: "ic", Name: "Individual contributor"}},
		Roles: []trellis.Role{
			{ID: "support-engineer", Name: "Support Engineer", Track: "ic", Expectations: []trellis.Expectation{
				{Competency: "troubleshooting", Text: "Fixes common problems."},
			}},
			{ID: "senior-support-engineer", Name: "Senior Support Engineer", Track: "ic", Grade: &three, Destination: true,
				Expectations: []trellis.Expectation{
					{Competency: "troubleshooting", Level: &three, Text: "Fixes hard problems.", Markers: []string{"Shipped a fix"}},
					{Competency: "growing-others", Text: "Pairs with others."},
				}},
		},
		Transitions: []trellis.Transition{{From: "support-engineer", To: "senior-support-engineer", Kind: trellis.KindMerit}},
	}
}

func mustImport(t *testing.T, s *sqlstore.FrameworkService, fw *trellis.Framework, activate bool) trellis.ImportResult {
	t.Helper()
	res, err := s.ImportFramework(context.Background(), fw, activate)
	if err != nil {
		t.Fatalf("import %s@%s: %v", fw.ID, fw.Version, err)
	}
	return res
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := trellis.ErrorCode(err); got != code {
		t.Fatalf("error %v has code %q, want %q", err, got, code)
	}
}

func TestFrameworkImportFindListActivate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.Open(t)
	clock := &trellis.FixedClock{T: time.Date(2026, 1, 2, 3, 4, 5, 678901000, time.UTC)}
	db.Clock = clock
	s := sqlstore.NewFrameworkService(db)

	v1 := testFramework("support", "2026.1")
	res := mustImport(t, s, v1, false)
	if !res.Created || !res.Activated || !res.Version.Active {
		t.Errorf("first import = %+v; want created, activated and active", res)
	}
	want := trellis.FrameworkVersion{
		ID: "support", Version: "2026.1", Name: "Framework support", Active: true, Hash: v1.Hash(),
		ImportedAt: clock.T, Roles: 2, Competencies: 2,
	}
	if res.Version != want {
		t.Errorf("import version = %+v, want %+v", res.Version, want)
	}

	clock.T = clock.T.Add(time.Hour)
	v2 := testFramework("support", "2026.2")
	v2.Roles = v2.Roles[:1]
	v2.Transitions = nil
	res = mustImport(t, s, v2, false)
	if !res.Created || res.Activated || res.Version.Active {
		t.Errorf("second version without activate = %+v; want created, not active", res)
	}

	clock.T = clock.T.Add(time.Hour)
	other := testFramework("engineering", "1")
	mustImport(t, s, other, false)

	// The active version by default; a given version on request.
	fw, v, err := s.FindFramework(ctx, trellis.Ref{ID: "support"})
	if err != nil {
		t.Fatal(err)
	}
	if v.Version != "2026.1" || !v.Active || fw.Hash() != v1.Hash() {
		t.Errorf("FindFramework(support) = %s %+v; want 2026.1, active, same content", fw.Version, v)
	}
	if !v.ImportedAt.Equal(want.ImportedAt) || v.ImportedAt.Location() != time.UTC {
		t.Errorf("ImportedAt = %v, want %v UTC", v.ImportedAt, want.ImportedAt)
	}
	fw, v, err = s.FindFramework(ctx, trellis.Ref{ID: "support", Version: "2026.2"})
	if err != nil {
		t.Fatal(err)
	}
	if v.Version != "2026.2" || v.Active || fw.Hash() != v2.Hash() || len(fw.Roles) != 1 || v.Roles != 1 {
		t.Errorf("FindFramework(support@2026.2) = %+v", v)
	}

	list, err := s.ListFrameworks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range list {
		got = append(got, fmt.Sprintf("%s@%s active=%v", x.ID, x.Version, x.Active))
	}
	wantList := []string{"engineering@1 active=true", "support@2026.1 active=true", "support@2026.2 active=false"}
	if strings.Join(got, "; ") != strings.Join(wantList, "; ") {
		t.Errorf("ListFrameworks = %v, want %v", got, wantList)
	}

	// Activation moves the pointer and nothing else.
	if err := s.ActivateFramework(ctx, "support", "2026.2"); err != nil {
		t.Fatal(err)
	}
	_, v, err = s.FindFramework(ctx, trellis.Ref{ID: "support"})
	if err != nil || v.Version != "2026.2" || !v.Active {
		t.Fatalf("after activation FindFramework(support) = %+v, %v; want 2026.2 active", v, err)
	}
	_, v, _ = s.FindFramework(ctx, trellis.Ref{ID: "support", Version: "2026.1"})
	if v.Active {
		t.Errorf("2026.1 is still active after activating 2026.2")
	}
	if err := s.ActivateFramework(ctx, "support", "2026.2"); err != nil {
		t.Errorf("activating the active version again: %v", err)
	}

	// Importing with activate makes an older version active again.
	res = mustImport(t, s, testFramework("support", "2026.1"), true)
	if res.Created || !res.Activated || !res.Version.Active {
		t.Errorf("re-import with activate = %+v; want not created, activated", res)
	}
}

func TestFrameworkListEmpty(t *testing.T) {
	t.Parallel()
	s := sqlstore.NewFrameworkService(storetest.Open(t))
	list, err := s.ListFrameworks(context.Background())
	if err != nil || list == nil || len(list) != 0 {
		t.Fatalf("ListFrameworks on an empty database = %#v, %v; want an empty list", list, err)
	}
}

func TestFrameworkReimportSameContentIsNoop(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.Open(t)
	clock := &trellis.FixedClock{T: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	db.Clock = clock
	s := sqlstore.NewFrameworkService(db)

	first := mustImport(t, s, testFramework("support", "1"), false)
	mustImport(t, s, testFramework("support", "2"), false)

	clock.T = clock.T.Add(24 * time.Hour)
	again := mustImport(t, s, testFramework("support", "1"), false)
	if again.Created || again.Activated {
		t.Errorf("re-import = %+v; want neither created nor activated", again)
	}
	if again.Version != first.Version {
		t.Errorf("re-import reports %+v, want the stored %+v", again.Version, first.Version)
	}

	// The same content again with activate is still no new row, but activates.
	res := mustImport(t, s, testFramework("support", "2"), true)
	if res.Created || !res.Activated || !res.Version.Active {
		t.Errorf("re-import with activate = %+v; want activated, not created", res)
	}
	list, err := s.ListFrameworks(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("ListFrameworks = %v, %v; want 2 versions", list, err)
	}
}

func TestFrameworkConflictingContentRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := sqlstore.NewFrameworkService(storetest.Open(t))
	orig := testFramework("support", "1")
	mustImport(t, s, orig, false)
	mustImport(t, s, testFramework("support", "2"), false)
	before, err := s.ListFrameworks(ctx)
	if err != nil {
		t.Fatal(err)
	}

	changed := testFramework("support", "2")
	changed.Roles[0].Name = "Support Engineer I"
	_, err = s.ImportFramework(ctx, changed, true)
	wantCode(t, err, trellis.ECONFLICT)
	msg := trellis.ErrorMessage(err)
	for _, w := range []string{`"support"`, `"2"`, "immutable", "new version"} {
		if !strings.Contains(msg, w) {
			t.Errorf("conflict message %q does not contain %q", msg, w)
		}
	}

	after, err := s.ListFrameworks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("a refused import changed the store:\nbefore %v\nafter  %v", before, after)
	}
	fw, v, err := s.FindFramework(ctx, trellis.Ref{ID: "support", Version: "2"})
	if err != nil || fw.Roles[0].Name != "Support Engineer" || v.Active {
		t.Errorf("support@2 after refused import: %+v %+v %v", fw.Roles[0], v, err)
	}
}

func TestFrameworkInvalidRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := sqlstore.NewFrameworkService(storetest.Open(t))

	bad := testFramework("support", "1")
	bad.Roles[0].Expectations[0].Competency = "trubleshooting"
	bad.Tracks = nil
	_, err := s.ImportFramework(ctx, bad, true)
	wantCode(t, err, trellis.EINVALID)
	if d := trellis.ErrorDetails(err); len(d) < 2 {
		t.Errorf("details = %v; want every problem", d)
	}
	_, err = s.ImportFramework(ctx, nil, true)
	wantCode(t, err, trellis.EINVALID)

	list, err := s.ListFrameworks(ctx)
	if err != nil || len(list) != 0 {
		t.Fatalf("after refused imports ListFrameworks = %v, %v; want nothing", list, err)
	}
	_, _, err = s.FindFramework(ctx, trellis.Ref{ID: "support"})
	wantCode(t, err, trellis.ENOTFOUND)
}

func TestFrameworkUnknownNamesKnown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := sqlstore.NewFrameworkService(storetest.Open(t))

	_, _, err := s.FindFramework(ctx, trellis.Ref{ID: "support"})
	wantCode(t, err, trellis.ENOTFOUND)
	if msg := trellis.ErrorMessage(err); msg != `framework "support" is not stored; no frameworks are stored yet` {
		t.Errorf("message on an empty store: %q", msg)
	}

	mustImport(t, s, testFramework("support", "2026.1"), false)
	mustImport(t, s, testFramework("support", "2026.2"), false)
	mustImport(t, s, testFramework("engineering", "1"), false)

	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"find unknown id", find(s, "suport", ""),
			`framework "suport" is not stored; known frameworks: engineering, support`},
		{"find unknown version", find(s, "support", "9"),
			`version "9" of framework "support" is not stored; known versions: 2026.1, 2026.2`},
		{"activate unknown id", s.ActivateFramework(ctx, "suport", "1"),
			`framework "suport" is not stored; known frameworks: engineering, support`},
		{"activate unknown version", s.ActivateFramework(ctx, "support", "9"),
			`version "9" of framework "support" is not stored; known versions: 2026.1, 2026.2`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, tt.err, trellis.ENOTFOUND)
			if msg := trellis.ErrorMessage(tt.err); !strings.HasPrefix(msg, tt.want) {
				t.Errorf("message %q, want it to start with %q", msg, tt.want)
			}
		})
	}
	_, v, err := s.FindFramework(ctx, trellis.Ref{ID: "support"})
	if err != nil || v.Version != "2026.1" {
		t.Errorf("a failed activation moved the active version: %+v %v", v, err)
	}
}

func find(s *sqlstore.FrameworkService, id, version string) error {
	_, _, err := s.FindFramework(context.Background(), trellis.Ref{ID: id, Version: version})
	return err
}

// Many nodes importing the same version at once: one row, one creator, and
// every other import either a no-op (same content) or a conflict.
func TestFrameworkConcurrentImportsOfOneVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.Open(t)
	s := sqlstore.NewFrameworkService(db)

	a := testFramework("support", "1")
	b := testFramework("support", "1")
	b.Name = "Another name"

	const n = 12
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		created int
		results = map[string][]string{} // content -> error codes
	)
	for i := range n {
		fw := a
		if i%2 == 1 {
			fw = b
		}
		wg.Go(func() {
			res, err := s.ImportFramework(ctx, fw, i%3 == 0)
			mu.Lock()
			defer mu.Unlock()
			if res.Created {
				created++
			}
			results[fw.Name] = append(results[fw.Name], trellis.ErrorCode(err))
			if err != nil && trellis.ErrorCode(err) != trellis.ECONFLICT {
				t.Errorf("import: %v", err)
			}
		})
	}
	wg.Wait()
	if created != 1 {
		t.Errorf("%d imports created the version, want 1", created)
	}
	list, err := s.ListFrameworks(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("ListFrameworks = %v, %v; want one version", list, err)
	}
	winner := list[0].Name
	for name, codes := range results {
		for _, c := range codes {
			if name == winner && c != "" || name != winner && c != trellis.ECONFLICT {
				t.Errorf("content %q got %q; results %v", name, c, results)
			}
		}
	}
	if !list[0].Active {
		t.Errorf("the only version is not active")
	}
}

// Different versions of one framework imported at once all land, each with
// its own place in the import order.
func TestFrameworkConcurrentImportsOfManyVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := sqlstore.NewFrameworkService(storetest.Open(t))
	const n = 8
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if _, err := s.ImportFramework(ctx, testFramework("support", fmt.Sprint(i)), false); err != nil {
				t.Errorf("import %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	list, err := s.ListFrameworks(ctx)
	if err != nil || len(list) != n {
		t.Fatalf("ListFrameworks = %v, %v; want %d versions", list, err, n)
	}
	active := 0
	for _, v := range list {
		if v.Active {
			active++
		}
	}
	if active != 1 {
		t.Errorf("%d active versions, want 1", active)
	}
}

// Two nodes share one database: the active version one node sets is the one
// the other finds, although the other has the content cached.
func TestFrameworkActiveVersionSharedAcrossNodes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := storetest.DSN(t)
	open := func() *sqlstore.FrameworkService {
		db, err := sqlstore.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return sqlstore.NewFrameworkService(db)
	}
	node1, node2 := open(), open()

	mustImport(t, node1, testFramework("support", "1"), false)
	mustImport(t, node1, testFramework("support", "2"), false)
	for _, ref := range []trellis.Ref{{ID: "support"}, {ID: "support", Version: "2"}} {
		if _, _, err := node2.FindFramework(ctx, ref); err != nil { // fills node2's cache
			t.Fatal(err)
		}
	}
	if err := node1.ActivateFramework(ctx, "support", "2"); err != nil {
		t.Fatal(err)
	}
	fw, v, err := node2.FindFramework(ctx, trellis.Ref{ID: "support"})
	if err != nil || v.Version != "2" || !v.Active || fw.Version != "2" {
		t.Fatalf("node2 finds %+v, %v; want version 2, active", v, err)
	}
	_, v, _ = node2.FindFramework(ctx, trellis.Ref{ID: "support", Version: "1"})
	if v.Active {
		t.Errorf("node2 still sees version 1 as active")
	}
}

// A cached framework is the same as the stored one, found again and again.
func TestFrameworkFindIsStable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := sqlstore.NewFrameworkService(storetest.Open(t))
	want := testFramework("support", "1")
	mustImport(t, s, want, false)
	for range 3 {
		fw, v, err := s.FindFramework(ctx, trellis.Ref{ID: "support", Version: "1"})
		if err != nil {
			t.Fatal(err)
		}
		if fw.Hash() != want.Hash() || v.Hash != want.Hash() {
			t.Fatalf("found content differs from the imported")
		}
	}
}

// The framework Trellis ships with goes through the store unchanged.
func TestFrameworkDefaultSupportRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	want, err := defaults.Support()
	if err != nil {
		t.Fatal(err)
	}
	s := sqlstore.NewFrameworkService(storetest.Open(t))
	res := mustImport(t, s, want, false)
	if !res.Created || !res.Version.Active || res.Version.Roles != len(want.Roles) || res.Version.Competencies != len(want.Competencies) {
		t.Errorf("import = %+v", res)
	}
	again, err := defaults.Support()
	if err != nil {
		t.Fatal(err)
	}
	if res := mustImport(t, s, again, false); res.Created {
		t.Errorf("importing the default framework twice created it twice")
	}
	fw, _, err := s.FindFramework(ctx, trellis.Ref{ID: want.ID})
	if err != nil {
		t.Fatal(err)
	}
	if fw.Hash() != want.Hash() || !reflect.DeepEqual(fw, want) {
		t.Errorf("the stored default framework differs from the shipped one")
	}
}
