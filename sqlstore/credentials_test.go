package sqlstore_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"trellis"
	"trellis/auth"
	"trellis/sqlstore"
)

func cheapHash(t *testing.T, password string) string {
	t.Helper()
	h, err := auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		t.Fatal(err)
	}
	phc, err := h.Hash(password)
	if err != nil {
		t.Fatal(err)
	}
	return phc
}

func TestPasswords(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cs := sqlstore.NewCredentialStore(e.db)
	p := e.add(t, "pat@example.com", "Pat", nil)
	first, second := cheapHash(t, "first password!"), cheapHash(t, "second password!")

	wantCode(t, cs.SetPasswordHash(e.ctx, 9999, first), trellis.ENOTFOUND)
	wantCode(t, cs.SetPasswordHash(e.ctx, p.ID, "plain text"), trellis.EINVALID)
	_, _, err := cs.PasswordHash(e.ctx, "pat@example.com")
	wantCode(t, err, trellis.ENOTFOUND) // no password yet

	for _, phc := range []string{first, second} {
		if err := cs.SetPasswordHash(e.ctx, p.ID, phc); err != nil {
			t.Fatal(err)
		}
		id, got, err := cs.PasswordHash(e.ctx, " PAT@example.com ")
		if err != nil || id != p.ID || got != phc {
			t.Errorf("PasswordHash = %d, %q, %v; want %d, %q", id, got, err, p.ID, phc)
		}
	}
	ev := e.events(t, trellis.AuditFilter{Action: trellis.AuditPasswordChanged, TargetID: fmt.Sprint(p.ID)})
	if len(ev) != 2 || ev[0].After != nil || ev[0].Before != nil {
		t.Errorf("password events %+v; want two, without the hash", ev)
	}

	_, _, err = cs.PasswordHash(e.ctx, "nobody@example.com")
	wantCode(t, err, trellis.ENOTFOUND)
	if _, err := e.people.UpdatePerson(e.ctx, p.ID, trellis.PersonUpdate{Active: ptr(false)}, p.Version); err != nil {
		t.Fatal(err)
	}
	_, _, err = cs.PasswordHash(e.ctx, "pat@example.com")
	wantCode(t, err, trellis.ENOTFOUND) // left
}

func TestIdentities(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cs := sqlstore.NewCredentialStore(e.db)
	p := e.add(t, "ida@example.com", "Ida", nil)

	_, err := cs.FindIdentity(e.ctx, "okta", "sub-1")
	wantCode(t, err, trellis.ENOTFOUND)
	if err := cs.LinkIdentity(e.ctx, "okta", "sub-1", p.ID); err != nil {
		t.Fatal(err)
	}
	if err := cs.LinkIdentity(e.ctx, "okta", "sub-1", p.ID); err != nil {
		t.Errorf("linking again: %v", err)
	}
	if id, err := cs.FindIdentity(e.ctx, "okta", "sub-1"); err != nil || id != p.ID {
		t.Errorf("FindIdentity = %d, %v", id, err)
	}
	_, err = cs.FindIdentity(e.ctx, "google", "sub-1") // same subject, other provider
	wantCode(t, err, trellis.ENOTFOUND)
	wantCode(t, cs.LinkIdentity(e.ctx, "okta", "sub-1", e.admin.ID), trellis.ECONFLICT)
	wantCode(t, cs.LinkIdentity(e.ctx, "okta", "sub-2", 9999), trellis.ENOTFOUND)
	wantCode(t, cs.LinkIdentity(e.ctx, "", "sub-2", p.ID), trellis.EINVALID)

	if _, err := e.people.UpdatePerson(e.ctx, p.ID, trellis.PersonUpdate{Active: ptr(false)}, p.Version); err != nil {
		t.Fatal(err)
	}
	_, err = cs.FindIdentity(e.ctx, "okta", "sub-1")
	wantCode(t, err, trellis.ENOTFOUND)
}

