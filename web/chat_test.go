package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"trellis"
)

// routeCasesForCommunity is the route x actor table of the finder, coffee
// chats, ask-me-anything sessions and mentoring. The fixture: a chat the
// engineer asked of the peer manager, a session the engineer hosted for
// the peer (already evidence), a mentorship of the peer by the engineer.
func routeCasesForCommunity(t *testing.T, e *env, o *fixtureOrg) map[string]routeCase {
	t.Helper()
	ctx := context.Background()
	self, peer := o.people[actSelf], o.people[actPeer]
	c := &trellis.Chat{RequesterID: self.ID, RecipientID: peer.ID, Note: "route table"}
	if err := e.deps.Chats.RequestChat(ctx, c); err != nil {
		t.Fatal(err)
	}
	x := &trellis.Session{HostID: self.ID, Date: trellis.Day(time.Now()), Topic: "route table", Minutes: 30, AttendeeIDs: []int64{peer.ID}}
	if err := e.deps.Mentoring.LogSession(ctx, x); err != nil {
		t.Fatal(err)
	}
	if _, err := e.deps.Mentoring.SessionToEvidence(ctx, x.ID); err != nil {
		t.Fatal(err)
	}
	m := &trellis.Mentorship{MentorID: self.ID, MenteeID: peer.ID, Goal: "route table", StartsOn: trellis.Day(time.Now())}
	if err := e.deps.Mentoring.StartMentorship(ctx, m); err != nil {
		t.Fatal(err)
	}
	chat := fmt.Sprintf("/chats/%d", c.ID)
	ms := fmt.Sprintf("/mentoring/mentorships/%d", m.ID)
	line := []string{actManager, actSkip, actDirector} // the engineer's reporting line
	js := func(s string) func() string { return func() string { return s } }
	return map[string]routeCase{
		"GET /people/find": {path: "/people/find?competency=growing-others", want: htmlPage(200)},
		"GET /chats":       {path: "/chats", want: htmlPage(200)},
		// Without a recipient the request is refused for everyone.
		"POST /chats":     {path: "/chats", form: url.Values{"recipient_id": {""}}, want: form(400)},
		"GET /chats/{id}": {path: chat, want: htmlPage(404).set(200, actSelf, actPeer)},
		"POST /chats/{id}/answer": {path: chat + "/answer", form: url.Values{"answer": {"maybe"}},
			want: form(404).set(409, actSelf).set(400, actPeer)},
		"POST /chats/{id}/notes":                 {path: chat + "/notes", form: url.Values{"notes": {"mine"}}, want: form(404).set(303, actSelf, actPeer)},
		"GET /frameworks/{id}/roles/{role}/amas": {path: "/frameworks/support/roles/support-engineer/amas", want: htmlPage(200)},
		"POST /frameworks/{id}/roles/{role}/amas": {path: "/frameworks/support/roles/support-engineer/amas",
			form: url.Values{"topic": {""}}, want: form(400)},
		"GET /mentoring":           {path: "/mentoring", want: htmlPage(200)},
		"POST /mentoring/sessions": {path: "/mentoring/sessions", form: url.Values{"topic": {""}, "minutes": {"30"}}, want: form(400)},
		"POST /mentoring/sessions/{id}/evidence": {path: fmt.Sprintf("/mentoring/sessions/%d/evidence", x.ID), form: url.Values{},
			want: form(404).set(403, line...).set(409, actSelf)},
		"POST /mentoring/mentorships":     {path: "/mentoring/mentorships", form: url.Values{"goal": {""}}, want: form(400)},
		"GET /mentoring/mentorships/{id}": {path: ms, want: htmlPage(404).set(200, append(line, actSelf, actPeer)...)},
		"POST /mentoring/mentorships/{id}/checkins": {path: ms + "/checkins", form: url.Values{"notes": {""}},
			want: form(404).set(403, line...).set(400, actSelf, actPeer)},
		"POST /mentoring/mentorships/{id}/outcome": {path: ms + "/outcome", form: url.Values{"outcome": {""}},
			want: form(404).set(403, append(line, actPeer)...).set(400, actSelf)},

		// The API: one's own chats and sessions; the tokens are the admin's.
		"GET /api/v1/chats":      {path: "/api/v1/chats", want: api(200)},
		"POST /api/v1/chats":     {path: "/api/v1/chats", body: js("{}"), contentType: "application/json", want: api(400).set(403, actReadTok)},
		"GET /api/v1/chats/{id}": {path: "/api/v1" + chat, want: api(404).set(200, actSelf, actPeer)},
		"POST /api/v1/chats/{id}/answer": {path: "/api/v1" + chat + "/answer", body: js(`{"answer":"accept"}`), contentType: "application/json",
			want: api(404).set(http.StatusPreconditionRequired, actSelf, actPeer)},
		"GET /api/v1/mentoring/sessions":  {path: "/api/v1/mentoring/sessions", want: api(200)},
		"POST /api/v1/mentoring/sessions": {path: "/api/v1/mentoring/sessions", body: js("{}"), contentType: "application/json", want: api(400).set(403, actReadTok)},
		"POST /api/v1/mentoring/sessions/{id}/evidence": {path: fmt.Sprintf("/api/v1/mentoring/sessions/%d/evidence", x.ID),
			want: api(404).set(403, line...).set(409, actSelf)},
		"GET /api/v1/mentorships":  {path: "/api/v1/mentorships", want: api(200)},
		"POST /api/v1/mentorships": {path: "/api/v1/mentorships", body: js("{}"), contentType: "application/json", want: api(400).set(403, actReadTok)},
		"POST /api/v1/mentorships/{id}/checkins": {path: "/api/v1" + strings.TrimPrefix(ms, "/mentoring") + "/checkins", body: js(`{"notes":""}`), contentType: "application/json",
			want: api(404).set(403, line...).set(400, actSelf, actPeer)},
		"GET /api/v1/frameworks/{id}/roles/{role}/amas": {path: "/api/v1/frameworks/support/roles/support-engineer/amas", want: api(200)},
		"POST /api/v1/frameworks/{id}/roles/{role}/amas": {path: "/api/v1/frameworks/support/roles/support-engineer/amas", body: js(`{"topic":""}`),
			contentType: "application/json", want: api(400).set(403, actReadTok)},
	}
}

