package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"trellis"
	"trellis/auth"
)

// opsEnv is a server with the operations settings the test gives, over a
// fresh database, logging JSON into a buffer.
type opsEnv struct {
	*env
	logs *bytes.Buffer
}

func newOpsEnv(t *testing.T, tune func(*Deps)) *opsEnv {
	t.Helper()
	base := newEnv(t)
	var logs bytes.Buffer
	d := base.deps
	d.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	d.DBStats = base.db.Stats
	d.Health = base.db
	if tune != nil {
		tune(&d)
	}
	srv := NewServer(d)
	e := *base
	e.srv, e.h, e.deps = srv, srv.Handler(), d
	e.cookie = sessionCookie(t, srv, e.admin)
	return &opsEnv{env: &e, logs: &logs}
}

// raw serves one request from remote with the given headers.
func (e *opsEnv) raw(method, target, remote string, body io.Reader, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, body)
	req.RemoteAddr = remote
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

const loopback = "127.0.0.1:40000"

func TestHealthAndReadiness(t *testing.T) {
	e := newOpsEnv(t, nil)
	rec := e.raw("GET", "/healthz", "192.0.2.9:1", nil)
	if rec.Code != 200 || rec.Body.String() != "ok\n" || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("/healthz: %d %q", rec.Code, rec.Body)
	}
	if rec := e.raw("GET", "/readyz", "192.0.2.9:1", nil); rec.Code != 200 || rec.Body.String() != "ready\n" {
		t.Errorf("/readyz on a migrated database: %d %q", rec.Code, rec.Body)
	}
	// A session cookie does not make the probes touch the session store.
	if rec := e.raw("GET", "/healthz", "192.0.2.9:1", nil, "Cookie", SessionCookie+"=garbage"); rec.Code != 200 || rec.Header().Get("Set-Cookie") != "" {
		t.Errorf("/healthz with a cookie: %d, Set-Cookie %q", rec.Code, rec.Header().Get("Set-Cookie"))
	}

	// Not ready: the reason is given, the driver's words only logged.
	down := newOpsEnv(t, func(d *Deps) {
		d.Health = healthFunc(func(context.Context) error {
			return &trellis.Error{Code: trellis.EUNAVAILABLE, Message: "the database does not answer",
				Details: []trellis.FieldError{{Field: "database", Message: "dial tcp 10.1.2.3:5432: connection refused"}}}
		})
	})
	rec = down.raw("GET", "/readyz", "192.0.2.9:1", nil)
	if rec.Code != 503 || rec.Body.String() != "not ready: the database does not answer\n" {
		t.Errorf("/readyz when the database is down: %d %q", rec.Code, rec.Body)
	}
	if !strings.Contains(down.logs.String(), "10.1.2.3") {
		t.Errorf("the driver's error is not logged:\n%s", down.logs)
	}
	if rec := down.raw("GET", "/healthz", "192.0.2.9:1", nil); rec.Code != 200 {
		t.Errorf("/healthz must not depend on the database: %d", rec.Code)
	}
	// The real check on a closed database.
	closed := newOpsEnv(t, nil)
	closed.db.Close()
	if rec := closed.raw("GET", "/readyz", "192.0.2.9:1", nil); rec.Code != 503 || !strings.HasPrefix(rec.Body.String(), "not ready: ") {
		t.Errorf("/readyz on a closed database: %d %q", rec.Code, rec.Body)
	}
}

type healthFunc func(context.Context) error

func (f healthFunc) Ready(ctx context.Context) error { return f(ctx) }

