package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"trellis"
	"trellis/auth"
)

// Kept actors and responses never outlive the writes they depend on, even
// writes this server did not see (another node, a command), and one
// viewer's kept response never reaches another.
func TestCachedReadsFollowEveryWrite(t *testing.T) {
	e := newEnv(t)
	o := newFixtureOrg(t, e)
	ctx := context.Background()
	self := o.people[actSelf]
	selfTok := newToken(t, e, self.ID, "script", auth.ScopeRead)
	mgrTok := newToken(t, e, o.people[actManager].ID, "script", auth.ScopeRead)
	get := func(what, tok, path string, status int) string {
		t.Helper()
		return wantStatus(t, what, e.do("GET", path, nil, "Authorization", "Bearer "+tok), status)
	}
	hits := func(cache string) float64 {
		var m dto.Metric
		if err := e.srv.metrics.caches.WithLabelValues(cache, "hit").Write(&m); err != nil {
			t.Fatal(err)
		}
		return m.GetCounter().GetValue()
	}
	// Entries written through the store, as another node would.
	write := func(title string, vis trellis.Visibility) *trellis.Evidence {
		t.Helper()
		ev := &trellis.Evidence{PersonID: self.ID, Date: trellis.Day(time.Now().UTC()).AddDate(0, 0, -1), Title: title,
			Competencies: []string{"communication"}, Visibility: vis}
		if err := e.deps.Evidence.CreateEvidence(trellis.NewContextWithActor(ctx, trellis.Actor{Person: self}), ev); err != nil {
			t.Fatal(err)
		}
		return ev
	}
	list := fmt.Sprintf("/api/v1/people/%d/evidence?limit=20", self.ID)
	readiness := fmt.Sprintf("/api/v1/people/%d/readiness?target=senior-support-engineer", self.ID)

	write("Private draft of the upgrade runbook", trellis.VisPrivate)
	first := get("own journal", selfTok, list, 200)
	if !strings.Contains(first, "Private draft") {
		t.Fatalf("own journal lacks the private entry: %s", first)
	}
	before := hits("response")
	if again := get("own journal again", selfTok, list, 200); again != first || hits("response") != before+1 {
		t.Fatalf("the same read again was not served from the cache (hits %v -> %v)", before, hits("response"))
	}
	if mgr := get("manager's view", mgrTok, list, 200); strings.Contains(mgr, "Private draft") {
		t.Fatalf("the manager got the person's kept journal: %s", mgr)
	}
	readyBefore := get("readiness", selfTok, readiness, 200)
	get("readiness again", selfTok, readiness, 200)

	// A write elsewhere moves the person's revision: seen at once, by both.
	write("Shared escalation write-up", trellis.VisManager)
	for _, tok := range []string{selfTok, mgrTok} {
		if body := get("after a write", tok, list, 200); !strings.Contains(body, "Shared escalation") {
			t.Errorf("a kept journal outlived a write: %s", body)
		}
	}
	if after := get("readiness after a write", selfTok, readiness, 200); after == readyBefore {
		t.Errorf("readiness did not count the new entry: %s", after)
	}

	// Revoking the token elsewhere: the next request is refused, although
	// the token's actor was kept a moment ago.
	tokens, err := e.deps.Tokens.ListTokens(ctx, self.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range tokens {
		if tok.Name == "script" {
			if err := e.deps.Tokens.RevokeToken(ctx, tok.ID, time.Now().UTC()); err != nil {
				t.Fatal(err)
			}
		}
	}
	get("revoked token", selfTok, list, 401)

	// The manager leaves the reporting line: their kept rights go with it.
	if body := get("manager before the change", mgrTok, list, 200); !strings.Contains(body, "Shared escalation") {
		t.Fatalf("the manager does not see the entry shared with them: %s", body)
	}
	if _, err := e.deps.People.UpdatePerson(ctx, self.ID, trellis.PersonUpdate{ManagerID: &o.people[actPeer].ID}, self.Version); err != nil {
		t.Fatal(err)
	}
	if body := get("former manager", mgrTok, list, 200); strings.Contains(body, "Shared escalation") {
		t.Errorf("the former manager still sees what was shared with the manager: %s", body)
	}
	if hits("actor") == 0 {
		t.Error("no actor was ever recalled")
	}
}

func TestAPIPersonID(t *testing.T) {
	for path, want := range map[string]int64{
		"/api/v1/people/42":                  42,
		"/api/v1/people/42/readiness":        42,
		"/api/v1/people/0/evidence":          0,
		"/api/v1/people/-3/evidence":         0,
		"/api/v1/people/me/evidence":         0,
		"/api/v1/people":                     0,
		"/people/42/readiness":               0,
		"/api/v1/people/9999999999999999999": 0,
	} {
		if got := apiPersonID(path); got != want {
			t.Errorf("apiPersonID(%q) = %d, want %d", path, got, want)
		}
	}
}