// communityEnv is a server with two engineers, each with a session.
type communityEnv struct {
	*env
	ana, ben             *trellis.Person
	anaCookie, benCookie string
}

func newCommunityEnv(t *testing.T) *communityEnv {
	e := newEnv(t)
	c := &communityEnv{env: e}
	c.ana = addPerson(t, e.deps.People, "ana@example.com", "Ana Asker", trellis.AccessEngineer, nil)
	c.ben = addPerson(t, e.deps.People, "ben@example.com", "Ben Senior", trellis.AccessEngineer, nil)
	c.anaCookie, c.benCookie = sessionCookie(t, e.srv, c.ana), sessionCookie(t, e.srv, c.ben)
	return c
}

// post sends a form as the person of cookie and returns the status, the
// Location and the body.
func (c *communityEnv) post(cookie, path string, form url.Values) (int, string, string) {
	c.t.Helper()
	e := *c.env
	e.cookie = cookie
	r := e.do("POST", path, strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded", "Sec-Fetch-Site", "same-origin")
	return r.Status, r.Header.Get("Location"), string(r.Body)
}

func (c *communityEnv) page(cookie, path string) (int, string) {
	c.t.Helper()
	rec := as(c.env, cookie, path)
	return rec.Code, rec.Body.String()
}

func TestCoffeeChatJourney(t *testing.T) {
	c := newCommunityEnv(t)
	ctx := context.Background()

	// A request to oneself is refused with a clear message.
	st, _, body := c.post(c.anaCookie, "/chats", url.Values{"recipient_id": {fmt.Sprint(c.ana.ID)}, "note": {"hi me"}})
	if st != http.StatusBadRequest || !strings.Contains(body, "You cannot ask yourself for a coffee chat") {
		t.Fatalf("request to oneself: %d\n%s", st, body)
	}

	// Ana finds Ben and asks him.
	st, body = c.page(c.anaCookie, "/people/find")
	if st != 200 || !strings.Contains(body, fmt.Sprintf(`href="/chats?to=%d"`, c.ben.ID)) || strings.Contains(body, fmt.Sprintf(`id="ask-%d"`, c.ana.ID)) {
		t.Fatalf("finder: %d\n%s", st, body)
	}
	st, body = c.page(c.anaCookie, fmt.Sprintf("/chats?to=%d", c.ben.ID))
	for _, w := range []string{`<label for="chat-note">`, `id="chat-note"`, `id="chat-request-submit"`, "Ask Ben Senior"} {
		if !strings.Contains(body, w) {
			t.Errorf("request form lacks %q", w)
		}
	}
	st, loc, _ := c.post(c.anaCookie, "/chats", url.Values{"recipient_id": {fmt.Sprint(c.ben.ID)}, "kind": {"coffee"}, "note": {"How did you become senior?"}})
	if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/chats/") {
		t.Fatalf("request: %d %s", st, loc)
	}
	chat := strings.TrimSuffix(loc, "?sent=1")

	// Ben is told and sees it waiting for him.
	n, _ := c.deps.Notifications.ListNotifications(ctx, c.ben.ID, true, 10)
	if len(n) != 1 || n[0].URL != chat || !strings.Contains(n[0].Title, "Ana Asker asks you for a coffee chat") {
		t.Fatalf("Ben's inbox: %+v", n)
	}
	_, body = c.page(c.benCookie, "/chats")
	if !strings.Contains(body, "Coffee chat from Ana Asker") || !strings.Contains(body, "your answer") {
		t.Fatalf("Ben's chats:\n%s", body)
	}
	_, body = c.page(c.benCookie, chat)
	for _, w := range []string{`id="chat-accept"`, `id="chat-decline"`, `id="chat-propose"`, `<label for="chat-proposed-at">`, "How did you become senior?"} {
		if !strings.Contains(body, w) {
			t.Errorf("Ben's chat page lacks %q", w)
		}
	}
	// Ana cannot answer her own request; Ben proposes another time, Ana accepts.
	if st, _, _ := c.post(c.anaCookie, chat+"/answer", url.Values{"answer": {"accept"}}); st != http.StatusConflict {
		t.Fatalf("Ana accepting her own request: %d", st)
	}
	when := time.Now().UTC().Add(72 * time.Hour).Format("2006-01-02T15:04")
	if st, _, body := c.post(c.benCookie, chat+"/answer", url.Values{"answer": {"propose"}, "proposed_at": {when}, "message": {"Thursday works better"}}); st != http.StatusSeeOther {
		t.Fatalf("propose: %d\n%s", st, body)
	}
	_, body = c.page(c.anaCookie, chat)
	if !strings.Contains(body, `id="chat-accept"`) || !strings.Contains(body, "Thursday works better") {
		t.Fatalf("Ana's page after the proposal:\n%s", body)
	}
	if st, _, _ := c.post(c.anaCookie, chat+"/answer", url.Values{"answer": {"accept"}}); st != http.StatusSeeOther {
		t.Fatalf("accept: %d", st)
	}
	_, body = c.page(c.benCookie, chat)
	if !strings.Contains(body, `<strong id="chat-status">accepted</strong>`) {
		t.Fatalf("after accepting:\n%s", body)
	}
	n, _ = c.deps.Notifications.ListNotifications(ctx, c.ana.ID, false, 10)
	if len(n) != 1 || !strings.Contains(n[0].Title, "Ben Senior proposes") {
		t.Fatalf("Ana's inbox: %+v", n)
	}
	n, _ = c.deps.Notifications.ListNotifications(ctx, c.ben.ID, false, 10)
	if len(n) != 2 || !strings.Contains(n[0].Title, "Ana Asker accepted a coffee chat") {
		t.Fatalf("Ben's inbox: %+v", n)
	}

	// Notes are private to each side.
	if st, _, _ := c.post(c.anaCookie, chat+"/notes", url.Values{"notes": {"Ana-only: ask about on-call"}}); st != http.StatusSeeOther {
		t.Fatal(st)
	}
	if st, _, _ := c.post(c.benCookie, chat+"/notes", url.Values{"notes": {"Ben-only: she is ready"}}); st != http.StatusSeeOther {
		t.Fatal(st)
	}
	_, ana := c.page(c.anaCookie, chat)
	_, ben := c.page(c.benCookie, chat)
	if !strings.Contains(ana, "Ana-only") || strings.Contains(ana, "Ben-only") || !strings.Contains(ben, "Ben-only") || strings.Contains(ben, "Ana-only") {
		t.Fatal("a side reads the other side's notes")
	}
	// Anyone else: 404.
	if st, _ := c.page(c.cookie, chat); st != http.StatusNotFound {
		t.Fatalf("admin reading the chat: %d", st)
	}
}