func TestMetricsAccess(t *testing.T) {
	open := newOpsEnv(t, nil)
	if rec := open.raw("GET", "/metrics", loopback, nil); rec.Code != 200 || !strings.Contains(rec.Body.String(), MetricBuildInfo) {
		t.Errorf("loopback scrape: %d", rec.Code)
	}
	if rec := open.raw("GET", "/metrics", "[::1]:40000", nil); rec.Code != 200 {
		t.Errorf("IPv6 loopback scrape: %d", rec.Code)
	}
	if rec := open.raw("GET", "/metrics", "192.0.2.9:1", nil); rec.Code != 403 {
		t.Errorf("remote scrape without a token configured: %d", rec.Code)
	}
	// A reverse proxy on the same machine forwards the world from loopback.
	if rec := open.raw("GET", "/metrics", loopback, nil, "X-Forwarded-For", "203.0.113.5"); rec.Code != 403 {
		t.Errorf("proxied scrape: %d", rec.Code)
	}
	if rec := open.raw("GET", "/metrics", loopback, nil, "Forwarded", "for=203.0.113.5"); rec.Code != 403 {
		t.Errorf("proxied scrape (Forwarded): %d", rec.Code)
	}
	proxied := newOpsEnv(t, func(d *Deps) { d.TrustProxy = true })
	if rec := proxied.raw("GET", "/metrics", loopback, nil); rec.Code != 403 {
		t.Errorf("loopback behind a trusted proxy: %d", rec.Code)
	}
	// A user's API token is not the metrics token.
	tok := newToken(t, open.env, open.admin.ID, "admin", auth.ScopeWrite)
	if rec := open.raw("GET", "/metrics", "192.0.2.9:1", nil, "Authorization", "Bearer "+tok); rec.Code != 403 {
		t.Errorf("remote scrape with a person's API token: %d", rec.Code)
	}

	const secret = "metrics-token-for-the-test-0123456789"
	tokened := newOpsEnv(t, func(d *Deps) { d.MetricsToken = secret })
	for _, c := range []struct {
		remote, auth string
		want         int
	}{
		{"192.0.2.9:1", "", 401},
		{"192.0.2.9:1", "Bearer wrong", 401},
		{"192.0.2.9:1", "Bearer " + secret + "x", 401},
		{"192.0.2.9:1", "Basic " + secret, 401},
		{"192.0.2.9:1", "Bearer " + secret, 200},
		{loopback, "", 200},
		{loopback, "Bearer wrong", 401},
	} {
		rec := tokened.raw("GET", "/metrics", c.remote, nil, "Authorization", c.auth)
		if rec.Code != c.want {
			t.Errorf("scrape from %s with %q: %d, want %d", c.remote, c.auth, rec.Code, c.want)
		}
		if rec.Code == 401 && rec.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("401 without WWW-Authenticate")
		}
	}
}

// scrape returns the metrics text.
func (e *opsEnv) scrape(t *testing.T) string {
	t.Helper()
	rec := e.raw("GET", "/metrics", loopback, nil)
	if rec.Code != 200 {
		t.Fatalf("scrape: %d", rec.Code)
	}
	return rec.Body.String()
}

func TestMetricsByRouteName(t *testing.T) {
	e := newOpsEnv(t, nil)
	self := e.admin
	e.get("/people")
	e.get("/people/" + strconv.FormatInt(self.ID, 10))
	e.get("/people/999999") // 404 through the person route
	e.get("/no/such/page")
	e.raw("GET", "/api/v1/me", "192.0.2.9:1", nil, "Authorization", "Bearer trellis_not_a_token")
	e.raw("GET", "/healthz", "192.0.2.9:1", nil)
	e.srv.Jobs().Observe("delete expired sessions", nil)
	e.srv.Jobs().Observe("delete expired sessions", errors.New("boom"))
	text := e.scrape(t)
	for _, want := range []string{
		`trellis_http_requests_total{route="people",status="2xx"} 1`,
		`trellis_http_requests_total{route="person",status="2xx"} 1`,
		`trellis_http_requests_total{route="person",status="4xx"} 1`,
		`trellis_http_requests_total{route="not-found",status="4xx"} 1`,
		`trellis_http_requests_total{route="api-me",status="4xx"} 1`,
		`trellis_http_requests_total{route="healthz",status="2xx"} 1`,
		`trellis_http_request_duration_seconds_bucket{route="person",le="+Inf"} 2`,
		`trellis_http_request_duration_seconds_count{route="people"} 1`,
		`trellis_http_requests_in_flight 1`, // the scrape itself
		`trellis_build_info{goversion="go`,
		`version="test-1.2.3"} 1`,
		`trellis_db_open_connections `,
		`trellis_db_connections_in_use `,
		`trellis_db_wait_count_total `,
		`go_goroutines `,
		`trellis_background_job_runs_total{job="delete expired sessions",result="ok"} 1`,
		`trellis_background_job_runs_total{job="delete expired sessions",result="error"} 1`,
		`trellis_background_job_last_success_timestamp_seconds{job="delete expired sessions"} `,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// Raw paths never become labels.
	if regexp.MustCompile(`route="[^"]*(999999|/)`).MatchString(text) {
		t.Error("a raw path leaked into the metrics labels")
	}
	// A second server in the same process has metrics of its own.
	other := newOpsEnv(t, nil)
	if strings.Contains(other.scrape(t), `route="people"`) {
		t.Error("two servers share one registry")
	}
}

// logLines returns the JSON request log lines.
func logLines(t *testing.T, logs *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(logs.Bytes()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Text())
		}
		out = append(out, m)
	}
	return out
}

