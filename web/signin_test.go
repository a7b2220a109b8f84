package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"trellis"
	"trellis/auth"
	"trellis/auth/oidctest"
	"trellis/framework"
)

const testPassword = "a long and unguessable phrase"

// withPassword gives the person a password.
func withPassword(t testing.TB, e *env, p *trellis.Person, password string) {
	t.Helper()
	phc, err := e.deps.Hasher.Hash(password)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.deps.Credentials.SetPasswordHash(context.Background(), p.ID, phc); err != nil {
		t.Fatal(err)
	}
}

// postForm posts a same-origin form anonymously (or with the cookie in
// header) through the real handler.
func postForm(e *env, path string, form url.Values, header ...string) (*httptest.ResponseRecorder, string) {
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = "192.0.2.7:5555"
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec, sessionFrom(rec)
}

// sessionFrom returns the session cookie a response sets, or "".
func sessionFrom(rec *httptest.ResponseRecorder) string {
	for _, c := range rec.Result().Cookies() {
		if c.Name == SessionCookie && c.MaxAge >= 0 {
			return c.Value
		}
	}
	return ""
}

// as serves a GET with the session cookie (none when cookie is "").
func as(e *env, cookie, path string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: SessionCookie, Value: cookie})
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

// auditActions lists the actions of the audit log, oldest first.
func auditActions(t testing.TB, e *env, prefix string) []*trellis.AuditEvent {
	t.Helper()
	page, err := e.deps.Audit.ListAudit(context.Background(), trellis.AuditFilter{Action: prefix, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

// anon is the env without the admin's session.
func (e *env) anon() *env {
	a := *e
	a.cookie = ""
	return &a
}

// withClock rebuilds the env's server on a clock the test moves; the store
// stamps sign-in attempts with the same clock.
func withClock(t *testing.T, e *env) *trellis.FixedClock {
	clk := &trellis.FixedClock{T: time.Now().UTC().Truncate(time.Second)}
	e.db.Clock = clk
	d := e.deps
	d.Clock = clk
	e.deps = d
	e.srv = NewServer(d)
	e.h = e.srv.Handler()
	return clk
}

func TestSignInAndOut(t *testing.T) {
	e := newEnv(t)
	eng := addPerson(t, e.deps.People, "eli@example.com", "Eli Engineer", trellis.AccessEngineer, nil)
	withPassword(t, e, eng, testPassword)

	// A page sends the visitor to sign in, remembering where they were.
	rec := as(e, "", "/frameworks/support/matrix?track=management")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/signin?next="+url.QueryEscape("/frameworks/support/matrix?track=management") {
		t.Fatalf("anonymous page: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	// The API answers 401 in JSON.
	if res := e.anon().do("GET", "/api/v1/frameworks", nil); res.Status != 401 || !strings.Contains(string(res.Body), `"unauthorized"`) {
		t.Errorf("anonymous API: %d %s", res.Status, res.Body)
	}
	form := rec.Header().Get("Location")
	page := as(e, "", form).Body.String()
	for _, w := range []string{`<label for="s-email">Email</label>`, `<label for="s-password">Password</label>`,
		`name="next" value="/frameworks/support/matrix?track=management"`, `autocomplete="current-password"`} {
		if !strings.Contains(page, w) {
			t.Errorf("sign-in form lacks %s", w)
		}
	}
	if strings.Contains(page, "single sign-on") {
		t.Error("the form offers single sign-on that is not configured")
	}

	// A wrong password and an unknown account read the same.
	wrong, c1 := postForm(e, "/signin", url.Values{"email": {"eli@example.com"}, "password": {"not the password"}})
	unknown, c2 := postForm(e, "/signin", url.Values{"email": {"nobody@example.com"}, "password": {"not the password"}})
	for _, r := range []*httptest.ResponseRecorder{wrong, unknown} {
		if r.Code != 401 || !strings.Contains(r.Body.String(), "That email and password do not match an account.") || !strings.Contains(r.Body.String(), `role="alert"`) {
			t.Errorf("refused sign-in: %d %s", r.Code, r.Body)
		}
	}
	if c1 != "" || c2 != "" {
		t.Error("a refused sign-in set a session")
	}

	// The right password signs in and goes on to next (a local path only).
	ok, cookie := postForm(e, "/signin", url.Values{"email": {"ELI@example.com "}, "password": {testPassword},
		"next": {"/frameworks/support/matrix"}})
	if ok.Code != http.StatusSeeOther || ok.Header().Get("Location") != "/frameworks/support/matrix" || cookie == "" {
		t.Fatalf("sign-in: %d %s %q", ok.Code, ok.Header().Get("Location"), cookie)
	}
	set := ok.Header().Get("Set-Cookie")
	for _, w := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(set, w) {
			t.Errorf("session cookie %q lacks %s", set, w)
		}
	}
	if strings.Contains(set, "Secure") {
		t.Error("Secure cookie without SecureCookies")
	}
	home := as(e, cookie, "/frameworks").Body.String()
	if !strings.Contains(home, "Eli Engineer") || !strings.Contains(home, `action="/signout"`) || strings.Contains(home, `href="/frameworks/import"`) {
		t.Error("the header does not name the person with a sign-out button, or shows Import to an engineer")
	}
	if !strings.Contains(as(e, e.cookie, "/frameworks").Body.String(), `href="/frameworks/import"`) {
		t.Error("the admin does not see Import")
	}
	me := e.do("GET", "/api/v1/me", nil, "Cookie", SessionCookie+"="+cookie)
	if me.Status != 200 || !strings.Contains(string(me.Body), `"email":"eli@example.com"`) {
		t.Errorf("me: %d %s", me.Status, me.Body)
	}

	// The session lives in the database: a new server on it (a restart, or
	// another node) knows it.
	restarted := NewServer(e.deps)
	rr := httptest.NewRecorder()
	restarted.Handler().ServeHTTP(rr, withCookie(httptest.NewRequest("GET", "/frameworks", nil), cookie))
	if rr.Code != 200 || !strings.Contains(rr.Body.String(), "Eli Engineer") {
		t.Errorf("after a restart: %d", rr.Code)
	}

	// Sign-out ends it for good.
	out, _ := postForm(e, "/signout", url.Values{}, "Cookie", SessionCookie+"="+cookie)
	if out.Code != http.StatusSeeOther || !strings.HasPrefix(out.Header().Get("Location"), "/signin") {
		t.Fatalf("sign-out: %d %s", out.Code, out.Header().Get("Location"))
	}
	if r := as(e, cookie, "/frameworks"); r.Code != http.StatusSeeOther {
		t.Errorf("the old cookie still works after sign-out: %d", r.Code)
	}

	// Open redirects are refused.
	for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "evil"} {
		r, _ := postForm(e, "/signin", url.Values{"email": {"eli@example.com"}, "password": {testPassword}, "next": {next}})
		if r.Header().Get("Location") != "/" {
			t.Errorf("next=%q led to %q", next, r.Header().Get("Location"))
		}
	}

	// The audit log has the attempts, with the address.
	var failed, signed int
	for _, ev := range auditActions(t, e, "") {
		switch ev.Action {
		case trellis.AuditSigninFailed:
			failed++
			if ev.IP != "192.0.2.7" || ev.ActorLabel != "anonymous" {
				t.Errorf("failed sign-in event: %+v", ev)
			}
		case trellis.AuditSignin:
			signed++
			if ev.ActorID == nil || *ev.ActorID != eng.ID || ev.IP != "192.0.2.7" {
				t.Errorf("sign-in event: %+v", ev)
			}
		}
	}
	if failed != 2 || signed != 6 {
		t.Errorf("audit: %d failed, %d sign-ins", failed, signed)
	}
	if len(auditActions(t, e, trellis.AuditSignout)) != 1 {
		t.Error("sign-out not audited")
	}
}

func TestSignInThrottle(t *testing.T) {
	e := newEnv(t)
	clk := withClock(t, e)
	eng := addPerson(t, e.deps.People, "eli@example.com", "Eli Engineer", trellis.AccessEngineer, nil)
	withPassword(t, e, eng, testPassword)
	try := func(email, password string) *httptest.ResponseRecorder {
		r, _ := postForm(e, "/signin", url.Values{"email": {email}, "password": {password}})
		return r
	}
	for i := range auth.DefaultThrottle.AccountLimit {
		if r := try("eli@example.com", "wrong password "+fmt.Sprint(i)); r.Code != 401 {
			t.Fatalf("failure %d: %d", i+1, r.Code)
		}
		clk.T = clk.T.Add(10 * time.Second)
	}
	// The account is locked, even for the right password.
	r := try("eli@example.com", testPassword)
	if r.Code != http.StatusTooManyRequests || !strings.Contains(r.Body.String(), "Too many failed sign-in attempts. Try again after") ||
		r.Header().Get("Retry-After") == "" {
		t.Fatalf("locked account: %d %s", r.Code, r.Body)
	}
	t.Logf("after %d failures: %d, Retry-After %ss", auth.DefaultThrottle.AccountLimit, r.Code, r.Header().Get("Retry-After"))
	if n := len(auditActions(t, e, trellis.AuditSigninThrottled)); n != 1 {
		t.Errorf("%d throttled events", n)
	}
	// Another account from the same address is not locked yet.
	if r := try("admin@example.com", "wrong again"); r.Code != 401 {
		t.Errorf("other account: %d", r.Code)
	}
	// A minute after the last failure the right password works again.
	clk.T = clk.T.Add(time.Minute)
	if r := try("eli@example.com", testPassword); r.Code != http.StatusSeeOther {
		t.Fatalf("after the delay: %d %s", r.Code, r.Body)
	}

	// Per address: twenty failures over many accounts lock the address.
	for i := range auth.DefaultThrottle.AddressLimit {
		try(fmt.Sprintf("guess%d@example.com", i), "wrong")
	}
	if r := try("eli@example.com", testPassword); r.Code != http.StatusTooManyRequests {
		t.Errorf("locked address: %d", r.Code)
	}
}

func TestTamperedSessionCookie(t *testing.T) {
	e := newEnv(t)
	flipped := []byte(e.cookie)
	flipped[5] ^= 1
	if flipped[5] == '/' || flipped[5] == '+' {
		flipped[5] = 'x'
	}
	for _, c := range []string{string(flipped), "garbage", strings.Repeat("A", 43)} {
		r := as(e, c, "/frameworks")
		if r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Header().Get("Location"), "/signin") {
			t.Errorf("cookie %q: %d", c, r.Code)
		}
		if !strings.Contains(r.Header().Get("Set-Cookie"), "Max-Age=0") {
			t.Errorf("the bad cookie is not cleared: %q", r.Header().Get("Set-Cookie"))
		}
	}
	if n := len(auditActions(t, e, trellis.AuditSessionRejected)); n != 3 {
		t.Errorf("%d session.rejected events", n)
	}
	// The real cookie still works.
	if r := as(e, e.cookie, "/frameworks"); r.Code != 200 {
		t.Errorf("real cookie: %d", r.Code)
	}
}

func TestAPITokens(t *testing.T) {
	e := newEnv(t)
	clk := withClock(t, e)
	read := newToken(t, e, e.admin.ID, "read", auth.ScopeRead)
	write := newToken(t, e, e.admin.ID, "write", auth.ScopeWrite)
	bearer := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

	if res := e.do("GET", "/api/v1/me", nil, bearer(read)...); res.Status != 200 {
		t.Fatalf("read token: %d %s", res.Status, res.Body)
	}
	native := string(mustExport(t))
	res := e.do("POST", "/api/v1/frameworks", strings.NewReader(native), append(bearer(read), "Content-Type", "application/yaml")...)
	if res.Status != 403 || !strings.Contains(string(res.Body), "may only read") {
		t.Errorf("read token writing: %d %s", res.Status, res.Body)
	}
	// A write token is exempt from the browser origin check: it is not a
	// cookie the browser adds by itself.
	res = e.do("POST", "/api/v1/frameworks", strings.NewReader(native), append(bearer(write), "Content-Type", "application/yaml",
		"Sec-Fetch-Site", "cross-site", "Origin", "https://elsewhere.example")...)
	if res.Status != 200 {
		t.Errorf("write token: %d %s", res.Status, res.Body)
	}
	// A session is not: the same post with the cookie is refused.
	res = e.do("POST", "/api/v1/frameworks", strings.NewReader(native), "Content-Type", "application/yaml",
		"Sec-Fetch-Site", "cross-site", "Origin", "https://elsewhere.example")
	if res.Status != 403 {
		t.Errorf("cross-site session post: %d", res.Status)
	}

	// Tokens only count in the Authorization header.
	for _, h := range [][]string{{"Cookie", "token=" + read}, {"Cookie", SessionCookie + "=" + read}} {
		if res := e.do("GET", "/api/v1/me", nil, h...); res.Status != 401 {
			t.Errorf("token in %v: %d", h, res.Status)
		}
	}
	if res := e.anon().do("GET", "/api/v1/me?access_token="+read, nil); res.Status != 401 {
		t.Errorf("token in the query: %d", res.Status)
	}

	// Unknown, revoked and expired tokens get the same 401.
	list, _ := e.deps.Tokens.ListTokens(context.Background(), e.admin.ID)
	if list[0].LastUsedAt == nil && list[1].LastUsedAt == nil {
		t.Error("token use not recorded")
	}
	var readID int64
	for _, tk := range list {
		if tk.Name == "read" {
			readID = tk.ID
		}
	}
	if err := e.deps.Tokens.RevokeToken(context.Background(), readID, clk.Now()); err != nil {
		t.Fatal(err)
	}
	clk.T = clk.T.Add(auth.DefaultTokenTTL + time.Hour)
	for name, tok := range map[string]string{"revoked": read, "expired": write, "unknown": auth.TokenPrefix + strings.Repeat("a", 52), "malformed": "abc"} {
		res := e.do("GET", "/api/v1/frameworks", nil, bearer(tok)...)
		if res.Status != 401 || !strings.Contains(string(res.Body), "may have expired or been revoked") {
			t.Errorf("%s token: %d %s", name, res.Status, res.Body)
		}
	}
	reasons := map[string]bool{}
	for _, ev := range auditActions(t, e, trellis.AuditTokenRejected) {
		reasons[fmt.Sprint(ev.After["reason"])] = true
	}
	for _, r := range []string{"revoked", "expired", "unknown", "malformed"} {
		if !reasons[r] {
			t.Errorf("no token.rejected with reason %s: %v", r, reasons)
		}
	}
}

func mustExport(t *testing.T) []byte {
	t.Helper()
	fw := support(t)
	b, err := framework.Export(fw)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTokensPage(t *testing.T) {
	e := newEnv(t)
	rec, _ := postForm(e, "/settings/tokens", url.Values{"name": {"laptop"}, "scope": {"write"}, "days": {"30"}},
		"Cookie", SessionCookie+"="+e.cookie)
	body := rec.Body.String()
	if rec.Code != http.StatusCreated || !strings.Contains(body, auth.TokenPrefix) || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("create: %d %s", rec.Code, body)
	}
	i := strings.Index(body, `id="new-token">`) + len(`id="new-token">`)
	plain := body[i : i+len(auth.TokenPrefix)+52]
	if !auth.WellFormed(plain, auth.TokenPrefix) {
		t.Fatalf("no token shown: %q", plain)
	}
	if res := e.do("GET", "/api/v1/me", nil, "Authorization", "Bearer "+plain); res.Status != 200 {
		t.Errorf("the new token does not work: %d", res.Status)
	}
	list := as(e, e.cookie, "/settings/tokens").Body.String()
	if strings.Contains(list, plain) || !strings.Contains(list, "laptop") {
		t.Error("the list shows the secret again, or not the token")
	}
	if rec, _ := postForm(e, "/settings/tokens", url.Values{"name": {""}}, "Cookie", SessionCookie+"="+e.cookie); rec.Code != 400 {
		t.Errorf("nameless token: %d", rec.Code)
	}
	// Cross-site form posts are refused.
	if rec, _ := postForm(e, "/settings/tokens", url.Values{"name": {"evil"}}, "Cookie", SessionCookie+"="+e.cookie,
		"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"); rec.Code != 403 {
		t.Errorf("cross-site token creation: %d", rec.Code)
	}
}

func TestResetLink(t *testing.T) {
	e := newEnv(t)
	eng := addPerson(t, e.deps.People, "eli@example.com", "Eli Engineer", trellis.AccessEngineer, nil)
	link, plain, err := auth.NewResetLink(eng.ID, nil, e.srv.now(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.deps.Tokens.CreateResetLink(context.Background(), link); err != nil {
		t.Fatal(err)
	}
	path := "/reset/" + plain
	if r := as(e, "", path); r.Code != 200 || !strings.Contains(r.Body.String(), `name="confirm"`) {
		t.Fatalf("form: %d", r.Code)
	}
	// A mismatch or a weak password does not use the link.
	if r, _ := postForm(e, path, url.Values{"password": {testPassword}, "confirm": {testPassword + "x"}}); r.Code != 400 {
		t.Errorf("mismatch: %d", r.Code)
	}
	if r, _ := postForm(e, path, url.Values{"password": {"short"}, "confirm": {"short"}}); r.Code != 400 {
		t.Errorf("weak: %d", r.Code)
	}
	r, cookie := postForm(e, path, url.Values{"password": {testPassword}, "confirm": {testPassword}})
	if r.Code != http.StatusSeeOther || cookie == "" {
		t.Fatalf("reset: %d %s", r.Code, r.Body)
	}
	if !strings.Contains(as(e, cookie, "/frameworks").Body.String(), "Eli Engineer") {
		t.Error("not signed in after the reset")
	}
	// Used once; then a clean refusal.
	r, _ = postForm(e, path, url.Values{"password": {testPassword}, "confirm": {testPassword}})
	if r.Code != 400 || !strings.Contains(r.Body.String(), "This reset link is not valid") {
		t.Errorf("reuse: %d %s", r.Code, r.Body)
	}
	if r, _ := postForm(e, "/signin", url.Values{"email": {"eli@example.com"}, "password": {testPassword}}); r.Code != http.StatusSeeOther {
		t.Errorf("the new password does not sign in: %d", r.Code)
	}
}

// ssoEnv serves the real router over HTTP with single sign-on against an
// in-process provider.
func ssoEnv(t *testing.T, autoProvision bool, opts ...oidctest.Option) (*env, *oidctest.Provider, *httptest.Server) {
	e := newEnv(t)
	p := oidctest.Start(t, opts...)
	var h http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	o, err := auth.NewOIDC(context.Background(), auth.OIDCConfig{Issuer: p.Issuer(), ClientID: p.ClientID(),
		ClientSecret: p.ClientSecret(), RedirectURL: ts.URL + "/signin/sso/callback"})
	if err != nil {
		t.Fatal(err)
	}
	d := e.deps
	d.OIDC, d.AutoProvision = o, autoProvision
	e.deps, e.srv = d, NewServer(d)
	e.h = e.srv.Handler()
	h = e.h
	return e, p, ts
}

// browse follows redirects with a cookie jar from path, like a browser.
func browse(t *testing.T, ts *httptest.Server, path string) (*http.Response, string, *cookiejar.Jar) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b), jar
}

func TestSingleSignOn(t *testing.T) {
	e, p, ts := ssoEnv(t, false)
	ada := addPerson(t, e.deps.People, oidctest.DefaultUser.Email, "Ada Lovelace", trellis.AccessEngineer, nil)
	if !strings.Contains(as(e, "", "/signin").Body.String(), "Sign in with single sign-on") {
		t.Error("no single sign-on button")
	}
	res, body, jar := browse(t, ts, "/signin/sso?next=/frameworks/support/matrix")
	if res.StatusCode != 200 || res.Request.URL.Path != "/frameworks/support/matrix" || !strings.Contains(body, "Ada Lovelace") {
		t.Fatalf("after single sign-on: %d at %s", res.StatusCode, res.Request.URL)
	}
	u, _ := url.Parse(ts.URL)
	if len(jar.Cookies(u)) == 0 {
		t.Error("no session cookie")
	}
	id, err := e.deps.Credentials.FindIdentity(context.Background(), p.Issuer(), oidctest.DefaultUser.Subject)
	if err != nil || id != ada.ID {
		t.Errorf("identity not linked: %d %v", id, err)
	}
	evs := auditActions(t, e, trellis.AuditSignin)
	if len(evs) != 1 || evs[0].After["method"] != "sso" || *evs[0].ActorID != ada.ID {
		t.Errorf("audit: %+v", evs)
	}
	// The second time the identity link finds her even with another email.
	p.SetUser(oidctest.User{Subject: oidctest.DefaultUser.Subject, Email: "ada.new@example.com", Name: "Ada", EmailVerified: true})
	if res, body, _ := browse(t, ts, "/signin/sso"); res.StatusCode != 200 || !strings.Contains(body, "Ada Lovelace") {
		t.Errorf("second sign-in: %d", res.StatusCode)
	}

	// Refusals: unknown email without auto-provisioning, a person who left,
	// a callback without a started sign-in.
	p.SetUser(oidctest.User{Subject: "user-2", Email: "stranger@example.com", Name: "Stranger", EmailVerified: true})
	if res, body, _ := browse(t, ts, "/signin/sso"); res.StatusCode != 403 || !strings.Contains(body, "has no person with this email") {
		t.Errorf("unknown email: %d %s", res.StatusCode, body)
	}
	gone := addPerson(t, e.deps.People, "gone@example.com", "Gone", trellis.AccessEngineer, nil)
	no := false
	if _, err := e.deps.People.UpdatePerson(context.Background(), gone.ID, trellis.PersonUpdate{Active: &no}, gone.Version); err != nil {
		t.Fatal(err)
	}
	p.SetUser(oidctest.User{Subject: "user-3", Email: "gone@example.com", Name: "Gone", EmailVerified: true})
	if res, body, _ := browse(t, ts, "/signin/sso"); res.StatusCode != 403 || !strings.Contains(body, "can no longer sign in") {
		t.Errorf("person who left: %d %s", res.StatusCode, body)
	}
	if res, _, _ := browse(t, ts, "/signin/sso/callback?state=x&code=y"); res.StatusCode != 401 {
		t.Errorf("callback without a sign-in: %d", res.StatusCode)
	}
	if n := len(auditActions(t, e, trellis.AuditSigninFailed)); n != 3 {
		t.Errorf("%d signin.failed events", n)
	}
}

func TestSingleSignOnAutoProvision(t *testing.T) {
	e, _, ts := ssoEnv(t, true, oidctest.WithUser(oidctest.User{Subject: "new-1", Email: "newbie@example.com", Name: "Nia Newbie", EmailVerified: true}))
	res, body, _ := browse(t, ts, "/signin/sso")
	if res.StatusCode != 200 || !strings.Contains(body, "Nia Newbie") {
		t.Fatalf("auto-provisioned sign-in: %d", res.StatusCode)
	}
	p, err := e.deps.People.FindPersonByEmail(context.Background(), "newbie@example.com")
	if err != nil || p.RoleID != "support-engineer" || p.Access != trellis.AccessEngineer {
		t.Errorf("provisioned person: %+v %v", p, err)
	}
}

func TestSingleSignOnDenied(t *testing.T) {
	_, _, ts := ssoEnv(t, false, oidctest.WithDeny())
	if res, _, _ := browse(t, ts, "/signin/sso"); res.StatusCode != 401 {
		t.Errorf("denied at the provider: %d", res.StatusCode)
	}
}