func TestFinderNeverCountsPrivateEvidence(t *testing.T) {
	c := newCommunityEnv(t)
	ctx := context.Background()
	day := trellis.Day(time.Now())
	for i, vis := range []trellis.Visibility{trellis.VisPrivate, trellis.VisPrivate, trellis.VisManager, trellis.VisOrganisationViewer} {
		ev := &trellis.Evidence{PersonID: c.ben.ID, Date: day, Title: fmt.Sprint("entry ", i), Competencies: []string{"troubleshooting"}, Visibility: vis}
		if err := c.deps.Evidence.CreateEvidence(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	ev := &trellis.Evidence{PersonID: c.ben.ID, Date: day, Title: "secret", Competencies: []string{"growing-others"}, Visibility: trellis.VisPrivate}
	if err := c.deps.Evidence.CreateEvidence(ctx, ev); err != nil {
		t.Fatal(err)
	}
	// Ben's manager-only and private entries do not count, even for Ben.
	_, body := c.page(c.anaCookie, "/people/find?competency=troubleshooting")
	if !strings.Contains(body, "Troubleshooting (1)") {
		t.Fatalf("only the shared entry counts:\n%s", body)
	}
	_, body = c.page(c.anaCookie, "/people/find?competency=growing-others")
	if strings.Contains(body, "Ben Senior") {
		t.Fatal("a private entry made Ben findable")
	}
}

func TestMentoringJourney(t *testing.T) {
	c := newCommunityEnv(t)
	ctx := context.Background()
	_, body := c.page(c.benCookie, "/mentoring")
	for _, w := range []string{`<label for="s-topic">`, `id="session-submit"`, "not a target", `<label for="m-goal">`} {
		if !strings.Contains(body, w) {
			t.Errorf("mentoring page lacks %q", w)
		}
	}
	st, _, _ := c.post(c.benCookie, "/mentoring/sessions", url.Values{"topic": {"Reading logs"}, "minutes": {"45"},
		"attendee_ids": {fmt.Sprint(c.ana.ID)}, "link": {"#4711"}})
	if st != http.StatusSeeOther {
		t.Fatalf("log: %d", st)
	}
	page, err := c.deps.Mentoring.ListSessions(ctx, trellis.SessionFilter{PersonID: c.ana.ID})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("%+v %v", page, err)
	}
	x := page.Items[0]
	// Ana attended; she cannot make it her evidence.
	if st, _, _ := c.post(c.anaCookie, fmt.Sprintf("/mentoring/sessions/%d/evidence", x.ID), url.Values{}); st != http.StatusNotFound {
		t.Fatalf("attendee: %d", st)
	}
	if st, _, _ := c.post(c.benCookie, fmt.Sprintf("/mentoring/sessions/%d/evidence", x.ID), url.Values{}); st != http.StatusSeeOther {
		t.Fatalf("make evidence: %d", st)
	}
	list, err := c.deps.Evidence.ListEvidence(ctx, trellis.EvidenceFilter{PersonID: c.ben.ID})
	if err != nil || len(list.Items) != 1 || list.Items[0].Activity != "pairing-session" || list.Items[0].Visibility != trellis.VisPrivate {
		t.Fatalf("journal: %+v %v", list, err)
	}
	_, body = c.page(c.benCookie, "/mentoring")
	if !strings.Contains(body, "in your journal") || !strings.Contains(body, "1 pairing session in the last 6 weeks") {
		t.Fatalf("after:\n%s", body)
	}

	// A mentorship with check-ins from both sides and an outcome.
	st, loc, _ := c.post(c.benCookie, "/mentoring/mentorships", url.Values{"mentee_id": {fmt.Sprint(c.ana.ID)}, "goal": {"Run a customer call alone"}})
	if st != http.StatusSeeOther {
		t.Fatalf("start: %d", st)
	}
	for _, cookie := range []string{c.benCookie, c.anaCookie} {
		if st, _, _ := c.post(cookie, loc+"/checkins", url.Values{"notes": {"check-in by " + cookie[:4]}}); st != http.StatusSeeOther {
			t.Fatalf("check-in: %d", st)
		}
	}
	if st, _, _ := c.post(c.anaCookie, loc+"/outcome", url.Values{"outcome": {"done"}}); st != http.StatusForbidden {
		t.Fatalf("mentee recording the outcome: %d", st)
	}
	if st, _, _ := c.post(c.benCookie, loc+"/outcome", url.Values{"outcome": {"Ana ran two calls alone"}}); st != http.StatusSeeOther {
		t.Fatalf("outcome: %d", st)
	}
	_, body = c.page(c.anaCookie, loc)
	if !strings.Contains(body, "Ana ran two calls alone") || strings.Count(body, "check-in by") != 2 || !strings.Contains(body, "Run a customer call alone") {
		t.Fatalf("mentorship page:\n%s", body)
	}
}

func TestAMAsOfARole(t *testing.T) {
	c := newCommunityEnv(t)
	path := "/frameworks/support/roles/staff-support-engineer/amas"
	if st, _, body := c.post(c.benCookie, path, url.Values{"topic": {"Staff life"}, "date": {"2026-01-10"}, "recording_url": {"javascript:alert(1)"}}); st != http.StatusBadRequest ||
		!strings.Contains(body, "http or https") {
		t.Fatalf("bad recording: %d", st)
	}
	if st, _, _ := c.post(c.benCookie, path, url.Values{"topic": {"Staff life"}, "date": {"2026-01-10"}, "recording_url": {"https://video.example.com/1"}}); st != http.StatusSeeOther {
		t.Fatalf("create: %d", st)
	}
	_, body := c.page(c.anaCookie, path)
	if !strings.Contains(body, "Staff life") || !strings.Contains(body, `href="https://video.example.com/1"`) {
		t.Fatalf("%s", body)
	}
	// The recording is a resource of the role.
	_, body = c.page(c.anaCookie, "/frameworks/support/roles/staff-support-engineer")
	if !strings.Contains(body, `<a href="https://video.example.com/1" rel="noopener noreferrer">Staff life</a>`) || !strings.Contains(body, `id="role-amas"`) {
		t.Fatalf("role page:\n%s", body)
	}
}

func TestChatAndSessionAPI(t *testing.T) {
	c := newCommunityEnv(t)
	call := func(cookie, method, path, body string, header ...string) (int, map[string]any, http.Header) {
		t.Helper()
		e := *c.env
		e.cookie = cookie
		r := e.do(method, path, strings.NewReader(body), append([]string{"Content-Type", "application/json"}, header...)...)
		var m map[string]any
		json.Unmarshal(r.Body, &m)
		return r.Status, m, r.Header
	}
	st, m, _ := call(c.anaCookie, "POST", "/api/v1/chats", fmt.Sprintf(`{"recipient_id":%d,"note":"me"}`, c.ana.ID))
	if st != http.StatusBadRequest || !strings.Contains(fmt.Sprint(m), "cannot ask yourself") {
		t.Fatalf("to oneself: %d %v", st, m)
	}
	st, m, h := call(c.anaCookie, "POST", "/api/v1/chats", fmt.Sprintf(`{"recipient_id":%d,"kind":"ama","note":"Staff life?"}`, c.ben.ID))
	if st != http.StatusCreated || h.Get("ETag") != `"v1"` {
		t.Fatalf("request: %d %v", st, m)
	}
	chat := h.Get("Location")
	if st, _, _ := call(c.benCookie, "POST", chat+"/answer", `{"answer":"accept"}`, "If-Match", `"v9"`); st != http.StatusConflict {
		t.Fatalf("stale If-Match: %d", st)
	}
	st, m, h = call(c.benCookie, "POST", chat+"/answer", `{"answer":"accept","message":"Gladly"}`, "If-Match", `"v1"`)
	if st != http.StatusOK || m["status"] != "accepted" || h.Get("ETag") != `"v2"` {
		t.Fatalf("accept: %d %v", st, m)
	}
	if st, m, _ := call(c.benCookie, "GET", "/api/v1/chats?direction=incoming", ""); st != http.StatusOK || len(m["items"].([]any)) != 1 {
		t.Fatalf("list: %d %v", st, m)
	}
	if st, _, _ := call(c.cookie, "GET", chat, ""); st != http.StatusNotFound {
		t.Fatalf("outsider: %d", st)
	}

	st, m, h = call(c.benCookie, "POST", "/api/v1/mentoring/sessions", fmt.Sprintf(`{"kind":"office-hours","topic":"Billing questions","minutes":60,"attendee_ids":[%d]}`, c.ana.ID))
	if st != http.StatusCreated {
		t.Fatalf("log: %d %v", st, m)
	}
	st, m, _ = call(c.benCookie, "POST", h.Get("Location")+"/evidence", "")
	if st != http.StatusCreated || m["activity"] != "office-hours" || m["visibility"] != "private" {
		t.Fatalf("evidence: %d %v", st, m)
	}
	if st, m, _ := call(c.anaCookie, "GET", "/api/v1/mentoring/sessions", ""); st != http.StatusOK || len(m["items"].([]any)) != 1 {
		t.Fatalf("attendee's list: %d %v", st, m)
	}
}