func TestSignInAttemptsFeedTheThrottle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cs := sqlstore.NewCredentialStore(e.db)
	start := e.clock.T
	attempt := func(email, ip string, ok bool) {
		t.Helper()
		if err := cs.RecordSignInAttempt(e.ctx, email, ip, ok); err != nil {
			t.Fatal(err)
		}
		e.clock.T = e.clock.T.Add(10 * time.Second)
	}
	recent := func(email, ip string, since time.Time) (acc, addr []time.Time) {
		t.Helper()
		acc, addr, err := cs.RecentSignInFailures(e.ctx, email, ip, since)
		if err != nil {
			t.Fatal(err)
		}
		return acc, addr
	}

	attempt("pat@example.com", "10.0.0.1", false)
	attempt("Pat@Example.com", "10.0.0.1", false)
	attempt("pat@example.com", "10.0.0.2", true) // a success clears the account's history
	for range 5 {
		attempt("pat@example.com", "10.0.0.1", false)
	}
	attempt("other@example.com", "10.0.0.1", false)

	acc, addr := recent("PAT@example.com", "10.0.0.1", time.Time{})
	if len(acc) != 5 || len(addr) != 8 {
		t.Fatalf("failures: account %d (want 5 after the success), address %d (want 8)", len(acc), len(addr))
	}
	if !slices.IsSortedFunc(acc, func(a, b time.Time) int { return a.Compare(b) }) || !acc[0].Equal(start.Add(30*time.Second)) {
		t.Errorf("account failures %v", acc)
	}
	acc, addr = recent("pat@example.com", "10.0.0.1", start.Add(50*time.Second))
	if len(acc) != 3 || len(addr) != 4 {
		t.Errorf("since: account %d, address %d; want 3, 4", len(acc), len(addr))
	}
	if _, addr = recent("pat@example.com", "", time.Time{}); addr != nil {
		t.Errorf("no address, yet %d address failures", len(addr))
	}

	// Five failures: the next attempt waits.
	acc, addr = recent("pat@example.com", "10.0.0.1", e.clock.T.Add(-auth.DefaultThrottle.Window))
	if d := auth.DefaultThrottle.Check(e.clock.T, acc, addr); d.Allowed || d.By != "account" {
		t.Errorf("after five failures: %v", d)
	}
	if d := auth.DefaultThrottle.Check(recent2(t, cs, e, "new@example.com", "10.0.0.9")); !d.Allowed {
		t.Errorf("a fresh account and address: %v", d)
	}

	// A day later the old attempts are forgotten on the next write.
	e.clock.T = e.clock.T.Add(25 * time.Hour)
	attempt("pat@example.com", "10.0.0.1", false)
	acc, addr = recent("pat@example.com", "10.0.0.1", time.Time{})
	if len(acc) != 1 || len(addr) != 1 {
		t.Errorf("after a day: account %d, address %d; want the one new failure", len(acc), len(addr))
	}
	var rows int
	if err := sqlstore.RawDB(e.db).QueryRow(`SELECT COUNT(*) FROM signin_attempts`).Scan(&rows); err != nil || rows != 1 {
		t.Errorf("%d attempts kept, %v; want 1", rows, err)
	}
}

