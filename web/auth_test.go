package web

import (
	"context"
	"net/http"
	"testing"
	"time"

	"trellis"
	"trellis/auth"
	"trellis/sqlstore"
)

// testParams make password hashing cheap in tests.
var testParams = auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// testDeps are the sign-in and people dependencies on db.
func testDeps(t testing.TB, db *sqlstore.DB) Deps {
	t.Helper()
	h, err := auth.NewHasher(testParams)
	if err != nil {
		t.Fatal(err)
	}
	return Deps{
		People:        sqlstore.NewPersonService(db),
		Audit:         sqlstore.NewAuditService(db),
		Credentials:   sqlstore.NewCredentialStore(db),
		Tokens:        sqlstore.NewTokenStore(db),
		Sessions:      sqlstore.NewSessionStore(db),
		Evidence:      sqlstore.NewEvidenceService(db),
		Growth:        sqlstore.NewGrowthService(db),
		Readiness:     sqlstore.NewReadinessService(db),
		Revisions:     sqlstore.NewRevisionService(db),
		Documents:     sqlstore.NewDocumentService(db),
		Cycles:        sqlstore.NewCycleService(db),
		Notifications: sqlstore.NewNotificationService(db),
		Chats:         sqlstore.NewChatService(db),
		Mentoring:     sqlstore.NewMentoringService(db),
		Deliveries:    sqlstore.NewDeliveryService(db),
		Openings:      sqlstore.NewOpeningService(db),
		Programmes:    sqlstore.NewProgrammeService(db),
		Assignments:   sqlstore.NewProgrammeService(db),
		Hasher:        h,
		Forge:         testForge(t, db),
	}
}

// addPerson stores a person in the default framework's first role.
func addPerson(t testing.TB, ps trellis.PersonService, email, name, access string, manager *int64) *trellis.Person {
	t.Helper()
	p := &trellis.Person{Email: email, Name: name, RoleID: "support-engineer", Access: access, ManagerID: manager, Active: true}
	if err := ps.CreatePerson(context.Background(), p); err != nil {
		t.Fatalf("adding %s: %v", email, err)
	}
	return p
}

// sessionCookie signs p in on a new session of srv's store and returns the
// session cookie's value, without going through the sign-in form.
func sessionCookie(t testing.TB, srv *Server, p *trellis.Person) string {
	t.Helper()
	ctx, err := srv.sessions.Load(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.startSession(ctx, p.ID, "test"); err != nil {
		t.Fatal(err)
	}
	token, _, err := srv.sessions.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// withCookie adds the session cookie to a request.
func withCookie(r *http.Request, cookie string) *http.Request {
	r.AddCookie(&http.Cookie{Name: SessionCookie, Value: cookie})
	return r
}

// onePerson is a person service knowing one person, for instances where the
// store cannot hold anyone yet (no framework).
type onePerson struct{ p *trellis.Person }

func (o onePerson) FindPerson(_ context.Context, id int64) (*trellis.Person, error) {
	if id != o.p.ID {
		return nil, trellis.Errorf(trellis.ENOTFOUND, "no person %d", id)
	}
	return o.p, nil
}
func (o onePerson) FindPersonByEmail(context.Context, string) (*trellis.Person, error) {
	return nil, trellis.Errorf(trellis.ENOTFOUND, "no")
}
func (o onePerson) ListPeople(context.Context, trellis.PersonFilter) (trellis.PersonPage, error) {
	return trellis.PersonPage{Items: []*trellis.Person{o.p}}, nil
}
func (o onePerson) CreatePerson(context.Context, *trellis.Person) error {
	return trellis.Errorf(trellis.EINVALID, "no")
}
func (o onePerson) UpdatePerson(context.Context, int64, trellis.PersonUpdate, int) (*trellis.Person, error) {
	return nil, trellis.Errorf(trellis.EINVALID, "no")
}
func (o onePerson) ImportPeople(context.Context, []trellis.PersonImportRow) (trellis.PersonImportResult, error) {
	return trellis.PersonImportResult{}, trellis.Errorf(trellis.EINVALID, "no")
}
func (o onePerson) ListReports(context.Context, int64) ([]*trellis.Person, error) { return nil, nil }
func (o onePerson) ManagerChain(context.Context, int64) ([]*trellis.Person, error) {
	return nil, nil
}
func (o onePerson) HasReports(context.Context, int64) (bool, error) { return false, nil }

var _ = time.Second
