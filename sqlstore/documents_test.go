package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"trellis"
	"trellis/defaults"
	"trellis/sqlstore"
	"trellis/sqlstore/storetest"
)

// promoEnv is a database with the default framework active, an
// organisation around one candidate, and a cycle whose nomination deadline
// is ahead of the clock:
//
//	dana (director) <- sam (senior manager) <- maria (manager) <- alice (support engineer, the candidate)
//	                                        <- peter (manager)  <- paul (engineer)
//	                <- rita (senior support engineer, another team)
//	pat (people partner), eve (associate, below the target level)
type promoEnv struct {
	db            *sqlstore.DB
	clock         *trellis.FixedClock
	docs          *sqlstore.DocumentService
	cycles        *sqlstore.CycleService
	inbox         *sqlstore.NotificationService
	people        *sqlstore.PersonService
	audit         *sqlstore.AuditService
	dana, sam     *trellis.Person
	maria, peter  *trellis.Person
	alice, paul   *trellis.Person
	rita, pat     *trellis.Person
	eve           *trellis.Person
	cycle         *trellis.Cycle
	effectiveDate time.Time
}

func newPromoEnv(t *testing.T) *promoEnv {
	t.Helper()
	db := storetest.Open(t)
	e := &promoEnv{db: db, clock: &trellis.FixedClock{T: time.Date(2027, 1, 10, 9, 0, 0, 0, time.UTC)},
		docs: sqlstore.NewDocumentService(db), cycles: sqlstore.NewCycleService(db), inbox: sqlstore.NewNotificationService(db),
		people: sqlstore.NewPersonService(db), audit: sqlstore.NewAuditService(db)}
	db.Clock = e.clock
	ctx := context.Background()
	fw, err := defaults.Support()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlstore.NewFrameworkService(db).ImportFramework(ctx, fw, true); err != nil {
		t.Fatal(err)
	}
	add := func(name, role, access string, manager *trellis.Person) *trellis.Person {
		p := &trellis.Person{Email: name + "@example.com", Name: strings.ToUpper(name[:1]) + name[1:], RoleID: role,
			Access: access, Active: true, RoleSince: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
		if manager != nil {
			p.ManagerID = &manager.ID
		}
		if err := e.people.CreatePerson(ctx, p); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return p
	}
	e.dana = add("dana", "director-of-support", trellis.AccessDirector, nil)
	e.sam = add("sam", "senior-support-engineering-manager", trellis.AccessEngineer, e.dana)
	e.maria = add("maria", "support-engineering-manager", trellis.AccessEngineer, e.sam)
	e.peter = add("peter", "support-engineering-manager", trellis.AccessEngineer, e.sam)
	e.alice = add("alice", "support-engineer", trellis.AccessEngineer, e.maria)
	e.paul = add("paul", "support-engineer", trellis.AccessEngineer, e.peter)
	e.rita = add("rita", "senior-support-engineer", trellis.AccessEngineer, e.dana)
	e.pat = add("pat", "support-engineer", trellis.AccessPeople, nil)
	e.eve = add("eve", "associate-support-engineer", trellis.AccessEngineer, e.peter)

	e.effectiveDate = time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)
	e.cycle = &trellis.Cycle{Name: "2027 H1", Phases: map[string]time.Time{
		trellis.PhaseDrafting:           time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC),
		trellis.PhaseManagerReview:      time.Date(2027, 1, 25, 0, 0, 0, 0, time.UTC),
		trellis.PhaseNominationDeadline: time.Date(2027, 2, 8, 0, 0, 0, 0, time.UTC),
		trellis.PhaseCalibration:        time.Date(2027, 2, 22, 0, 0, 0, 0, time.UTC),
		trellis.PhaseApprovals:          time.Date(2027, 3, 8, 0, 0, 0, 0, time.UTC),
		trellis.PhaseCommunication:      time.Date(2027, 3, 22, 0, 0, 0, 0, time.UTC),
		trellis.PhaseEffective:          e.effectiveDate,
	}}
	if err := e.cycles.CreateCycle(as(e.dana), e.cycle); err != nil {
		t.Fatal(err)
	}
	return e
}

// newDoc starts alice's document towards senior support engineer, in the
// cycle, open to her manager.
func (e *promoEnv) newDoc(t *testing.T) *trellis.Document {
	t.Helper()
	d := &trellis.Document{PersonID: e.alice.ID, TargetRole: "senior-support-engineer", Visibility: trellis.VisManager,
		CycleID: &e.cycle.ID}
	if err := e.docs.CreateDocument(as(e.alice), d); err != nil {
		t.Fatal(err)
	}
	return d
}

// fill writes every section of d as who.
func (e *promoEnv) fill(t *testing.T, who *trellis.Person, d *trellis.Document) *trellis.Document {
	t.Helper()
	var err error
	for _, s := range d.Sections {
		d, err = e.docs.SaveSection(as(who), d.ID, s.ID, "Alice cut the median time to first reply from 9 to 4 hours ("+s.ID+").", s.Version, false)
		if err != nil {
			t.Fatalf("save %s: %v", s.ID, err)
		}
	}
	return d
}

func (e *promoEnv) move(t *testing.T, who *trellis.Person, d *trellis.Document, to, note string) *trellis.Document {
	t.Helper()
	out, err := e.docs.MoveDocument(as(who), d.ID, to, note, d.Version)
	if err != nil {
		t.Fatalf("%s moving %s -> %s: %v", who.Name, d.State, to, err)
	}
	return out
}