func recent2(t *testing.T, cs *sqlstore.CredentialStore, e *env, email, ip string) (time.Time, []time.Time, []time.Time) {
	t.Helper()
	acc, addr, err := cs.RecentSignInFailures(e.ctx, email, ip, e.clock.T.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return e.clock.T, acc, addr
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ts := sqlstore.NewTokenStore(e.db)
	p := e.add(t, "tom@example.com", "Tom", nil)
	now := e.clock.T

	tok, plain, err := auth.NewAPIToken(p.ID, "laptop", auth.ScopeWrite, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.CreateToken(e.ctx, tok); err != nil {
		t.Fatal(err)
	}
	e.clock.T = now.Add(time.Minute)
	older := tok
	tok2, _, _ := auth.NewAPIToken(p.ID, "ci", auth.ScopeRead, now.Add(time.Minute), time.Hour)
	if err := ts.CreateToken(e.ctx, tok2); err != nil {
		t.Fatal(err)
	}
	if tok.ID == 0 || tok2.ID == 0 || tok.ID == tok2.ID {
		t.Fatalf("ids %d, %d", tok.ID, tok2.ID)
	}

	got, err := ts.FindTokenByHash(e.ctx, auth.HashToken(plain))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != tok.ID || got.PersonID != p.ID || got.Name != "laptop" || got.Scope != "write" || got.Hash != tok.Hash ||
		!got.CreatedAt.Equal(now) || !got.ExpiresAt.Equal(tok.ExpiresAt) || got.LastUsedAt != nil || got.RevokedAt != nil {
		t.Errorf("found %+v, stored %+v", got, tok)
	}
	_, err = ts.FindTokenByHash(e.ctx, auth.HashToken("trl_never-issued"))
	wantCode(t, err, trellis.ENOTFOUND)

	used := now.Add(2 * time.Minute)
	if err := ts.TouchToken(e.ctx, tok.ID, used); err != nil {
		t.Fatal(err)
	}
	wantCode(t, ts.TouchToken(e.ctx, 9999, used), trellis.ENOTFOUND)

	revoked := now.Add(3 * time.Minute)
	if err := ts.RevokeToken(e.ctx, tok.ID, revoked); err != nil {
		t.Fatal(err)
	}
	if err := ts.RevokeToken(e.ctx, tok.ID, revoked.Add(time.Hour)); err != nil { // again: nothing
		t.Fatal(err)
	}
	wantCode(t, ts.RevokeToken(e.ctx, 9999, revoked), trellis.ENOTFOUND)

	list, err := ts.ListTokens(e.ctx, p.ID)
	if err != nil || len(list) != 2 || list[0].ID != tok2.ID || list[1].ID != older.ID {
		t.Fatalf("ListTokens = %+v, %v; want newest first", list, err)
	}
	if l := list[1]; l.LastUsedAt == nil || !l.LastUsedAt.Equal(used) || l.RevokedAt == nil || !l.RevokedAt.Equal(revoked) ||
		l.Problem(revoked) != "revoked" {
		t.Errorf("revoked token read back as %+v", l)
	}
	if list, err := ts.ListTokens(e.ctx, e.admin.ID); err != nil || list == nil || len(list) != 0 {
		t.Errorf("tokens of someone without any: %v, %v", list, err)
	}

	wantCode(t, ts.CreateToken(e.ctx, &auth.APIToken{PersonID: 9999, Hash: "x", Scope: "read", CreatedAt: now, ExpiresAt: now}), trellis.ENOTFOUND)
	dup := *tok2
	wantCode(t, ts.CreateToken(e.ctx, &dup), trellis.ECONFLICT)

	created := e.events(t, trellis.AuditFilter{Action: trellis.AuditTokenCreated})
	revokedEv := e.events(t, trellis.AuditFilter{Action: trellis.AuditTokenRevoked})
	if len(created) != 2 || created[1].TargetID != fmt.Sprint(tok.ID) || created[1].After["scope"] != "write" ||
		len(revokedEv) != 1 || revokedEv[0].TargetID != fmt.Sprint(tok.ID) || *revokedEv[0].ActorID != e.admin.ID {
		t.Errorf("token events: created %+v, revoked %+v", created, revokedEv)
	}
	for _, ev := range created {
		for _, v := range ev.After {
			if v == tok.Hash || v == plain {
				t.Error("a token secret reached the audit log")
			}
		}
	}
}

func TestResetLinks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ts := sqlstore.NewTokenStore(e.db)
	p := e.add(t, "rue@example.com", "Rue", nil)
	now := e.clock.T

	link, plain, err := auth.NewResetLink(p.ID, &e.admin.ID, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.CreateResetLink(e.ctx, link); err != nil {
		t.Fatal(err)
	}
	wantCode(t, ts.CreateResetLink(e.ctx, &auth.ResetLink{PersonID: 9999, Hash: "h", CreatedAt: now, ExpiresAt: now}), trellis.ENOTFOUND)

	// Many at once: exactly one wins.
	const n = 12
	var wg sync.WaitGroup
	results := make([]error, n)
	links := make([]*auth.ResetLink, n)
	for i := range n {
		wg.Go(func() {
			links[i], results[i] = ts.UseResetLink(e.ctx, auth.HashToken(plain), now.Add(time.Minute))
		})
	}
	wg.Wait()
	wins := 0
	for i, err := range results {
		switch {
		case err == nil:
			wins++
			if l := links[i]; l.ID != link.ID || l.PersonID != p.ID || *l.CreatedBy != e.admin.ID || l.UsedAt == nil ||
				!l.UsedAt.Equal(now.Add(time.Minute)) || !l.ExpiresAt.Equal(now.Add(time.Hour)) {
				t.Errorf("winning use returned %+v", l)
			}
		case errors.Is(err, auth.ErrResetLinkRefused):
			if links[i] != nil {
				t.Error("a refused use returned a link")
			}
		default:
			t.Errorf("use %d: %v", i, err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d concurrent uses succeeded, want exactly 1", wins)
	}

	// Expired and unknown links are refused too, each for its reason.
	stale, stalePlain, _ := auth.NewResetLink(p.ID, nil, now, time.Hour)
	if err := ts.CreateResetLink(e.ctx, stale); err != nil {
		t.Fatal(err)
	}
	_, err = ts.UseResetLink(e.ctx, auth.HashToken(stalePlain), now.Add(time.Hour))
	if !errors.Is(err, auth.ErrResetLinkRefused) || trellis.ErrorCode(err) != trellis.EINVALID {
		t.Errorf("expired link: %v", err)
	}
	_, err = ts.UseResetLink(e.ctx, auth.HashToken("trr_unknown"), now)
	if !errors.Is(err, auth.ErrResetLinkRefused) {
		t.Errorf("unknown link: %v", err)
	}

	used := e.events(t, trellis.AuditFilter{Action: trellis.AuditResetLinkUsed})
	if len(used) != 1 || *used[0].ActorID != p.ID || used[0].ActorLabel != "rue@example.com" || used[0].TargetID != fmt.Sprint(link.ID) {
		t.Errorf("used events %+v", used)
	}
	reasons := map[string]int{}
	for _, ev := range e.events(t, trellis.AuditFilter{Action: trellis.AuditResetLinkRejected}) {
		reasons[fmt.Sprint(ev.After["reason"])]++
		if ev.ActorLabel != "anonymous" || ev.ActorID != nil {
			t.Errorf("rejection attributed to %q", ev.ActorLabel)
		}
	}
	if reasons["used"] != n-1 || reasons["expired"] != 1 || reasons["unknown"] != 1 {
		t.Errorf("rejection reasons %v", reasons)
	}
	if created := e.events(t, trellis.AuditFilter{Action: trellis.AuditResetLinkCreated}); len(created) != 2 ||
		created[1].TargetID != fmt.Sprint(link.ID) || created[1].After["person_id"] != float64(p.ID) {
		t.Errorf("created events %+v", created)
	}
}

func TestSessions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ss := sqlstore.NewSessionStore(e.db)
	now := e.clock.T

	if b, found, err := ss.Find("nope"); err != nil || found || b != nil {
		t.Errorf("unknown session: %q, %v, %v", b, found, err)
	}
	if err := ss.Commit("tok-1", []byte("one"), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := ss.CommitCtx(e.ctx, "tok-2", []byte{0, 1, 2, 255}, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := ss.Commit("tok-1", []byte("one, again"), now.Add(2*time.Hour)); err != nil { // overwrite
		t.Fatal(err)
	}
	if b, found, err := ss.FindCtx(e.ctx, "tok-1"); err != nil || !found || string(b) != "one, again" {
		t.Errorf("tok-1: %q, %v, %v", b, found, err)
	}
	if b, found, err := ss.Find("tok-2"); err != nil || !found || !slices.Equal(b, []byte{0, 1, 2, 255}) {
		t.Errorf("tok-2: %v, %v, %v", b, found, err)
	}

	// At its expiry a session is gone, before any clean-up.
	e.clock.T = now.Add(time.Minute)
	if _, found, err := ss.Find("tok-2"); err != nil || found {
		t.Errorf("expired session found: %v, %v", found, err)
	}
	if n, err := ss.DeleteExpired(e.ctx); err != nil || n != 1 {
		t.Errorf("DeleteExpired = %d, %v; want 1", n, err)
	}
	if _, found, _ := ss.Find("tok-1"); !found {
		t.Error("a live session was cleaned up")
	}
	if err := ss.Delete("tok-1"); err != nil {
		t.Fatal(err)
	}
	if err := ss.DeleteCtx(e.ctx, "tok-1"); err != nil {
		t.Errorf("deleting a deleted session: %v", err)
	}
	if _, found, _ := ss.Find("tok-1"); found {
		t.Error("deleted session found")
	}
}
