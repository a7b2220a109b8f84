package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"trellis"
)

func TestMentorshipAPI(t *testing.T) {
	e := newEnv(t)
	o := newFixtureOrg(t, e)
	self, peer := o.people[actSelf], o.people[actPeer]
	js := []string{"Content-Type", "application/json"}
	today := trellis.Day(time.Now().UTC()).Format(trellis.DateLayout)

	// Starting one: the signed-in person mentors; fields are named.
	wantStatus(t, "no goal", o.as(e, actSelf, "POST", "/api/v1/mentorships", fmt.Sprintf(`{"mentee_id":%d}`, peer.ID), js...), 400, `"field":"goal"`)
	wantStatus(t, "bad end", o.as(e, actSelf, "POST", "/api/v1/mentorships", fmt.Sprintf(`{"mentee_id":%d,"goal":"On-call","ends_on":"soon"}`, peer.ID), js...),
		400, `"field":"ends_on"`)
	wantStatus(t, "oneself", o.as(e, actSelf, "POST", "/api/v1/mentorships", fmt.Sprintf(`{"mentee_id":%d,"goal":"On-call"}`, self.ID), js...), 400, `"field":"mentee_id"`)
	ro := e.do("POST", "/api/v1/mentorships", strings.NewReader(fmt.Sprintf(`{"mentee_id":%d,"goal":"On-call"}`, peer.ID)),
		"Authorization", "Bearer "+o.tokens[actReadTok], "Content-Type", "application/json")
	wantStatus(t, "read-only token", ro, http.StatusForbidden)
	r := o.as(e, actSelf, "POST", "/api/v1/mentorships", fmt.Sprintf(`{"mentee_id":%d,"goal":"Run on-call alone"}`, peer.ID), js...)
	wantStatus(t, "start", r, http.StatusCreated, `"goal":"Run on-call alone"`, fmt.Sprintf(`"mentor_id":%d`, self.ID))
	var m trellis.Mentorship
	r.JSON(t, &m)
	if r.Header.Get("Location") != fmt.Sprintf("/api/v1/mentorships/%d", m.ID) || m.StartsOn.Format(trellis.DateLayout) != today {
		t.Errorf("location %q, start %v", r.Header.Get("Location"), m.StartsOn)
	}

	// Mine: the mentor's and the mentee's, nobody else's.
	wantStatus(t, "mentor", o.as(e, actSelf, "GET", "/api/v1/mentorships", ""), 200, "Run on-call alone")
	wantStatus(t, "mentee", o.as(e, actPeer, "GET", "/api/v1/mentorships", ""), 200, "Run on-call alone")
	wantStatus(t, "someone else", o.as(e, actManager, "GET", "/api/v1/mentorships", ""), 200, `"items":[]`)
	wantStatus(t, "bad limit", o.as(e, actSelf, "GET", "/api/v1/mentorships?limit=0", ""), 400, `"field":"limit"`)

	// Check-ins: by either side; the mentor's line reads but may not add;
	// anyone else does not see it.
	path := fmt.Sprintf("/api/v1/mentorships/%d/checkins", m.ID)
	wantStatus(t, "bad date", o.as(e, actPeer, "POST", path, `{"date":"Monday","notes":"Paired"}`, js...), 400, `"field":"date"`)
	wantStatus(t, "unknown field", o.as(e, actPeer, "POST", path, `{"date":"`+today+`","mood":"good"}`, js...), 400, "mood")
	wantStatus(t, "manager", o.as(e, actManager, "POST", path, `{"date":"`+today+`","notes":"x"}`, js...), http.StatusForbidden)
	wantStatus(t, "people partner", o.as(e, actPartner, "POST", path, `{"date":"`+today+`","notes":"x"}`, js...), http.StatusNotFound)
	wantStatus(t, "no such mentorship", o.as(e, actPeer, "POST", "/api/v1/mentorships/999999/checkins", `{"date":"`+today+`","notes":"x"}`, js...), http.StatusNotFound)
	wantStatus(t, "check-in", o.as(e, actPeer, "POST", path, `{"date":"`+today+`","notes":"Paired on a page"}`, js...), http.StatusCreated,
		`"notes":"Paired on a page"`, fmt.Sprintf(`"author_id":%d`, peer.ID))
	wantStatus(t, "on the page", o.as(e, actSelf, "GET", fmt.Sprintf("/mentoring/mentorships/%d", m.ID), ""), 200, "Paired on a page")
}

func TestAMAAPI(t *testing.T) {
	e := newEnv(t)
	o := newFixtureOrg(t, e)
	self := o.people[actSelf]
	js := []string{"Content-Type", "application/json"}
	today := trellis.Day(time.Now().UTC()).Format(trellis.DateLayout)
	path := "/api/v1/frameworks/support/roles/support-engineer/amas"

	wantStatus(t, "none yet", o.as(e, actPeer, "GET", path, ""), 200, `"items":[]`)
	wantStatus(t, "no topic", o.as(e, actSelf, "POST", path, `{"date":"`+today+`"}`, js...), 400, `"field":"topic"`)
	wantStatus(t, "bad date", o.as(e, actSelf, "POST", path, `{"topic":"Life on support","date":"tomorrow"}`, js...), 400, `"field":"date"`)
	wantStatus(t, "bad recording", o.as(e, actSelf, "POST", path, `{"topic":"Life on support","date":"`+today+`","recording_url":"ftp://x"}`, js...),
		400, `"field":"recording_url"`)
	wantStatus(t, "no such role", o.as(e, actSelf, "POST", "/api/v1/frameworks/support/roles/astronaut/amas", `{"topic":"x","date":"`+today+`"}`, js...), 404)
	ro := e.do("POST", path, strings.NewReader(`{"topic":"Life on support","date":"`+today+`"}`),
		"Authorization", "Bearer "+o.tokens[actReadTok], "Content-Type", "application/json")
	wantStatus(t, "read-only token", ro, http.StatusForbidden)
	wantStatus(t, "record", o.as(e, actSelf, "POST", path, `{"topic":"Life on support","date":"`+today+`","recording_url":"https://example.com/r"}`, js...),
		http.StatusCreated, `"topic":"Life on support"`, fmt.Sprintf(`"host_id":%d`, self.ID))
	wantStatus(t, "listed", o.as(e, actPeer, "GET", path, ""), 200, "Life on support", "https://example.com/r")
	wantStatus(t, "other role", o.as(e, actPeer, "GET", "/api/v1/frameworks/support/roles/senior-support-engineer/amas", ""), 200, `"items":[]`)
}
