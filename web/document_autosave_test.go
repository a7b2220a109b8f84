package web

import (
	"encoding/json"
	"net/url"
	"strconv"
	"testing"

	"trellis"
)

// The autosave replies editor.js reads: the new version on success; on a
// stale version the stored text and who saved it, the stored text left as
// it was; a stale save of the very text stored is no conflict.
func TestAutosaveReplies(t *testing.T) {
	e := newEnv(t)
	o := newFixtureOrg(t, e)
	self := o.people[actSelf]
	d := createDoc(t, e, self, "senior-support-engineer", trellis.VisManager)
	path := documentURL(d.ID) + "/sections/summary?autosave=1"
	version := func() int {
		t.Helper()
		d, err := e.deps.Documents.FindDocument(actingAs(self), d.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range d.Sections {
			if s.ID == "summary" {
				return s.Version
			}
		}
		t.Fatal("no summary")
		return 0
	}
	reply := func(r *apitestResponse) autosaveReply {
		t.Helper()
		var a autosaveReply
		if err := json.Unmarshal(r.Body, &a); err != nil {
			t.Fatalf("autosave reply %s: %v", r.Body, err)
		}
		return a
	}
	v := version()
	ok := reply(postAs(e, o, actSelf, path, url.Values{"text": {"Sam leads the queue."}, "version": {strconv.Itoa(v)}}))
	if ok.Version != v+1 || ok.Saved == "" || ok.Words != 4 || ok.Error != "" {
		t.Fatalf("autosave reply %+v", ok)
	}
	// The manager saves meanwhile; the candidate's autosave is stale.
	wantStatus(t, "manager saves", postAs(e, o, actManager, documentURL(d.ID)+"/sections/summary", url.Values{"text": {"Sam runs the queue."}, "version": {strconv.Itoa(ok.Version)}}), 303)
	res := postAs(e, o, actSelf, path, url.Values{"text": {"Sam leads the queue and the rota."}, "version": {strconv.Itoa(ok.Version)}})
	wantStatus(t, "stale autosave", res, 409)
	c := reply(res)
	if c.Section != "summary" || c.Current != "Sam runs the queue." || c.By != o.people[actManager].Name || c.Version != ok.Version+1 || c.Error == "" {
		t.Fatalf("conflict reply %+v", c)
	}
	if got := version(); got != ok.Version+1 {
		t.Fatalf("the stale autosave changed the section (version %d)", got)
	}
	// The same text as stored: saved, at the stored version.
	res = postAs(e, o, actSelf, path, url.Values{"text": {"Sam runs the queue."}, "version": {strconv.Itoa(ok.Version)}})
	wantStatus(t, "stale but same", res, 200)
	if same := reply(res); same.Version != ok.Version+1 || same.Error != "" {
		t.Fatalf("same-text reply %+v", same)
	}
}