func (e *promoEnv) unread(t *testing.T, p *trellis.Person) []string {
	t.Helper()
	list, err := e.inbox.ListNotifications(context.Background(), p.ID, true, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range list {
		out = append(out, n.Kind)
	}
	return out
}

func (e *promoEnv) auditOf(t *testing.T, action string) []*trellis.AuditEvent {
	t.Helper()
	page, err := e.audit.ListAudit(context.Background(), trellis.AuditFilter{Action: action, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

func TestDocumentCreateFromTemplate(t *testing.T) {
	t.Parallel()
	e := newPromoEnv(t)
	d := &trellis.Document{PersonID: e.alice.ID, TargetRole: "senior-support-engineer",
		Sections: []trellis.DocumentSection{{ID: "summary", Text: "Alice leads the on-call rota."}}}
	if err := e.docs.CreateDocument(as(e.alice), d); err != nil {
		t.Fatal(err)
	}
	if d.ID == 0 || d.State != trellis.DocDraft || d.Version != 1 || d.Frozen || d.TemplateID != "promotion-document" {
		t.Fatalf("created %+v", d)
	}
	if d.Visibility != trellis.VisPrivate || d.ManagerID == nil || *d.ManagerID != e.maria.ID {
		t.Errorf("visibility %s, manager %v; want private and maria", d.Visibility, d.ManagerID)
	}
	var ids []string
	for _, s := range d.Sections {
		ids = append(ids, s.ID)
	}
	if want := []string{"summary", "business-results", "business-justification", "values-alignment"}; !slices.Equal(ids, want) {
		t.Errorf("sections %v, want %v", ids, want)
	}
	got, err := e.docs.FindDocument(context.Background(), d.ID)
	if err != nil || got.Section("summary") != "Alice leads the on-call rota." || got.Sections[0].Version != 1 {
		t.Fatalf("found %+v, %v", got, err)
	}
	if revs, _ := e.docs.Revisions(context.Background(), d.ID); len(revs) != 1 || revs[0].Note != "created" {
		t.Errorf("revisions after create: %+v", revs)
	}
	if n := len(e.auditOf(t, "document.created")); n != 1 {
		t.Errorf("%d document.created events", n)
	}

	for name, bad := range map[string]*trellis.Document{
		"own role":       {PersonID: e.alice.ID, TargetRole: "support-engineer"},
		"unknown role":   {PersonID: e.alice.ID, TargetRole: "astronaut"},
		"unknown person": {PersonID: 9999, TargetRole: "senior-support-engineer"},
		"bad section":    {PersonID: e.alice.ID, TargetRole: "senior-support-engineer", Sections: []trellis.DocumentSection{{ID: "nope", Text: "x"}}},
		"bad visibility": {PersonID: e.alice.ID, TargetRole: "senior-support-engineer", Visibility: "everyone"},
	} {
		if err := e.docs.CreateDocument(as(e.alice), bad); err == nil {
			t.Errorf("%s: created", name)
		}
	}
	page, err := e.docs.ListDocuments(context.Background(), trellis.DocumentFilter{PersonID: &e.alice.ID})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("list: %d, %v; refused creations must write nothing", len(page.Items), err)
	}
	page, err = e.docs.ListDocuments(context.Background(), trellis.DocumentFilter{ManagerID: &e.maria.ID, States: []string{trellis.DocDraft}})
	if err != nil || len(page.Items) != 1 || len(page.Items[0].Sections) != 4 {
		t.Fatalf("list by manager: %+v, %v", page, err)
	}
}

func TestDocumentSaveConflictKeepsBothTexts(t *testing.T) {
	t.Parallel()
	e := newPromoEnv(t)
	d := e.newDoc(t)
	ctx := context.Background()
	v := d.Sections[0].Version
	saved, err := e.docs.SaveSection(as(e.maria), d.ID, "summary", "Maria's summary.", v, false)
	if err != nil {
		t.Fatal(err)
	}
	if s := saved.Sections[0]; s.Version != v+1 || s.Text != "Maria's summary." || s.EditedBy == nil || *s.EditedBy != e.maria.ID {
		t.Fatalf("saved section %+v", s)
	}
	// Another section is not affected by the first one's version.
	if _, err := e.docs.SaveSection(as(e.alice), d.ID, "business-results", "Results.", d.Sections[1].Version, false); err != nil {
		t.Fatalf("saving another section: %v", err)
	}
	_, err = e.docs.SaveSection(as(e.alice), d.ID, "summary", "Alice's summary.", v, false)
	wantCode(t, err, trellis.ECONFLICT)
	if msg := trellis.ErrorMessage(err); !strings.Contains(msg, "Maria saved") {
		t.Errorf("message %q does not say who saved", msg)
	}
	details := map[string]string{}
	for _, f := range trellis.ErrorDetails(err) {
		details[f.Field] = f.Message
	}
	if details["saved"] != "Maria's summary." || details["yours"] != "Alice's summary." {
		t.Errorf("conflict details %v, want both texts", details)
	}
	got, _ := e.docs.FindDocument(ctx, d.ID)
	if got.Section("summary") != "Maria's summary." {
		t.Errorf("after the conflict the section is %q", got.Section("summary"))
	}
	_, err = e.docs.SaveSection(as(e.alice), d.ID, "no-such-section", "x", 1, false)
	wantCode(t, err, trellis.ENOTFOUND)
	_, err = e.docs.SaveSection(as(e.alice), d.ID, "summary", strings.Repeat("x", trellis.MaxSectionText+1), v+1, false)
	wantCode(t, err, trellis.EINVALID)
}

func TestDocumentRevisionsAndAutosaveCoalescing(t *testing.T) {
	t.Parallel()
	e := newPromoEnv(t)
	d := e.newDoc(t)
	ctx := context.Background()
	save := func(who *trellis.Person, text string, auto bool) {
		t.Helper()
		cur, err := e.docs.FindDocument(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.docs.SaveSection(as(who), d.ID, "summary", text, cur.Sections[0].Version, auto); err != nil {
			t.Fatal(err)
		}
	}
	start := e.clock.T
	save(e.alice, "a", true)
	e.clock.T = start.Add(4 * time.Minute)
	save(e.alice, "ab", true)
	e.clock.T = start.Add(9 * time.Minute)
	save(e.alice, "abc", true) // still within ten minutes of the first autosave
	revs, err := e.docs.Revisions(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 2 || revs[1].Note != "autosave" || revs[1].Sections[0].Text != "abc" || !revs[1].At.Equal(e.clock.T) {
		t.Fatalf("after three autosaves in nine minutes: %d revisions, last %+v", len(revs), revs[len(revs)-1])
	}
	e.clock.T = start.Add(11 * time.Minute)
	save(e.alice, "abcd", true) // a new run: more than ten minutes after the first
	e.clock.T = start.Add(12 * time.Minute)
	save(e.maria, "abcde", true) // another person
	e.clock.T = start.Add(13 * time.Minute)
	save(e.maria, "abcdef", false) // an explicit save always adds one
	e.clock.T = start.Add(14 * time.Minute)
	save(e.maria, "abcdefg", true) // after an explicit save: a new autosave revision
	save(e.maria, "abcdefg", true) // the same text: nothing written
	revs, _ = e.docs.Revisions(ctx, d.ID)
	var got []string
	for _, r := range revs {
		got = append(got, fmt.Sprintf("%d:%s:%s", r.Revision, r.Note, r.Sections[0].Text))
	}
	want := []string{"1:created:", "2:autosave:abc", "3:autosave:abcd", "4:autosave:abcde", "5::abcdef", "6:autosave:abcdefg"}
	if !slices.Equal(got, want) {
		t.Errorf("revisions\n got %v\nwant %v", got, want)
	}
}

// TestDocumentWorkflowThroughTheStore walks a document from draft to the
// library, checking each move's effects.
func TestDocumentWorkflowThroughTheStore(t *testing.T) {
	t.Parallel()
	e := newPromoEnv(t)
	ctx := context.Background()
	d := e.newDoc(t)

	// Refused moves change nothing: empty sections, wrong actor, unknown
	// state, stale version.
	before := d.Version
	_, err := e.docs.MoveDocument(as(e.alice), d.ID, trellis.DocManagerReview, "", d.Version)
	wantCode(t, err, trellis.ERULE)
	d = e.fill(t, e.alice, d)
	_, err = e.docs.MoveDocument(as(e.paul), d.ID, trellis.DocManagerReview, "", d.Version)
	wantCode(t, err, trellis.EFORBIDDEN)
	_, err = e.docs.MoveDocument(as(e.alice), d.ID, "published", "", d.Version)
	wantCode(t, err, trellis.EINVALID)
	_, err = e.docs.MoveDocument(as(e.alice), d.ID, trellis.DocNominated, "", d.Version)
	wantCode(t, err, trellis.ECONFLICT)
	_, err = e.docs.MoveDocument(as(e.alice), d.ID, trellis.DocManagerReview, "", d.Version+5)
	wantCode(t, err, trellis.ECONFLICT)
	if got, _ := e.docs.FindDocument(ctx, d.ID); got.State != trellis.DocDraft || got.Version != before {
		t.Fatalf("refused moves changed the document: %s v%d", got.State, got.Version)
	}
	if n := len(e.auditOf(t, "document.moved")); n != 0 {
		t.Fatalf("%d document.moved events after refused moves", n)
	}
	if got := e.unread(t, e.maria); len(got) != 0 {
		t.Fatalf("maria was notified of refused moves: %v", got)
	}

	d = e.move(t, e.alice, d, trellis.DocManagerReview, "")
	if d.SubmittedAt == nil || !d.SubmittedAt.Equal(e.clock.T) {
		t.Errorf("submitted at %v", d.SubmittedAt)
	}
	if got := e.unread(t, e.maria); !slices.Equal(got, []string{"document.moved"}) {
		t.Errorf("maria's inbox after the submission: %v", got)
	}
	if got := e.unread(t, e.alice); len(got) != 0 {
		t.Errorf("alice was notified of her own move: %v", got)
	}
	ev := e.auditOf(t, "document.moved")
	if len(ev) != 1 || ev[0].Before["state"] != trellis.DocDraft || ev[0].After["state"] != trellis.DocManagerReview ||
		ev[0].After["move"] != "document.submit" || ev[0].ActorID == nil || *ev[0].ActorID != e.alice.ID {
		t.Fatalf("audit of the submission: %+v", ev)
	}

	d = e.move(t, e.maria, d, trellis.DocPeerReview, "")
	if got := e.unread(t, e.peter); !slices.Equal(got, []string{"document.moved"}) {
		t.Errorf("peter, a peer manager, was not told of the peer review: %v", got)
	}
	d = e.move(t, e.sam, d, trellis.DocApproved, "")

	// Nomination freezes the framework version.
	d = e.move(t, e.maria, d, trellis.DocNominated, "")
	if !d.Frozen || d.FrameworkVersion == "" {
		t.Errorf("nominated but not frozen: %+v", d)
	}
	if got := e.unread(t, e.pat); len(got) != 1 {
		t.Errorf("the people partner's inbox after nomination: %v", got)
	}
	if got := e.unread(t, e.dana); len(got) != 1 {
		t.Errorf("the director's inbox after nomination: %v", got)
	}
	d = e.move(t, e.pat, d, trellis.DocInCalibration, "")

	// The decision goes through the cycle service, with a rationale.
	err = e.cycles.RecordDecision(as(e.dana), &trellis.Decision{DocumentID: d.ID, Approved: true})
	wantCode(t, err, trellis.EINVALID)
	err = e.cycles.RecordDecision(as(e.maria), &trellis.Decision{DocumentID: d.ID, Approved: true, Rationale: "Ready."})
	wantCode(t, err, trellis.EFORBIDDEN)
	if ds, _ := e.cycles.ListDecisions(ctx, e.cycle.ID); len(ds) != 0 {
		t.Fatalf("a refused decision was stored: %+v", ds)
	}
	dec := &trellis.Decision{DocumentID: d.ID, Approved: true, Rationale: "Works at the senior level across three teams."}
	if err := e.cycles.RecordDecision(as(e.dana), dec); err != nil {
		t.Fatal(err)
	}
	if dec.DecidedBy != e.dana.ID || dec.CycleID == nil || *dec.CycleID != e.cycle.ID {
		t.Errorf("decision %+v", dec)
	}
	d, _ = e.docs.FindDocument(ctx, d.ID)
	if d.State != trellis.DocDecidedYes {
		t.Fatalf("after the decision the document is %s", d.State)
	}
	err = e.cycles.RecordDecision(as(e.dana), &trellis.Decision{DocumentID: d.ID, Approved: false, Rationale: "Again."})
	wantCode(t, err, trellis.ECONFLICT)

	// Effective: not before the cycle's effective date; then the role
	// changes, audited, with RoleSince the effective date.
	_, err = e.docs.MoveDocument(as(e.dana), d.ID, trellis.DocEffective, "", d.Version)
	wantCode(t, err, trellis.ERULE)
	e.clock.T = e.effectiveDate.Add(8 * time.Hour)
	d = e.move(t, e.dana, d, trellis.DocEffective, "")
	alice, _ := e.people.FindPerson(ctx, e.alice.ID)
	if alice.RoleID != "senior-support-engineer" || !alice.RoleSince.Equal(e.effectiveDate) {
		t.Errorf("alice is %s since %v, want senior-support-engineer since %v", alice.RoleID, alice.RoleSince, e.effectiveDate)
	}
	if rc := e.auditOf(t, trellis.AuditRoleChanged); len(rc) != 1 || rc[0].After["role_id"] != "senior-support-engineer" {
		t.Errorf("role change audit: %+v", rc)
	}

	// Only the candidate puts it in the library; then it is listed.
	_, err = e.docs.MoveDocument(as(e.maria), d.ID, trellis.DocInLibrary, "", d.Version)
	wantCode(t, err, trellis.EFORBIDDEN)
	lib, _ := e.docs.SearchLibrary(ctx, trellis.LibraryFilter{})
	if len(lib.Items) != 0 {
		t.Fatalf("library before consent: %d", len(lib.Items))
	}
	d = e.move(t, e.alice, d, trellis.DocInLibrary, "")
	lib, _ = e.docs.SearchLibrary(ctx, trellis.LibraryFilter{Query: "median reply"})
	if len(lib.Items) != 1 || lib.Items[0].Document.ID != d.ID || !strings.Contains(lib.Items[0].Snippet, "<mark>") {
		t.Fatalf("library after consent: %+v", lib.Items)
	}
	d = e.move(t, e.alice, d, trellis.DocEffective, "")
	lib, _ = e.docs.SearchLibrary(ctx, trellis.LibraryFilter{Query: "median reply"})
	if len(lib.Items) != 0 {
		t.Fatalf("library after removal: %d", len(lib.Items))
	}
	revs, _ := e.docs.Revisions(ctx, d.ID)
	if last := revs[len(revs)-1]; last.State != trellis.DocEffective || !strings.Contains(last.Note, "moved to effective") {
		t.Errorf("last revision %+v", last)
	}
	if n := len(e.auditOf(t, "document.moved")); n != 9 {
		t.Errorf("%d document.moved events, want 9", n)
	}
}

func TestDocumentReturnAndReopen(t *testing.T) {
	t.Parallel()
	e := newPromoEnv(t)
	d := e.fill(t, e.alice, e.newDoc(t))
	d = e.move(t, e.alice, d, trellis.DocManagerReview, "")
	_, err := e.docs.MoveDocument(as(e.maria), d.ID, trellis.DocDraft, "", d.Version)
	wantCode(t, err, trellis.ERULE) // a return needs a note
	d = e.move(t, e.maria, d, trellis.DocDraft, "Add the numbers for the second result.")
	alice := e.unread(t, e.alice)
	if len(alice) != 1 {
		t.Fatalf("alice's inbox after the return: %v", alice)
	}
	list, _ := e.inbox.ListNotifications(context.Background(), e.alice.ID, true, 10)
	if !strings.Contains(list[0].Body, "Add the numbers") || list[0].URL != fmt.Sprintf("/documents/%d", d.ID) {
		t.Errorf("notification %+v", list[0])
	}
	// Withdrawn documents leave the library and their text stays put.
	d = e.move(t, e.alice, d, trellis.DocWithdrawn, "")
	_, err = e.docs.SaveSection(as(e.alice), d.ID, "summary", "new", d.Sections[0].Version, false)
	wantCode(t, err, trellis.ERULE)
}

func TestDocumentComments(t *testing.T) {
	t.Parallel()
	e := newPromoEnv(t)
	d := e.newDoc(t)
	ctx := context.Background()
	c := &trellis.Comment{DocumentID: d.ID, SectionID: "summary", Text: "Name the target role."}
	if err := e.docs.AddComment(as(e.maria), c); err != nil {
		t.Fatal(err)
	}
	reply := &trellis.Comment{DocumentID: d.ID, SectionID: "ignored", ThreadID: &c.ID, Text: "Done."}
	if err := e.docs.AddComment(as(e.alice), reply); err != nil {
		t.Fatal(err)
	}
	if reply.ThreadID == nil || *reply.ThreadID != c.ID || reply.SectionID != "summary" || reply.AuthorID != e.alice.ID {
		t.Errorf("reply %+v", reply)
	}
	review := &trellis.Comment{DocumentID: d.ID, SectionID: "business-results", Text: "Scope looks staff-level.", OnReviewCopy: true}
	if err := e.docs.AddComment(as(e.peter), review); err != nil {
		t.Fatal(err)
	}
	replyOnReview := &trellis.Comment{DocumentID: d.ID, SectionID: "summary", ThreadID: &review.ID, Text: "Agreed."}
	if err := e.docs.AddComment(as(e.sam), replyOnReview); err != nil {
		t.Fatal(err)
	}
	doc, _ := e.docs.ListComments(ctx, d.ID, false)
	rev, _ := e.docs.ListComments(ctx, d.ID, true)
	if len(doc) != 2 || len(rev) != 2 || !rev[1].OnReviewCopy {
		t.Fatalf("document comments %d, review-copy comments %d", len(doc), len(rev))
	}
	if err := e.docs.ResolveComment(as(e.maria), reply.ID); err != nil {
		t.Fatal(err)
	}
	doc, _ = e.docs.ListComments(ctx, d.ID, false)
	if doc[0].ResolvedAt == nil || doc[1].ResolvedAt != nil {
		t.Errorf("resolving a reply resolves its thread: %+v %+v", doc[0], doc[1])
	}
	for name, bad := range map[string]*trellis.Comment{
		"empty":           {DocumentID: d.ID, SectionID: "summary", Text: "  "},
		"unknown section": {DocumentID: d.ID, SectionID: "nope", Text: "x"},
		"unknown doc":     {DocumentID: 999, SectionID: "summary", Text: "x"},
	} {
		if err := e.docs.AddComment(as(e.maria), bad); err == nil {
			t.Errorf("%s: stored", name)
		}
	}
	wantCode(t, e.docs.AddComment(ctx, &trellis.Comment{DocumentID: d.ID, SectionID: "summary", Text: "x"}), trellis.EUNAUTHORIZED)
	wantCode(t, e.docs.ResolveComment(ctx, 999), trellis.ENOTFOUND)
}

func TestFeedbackAnsweredOnlyByTheReviewer(t *testing.T) {
	t.Parallel()
	e := newPromoEnv(t)
	d := e.newDoc(t)
	ctx := context.Background()
	due := e.clock.T.AddDate(0, 0, 7)
	r := &trellis.FeedbackRequest{DocumentID: d.ID, ReviewerID: e.rita.ID, Due: &due}
	if err := e.docs.RequestFeedback(as(e.maria), r); err != nil {
		t.Fatal(err)
	}
	if got := e.unread(t, e.rita); !slices.Equal(got, []string{"feedback.requested"}) {
		t.Errorf("rita's inbox: %v", got)
	}
	wantCode(t, e.docs.RequestFeedback(as(e.maria), &trellis.FeedbackRequest{DocumentID: d.ID, ReviewerID: e.rita.ID}), trellis.ECONFLICT)
	wantCode(t, e.docs.RequestFeedback(as(e.maria), &trellis.FeedbackRequest{DocumentID: d.ID, ReviewerID: e.sam.ID}), trellis.ERULE)
	wantCode(t, e.docs.RequestFeedback(as(e.maria), &trellis.FeedbackRequest{DocumentID: d.ID, ReviewerID: e.eve.ID}), trellis.ERULE)
	wantCode(t, e.docs.RequestFeedback(as(e.maria), &trellis.FeedbackRequest{DocumentID: d.ID, ReviewerID: e.alice.ID}), trellis.ERULE)

	answer := &trellis.FeedbackRequest{ID: r.ID, Start: "Write more runbooks.", Support: "I support this promotion."}
	wantCode(t, e.docs.AnswerFeedback(as(e.maria), answer), trellis.EFORBIDDEN)
	wantCode(t, e.docs.AnswerFeedback(as(e.alice), answer), trellis.EFORBIDDEN)
	wantCode(t, e.docs.AnswerFeedback(ctx, answer), trellis.EUNAUTHORIZED)
	list, _ := e.docs.ListFeedback(ctx, d.ID)
	if len(list) != 1 || list[0].AnsweredAt != nil || list[0].Support != "" {
		t.Fatalf("refused answers were stored: %+v", list)
	}
	if err := e.docs.AnswerFeedback(as(e.rita), answer); err != nil {
		t.Fatal(err)
	}
	list, _ = e.docs.ListFeedback(ctx, d.ID)
	if f := list[0]; f.AnsweredAt == nil || f.Support != "I support this promotion." || f.Start != "Write more runbooks." ||
		f.RequestedBy != e.maria.ID || f.Due == nil || !f.Due.Equal(trellis.Day(due)) {
		t.Errorf("answered %+v", f)
	}
	if got := e.unread(t, e.maria); !slices.Contains(got, "feedback.answered") {
		t.Errorf("maria's inbox: %v", got)
	}
}

func TestLibraryVisibilityRules(t *testing.T) {
	t.Parallel()
	e := newPromoEnv(t)
	ctx := context.Background()
	mk := func(who *trellis.Person, vis trellis.Visibility, text string) *trellis.Document {
		d := &trellis.Document{PersonID: who.ID, TargetRole: "senior-support-engineer", Visibility: vis,
			Sections: []trellis.DocumentSection{{ID: "summary", Text: text}}}
		if err := e.docs.CreateDocument(as(who), d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	private := mk(e.alice, trellis.VisPrivate, "Kubernetes runners rebuilt by the private author.")
	manager := mk(e.paul, trellis.VisManager, "Kubernetes runners for the manager only.")
	open := mk(e.eve, trellis.VisOrganisationViewer, "Kubernetes runners shared with everyone.")
	found := func(f trellis.LibraryFilter) []int64 {
		t.Helper()
		page, err := e.docs.SearchLibrary(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, h := range page.Items {
			ids = append(ids, h.Document.ID)
		}
		return ids
	}
	if got := found(trellis.LibraryFilter{Query: "kubernetes"}); !slices.Equal(got, []int64{open.ID}) {
		t.Fatalf("search found %v, want only the open document %d", got, open.ID)
	}
	if got := found(trellis.LibraryFilter{}); !slices.Equal(got, []int64{open.ID}) {
		t.Fatalf("browse found %v", got)
	}
	// Narrowing the visibility takes it out; widening puts it in.
	open.Visibility = trellis.VisPrivate
	if err := e.docs.UpdateDocument(as(e.eve), open, open.Version); err != nil {
		t.Fatal(err)
	}
	if got := found(trellis.LibraryFilter{Query: "kubernetes"}); len(got) != 0 {
		t.Fatalf("after narrowing: %v", got)
	}
	if ev := e.auditOf(t, trellis.AuditVisibilityChanged); len(ev) != 1 {
		t.Errorf("visibility changes audited: %d", len(ev))
	}
	private.Visibility = trellis.VisOrganisationCommenter
	if err := e.docs.UpdateDocument(as(e.alice), private, private.Version); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.docs.UpdateDocument(as(e.alice), private, private.Version-1), trellis.ECONFLICT)
	if got := found(trellis.LibraryFilter{Query: "kubernetes"}); !slices.Equal(got, []int64{private.ID}) {
		t.Fatalf("after widening: %v", got)
	}
	// Consent alone does not list a document still in progress and private.
	manager.ShareInLibrary = true
	if err := e.docs.UpdateDocument(as(e.paul), manager, manager.Version); err != nil {
		t.Fatal(err)
	}
	if got := found(trellis.LibraryFilter{Query: "manager"}); len(got) != 0 {
		t.Fatalf("a manager-only draft with consent is listed: %v", got)
	}
	// Text saved later is searchable.
	if _, err := e.docs.SaveSection(as(e.alice), private.ID, "business-results", "Cut escalations by half with LDAP sign-in fixes.",
		private.Sections[1].Version, true); err != nil {
		t.Fatal(err)
	}
	if got := found(trellis.LibraryFilter{Query: "ldap escalation"}); !slices.Equal(got, []int64{private.ID}) {
		t.Fatalf("after a save: %v", got)
	}
	// Filters.
	if got := found(trellis.LibraryFilter{Query: "kubernetes", TargetRole: "staff-support-engineer"}); len(got) != 0 {
		t.Errorf("role filter: %v", got)
	}
	if got := found(trellis.LibraryFilter{Query: "kubernetes", Competency: "troubleshooting"}); !slices.Equal(got, []int64{private.ID}) {
		t.Errorf("competency filter: %v", got)
	}
	if got := found(trellis.LibraryFilter{Competency: "no-such-competency"}); len(got) != 0 {
		t.Errorf("unknown competency: %v", got)
	}
	if got := found(trellis.LibraryFilter{Query: "kubernetes", CycleID: &e.cycle.ID}); len(got) != 0 {
		t.Errorf("cycle filter: %v", got)
	}
}

func TestLibrarySearchRankingSnippetsAndHostileQueries(t *testing.T) {
	t.Parallel()
	e := newPromoEnv(t)
	ctx := context.Background()
	mk := func(who *trellis.Person, title, text string) *trellis.Document {
		d := &trellis.Document{PersonID: who.ID, TargetRole: "senior-support-engineer", Title: title,
			Visibility: trellis.VisOrganisationViewer, Sections: []trellis.DocumentSection{{ID: "summary", Text: text}}}
		if err := e.docs.CreateDocument(as(who), d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	titled := mk(e.alice, "Backup and restore for every customer", "Alice automated restores. <script>alert(1)</script> & more.")
	body := mk(e.paul, "Paul's case", "Paul wrote one runbook about backup among many other things to do with queues and tickets and triage.")
	mk(e.eve, "Eve's case", "Eve answered tickets.")

	page, err := e.docs.SearchLibrary(ctx, trellis.LibraryFilter{Query: "backup"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 2 || page.Items[0].Document.ID != titled.ID || page.Items[1].Document.ID != body.ID {
		t.Fatalf("ranking: %+v", page.Items)
	}
	if page.Items[0].Rank <= page.Items[1].Rank {
		t.Errorf("ranks %v, %v", page.Items[0].Rank, page.Items[1].Rank)
	}
	page, _ = e.docs.SearchLibrary(ctx, trellis.LibraryFilter{Query: "restores"})
	if len(page.Items) != 1 {
		t.Fatalf("stemmed search: %+v", page.Items)
	}
	snip := page.Items[0].Snippet
	// SQLite keeps the tag as text, escaped; PostgreSQL's parser drops it.
	if !strings.Contains(snip, "<mark>restores</mark>") || strings.Contains(snip, "<script") || !strings.Contains(snip, "&amp; more") {
		t.Errorf("snippet %q: want the match marked and the rest escaped", snip)
	}
	if page.Items[0].Document.Sections == nil {
		t.Errorf("hits carry a document")
	}
	for _, q := range []string{`"`, `*`, `backup*`, `NEAR(backup restore)`, `title:backup`, `') OR 1=1 --`, `-`, `OR`, `AND OR NOT`,
		`{title}:x`, "\u0000", `backup"restore`, strings.Repeat("(", 500), `\uE000mark`} {
		if _, err := e.docs.SearchLibrary(ctx, trellis.LibraryFilter{Query: q}); err != nil {
			t.Errorf("query %q: %v", q, err)
		}
	}
	page, _ = e.docs.SearchLibrary(ctx, trellis.LibraryFilter{Query: `backup -restores`})
	if len(page.Items) != 1 || page.Items[0].Document.ID != body.ID {
		t.Errorf("exclusion: %+v", page.Items)
	}
	page, _ = e.docs.SearchLibrary(ctx, trellis.LibraryFilter{Query: `backup OR tickets`, Limit: 2})
	if len(page.Items) != 2 || page.NextCursor == "" {
		t.Fatalf("first page: %d, cursor %q", len(page.Items), page.NextCursor)
	}
	next, err := e.docs.SearchLibrary(ctx, trellis.LibraryFilter{Query: `backup OR tickets`, Limit: 2, Cursor: page.NextCursor})
	if err != nil || len(next.Items) != 1 || next.NextCursor != "" {
		t.Fatalf("second page: %+v, %v", next, err)
	}
	_, err = e.docs.SearchLibrary(ctx, trellis.LibraryFilter{Query: "x", Cursor: "garbage"})
	wantCode(t, err, trellis.EINVALID)
	browse, _ := e.docs.SearchLibrary(ctx, trellis.LibraryFilter{Limit: 2})
	if len(browse.Items) != 2 || browse.NextCursor == "" || strings.Contains(browse.Items[0].Snippet, "<script>") {
		t.Fatalf("browse: %+v", browse)
	}
	rest, _ := e.docs.SearchLibrary(ctx, trellis.LibraryFilter{Limit: 2, Cursor: browse.NextCursor})
	if len(rest.Items) != 1 {
		t.Errorf("browse second page: %d", len(rest.Items))
	}
}

func TestCyclesAndProjections(t *testing.T) {
	t.Parallel()
	e := newPromoEnv(t)
	ctx := context.Background()
	got, err := e.cycles.FindCycle(ctx, e.cycle.ID)
	if err != nil || got.Name != "2027 H1" || !got.Phases[trellis.PhaseEffective].Equal(e.effectiveDate) || got.Version != 1 {
		t.Fatalf("found %+v, %v", got, err)
	}
	dup := &trellis.Cycle{Name: "2027 H1", Phases: got.Phases}
	wantCode(t, e.cycles.CreateCycle(as(e.dana), dup), trellis.ECONFLICT)
	bad := &trellis.Cycle{Name: "broken", Phases: map[string]time.Time{trellis.PhaseDrafting: e.effectiveDate}}
	wantCode(t, e.cycles.CreateCycle(as(e.dana), bad), trellis.EINVALID)
	got.Name = "2027 first half"
	if err := e.cycles.UpdateCycle(as(e.dana), got, 1); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.cycles.UpdateCycle(as(e.dana), got, 1), trellis.ECONFLICT)
	list, _ := e.cycles.ListCycles(ctx)
	if len(list) != 1 || list[0].Name != "2027 first half" || list[0].Version != 2 {
		t.Errorf("list %+v", list)
	}

	p := &trellis.Projection{PersonID: e.alice.ID, TargetRole: "senior-support-engineer", CycleID: &e.cycle.ID, Status: "on-track"}
	if err := e.cycles.SaveProjection(as(e.maria), p, 0); err != nil {
		t.Fatal(err)
	}
	if p.ManagerID != e.maria.ID || p.Version != 1 {
		t.Errorf("projection %+v", p)
	}
	wantCode(t, e.cycles.SaveProjection(as(e.maria), &trellis.Projection{PersonID: e.alice.ID, TargetRole: "senior-support-engineer", Status: "on-track"}, 0), trellis.ECONFLICT)
	p.Status = "at-risk"
	if err := e.cycles.SaveProjection(as(e.maria), p, 1); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.cycles.SaveProjection(as(e.maria), p, 1), trellis.ECONFLICT)
	wantCode(t, e.cycles.SaveProjection(as(e.maria), &trellis.Projection{PersonID: e.paul.ID, TargetRole: "senior-support-engineer", Status: "maybe"}, 0), trellis.EINVALID)
	wantCode(t, e.cycles.SaveProjection(as(e.peter), &trellis.Projection{PersonID: e.paul.ID, TargetRole: "astronaut", Status: "on-track"}, 0), trellis.EINVALID)
	if err := e.cycles.SaveProjection(as(e.peter), &trellis.Projection{PersonID: e.paul.ID, TargetRole: "senior-support-engineer", Status: "not-this-cycle"}, 0); err != nil {
		t.Fatal(err)
	}
	mine, _ := e.cycles.ListProjections(ctx, &e.maria.ID)
	all, _ := e.cycles.ListProjections(ctx, nil)
	if len(mine) != 1 || mine[0].Status != "at-risk" || mine[0].Version != 2 || len(all) != 2 {
		t.Errorf("maria's %+v, all %d", mine, len(all))
	}
}

func TestCalibrationLoadsANominatedCycle(t *testing.T) {
	t.Parallel()
	e := newPromoEnv(t)
	ctx := context.Background()
	d := e.fill(t, e.alice, e.newDoc(t))
	d = e.move(t, e.alice, d, trellis.DocManagerReview, "")
	d = e.move(t, e.maria, d, trellis.DocPeerReview, "")
	d = e.move(t, e.sam, d, trellis.DocApproved, "")
	d = e.move(t, e.maria, d, trellis.DocNominated, "")
	e.newDoc(t) // a draft in the same cycle is not a nomination
	ev := sqlstore.NewEvidenceService(e.db)
	for i, vis := range []trellis.Visibility{trellis.VisManager, trellis.VisPrivate} {
		en := entry(e.alice.ID, "2026-12-0"+fmt.Sprint(i+1), "Rebuilt the runners", "troubleshooting")
		en.Visibility = vis
		if err := ev.CreateEvidence(as(e.alice), en); err != nil {
			t.Fatal(err)
		}
	}
	if err := sqlstore.NewReadinessService(e.db).SaveAssessment(as(e.maria), &trellis.Assessment{PersonID: e.alice.ID,
		FrameworkVersion: d.FrameworkVersion, RoleID: "senior-support-engineer", Competency: "troubleshooting", By: "manager", Rating: "meets"}); err != nil {
		t.Fatal(err)
	}
	entries, err := e.cycles.Calibration(ctx, e.cycle.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("%d entries", len(entries))
	}
	c := entries[0]
	if c.Document.ID != d.ID || c.Candidate.ID != e.alice.ID || len(c.Document.Sections) != 4 || c.Decision != nil {
		t.Errorf("entry %+v", c)
	}
	if len(c.Evidence) != 1 || c.Evidence[0].Count != 1 {
		t.Errorf("evidence (private entries left out): %+v", c.Evidence)
	}
	if len(c.Assessments) != 1 || c.Assessments[0].Rating != "meets" {
		t.Errorf("assessments %+v", c.Assessments)
	}
	_, err = e.cycles.Calibration(ctx, 999)
	wantCode(t, err, trellis.ENOTFOUND)
}

func TestNotifications(t *testing.T) {
	t.Parallel()
	e := newPromoEnv(t)
	ctx := context.Background()
	for i := range 3 {
		if err := e.inbox.Notify(ctx, &trellis.Notification{PersonID: e.alice.ID, Kind: "test.kind", Title: fmt.Sprint("n", i), URL: "/me"}); err != nil {
			t.Fatal(err)
		}
	}
	for name, bad := range map[string]*trellis.Notification{
		"no person":      {Kind: "k", Title: "t"},
		"no title":       {PersonID: e.alice.ID, Kind: "k"},
		"outside link":   {PersonID: e.alice.ID, Kind: "k", Title: "t", URL: "https://evil.example/"},
		"scheme-less":    {PersonID: e.alice.ID, Kind: "k", Title: "t", URL: "//evil.example/"},
		"unknown person": {PersonID: 9999, Kind: "k", Title: "t"},
	} {
		if err := e.inbox.Notify(ctx, bad); err == nil {
			t.Errorf("%s: stored", name)
		}
	}
	list, _ := e.inbox.ListNotifications(ctx, e.alice.ID, true, 10)
	if len(list) != 3 || list[0].Title != "n2" {
		t.Fatalf("unread %+v", list)
	}
	if err := e.inbox.MarkRead(ctx, e.paul.ID, []int64{list[0].ID}); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.inbox.CountUnread(ctx, e.alice.ID); n != 3 {
		t.Errorf("someone else marked alice's notification read: %d unread", n)
	}
	if err := e.inbox.MarkRead(ctx, e.alice.ID, []int64{list[0].ID}); err != nil {
		t.Fatal(err)
	}
	unread, _ := e.inbox.ListNotifications(ctx, e.alice.ID, true, 10)
	all, _ := e.inbox.ListNotifications(ctx, e.alice.ID, false, 10)
	if len(unread) != 2 || len(all) != 3 || all[0].ReadAt == nil {
		t.Errorf("unread %d, all %d", len(unread), len(all))
	}
	if err := e.inbox.MarkRead(ctx, e.alice.ID, nil); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.inbox.CountUnread(ctx, e.alice.ID); n != 0 {
		t.Errorf("%d unread after marking all", n)
	}
}