// TestRequestLogs: every request gets an id, in X-Request-Id and in its log
// line with the route name, status, bytes, duration and the signed-in
// person; error pages show the id; and no password, token, cookie or reset
// link secret ever reaches the log.
func TestRequestLogs(t *testing.T) {
	e := newOpsEnv(t, nil)
	withPassword(t, e.env, e.admin, testPassword)
	token := newToken(t, e.env, e.admin.ID, "logs", auth.ScopeWrite)
	resetSecret := auth.ResetLinkPrefix + strings.Repeat("b", 52)

	// Sign in with the password through the form.
	form := url.Values{"email": {e.admin.Email}, "password": {testPassword}}
	rec := e.raw("POST", "/signin", "192.0.2.7:5555", strings.NewReader(form.Encode()),
		"Content-Type", "application/x-www-form-urlencoded")
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", rec.Code)
	}
	cookie := sessionFrom(rec)
	if cookie == "" {
		t.Fatal("no session cookie")
	}
	ids := map[string]string{}
	ids["signin"] = rec.Header().Get(HeaderRequestID)
	ids["page"] = e.raw("GET", "/people", "192.0.2.7:5555", nil, "Cookie", SessionCookie+"="+cookie).Header().Get(HeaderRequestID)
	ids["api"] = e.raw("GET", "/api/v1/me?access_token="+token, "192.0.2.7:5555", nil, "Authorization", "Bearer "+token).Header().Get(HeaderRequestID)
	ids["reset"] = e.raw("GET", "/reset/"+resetSecret, "192.0.2.7:5555", nil).Header().Get(HeaderRequestID)
	bad := e.raw("POST", "/signin", "192.0.2.7:5555", strings.NewReader(url.Values{"email": {e.admin.Email}, "password": {"wrong " + testPassword}}.Encode()),
		"Content-Type", "application/x-www-form-urlencoded")
	ids["bad-signin"] = bad.Header().Get(HeaderRequestID)
	notFound := e.raw("GET", "/no/such/page", "192.0.2.7:5555", nil, "Cookie", SessionCookie+"="+cookie)
	ids["not-found"] = notFound.Header().Get(HeaderRequestID)

	idForm := regexp.MustCompile(`^[0-9a-f]{16}$`)
	seen := map[string]bool{}
	for what, id := range ids {
		if !idForm.MatchString(id) {
			t.Errorf("%s: X-Request-Id %q", what, id)
		}
		if seen[id] {
			t.Errorf("%s: request id %s used twice", what, id)
		}
		seen[id] = true
	}
	// The error page names the request id for people to quote.
	if !strings.Contains(notFound.Body.String(), ids["not-found"]) {
		t.Errorf("the error page does not show the request id %s", ids["not-found"])
	}

	byID := map[string]map[string]any{}
	for _, l := range logLines(t, e.logs) {
		if l["msg"] == "request" {
			byID[l["request_id"].(string)] = l
		}
	}
	for what, id := range ids {
		l := byID[id]
		if l == nil {
			t.Errorf("%s: no request log line with request_id %s", what, id)
			continue
		}
		for _, k := range []string{"route", "method", "path", "status", "bytes", "duration_ms"} {
			if _, ok := l[k]; !ok {
				t.Errorf("%s: log line lacks %s: %v", what, k, l)
			}
		}
	}
	check := func(what, route string, status int, person bool) {
		l := byID[ids[what]]
		if l == nil {
			return
		}
		if l["route"] != route || int(l["status"].(float64)) != status {
			t.Errorf("%s: logged route %v status %v, want %s %d", what, l["route"], l["status"], route, status)
		}
		_, has := l["person_id"]
		if has != person || (person && int64(l["person_id"].(float64)) != e.admin.ID) {
			t.Errorf("%s: person_id %v, want it=%v", what, l["person_id"], person)
		}
	}
	check("signin", "signin", http.StatusSeeOther, false)
	check("page", "people", 200, true)
	check("api", "api-me", 200, true)
	check("reset", "reset-form", 200, false)
	check("not-found", "not-found", 404, true)
	if l := byID[ids["reset"]]; l != nil && l["path"] != "/reset/xxxxx" {
		t.Errorf("reset link path logged as %v", l["path"])
	}

	all := e.logs.String()
	for what, secret := range map[string]string{
		"password": testPassword, "API token": token, "session cookie": cookie, "reset link": resetSecret,
		"token body": strings.TrimPrefix(token, "trellis_"),
	} {
		if strings.Contains(all, secret) {
			t.Errorf("the log contains the %s", what)
		}
	}
}

// TestRequestIDFromProxy: a request id from a trusted proxy is kept when it
// is well-formed; otherwise, and without --trust-proxy, a new one is made.
func TestRequestIDFromProxy(t *testing.T) {
	plain := newOpsEnv(t, nil)
	if id := plain.raw("GET", "/healthz", loopback, nil, HeaderRequestID, "from-client").Header().Get(HeaderRequestID); id == "from-client" {
		t.Error("a client's request id was taken without --trust-proxy")
	}
	proxied := newOpsEnv(t, func(d *Deps) { d.TrustProxy = true })
	if id := proxied.raw("GET", "/healthz", loopback, nil, HeaderRequestID, "abc-123.X_y").Header().Get(HeaderRequestID); id != "abc-123.X_y" {
		t.Errorf("the proxy's request id was replaced by %q", id)
	}
	if id := proxied.raw("GET", "/healthz", loopback, nil, HeaderRequestID, "bad id\" injected=1").Header().Get(HeaderRequestID); strings.Contains(id, " ") {
		t.Errorf("a malformed request id was kept: %q", id)
	}
}
